"""The door against a loopback OpenAI-compatible stub: re-asks, retries, record, replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from personagen.checks.grounding import normalize
from personagen.errors import ReplayMissError
from personagen.inputs.citable import citable_note
from personagen.inputs.settings import resolve_settings
from personagen.llm.door import Door, PreparedCall
from personagen.models.contract import contract_schema
from personagen.models.persona import SENTENCES, NoteInsights, Persona
from personagen.pipeline.personas import synthesize_personas
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.helpers import example_icp, note, stub_settings

NOTES = [
    note("cfo", "Honestly, churn is always a surprise for us. I need payback in twelve months."),
    note("cs", "Churn is always a surprise, and our renewal forecast is basically a guess."),
]


def _insights(body: dict[str, Any]) -> dict[str, Any]:
    """Each note's first sentence: 'Honestly, churn is always a surprise for us.' (cfo.1) and
    'Churn is always a surprise, and our renewal forecast is basically a guess.' (cs.1)."""
    text = body["messages"][1]["content"]
    if 'id="cfo"' in text:
        return {
            "role": "CFO",
            "insights": [{"kind": "pain_points", "text": "Churn surprises", "sentences": [1]}],
        }
    return {
        "role": "CS lead",
        "insights": [{"kind": "pain_points", "text": "Forecast is a guess", "sentences": [1]}],
    }


def _persona(*items: list[str]) -> dict[str, Any]:
    """One persona whose pain points cite the given insight ids, one list per item."""
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
                "pain_points": [
                    {"text": f"Churn arrives without warning ({n})", "evidence": evidence}
                    for n, evidence in enumerate(items, start=1)
                ],
                "channels": [],
                "objections": [],
                "motivations": [],
            }
        ]
    }


def _said(persona: Persona) -> None:
    """Every quote of the persona is the interviewee's words, verbatim, in its note."""
    index = {n.id: normalize(n.text) for n in NOTES}
    quotes = [e for items in persona.items().values() for item in items for e in item.evidence]
    assert quotes and all(normalize(e.quote) in index[e.note_id] for e in quotes)


async def test_unknown_insight_id_is_reasked_and_only_verified_quotes_remain() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "NoteInsights":
            return completion(_insights(body), name=name)
        synth = [b for b in stub.requests if tool_name(b) == "PersonaSetDraft"]
        cited = ["cfo.1", "cfo.9"] if len(synth) == 1 else ["cfo.1", "cs.1"]
        return completion(_persona(cited), name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url)) as door:
            run = await synthesize_personas(door, example_icp(), NOTES, count=1)
    synth = [b for b in stub.requests if tool_name(b) == "PersonaSetDraft"]
    assert len(synth) == 2
    reask = synth[1]["messages"][-1]["content"]
    assert "unknown insight ids 'cfo.9'" in reask and "cite only the ids listed" in reask
    (persona,) = run.personas
    _said(persona)
    assert [e.note_id for e in persona.pain_points[0].evidence] == ["cfo", "cs"]
    assert (
        persona.pain_points[0].evidence[0].quote == "Honestly, churn is always a surprise for us."
    )
    assert persona.pain_points[0].evidence[0].sentences == [1]
    assert persona.pain_points[0].confidence == "medium"
    assert run.usage.network_calls == 4


async def test_out_of_range_sentence_is_reasked_then_dropped_keeping_the_rest() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "PersonaSetDraft":
            return completion(_persona(["cfo.1", "cs.1"]), name=name)
        answer = _insights(body)
        if 'id="cfo"' in body["messages"][1]["content"]:  # cfo: [999] on every answer
            answer["insights"].append({"kind": "goals", "text": "Payback", "sentences": [999]})
        return completion(answer, name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, reasks=1)) as door:
            run = await synthesize_personas(door, example_icp(), NOTES, count=1)
    cfo = [
        b
        for b in stub.requests
        if tool_name(b) == "NoteInsights" and 'id="cfo"' in b["messages"][1]["content"]
    ]
    assert len(cfo) == 2  # the answer and one re-ask, then the good parts are kept
    reask = cfo[1]["messages"][-1]["content"]
    assert "sentences 999 are not citable here" in reask and "[1] to [2]" in reask
    # The invalid insight is dropped with a readable warning; the note's other insight stays.
    assert any(
        w.startswith("cfo (part 1): dropped insights[2]") and "999" in w for w in run.warnings
    ), run.warnings
    (persona,) = run.personas
    _said(persona)
    assert {e.note_id for e in persona.pain_points[0].evidence} == {"cfo", "cs"}
    assert run.usage.network_calls == 4


async def test_unsupported_items_are_dropped_after_the_last_reask() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "NoteInsights":
            return completion(_insights(body), name=name)
        return completion(_persona(["cfo.1", "cs.1"], ["cfo.9"], ["cs.7"]), name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, reasks=1)) as door:
            run = await synthesize_personas(door, example_icp(), NOTES, count=1)
    assert len(stub.requests) == 4  # two extractions, the synthesis and one re-ask
    (persona,) = run.personas
    assert [item.text for item in persona.pain_points] == ["Churn arrives without warning (1)"]
    _said(persona)
    assert any("dropped pain_points" in w and "cfo.9" in w for w in run.warnings), run.warnings
    # The claims citing unknown insights are kept on the persona as rejected, with why.
    assert [r.section for r in persona.rejected] == ["pain_points", "pain_points"]
    assert "cfo.9" in persona.rejected[0].reason or "cfo.9" in persona.rejected[1].reason


