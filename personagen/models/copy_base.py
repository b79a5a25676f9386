"""The base of campaign copy models: validation context, copy rules, the draft registry.

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

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, ClassVar, Literal, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from personagen.channels import LEAD, copy_pattern, get_channel, limit_text, schema_keywords
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields
from personagen.checks.similarity import DEFAULT_THRESHOLD, near_duplicates
from personagen.checks.tokens import ALLOWED_TOKENS, token_problems
from personagen.errors import InputError
from personagen.models.brief import Brief
from personagen.text import formula_trigger

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

# Ids and labels, not text a reader sees; 'objection' restates the buyer's own words.
NOT_COPY = frozenset({"addresses", "objection_id", "objection", "proof_point_ids", "buying_stage"})
BuyingStage = Literal["awareness", "consideration", "decision", "procurement", "renewal"]

TOKENS_TEXT = ", ".join("{{" + name + "}}" for name in ALLOWED_TOKENS)


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


def text_field(description: str, *, ending: str = "") -> Any:
    """A required free-text field: not empty, no formula trigger first (the copy rules);
    `ending` is a pattern the text must end with (e.g. a question mark)."""
    pattern = copy_pattern()
    if ending:
        # The trigger rule and the ending in one expression: grammars have no lookaheads.
        pattern = f"^{LEAD}.*{ending}$"
    return Field(description=description, json_schema_extra={"minLength": 1, "pattern": pattern})


def limited_field(channel_id: str, name: str, description: str, **field: Any) -> Any:
    """A field with the channel registry's limits, in prose and in the response schema."""
    required = "default" not in field
    return Field(
        description=f"{description} {limit_text(channel_id, name)}".strip(),
        json_schema_extra=schema_keywords(channel_id, name, required=required),
        **field,
    )


def addresses_field() -> Any:
    """The `addresses` field of a piece: ids of the persona items it speaks to."""
    return Field(
        min_length=1, description=_ADDRESSES, json_schema_extra={"x-ids": PERSONA_ITEM_IDS}
    )


def context_of(info: ValidationInfo) -> Mapping[str, Any]:
    """The validation context, or an empty one."""
    context = info.context
    return context if isinstance(context, Mapping) else {}


def assign_in_order(data: Any, pieces: str, field: str, values: Sequence[Any] | None) -> Any:
    """Set `field` of each raw piece under `pieces` from `values`, in order (the tool's part
    of an answer: e-mail days, objection ids); pieces beyond `values` are left for the
    count check to report."""
    found = data.get(pieces) if isinstance(data, dict) else None
    if values is None or not isinstance(found, list):
        return data
    assigned = [
        {**piece, field: value} if isinstance(piece, dict) else piece
        for piece, value in zip(found, values, strict=False)
    ]
    return {**data, pieces: assigned + found[len(values) :]}


def brief_of(info: ValidationInfo) -> Brief | None:
    """The brief in the validation context, if any."""
    brief = context_of(info).get(BRIEF)
    return brief if isinstance(brief, Brief) else None


def _errors(findings: Sequence[Finding]) -> list[str]:
    return [f"{f.message} ({f.fix})" for f in findings if f.severity == "error"]


def _fail(findings: Sequence[Finding]) -> None:
    errors = _errors(findings)
    if errors:
        raise ValueError("\n".join(errors))


# The response model of each registry channel, registered with `draft_model`.
DRAFT_MODELS: dict[str, type[BaseModel]] = {}
D = TypeVar("D", bound=BaseModel)


def draft_model(channel_id: str) -> Callable[[type[D]], type[D]]:
    """Register `cls` as the draft model of a registry channel (a class decorator)."""

    def register(cls: type[D]) -> type[D]:
        get_channel(channel_id)  # the channel must be in the registry
        DRAFT_MODELS[channel_id] = cls
        return cls

    return register


def draft_model_for(channel_id: str) -> type[BaseModel]:
    """The draft model of a channel; InputError when none is registered."""
    try:
        return DRAFT_MODELS[channel_id]
    except KeyError:
        get_channel(channel_id)  # an unknown id: UnknownChannel lists the valid ones
        raise InputError(
            f"channel '{channel_id}'", "has no draft model; register one with @draft_model"
        ) from None


