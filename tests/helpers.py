"""Shared test builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from personagen.channels import Channel, Export, FieldLimit, HardLimit
from personagen.inputs.settings import resolve_settings
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "examples" / "saas-retention"


def example_icp() -> ICP:
    return ICP.model_validate(yaml.safe_load((EXAMPLE / "icp.yaml").read_text()))


def note(note_id: str, text: str) -> Note:
    return Note(id=note_id, text=text, source_format="txt")


def stub_settings(base_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"base_url": base_url, "model": "gpt-4.1-mini"}
    values.update(extra)
    return resolve_settings(values)


def tiktok_channel() -> Channel:
    """A 'tiktok' ad channel for tests that register one at run time: one caption field,
    at most 100 characters, exported to a tiktok.csv review sheet."""
    return Channel(
        id="tiktok",
        name="TikTok",
        title="TikTok ads",
        kind="ad",
        shape="variants",
        task="ads",
        output_tokens=300,
        source="a test",
        fields=(
            FieldLimit(
                name="caption",
                label="caption",
                plural="captions",
                hard=HardLimit(source="a test", why="a test", max=100),
                csv_aliases=("caption",),
            ),
        ),
        reading=("caption",),
        export=Export(file="tiktok.csv", columns=(("caption", "Caption", "Caption chars"),)),
    )
