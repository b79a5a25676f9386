"""Faults on the persona path (door + synthesize_personas) against the loopback stub.

Every test counts the requests the stub received, so a retry or re-ask that would pay twice
for the same answer shows up as a wrong count.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from typing import Any

import pytest

from personagen.errors import GenerationError
from personagen.inputs.citable import citable_note
from personagen.llm.door import Door
from personagen.models.note import Note
from personagen.pipeline.personas import (
    note_budget_chars,
    note_parts,
    prepare_extraction,
    synthesize_personas,
)
from personagen.testing.stub_server import Reply, Script, StubServer, completion, tool_name
from tests.helpers import example_icp, note, stub_settings

# Helpers shared with test_redact, test_secrets and test_injection ------------------------

NOTE_BLOCK = re.compile(r'<interview_note id="([^"]+)"[^>]*>\n(.*?)\n</interview_note>', re.S)
# An interviewee sentence in the extraction prompt: "[12] We lose deals to spreadsheets."
SENTENCE_LINE = re.compile(r"^\[(\d+)\] (.*)$", re.M)
# An insight in the synthesis prompt: - `dana.1` [pain_points] Churn — they said: "..."
INSIGHT_LINE = re.compile(r'^- `([^`]+)` \[(\w+)\] (.*) — they said: "(.*)"$', re.M)
PERSONA_COUNT = re.compile(r"Write exactly (\d+) distinct buyer persona")


def first_user_message(body: dict[str, Any]) -> str:
    """The rendered user prompt (re-asks append messages after it)."""
    return str(next(m["content"] for m in body["messages"] if m["role"] == "user"))


def numbered_sentences(body: dict[str, Any]) -> dict[int, str]:
    """The interviewee's numbered sentences shown in an extraction prompt, by number."""
    match = NOTE_BLOCK.search(first_user_message(body))
    assert match, "no <interview_note> block in the extraction prompt"
    return {int(n): text for n, text in SENTENCE_LINE.findall(match.group(2))}


def insight_ids(body: dict[str, Any]) -> dict[str, str]:
    """The insight ids listed in a synthesis prompt, with the quote attached to each."""
    return {
        insight_id: quote
        for _, block in NOTE_BLOCK.findall(first_user_message(body))
        for insight_id, _, _, quote in INSIGHT_LINE.findall(block)
    }


def insights_for(body: dict[str, Any], count: int = 1) -> dict[str, Any]:
    """A valid NoteInsights answer: one insight citing the first `count` (1-3) numbered
    sentences."""
    numbers = sorted(numbered_sentences(body))
    assert numbers, "no numbered sentence in the extraction prompt"
    return {
        "role": "Head of Finance",
        "insights": [
            {"kind": "pain_points", "text": "Says this first", "sentences": numbers[:count]}
        ],
    }


def persona_set_for(body: dict[str, Any]) -> dict[str, Any]:
    """A valid PersonaSetDraft answer: as many personas as asked, each citing every insight
    id listed in the synthesis prompt."""
    evidence = list(insight_ids(body))
    assert evidence, "no insight id in the synthesis prompt"
    count = PERSONA_COUNT.search(first_user_message(body))
    assert count, "no persona count in the synthesis prompt"
    return {
        "personas": [
            {
                "name": "Finance Fiona" if n == 1 else f"Finance Fiona {n}",
                "title": "CFO" if n == 1 else f"CFO {n}",
                "seniority": "c_level",
                "department": "Finance",
                "buying_role": "economic_buyer",
                "summary": "Owns the budget. Wants payback.",
                "responsibilities": [],
                "goals": [],
                "pain_points": [{"text": "What they said first", "evidence": evidence}],
                "channels": [],
                "objections": [],
                "motivations": [],
            }
            for n in range(1, int(count.group(1)) + 1)
        ]
    }


def valid_reply(body: dict[str, Any], n: int = 0) -> Reply:
    """A grounded answer to whichever persona task the request is for."""
    name = tool_name(body)
    if name == "NoteInsights":
        return completion(insights_for(body), name=name)
    if name == "PersonaSetDraft":
        return completion(persona_set_for(body), name=name)
    raise AssertionError(f"unexpected task {name}")


# -----------------------------------------------------------------------------------------

NOTE = note("n1", "Churn is always a surprise for us, and payback must be under a year.")
ERROR_BODY = {"error": {"message": "temporary trouble", "type": "server_error"}}


