"""The run of a campaign: its inputs, settings and copy matrix, built one way everywhere
(the CLI, the library, the benches and the tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.campaign import LoadedCampaign
from personagen.inputs.settings import merge_settings
from personagen.languages import lint_fallback
from personagen.models.brief import Brief
from personagen.models.icp import ICP
from personagen.models.note import Note, SpeakerRoles
from personagen.models.persona import Persona
from personagen.models.stages import Stage, stage_channels
from personagen.models.utm import tracked_urls, url_findings
from personagen.pipeline.copy import (
    CopyJob,
    check_brief_for,
    check_counts,
    check_placeholders,
    parse_channels,
    stage_plan,
)
from personagen.settings import Settings

PathLike = str | Path


@dataclass
class SegmentInput:
    """One ICP with its (possibly redacted) notes, persona count and who speaks in them."""

    icp: ICP
    notes: list[Note]
    count: int
    speakers: SpeakerRoles | None = None


@dataclass(frozen=True)
class CampaignRequest:
    """One run: the inputs, the copy matrix, where outputs go and the spending limit."""

    settings: Settings
    segments: list[SegmentInput]
    brief: Brief
    channels: list[str]
    variants: int
    steps: int
    output: Path
    name: str
    source: str
    budget_usd: float | None = None
    # Journey stage -> its channels, in journey order given; empty: no stages (copy per
    # persona and channel, as before stages existed).
    stages: dict[str, list[str]] = field(default_factory=dict)
    # Refresh the output folder's personas with these notes instead of starting over.
    update: bool = False


def copy_matrix(
    persona_sets: list[list[Persona]],
    channels: list[str],
    variants: int,
    steps: int,
    stages: Sequence[tuple[Stage | None, list[str]]] = (),
) -> list[CopyJob]:
    """Every persona of every segment times every channel, or, with stages, times every
    stage and that stage's channels."""
    return [
        CopyJob(persona, channel, variants, steps, stage)
        for personas in persona_sets
        for persona in personas
        for stage, chosen in (stages or [(None, channels)])
        for channel in chosen
    ]


def request_matrix(request: CampaignRequest, persona_sets: list[list[Persona]]) -> list[CopyJob]:
    """The copy jobs of a request for these personas."""
    stages = stage_plan(request.stages, request.brief)
    return copy_matrix(persona_sets, request.channels, request.variants, request.steps, stages)


def check_tracked_urls(
    brief: Brief, stages: Mapping[str, Sequence[str]], channels: Sequence[str], source: str
) -> None:
    """Refuse utm tags that make a final URL too long for its platform before any persona id
    is even added to it (a certain failure, found before anything is paid for)."""
    if brief.utm is None:
        return
    pairs: list[tuple[str | None, str]] = [(s, c) for s, cs in stages.items() for c in cs]
    for stage, channel in pairs or [(None, c) for c in channels]:
        shortest = tracked_urls(brief.offer.url, brief.utm, "", stage, channel, 1)
        over = url_findings(channel, shortest)
        if over:
            why = over[0].message.replace("the final URL is", "its final URL is at least")
            raise InputError(source, f"utm: {channel}: {why}; {over[0].fix}")


def cli_stages(text: str | None, channels: list[str]) -> dict[str, list[str]]:
    """'--stages awareness,decision': each stage with every channel; InputError names a bad one."""
    if text is None:
        return {}
    try:
        return stage_channels([name.strip() for name in text.split(",")], channels)
    except ValueError as exc:
        raise InputError("--stages", str(exc)) from None


def check_segments(segments: list[SegmentInput]) -> None:
    """Segments must have distinct ICP ids (their persona jobs are named after them)."""
    ids = [s.icp.id for s in segments]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InputError("campaign", f"two segments use ICP id '{repeated[0]}'; ids must differ")


def campaign_settings(
    loaded: LoadedCampaign,
    flags: Mapping[str, object] | None = None,
    config: Path | None = None,
    *,
    require_key: bool = True,
) -> Settings:
    """A campaign's settings: flags > environment > its written settings > config > defaults.

    The campaign's `replay:` folder applies unless a flag points at a live model.
    """
    flags = dict(flags or {})
    campaign = loaded.campaign
    written = campaign.settings_values()
    live = flags.get("provider") not in (None, "replay") or flags.get("base_url") is not None
    if campaign.replay is not None and not live:
        written["replay_dir"] = campaign.replay
    return merge_settings(
        flags=flags,
        campaign=written,
        campaign_source=str(loaded.path),
        config=config,
        require_key=require_key,
    )


def campaign_request(
    loaded: LoadedCampaign,
    settings: Settings,
    output: PathLike,
    *,
    budget_usd: float | None = None,
    redact: bool | None = None,
    say: Callable[[str], None] | None = None,
    dry_run: bool = False,
) -> CampaignRequest:
    """The run of a loaded campaign: built this one way by the CLI, the library and benches.

    `budget_usd` and `redact` override the campaign file's values when given; `say`
    receives a line per redacted segment (what was replaced). Placeholders in the brief
    are refused unless the run is a `dry_run` or answers from cassettes.
    """
    from personagen.redact import redact_notes

    spec = loaded.campaign
    channels = parse_channels(",".join(spec.channels))
    check_counts(spec.variants, spec.steps)
    stages = spec.stage_channels()
    used = [c for c in channels if not stages or any(c in s for s in stages.values())]
    check_brief_for(loaded.brief, used, str(spec.brief))
    check_tracked_urls(loaded.brief, stages, used, str(spec.brief))
    if not dry_run and settings.replay_dir is None:
        check_placeholders(loaded.brief, used, str(spec.brief))
    segments = [SegmentInput(s.icp, s.notes, s.count, spec.speakers) for s in loaded.segments]
    if redact if redact is not None else spec.redact:
        redacted: list[SegmentInput] = []
        for segment in segments:
            notes, report = redact_notes(segment.notes)
            if say is not None:
                say(f"{segment.icp.id}: {report.summary()}")
            redacted.append(SegmentInput(segment.icp, notes, segment.count, segment.speakers))
        segments = redacted
    check_segments(segments)
    # One language for personas and copy: --language or the campaign's, else the brief's.
    brief = loaded.brief.in_language(settings.language)
    settings = settings.model_copy(update={"language": brief.language})
    fallback = lint_fallback(brief.language)
    if fallback is not None and say is not None:
        say(f"warning: {fallback}")
    return CampaignRequest(
        settings,
        segments,
        brief,
        channels,
        variants=spec.variants,
        steps=spec.steps,
        output=Path(output),
        name=spec.name,
        source=str(loaded.path),
        budget_usd=budget_usd if budget_usd is not None else spec.budget_usd,
        stages=stages,
        update=spec.update,
    )
