"""Where a request carries its schema: in `json` and `md_json` modes after the prompt, so the
prefix it shares with other requests (system prompt, brief, persona) comes first."""

from __future__ import annotations

import asyncio
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from personagen.inputs.campaign import load_campaign
from personagen.inputs.citable import citable_note
from personagen.llm.door import Door, PreparedCall
from personagen.llm.wire import request_parts
from personagen.pipeline.copy import CopyJob, prepare_copy
from personagen.pipeline.personas import note_budget_chars, note_parts, prepare_extraction
from personagen.run.engine import run_campaign
from personagen.run.request import campaign_request
from personagen.settings import Settings
from personagen.testing.schema_answers import answer_from_schema
from personagen.testing.stub_server import Reply, completion
from tests.campaign_stub import write_campaign
from tests.export.test_export_copy import make_persona
from tests.helpers import FAKE_URL, ScriptedModel, example_icp, stub_settings
from tests.llm.test_faults import NOTE, insights_for
from tests.pipeline.test_prompt_data import example_brief

KEY = "sk-test-0123456789abcdef"
TEXT_MODES = ("json", "md_json")
SCHEMA_MARK = "match the following json_schema:\n\n"


def _extraction(mode: str, model: ScriptedModel | None = None) -> tuple[Door, PreparedCall]:
    door = Door(stub_settings(FAKE_URL, mode=mode), upstream=model)
    citable = citable_note(NOTE)
    (part,) = note_parts(citable, note_budget_chars(door, example_icp(), NOTE))
    return door, prepare_extraction(door, example_icp(), NOTE, citable, part, 1)


def prompt_schema(body: dict[str, Any]) -> dict[str, Any]:
    """The schema a text-mode request states in its prompt (the last user message before
    any answer), as a model reading the prompt finds it."""
    messages = body["messages"]
    roles = [m["role"] for m in messages]
    end = roles.index("assistant") if "assistant" in roles else len(messages)
    text = str([m for m in messages[:end] if m["role"] == "user"][-1]["content"])
    schema, _ = json.JSONDecoder().raw_decode(text, text.index(SCHEMA_MARK) + len(SCHEMA_MARK))
    assert isinstance(schema, dict)
    return schema


@pytest.mark.parametrize("mode", TEXT_MODES)
def test_text_modes_put_the_schema_after_the_prompt(mode: str) -> None:
    _, tools = _extraction("tools")
    _, text = _extraction(mode)
    system, user = tools.body["messages"]
    assert [m["role"] for m in text.body["messages"]] == ["system", "user"]
    # The rendered prompt comes first, unchanged; the schema follows the user's content.
    assert text.body["messages"][0] == system
    sent = text.body["messages"][1]["content"]
    assert sent.startswith(user["content"] + "\n\n")
    assert SCHEMA_MARK in sent[len(user["content"]) :]
    assert prompt_schema(text.body) == tools.body["tools"][0]["function"]["parameters"]
    if mode == "md_json":
        assert sent.endswith("within a ```json codeblock. not the JSON_SCHEMA")
    else:
        assert text.body["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize("mode", TEXT_MODES)
def test_a_prompt_without_a_user_message_gets_the_schema_as_one(mode: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    system = {"role": "system", "content": "Answer."}
    body = request_parts(mode, "A", "An answer", schema, "full", [system])
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][0] == system
    assert prompt_schema(body) == schema


@pytest.mark.parametrize("mode", TEXT_MODES)
def test_copy_requests_of_two_personas_share_the_prompt_and_its_cache_key(mode: str) -> None:
    rita = make_persona()
    # Another persona with fewer items: its contract offers other item ids.
    omar = make_persona("ops-omar", "Omar Ops").model_copy(
        update={"pain_points": rita.pain_points[:1]}
    )
    door = Door(Settings(provider="openai", api_key=KEY, mode=mode))
    first, second = (
        prepare_copy(door, CopyJob(persona, "linkedin"), example_brief())
        for persona in (rita, omar)
    )
    assert first.body["messages"][0] == second.body["messages"][0]  # the system prompt
    assert first.body["prompt_cache_key"] == second.body["prompt_cache_key"]
    assert prompt_schema(first.body) != prompt_schema(second.body)  # each its own item ids
    # What the two share runs past the system prompt into the user message (the brief).
    texts = [json.dumps(call.body["messages"]) for call in (first, second)]
    assert len(os.path.commonprefix(texts)) > len(json.dumps(first.body["messages"][:1]))


@pytest.mark.parametrize("mode", TEXT_MODES)
def test_a_reask_follows_the_prompt_and_keeps_it_as_sent(mode: str) -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        answer = insights_for(body)
        if n == 0:
            answer["insights"][0]["sentences"] = [999]  # out of range: refused, re-asked
        text = json.dumps(answer)
        return completion(f"```json\n{text}\n```" if mode == "md_json" else text, mode=mode)

    model = ScriptedModel(script)
    door, call = _extraction(mode, model)

    async def generate() -> Any:
        async with door:
            return await door.generate(call)

    generated = asyncio.run(generate())
    assert generated.value.insights and len(model.requests) == 2
    first, reask = (request["messages"] for request in model.requests)
    assert first == call.body["messages"]
    assert reask[: len(first)] == first  # the prompt, schema last, stays the prefix
    added = reask[len(first) :]
    assert [m["role"] for m in added] == ["assistant", "user"]
    assert [m["role"] for m in reask] == ["system", "user", "assistant", "user"]
    assert "999" in added[1]["content"]


def _schema_only_in_the_prompt(seed: int, break_first: bool = False) -> Any:
    """A model that obeys only the schema it reads in the prompt (json mode's constrained
    decoder: a random instance of it, answered as message content)."""

    def script(body: dict[str, Any], n: int) -> Reply:
        answer = answer_from_schema(prompt_schema(body), random.Random(seed * 1_000_003 + n))
        first = not any(m["role"] == "assistant" for m in body["messages"])
        if break_first and first and answer.get("insights"):
            answer["insights"][0]["sentences"] = [999]
        return completion(answer, mode="json")

    return script


@pytest.mark.parametrize("break_first", [False, True])
def test_a_schema_only_model_in_json_mode_validates(tmp_path: Path, break_first: bool) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL, channels=["linkedin", "x"])
    settings = stub_settings(FAKE_URL, mode="json")
    request = campaign_request(load_campaign(campaign), settings, tmp_path / "out")
    model = ScriptedModel(_schema_only_in_the_prompt(3, break_first))
    report = asyncio.run(run_campaign(request, model=model))
    summary = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary["failed"] == 0, summary["failed_jobs"]
    assert {o.state for o in report.outcomes} == {"done"}
    assert len(report.outcomes) == 3  # the persona stage and two copy jobs
    assert all("response_format" in body for body in model.requests)
    reasked = [b for b in model.requests if any(m["role"] == "assistant" for m in b["messages"])]
    assert bool(reasked) == break_first
