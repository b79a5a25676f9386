"""The door against a loopback OpenAI-compatible stub: re-asks, retries, record, replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from personagen.checks.grounding import normalize
from personagen.errors import ReplayMissError
from personagen.llm.door import Door
from personagen.llm.settings import resolve_settings
from personagen.models.persona import NoteInsights
from personagen.pipeline.personas import synthesize_personas
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.helpers import example_icp, note, stub_settings

NOTES = [
    note("cfo", "Honestly, churn is always a surprise for us. I need payback in twelve months."),
    note("cs", "Churn is always a surprise, and our renewal forecast is basically a guess."),
]


def _insights(body: dict[str, Any]) -> dict[str, Any]:
    text = body["messages"][-1]["content"]
    if 'id="cfo"' in text:
        return {
            "role": "CFO",
            "insights": [
                {
                    "kind": "pain_points",
                    "text": "Churn surprises",
                    "quote": "churn is always a surprise",
                }
            ],
        }
    return {
        "role": "CS lead",
        "insights": [
            {
                "kind": "pain_points",
                "text": "Forecast is a guess",
                "quote": "our renewal forecast is basically a guess",
            }
        ],
    }


def _persona(quote: str) -> dict[str, Any]:
    item = {
        "text": "Churn arrives without warning",
        "evidence": [{"note_id": "cfo", "quote": quote}, {"note_id": "cs", "quote": quote}],
    }
    return {
        "personas": [
            {
                "name": "Finance Fiona",
                "title": "CFO",
                "seniority": "c_level",
                "department": "Finance",
                "buying_role": "economic_buyer",
                "summary": "Owns the budget.",
                "responsibilities": [],
                "goals": [],
                "pain_points": [item],
                "channels": [],
                "objections": [],
                "motivations": [],
            }
        ]
    }


async def test_fabricated_quote_is_reasked_and_only_verified_quotes_remain() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "NoteInsights":
            return completion(_insights(body), name=name)
        synth = [b for b in stub.requests if tool_name(b) == "PersonaSetDraft"]
        quote = "churn keeps us up at night" if len(synth) == 1 else "churn is always a surprise"
        return completion(_persona(quote), name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url)) as door:
            run = await synthesize_personas(door, example_icp(), NOTES, count=1)
    synth = [b for b in stub.requests if tool_name(b) == "PersonaSetDraft"]
    assert len(synth) == 2
    reask = synth[1]["messages"][-1]["content"]
    assert "churn keeps us up at night" in reask and "does not occur verbatim" in reask
    (persona,) = run.personas
    index = {n.id: normalize(n.text) for n in NOTES}
    quotes = [e for item in persona.pain_points for e in item.evidence]
    assert quotes and all(normalize(e.quote) in index[e.note_id] for e in quotes)
    assert persona.pain_points[0].confidence == "medium"
    assert run.usage.network_calls == 4


async def test_unsupported_items_are_dropped_after_the_last_reask() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "NoteInsights":
            return completion(_insights(body), name=name)
        return completion(_persona("a quote nobody ever said"), name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, reasks=1)) as door:
            run = await synthesize_personas(door, example_icp(), NOTES, count=1)
    (persona,) = run.personas
    assert persona.pain_points == []
    assert [r.section for r in persona.rejected] == ["pain_points", "pain_points"]
    assert "does not occur verbatim" in persona.rejected[0].reason
    assert any("dropped pain_points" in w for w in run.warnings)


async def test_429_is_retried_after_the_servers_delay() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        if n == 0:
            return Reply(
                status=429, body={"error": {"message": "slow down"}}, headers={"retry-after": "0.2"}
            )
        return completion({"role": None, "insights": []}, name=tool_name(body))

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url)) as door:
            generated = await door.generate(
                "extract_insights", NoteInsights, _vars(), context={"notes": {}, "note_id": "cfo"}
            )
    assert generated.usage.rate_limited == 1
    assert generated.usage.network_calls == 1
    assert len(stub.requests) == 2


def _vars() -> dict[str, Any]:
    return {
        "icp": example_icp(),
        "note": NOTES[0],
        "text": NOTES[0].text,
        "part": 1,
        "part_count": 1,
    }


async def test_record_then_replay_without_network_and_without_the_key(tmp_path: Path) -> None:
    sentinel = "sk-SENTINEL-do-not-write-0123456789"
    cassettes = tmp_path / "cassettes"

    def script(body: dict[str, Any], n: int) -> Reply:
        return completion(_insights(body), name=tool_name(body))

    with StubServer(script) as stub:
        settings = stub_settings(stub.base_url, api_key=sentinel, record_dir=cassettes)
        async with Door(settings) as door:
            recorded = await door.generate(
                "extract_insights", NoteInsights, _vars(), label="extract/cfo/1"
            )
    files = list(cassettes.glob("*.json"))
    assert len(files) == 1
    text = files[0].read_text()
    assert sentinel not in text and "authorization" not in text.lower()
    saved = json.loads(text)
    assert saved["task"] == "extract_insights" and saved["label"] == "extract/cfo/1#1"
    assert saved["request"]["body"]["model"] == "gpt-4.1-mini"

    replay = Door(resolve_settings({"replay_dir": cassettes}))
    replayed = await replay.generate(
        "extract_insights", NoteInsights, _vars(), label="extract/cfo/1"
    )
    assert replayed.value.model_dump() == recorded.value.model_dump()
    assert replayed.usage.network_calls == 0 and replayed.usage.replayed == 1
    assert replayed.request_key == recorded.request_key


async def test_replay_miss_names_task_and_key(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    door = Door(resolve_settings({"replay_dir": tmp_path / "empty"}))
    with pytest.raises(ReplayMissError) as caught:
        await door.generate("extract_insights", NoteInsights, _vars())
    assert "extract_insights" in str(caught.value)
    assert caught.value.key in str(caught.value) and len(caught.value.key) == 64


async def test_rekey_carries_answers_over_and_reports_stale(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    with StubServer(lambda body, n: completion(_insights(body), name=tool_name(body))) as stub:
        async with Door(stub_settings(stub.base_url, record_dir=cassettes)) as door:
            await door.generate("extract_insights", NoteInsights, _vars(), label="extract/cfo/1")
    changed = {**_vars(), "part_count": 2}  # a changed request for the same logical call
    plain = Door(resolve_settings({"replay_dir": cassettes}))
    with pytest.raises(ReplayMissError):
        await plain.generate("extract_insights", NoteInsights, changed, label="extract/cfo/1")
    assert len(plain.transport.replay.stale()) == 1  # type: ignore[union-attr]

    rekey = Door(resolve_settings({"replay_dir": cassettes, "rekey": True}))
    generated = await rekey.generate(
        "extract_insights", NoteInsights, changed, label="extract/cfo/1"
    )
    assert generated.value.role == "CFO"
    (path,) = cassettes.glob("*.json")
    saved = json.loads(path.read_text())
    assert saved["carried_over"] is True and saved["source"] == "recorded"
    assert saved["key"] == generated.request_key
