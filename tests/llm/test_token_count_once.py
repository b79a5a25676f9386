"""A request's tokens are counted once, though the door prepares, budgets and limits it;
a schema or system prompt shared by many requests is counted once for all."""

from __future__ import annotations

import copy
import json
import math
import random
import re
from pathlib import Path

import pytest

import personagen
from personagen.inputs import load_model
from personagen.llm import Door, exchange, transport
from personagen.llm import door as door_module
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
    # Each text once (schemas, the system prompt, message lines), though prepared, budgeted,
    # limited; the lines both channels' prompts share (brief, persona) are counted once.
    assert len(counted) == len(set(counted))


async def _one_persona(tmp_path: Path) -> tuple[personagen.Settings, list[personagen.Persona]]:
    """Uncached settings and one persona built from one example note by the fake model."""
    settings = personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini", "cache": False}
    )
    found = await personagen.build_personas_async(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes" / "cfo-helen.md",
        count=1,
        settings=settings,
        model=FakeModel(seed=1),
        output=tmp_path,
    )
    return settings, list(found.personas)


async def test_a_reask_leaves_the_prepared_call_as_it_was(tmp_path: Path) -> None:
    settings, personas = await _one_persona(tmp_path)
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


def test_lines_shared_by_requests_are_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return count_tokens(text)

    monkeypatch.setattr(exchange, "count_tokens", counting)
    exchange._line_tokens.cache_clear()  # counted fresh in this test, whatever ran before
    exchange._text_tokens.cache_clear()
    brief = "## Brief\nRenewly flags accounts at risk 90 days before renewal."
    for persona in ("Helen, CFO at a 400-seat firm", "Raj, VP Customer Success"):
        content = f'{brief}\n## Persona\n{persona} (quoted: "we lose 8%")'
        body = {"messages": [{"role": "user", "content": content}]}
        whole = count_tokens(json.dumps(body["messages"], ensure_ascii=False))
        estimate = exchange.prompt_tokens({"body": body})
        assert abs(estimate - whole) <= 0.1 * whole
    assert counted.count("Renewly flags accounts at risk 90 days before renewal.") == 1
    assert counted.count("## Brief") == 1


async def test_the_prepared_exchange_is_keyed_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings, personas = await _one_persona(tmp_path)
    brief = load_model(EXAMPLE / "brief.yaml", Brief)
    keyed: list[str] = []
    real_key = exchange.request_key

    def keying(normalized: dict[str, object]) -> str:
        keyed.append(real_key(normalized))
        return keyed[-1]

    monkeypatch.setattr(transport, "request_key", keying)
    monkeypatch.setattr(door_module, "request_key", keying)
    fake = FakeModel(seed=4)
    fake.enqueue({"variants": []})  # refused, then re-asked: the re-ask is keyed on its own
    async with Door(settings, upstream=fake) as door:
        call = prepare_copy(door, CopyJob(personas[0], "x", variants=1), brief)
        generated = await door.generate(call)
    assert generated.exchanges == 2
    assert len(keyed) == 2 and keyed[0] == call.key != keyed[1]
