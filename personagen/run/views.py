"""A folder's views (decks, platform CSVs, evidence.csv) are written again only when what
they derive from changed, or when one of the files changed on disk.

The views are a pure function of the copy, the brief, the personas and personagen's own
version, so a digest of those says whether they would come out the same. The store keeps
the digest with each written file's size and modification time: a re-run that reuses every
job skips the work (1,000 jobs: about a second) unless a file was edited, removed or
replaced meanwhile.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from personagen import __version__
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona
from personagen.store import Store


def views_digest(
    artifacts: Sequence[CopyArtifact], brief: Brief, personas: Sequence[Persona]
) -> str:
    """Content address of everything a folder's views are made from."""
    digest = hashlib.sha256(f"personagen {__version__}\n".encode())
    for model in (brief, *personas, *artifacts):
        digest.update(model.model_dump_json().encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def file_marks(paths: Sequence[Path]) -> dict[str, list[int]]:
    """Each file's [size, mtime_ns], by its path."""
    marks: dict[str, list[int]] = {}
    for path in paths:
        info = os.stat(path)
        marks[str(path)] = [info.st_size, info.st_mtime_ns]
    return marks


def views_current(store: Store, folder: Path, digest: str) -> bool:
    """True when `folder`'s views were written from `digest` and no file changed since."""
    recorded = store.get_views(str(folder.resolve()))
    if recorded is None or recorded[0] != digest:
        return False
    try:
        return file_marks([Path(p) for p in recorded[1]]) == recorded[1]
    except OSError:
        return False  # a file is gone or unreadable: write them again


def record_views(store: Store, folder: Path, digest: str, written: Sequence[Path]) -> None:
    """Remember the digest and the files just written into `folder`."""
    store.put_views(str(folder.resolve()), digest, file_marks(written))
