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

from personagen.inputs import load_model, load_notes
from personagen.inputs.campaign import load_campaign
from personagen.inputs.settings import resolve_settings
from personagen.llm import Upstream
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.icp import ICP
from personagen.models.note import Note, SpeakerRoles
from personagen.models.persona import Persona
from personagen.pipeline.copy import check_brief_for, check_counts, parse_channels
from personagen.run.commands import engine_session
from personagen.run.engine import run_campaign as _run_request
from personagen.run.outcomes import ProgressHook, RunReport
from personagen.run.request import (
    SegmentInput,
    campaign_request,
    campaign_settings,
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
) -> PersonasResult:
    """Grounded personas from an ICP and interview notes (files, folders or Note objects).

    `settings` default to the environment and `$PERSONAGEN_HOME/config.yaml`; `model`
    stands in for the model server (e.g. `personagen.testing.FakeModel()`).
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
        personas = await engine.personas(segment)
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
        )
    )


async def write_copy_async(
    personas: Sequence[Persona],
    brief: Brief | PathLike,
    *,
    channels: Sequence[str] | None = None,
    variants: int = 3,
    steps: int = 4,
    output: PathLike | None = None,
    settings: Settings | None = None,
    model: Upstream | None = None,
) -> CopyResult:
    """E-mail sequences, ads and objection handling for each persona and channel."""
    brief_model = brief if isinstance(brief, Brief) else load_model(Path(brief), Brief)
    chosen = parse_channels(",".join(channels) if channels else "all")
    check_counts(variants, steps)
    check_brief_for(brief_model, chosen, "brief")
    jobs = copy_matrix([list(personas)], chosen, variants, steps)
    settings = settings or resolve_settings({})
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
