"""Buyer personas: what the model drafts, and what personagen stores.

Evidence is cited by reference, never copied: extraction cites the numbers of the
interviewee's sentences in a note, synthesis cites the extracted insights by id, and the
tool attaches the exact words. The response contract allows only existing numbers and
ids, so a fabricated quote cannot be written. Stored models add ids, confidence, the
attached quotes and the items that were rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from personagen.languages import LanguageTag
from personagen.models.base import StrictModel
from personagen.models.note import Note
from personagen.text import MAX_NAME, formula_trigger


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
# Validation context keys, also filled into the response contract (models.contract).
SENTENCES = "sentences"  # (first, last) citable sentence numbers of an extraction call
INSIGHT_IDS = "insight_ids"  # the ids synthesis may cite
COUNT = "count"  # how many personas to write
# Validators are built on first use (as `StrictModel`'s): lint and show load this module
# but never validate a draft.
_BUILT_ON_USE = ConfigDict(defer_build=True)


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    context = info.context
    return context if isinstance(context, Mapping) else {}


class Evidence(BaseModel):
    """A customer's exact words from one interview note, attached by the tool."""

    model_config = _BUILT_ON_USE

    note_id: str = Field(description="Id of the note the quote comes from.")
    quote: str = Field(description="The interviewee's exact words (whole sentences).")
    sentences: list[int] = Field(
        default_factory=list, description="Numbers of the cited sentences in the note."
    )


class DraftItem(BaseModel):
    """One claim about the persona with the insights that support it."""

    model_config = _BUILT_ON_USE

    text: str = Field(
        description="The claim, in one short sentence.", json_schema_extra={"minLength": 1}
    )
    evidence: list[str] = Field(
        min_length=1,
        description="Ids of the insights that support the claim (e.g. 'cfo-helen.3'); cite "
        "every insight that says it: claims backed by more notes are trusted more.",
        json_schema_extra={"x-ids": INSIGHT_IDS},
    )

    @field_validator("evidence")
    @classmethod
    def _known_insights(cls, evidence: list[str], info: ValidationInfo) -> list[str]:
        known = _context(info).get(INSIGHT_IDS)
        if known is not None:
            unknown = [i for i in evidence if i not in known]
            if unknown:
                raise ValueError(
                    f"unknown insight ids {', '.join(repr(i) for i in unknown)}; cite only "
                    "the ids listed with the insights"
                )
        return list(dict.fromkeys(evidence))


class PersonaDraft(BaseModel):
    """A buyer persona in which every claim is backed by customers' own words."""

    model_config = _BUILT_ON_USE

    name: str = Field(
        description="A semi-fictional first and last name, e.g. 'Revenue Rita'.",
        json_schema_extra={"minLength": 1, "maxLength": 60},
    )
    title: str = Field(
        description="Job title, e.g. 'VP of Marketing'.",
        json_schema_extra={"minLength": 1, "maxLength": 80},
    )
    seniority: Seniority
    department: str = Field(
        description="Department or function, e.g. 'Marketing'.",
        json_schema_extra={"minLength": 1, "maxLength": 80},
    )
    buying_role: BuyingRole = Field(description="The persona's part in the buying decision.")
    summary: str = Field(
        description="Two sentences describing who this person is.",
        json_schema_extra={"minLength": 1},
    )
    responsibilities: list[DraftItem] = Field(description="Responsibilities and daily tasks.")
    goals: list[DraftItem] = Field(
        description="Goals and the KPIs they are measured on.", json_schema_extra={"minItems": 1}
    )
    pain_points: list[DraftItem] = Field(
        description="Pain points and challenges.", json_schema_extra={"minItems": 1}
    )
    channels: list[DraftItem] = Field(
        description="Where they prefer to hear from vendors and learn (email, LinkedIn, ...)."
    )
    objections: list[DraftItem] = Field(
        description="Objections they raise when buying.", json_schema_extra={"minItems": 1}
    )
    motivations: list[DraftItem] = Field(description="Motivations and buying triggers.")
    characteristics: list[str] = Field(
        default_factory=list, description="Optional personal characteristics (not claims)."
    )

    @field_validator("name", "title", "department")
    @classmethod
    def _label(cls, value: str, info: ValidationInfo) -> str:
        """Names and titles become ad groups, sheet cells and file names: the schema's length
        holds, and no formula trigger comes first."""
        field = info.field_name or ""
        extra = cls.model_fields[field].json_schema_extra
        most = extra.get("maxLength") if isinstance(extra, dict) else None
        if isinstance(most, int) and len(value) > most:
            raise ValueError(f"{field} has {len(value)} characters; write at most {most}")
        return _no_formula(field, value)


