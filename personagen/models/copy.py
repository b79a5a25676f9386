"""Campaign copy the model drafts: e-mail sequences, ads per channel, objection handling.

The validators enforce the hard rules, so instructor re-asks with the exact problem:
channel hard limits (from the channel registry, never literals here), merge tokens, the
claims guard, distinct variants and traceability to persona items. Recommended limits are
advice, not errors: `copy_warnings` lists them.

Validation context (`Model.model_validate(data, context=...)`, see `copy_context`); the
same keys fill the response contract (`models.contract`), so what the model is told it may
answer and what the validators accept come from one place:

- "brief": the Brief; turns on the claims guard;
- "persona_item_ids": the persona's item ids ('pain-1', 'goal-2', 'objection-1');
  `addresses` must use them (an enum in the schema);
- "proof_point_ids": the brief's proof point ids (an enum in the schema);
- "variants" / "steps": how many variants or e-mails a draft holds (an exact count);
- "schedule": the day of each e-mail, assigned by the tool in order;
- "objection_ids": the persona's objections, answered in this order (ids assigned by the
  tool, so each is answered exactly once).

Without a key its checks are skipped, so stored copy can be re-read without the context.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from personagen.channels import get_channel, limit_text, schema_keywords
from personagen.checks.claims import find_unsupported_claims
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields
from personagen.checks.similarity import DEFAULT_THRESHOLD, near_duplicates
from personagen.checks.tokens import ALLOWED_TOKENS, token_problems
from personagen.models.brief import Brief

BRIEF = "brief"
PERSONA_ITEM_IDS = "persona_item_ids"
PROOF_POINT_IDS = "proof_point_ids"
VARIANTS = "variants"
STEPS = "steps"
SCHEDULE = "schedule"
OBJECTION_IDS = "objection_ids"
OBJECTION_COUNT = "objection_count"
# Persona objection items carry this id prefix ('objection-1').
OBJECTION_PREFIX = "objection-"

BuyingStage = Literal["awareness", "consideration", "decision", "procurement", "renewal"]

_TOKENS = ", ".join("{{" + name + "}}" for name in ALLOWED_TOKENS)


def copy_context(
    brief: Brief | None,
    persona_item_ids: Collection[str] | None,
    variants: int | None = None,
    *,
    schedule: Sequence[int] | None = None,
    objection_ids: Sequence[str] | None = None,
) -> dict[str, object]:
    """The validation context (and contract data) for the copy models."""
    context: dict[str, object] = {}
    if brief is not None:
        context[BRIEF] = brief
        context[PROOF_POINT_IDS] = [p.id for p in brief.proof_points]
    if persona_item_ids is not None:
        context[PERSONA_ITEM_IDS] = sorted(persona_item_ids, key=_id_order)
    if variants is not None:
        context[VARIANTS] = variants
    if schedule is not None:
        context[SCHEDULE] = list(schedule)
        context[STEPS] = len(schedule)
    if objection_ids is not None:
        context[OBJECTION_IDS] = list(objection_ids)
        context[OBJECTION_COUNT] = len(objection_ids)
    return context


def _id_order(item_id: str) -> tuple[str, int]:
    """'pain-10' after 'pain-9'."""
    prefix, _, number = item_id.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (item_id, 0)


def _text(description: str) -> Any:
    """A required free-text field: not empty (its rules are the copy rules)."""
    return Field(description=description, json_schema_extra={"minLength": 1})


def _limited(channel_id: str, name: str, description: str, **field: Any) -> Any:
    """A field with the channel registry's limits, in prose and in the response schema."""
    required = "default" not in field
    return Field(
        description=f"{description} {limit_text(channel_id, name)}".strip(),
        json_schema_extra=schema_keywords(channel_id, name, required=required),
        **field,
    )


def _addresses() -> Any:
    return Field(
        min_length=1, description=_ADDRESSES, json_schema_extra={"x-ids": PERSONA_ITEM_IDS}
    )


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    context = info.context
    return context if isinstance(context, Mapping) else {}


def _brief(info: ValidationInfo) -> Brief | None:
    brief = _context(info).get(BRIEF)
    return brief if isinstance(brief, Brief) else None


