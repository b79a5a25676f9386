"""Output folders: checked before any model call, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

from personagen.atomic import write_text_atomic
from personagen.errors import InputError


def prepare_output_dir(path: Path) -> Path:
    """Make sure `path` is a writable folder before any paid work starts."""
    if path.exists() and not path.is_dir():
        raise InputError(str(path), "output path is a file, not a folder")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(str(path), f"output folder is not writable ({existing})")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: Path, model: BaseModel) -> None:
    """Write a model as indented JSON, atomically."""
    write_text_atomic(path, model.model_dump_json(indent=2, exclude_none=True) + "\n")
