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
from personagen.llm.door import Door
from personagen.models.note import Note
from personagen.pipeline.personas import synthesize_personas
from personagen.testing.stub_server import Reply, Script, StubServer, completion, tool_name
from tests.helpers import example_icp, note, stub_settings

# Helpers shared with test_redact, test_secrets and test_injection ------------------------

NOTE_BLOCK = re.compile(r'<interview_note id="([^"]+)"[^>]*>\n(.*?)\n</interview_note>', re.S)
INSIGHT_LINE = re.compile(r'^- \[(\w+)\] (.*) — quote: "(.*)"$', re.M)


def first_user_message(body: dict[str, Any]) -> str:
    """The rendered user prompt (re-asks append messages after it)."""
    return str(next(m["content"] for m in body["messages"] if m["role"] == "user"))


def insights_for(body: dict[str, Any], words: int = 6) -> dict[str, Any]:
    """A valid NoteInsights answer: the note's first words, quoted verbatim."""
    match = NOTE_BLOCK.search(first_user_message(body))
    assert match, "no <interview_note> block in the extraction prompt"
    quote = " ".join(match.group(2).split()[:words])
    return {
        "role": "Head of Finance",
        "insights": [{"kind": "pain_points", "text": "Says this first", "quote": quote}],
    }


def persona_set_for(body: dict[str, Any]) -> dict[str, Any]:
    """A valid PersonaSetDraft answer citing every quote listed in the synthesis prompt."""
    evidence = [
        {"note_id": note_id, "quote": quote}
        for note_id, block in NOTE_BLOCK.findall(first_user_message(body))
        for _, _, quote in INSIGHT_LINE.findall(block)
    ]
    assert evidence, "no quoted insight in the synthesis prompt"
    return {
        "personas": [
            {
                "name": "Finance Fiona",
                "title": "CFO",
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


async def test_hang_past_the_timeout_fails_after_bounded_retries() -> None:
    script = Recorder(fallback=lambda body, n: Reply(delay=2.0, body=ERROR_BODY))
    started = time.monotonic()
    with pytest.raises(GenerationError) as caught:
        await _run(script, timeout=0.5, transient_retries=2)
    assert caught.value.task == "extract_insights"
    assert "timeout" in str(caught.value) and "0.5s" in str(caught.value)
    assert len(script.arrivals) == 2  # one try and one retry, then the job fails
    assert time.monotonic() - started < 6


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
        await _run(script, reasks=1)
    error = caught.value
    assert error.task == "extract_insights"
    assert "still invalid" in error.reason and "kind" in error.reason and "hobbies" in error.reason
    assert str(error).startswith("task 'extract_insights' failed:")
    assert error.last_output is not None and error.last_output["insights"][0]["kind"] == "hobbies"
    assert all(tool_name(body) == "NoteInsights" for body in script_bodies(script))
    assert len(script.answers) <= 3  # bounded: never more than reasks + 2 calls


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
        await _run(script)
    assert "cut off at max_output_tokens" in str(caught.value)
    assert len(script.answers) == 1  # same request, same limit: asking again would not help


async def test_a_truncated_answer_is_a_generation_error_naming_the_task() -> None:
    script = Recorder(fallback=_truncated)
    with pytest.raises(GenerationError) as caught:
        await _run(script)
    assert caught.value.task == "extract_insights"
    assert "max_output_tokens" in str(caught.value) or "length" in str(caught.value)


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
