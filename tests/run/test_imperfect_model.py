"""A whole campaign against a model that obeys only the request's JSON schema.

`schema_only_script` plays a constrained decoder: random answers that satisfy the schema
and nothing said only in prose. The response contract carries every id, count, range and
limit, so such a model should pass the validators on the first attempt almost always; the
tests count what the model received to prove it. The model runs in process
(`ScriptedModel`): these tests are about validation, salvage and grounding, not HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from personagen.inputs.campaign import load_campaign
from personagen.inputs.citable import citable_note
from personagen.models.copy import draft_model_for
from personagen.models.persona import SECTIONS
from personagen.run.engine import run_campaign
from personagen.run.outcomes import RunReport
from personagen.run.request import CampaignRequest, campaign_request
from personagen.testing.stub_server import (
    Reply,
    Script,
    completion,
    schema_only_script,
    tool_name,
)
from tests.campaign_stub import NOTE, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, note, stub_settings
from tests.llm.test_faults import NOTE_BLOCK, SENTENCE_LINE, first_user_message

CHANNELS = ["email", "google_rsa", "linkedin", "meta", "x", "objections"]
COPY_TOOLS = {draft_model_for(channel).__name__: channel for channel in CHANNELS}
PERSONA_TOOLS = ("NoteInsights", "PersonaSetDraft")


def _campaign(folder: Path, **extra: Any) -> Path:
    return write_campaign(folder, FAKE_URL, channels=CHANNELS, **extra)


def _request(campaign: Path, out: Path) -> CampaignRequest:
    """The request `personagen run` would build, with settings for the in-process model."""
    return campaign_request(load_campaign(campaign), stub_settings(FAKE_URL), out)


def _run(campaign: Path, out: Path, model: ScriptedModel) -> tuple[RunReport, dict[str, Any]]:
    report = asyncio.run(run_campaign(_request(campaign, out), model=model))
    return report, json.loads((out / "run.json").read_text())


def _tools(model: ScriptedModel) -> Counter[str]:
    return Counter(tool_name(body) for body in model.requests)


def _interviewee_text(note_id: str, text: str) -> str:
    """Everything the note's interviewee said, block by block, as the tool reads it."""
    citable = citable_note(note(note_id, text))
    return "\n".join(b.text for b in citable.blocks if b.sentences)


def _personas(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((out / "personas").glob("*.json"))]


def test_a_schema_only_model_is_valid_on_the_first_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = _interviewee_text("dana", NOTE)
    copy_jobs = first_time = 0
    not_verbatim: list[tuple[int, list[int], str]] = []
    for seed in range(20):
        monkeypatch.setenv("PERSONAGEN_HOME", str(tmp_path / f"home{seed}"))  # nothing reused
        model = ScriptedModel(schema_only_script(seed))
        campaign = _campaign(tmp_path / f"c{seed}")
        report, summary = _run(campaign, tmp_path / f"out{seed}", model)
        tools = _tools(model)
        states = {o.job_id: o.state for o in report.outcomes}
        # Every persona stage: one extraction, one synthesis, no re-ask, done.
        assert states["personas/mid-market-saas"] == "done", (seed, summary)
        assert [tools[t] for t in PERSONA_TOOLS] == [1, 1], (seed, tools)
        personas = _personas(tmp_path / f"out{seed}")
        assert len(personas) == 1, seed
        for persona in personas:
            for section in SECTIONS:
                for item in persona[section]:
                    for evidence in item["evidence"]:
                        assert evidence["note_id"] == "dana"
                        if evidence["quote"] not in said:
                            not_verbatim.append((seed, evidence["sentences"], evidence["quote"]))
        for tool, channel in COPY_TOOLS.items():
            job = f"copy/{personas[0]['id']}/{channel}"
            if states[job] == "skipped":  # a persona without objections: nothing to answer
                assert channel == "objections" and not personas[0]["objections"]
                assert "no grounded objections" in summary["skipped_reasons"][job]
                assert tools[tool] == 0
                continue
            copy_jobs += 1
            first_time += states[job] == "done" and tools[tool] == 1
        assert summary["failed"] == 0, (seed, summary["failed_jobs"])
    assert copy_jobs >= 100
    assert first_time >= 0.95 * copy_jobs, (first_time, copy_jobs)
    # Every quote is the interviewee's words as they said them (e.g. sentences [3, 2] must
    # not come out as "S3 S2").
    assert not not_verbatim, not_verbatim[:5]