class Draft(BaseModel):
    """Base of drafted copy: surrounding whitespace is not part of a length."""

    # Built on first use, like `StrictModel`: lint reads only the fields of these models.
    model_config = ConfigDict(str_strip_whitespace=True, defer_build=True)


class CopyPiece(Draft):
    """Copy whose text fields follow the token and claims rules, and the channel's limits;
    no text field (ids and objections included) starts like a spreadsheet formula."""

    channel_id: ClassVar[str | None] = None
    not_copy: ClassVar[frozenset[str]] = NOT_COPY

    @field_validator("*")
    @classmethod
    def _copy_rules(cls, value: object, info: ValidationInfo) -> object:
        field = info.field_name or ""
        texts = texts_of(value)
        if texts is None:
            return value
        # Ids and quoted objections too: any text may end up in a spreadsheet cell.
        formulas = formula_problems(field, value, texts)
        if field in cls.not_copy:
            if formulas:
                raise ValueError("\n".join(formulas))
            return value
        empty = [i for i, text in enumerate(texts, start=1) if not text]
        if empty and cls.model_fields[field].is_required():
            where = field if isinstance(value, str) else f"{field}[{empty[0]}]"
            raise ValueError(f"{where} is empty; write it")
        # Every problem of the field goes into one error, so one re-ask can fix them all.
        problems = formulas
        if cls.channel_id is not None and field in get_channel(cls.channel_id).field_names():
            # A field's dependency on another is checked once all fields are in (below).
            findings = check_fields(cls.channel_id, {field: value})
            problems += _errors([f for f in findings if f.rule != "requires-field"])
        brief = brief_of(info)
        for index, text in enumerate(texts, start=1):
            where = field if isinstance(value, str) else f"{field}[{index}]"
            found = token_problems(text)
            if brief is not None:
                # Here, not at the top: lint and --help load the models without the guard.
                from personagen.checks.claims import find_unsupported_claims

                found += find_unsupported_claims(text, **brief.claims_context())
            problems += [f"{where}: {problem}" for problem in found]
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @field_validator("addresses", check_fields=False)
    @classmethod
    def _known_items(cls, addresses: list[str], info: ValidationInfo) -> list[str]:
        known = context_of(info).get(PERSONA_ITEM_IDS)
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
            texts = texts_of(getattr(self, name))
            if name not in self.not_copy and texts:
                lines += texts
        return "\n".join(lines)


def formula_problems(field: str, value: object, texts: Sequence[str]) -> list[str]:
    """One problem per text of a field that starts like a spreadsheet formula."""
    problems: list[str] = []
    for index, text in enumerate(texts, start=1):
        trigger = formula_trigger(text)
        if trigger is not None:
            where = field if isinstance(value, str) else f"{field}[{index}]"
            problems.append(
                f"{where} starts with {trigger!r}, which spreadsheets read as a formula; "
                "start with a word or a figure instead (e.g. '30% lower fees', not '-30% fees')"
            )
    return problems


def texts_of(value: object) -> list[str] | None:
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


def require_distinct(noun: str, texts: Sequence[str]) -> None:
    """Raise ValueError naming the first pair of near-duplicate texts."""
    pairs = near_duplicates(texts, DEFAULT_THRESHOLD)
    if pairs:
        i, j, overlap = pairs[0]
        raise ValueError(
            f"{noun}s {i + 1} and {j + 1} share {overlap:.0%} of their words (limit "
            f"{DEFAULT_THRESHOLD:.0%}); rewrite {noun} {j + 1} with a different angle"
        )


def piece_model(channel_id: str) -> type[BaseModel]:
    """The model of one piece of a channel's draft: an e-mail, an ad variant, the battlecard."""
    draft = draft_model_for(channel_id)
    channel = get_channel(channel_id)
    if channel.shape == "battlecard":
        return draft
    (piece,) = get_args(draft.model_fields[channel.pieces[0]].annotation)
    assert isinstance(piece, type) and issubclass(piece, BaseModel)
    return piece


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