class Recorder:
    """A stub script: a fault plan for the first requests, then valid answers; logs arrivals."""

    def __init__(self, faults: list[Reply] | None = None, fallback: Script = valid_reply) -> None:
        self.faults = list(faults or [])
        self.fallback = fallback
        self.arrivals: list[float] = []
        self.answers: list[tuple[str, int]] = []  # (canonical request body, status)

    def __call__(self, body: dict[str, Any], n: int) -> Reply:
        self.arrivals.append(time.monotonic())
        reply = self.faults.pop(0) if self.faults else self.fallback(body, n)
        status = -1 if reply.reset_connection else reply.status
        self.answers.append((json.dumps(body, sort_keys=True), status))
        return reply

    def paid_twice(self) -> list[str]:
        """Request bodies that got a successful answer more than once."""
        ok = Counter(body for body, status in self.answers if status == 200)
        return [body for body, count in ok.items() if count > 1]


async def _run(script: Recorder, notes: list[Note] | None = None, **settings: Any) -> Any:
    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, **settings)) as door:
            run = await synthesize_personas(door, example_icp(), notes or [NOTE], count=1)
    return run, stub


async def test_429_waits_for_retry_after_then_succeeds() -> None:
    script = Recorder(
        [Reply(status=429, body={"error": {"message": "slow"}}, headers={"retry-after": "0.2"})]
    )
    run, stub = await _run(script)
    assert len(stub.requests) == 3  # 429, extraction, synthesis
    assert script.arrivals[1] - script.arrivals[0] >= 0.2
    assert run.usage.rate_limited == 1 and run.usage.network_calls == 2
    assert run.personas and not script.paid_twice()


@pytest.mark.parametrize("status", [500, 503])
async def test_server_error_then_success_is_retried_once(status: int) -> None:
    script = Recorder([Reply(status=status, body=ERROR_BODY)])
    run, stub = await _run(script, transient_retries=3)
    assert [s for _, s in script.answers] == [status, 200, 200]
    assert run.usage.retries == 1 and run.usage.network_calls == 2
    assert run.personas and not script.paid_twice()


async def test_connection_reset_then_success_is_retried() -> None:
    script = Recorder([Reply(reset_connection=True)])
    run, stub = await _run(script, transient_retries=3)
    assert len(stub.requests) == 3
    assert run.usage.retries == 1 and run.usage.network_calls == 2
    assert run.personas and not script.paid_twice()


async def _extract(script: Recorder, **settings: Any) -> Any:
    """Generate the extraction call of NOTE through the door alone (no stage around it)."""
    citable = citable_note(NOTE)
    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url, **settings)) as door:
            (part,) = note_parts(citable, note_budget_chars(door, example_icp(), NOTE))
            call = prepare_extraction(door, example_icp(), NOTE, citable, part, 1)
            return await door.generate(call)


async def _stage_error(script: Recorder, **settings: Any) -> GenerationError:
    """The error of a persona stage whose only note never gets a usable answer."""
    with pytest.raises(GenerationError) as caught:
        await _run(script, **settings)
    return caught.value


async def test_hang_past_the_timeout_fails_after_bounded_retries() -> None:
    script = Recorder(fallback=lambda body, n: Reply(delay=2.0, body=ERROR_BODY))
    with pytest.raises(GenerationError) as caught:
        await _extract(script, timeout=0.5, transient_retries=2)
    assert caught.value.task == "extract_insights"
    # The timeout ended it: waited out, the hang would have answered 200 with an error body.
    assert "timeout" in str(caught.value) and "0.5s" in str(caught.value)
    assert caught.value.usage is not None and caught.value.usage.retries == 1  # 2 tries
    assert len(script.arrivals) <= 2  # a try starved before reaching the stub still counts
    # The persona stage with no other note fails too, with the same bounded retries.
    script = Recorder(fallback=lambda body, n: Reply(delay=2.0, body=ERROR_BODY))
    error = await _stage_error(script, timeout=0.5, transient_retries=2)
    assert error.task == "extract_insights"
    assert error.usage is not None and error.usage.retries == 1
    assert len(script.arrivals) <= 2


async def test_invalid_json_arguments_are_reasked_once() -> None:
    script = Recorder([completion('{"role": "CFO", "insights": [', name="NoteInsights")])
    run, stub = await _run(script)
    tasks = [tool_name(body) for body in stub.requests]
    assert tasks == ["NoteInsights", "NoteInsights", "PersonaSetDraft"]
    assert len(stub.requests[1]["messages"]) > len(stub.requests[0]["messages"])  # a re-ask
    assert run.usage.network_calls == 3  # the invalid answer was paid for, once
    assert run.personas and not script.paid_twice()


def _bad_kind(body: dict[str, Any], n: int) -> Reply:
    answer = insights_for(body)
    answer["insights"][0]["kind"] = "hobbies"
    return completion(answer, name=tool_name(body))


