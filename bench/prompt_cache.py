"""How much of a campaign's input a provider's prompt cache can serve, per wire form.

Providers cache prompt prefixes: OpenAI serves the longest prefix of at least 1,024 tokens
that an earlier request already sent, in steps of 128 tokens. This bench prepares the
requests personagen would send (the door's prepared calls, nothing is sent) for the
example campaign and for a larger synthetic one, once per wire form, and counts per stage
the input tokens that sit in such a prefix.

Wire forms (where the schema, the response contract, travels):

- **schema first** (`tools`, `json_schema` on OpenAI): the schema is a request field
  (`tools`, `response_format`) that the provider puts in front of the messages. OpenAI
  documents the structured-output schema as a prefix of the system message; where tools go
  is not documented, and first is the cautious guess;
- **schema last** (`json`, `md_json`): the schema is text at the end of the last user
  message (`personagen/llm/wire.py`); `response_format` is at most `{"type": "json_object"}`;
- **a grammar** (`json_schema` on llama.cpp's `llama-server` and vLLM): the server turns
  the schema into a grammar for the sampler and builds the prompt from the messages alone.
  llama.cpp: `common/chat.cpp`, `common_chat_params_init_without_tools` renders the chat
  template over the messages and sets `grammar = json_schema_to_grammar(json_schema)`;
  vLLM: `docs/features/structured_outputs.md` enforces `response_format` json_schema with
  xgrammar or guidance and advises stating the schema in the prompt as well, and
  `vllm/entrypoints/openai/serving_chat.py` renders the chat template over `messages` and
  `tools` only. The same 1,024/128 rule is applied to these servers as a common
  yardstick (vLLM's prefix cache works in blocks of 16 tokens, llama.cpp reuses a slot's
  cached prefix: both serve shorter prefixes too). `llama_cpp.server` (the Python package)
  refuses `json_schema` (bench/README.md, `llama_server.py`): this row is not for it.

Assumptions (what a provider does is not published in detail):

- a request is serialized in provider order: the schema field it carries (`tools`, else
  `response_format`; none for a grammar server) first, then every message (role, then
  content) in order;
- a request's cacheable prefix is its longest common character prefix with any earlier
  request of the same campaign (jobs in the engine's order: persona stage, then the copy
  matrix persona by persona), counted in tokens with `personagen.llm.count_tokens`; it
  counts when at least 1,024 tokens and is rounded down to a multiple of 128 tokens;
- every earlier request is still cached (OpenAI keeps prefixes 5 to 10 minutes, longer
  than a campaign's copy stage) and concurrency is ignored: requests that start together
  before either is cached both miss, so a real run caches somewhat less.

For the OpenAI forms the bench also counts the distinct `prompt_cache_key`s the copy
requests carry (the door sets one per request from the schema field and system prompt,
`personagen/llm/exchange.py`): requests with one key are routed to servers holding their
prefix.

The example's personas come from its recorded persona stage (replayed, re-keyed in a temp
copy so a prompt change does not stop the bench); its copy jobs are the run's (personas ×
the stages' channels). The synthetic campaign has 8 personas made from them (each a
different cut of one example persona's claims) and every channel, without stages.

    .venv/bin/python bench/prompt_cache.py
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from personagen.inputs.campaign import load_campaign  # noqa: E402
from personagen.inputs.citable import citable_note  # noqa: E402
from personagen.llm import Door, PreparedCall, count_tokens  # noqa: E402
from personagen.models.persona import SECTIONS, Persona  # noqa: E402
from personagen.pipeline.copy import CopyJob, parse_channels, prepare_copy, unanswerable  # noqa: E402
from personagen.pipeline.personas import (  # noqa: E402
    note_budget_chars,
    note_parts,
    prepare_extraction,
    synthesize_personas,
)
from personagen.run.request import (  # noqa: E402
    CampaignRequest,
    campaign_request,
    campaign_settings,
    copy_matrix,
    request_matrix,
)
from personagen.settings import Settings  # noqa: E402

EXAMPLE = ROOT / "examples" / "saas-retention" / "campaign.yaml"
MIN_PREFIX = 1024  # OpenAI caches prefixes from 1,024 tokens ...
STEP = 128  # ... in steps of 128 tokens
GOAL = 0.5  # share of the copy stage's input tokens the cache should be able to serve
SYNTHETIC_PERSONAS = 8


@dataclass(frozen=True)
class WireForm:
    """Where a request carries its schema, and how the provider reads the request."""

    name: str
    provider: str
    mode: str
    schema_field_in_prompt: bool  # False: a grammar server keeps the schema out of the prompt


FORMS = (
    WireForm("tools, schema first (OpenAI)", "openai", "tools", True),
    WireForm("json_schema, schema first (OpenAI)", "openai", "json_schema", True),
    WireForm("json, schema last", "openai", "json", True),
    WireForm("md_json, schema last", "openai", "md_json", True),
    WireForm("json_schema, a grammar (llama.cpp, vLLM)", "compatible", "json_schema", False),
)


def form_settings(settings: Settings, form: WireForm) -> Settings:
    """`settings` for `form`: its provider and mode, nothing replayed (nothing is sent)."""
    return Settings.model_validate(
        {
            **settings.model_dump(exclude={"replay_dir", "record_dir", "rekey", "strict_schema"}),
            "provider": form.provider,
            "mode": form.mode,
            "api_key": "sk-bench-nothing-is-sent",
            "base_url": "http://127.0.0.1:9/v1" if form.provider == "compatible" else None,
        }
    )


def serialized(body: dict[str, Any], form: WireForm) -> str:
    """A request body as the provider reads it: the schema field first, then the messages."""
    schema = body.get("tools") or body.get("response_format")
    text = json.dumps(schema, ensure_ascii=False) if schema and form.schema_field_in_prompt else ""
    for message in body["messages"]:
        text += f"\n<|{message['role']}|>\n{message['content']}"
    return text


def cached_tokens(prefix_tokens: int) -> int:
    """Tokens a provider serves from its cache for a shared prefix of `prefix_tokens`."""
    return prefix_tokens // STEP * STEP if prefix_tokens >= MIN_PREFIX else 0


@dataclass
class Stage:
    """Input tokens of a stage's requests and how many of them a prompt cache serves."""

    requests: int = 0
    input_tokens: int = 0
    cached: int = 0
    cache_keys: set[str] = field(default_factory=set)

    @property
    def share(self) -> float:
        """Cacheable share of the stage's input tokens."""
        return self.cached / self.input_tokens if self.input_tokens else 0.0

    def cell(self) -> str:
        """Cacheable tokens and their share, for a table."""
        return f"{self.cached:,} ({self.share:.0%})"


