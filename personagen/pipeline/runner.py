"""Run a task end to end: open the door, generate, write outputs, summarise."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from personagen.atomic import write_text_atomic
from personagen.errors import GenerationError, InputError
from personagen.export.outputs import prepare_output_dir, write_json
from personagen.export.persona_card import persona_markdown
from personagen.llm.door import Door
from personagen.llm.meter import Usage
from personagen.llm.settings import Settings
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.models.persona import Persona
from personagen.pipeline.copy import CopyJob, write_copy
from personagen.pipeline.personas import synthesize_personas


@dataclass
class CommandResult:
    """What a command reports to the user."""

    summary: str
    warnings: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    failed: int = 0


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


@dataclass
class CopyOutcome:
    """Artifacts written and jobs that failed."""

    artifacts: list[CopyArtifact]
    failures: dict[str, str]
    usage: Usage


def load_personas(folder: Path) -> list[Persona]:
    """Read the persona JSON files of a `personas` output (or its `personas/` subfolder)."""
    from personagen.inputs import load_model

    source = folder / "personas" if (folder / "personas").is_dir() else folder
    if not source.is_dir():
        raise InputError(str(folder), "no such personas folder")
    files = sorted(source.glob("*.json"))
    if not files:
        raise InputError(str(source), "no persona .json files; run 'personagen personas' first")
    return [load_model(path, Persona) for path in files]


async def generate_copy(
    door: Door, jobs: list[CopyJob], brief: Brief, concurrency: int
) -> CopyOutcome:
    """Run copy jobs concurrently (bounded); a failed job is reported, the others go on."""
    limit = asyncio.Semaphore(concurrency)
    outcome = CopyOutcome(artifacts=[], failures={}, usage=Usage())

    async def one(job: CopyJob) -> None:
        async with limit:
            try:
                artifact, generated = await write_copy(door, job, brief)
            except GenerationError as failure:
                outcome.failures[job.job_id] = failure.reason
                return
            outcome.artifacts.append(artifact)
            outcome.usage.add(generated.usage)

    await asyncio.gather(*(one(job) for job in jobs))
    order = {job.job_id: n for n, job in enumerate(jobs)}
    outcome.artifacts.sort(key=lambda a: order[f"copy/{a.persona_id}/{a.channel}"])
    return outcome


def write_copy_outputs(output: Path, artifacts: list[CopyArtifact], brief: Brief) -> list[Path]:
    """Write JSON per artifact, a Markdown deck per persona and the platform CSVs."""
    from personagen.export.copy_deck import write_decks
    from personagen.export.csv_export import write_csvs

    written: list[Path] = []
    for artifact in artifacts:
        path = output / "copy" / artifact.persona_id / f"{artifact.channel}.json"
        write_json(path, artifact)
        written.append(path)
    written += write_decks(output / "copy", artifacts)
    written += write_csvs(output / "exports", artifacts, brief)
    return written


async def run_copy(
    settings: Settings, personas: list[Persona], brief: Brief, jobs: list[CopyJob], output: Path
) -> CommandResult:
    """Write copy for every job and report failures per job."""
    prepare_output_dir(output)
    async with Door(settings) as door:
        outcome = await generate_copy(door, jobs, brief, settings.concurrency)
    write_copy_outputs(output, outcome.artifacts, brief)
    warnings = [
        f"{a.persona_id}/{a.channel}: {w.field}: {w.message}"
        for a in outcome.artifacts
        for w in a.warnings
    ]
    warnings += [f"{job_id} failed: {reason}" for job_id, reason in outcome.failures.items()]
    summary = (
        f"wrote {len(outcome.artifacts)} of {len(jobs)} copy jobs for {len(personas)} personas "
        f"to {output / 'copy'}; {len(outcome.failures)} failed\n"
        f"{usage_line(outcome.usage, settings.model)}"
    )
    result = CommandResult(summary, warnings + stale_warnings(door), outcome.usage)
    result.failed = len(outcome.failures)
    return result
