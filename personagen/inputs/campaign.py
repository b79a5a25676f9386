"""Read a campaign file and everything it points to, with errors that name the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.notes import Warn, load_notes
from personagen.inputs.structured import load_model
from personagen.models.brief import Brief
from personagen.models.campaign import Campaign
from personagen.models.icp import ICP
from personagen.models.note import Note


@dataclass
class LoadedSegment:
    """An ICP and its notes, read from disk."""

    icp: ICP
    notes: list[Note]
    count: int


@dataclass
class LoadedCampaign:
    """A campaign with its inputs read and validated."""

    path: Path
    campaign: Campaign
    segments: list[LoadedSegment]
    brief: Brief


def _exists(path: Path, campaign_file: Path, field: str) -> None:
    if not path.exists():
        raise InputError(str(campaign_file), f"{field}: {path} does not exist")


def load_campaign(
    path: Path, *, follow_symlinks: bool = True, warn: Warn | None = None
) -> LoadedCampaign:
    """Load `campaign.yaml`, resolve its paths against its folder, and read every input
    (`follow_symlinks` and `warn` as in `load_notes`)."""
    campaign = load_model(path, Campaign).resolved(path.parent)
    segments: list[LoadedSegment] = []
    for number, segment in enumerate(campaign.segments):
        where = f"segments[{number}]" if len(campaign.segments) > 1 else ""
        _exists(segment.icp, path, f"{where}.icp".lstrip("."))
        for note_path in segment.notes:
            _exists(note_path, path, f"{where}.notes".lstrip("."))
        notes = load_notes(segment.notes, follow_symlinks=follow_symlinks, warn=warn)
        if not notes:
            raise InputError(str(path), f"{where}.notes: no notes found".lstrip("."))
        segments.append(LoadedSegment(load_model(segment.icp, ICP), notes, segment.personas))
    _exists(campaign.brief, path, "brief")
    brief = load_model(campaign.brief, Brief)
    if campaign.replay is not None and not campaign.replay.is_dir():
        raise InputError(str(path), f"replay: {campaign.replay} is not a folder of cassettes")
    return LoadedCampaign(path, campaign, segments, brief)
