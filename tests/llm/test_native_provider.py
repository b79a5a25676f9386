"""Provider `anthropic`: persona jobs through the door against an in-process Messages API."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import GenerationError, SettingsError
from personagen.inputs.settings import resolve_settings
from personagen.llm.door import Door
from personagen.llm.providers.anthropic import openai_rate_headers
from personagen.pipeline.personas import synthesize_personas
from personagen.settings import PROVIDER_SPECS, Settings
from personagen.testing.stub_server import StubServer
from tests.helpers import EXAMPLE, example_icp
from tests.llm.fake_anthropic import (
    KEY,
    FakeAnthropic,
    NativeReply,
    error,
    message,
    tool_of,
    with_text_turns,
)
from tests.llm.test_faults import NOTE, insights_for, numbered_sentences, persona_set_for

PRICE = {"input": 3.0, "output": 15.0, "cached_input": 0.3}  # USD per million tokens


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    return KEY


def settings(**extra: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "anthropic",
        "model": "claude-test",
        "prices": {"claude-test": PRICE},
    }
    return resolve_settings({**values, **extra})


def answers(body: dict[str, Any], n: int) -> NativeReply:
    """A grounded answer to whichever persona task the native request forces."""
    name = tool_of(body)
    if name == "NoteInsights":
        return message(insights_for(body), name=name, usage=(1000, 200), cache_read=600)
    if name == "PersonaSetDraft":
        return message(persona_set_for(body), name=name, usage=(2000, 400))
    raise AssertionError(f"unexpected tool {name}")


async def _personas(fake: FakeAnthropic, **extra: Any) -> Any:
    async with Door(settings(**extra), upstream=fake) as door:
        return await synthesize_personas(door, example_icp(), [NOTE], count=1)


async def test_a_persona_run_speaks_the_messages_api(key: str) -> None:
    fake = FakeAnthropic(answers)
    run = await _personas(fake)
    assert [p.name for p in run.personas] == ["Finance Fiona"]
    first = fake.sent[0]
    assert str(first.url) == "https://api.anthropic.com/v1/messages"
    assert first.headers["x-api-key"] == key
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert first.headers["content-type"] == "application/json"
    assert "authorization" not in first.headers
    body = fake.requests[0]
    assert "interview" in body["system"] and body["messages"][0]["role"] == "user"
    assert body["tool_choice"] == {"type": "tool", "name": "NoteInsights"}
    (tool,) = body["tools"]
    assert tool["name"] == "NoteInsights" and tool["description"]
    assert tool["input_schema"]["type"] == "object"
    assert isinstance(body["max_tokens"], int) and body["temperature"] == 0.2
    # Usage in OpenAI's terms: input counts cache reads; cached input billed at its price.
    assert run.usage.network_calls == 2
    assert run.usage.input_tokens == 1600 + 2000 and run.usage.output_tokens == 600
    assert run.usage.cached_tokens == 600
    billed = (1000 * 3.0 + 600 * 0.3 + 2000 * 3.0 + 600 * 15.0) / 1_000_000
    assert run.usage.cost_usd == pytest.approx(billed)


async def test_an_invalid_answer_is_reasked_as_a_tool_result(key: str) -> None:
    def script(body: dict[str, Any], n: int) -> NativeReply:
        if n == 0:  # cites a sentence the note does not have
            wrong = insights_for(body)
            wrong["insights"][0]["sentences"] = [max(numbered_sentences(body)) + 50]
            return message(wrong, name=tool_of(body), call_id="toolu_bad")
        return answers(body, n)

    fake = FakeAnthropic(script)
    run = await _personas(fake)
    assert run.personas and run.usage.network_calls == 3
    reask = fake.requests[1]["messages"]
    assert [turn["role"] for turn in reask] == ["user", "assistant", "user"]
    (use,) = reask[1]["content"]
    assert use["type"] == "tool_use" and use["id"] == "toolu_bad"
    assert use["input"]["insights"][0]["sentences"] != [1]
    (result,) = reask[2]["content"]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_bad"
    assert "sentence" in json.dumps(result["content"]).lower()


@pytest.mark.parametrize(
    "busy",
    [
        error(429, "rate_limit_error", "slow down", {"retry-after": "0"}),
        error(529, "overloaded_error", "Overloaded"),
        NativeReply(status=503, body=b"<html>upstream connect error</html>"),
    ],
    ids=["429", "529", "503-not-json"],
)
async def test_busy_answers_are_retried(key: str, busy: NativeReply) -> None:
    fake = FakeAnthropic(lambda body, n: busy if n == 0 else answers(body, n))
    run = await _personas(fake, transient_retries=3)
    assert run.personas and len(fake.requests) == 3
    assert run.usage.retries == 1 and run.usage.network_calls == 2
    assert run.usage.rate_limited == (1 if busy.status == 429 else 0)


async def test_a_wrong_key_is_one_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong-key-0123456789")
    with pytest.raises(SettingsError) as caught:
        await _personas(FakeAnthropic(answers))
    shown = str(caught.value)
    assert shown == (
        "the server at https://api.anthropic.com rejected the API key (401); "
        "check ANTHROPIC_API_KEY"
    )


async def test_a_key_without_access_is_one_readable_error(key: str) -> None:
    denied = error(403, "permission_error", "This key may not use this model.")
    with pytest.raises(SettingsError) as caught:
        await _personas(FakeAnthropic(lambda body, n: denied))
    assert str(caught.value) == (
        "the server at https://api.anthropic.com refused the request (403: This key may not "
        "use this model.); check that ANTHROPIC_API_KEY may use model 'claude-test'"
    )


async def test_a_refused_request_names_the_servers_reason(key: str) -> None:
    refused = error(400, "invalid_request_error", "max_tokens: 9999999 > 64000, the maximum")
    with pytest.raises(GenerationError) as caught:
        await _personas(FakeAnthropic(lambda body, n: refused))
    assert "400" in str(caught.value) and "max_tokens: 9999999 > 64000" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "content",
    ["not blocks", [{"type": "tool_use", "id": "t", "name": "NoteInsights", "input": [1]}]],
    ids=["no-blocks", "input-not-an-object"],
)
async def test_a_malformed_answer_is_retried_then_reported(key: str, content: Any) -> None:
    broken = NativeReply(body={"type": "message", "content": content})
    fake = FakeAnthropic(lambda body, n: broken)
    with pytest.raises(GenerationError) as caught:
        await _personas(fake, transient_retries=2)
    assert "malformed anthropic answer" in str(caught.value) and len(fake.requests) == 2


async def test_record_then_replay_without_the_network(key: str, tmp_path: Path) -> None:
    record = tmp_path / "cassettes"
    live = await _personas(FakeAnthropic(answers), record_dir=record)
    recorded = [json.loads(p.read_text()) for p in sorted(record.glob("*.json"))]
    assert len(recorded) == 2
    # Cassettes hold the provider-neutral form: a chat completion answering the request.
    for cassette in recorded:
        assert cassette["request"]["endpoint"] == "/chat/completions"
        assert cassette["response"]["choices"][0]["message"]["tool_calls"]
    silent = FakeAnthropic(lambda body, n: pytest.fail("replay reached the network"))
    replayed = await _personas(silent, replay_dir=record)
    shown = [p.model_dump(exclude={"provenance"}) for p in replayed.personas]
    assert shown == [p.model_dump(exclude={"provenance"}) for p in live.personas]
    assert replayed.usage.replayed == 2 and replayed.usage.network_calls == 0


async def test_rate_limit_headers_reach_the_limiter(key: str) -> None:
    def script(body: dict[str, Any], n: int) -> NativeReply:
        reply = answers(body, n)
        reply.headers = {"anthropic-ratelimit-requests-limit": "50"}
        return reply

    async with Door(settings(), upstream=FakeAnthropic(script)) as door:
        await synthesize_personas(door, example_icp(), [NOTE], count=1)
        assert door.transport.limiter.requests_per_minute == 50


def test_the_cli_runs_personas_against_a_messages_api_server(key: str, tmp_path: Path) -> None:
    fake = FakeAnthropic(answers)
    route = {
        ("POST", "/v1/messages"): lambda raw, path: fake.reply(
            "POST", path, {"x-api-key": KEY, "anthropic-version": "2023-06-01"}, raw
        ).as_stub_reply()
    }
    out = tmp_path / "out"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cfo.md").write_text(f"---\nrole: CFO\n---\n{NOTE.text}\n")
    with StubServer(lambda body, n: pytest.fail("an OpenAI request"), extra_routes=route) as stub:
        base = stub.base_url.removesuffix("/v1")
        result = CliRunner().invoke(
            app,
            [
                *("personas", "--icp", str(EXAMPLE / "icp.yaml"), "--notes", str(notes)),
                *("-o", str(out), "--count", "1", "--provider", "anthropic"),
                *("--base-url", base, "--model", "claude-test"),
            ],
        )
    assert result.exit_code == 0, result.output
    assert list((out / "personas").glob("*.json"))
    paths = {path for _, path, _, _ in stub.raw_requests}
    assert paths == {"/v1/messages"}
    sent_keys = {
        value
        for _, _, _, headers in stub.raw_requests
        for name, value in headers.items()
        if name.lower() == "x-api-key"
    }
    assert sent_keys == {key}


@pytest.mark.parametrize("mode", ["json", "md_json"])
async def test_json_modes_send_plain_messages_and_read_the_text(key: str, mode: str) -> None:
    def script(body: dict[str, Any], n: int) -> NativeReply:
        assert "tools" not in body and "tool_choice" not in body
        body = with_text_turns(body)
        task = "PersonaSetDraft" if "Write exactly" in json.dumps(body) else "NoteInsights"
        answer = persona_set_for(body) if task == "PersonaSetDraft" else insights_for(body)
        text = json.dumps(answer)
        return message(text=f"```json\n{text}\n```" if mode == "md_json" else text)

    fake = FakeAnthropic(script)
    run = await _personas(fake, mode=mode)
    assert run.personas and len(fake.requests) == 2
    first = fake.requests[0]
    # The schema travels at the end of the user turn, after the prompt it shares with others.
    assert "json_schema" not in first["system"]
    (turn,) = with_text_turns(first)["messages"]
    assert turn["role"] == "user"
    assert turn["content"].index("</interview_note>") < turn["content"].index("json_schema:")


def test_settings_refuse_what_the_messages_api_lacks(key: str) -> None:
    with pytest.raises(SettingsError, match="provider 'anthropic' has no mode 'json_schema'"):
        settings(mode="json_schema")
    with pytest.raises(SettingsError, match="temperature: provider 'anthropic' accepts 0 to 1"):
        settings(temperature=1.5)
    direct = Settings(provider="anthropic", mode="json_schema", api_key=KEY)
    with pytest.raises(SettingsError, match="choose from: tools, json, md_json"):
        Door(direct)


def test_the_missing_key_message_names_the_anthropic_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        settings()
    assert str(caught.value).startswith("no API key: set ANTHROPIC_API_KEY for provider")


def test_the_base_url_comes_from_the_providers_own_variable(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-gateway.invalid/v1")
    assert settings().base_url is None  # an OpenAI address never gets the Anthropic key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://anthropic-gateway.invalid")
    chosen = settings()
    assert chosen.base_url == "http://anthropic-gateway.invalid"
    assert chosen.provider == "anthropic"


async def test_a_base_url_with_v1_reaches_the_messages_path(key: str) -> None:
    fake = FakeAnthropic(answers)
    await _personas(fake, base_url="http://gateway.invalid/anthropic/v1")
    assert str(fake.sent[0].url) == "http://gateway.invalid/anthropic/v1/messages"


def test_the_batch_api_is_refused_before_anything_runs(key: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", str(EXAMPLE / "campaign.yaml"), "-o", str(out), "--batch-api"]
    result = CliRunner().invoke(app, [*args, "--provider", "anthropic"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: provider 'anthropic' has no Batch API; run without --batch-api"
    )
    assert not out.exists()


def test_rate_limit_resets_become_seconds() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    headers = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2025-01-01T00:00:30Z",
        "anthropic-ratelimit-tokens-reset": "2025-01-01T00:00:10",  # no zone: UTC
    }
    assert openai_rate_headers(headers, now) == {
        "x-ratelimit-limit-requests": "50",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "30.000",
        "x-ratelimit-reset-tokens": "10.000",
    }
    assert openai_rate_headers({"anthropic-ratelimit-requests-reset": "soon"}, now) == {}


def test_every_provider_with_its_own_api_has_a_module() -> None:
    for name, spec in PROVIDER_SPECS.items():
        if spec.wire != "openai":
            module = importlib.import_module(f"personagen.llm.providers.{spec.wire}")
            assert callable(module.upstream), name
