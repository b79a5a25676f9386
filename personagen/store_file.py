"""The run store's file: kept private, recognised when damaged or foreign, failures in words.

The store holds every note sent to the model, so it is created 0600 in a 0700 folder
whatever the umask (SQLite gives its -wal, -shm and -journal files the store's own mode).
A store that is damaged, truncated or another program's database is never repaired or
replaced here: the user is told which file it is and how to start a new one.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from personagen.errors import StoreError, os_reason

SIDE_FILES = ("-wal", "-shm", "-journal")
OWN_TABLES = frozenset({"runs", "jobs", "results", "responses"})
# Primary result codes (https://sqlite.org/rescode.html) that say what the user can do.
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_FULL = 13  # SQLITE_FULL
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_ACCESS = {3, 8, 10, 14, 23}  # SQLITE_PERM, _READONLY, _IOERR, _CANTOPEN, _AUTH


def _start_over(path: Path) -> str:
    return (
        f"nothing was changed; move it aside (mv '{path}' '{path}.old') to start a new "
        "store, or set PERSONAGEN_HOME to another folder"
    )


def damaged(path: Path, cause: str) -> StoreError:
    """The error for a file that is not a usable personagen run store."""
    return StoreError(
        path, f"not a personagen run store, or a damaged one ({cause}); {_start_over(path)}"
    )


def store_failure(path: Path, error: sqlite3.Error) -> StoreError:
    """An SQLite error on the store as one line: what happened to which file, what to do."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _DAMAGED:
        return damaged(path, str(error))
    if primary == _FULL:
        return StoreError(
            path,
            f"cannot write the run store: the disk is full ({error}); free some space, or "
            "set PERSONAGEN_HOME to a folder on another disk",
        )
    if primary in _BUSY:
        return StoreError(
            path, f"the run store stayed locked by another process ({error}); try again"
        )
    if primary in _ACCESS:
        return StoreError(path, f"cannot read or write the run store ({error})")
    return StoreError(path, f"the run store failed ({error})")


def prepare_folder(folder: Path, warnings: list[str], what: str = "the run store's folder") -> None:
    """Create a folder of the store 0700 (whatever the umask); tighten one others can enter."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(
            folder, f"{what} is a file; move it aside or set PERSONAGEN_HOME elsewhere"
        )
    try:
        if folder.is_dir():
            private(folder, warnings)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)  # not mkdir's mode: the umask cuts it (0277 leaves it unusable)
    except OSError as error:
        raise StoreError(folder, f"cannot create {what}: {os_reason(error)}") from error


def prepare_file(path: Path) -> None:
    """Create the store file 0600 if missing; refuse a folder or special file in its place.

    Whether it is a database, and a whole one, SQLite tells when it opens it (a file cut
    short is 'malformed'), with its own locks: a store another run is writing is no error.
    """
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "a special file"
        raise StoreError(path, f"is {kind}, not a personagen run store; {_start_over(path)}")
    try:
        os.close(open_private(path))
    except OSError as error:
        raise StoreError(path, f"cannot open the run store: {os_reason(error)}") from error


def tighten(path: Path, warnings: list[str]) -> None:
    """Make a store (known to be one) and its side files private, as new ones are."""
    try:
        for file in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
            if file.exists():
                private(file, warnings)
    except OSError as error:  # e.g. a side file removed meanwhile by the run closing it
        warnings.append(f"{path}: could not check who may read the run store ({error})")


def open_private(path: Path) -> int:
    """Open `path` to read and write, creating it 0600 (whatever the umask) when missing."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return os.open(path, os.O_RDWR)
    if os.name == "posix":  # the umask may have cut the mode (0277 leaves it read-only)
        os.fchmod(fd, 0o600)
    return fd


def check_tables(path: Path, tables: set[str]) -> None:
    """Refuse another program's database: tables, but not a run store's."""
    if tables and not OWN_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(
            path,
            f"an SQLite database, but not a personagen run store (its tables: {shown}); "
            f"{_start_over(path)}",
        )


def private(path: Path, warnings: list[str]) -> None:
    """Take group and other access away from a file or folder we own; warn about one we don't."""
    if os.name != "posix":
        return  # permissions there are ACLs, private in the user's profile
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return
    owner = path.stat().st_uid
    if owner != os.geteuid():
        warnings.append(
            f"{path}: other users may read the run store (mode {mode:o}); it belongs to user "
            f"{owner}, so it was left as is: ask them to run chmod go= '{path}'"
        )
        return
    try:
        path.chmod(mode & ~0o077)
    except OSError as error:  # e.g. a file system without modes: warn, the store still works
        warnings.append(
            f"{path}: other users may read the run store (mode {mode:o}) and it could not be "
            f"made private ({os_reason(error)})"
        )
