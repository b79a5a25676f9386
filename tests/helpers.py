"""Shared test builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from personagen.inputs.settings import resolve_settings
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "saas-retention"


def example_icp() -> ICP:
    return ICP.model_validate(yaml.safe_load((EXAMPLE / "icp.yaml").read_text()))


def note(note_id: str, text: str) -> Note:
    return Note(id=note_id, text=text, source_format="txt")


def stub_settings(base_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"base_url": base_url, "model": "gpt-4.1-mini"}
    values.update(extra)
    return resolve_settings(values)
