"""A request's tokens are counted once, though the door prepares, budgets and limits it."""

from __future__ import annotations

import copy
import math
import random
import re
from pathlib import Path

import pytest

import personagen
from personagen.inputs import load_model
from personagen.llm import Door, exchange
from personagen.llm.meter import CallMeter
from personagen.llm.tokens import count_tokens
from personagen.models.brief import Brief
from personagen.pipeline.copy import CopyJob, prepare_copy
from personagen.testing import FakeModel
from tests.helpers import EXAMPLE


def test_each_request_is_counted_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return count_tokens(text)

    monkeypatch.setattr(exchange, "count_tokens", counting)
    settings = personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini"}
    )
    personas = personagen.build_personas(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes" / "cfo-helen.md",
        count=1,
        settings=settings,
        model=FakeModel(seed=1),
        output=tmp_path / "personas",
    ).personas
    counted.clear()
    result = personagen.write_copy(
        personas,
        EXAMPLE / "brief.yaml",
        channels=["x", "linkedin"],
        variants=1,
        settings=settings,
        model=FakeModel(seed=2),
        output=tmp_path / "copy",
    )
    assert result.report.usage.network_calls == 2
    assert len(counted) == len(set(counted)) == 2


async def test_a_reask_leaves_the_prepared_call_as_it_was(tmp_path: Path) -> None:
    settings = personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini", "cache": False}
    )
    personas = (
        await personagen.build_personas_async(
            EXAMPLE / "icp.yaml",
            EXAMPLE / "notes" / "cfo-helen.md",
            count=1,
            settings=settings,
            model=FakeModel(seed=1),
            output=tmp_path,
        )
    ).personas
    brief = load_model(EXAMPLE / "brief.yaml", Brief)
    fake = FakeModel(seed=4)
    fake.enqueue({"variants": []})  # too few variants: refused, then re-asked
    async with Door(settings, upstream=fake) as door:
        call = prepare_copy(door, CopyJob(personas[0], "x", variants=1), brief)
        before = copy.deepcopy(call.body)
        generated = await door.generate(call)
    assert generated.exchanges == 2
    assert len(fake.history[1]["messages"]) > len(fake.history[0]["messages"])
    assert call.body == before
    assert call.key == exchange.request_key(exchange.normalize_request("/chat/completions", before))


def _piece_by_piece(text: str) -> int:
    """`count_tokens` as written before pieces were grouped: one piece at a time."""
    total = 0
    for piece in re.findall(r"[^\W_]+|[^\w\s]+|_+", text):
        if piece[0].isalnum():
            total += max(1, round(len(piece) / 6))
        else:
            total += math.ceil(len(piece) / 3)
    return total


def test_grouped_counting_matches_piece_by_piece() -> None:
    rng = random.Random(5)
    letters = [chr(point) for point in range(0x3000)] + list("  __--..,,aaAA99")
    texts = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 200))) for _ in range(300)]
    texts.append('[{"role": "user", "content": "Cut churn 30% — in 90 days"}, "a_b__c"]')
    assert [count_tokens(t) for t in texts] == [_piece_by_piece(t) for t in texts]


def test_only_the_prepared_request_reuses_its_count() -> None:
    meter = CallMeter(task="ads", label="copy/p/x", prepared=("abc", 812))
    assert meter.known_tokens("abc") == 812
    assert meter.known_tokens("a re-ask's key") is None
    assert CallMeter(task="ads", label="").known_tokens("abc") is None
