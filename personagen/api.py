"""The Python API: personas, copy and whole campaigns from a script or a notebook.

Each function runs through the same engine as the CLI (run store, response cache, resume,
budget, metering) and writes the same files; it returns the objects as well. The async
twins (`..._async`) are for code that already runs an event loop.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs import load_model, load_notes
from personagen.inputs.campaign import load_campaign
from personagen.inputs.settings import resolve_settings
from personagen.llm import Upstream
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.icp import ICP
from personagen.models.note import Note, SpeakerRoles
from personagen.models.persona import Persona
from personagen.models.stages import StageChoice, stage_channels
from personagen.pipeline.copy import (
    check_brief_for,
    check_counts,
    check_placeholders,
    parse_channels,
    stage_plan,
)
from personagen.run.commands import engine_session
from personagen.run.engine import run_campaign as _run_request
from personagen.run.outcomes import ProgressHook, RunReport
from personagen.run.request import (
    SegmentInput,
    campaign_request,
    campaign_settings,
    check_tracked_urls,
    copy_matrix,
)
from personagen.settings import Settings

PathLike = str | Path


@dataclass
class PersonasResult:
    """Personas and the run that built them (usage, warnings, failures)."""

    personas: list[Persona]
    report: RunReport


@dataclass
class CopyResult:
    """Copy artifacts and the run that wrote them."""

    artifacts: list[CopyArtifact]
    report: RunReport


def _output(output: PathLike | None) -> Path:
    return Path(output) if output is not None else Path(tempfile.mkdtemp(prefix="personagen-"))


async def build_personas_async(
    icp: ICP | PathLike,
    notes: Sequence[Note] | Sequence[PathLike] | PathLike,
    *,
    count: int = 3,
    output: PathLike | None = None,
    speakers: SpeakerRoles | None = None,
    settings: Settings | None = None,
    model: Upstream | None = None,
    update: bool = False,
) -> PersonasResult:
    """Grounded personas from an ICP and interview notes (files, folders or Note objects).

    `settings` default to the environment and `$PERSONAGEN_HOME/config.yaml`; `model`
    stands in for the model server (e.g. `personagen.testing.FakeModel()`). With `update`,
    the personas already in `output` are refreshed (`personas/CHANGELOG.md`).
    """
    icp_model = icp if isinstance(icp, ICP) else load_model(Path(icp), ICP)
    if isinstance(notes, str | Path):
        loaded = load_notes([Path(notes)])
    elif all(isinstance(n, Note) for n in notes):
        loaded = [n for n in notes if isinstance(n, Note)]
    else:
        loaded = load_notes([Path(n) for n in notes if isinstance(n, str | Path)])
    settings = settings or resolve_settings({})
    segment = SegmentInput(icp_model, loaded, count, speakers)
    name = f"personas-{icp_model.id}"
    async with engine_session(settings, _output(output), name, "python", model=model) as engine:
        personas = await engine.personas(segment, update=update)
        await engine.write_refreshes()
    return PersonasResult(personas, engine.report)


def build_personas(
    icp: ICP | PathLike,
    notes: Sequence[Note] | Sequence[PathLike] | PathLike,
    *,
    count: int = 3,
    output: PathLike | None = None,
    speakers: SpeakerRoles | None = None,
    settings: Settings | None = None,
    model: Upstream | None = None,
    update: bool = False,
) -> PersonasResult:
    """Synchronous `build_personas_async`."""
    return asyncio.run(
        build_personas_async(
            icp,
            notes,
            count=count,
            output=output,
            speakers=speakers,
            settings=settings,
            model=model,
            update=update,
        )
    )


async def write_copy_async(
    personas: Sequence[Persona],
    brief: Brief | PathLike,
    *,
    channels: Sequence[str] | None = None,
    variants: int = 3,
    steps: int = 4,
    stages: StageChoice | None = None,
    output: PathLike | None = None,
    settings: Settings | None = None,
    model: Upstream | None = None,
) -> CopyResult:
    """E-mail sequences, ads and objection handling for each persona and channel.

    `stages` writes copy per buyer journey stage: a list of stages (every channel at each)
    or a mapping of stage to its channels, as in a campaign file.
    """
    brief_model = brief if isinstance(brief, Brief) else load_model(Path(brief), Brief)
    chosen = parse_channels(",".join(channels) if channels else "all")
    check_counts(variants, steps)
    try:
        plan = stage_channels(stages, chosen)
    except ValueError as exc:
        raise InputError("stages", str(exc)) from None
    used = [c for c in chosen if not plan or any(c in s for s in plan.values())]
    check_brief_for(brief_model, used, "brief")
    check_tracked_urls(brief_model, plan, used, "brief")
    staged = stage_plan(plan, brief_model)
    jobs = copy_matrix([list(personas)], chosen, variants, steps, staged)
    settings = settings or resolve_settings({})
    brief_model = brief_model.in_language(settings.language)  # settings' language wins
    if settings.replay_dir is None:
        check_placeholders(brief_model, used, "brief")
    name = f"copy-{brief_model.id}"
    async with engine_session(settings, _output(output), name, "python", model=model) as engine:
        artifacts = await engine.finish_copy(jobs, brief_model)
    return CopyResult(artifacts, engine.report)


def write_copy(
    personas: Sequence[Persona],
    brief: Brief | PathLike,
    *,
    channels: Sequence[str] | None = None,
    variants: int = 3,
    steps: int = 4,
    stages: StageChoice | None = None,
    output: PathLike | None = None,
    settings: Settings | None = None,
    model: Upstream | None = None,
) -> CopyResult:
    """Synchronous `write_copy_async`."""
    return asyncio.run(
        write_copy_async(
            personas,
            brief,
            channels=channels,
            variants=variants,
            steps=steps,
            stages=stages,
            output=output,
            settings=settings,
            model=model,
        )
    )


async def run_campaign_async(
    campaign: PathLike,
    *,
    output: PathLike,
    settings: Settings | None = None,
    budget_usd: float | None = None,
    model: Upstream | None = None,
    progress: ProgressHook | None = None,
) -> RunReport:
    """Run a campaign file end to end: personas, then every copy job; writes `run.json`.

    Without `settings`, the campaign's own settings apply (over the config file and under
    the environment), as with `personagen run`.
    """
    loaded = load_campaign(Path(campaign))
    settings = settings or campaign_settings(loaded)
    request = campaign_request(loaded, settings, output, budget_usd=budget_usd)
    return await _run_request(request, progress=progress, model=model)


def run_campaign(
    campaign: PathLike,
    *,
    output: PathLike,
    settings: Settings | None = None,
    budget_usd: float | None = None,
    model: Upstream | None = None,
    progress: ProgressHook | None = None,
) -> RunReport:
    """Synchronous `run_campaign_async`."""
    return asyncio.run(
        run_campaign_async(
            campaign,
            output=output,
            settings=settings,
            budget_usd=budget_usd,
            model=model,
            progress=progress,
        )
    )