def _errors(findings: Sequence[Finding]) -> list[str]:
    return [f"{f.message} ({f.fix})" for f in findings if f.severity == "error"]


def _fail(findings: Sequence[Finding]) -> None:
    errors = _errors(findings)
    if errors:
        raise ValueError("\n".join(errors))


class _Draft(BaseModel):
    """Base of drafted copy: surrounding whitespace is not part of a length."""

    model_config = ConfigDict(str_strip_whitespace=True)


class _Copy(_Draft):
    """Copy whose text fields follow the token and claims rules, and the channel's limits."""

    channel_id: ClassVar[str | None] = None
    # Ids and labels, not text a reader sees; 'objection' restates the buyer's own words.
    not_copy: ClassVar[frozenset[str]] = frozenset(
        {"addresses", "objection_id", "objection", "proof_point_ids", "buying_stage"}
    )

    @field_validator("*")
    @classmethod
    def _copy_rules(cls, value: object, info: ValidationInfo) -> object:
        field = info.field_name or ""
        texts = _texts(value)
        if field in cls.not_copy or texts is None:
            return value
        empty = [i for i, text in enumerate(texts, start=1) if not text]
        if empty and cls.model_fields[field].is_required():
            where = field if isinstance(value, str) else f"{field}[{empty[0]}]"
            raise ValueError(f"{where} is empty; write it")
        # Every problem of the field goes into one error, so one re-ask can fix them all.
        problems: list[str] = []
        if cls.channel_id is not None and field in get_channel(cls.channel_id).field_names():
            # A field's dependency on another is checked once all fields are in (below).
            findings = check_fields(cls.channel_id, {field: value})
            problems += _errors([f for f in findings if f.rule != "requires-field"])
        brief = _brief(info)
        for index, text in enumerate(texts, start=1):
            where = field if isinstance(value, str) else f"{field}[{index}]"
            found = token_problems(text)
            if brief is not None:
                found += find_unsupported_claims(text, **brief.claims_context())
            problems += [f"{where}: {problem}" for problem in found]
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @field_validator("addresses", check_fields=False)
    @classmethod
    def _known_items(cls, addresses: list[str], info: ValidationInfo) -> list[str]:
        known = _context(info).get(PERSONA_ITEM_IDS)
        if known is None:
            return list(dict.fromkeys(addresses))
        unknown = [item for item in addresses if item not in known]
        if unknown:
            raise ValueError(
                f"unknown persona item ids in addresses: {', '.join(repr(i) for i in unknown)}; "
                f"use only these ids: {', '.join(known)}"
            )
        return list(dict.fromkeys(addresses))

    @model_validator(mode="after")
    def _field_dependencies(self) -> Self:
        if self.channel_id is not None:
            values = {name: getattr(self, name) for name in type(self).model_fields}
            findings = check_fields(self.channel_id, values)
            _fail([f for f in findings if f.rule == "requires-field"])
        return self

    def copy_text(self) -> str:
        """All reader-facing text of this copy, one field per line (for similarity)."""
        lines: list[str] = []
        for name in type(self).model_fields:
            texts = _texts(getattr(self, name))
            if name not in self.not_copy and texts:
                lines += texts
        return "\n".join(lines)


