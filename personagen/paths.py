"""Where personagen keeps its own files (run store, config)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The user directory: $PERSONAGEN_HOME, else $XDG_DATA_HOME/personagen or ~/.local/share."""
    override = os.environ.get("PERSONAGEN_HOME")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "personagen"


def resource_dir(name: str) -> Path:
    """A data folder shipped with the package (installed wheel) or beside it (checkout)."""
    package_root = Path(__file__).resolve().parent
    installed = package_root / name
    if installed.is_dir():
        return installed
    return package_root.parent / name