def _break_a_rule(answer: dict[str, Any]) -> dict[str, Any]:
    """Break one rule the validators check, in the first answer of every call."""
    if "insights" in answer and answer["insights"]:
        answer["insights"][0]["sentences"] = [999]  # out of range
    elif "personas" in answer:
        answer["personas"][0]["pain_points"][0]["evidence"] = ["nobody.1"]  # unknown id
    elif "variants" in answer and "headlines" in answer["variants"][0]:
        answer["variants"][0]["headlines"][0] = "A headline that is far too long for Google"
    elif "variants" in answer or "steps" in answer:
        entries = answer.get("variants") or answer["steps"]
        entries[0]["addresses"] = ["pain-999"]  # not an item of the persona
    elif "objections" in answer:
        answer["objections"] = answer["objections"] * 2  # not one entry per objection
    return answer


def test_run_tokens_equal_the_servers_count_when_answers_are_reasked(tmp_path: Path) -> None:
    model = ScriptedModel(schema_only_script(7, invalid_first=_break_a_rule))
    campaign = _campaign(tmp_path / "c")
    report, summary = _run(campaign, tmp_path / "out", model)
    tools = _tools(model)
    assert all(tools[t] >= 2 for t in PERSONA_TOOLS), tools  # every call was re-asked
    assert summary["model_calls"] == len(model.requests)
    assert summary["input_tokens"] == model.prompt_tokens_total > 0
    assert summary["output_tokens"] == model.completion_tokens_total > 0
    assert summary["done"] >= 6, summary


def _sentence_999_for(note_id: str, fallback: Script) -> Script:
    """The fallback, except that `note_id`'s extraction always cites sentence 999."""

    def script(body: dict[str, Any], n: int) -> Reply:
        reply = fallback(body, n)
        if tool_name(body) == "NoteInsights" and f'id="{note_id}"' in first_user_message(body):
            (call,) = reply.body["choices"][0]["message"]["tool_calls"]
            arguments = json.loads(call["function"]["arguments"])
            for insight in arguments["insights"]:
                insight["sentences"] = [999]
            return completion(arguments, name="NoteInsights")
        return reply

    return script


def test_one_unusable_note_does_not_sink_the_persona_stage(tmp_path: Path) -> None:
    script = _sentence_999_for("sam", schema_only_script(3))
    model = ScriptedModel(script)
    campaign = _campaign(tmp_path / "c")
    (tmp_path / "c" / "notes" / "sam.txt").write_text(
        "Interviewer: How do you buy?\n\nSam: We buy through procurement. It takes months."
    )
    report, summary = _run(campaign, tmp_path / "out", model)
    states = {o.job_id: o.state for o in report.outcomes}
    assert states["personas/mid-market-saas"] == "done", summary
    assert any(w.startswith("sam") and "999" in w for w in report.warnings), report.warnings
    sam = [
        b
        for b in model.requests
        if tool_name(b) == "NoteInsights" and 'id="sam"' in first_user_message(b)
    ]
    assert len(sam) == 3  # the answer and two re-asks, then the note is dropped
    (persona,) = _personas(tmp_path / "out")
    notes = {e["note_id"] for items in _sections(persona) for i in items for e in i["evidence"]}
    assert notes == {"dana"}


