"""The provider's prompt cache: a routing key for OpenAI, cached input billed and shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from personagen.inputs.citable import citable_note
from personagen.llm.door import Door, PreparedCall
from personagen.llm.exchange import prompt_cache_key
from personagen.pipeline.personas import note_budget_chars, note_parts, prepare_extraction
from personagen.run.commands import usage_line
from personagen.run.outcomes import RunReport
from personagen.settings import Settings
from personagen.testing.stub_server import completion
from tests.helpers import ScriptedModel, example_icp
from tests.llm.test_faults import NOTE, insights_for

KEY = "sk-test-0123456789abcdef"


def _extraction(settings: Settings, upstream: Any = None) -> tuple[Door, PreparedCall]:
    door = Door(settings, upstream=upstream)
    citable = citable_note(NOTE)
    (part,) = note_parts(citable, note_budget_chars(door, example_icp(), NOTE))
    return door, prepare_extraction(door, example_icp(), NOTE, citable, part, 1)


def _body(system: str, user: str, tool: str = "NoteInsights") -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "tools": [{"type": "function", "function": {"name": tool, "parameters": {}}}],
    }


def test_requests_that_begin_alike_share_a_key() -> None:
    shared = prompt_cache_key(_body("Extract insights.", "note one"))
    assert shared == prompt_cache_key(_body("Extract insights.", "note two, longer"))
    assert shared != prompt_cache_key(_body("Write personas.", "note one"))
    assert shared != prompt_cache_key(_body("Extract insights.", "note one", tool="Other"))


def test_only_openai_gets_the_key_and_it_never_changes_the_request_key(tmp_path: Path) -> None:
    _, openai = _extraction(Settings(provider="openai", api_key=KEY))
    assert openai.body["prompt_cache_key"] == prompt_cache_key(openai.body)
    assert openai.body["prompt_cache_key"].startswith("personagen-")
    # Cassettes recorded from OpenAI replay, and replay sends what OpenAI was sent.
    _, replay = _extraction(Settings(provider="replay", replay_dir=tmp_path))
    assert "prompt_cache_key" not in replay.body and replay.key == openai.key
    for other in ("compatible", "anthropic"):
        _, call = _extraction(Settings(provider=other, api_key=KEY))
        assert "prompt_cache_key" not in call.body


async def test_cached_input_is_billed_at_the_cached_price_and_shown() -> None:
    def script(body: dict[str, Any], n: int) -> Any:
        reply = completion(insights_for(body), name="NoteInsights", usage=(2000, 100))
        reply.body["usage"]["prompt_tokens_details"] = {"cached_tokens": 1536}
        return reply

    price = {"m": {"input": 0.40, "output": 1.60, "cached_input": 0.10}}
    model = ScriptedModel(script)
    settings = Settings(provider="openai", api_key=KEY, model="m", prices=price)
    door, call = _extraction(settings, model)
    async with door:
        generated = await door.generate(call)
    assert "prompt_cache_key" in model.requests[0]
    assert generated.usage.cached_tokens == 1536
    billed = (464 * 0.40 + 1536 * 0.10 + 100 * 1.60) / 1_000_000
    assert abs(generated.usage.cost_usd - billed) < 1e-12
    report = RunReport("r1", "m", usage=generated.usage)
    assert report.summary().cached_tokens == 1536
    assert "2,000 input (1,536 from the prompt cache) + 100 output" in usage_line(
        generated.usage, "m"
    )
