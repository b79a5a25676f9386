"""Copy requests go out while other personas' files and earlier jobs' files are written."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

import personagen
from personagen.export.outputs import OutputFolder
from personagen.models.persona import Persona
from personagen.testing import FakeModel
from personagen.testing.stub_server import tool_name
from tests.run.test_persona_concurrency import PERSONA_TOOLS, _campaign

SEGMENTS = 5  # one persona each, X copy only: 5 copy jobs
CONCURRENCY = 2
GUARD = 30.0  # seconds; only a failing run waits this long


class CopyCounter(FakeModel):
    """The fake model, telling a waiting thread once `wanted` copy requests have arrived."""

    def __init__(self, wanted: int) -> None:
        super().__init__(seed=3)
        self.wanted = wanted
        self.copies = 0
        self.enough = threading.Event()

    async def handle_async_request(self, request: Any) -> Any:
        await request.aread()
        if tool_name(json.loads(request.content)) not in PERSONA_TOOLS:
            self.copies += 1
            if self.copies >= self.wanted:
                self.enough.set()
        return await super().handle_async_request(request)


def test_copy_goes_out_while_other_personas_files_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last persona's files are held until the copy of every other persona was asked
    # for: more jobs than slots, so neither the persona files nor the job files queued
    # behind them may hold a slot.
    fake = CopyCounter(SEGMENTS - 1)
    seen: list[bool] = []
    write_persona = OutputFolder.write_persona

    def held_write(self: OutputFolder, persona: Persona) -> None:
        if len(seen) == SEGMENTS - 1:
            seen.append(fake.enough.wait(GUARD))
        else:
            seen.append(True)
        write_persona(self, persona)

    monkeypatch.setattr(OutputFolder, "write_persona", held_write)
    out = tmp_path / "out"
    report = personagen.run_campaign(
        _campaign(tmp_path, SEGMENTS, CONCURRENCY), output=out, model=fake
    )
    assert seen == [True] * SEGMENTS
    assert fake.copies == SEGMENTS
    assert report.count("done") == 2 * SEGMENTS  # each segment's personas and its copy
    assert len(list((out / "personas").glob("*.json"))) == SEGMENTS
    assert len(list((out / "copy").rglob("*.json"))) == SEGMENTS
