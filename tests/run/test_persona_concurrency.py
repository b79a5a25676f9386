"""The persona stage runs under the campaign's concurrency bound, like the copy stage."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import yaml

import personagen
from personagen.testing import FakeModel
from personagen.testing.stub_server import tool_name
from tests.helpers import EXAMPLE, example_icp

SEGMENTS = 40
CONCURRENCY = 4
PERSONA_TOOLS = {"NoteInsights", "PersonaSetDraft"}
GUARD = 60.0  # seconds


class PeakModel(FakeModel):
    """The fake model, answering after a short await, counting requests in flight (all of
    them, and those of the persona stage alone).

    With `overlap`, persona requests are held until two of them are in flight at once (the
    first time only): whether they can overlap never depends on how busy the machine is.
    """

    def __init__(self, *, overlap: bool = False) -> None:
        super().__init__(seed=5)
        self.in_flight = 0
        self.peak = 0
        self.persona_in_flight = 0
        self.persona_peak = 0
        self.overlapped = asyncio.Event()
        if not overlap:
            self.overlapped.set()

    async def handle_async_request(self, request: Any) -> Any:
        await request.aread()
        persona = tool_name(json.loads(request.content)) in PERSONA_TOOLS
        self.in_flight += 1
        self.persona_in_flight += persona
        self.peak = max(self.peak, self.in_flight)
        self.persona_peak = max(self.persona_peak, self.persona_in_flight)
        if self.persona_in_flight >= 2:
            self.overlapped.set()
        try:
            if persona:  # a failure guard only: a second request arrives long before it
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.overlapped.wait(), GUARD)
                self.overlapped.set()  # waited once in vain: the peak assertion says so
            await asyncio.sleep(0.005)  # let every other ready request start meanwhile
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1
            self.persona_in_flight -= persona


def _campaign(folder: Path, segments: int, concurrency: int, notes_each: int = 1) -> Path:
    """A campaign of `segments` ICPs, `notes_each` short notes each, X copy only."""
    listed = []
    for n in range(segments):
        icp = example_icp().model_copy(update={"id": f"seg-{n}", "name": f"Segment {n}"})
        (folder / f"icp-{n}.yaml").write_text(yaml.safe_dump(icp.model_dump(mode="json")))
        notes = folder / f"notes-{n}"
        notes.mkdir()
        for k in range(notes_each):
            (notes / f"buyer-{n}-{k}.txt").write_text(
                "Interviewer: Why now?\n\nDana: Churn is always a surprise for us. "
                f"Our renewal forecast is basically a guess. We run {k + 2} tools for it.\n"
            )
        listed.append({"icp": f"icp-{n}.yaml", "notes": [f"notes-{n}"], "personas": 1})
    campaign = {
        "name": "wide",
        "segments": listed,
        "brief": str(EXAMPLE / "brief.yaml"),
        "channels": ["x"],
        "variants": 1,
        "model": {"model": "gpt-4.1-mini", "base_url": "http://fake.invalid/v1"},
        "concurrency": concurrency,
    }
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(campaign))
    return path


def test_forty_segments_never_have_more_than_concurrency_requests_in_flight(
    tmp_path: Path,
) -> None:
    campaign = _campaign(tmp_path, SEGMENTS, CONCURRENCY)
    fake = PeakModel(overlap=True)
    report = personagen.run_campaign(campaign, output=tmp_path / "out", model=fake)
    persona_requests = [t for t in fake.tools() if t in PERSONA_TOOLS]
    assert len(persona_requests) >= 2 * SEGMENTS  # every segment extracted and synthesized
    assert sum(1 for o in report.outcomes if o.job_id.startswith("personas/")) == SEGMENTS
    assert 2 <= fake.persona_peak <= CONCURRENCY
    assert fake.peak <= CONCURRENCY


def test_persona_stage_alone_is_bounded_too(tmp_path: Path) -> None:
    # A one-request-at-a-time campaign never overlaps two requests of its segments.
    campaign = _campaign(tmp_path, 6, 1)
    fake = PeakModel()
    personagen.run_campaign(campaign, output=tmp_path / "out", model=fake)
    assert fake.persona_peak == 1 and fake.peak == 1
    assert fake.tools().count("NoteInsights") == 6


def test_many_notes_of_one_segment_are_extracted_under_the_bound(tmp_path: Path) -> None:
    campaign = _campaign(tmp_path, 1, 3, notes_each=12)
    fake = PeakModel(overlap=True)
    personagen.run_campaign(campaign, output=tmp_path / "out", model=fake)
    assert fake.tools().count("NoteInsights") == 12
    assert 2 <= fake.persona_peak <= 3