def _texts(value: object) -> list[str] | None:
    """The strings of a text field (a str or a list of str), or None for other fields."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


_ADDRESSES = (
    "Ids of the persona items this copy speaks to (e.g. 'pain-2', 'goal-1', 'objection-1'); "
    "use only ids listed in the persona."
)


class EmailStep(_Copy):
    """One e-mail of an outbound sequence, written to one persona."""

    channel_id: ClassVar[str | None] = "email"

    day_offset: int = Field(
        default=0,
        ge=0,
        description="Days after the first e-mail that this one is sent; the first is 0.",
        json_schema_extra={"x-assigned": SCHEDULE},
    )
    subject: str = _limited(
        "email", "subject", "Subject line: specific to the reader's situation, no clickbait."
    )
    preheader: str = _limited(
        "email", "preheader", "Preview text shown after the subject; adds to it, never repeats it."
    )
    body: str = _limited(
        "email",
        "body",
        "Plain-text body, written to one person, one idea, ending with the call to action. "
        f"Merge tokens allowed: {_TOKENS}. No signature or footer (added later).",
    )
    call_to_action: str = _text("The single ask of this e-mail, in a few words.")
    addresses: list[str] = _addresses()


class EmailSequenceDraft(_Draft):
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
        schedule = _context(info).get(SCHEDULE)
        steps = data.get("steps") if isinstance(data, dict) else None
        if schedule is None or not isinstance(steps, list):
            return data
        dated = [
            {**step, "day_offset": day} if isinstance(step, dict) else step
            for step, day in zip(steps, schedule, strict=False)
        ]
        return {**data, "steps": dated + steps[len(schedule) :]}

    @field_validator("steps")
    @classmethod
    def _schedule(cls, steps: list[EmailStep], info: ValidationInfo) -> list[EmailStep]:
        wanted = _context(info).get(STEPS)
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
        _distinct("step", [s.copy_text() for s in steps])
        return steps


def _distinct(noun: str, texts: Sequence[str]) -> None:
    """Raise ValueError naming the first pair of near-duplicate texts."""
    pairs = near_duplicates(texts, DEFAULT_THRESHOLD)
    if pairs:
        i, j, overlap = pairs[0]
        raise ValueError(
            f"{noun}s {i + 1} and {j + 1} share {overlap:.0%} of their words (limit "
            f"{DEFAULT_THRESHOLD:.0%}); rewrite {noun} {j + 1} with a different angle"
        )


class GoogleRSA(_Copy):
    """A Google responsive search ad: headlines and descriptions Google mixes and matches."""

    channel_id: ClassVar[str | None] = "google_rsa"

    headlines: list[str] = _limited(
        "google_rsa",
        "headlines",
        "Headlines, each readable on its own in any order and combination.",
    )
    descriptions: list[str] = _limited(
        "google_rsa", "descriptions", "Descriptions that expand on the headlines."
    )
    path1: str = _limited(
        "google_rsa", "path1", "First display URL path word(s), e.g. 'finance'.", default=""
    )
    path2: str = _limited(
        "google_rsa", "path2", "Second display URL path, e.g. 'close'.", default=""
    )
    addresses: list[str] = _addresses()


class LinkedInAd(_Copy):
    """A LinkedIn single-image sponsored content ad."""

    channel_id: ClassVar[str | None] = "linkedin"

    intro_text: str = _limited(
        "linkedin", "intro_text", "Introductory text above the image; the hook comes first."
    )
    headline: str = _limited("linkedin", "headline", "Headline below the image.")
    description: str = _limited("linkedin", "description", "Description below the headline.")
    addresses: list[str] = _addresses()


class MetaAd(_Copy):
    """A Meta (Facebook / Instagram feed) single-image ad."""

    channel_id: ClassVar[str | None] = "meta"

    primary_text: str = _limited(
        "meta", "primary_text", "Primary text above the image; the hook first."
    )
    headline: str = _limited("meta", "headline", "Headline below the image.")
    description: str = _limited("meta", "description", "Description below the headline.")
    addresses: list[str] = _addresses()


class XPost(_Copy):
    """A promoted post on X."""

    channel_id: ClassVar[str | None] = "x"

    text: str = _limited("x", "text", "The post.")
    addresses: list[str] = _addresses()


class _VariantSet(_Draft):
    """Variants of one ad for one persona: distinct angles, as many as asked for."""

    @field_validator("variants", check_fields=False)
    @classmethod
    def _distinct_variants(cls, variants: list[_Copy], info: ValidationInfo) -> list[_Copy]:
        wanted = _context(info).get(VARIANTS)
        if wanted is not None and len(variants) != wanted:
            raise ValueError(f"{len(variants)} variants given; write exactly {wanted}")
        _distinct("variant", [v.copy_text() for v in variants])
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


class ObjectionResponse(_Copy):
    """How a rep answers an objection: acknowledge, reframe, prove, ask."""

    acknowledge: str = _text("Show you heard the concern, in the buyer's terms.")
    reframe: str = _text("A different, honest way to look at it.")
    proof: str = _text("Evidence from the brief's proof points; no other figures.")
    question: str = Field(
        description="An open question that moves the conversation on, ending with '?'.",
        json_schema_extra={"pattern": r"^.*\?$"},
    )

    @field_validator("question")
    @classmethod
    def _is_question(cls, question: str) -> str:
        if not question.rstrip().endswith("?"):
            raise ValueError(f"question {question!r} does not end with '?'; ask a real question")
        return question


class ObjectionHandling(_Copy):
    """One persona objection, why it comes up, and how to answer it."""

    objection_id: str = Field(
        default="",
        description="Id of the persona's objection item, e.g. 'objection-2'.",
        json_schema_extra={"x-assigned": OBJECTION_IDS},
    )
    objection: str = _text("The objection as the buyer would say it.")
    buying_stage: BuyingStage = Field(description="Where in the purchase it usually comes up.")
    why_they_raise_it: str = _text("The worry or incentive behind the objection.")
    response: ObjectionResponse
    proof_point_ids: list[str] = Field(
        default_factory=list,
        description="Ids of the brief's proof points the response uses.",
        json_schema_extra={"x-ids": PROOF_POINT_IDS},
    )

    @field_validator("objection_id")
    @classmethod
    def _persona_objection(cls, objection_id: str, info: ValidationInfo) -> str:
        known = _context(info).get(PERSONA_ITEM_IDS)
        if known is None or (not objection_id and OBJECTION_IDS in _context(info)):
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
        brief = _brief(info)
        if brief is None:
            return ids
        unknown = [i for i in ids if i not in brief.proof_ids()]
        if unknown:
            raise ValueError(
                f"proof_point_ids {', '.join(repr(i) for i in unknown)} are not in the brief; "
                f"use only: {', '.join(sorted(brief.proof_ids())) or 'none'}"
            )
        return ids


class BattlecardDraft(_Copy):
    """A sales battlecard for one persona: a talk track and answers to their objections."""

    channel_id: ClassVar[str | None] = "objections"

    talk_track: str = _limited(
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
        ids = _context(info).get(OBJECTION_IDS)
        handled = data.get("objections") if isinstance(data, dict) else None
        if ids is None or not isinstance(handled, list):
            return data
        named = [
            {**item, "objection_id": objection_id} if isinstance(item, dict) else item
            for item, objection_id in zip(handled, ids, strict=False)
        ]
        return {**data, "objections": named + handled[len(ids) :]}

    @field_validator("objections")
    @classmethod
    def _each_once(
        cls, objections: list[ObjectionHandling], info: ValidationInfo
    ) -> list[ObjectionHandling]:
        wanted = _context(info).get(OBJECTION_COUNT)
        if wanted is not None and len(objections) != wanted:
            raise ValueError(
                f"{len(objections)} objections answered; answer each of the {wanted} once"
            )
        ids = [o.objection_id for o in objections]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"objections repeated: {', '.join(repeated)}; answer each once")
        return objections


# The response model for each registry channel.
DRAFT_MODELS: dict[str, type[BaseModel]] = {
    "email": EmailSequenceDraft,
    "google_rsa": GoogleRSADraft,
    "linkedin": LinkedInAdDraft,
    "meta": MetaAdDraft,
    "x": XPostDraft,
    "objections": BattlecardDraft,
}


def _limit_findings(channel_id: str, obj: BaseModel, prefix: str) -> list[Finding]:
    names = set(get_channel(channel_id).field_names())
    values = {n: getattr(obj, n) for n in type(obj).model_fields if n in names}
    findings = check_fields(channel_id, values, prefix) if values else []
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            findings += _limit_findings(channel_id, value, f"{prefix}{name}.")
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, BaseModel):
                    findings += _limit_findings(channel_id, item, f"{prefix}{name}[{index}].")
    return findings


def copy_warnings(channel_id: str, obj: BaseModel) -> list[Finding]:
    """Recommended-limit findings for drafted copy (a draft set, a sequence or one piece).

    Paths are 1-based, e.g. 'variants[2].intro_text' or 'steps[1].subject'.
    """
    return [f for f in _limit_findings(channel_id, obj, "") if f.severity == "warning"]
