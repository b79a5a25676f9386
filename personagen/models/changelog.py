"""What a persona refresh changed: per persona, each claim's status and the quotes behind it.

Written as `personas/CHANGELOG.json` (and rendered as `CHANGELOG.md`) by a refresh; the
previous personas it compares against are kept in `personas/history/<stamp>/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from personagen.models.base import StrictModel
from personagen.models.persona import Evidence

ClaimStatus = Literal["new", "strengthened", "weakened", "no longer supported", "unchanged"]
PersonaStatus = Literal["new", "updated", "unchanged", "merged", "removed"]


class ClaimChange(StrictModel):
    """One claim of a persona and how its support changed."""

    section: str
    item_id: str
    status: ClaimStatus
    text: str
    notes_before: list[str] = Field(default_factory=list, description="Supporting notes before.")
    notes_after: list[str] = Field(default_factory=list, description="Supporting notes now.")
    quotes_added: list[Evidence] = Field(
        default_factory=list, description="Quotes that support the claim now and did not before."
    )
    quotes_removed: list[Evidence] = Field(
        default_factory=list, description="Quotes that supported it before and no longer do."
    )


class PersonaChange(StrictModel):
    """A persona of either set: new, updated, unchanged, merged into another, or removed."""

    persona_id: str
    name: str
    title: str
    status: PersonaStatus
    merged_into: str | None = Field(default=None, description="For a merged persona.")
    merged_from: list[str] = Field(
        default_factory=list, description="Earlier personas whose evidence this one took in."
    )
    claims: list[ClaimChange] = Field(default_factory=list)

    def changed(self) -> list[ClaimChange]:
        """The claims whose status is anything but unchanged."""
        return [c for c in self.claims if c.status != "unchanged"]


class Changelog(StrictModel):
    """What one refresh changed, against the personas kept in `previous`."""

    created: dt.datetime
    previous: str = Field(description="Folder (under personas/) holding the earlier personas.")
    notes_added: list[str] = Field(default_factory=list)
    notes_removed: list[str] = Field(default_factory=list)
    personas: list[PersonaChange] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many claims have each status, across personas."""
        counts: dict[str, int] = {}
        for persona in self.personas:
            for claim in persona.claims:
                counts[claim.status] = counts.get(claim.status, 0) + 1
        return counts