async def test_a_field_invalid_on_every_answer_names_the_task_and_reason() -> None:
    script = Recorder(fallback=_bad_kind)
    with pytest.raises(GenerationError) as caught:
        await _extract(script, reasks=1)
    error = caught.value
    assert error.task == "extract_insights"
    # One readable sentence per problem, naming the field as people count; no pydantic dump.
    assert "still invalid" in error.reason and "insights[1].kind: " in error.reason
    assert "'pain_points'" in error.reason  # what the field accepts
    assert str(error).startswith("task 'extract_insights' failed:")
    assert error.problems == [error.reason.split(": ", 1)[1]]
    assert not any("validation error" in p or "pydantic" in p for p in error.problems)
    assert error.last_output is not None and error.last_output["insights"][0]["kind"] == "hobbies"
    assert error.usage is not None and error.usage.network_calls == 2  # failed work is billed
    assert all(tool_name(body) == "NoteInsights" for body in script_bodies(script))
    assert len(script.answers) <= 3  # bounded: never more than reasks + 2 calls
    # In the persona stage the note yields nothing usable: the stage fails, still bounded.
    script = Recorder(fallback=_bad_kind)
    assert (await _stage_error(script, reasks=1)).task == "extract_insights"
    assert len(script.answers) == 2


def script_bodies(script: Recorder) -> list[dict[str, Any]]:
    return [json.loads(body) for body, _ in script.answers]


async def test_reasks_setting_bounds_the_paid_calls_exactly() -> None:
    script = Recorder(fallback=_bad_kind)
    with pytest.raises(GenerationError):
        await _run(script, reasks=1)
    assert len(script.answers) == 2  # the first answer and one re-ask


def _truncated(body: dict[str, Any], n: int) -> Reply:
    return completion(insights_for(body), name=tool_name(body), finish_reason="length")


async def test_a_truncated_answer_is_never_accepted_nor_repeated() -> None:
    script = Recorder(fallback=_truncated)
    with pytest.raises(GenerationError) as caught:
        await _extract(script)
    assert "cut off at max_output_tokens" in str(caught.value)
    assert len(script.answers) == 1  # same request, same limit: asking again would not help
    script = Recorder(fallback=_truncated)
    await _stage_error(script)
    assert len(script.answers) == 1  # nor does the stage accept or repeat it


async def test_a_truncated_answer_is_a_generation_error_naming_the_task() -> None:
    script = Recorder(fallback=_truncated)
    with pytest.raises(GenerationError) as caught:
        await _extract(script)
    assert caught.value.task == "extract_insights"
    assert "max_output_tokens" in str(caught.value) or "length" in str(caught.value)
    assert (await _stage_error(Recorder(fallback=_truncated))).task == "extract_insights"


async def test_a_stage_with_no_usable_note_says_why() -> None:
    """When every note fails, the stage's error still carries each note's cause."""
    error = await _stage_error(Recorder(fallback=_truncated))
    said = "\n".join([error.reason, *error.problems])
    assert "n1" in said and "max_output_tokens" in said, said


class DictCache:
    """An in-memory ResponseCache."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def get_response(self, key: str) -> bytes | None:
        return self.bodies.get(key)

    def put_response(self, key: str, task: str, body: bytes) -> None:
        self.bodies[key] = body


async def test_successful_exchanges_are_never_resent_and_a_rerun_is_free() -> None:
    notes = [
        note("a1", "Our renewal forecast is basically a guess every quarter."),
        note("b2", "Finance wants payback in under twelve months, always."),
    ]
    failed_once: set[str] = set()

    def flaky(body: dict[str, Any], n: int) -> Reply:
        # The extraction of note b2 fails once with a 502; everything else answers.
        if 'id="b2"' in first_user_message(body) and tool_name(body) == "NoteInsights":
            if "b2" not in failed_once:
                failed_once.add("b2")
                return Reply(status=502, body=ERROR_BODY)
        return valid_reply(body, n)

    script = Recorder(fallback=flaky)
    cache = DictCache()
    with StubServer(script) as stub:
        async with Door(stub_settings(stub.base_url), cache=cache) as door:
            first = await synthesize_personas(door, example_icp(), notes, count=1)
        sent = len(stub.requests)
        async with Door(stub_settings(stub.base_url), cache=cache) as door:
            again = await synthesize_personas(door, example_icp(), notes, count=1)
    assert sent == 4  # two extractions, one retried 502, one synthesis
    assert len(stub.requests) == sent  # the re-run was answered from the cache
    assert not script.paid_twice()
    assert first.usage.network_calls == 3 and first.usage.retries == 1
    assert again.usage.network_calls == 0 and again.usage.cache_hits == 3
    assert [p.model_dump(exclude={"provenance"}) for p in again.personas] == [
        p.model_dump(exclude={"provenance"}) for p in first.personas
    ]
