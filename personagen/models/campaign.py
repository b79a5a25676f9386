"""A campaign file: what to run (segments, brief, channels) and how (model, limits, budget).

Paths in the file are relative to the file itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from pydantic import Field, model_validator

from personagen.models.base import StrictModel
from personagen.models.note import SpeakerRoles


class Segment(StrictModel):
    """One ICP with the interview notes about it."""

    icp: Path = Field(description="ICP file (YAML or JSON).")
    notes: list[Path] = Field(min_length=1, description="Notes folders or files.")
    personas: int = Field(default=3, ge=1, le=12, description="How many personas to build.")


class ModelSettings(StrictModel):
    """Which model to call and how."""

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    mode: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    timeout: float | None = Field(default=None, gt=0)
    reasks: int | None = Field(default=None, ge=0, le=10)
    context_tokens: int | None = Field(default=None, ge=1000)
    max_output_tokens: int | None = Field(default=None, ge=256)


class RateLimits(StrictModel):
    """Client-side limits; set them to your provider tier's limits."""

    requests_per_minute: float | None = Field(default=None, gt=0)
    tokens_per_minute: float | None = Field(default=None, gt=0)


class Campaign(StrictModel):
    """Everything `personagen run` needs."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short slug of the campaign.")
    segments: list[Segment] = Field(default_factory=list)
    icp: Path | None = Field(default=None, description="Shorthand for one segment's ICP.")
    notes: list[Path] = Field(default_factory=list, description="Shorthand: its notes.")
    personas: int = Field(default=3, ge=1, le=12)
    brief: Path
    channels: list[str] = Field(
        default_factory=lambda: ["email", "google_rsa", "linkedin", "meta", "x", "objections"]
    )
    variants: int = Field(default=3, ge=1, le=10)
    steps: int = Field(default=4, ge=1, le=10)
    model: ModelSettings = Field(default_factory=ModelSettings)
    concurrency: int = Field(default=8, ge=1, le=256)
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    budget_usd: float | None = Field(default=None, gt=0)
    redact: bool = False
    speakers: SpeakerRoles = Field(
        default_factory=SpeakerRoles,
        description="Speaker labels of the interviewee and interviewer, for transcripts whose "
        "notes have no front matter naming them (e.g. interviewee: [Priya Shah]).",
    )
    prices: dict[str, dict[str, float]] = Field(default_factory=dict)
    replay: Path | None = Field(default=None, description="Answer from cassettes (offline).")

    @model_validator(mode="after")
    def _one_way_to_name_segments(self) -> Self:
        if self.icp is not None:
            if self.segments:
                raise ValueError("give either 'icp' and 'notes' or 'segments', not both")
            if not self.notes:
                raise ValueError("'icp' needs 'notes' (the interview notes folder)")
            self.segments = [Segment(icp=self.icp, notes=self.notes, personas=self.personas)]
        if not self.segments:
            raise ValueError("no segment: give 'icp' and 'notes', or 'segments'")
        return self

    def resolved(self, base: Path) -> Campaign:
        """A copy with every path made relative to `base` (the campaign file's folder)."""

        def fix(path: Path) -> Path:
            return path if path.is_absolute() else base / path

        segments = [
            s.model_copy(update={"icp": fix(s.icp), "notes": [fix(n) for n in s.notes]})
            for s in self.segments
        ]
        update: dict[str, Any] = {"segments": segments, "brief": fix(self.brief)}
        if self.replay is not None:
            update["replay"] = fix(self.replay)
        return self.model_copy(update=update)