def _no_formula(field: str, value: str) -> str:
    trigger = formula_trigger(value)
    if trigger is not None:
        raise ValueError(
            f"{field} starts with {trigger!r}, which spreadsheets read as a formula; "
            "start with a letter"
        )
    return value


class PersonaSetDraft(BaseModel):
    """The distinct buyer personas found across all interview notes."""

    model_config = _BUILT_ON_USE

    personas: list[PersonaDraft] = Field(min_length=1, json_schema_extra={"x-count": COUNT})

    @field_validator("personas")
    @classmethod
    def _how_many(cls, personas: list[PersonaDraft], info: ValidationInfo) -> list[PersonaDraft]:
        wanted = _context(info).get(COUNT)
        if wanted is not None and len(personas) != wanted:
            raise ValueError(f"{len(personas)} personas written; write exactly {wanted}")
        return personas


class InsightDraft(BaseModel):
    """One thing the interviewee said about their work, cited by sentence number."""

    model_config = _BUILT_ON_USE

    kind: Section = Field(description="Which part of a persona this informs.")
    text: str = Field(
        description="What the cited sentences tell us, in one short sentence.",
        json_schema_extra={"minLength": 1},
    )
    sentences: list[int] = Field(
        min_length=1,
        max_length=3,
        description="Numbers of the interviewee's sentences that say it (shown as [n] in the "
        "note); cite whole sentences, never the interviewer.",
        json_schema_extra={"x-range": SENTENCES, "uniqueItems": True},
    )

    @field_validator("sentences")
    @classmethod
    def _citable(cls, sentences: list[int], info: ValidationInfo) -> list[int]:
        bounds = _context(info).get(SENTENCES)
        if bounds is not None:
            low, high = bounds
            outside = [n for n in sentences if not low <= n <= high]
            if outside:
                raise ValueError(
                    f"sentences {', '.join(map(str, outside))} are not citable here; cite "
                    f"only the numbered sentences [{low}] to [{high}] of this note"
                )
        return sorted(set(sentences))


class NoteInsights(BaseModel):
    """What one interview note says about the interviewee's role, goals, pains and buying."""

    model_config = _BUILT_ON_USE

    role: str | None = Field(default=None, description="The interviewee's job title, if stated.")
    insights: list[InsightDraft] = Field(
        description="Every insight the numbered sentences support.",
        json_schema_extra={"minItems": 1},
    )


class Insight(StrictModel):
    """An extracted insight with the words the tool attached: what synthesis may cite.

    `evidence` holds one quote per run of consecutive cited sentences, each verbatim.
    """

    id: str = Field(description="'<note id>.<number>', e.g. 'cfo-helen.3'.")
    note_id: str
    kind: Section
    text: str
    evidence: list[Evidence]

    @property
    def quote(self) -> str:
        """The cited words for a prompt ('...' between runs that are not consecutive)."""
        return " [...] ".join(e.quote for e in self.evidence)


class Item(StrictModel):
    """A stored persona claim with its evidence and confidence."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable id within the persona, e.g. 'pain-2'."
    )
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


class NoteSource(StrictModel):
    """Where a cited note comes from and on what terms (its front matter; never sent)."""

    note_id: str
    source: str | None = None
    licence: str | None = None
    tags: list[str] = Field(default_factory=list)


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
    notes: list[NoteSource] = Field(
        default_factory=list,
        description="Cited notes whose front matter gives a source, licence or tags.",
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
    language: LanguageTag | None = Field(
        default=None,
        description="BCP 47 tag of the persona's own text (none: en); quotes stay in the "
        "language spoken.",
    )

    @field_validator("name", "title")
    @classmethod
    def _label(cls, value: str, info: ValidationInfo) -> str:
        """A name or title is an ad group and a sheet cell: no formula trigger first."""
        return _no_formula(info.field_name or "", value)

    @field_validator("id")
    @classmethod
    def _file_name(cls, value: str) -> str:
        """The id names the persona's files: short enough for every file system."""
        if len(value) > MAX_NAME:
            raise ValueError(f"id has {len(value)} characters; at most {MAX_NAME} (it names files)")
        return value

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


def note_sources(persona: Persona, notes: Sequence[Note]) -> list[NoteSource]:
    """The source, licence and tags of each note the persona cites (those that give any)."""
    cited = {n for items in persona.items().values() for item in items for n in item.note_ids}
    return [
        NoteSource(note_id=n.id, source=n.meta.source, licence=n.meta.licence, tags=n.meta.tags)
        for n in notes
        if n.id in cited and (n.meta.source or n.meta.licence or n.meta.tags)
    ]
