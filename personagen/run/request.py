"""The run of a campaign: its inputs, settings and copy matrix, built one way everywhere
(the CLI, the library, the benches and the tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.campaign import LoadedCampaign
from personagen.inputs.settings import merge_settings
from personagen.models.brief import Brief
from personagen.models.icp import ICP
from personagen.models.note import Note, SpeakerRoles
from personagen.models.persona import Persona
from personagen.pipeline.copy import CopyJob, check_brief_for, check_counts, parse_channels
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


def copy_matrix(
    persona_sets: list[list[Persona]], channels: list[str], variants: int, steps: int
) -> list[CopyJob]:
    """Every persona of every segment times every channel."""
    return [
        CopyJob(persona, channel, variants, steps)
        for personas in persona_sets
        for persona in personas
        for channel in channels
    ]


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
) -> CampaignRequest:
    """The run of a loaded campaign: built this one way by the CLI, the library and benches.

    `budget_usd` and `redact` override the campaign file's values when given; `say`
    receives a line per redacted segment (what was replaced).
    """
    from personagen.redact import redact_notes

    spec = loaded.campaign
    channels = parse_channels(",".join(spec.channels))
    check_counts(spec.variants, spec.steps)
    check_brief_for(loaded.brief, channels, str(spec.brief))
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
    return CampaignRequest(
        settings,
        segments,
        loaded.brief,
        channels,
        variants=spec.variants,
        steps=spec.steps,
        output=Path(output),
        name=spec.name,
        source=str(loaded.path),
        budget_usd=budget_usd if budget_usd is not None else spec.budget_usd,
    )
