"""A channel is one registry entry plus one draft model: registered at test time, it flows
through copy -> deck -> report -> lint -> CSV with no other change."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field

import personagen
from personagen import channels
from personagen.export.report import write_report
from personagen.lint import lint_paths
from personagen.models.copy import DRAFT_MODELS, draft_model
from personagen.models.copy_base import CopyPiece, Draft, addresses_field, limited_field
from personagen.testing import FakeModel
from tests.helpers import EXAMPLE, tiktok_channel


@pytest.fixture()
def tiktok() -> Iterator[str]:
    channels.register_channel(tiktok_channel())

    class TikTokAd(CopyPiece):
        """A TikTok in-feed ad."""

        channel_id: ClassVar[str | None] = "tiktok"
        caption: str = limited_field("tiktok", "caption", "The caption over the video.")
        addresses: list[str] = addresses_field()

    @draft_model("tiktok")
    class TikTokDraft(Draft):
        """TikTok ad variants for one persona."""

        variants: list[TikTokAd] = Field(min_length=1, json_schema_extra={"x-count": "variants"})

    try:
        yield "tiktok"
    finally:
        channels.unregister_channel("tiktok")
        DRAFT_MODELS.pop("tiktok", None)


def _personas(tmp_path: Path, settings: personagen.Settings) -> list[personagen.Persona]:
    return personagen.build_personas(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes" / "cfo-helen.md",
        count=1,
        settings=settings,
        model=FakeModel(seed=2),
        output=tmp_path,
    ).personas


def test_a_new_channel_flows_through_copy_deck_report_lint_and_csv(
    tmp_path: Path, tiktok: str
) -> None:
    settings = personagen.resolve_settings({"base_url": "http://fake.invalid/v1"})
    personas = _personas(tmp_path, settings)
    fake = FakeModel(seed=5)
    result = personagen.write_copy(
        personas,
        EXAMPLE / "brief.yaml",
        channels=[tiktok],
        variants=2,
        settings=settings,
        model=fake,
        output=tmp_path,
    )
    # copy: the contract carries the registry's limit and the request's count
    (request,) = fake.history
    parameters: dict[str, Any] = request["tools"][0]["function"]["parameters"]
    caption = parameters["$defs"]["TikTokAd"]["properties"]["caption"]
    assert caption["maxLength"] == 100 and parameters["properties"]["variants"]["maxItems"] == 2
    (artifact,) = result.artifacts
    assert artifact.channel == tiktok and len(artifact.draft["variants"]) == 2
    assert artifact.final_url  # an ad channel: the landing page is attached
    # deck
    deck = (tmp_path / "copy" / f"{artifact.persona_id}.md").read_text()
    assert "## TikTok ads" in deck and "Caption 1" not in deck and "Caption (" in deck
    # CSV review sheet from the registry's export entry
    with (tmp_path / "exports" / "tiktok.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Caption"] for r in rows] == [v["caption"] for v in artifact.draft["variants"]]
    assert all(int(r["Caption chars"]) <= 100 for r in rows)
    # report
    write_report(tmp_path, tmp_path / "report.html")
    assert "TikTok ads" in (tmp_path / "report.html").read_text()
    # lint: clean as written, and a hand edit past the hard limit is an error
    assert lint_paths([tmp_path], None).errors == 0
    path = tmp_path / "copy" / artifact.persona_id / "tiktok.json"
    edited = json.loads(path.read_text())
    edited["draft"]["variants"][0]["caption"] = "x" * 101
    path.write_text(json.dumps(edited))
    rules = [f.finding.rule for f in lint_paths([path], None).findings]
    assert "length-hard-max" in rules
