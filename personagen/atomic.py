"""Atomic file writes: a temp file in the same folder, then a rename.

A written file gets the mode a plain `open()` would give it (0666 less the umask: 0644
under umask 022), not the 0600 of a temporary file. Only a regular file is replaced: a
symbolic link, device, pipe, socket or folder at the path is refused, never swapped for
a regular file.

A file that already holds exactly the new bytes is left alone (no temp file, no fsync, no
rename; its inode and modification time stay): a re-run that changes nothing costs reads,
not a disk flush per file.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path

from personagen.errors import InputError, WriteError

_UMASK_LOCK = threading.Lock()
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def current_umask() -> int:
    """The process's umask, read without changing it where the system can tell it."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way is to set it and set it back; 077 meanwhile, so a file another
    # thread creates in that instant is private rather than open.
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def special_kind(path: Path) -> str | None:
    """What `path` is when it is there but not a regular file ('a symbolic link', ...)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # missing (it will be created) or unreadable (the write says why)
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def check_output_file(path: Path) -> None:
    """InputError unless `path` is a regular file or nothing yet: an output never replaces
    a link, device, pipe, socket or folder."""
    kind = special_kind(path)
    if kind is not None:
        raise InputError(
            str(path), f"is {kind}, not a regular file; refusing to replace it with the output"
        )


def holds(path: Path, data: bytes) -> bool:
    """True when `path` is a regular file whose bytes are exactly `data` (size first)."""
    # Non-blocking and not through a link: a pipe or link put there since the check must
    # neither hang the read nor be followed.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
                return False
            # One byte more than expected is read, so a file that grew meanwhile differs.
            return handle.read(len(data) + 1) == data
    except OSError:
        return False  # missing or unreadable: the write creates it or says why


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating parent folders; a file that already
    holds `data` is not rewritten.

    Any OSError (a full disk, a read-only or pseudo file system) becomes a WriteError
    naming `path` and the cause; the temporary file is removed, the old file kept. A path
    that is not a regular file is refused first (`check_output_file`).
    """
    check_output_file(path)
    if holds(path, data):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise WriteError(path, error, f"cannot create a file in {path.parent}") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise WriteError(path, error) from error
        raise
