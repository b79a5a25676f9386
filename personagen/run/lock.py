"""One run at a time per campaign and store: a second identical run waits, then reuses.

The lock is an advisory lock (flock on POSIX, a byte-range lock on Windows) on a file in
`locks/` beside the store, named by a digest of the run's name and files: a campaign's
file for `run` (whatever the output folder), the input and the output folder for
`personas` and `copy`. The system drops it when its holder ends, even one killed with -9,
so a crashed run never blocks the next. A run that waited then finds every job the first
one finished in the store, and pays for none of them; other campaigns run at the same time.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from personagen.errors import StoreError, os_reason
from personagen.export.outputs import OutputFolder
from personagen.store import Store, open_store
from personagen.store_file import open_private, prepare_folder

POLL_SECONDS = 0.2
_PID_AT = 1  # the holder's pid follows the lock byte (Windows locks byte 0 only)

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks from the current position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def lock_path(store: Store, name: str, files: Sequence[str | Path]) -> Path:
    """The lock file of runs named `name` of these files (e.g. the campaign) on this store."""
    identity = json.dumps([store.path.name, name, *(os.path.realpath(f) for f in files)])
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return store.path.parent / "locks" / f"{digest}.lock"


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _holder(fd: int) -> str:
    """' (pid N)' of the run holding the lock, when it has written it yet."""
    os.lseek(fd, _PID_AT, os.SEEK_SET)
    text = os.read(fd, 32).decode("ascii", "replace").strip()
    return f" (pid {text})" if text.isdigit() else ""


def _claim(fd: int) -> None:
    """Write this process's pid into the lock file it now holds."""
    os.ftruncate(fd, _PID_AT)
    os.lseek(fd, _PID_AT, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode("ascii"))


@asynccontextmanager
async def run_lock(
    store: Store,
    name: str,
    files: Sequence[str | Path],
    say: Callable[[str], None] | None = None,
) -> AsyncIterator[None]:
    """Hold the lock of runs named `name` of `files`; while another run holds it, wait.

    Waiting polls without blocking the event loop (two runs in one process wait for each
    other too) and is said once through `say` (default: standard error).
    """
    path = lock_path(store, name, files)
    prepare_folder(path.parent, store.warnings, "the run locks' folder")
    try:
        fd = open_private(path)
    except OSError as error:
        raise StoreError(path, f"cannot create the run lock: {os_reason(error)}") from error
    try:
        if not _try_lock(fd):
            (say or _stderr)(
                f"another run of '{name}' is in progress{_holder(fd)}; waiting for it to "
                "finish, then reusing what it paid for"
            )
            while not _try_lock(fd):
                await asyncio.sleep(POLL_SECONDS)
        _claim(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@asynccontextmanager
async def locked_store(
    name: str,
    files: Sequence[str | Path],
    output: Path,
    store: Store | None = None,
    say: Callable[[str], None] | None = None,
) -> AsyncIterator[Store]:
    """`open_store(store)` held for one run of `name` of `files` (see `run_lock`).

    The store and the output folder are checked first, so a bad one fails before any wait.
    """
    with open_store(store) as db:
        OutputFolder(output).prepare()
        async with run_lock(db, name, files, say):
            yield db
