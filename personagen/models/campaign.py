"""A campaign file: what to run (segments, brief, channels) and how (model, limits, budget).

Paths in the file are relative to the file itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from personagen.channels import channel_ids, unknown_channel_hint
from personagen.languages import LanguageTag
from personagen.models.base import StrictModel
from personagen.models.note import SpeakerRoles
from personagen.models.stages import stage_channels, stage_shapes
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


def _known_channel(name: str) -> str:
    """A channel id of the registry (or 'all'); the error suggests the closest id."""
    if name == "all" or name in channel_ids():
        return name
    raise ValueError(f"unknown channel {name!r}; {unknown_channel_hint(name, channel_ids())}")


ChannelId = Annotated[str, AfterValidator(_known_channel)]


class Segment(StrictModel):
    """One ICP with the interview notes about it."""

    icp: Path = Field(description="ICP file (YAML or JSON).")
    notes: list[Path] = Field(min_length=1, description="Notes folders or files.")
    personas: int = Field(default=3, ge=1, le=12, description="How many personas to build.")


class ModelSettings(StrictModel):
    """Which model to call and how: the campaign's `model:` section.

    Each field has the type and bounds of the `Settings` field of the same name.
    """

    provider: ProviderName | None = Field(
        default=None, description="openai, compatible (a local server), anthropic or replay."
    )
    model: str | None = Field(default=None, description="Model name, e.g. 'gpt-4.1-mini'.")
    base_url: str | None = Field(
        default=None, description="Address of an OpenAI-compatible server (Ollama, vLLM)."
    )
    mode: ModeName | None = Field(
        default=None, description="How answers are structured: tools, json, md_json or json_schema."
    )
    temperature: Temperature | None = Field(default=None, description="Sampling temperature.")
    timeout: Timeout | None = Field(default=None, description="Seconds to wait for one answer.")
    reasks: Reasks | None = Field(
        default=None, description="Times an invalid answer is sent back to be fixed."
    )
    context_tokens: ContextTokens | None = Field(
        default=None, description="The model's context window, in tokens."
    )
    max_output_tokens: MaxOutputTokens | None = Field(
        default=None, description="Most tokens one answer may have."
    )


class RateLimits(StrictModel):
    """Client-side limits; set them to your provider tier's limits."""

    requests_per_minute: PerMinute | None = Field(
        default=None, description="Most requests sent per minute."
    )
    tokens_per_minute: PerMinute | None = Field(
        default=None, description="Most tokens sent per minute."
    )


class Campaign(StrictModel):
    """Everything `personagen run` needs."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short slug of the campaign.")
    segments: list[Segment] = Field(
        default_factory=list, description="Several ICPs, each with its notes (or use 'icp')."
    )
    icp: Path | None = Field(default=None, description="Shorthand for one segment's ICP.")
    notes: list[Path] = Field(default_factory=list, description="Shorthand: its notes.")
    personas: int = Field(default=3, ge=1, le=12, description="Shorthand: personas to build.")
    brief: Path = Field(description="Brief file (YAML or JSON): product, offer, proof, voice.")
    channels: list[ChannelId] = Field(
        default_factory=lambda: list(channel_ids()),
        description="Channels to write copy for (default: every channel in the registry).",
    )
    stages: list[str] | dict[str, list[str] | None] | None = Field(
        default=None,
        description="Buyer journey stages to write copy for: a list (every channel at each "
        "stage) or a mapping of stage to its channels, e.g. {awareness: [linkedin, meta]}.",
    )
    variants: int = Field(default=3, ge=1, le=10, description="Ad variants per channel.")
    steps: int = Field(default=4, ge=1, le=10, description="E-mails in each sequence.")
    model: ModelSettings = Field(default_factory=ModelSettings)
    concurrency: Concurrency = Field(
        default=DEFAULT_CONCURRENCY, description="Model calls in flight at once."
    )
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    budget_usd: Budget | None = Field(
        default=None, description="Stop before spending more than this many US dollars."
    )
    redact: bool = Field(
        default=False, description="Replace names, e-mails and phones in notes before sending."
    )
    speakers: SpeakerRoles = Field(
        default_factory=SpeakerRoles,
        description="Speaker labels of the interviewee and interviewer, for transcripts whose "
        "notes have no front matter naming them (e.g. interviewee: [Priya Shah]).",
    )
    prices: Prices = Field(
        default_factory=dict,
        description="Per model: input, output, cached_input in USD per million tokens.",
    )
    replay: Path | None = Field(default=None, description="Answer from cassettes (offline).")
    language: LanguageTag | None = Field(
        default=None,
        description="Language of personas and copy, a BCP 47 tag (en, en-GB, de, de-AT, fr, "
        "es); wins over the brief's language, --language wins over it. Default: en.",
    )
    update: bool = Field(
        default=False,
        description="Refresh the output folder's personas with these notes (a changelog says "
        "what changed) instead of starting over; copy is regenerated only where it changed.",
    )

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
        self.stage_channels()
        return self

    @field_validator("stages", mode="before")
    @classmethod
    def _stage_shapes(cls, stages: object) -> object:
        return stage_shapes(stages)

    def stage_channels(self) -> dict[str, list[str]]:
        """Each stage with the channels written for it ({} without stages); ValueError
        names an unknown or repeated stage, or a channel the campaign lacks."""
        return stage_channels(self.stages, self.channels)

    def settings_values(self) -> dict[str, object]:
        """The model settings this file writes, by `Settings` field name.

        Only keys present in the file (a null is no value): an unwritten default never
        hides `config.yaml` or the environment. `replay` is left to the caller.
        """
        written: dict[str, object] = {}
        for section in (self.model, self.rate_limits):
            written |= {k: getattr(section, k) for k in sorted(section.model_fields_set)}
        for name in ("concurrency", "prices", "language"):
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
