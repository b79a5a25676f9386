"""Stored copy: a validated draft with its persona, channel, warnings and provenance."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from personagen.checks.findings import Finding
from personagen.languages import LanguageTag
from personagen.models.base import StrictModel
from personagen.models.copy import draft_model_for
from personagen.models.persona import Provenance


class RejectedPart(StrictModel):
    """A part of the answer (a variant, an e-mail, an objection) left out as invalid."""

    path: str = Field(description="Where it was in the answer, e.g. 'variants[2]'.")
    problems: list[str] = Field(description="What was wrong, one sentence per problem.")


class CopyArtifact(StrictModel):
    """One persona's copy for one channel (and stage), as written to
    `copy/<persona>/<channel>.json` or `copy/<persona>/<stage>/<channel>.json`."""

    persona_id: str
    persona_name: str
    persona_title: str
    channel: str = Field(description="Channel id from the registry.")
    stage: str | None = Field(
        default=None, description="Buyer journey stage the copy is for (none: every stage)."
    )
    brief_id: str
    language: LanguageTag | None = Field(
        default=None, description="BCP 47 tag of the copy's language (none: en)."
    )
    draft: dict[str, Any] = Field(description="The validated draft (see `personagen schema`).")
    footer: str | None = Field(
        default=None, description="Compliance footer the tool appends to every email."
    )
    final_url: str | None = Field(default=None, description="Landing page of ads.")
    tracked_urls: list[str] | None = Field(
        default=None,
        description="The landing page with the brief's utm tags, per ad variant or e-mail.",
    )
    warnings: list[Finding] = Field(default_factory=list)
    rejected: list[RejectedPart] = Field(
        default_factory=list, description="Parts of the answer left out because they failed."
    )
    provenance: Provenance

    def parsed(self) -> BaseModel:
        """The draft as its channel's model (validated without a context)."""
        return draft_model_for(self.channel).model_validate(self.draft)
