"""The `personas` and `copy` commands as engine runs: recorded, cached, resumable."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from personagen.errors import GenerationError, InputError
from personagen.export.outputs import OutputFolder
from personagen.llm import Door, Settings, Upstream, Usage
from personagen.models.brief import Brief
from personagen.models.persona import Persona
from personagen.pipeline.copy import CopyJob
from personagen.run.engine import CampaignEngine, close_run
from personagen.run.lock import locked_store
from personagen.run.outcomes import ProgressHook, RunReport, jobs_line
from personagen.run.refresh import previous_personas
from personagen.run.request import SegmentInput


@dataclass
class CommandResult:
    """What a command reports to the user."""

    summary: str
    warnings: list[str] = field(default_factory=list)
    failed: int = 0


def cached_input(tokens: int | None) -> str:
    """ " (N from the provider's prompt cache)" after an input count, when there are any."""
    return f" ({tokens:,} from the prompt cache)" if tokens else ""


def usage_line(usage: Usage, model: str) -> str:
    """One line of calls, tokens and cost."""
    if usage.replayed and not usage.network_calls:
        cost = f"nothing billed (replayed; ${usage.cost_usd:.4f} at live prices)"
    else:
        cost = f"${usage.cost_usd:.4f}"
    return (
        f"{usage.network_calls} model calls, {usage.replayed} replayed, "
        f"{usage.cache_hits} cached; {usage.input_tokens:,} input"
        f"{cached_input(usage.cached_tokens)} + {usage.output_tokens:,} output tokens; "
        f"{cost} ({model})"
    )


@asynccontextmanager
async def engine_session(
    settings: Settings,
    output: Path,
    name: str,
    source: str,
    *,
    model: Upstream | None = None,
    progress: ProgressHook | None = None,
) -> AsyncIterator[CampaignEngine]:
    """A store, a door and an engine for one command; the run is closed on the way out.

    The same command on the same input and output, already running, is waited for.

    `model` stands in for the model server (e.g. `personagen.testing.FakeModel`).
    """
    async with locked_store(name, [source, output], output) as store:
        started = time.monotonic()
        async with Door(settings, cache=store, upstream=model) as door:
            engine = CampaignEngine(
                door, store, output, name=name, source=source, progress=progress
            )
            yield engine
            stale = door.stale_warning()
            engine.report.warnings += [stale] if stale else []
        close_run(store, engine.report, output, started)


def _work(report: RunReport, settings: Settings) -> str:
    """What became of the jobs and, unless every one was reused, what the calls cost."""
    summary = report.summary()
    line = jobs_line(summary)
    if summary.reused < summary.jobs:
        line += f"\n{usage_line(report.usage, settings.model)}"
    return line


def _failures(report: RunReport) -> list[str]:
    return [f"{job} failed: {cause}" for job, cause in report.failures().items()]


def personas_to_update(output: Path, icp_id: str) -> list[Persona]:
    """The personas of this ICP in an earlier output folder; InputError when there are none."""
    if not output.is_dir():
        raise InputError(str(output), "no such output folder to update")
    found = previous_personas(OutputFolder(output), icp_id)
    if not found:
        raise InputError(
            str(output / "personas"),
            f"no persona of ICP '{icp_id}' to update; run 'personagen personas' first",
        )
    return found


async def run_personas(
    settings: Settings,
    segment: SegmentInput,
    output: Path,
    source: str,
    *,
    update: bool = False,
    progress: ProgressHook | None = None,
) -> CommandResult:
    """Synthesize personas and write `output/personas/<id>.json|md`; with `update`, refresh
    the personas already there and write `personas/CHANGELOG.md` and `.json`."""
    if update:
        personas_to_update(output, segment.icp.id)  # before anything is paid for
    name = f"personas-{segment.icp.id}"
    async with engine_session(settings, output, name, source, progress=progress) as engine:
        personas = await engine.personas(segment, update=update)
        await engine.write_refreshes()
    report = engine.report
    if not personas:
        reason = next(iter(report.failures().values()), "no persona was written")
        raise GenerationError("personas", reason)
    items = sum(len(items) for p in personas for items in p.items().values())
    rejected = sum(len(p.rejected) for p in personas)
    summary = (
        f"{len(personas)} personas ({items} grounded items, {rejected} rejected) in "
        f"{output / 'personas'}: {_work(report, settings)}"
    )
    summary = "\n".join([summary, *report.notes])
    return CommandResult(summary, report.warnings)


def load_personas(folder: Path) -> list[Persona]:
    """Read the persona JSON files of a `personas` output (or its `personas/` subfolder)."""
    if not folder.is_dir():
        raise InputError(str(folder), "no such personas folder")
    output = OutputFolder(folder)
    if not output.persona_files():
        raise InputError(str(folder), "no persona .json files; run 'personagen personas' first")
    return output.read_personas()


async def run_copy(
    settings: Settings,
    brief: Brief,
    jobs: list[CopyJob],
    output: Path,
    source: str,
    progress: ProgressHook | None = None,
) -> CommandResult:
    """Write copy for every job; failures are reported per job and the others go on."""
    name = f"copy-{brief.id}"
    async with engine_session(settings, output, name, source, progress=progress) as engine:
        await engine.finish_copy(jobs, brief)
    report = engine.report
    personas = len({job.persona.id for job in jobs})
    summary = f"copy for {personas} personas in {output / 'copy'}: {_work(report, settings)}"
    warnings = report.warnings + _failures(report)
    return CommandResult(summary, warnings, failed=report.unfinished())
