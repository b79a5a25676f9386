"""Copy, persona names and titles never start like a spreadsheet formula: the validators
refuse it (so the model is re-asked) and the response schema says so in one pattern."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from personagen.llm.wire import strict_schema
from personagen.models.contract import contract_schema
from personagen.models.copy import DRAFT_MODELS
from personagen.models.persona import Persona, PersonaDraft
from tests.export.test_export_copy import DRAFTS, make_persona

PAYLOADS = [
    '=HYPERLINK("//e.vil","Go")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1 call now",
    "-30% fees",
    "＝1+1",
    "－5 days",
]
# Fields that hold ids or enums, not text a spreadsheet shows.
NOT_TEXT = {"addresses", "objection_id", "proof_point_ids", "buying_stage", "day_offset"}


def _text_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every text value of a draft (strings and items of string lists)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_TEXT:
                yield from _text_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _text_paths(value, (*path, index))
    elif isinstance(node, str) and node:
        yield path


def _with(draft: dict[str, Any], path: tuple[Any, ...], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(draft)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


CASES = [(channel, path) for channel, draft in DRAFTS.items() for path in _text_paths(draft)]


@pytest.mark.parametrize(("channel", "path"), CASES, ids=[f"{c}:{p}" for c, p in CASES])
def test_every_text_field_refuses_a_formula_start(channel: str, path: tuple[Any, ...]) -> None:
    model = DRAFT_MODELS[channel]
    model.model_validate(DRAFTS[channel])  # the draft itself is fine
    for payload in PAYLOADS:
        with pytest.raises(ValidationError, match="read as a formula"):
            model.model_validate(_with(DRAFTS[channel], path, payload))


def test_the_reask_names_the_field_and_the_trigger() -> None:
    draft = _with(DRAFTS["google_rsa"], ("variants", 0, "headlines", 1), "@SUM(1+1)")
    with pytest.raises(ValidationError) as caught:
        DRAFT_MODELS["google_rsa"].model_validate(draft)
    message = str(caught.value)
    assert "headlines[2] starts with '@'" in message and "30% lower fees" in message


def test_leading_whitespace_does_not_hide_a_trigger() -> None:
    draft = _with(DRAFTS["meta"], ("variants", 0, "headline"), "   =1+1")
    with pytest.raises(ValidationError, match="starts with '='"):
        DRAFT_MODELS["meta"].model_validate(draft)


def _strings(node: Any) -> Iterator[dict[str, Any]]:
    """Every free-text string schema (not an enum of ids)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "enum" not in node and "minLength" in node:
            yield node
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


CONTEXT = {"variants": 2, "steps": 2, "schedule": [0, 2], "objection_ids": ["objection-1"]}


@pytest.mark.parametrize("channel", sorted(DRAFT_MODELS))
@pytest.mark.parametrize("dialect", ["full", "strict"])
def test_the_schema_pattern_refuses_formula_starts(channel: str, dialect: str) -> None:
    schema = contract_schema(DRAFT_MODELS[channel], {**CONTEXT, "objection_count": 1})
    sent = strict_schema(schema) if dialect == "strict" else schema
    strings = list(_strings(sent) if dialect == "full" else _strings(schema))
    assert strings
    for node in strings:
        pattern = node["pattern"]
        # One expression that every grammar builder reads: no lookarounds, no \s or \S.
        assert "(?" not in pattern and "\\s" not in pattern and "\\S" not in pattern
        for payload in PAYLOADS + [" leading space", "\tTab"]:
            assert not re.fullmatch(pattern, payload + "?"), (pattern, payload)
        assert re.fullmatch(pattern, "Renewals?") or node.get("maxLength", 9) < 9


def test_the_strict_pattern_keeps_the_length_limits() -> None:
    schema = strict_schema(contract_schema(DRAFT_MODELS["google_rsa"], CONTEXT))
    rsa = schema["$defs"]["GoogleRSA"]["properties"]
    headline = rsa["headlines"]["items"]
    assert "maxLength" not in headline  # the strict dialect has no length keywords
    assert re.fullmatch(headline["pattern"], "a" * 30)
    assert not re.fullmatch(headline["pattern"], "a" * 31)
    assert not re.fullmatch(headline["pattern"], "")
    path = rsa["path2"]  # optional: empty or up to 15 characters
    assert re.fullmatch(path["pattern"], "") and re.fullmatch(path["pattern"], "a" * 15)
    assert not re.fullmatch(path["pattern"], "a" * 16) and not re.fullmatch(path["pattern"], "-a")


def test_word_limited_fields_keep_their_word_limit_in_the_pattern() -> None:
    schema = contract_schema(DRAFT_MODELS["objections"], {**CONTEXT, "objection_count": 1})
    talk = schema["properties"]["talk_track"]["pattern"]
    assert re.fullmatch(talk, " ".join(["word"] * 120))
    assert not re.fullmatch(talk, " ".join(["word"] * 121))
    assert not re.fullmatch(talk, "-" + " ".join(["word"] * 5))


PERSONA_DRAFT: dict[str, Any] = {
    "name": "Revenue Rita",
    "title": "VP of Customer Success",
    "seniority": "vp",
    "department": "Customer Success",
    "buying_role": "economic_buyer",
    "summary": "Owns renewals.",
    "responsibilities": [],
    "goals": [],
    "pain_points": [],
    "channels": [],
    "objections": [],
    "motivations": [],
}


@pytest.mark.parametrize("field", ["name", "title", "department"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_persona_drafts_refuse_formula_names_and_titles(field: str, payload: str) -> None:
    PersonaDraft.model_validate(PERSONA_DRAFT)
    with pytest.raises(ValidationError, match="read as a formula"):
        PersonaDraft.model_validate({**PERSONA_DRAFT, field: payload})


def test_a_persona_draft_title_keeps_to_the_schema_length() -> None:
    long_title = "Senior Vice President of Global Revenue Operations " * 7
    with pytest.raises(ValidationError, match="title has 357 characters; write at most 80"):
        PersonaDraft.model_validate({**PERSONA_DRAFT, "title": long_title})
    assert PersonaDraft.model_json_schema()["properties"]["title"]["maxLength"] == 80


@pytest.mark.parametrize("field", ["name", "title"])
def test_a_stored_persona_with_a_formula_title_is_refused(field: str) -> None:
    data = make_persona().model_dump()
    Persona.model_validate(data)
    with pytest.raises(ValidationError, match="read as a formula"):
        Persona.model_validate({**data, field: "@SUM(1+1)*cmd|' /C calc'!A0"})


def test_a_stored_persona_id_stays_a_file_name() -> None:
    data = make_persona().model_dump()
    Persona.model_validate({**data, "id": "a" * 100})
    with pytest.raises(ValidationError, match="id has 101 characters; at most 100"):
        Persona.model_validate({**data, "id": "a" * 101})
