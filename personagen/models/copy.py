"""Campaign copy the model drafts: e-mail sequences, ads per channel, objection handling.

The validators enforce the hard rules, so instructor re-asks with the exact problem:
channel hard limits (from the channel registry, never literals here), merge tokens, the
claims guard, distinct variants, traceability to persona items, and no text starting like a
spreadsheet formula ('=', '+', '-', '@', full-width forms too; in the schema as well): copy
lands in CSV review sheets and import files, so "-30% fees" is written "30% lower fees" and
an X post does not open with an @mention. Recommended limits are
advice, not errors: `copy_warnings` lists them. The validation context, the copy rules
and the draft registry are in `models.copy_base` (re-exported here).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from personagen.models.copy_base import (
    BRIEF,
    DRAFT_MODELS,
    OBJECTION_COUNT,
    OBJECTION_IDS,
    OBJECTION_PREFIX,
    PERSONA_ITEM_IDS,
    PROOF_POINT_IDS,
    SCHEDULE,
    STEPS,
    TOKENS_TEXT,
    VARIANTS,
    BuyingStage,
    CopyPiece,
    Draft,
    addresses_field,
    assign_in_order,
    brief_of,
    context_of,
    copy_context,
    copy_warnings,
    draft_model,
    draft_model_for,
    limited_field,
    piece_model,
    require_distinct,
    text_field,
)

__all__ = [
    "BRIEF",
    "DRAFT_MODELS",
    "OBJECTION_COUNT",
    "OBJECTION_IDS",
    "PERSONA_ITEM_IDS",
    "PROOF_POINT_IDS",
    "SCHEDULE",
    "STEPS",
    "VARIANTS",
    "BattlecardDraft",
    "EmailSequenceDraft",
    "EmailStep",
    "GoogleRSA",
    "GoogleRSADraft",
    "LinkedInAd",
    "LinkedInAdDraft",
    "MetaAd",
    "MetaAdDraft",
    "ObjectionHandling",
    "ObjectionResponse",
    "XPost",
    "XPostDraft",
    "copy_context",
    "copy_warnings",
    "draft_model",
    "draft_model_for",
    "piece_model",
]


class EmailStep(CopyPiece):
    """One e-mail of an outbound sequence, written to one persona."""

    channel_id: ClassVar[str | None] = "email"

    day_offset: int = Field(
        default=0,
        ge=0,
        description="Days after the first e-mail that this one is sent; the first is 0.",
        json_schema_extra={"x-assigned": SCHEDULE},
    )
    subject: str = limited_field(
        "email", "subject", "Subject line: specific to the reader's situation, no clickbait."
    )
    preheader: str = limited_field(
        "email", "preheader", "Preview text shown after the subject; adds to it, never repeats it."
    )
    body: str = limited_field(
        "email",
        "body",
        "Plain-text body, written to one person, one idea, ending with the call to action. "
        f"Merge tokens allowed: {TOKENS_TEXT}. No signature or footer (added later).",
    )
    call_to_action: str = text_field("The single ask of this e-mail, in a few words.")
    addresses: list[str] = addresses_field()


class EmailSequenceDraft(Draft):
    """An outbound e-mail sequence for one persona, each step taking a new angle."""

    steps: list[EmailStep] = Field(
        min_length=1,
        description="The e-mails in sending order, each with a new angle.",
        json_schema_extra={"x-count": STEPS},
    )

    @model_validator(mode="before")
    @classmethod
    def _assign_days(cls, data: Any, info: ValidationInfo) -> Any:
        """The tool sets each e-mail's day from the campaign's schedule, in order."""
        return assign_in_order(data, "steps", "day_offset", context_of(info).get(SCHEDULE))

    @field_validator("steps")
    @classmethod
    def _schedule(cls, steps: list[EmailStep], info: ValidationInfo) -> list[EmailStep]:
        wanted = context_of(info).get(STEPS)
        if wanted is not None and len(steps) != wanted:
            raise ValueError(f"{len(steps)} e-mails given; write exactly {wanted}")
        if steps and steps[0].day_offset != 0:
            raise ValueError(f"step 1 has day_offset {steps[0].day_offset}; the first must be 0")
        for number, (before, after) in enumerate(zip(steps, steps[1:], strict=False), start=2):
            if after.day_offset <= before.day_offset:
                raise ValueError(
                    f"step {number} has day_offset {after.day_offset}, not after step "
                    f"{number - 1} ({before.day_offset}); day offsets must strictly increase"
                )
        require_distinct("step", [s.copy_text() for s in steps])
        return steps


class GoogleRSA(CopyPiece):
    """A Google responsive search ad: headlines and descriptions Google mixes and matches."""

    channel_id: ClassVar[str | None] = "google_rsa"

    headlines: list[str] = limited_field(
        "google_rsa",
        "headlines",
        "Headlines, each readable on its own in any order and combination.",
    )
    descriptions: list[str] = limited_field(
        "google_rsa", "descriptions", "Descriptions that expand on the headlines."
    )
    path1: str = limited_field(
        "google_rsa", "path1", "First display URL path word(s), e.g. 'finance'.", default=""
    )
    path2: str = limited_field(
        "google_rsa", "path2", "Second display URL path, e.g. 'close'.", default=""
    )
    addresses: list[str] = addresses_field()


class LinkedInAd(CopyPiece):
    """A LinkedIn single-image sponsored content ad."""

    channel_id: ClassVar[str | None] = "linkedin"

    intro_text: str = limited_field(
        "linkedin", "intro_text", "Introductory text above the image; the hook comes first."
    )
    headline: str = limited_field("linkedin", "headline", "Headline below the image.")
    description: str = limited_field("linkedin", "description", "Description below the headline.")
    addresses: list[str] = addresses_field()


class MetaAd(CopyPiece):
    """A Meta (Facebook / Instagram feed) single-image ad."""

    channel_id: ClassVar[str | None] = "meta"

    primary_text: str = limited_field(
        "meta", "primary_text", "Primary text above the image; the hook first."
    )
    headline: str = limited_field("meta", "headline", "Headline below the image.")
    description: str = limited_field("meta", "description", "Description below the headline.")
    addresses: list[str] = addresses_field()


class XPost(CopyPiece):
    """A promoted post on X."""

    channel_id: ClassVar[str | None] = "x"

    text: str = limited_field("x", "text", "The post.")
    addresses: list[str] = addresses_field()


class _VariantSet(Draft):
    """Variants of one ad for one persona: distinct angles, as many as asked for."""

    @field_validator("variants", check_fields=False)
    @classmethod
    def _distinct_variants(cls, variants: list[CopyPiece], info: ValidationInfo) -> list[CopyPiece]:
        wanted = context_of(info).get(VARIANTS)
        if wanted is not None and len(variants) != wanted:
            raise ValueError(f"{len(variants)} variants given; write exactly {wanted}")
        require_distinct("variant", [v.copy_text() for v in variants])
        return variants


_VARIANTS = "Ad variants, each taking a different angle (pain, goal, proof, objection)."


class GoogleRSADraft(_VariantSet):
    """Google responsive search ad variants for one persona."""

    variants: list[GoogleRSA] = Field(
        min_length=1, description=_VARIANTS, json_schema_extra={"x-count": VARIANTS}
    )


class LinkedInAdDraft(_VariantSet):
    """LinkedIn ad variants for one persona."""

    variants: list[LinkedInAd] = Field(
        min_length=1, description=_VARIANTS, json_schema_extra={"x-count": VARIANTS}
    )


class MetaAdDraft(_VariantSet):
    """Meta ad variants for one persona."""

    variants: list[MetaAd] = Field(
        min_length=1, description=_VARIANTS, json_schema_extra={"x-count": VARIANTS}
    )


class XPostDraft(_VariantSet):
    """Promoted X post variants for one persona."""

    variants: list[XPost] = Field(
        min_length=1, description=_VARIANTS, json_schema_extra={"x-count": VARIANTS}
    )


class ObjectionResponse(CopyPiece):
    """How a rep answers an objection: acknowledge, reframe, prove, ask."""

    acknowledge: str = text_field("Show you heard the concern, in the buyer's terms.")
    reframe: str = text_field("A different, honest way to look at it.")
    proof: str = text_field("Evidence from the brief's proof points; no other figures.")
    question: str = text_field(
        "An open question that moves the conversation on, ending with '?'.", ending=r"\?"
    )

    @field_validator("question")
    @classmethod
    def _is_question(cls, question: str) -> str:
        if not question.rstrip().endswith("?"):
            raise ValueError(f"question {question!r} does not end with '?'; ask a real question")
        return question


class ObjectionHandling(CopyPiece):
    """One persona objection, why it comes up, and how to answer it."""

    objection_id: str = Field(
        default="",
        description="Id of the persona's objection item, e.g. 'objection-2'.",
        json_schema_extra={"x-assigned": OBJECTION_IDS},
    )
    objection: str = text_field("The objection as the buyer would say it.")
    buying_stage: BuyingStage = Field(description="Where in the purchase it usually comes up.")
    why_they_raise_it: str = text_field("The worry or incentive behind the objection.")
    response: ObjectionResponse
    proof_point_ids: list[str] = Field(
        default_factory=list,
        description="Ids of the brief's proof points the response uses.",
        json_schema_extra={"x-ids": PROOF_POINT_IDS},
    )

    @field_validator("objection_id")
    @classmethod
    def _persona_objection(cls, objection_id: str, info: ValidationInfo) -> str:
        known = context_of(info).get(PERSONA_ITEM_IDS)
        if known is None or (not objection_id and OBJECTION_IDS in context_of(info)):
            return objection_id  # an answer beyond the persona's objections: counted below
        objections = sorted(i for i in known if i.startswith(OBJECTION_PREFIX))
        if objection_id not in objections:
            raise ValueError(
                f"objection_id {objection_id!r} is not an objection of this persona; use one of: "
                f"{', '.join(objections) or 'none (the persona has no objections)'}"
            )
        return objection_id

    @field_validator("proof_point_ids")
    @classmethod
    def _known_proof(cls, ids: list[str], info: ValidationInfo) -> list[str]:
        brief = brief_of(info)
        if brief is None:
            return ids
        unknown = [i for i in ids if i not in brief.proof_ids()]
        if unknown:
            raise ValueError(
                f"proof_point_ids {', '.join(repr(i) for i in unknown)} are not in the brief; "
                f"use only: {', '.join(sorted(brief.proof_ids())) or 'none'}"
            )
        return ids


class BattlecardDraft(CopyPiece):
    """A sales battlecard for one persona: a talk track and answers to their objections."""

    channel_id: ClassVar[str | None] = "objections"

    talk_track: str = limited_field(
        "objections", "talk_track", "What a rep says to open, in the persona's terms."
    )
    objections: list[ObjectionHandling] = Field(
        min_length=1,
        description="One entry per persona objection, in the order the objections are listed.",
        json_schema_extra={"x-count": OBJECTION_COUNT},
    )

    @model_validator(mode="before")
    @classmethod
    def _assign_objections(cls, data: Any, info: ValidationInfo) -> Any:
        """The tool names the objection each answer handles: the persona's, in order."""
        ids = context_of(info).get(OBJECTION_IDS)
        return assign_in_order(data, "objections", "objection_id", ids)

    @field_validator("objections")
    @classmethod
    def _each_once(
        cls, objections: list[ObjectionHandling], info: ValidationInfo
    ) -> list[ObjectionHandling]:
        wanted = context_of(info).get(OBJECTION_COUNT)
        if wanted is not None and len(objections) != wanted:
            raise ValueError(
                f"{len(objections)} objections answered; answer each of the {wanted} once"
            )
        ids = [o.objection_id for o in objections]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"objections repeated: {', '.join(repeated)}; answer each once")
        return objections


for _channel, _model in (
    ("email", EmailSequenceDraft),
    ("google_rsa", GoogleRSADraft),
    ("linkedin", LinkedInAdDraft),
    ("meta", MetaAdDraft),
    ("x", XPostDraft),
    ("objections", BattlecardDraft),
):
    draft_model(_channel)(_model)
