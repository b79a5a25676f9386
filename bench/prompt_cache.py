"""How much of a campaign's input a provider's prompt cache can serve.

Providers cache prompt prefixes: OpenAI serves the longest prefix of at least 1,024 tokens
that an earlier request already sent, in steps of 128 tokens. This bench prepares the
requests personagen would send (the door's prepared calls, nothing is sent) for the
example campaign and for a larger synthetic one, and counts per stage the input tokens
that sit in such a prefix.

Assumptions (what a provider does is not published in detail):

- a request is serialized in provider order: the schema it carries (`tools`, else
  `response_format`) first, then every message (role, then content) in order; in `json` and
  `md_json` modes the schema is part of the system message already. OpenAI documents the
  structured-output schema as a prefix of the system message; where tools go is not
  documented, and first is the cautious guess;
- a request's cacheable prefix is its longest common character prefix with any earlier
  request of the same campaign (jobs in the engine's order: persona stage, then the copy
  matrix persona by persona), counted in tokens with `personagen.llm.count_tokens`; it
  counts when at least 1,024 tokens and is rounded down to a multiple of 128 tokens;
- every earlier request is still cached (OpenAI keeps prefixes 5 to 10 minutes, longer
  than a campaign's copy stage) and concurrency is ignored: requests that start together
  before either is cached both miss, so a real run caches somewhat less.

Three views of the same requests, each with its own share:

- **as sent**: the requests as above, schema first;
- **messages only**: without the schema: what the order of the prompt's content allows
  where the schema does not end the shared prefix first;
- **no request enums**: schema first, but with the values a contract fills in per request
  (`enum` lists such as the persona's item ids, item counts, number ranges) taken out of
  the schema: what a contract with the same schema for every persona would allow.

The example's personas come from its recorded persona stage (replayed, re-keyed in a temp
copy so a prompt change does not stop the bench). The synthetic campaign has 8 personas
made from them (each a different cut of one example persona's claims) and every channel.

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
from personagen.pipeline.copy import parse_channels, prepare_copy, unanswerable  # noqa: E402
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
)

EXAMPLE = ROOT / "examples" / "saas-retention" / "campaign.yaml"
MIN_PREFIX = 1024  # OpenAI caches prefixes from 1,024 tokens ...
STEP = 128  # ... in steps of 128 tokens
SYNTHETIC_PERSONAS = 8


# Schema keywords whose values a response contract fills in per request.
REQUEST_KEYWORDS = ("enum", "minItems", "maxItems", "minimum", "maximum")


def without_request_values(node: Any) -> Any:
    """A schema without the keywords a contract fills in per request (`REQUEST_KEYWORDS`)."""
    if isinstance(node, list):
        return [without_request_values(item) for item in node]
    if isinstance(node, dict):
        return {
            key: without_request_values(value)
            for key, value in node.items()
            if key not in REQUEST_KEYWORDS
        }
    return node


def serialized(body: dict[str, Any], view: str) -> str:
    """A request body as the provider reads it in `view` (one of `VIEWS`)."""
    schema = body.get("tools") or body.get("response_format") or []
    if view == "no request enums":
        schema = without_request_values(schema)
    text = "" if view == "messages only" else json.dumps(schema, ensure_ascii=False)
    for message in body["messages"]:
        text += f"\n<|{message['role']}|>\n{message['content']}"
    return text


VIEWS = ("as sent", "messages only", "no request enums")


def cached_tokens(prefix_tokens: int) -> int:
    """Tokens a provider serves from its cache for a shared prefix of `prefix_tokens`."""
    return prefix_tokens // STEP * STEP if prefix_tokens >= MIN_PREFIX else 0


@dataclass
class Stage:
    """Input tokens of a stage's requests and how many of them a prompt cache serves."""

    name: str
    requests: int = 0
    input_tokens: int = 0
    cached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VIEWS, 0))

    def row(self) -> str:
        """One Markdown table row."""
        cells = [self.name, str(self.requests), f"{self.input_tokens:,}"]
        for view in VIEWS:
            share = self.cached[view] / self.input_tokens if self.input_tokens else 0.0
            cells.append(f"{self.cached[view]:,} ({share:.0%})")
        return "| " + " | ".join(cells) + " |"


def shared_prefix_tokens(text: str, earlier: list[str]) -> int:
    """Tokens of the longest prefix `text` shares with any of `earlier`."""
    shared = max((len(os.path.commonprefix([text, old])) for old in earlier), default=0)
    return count_tokens(text[:shared]) if shared else 0


def measure(stages: Sequence[tuple[str, list[PreparedCall]]]) -> list[Stage]:
    """Cacheable input tokens per stage and view; each request is compared with every
    earlier request of the campaign."""
    earlier: dict[str, list[str]] = {view: [] for view in VIEWS}
    results: list[Stage] = []
    for name, calls in stages:
        stage = Stage(name)
        for call in calls:
            stage.requests += 1
            stage.input_tokens += count_tokens(serialized(call.body, "as sent"))
            for view in VIEWS:
                text = serialized(call.body, view)
                stage.cached[view] += cached_tokens(shared_prefix_tokens(text, earlier[view]))
                earlier[view].append(text)
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


def copy_calls(
    door: Door, request: CampaignRequest, personas: list[Persona], channels: list[str]
) -> list[PreparedCall]:
    """Every copy call of the matrix, in the engine's order."""
    jobs = copy_matrix([personas], channels, request.variants, request.steps)
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


def table(title: str, stages: list[Stage]) -> str:
    """A Markdown table of the stages of one campaign."""
    views = " | ".join(f"cacheable: {view}" for view in VIEWS)
    head = (
        f"\n{title}\n\n| stage | requests | input tokens | {views} |\n"
        f"|---|---:|---:|{'---:|' * len(VIEWS)}"
    )
    return "\n".join([head, *(stage.row() for stage in stages)])


def main() -> None:
    """Print the cacheable share of the example campaign and of a synthetic larger one."""
    os.environ["PERSONAGEN_HOME"] = tempfile.mkdtemp()
    loaded = load_campaign(EXAMPLE)
    settings = campaign_settings(loaded, require_key=False)
    request = campaign_request(loaded, settings, tempfile.mkdtemp())
    cassettes = Path(tempfile.mkdtemp()) / "cassettes"
    assert settings.replay_dir is not None
    shutil.copytree(settings.replay_dir, cassettes)
    personas = asyncio.run(example_personas(request, cassettes))
    door = Door(settings)  # used only to prepare calls: nothing is sent
    extraction = extraction_calls(door, request)
    every_channel = parse_channels("all")
    example = [
        ("persona stage: extraction", extraction),
        ("copy", copy_calls(door, request, personas, request.channels)),
    ]
    synthetic = synthetic_personas(personas, SYNTHETIC_PERSONAS)
    larger = [
        ("persona stage: extraction", extraction),
        ("copy", copy_calls(door, request, synthetic, every_channel)),
    ]
    print(f"model {settings.model}, mode {settings.effective_mode}")
    print(
        table(
            f"Example campaign ({len(personas)} personas x {len(request.channels)} channels)",
            measure(example),
        )
    )
    print(
        table(
            f"Synthetic campaign ({len(synthetic)} personas x {len(every_channel)} channels)",
            measure(larger),
        )
    )


if __name__ == "__main__":
    main()