async def test_reask_messages_are_readable_sentences() -> None:
    """A re-ask names each problem as people count ('personas[1]...'), not a pydantic dump."""

    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "NoteInsights":
            return completion(_insights(body), name=name)
        return completion(_persona(["cfo.9"], ["cfo.1"]), name=name)

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, reasks=1)) as door:
            await synthesize_personas(door, example_icp(), NOTES, count=1)
    reask = stub.requests[-1]["messages"][-1]["content"]
    assert "personas[1].pain_points[1].evidence: unknown insight ids 'cfo.9'" in reask, reask
    assert "validation error" not in reask and "errors.pydantic.dev" not in reask, reask


async def test_429_is_retried_after_the_servers_delay() -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        if n == 0:
            return Reply(
                status=429, body={"error": {"message": "slow down"}}, headers={"retry-after": "0.2"}
            )
        return completion(_insights(body), name=tool_name(body))

    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url)) as door:
            generated = await door.generate(_call(door))
    assert generated.usage.rate_limited == 1
    assert generated.usage.network_calls == 1
    assert len(stub.requests) == 2


def _call(door: Door, *, part_count: int = 1, label: str | None = None) -> PreparedCall:
    """The extraction call of the cfo note (its sentences [1] and [2])."""
    citable = citable_note(NOTES[0])
    context = {SENTENCES: (1, 2)}
    return door.prepare(
        "extract_insights",
        NoteInsights,
        {
            "icp": example_icp(),
            "note": NOTES[0],
            "blocks": citable.blocks,
            "sentences": citable.sentences,
            "part": 1,
            "part_count": part_count,
        },
        schema=contract_schema(NoteInsights, context),
        context=context,
        label=label,
    )


async def test_record_then_replay_without_network_and_without_the_key(tmp_path: Path) -> None:
    sentinel = "sk-SENTINEL-do-not-write-0123456789"
    cassettes = tmp_path / "cassettes"

    def script(body: dict[str, Any], n: int) -> Reply:
        return completion(_insights(body), name=tool_name(body))

    with StubServer(script) as stub:
        settings = stub_settings(stub.base_url, api_key=sentinel, record_dir=cassettes)
        async with Door(settings) as door:
            recorded = await door.generate(_call(door, label="extract/cfo/1"))
    files = list(cassettes.glob("*.json"))
    assert len(files) == 1
    text = files[0].read_text()
    assert sentinel not in text and "authorization" not in text.lower()
    saved = json.loads(text)
    assert saved["task"] == "extract_insights" and saved["label"] == "extract/cfo/1#1"
    assert saved["request"]["body"]["model"] == "gpt-4.1-mini"

    # Recorded from an OpenAI-compatible server (full schema): replay sends the same request.
    replay = Door(resolve_settings({"replay_dir": cassettes, "strict_schema": False}))
    replayed = await replay.generate(_call(replay, label="extract/cfo/1"))
    assert replayed.value.model_dump() == recorded.value.model_dump()
    assert replayed.usage.network_calls == 0 and replayed.usage.replayed == 1
    assert replayed.request_key == recorded.request_key == _call(replay).key


async def test_replay_miss_names_task_and_key(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    door = Door(resolve_settings({"replay_dir": tmp_path / "empty"}))
    with pytest.raises(ReplayMissError) as caught:
        await door.generate(_call(door))
    assert "extract_insights" in str(caught.value)
    assert caught.value.key in str(caught.value) and len(caught.value.key) == 64


async def test_rekey_carries_answers_over_and_reports_stale(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    with StubServer(lambda body, n: completion(_insights(body), name=tool_name(body))) as stub:
        async with Door(stub_settings(stub.base_url, record_dir=cassettes)) as door:
            await door.generate(_call(door, label="extract/cfo/1"))
    plain = Door(resolve_settings({"replay_dir": cassettes, "strict_schema": False}))
    # A changed request (part_count) for the same logical call (label).
    with pytest.raises(ReplayMissError):
        await plain.generate(_call(plain, part_count=2, label="extract/cfo/1"))
    assert len(plain.transport.replay.stale()) == 1  # type: ignore[union-attr]

    (original,) = cassettes.glob("*.json")
    recorded = original.read_text()
    new = tmp_path / "rekeyed"
    settings = {"replay_dir": cassettes, "rekey": True, "strict_schema": False, "record_dir": new}
    rekey = Door(resolve_settings(settings))
    generated = await rekey.generate(_call(rekey, part_count=2, label="extract/cfo/1"))
    assert generated.value.role == "CFO"
    assert [p.read_text() for p in cassettes.glob("*.json")] == [recorded]  # left as it was
    (path,) = new.glob("*.json")
    saved = json.loads(path.read_text())
    assert saved["carried_over"] is True and saved["source"] == "recorded"
    assert saved["key"] == generated.request_key == _call(rekey, part_count=2).key
    assert rekey.transport.replay.stale() == []  # type: ignore[union-attr]


def test_a_request_never_asks_for_more_than_the_context_holds() -> None:
    small = resolve_settings(
        {"base_url": "http://fake.invalid/v1", "context_tokens": 8192, "max_output_tokens": 4096}
    )
    door = Door(small)
    short = door.prepare("extract_insights", NoteInsights, _extraction_variables("Hi there."))
    assert short.body["max_tokens"] == 4096
    long_text = "We lose a week every month-end close. " * 400
    long = door.prepare("extract_insights", NoteInsights, _extraction_variables(long_text))
    assert 256 <= long.body["max_tokens"] < 4096
    assert long.input_tokens + long.body["max_tokens"] <= 8192


def _extraction_variables(text: str) -> dict[str, Any]:
    sample = note("n1", f"Interviewer: Tell me.\n\nDana: {text}")
    citable = citable_note(sample)
    return {
        "icp": example_icp(),
        "note": sample,
        "blocks": citable.blocks,
        "sentences": citable.sentences,
        "part": 1,
        "part_count": 1,
    }