def shared_prefix_tokens(text: str, earlier: list[str]) -> int:
    """Tokens of the longest prefix `text` shares with any of `earlier`."""
    shared = max((len(os.path.commonprefix([text, old])) for old in earlier), default=0)
    return count_tokens(text[:shared]) if shared else 0


def measure(stages: Sequence[list[PreparedCall]], form: WireForm) -> list[Stage]:
    """Cacheable input tokens per stage; each request is compared with every earlier
    request of the campaign."""
    earlier: list[str] = []
    results: list[Stage] = []
    for calls in stages:
        stage = Stage()
        for call in calls:
            text = serialized(call.body, form)
            stage.requests += 1
            stage.input_tokens += count_tokens(text)
            stage.cached += cached_tokens(shared_prefix_tokens(text, earlier))
            if "prompt_cache_key" in call.body:
                stage.cache_keys.add(call.body["prompt_cache_key"])
            earlier.append(text)
        results.append(stage)
    return results


def extraction_calls(door: Door, request: CampaignRequest) -> list[PreparedCall]:
    """Every extraction call of the persona stage, as the run prepares them."""
    calls: list[PreparedCall] = []
    for segment in request.segments:
        for note in segment.notes:
            citable = citable_note(note, segment.speakers)
            parts = note_parts(citable, note_budget_chars(door, segment.icp, note))
            calls += [
                prepare_extraction(door, segment.icp, note, citable, part, len(parts))
                for part in parts
            ]
    return calls


