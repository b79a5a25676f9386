"""Run a task end to end: open the door, generate, write outputs, summarise."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from personagen.atomic import write_text_atomic
from personagen.export.outputs import prepare_output_dir, write_json
from personagen.export.persona_card import persona_markdown
from personagen.llm.door import Door
from personagen.llm.meter import Usage
from personagen.llm.settings import Settings
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.pipeline.personas import synthesize_personas


@dataclass
class CommandResult:
    """What a command reports to the user."""

    summary: str
    warnings: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)


def usage_line(usage: Usage, model: str, unpriced: bool = False) -> str:
    """One line of calls, tokens and cost."""
    if unpriced:
        cost = "unpriced model"
    elif usage.replayed and not usage.network_calls:
        cost = f"nothing billed (replayed; ${usage.cost_usd:.4f} at live prices)"
    else:
        cost = f"${usage.cost_usd:.4f}"
    return (
        f"{usage.network_calls} model calls, {usage.replayed} replayed, "
        f"{usage.cache_hits} cached; {usage.input_tokens:,} input + "
        f"{usage.output_tokens:,} output tokens; {cost} ({model})"
    )


def stale_warnings(door: Door) -> list[str]:
    """Warn about replay cassettes no request used: stale after a prompt or input change."""
    book = door.transport.replay
    if book is None:
        return []
    stale = book.stale()
    if not stale:
        return []
    names = ", ".join(c.path.name if c.path else c.key[:12] for c in stale[:5])
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    return [
        f"{len(stale)} cassette(s) in {book.directory} were not used (stale): {names}{more}; "
        "carry them over with --rekey or delete them"
    ]


async def run_personas(
    settings: Settings, icp: ICP, notes: list[Note], count: int, output: Path
) -> CommandResult:
    """Synthesize personas and write `output/personas/<id>.json|md`."""
    folder = prepare_output_dir(output) / "personas"
    async with Door(settings) as door:
        run = await synthesize_personas(door, icp, notes, count)
    for persona in run.personas:
        write_json(folder / f"{persona.id}.json", persona)
        write_text_atomic(folder / f"{persona.id}.md", persona_markdown(persona))
    items = sum(len(items) for p in run.personas for items in p.items().values())
    rejected = sum(len(p.rejected) for p in run.personas)
    summary = (
        f"wrote {len(run.personas)} personas ({items} grounded items, {rejected} rejected) "
        f"to {folder}\n{usage_line(run.usage, settings.model)}"
    )
    return CommandResult(summary, run.warnings + stale_warnings(door), run.usage)