def _sections(persona: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [persona[section] for section in SECTIONS]


def test_a_rerun_after_a_failure_sends_only_the_failed_jobs(tmp_path: Path) -> None:
    healthy = schema_only_script(5)
    broken = {"on": True}

    def script(body: dict[str, Any], n: int) -> Reply:
        if broken["on"] and tool_name(body) == "LinkedInAdDraft":
            return completion('{"variants": [', name="LinkedInAdDraft")  # never valid JSON
        return healthy(body, n)

    model = ScriptedModel(script)
    campaign = _campaign(tmp_path / "c")
    report, summary = _run(campaign, tmp_path / "out", model)
    (persona,) = _personas(tmp_path / "out")
    job = f"copy/{persona['id']}/linkedin"
    assert [j["job_id"] for j in summary["failed_jobs"]] == [job]
    failed = summary["failed_jobs"][0]
    assert failed["problems"] and failed["output_tokens"] > 0  # billed, with its reasons
    first = _tools(model)
    assert first["LinkedInAdDraft"] == 3  # the answer and two re-asks
    broken["on"] = False
    report, summary = _run(campaign, tmp_path / "out2", model)
    again = _tools(model) - first
    assert again == Counter({"LinkedInAdDraft": 1}), again
    assert summary["failed"] == 0 and summary["done"] == 1
    assert summary["reused"] == len(report.outcomes) - 1


TEMPLATED = (
    "Interviewer: How do you write e-mails?\n\n"
    "Dana: Every e-mail starts with Hi {{ first_name }} and our tool breaks on {% raw %} tags. "
    "Churn is always a surprise for us. Security reviews slow every purchase down."
)


def test_template_syntax_in_a_note_is_sent_as_is(tmp_path: Path) -> None:
    model = ScriptedModel(schema_only_script(11))
    campaign = _campaign(tmp_path / "c")
    (tmp_path / "c" / "notes" / "dana.txt").write_text(TEMPLATED)
    report, summary = _run(campaign, tmp_path / "out", model)
    assert summary["failed"] == 0, summary["failed_jobs"]
    (extraction,) = [b for b in model.requests if tool_name(b) == "NoteInsights"]
    prompt = first_user_message(extraction)
    said = "Every e-mail starts with Hi {{ first_name }} and our tool breaks on {% raw %} tags."
    assert f"] {said}\n" in prompt
    raw = b"".join(body for method, path, body, _ in model.raw_requests if method == "POST")
    assert json.dumps(said).encode()[1:-1] in raw  # byte for byte on the wire
    emails = [b for b in model.requests if tool_name(b) == "EmailSequenceDraft"]
    assert emails and all("{{first_name}}" in json.dumps(b["messages"]) for b in emails)


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>What slows your purchases down? Tell me about your last review.

00:00:04.500 --> 00:00:09.000
<v Dana Lee>Security reviews slow every purchase down. We lose a month each time.

00:00:09.500 --> 00:00:12.000
<v Interviewer>Who runs those reviews? Is it the CISO?

00:00:12.500 --> 00:00:16.000
<v Dana Lee>Our IT team runs them. Churn is always a surprise for us.
"""
INTERVIEWER = [
    "What slows your purchases down?",
    "Tell me about your last review.",
    "Who runs those reviews?",
    "Is it the CISO?",
]


def test_interviewer_turns_in_a_transcript_are_never_numbered(tmp_path: Path) -> None:
    model = ScriptedModel(schema_only_script(13))
    campaign = _campaign(tmp_path / "c")
    (tmp_path / "c" / "notes" / "dana.txt").unlink()
    (tmp_path / "c" / "notes" / "dana.vtt").write_text(VTT)
    report, summary = _run(campaign, tmp_path / "out", model)
    assert summary["failed"] == 0, summary["failed_jobs"]
    (extraction,) = [b for b in model.requests if tool_name(b) == "NoteInsights"]
    match = NOTE_BLOCK.search(first_user_message(extraction))
    assert match
    numbered = [text for _, text in SENTENCE_LINE.findall(match.group(2))]
    assert numbered == [
        "Security reviews slow every purchase down.",
        "We lose a month each time.",
        "Our IT team runs them.",
        "Churn is always a surprise for us.",
    ]
    for question in INTERVIEWER:
        assert not any(question in text for text in numbered)
        assert question in match.group(2)  # shown as context
    assert re.search(r"^Interviewer \(interviewer, not citable\): ", match.group(2), re.M)