def copy_calls(door: Door, request: CampaignRequest, jobs: list[CopyJob]) -> list[PreparedCall]:
    """Every copy call of `jobs` (in the engine's order) that has something to answer."""
    return [prepare_copy(door, job, request.brief) for job in jobs if unanswerable(job) is None]


async def example_personas(request: CampaignRequest, cassettes: Path) -> list[Persona]:
    """The example's personas, from its recorded persona stage (re-keyed in a temp copy)."""
    carried = cassettes.parent / "rekeyed"
    update = {"replay_dir": cassettes, "rekey": True, "record_dir": carried}
    settings = request.settings.model_copy(update=update)
    segment = request.segments[0]
    async with Door(settings) as door:
        run = await synthesize_personas(
            door, segment.icp, segment.notes, segment.count, segment.speakers
        )
    return run.personas


def synthetic_personas(personas: list[Persona], count: int) -> list[Persona]:
    """`count` personas: persona k is example persona k mod n, keeping a different cut of
    its claims (section by section, 1 to all of them), with its own id and name."""
    made: list[Persona] = []
    for k in range(count):
        base = personas[k % len(personas)]
        sections: dict[str, Any] = {}
        for offset, section in enumerate(SECTIONS):
            items = getattr(base, section)
            keep = len(items) - (k + offset) % max(1, len(items)) if items else 0
            sections[section] = items[:keep]
        made.append(
            base.model_copy(
                update={"id": f"{base.id}-{k + 1}", "name": f"{base.name} {k + 1}", **sections}
            )
        )
    return made


def table(title: str, request: CampaignRequest, jobs: list[CopyJob], settings: Settings) -> str:
    """A Markdown table of one campaign: a row per wire form."""
    lines = [
        f"\n{title}\n",
        "| wire form | copy requests | copy input tokens | copy cacheable | goal >= 50% "
        "| persona stage (extraction) cacheable | copy prompt_cache_keys |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for form in FORMS:
        door = Door(form_settings(settings, form))  # used only to prepare calls
        stages = [extraction_calls(door, request), copy_calls(door, request, jobs)]
        extraction, copy = measure(stages, form)
        keys = f"{len(copy.cache_keys):,}" if copy.cache_keys else "-"
        goal = "yes" if copy.share >= GOAL else "no"
        lines.append(
            f"| {form.name} | {copy.requests} | {copy.input_tokens:,} | {copy.cell()} | {goal} "
            f"| {extraction.cell()} | {keys} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Print the cacheable share per wire form of the example campaign and of a synthetic
    larger one."""
    os.environ["PERSONAGEN_HOME"] = tempfile.mkdtemp()
    loaded = load_campaign(EXAMPLE)
    settings = campaign_settings(loaded, require_key=False)
    request = campaign_request(loaded, settings, tempfile.mkdtemp())
    cassettes = Path(tempfile.mkdtemp()) / "cassettes"
    assert settings.replay_dir is not None
    shutil.copytree(settings.replay_dir, cassettes)
    personas = asyncio.run(example_personas(request, cassettes))
    every_channel = parse_channels("all")
    synthetic = synthetic_personas(personas, SYNTHETIC_PERSONAS)
    larger = copy_matrix([synthetic], every_channel, request.variants, request.steps)
    print(f"model {settings.model}")
    print(
        table(
            f"Example campaign ({len(personas)} personas x its stages' channels)",
            request,
            request_matrix(request, [personas]),
            settings,
        )
    )
    print(
        table(
            f"Synthetic campaign ({len(synthetic)} personas x {len(every_channel)} channels)",
            request,
            larger,
            settings,
        )
    )


if __name__ == "__main__":
    main()
