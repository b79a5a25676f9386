"""Buyer personas: what the model drafts, and what personagen stores.

Draft models are the response models sent to the model; their validators check grounding
against the notes in the validation context (`{"notes": {note_id: normalized text}}`), so
instructor re-asks with the exact failing quote. Stored models add ids, confidence and
the items that were rejected.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from personagen.checks.grounding import quote_problem
from personagen.models.base import StrictModel


class BuyingRole(StrEnum):
    """The part a persona plays in a B2B purchase."""

    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    END_USER = "end_user"
    BLOCKER = "blocker"


Seniority = Literal["individual_contributor", "manager", "director", "vp", "c_level", "founder"]
Confidence = Literal["high", "medium", "low"]
SECTIONS = (
    "responsibilities",
    "goals",
    "pain_points",
    "channels",
    "objections",
    "motivations",
)
Section = Literal[
    "responsibilities", "goals", "pain_points", "channels", "objections", "motivations"
]


def check_grounded(quote: str, note_id: str, info: ValidationInfo) -> None:
    """Raise ValueError when the validation context's notes do not contain the quote."""
    notes = (info.context or {}).get("notes")
    if notes is None:
        return
    problem = quote_problem(quote, note_id, notes)
    if problem:
        raise ValueError(problem)


class Evidence(BaseModel):
    """A verbatim quote from one interview note that supports a claim."""

    note_id: str = Field(description="Id of the note the quote comes from (given in the notes).")
    quote: str = Field(
        description="The customer's exact words, copied verbatim from that note "
        "(at least 3 words; no paraphrase, no ellipsis)."
    )

    @field_validator("quote")
    @classmethod
    def _grounded(cls, quote: str, info: ValidationInfo) -> str:
        check_grounded(quote, info.data.get("note_id", ""), info)
        return quote


class DraftItem(BaseModel):
    """One claim about the persona with the quotes that support it."""

    text: str = Field(description="The claim, in one short sentence.")
    evidence: list[Evidence] = Field(
        min_length=1,
        description="Quotes that support the claim; cite every note that says it.",
    )


class PersonaDraft(BaseModel):
    """A buyer persona in which every claim is backed by customers' own words."""

    name: str = Field(description="A semi-fictional first and last name, e.g. 'Revenue Rita'.")
    title: str = Field(description="Job title, e.g. 'VP of Marketing'.")
    seniority: Seniority
    department: str = Field(description="Department or function, e.g. 'Marketing'.")
    buying_role: BuyingRole = Field(description="The persona's part in the buying decision.")
    summary: str = Field(description="Two sentences describing who this person is.")
    responsibilities: list[DraftItem] = Field(description="Responsibilities and daily tasks.")
    goals: list[DraftItem] = Field(description="Goals and the KPIs they are measured on.")
    pain_points: list[DraftItem] = Field(description="Pain points and challenges.")
    channels: list[DraftItem] = Field(
        description="Where they prefer to hear from vendors and learn (email, LinkedIn, ...)."
    )
    objections: list[DraftItem] = Field(description="Objections they raise when buying.")
    motivations: list[DraftItem] = Field(description="Motivations and buying triggers.")
    characteristics: list[str] = Field(
        default_factory=list, description="Optional personal characteristics (not claims)."
    )


class PersonaSetDraft(BaseModel):
    """The distinct buyer personas found across all interview notes."""

    personas: list[PersonaDraft] = Field(min_length=1)


class Insight(BaseModel):
    """One thing an interviewee said about their work, with the exact quote."""

    kind: Section = Field(description="Which part of a persona this informs.")
    text: str = Field(description="What the quote tells us, in one short sentence.")
    quote: str = Field(description="The interviewee's exact words from this note (3+ words).")

    @field_validator("quote")
    @classmethod
    def _grounded(cls, quote: str, info: ValidationInfo) -> str:
        check_grounded(quote, (info.context or {}).get("note_id", ""), info)
        return quote


class NoteInsights(BaseModel):
    """What one interview note says about the interviewee's role, goals, pains and buying."""

    role: str | None = Field(default=None, description="The interviewee's job title, if stated.")
    insights: list[Insight] = Field(description="Every grounded insight in the note.")


class Item(StrictModel):
    """A stored persona claim with its evidence and confidence."""

    id: str = Field(description="Stable id within the persona, e.g. 'pain-2'.")
    text: str
    evidence: list[Evidence] = Field(min_length=1)
    confidence: Confidence

    @property
    def note_ids(self) -> set[str]:
        """Distinct notes that support this item."""
        return {e.note_id for e in self.evidence}


class Rejected(StrictModel):
    """A claim dropped because its evidence did not hold."""

    section: str
    text: str
    evidence: list[Evidence] = Field(default_factory=list)
    reason: str


class Provenance(StrictModel):
    """How an artifact was produced."""

    model: str
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    created: dt.datetime
    answers: list[str] = Field(
        default_factory=list,
        description="Where the model answers came from: live model, response cache, "
        "recorded cassette or hand-written cassette (not model output).",
    )

    def label(self) -> str:
        """'gpt-4.1-mini (hand-written cassette)': the model and where answers came from."""
        sources = ", ".join(self.answers)
        return f"{self.model} ({sources})" if sources else self.model


class Persona(StrictModel):
    """A validated buyer persona, every claim grounded in a verbatim quote."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    icp_id: str
    name: str
    title: str
    seniority: Seniority
    department: str
    buying_role: BuyingRole
    summary: str
    responsibilities: list[Item] = Field(default_factory=list)
    goals: list[Item] = Field(default_factory=list)
    pain_points: list[Item] = Field(default_factory=list)
    channels: list[Item] = Field(default_factory=list)
    objections: list[Item] = Field(default_factory=list)
    motivations: list[Item] = Field(default_factory=list)
    characteristics: list[str] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    provenance: Provenance | None = None

    def items(self) -> dict[str, list[Item]]:
        """Claim sections by name."""
        return {section: getattr(self, section) for section in SECTIONS}

    def item(self, item_id: str) -> Item | None:
        """Find an item by id in any section."""
        for items in self.items().values():
            for candidate in items:
                if candidate.id == item_id:
                    return candidate
        return None
