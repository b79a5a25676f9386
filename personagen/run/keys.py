"""The content key of a segment's persona stage: what it would send, as one digest."""

from __future__ import annotations

import hashlib
import json

from personagen.llm import Settings, prompt_version
from personagen.models.note import SpeakerRoles
from personagen.run.request import SegmentInput


def _digest(*parts: object) -> str:
    canonical = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def persona_key(settings: Settings, segment: SegmentInput) -> str:
    """Content key of a segment's persona stage: model, prompts, ICP, notes and count."""
    return _digest(
        "personas",
        settings.model,
        settings.effective_mode,
        settings.temperature,
        prompt_version("extract_insights"),
        prompt_version("synthesize_personas"),
        segment.icp.model_dump(mode="json"),
        [n.model_dump(mode="json", exclude={"path"}) for n in segment.notes],
        segment.count,
        _speakers(segment.speakers),
        # Only a language other than the default: English keys stay as they were.
        *([settings.language] if settings.language not in (None, "en") else []),
    )


def _speakers(speakers: SpeakerRoles | None) -> dict[str, list[str]] | None:
    """A speaker mapping for a key: an empty one is the same as none."""
    if speakers is None or not (speakers.interviewee or speakers.interviewer):
        return None
    return speakers.model_dump(mode="json")
