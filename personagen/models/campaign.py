"""A campaign file: what to run (segments, brief, channels) and how (model, limits, budget).

Paths in the file are relative to the file itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

from pydantic import Field, model_validator

from personagen.channels import channel_ids
from personagen.models.base import StrictModel
from personagen.models.note import SpeakerRoles
from personagen.settings import (
    DEFAULT_CONCURRENCY,
    Budget,
    Concurrency,
    ContextTokens,
    MaxOutputTokens,
    ModeName,
    PerMinute,
    Prices,
    ProviderName,
    Reasks,
    Temperature,
    Timeout,
)


class Segment(StrictModel):
    """One ICP with the interview notes about it."""

    icp: Path = Field(description="ICP file (YAML or JSON).")
    notes: list[Path] = Field(min_length=1, description="Notes folders or files.")
    personas: int = Field(default=3, ge=1, le=12, description="How many personas to build.")


class ModelSettings(StrictModel):
    """Which model to call and how: the campaign's `model:` section.

    Each field has the type and bounds of the `Settings` field of the same name.
    """

    provider: ProviderName | None = None
    model: str | None = None
    base_url: str | None = None
    mode: ModeName | None = None
    temperature: Temperature | None = None
    timeout: Timeout | None = None
    reasks: Reasks | None = None
    context_tokens: ContextTokens | None = None
    max_output_tokens: MaxOutputTokens | None = None


class RateLimits(StrictModel):
    """Client-side limits; set them to your provider tier's limits."""

    requests_per_minute: PerMinute | None = None
    tokens_per_minute: PerMinute | None = None


class Campaign(StrictModel):
    """Everything `personagen run` needs."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short slug of the campaign.")
    segments: list[Segment] = Field(default_factory=list)
    icp: Path | None = Field(default=None, description="Shorthand for one segment's ICP.")
    notes: list[Path] = Field(default_factory=list, description="Shorthand: its notes.")
    personas: int = Field(default=3, ge=1, le=12)
    brief: Path
    channels: list[str] = Field(
        default_factory=lambda: list(channel_ids()),
        description="Channels to write copy for (default: every channel in the registry).",
    )
    variants: int = Field(default=3, ge=1, le=10)
    steps: int = Field(default=4, ge=1, le=10)
    model: ModelSettings = Field(default_factory=ModelSettings)
    concurrency: Concurrency = DEFAULT_CONCURRENCY
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    budget_usd: Budget | None = None
    redact: bool = False
    speakers: SpeakerRoles = Field(
        default_factory=SpeakerRoles,
        description="Speaker labels of the interviewee and interviewer, for transcripts whose "
        "notes have no front matter naming them (e.g. interviewee: [Priya Shah]).",
    )
    prices: Prices = Field(default_factory=dict)
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

    def settings_values(self) -> dict[str, object]:
        """The model settings this file writes, by `Settings` field name.

        Only keys present in the file (a null is no value): an unwritten default never
        hides `config.yaml` or the environment. `replay` is left to the caller.
        """
        written: dict[str, object] = {}
        for section in (self.model, self.rate_limits):
            written |= {k: getattr(section, k) for k in sorted(section.model_fields_set)}
        for name in ("concurrency", "prices"):
            if name in self.model_fields_set:
                written[name] = getattr(self, name)
        return {k: v for k, v in written.items() if v is not None}

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
