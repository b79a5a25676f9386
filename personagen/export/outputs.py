"""Output folders: checked before any model call, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

from personagen.atomic import write_text_atomic
from personagen.errors import InputError
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief


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


def artifact_path(output: Path, artifact: CopyArtifact) -> Path:
    """Where a copy artifact's JSON lives: `copy/<persona>/<channel>.json`."""
    return output / "copy" / artifact.persona_id / f"{artifact.channel}.json"


def write_copy_views(output: Path, artifacts: list[CopyArtifact], brief: Brief) -> list[Path]:
    """Write what is derived from the artifacts: a Markdown deck per persona, platform CSVs."""
    from personagen.export.copy_deck import write_decks
    from personagen.export.csv_export import write_csvs

    return write_decks(output / "copy", artifacts) + write_csvs(
        output / "exports", artifacts, brief
    )


def write_copy_outputs(output: Path, artifacts: list[CopyArtifact], brief: Brief) -> list[Path]:
    """Write JSON per artifact, then the decks and platform CSVs."""
    written: list[Path] = []
    for artifact in artifacts:
        path = artifact_path(output, artifact)
        write_json(path, artifact)
        written.append(path)
    return written + write_copy_views(output, artifacts, brief)
