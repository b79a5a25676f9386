"""The schema-only stub: random answers that obey the JSON schema and ignore the prose."""

from __future__ import annotations

import json
import random
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from personagen.checks.claims import find_unsupported_claims
from personagen.checks.tokens import token_problems
from personagen.testing.schema_answers import WORDS, answer_from_schema, request_schema
from personagen.testing.stub_server import Reply, StubServer, completion, schema_only_script

SEEDS = range(200)

# A small validator for the schema subset answer_from_schema honours (jsonschema is not
# a dependency of the project).


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema or ("allOf" in schema and len(schema["allOf"]) == 1):
        if "$ref" in schema:
            target: Any = root
            for part in schema["$ref"][2:].split("/"):
                target = target[part]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        else:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            schema = {**rest, **schema["allOf"][0]}
    return schema


_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def errors(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None
) -> list[str]:
    """Why `value` does not satisfy `schema` (empty when it does)."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    found: list[str] = []
    for key in ("anyOf", "oneOf"):
        if key in schema and not any(not errors(value, b, root) for b in schema[key]):
            found.append(f"{value!r} matches no branch of {key}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{value!r} != const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{value!r} not in enum {schema['enum']!r}")
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(value, k) for k in kinds):
            return found + [f"{value!r} is not of type {kinds}"]
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", [])) - set(value)
        extra = set(value) - set(properties)
        if missing or (extra and schema.get("additionalProperties") is False):
            found.append(f"missing {missing} or extra {extra}")
        for name, item in value.items():
            if name in properties:
                found += errors(item, properties[name], root)
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 10**9):
            found.append(f"{len(value)} items outside minItems/maxItems")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) < len(
            value
        ):
            found.append(f"items not unique: {value!r}")
        for item in value:
            found += errors(item, schema.get("items", {}), root)
    if isinstance(value, str):
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9):
            found.append(f"{value!r} has length {len(value)} outside minLength/maxLength")
        if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
            found.append(f"{value!r} does not match {schema['pattern']!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{value} < minimum")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{value} > maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            found.append(f"{value} <= exclusiveMinimum")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            found.append(f"{value} >= exclusiveMaximum")
    return found


WORD_LIMIT = r"^(?:\s*\S+){0,6}\s*$"
WORD_LIMIT_2 = r"^(?:\S+(?:\s+|$)){1,4}$"
QUESTION = r"^[\s\S]*\?$"

SCHEMAS: dict[str, dict[str, Any]] = {
    "nested_defs": {
        "type": "object",
        "$defs": {
            "Step": {
                "type": "object",
                "properties": {
                    "subject": {"type": "string", "maxLength": 40, "minLength": 1},
                    "body": {"type": "string", "description": "Write exactly ten words."},
                    "day": {"type": "integer", "minimum": 0, "maximum": 30},
                    "stage": {"$ref": "#/$defs/Stage"},
                },
                "required": ["subject", "body", "day", "stage"],
                "additionalProperties": False,
            },
            "Stage": {"type": "string", "enum": ["awareness", "decision", "renewal"]},
        },
        "properties": {
            "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}, "minItems": 2},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
        "required": ["steps"],
        "additionalProperties": False,
    },
    "unique_enums": {
        "type": "object",
        "definitions": {"Kind": {"enum": ["pain", "goal", "objection"]}},
        "properties": {
            "kinds": {
                "type": "array",
                "items": {"$ref": "#/definitions/Kind"},
                "uniqueItems": True,
                "minItems": 1,
                "maxItems": 10,
            },
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 12}},
            "ids": {
                "type": "array",
                "items": {"type": "string", "maxLength": 30},
                "uniqueItems": True,
                "minItems": 5,
                "maxItems": 8,
            },
        },
        "required": ["kinds", "tags", "ids"],
    },
    "lengths": {
        "type": "object",
        "properties": {
            "tiny": {"type": "string", "maxLength": 1},
            "empty": {"type": "string", "maxLength": 0},
            "exact": {"type": "string", "minLength": 17, "maxLength": 17},
            "range": {"type": "string", "minLength": 30, "maxLength": 35},
            "long": {"type": "string", "minLength": 300},
            "pattern_length": {"type": "string", "pattern": r"^[\s\S]{10,25}$"},
            "pattern_max": {"type": "string", "pattern": r"^[\s\S]{0,8}$"},
        },
        "required": ["tiny", "empty", "exact", "range", "long", "pattern_length", "pattern_max"],
    },
    "patterns": {
        "type": "object",
        "properties": {
            "words": {"type": "string", "pattern": WORD_LIMIT},
            "words_short": {"type": "string", "pattern": WORD_LIMIT, "maxLength": 20},
            "words_2": {"type": "string", "pattern": WORD_LIMIT_2},
            "question": {"type": "string", "pattern": QUESTION, "maxLength": 60},
            "question_dot": {"type": "string", "pattern": r"^.*\?$"},
            "slug": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"},
            "currency": {"type": "string", "pattern": r"^[A-Z]{3}$"},
        },
        "required": ["words", "words_short", "words_2", "question", "question_dot", "slug"],
    },
    "numbers": {
        "type": "object",
        "properties": {
            "int": {"type": "integer", "minimum": -5, "maximum": 5},
            "exclusive": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3},
            "above": {"type": "integer", "minimum": 1000},
            "below": {"type": "number", "maximum": -10},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "flag": {"type": "boolean"},
            "either": {"type": ["integer", "null"]},
            "fixed": {"const": "v1"},
            "one": {"oneOf": [{"type": "integer", "minimum": 7}, {"type": "boolean"}]},
            "wrapped": {"allOf": [{"type": "integer", "maximum": 2, "minimum": 1}]},
        },
        "required": ["int", "exclusive", "above", "below", "ratio", "flag", "either", "fixed"],
    },
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_answers_validate_against_their_schema(name: str) -> None:
    schema = SCHEMAS[name]
    for seed in SEEDS:
        answer = answer_from_schema(schema, random.Random(seed))
        assert errors(answer, schema) == [], (seed, answer)


def test_constraints_are_really_exercised() -> None:
    answers = [answer_from_schema(SCHEMAS["nested_defs"], random.Random(s)) for s in SEEDS]
    assert {a.get("note", "absent") is None for a in answers} == {True, False}
    kinds = [answer_from_schema(SCHEMAS["unique_enums"], random.Random(s))["kinds"] for s in SEEDS]
    assert max(map(len, kinds)) == 3  # never more distinct items than the enum has
    words = [answer_from_schema(SCHEMAS["patterns"], random.Random(s))["words"] for s in SEEDS]
    assert max(len(w.split()) for w in words) == 6


class Ad(BaseModel):
    """A pydantic model whose schema uses refs, literals, optionals and list limits."""

    headline: str = Field(max_length=30, description="Mention 40% savings.")
    lines: list[str] = Field(min_length=2, max_length=4)
    channel: Literal["linkedin", "meta"]
    budget: float | None = Field(default=None, gt=0, le=10)
    stages: list[Literal["a", "b"]] = Field(default_factory=list, json_schema_extra={})


class AdSet(BaseModel):
    """Variants of an ad."""

    variants: list[Ad] = Field(min_length=1, max_length=3)
    question: str = Field(pattern=QUESTION, max_length=80)


def test_pydantic_schemas_round_trip() -> None:
    schema = AdSet.model_json_schema()
    for seed in SEEDS:
        AdSet.model_validate(answer_from_schema(schema, random.Random(seed)))


def test_vocabulary_is_neutral() -> None:
    assert len(WORDS) >= 400 and len(set(WORDS)) == len(WORDS)
    forbidden = set(
        """one two three four five six seven eight nine ten eleven twelve twenty thirty forty
        fifty hundred thousand million billion half double triple twice percent per cent pct
        times day days week weeks month months year years hour hours minute minutes second
        seconds quarter dollar dollars euro euros pound pounds usd eur gbp x k m b h mo
        trusted used loved customers clients like by at seen join help ask including such
        uses use zero single dozen pair first score""".split()
    )
    assert forbidden.isdisjoint(WORDS)
    assert all(re.fullmatch(r"[a-z]+", word) for word in WORDS)


def test_generated_text_passes_the_claims_guard_and_token_check() -> None:
    rng = random.Random(7)
    schemas: list[dict[str, Any]] = [
        {"type": "string"},
        {"type": "string", "maxLength": 90},
        {"type": "string", "minLength": 200},
        {"type": "string", "pattern": QUESTION},
        {"type": "string", "pattern": WORD_LIMIT_2},
    ]
    for index in range(2000):
        text = answer_from_schema(schemas[index % len(schemas)], rng)
        problems = find_unsupported_claims(
            text, proof_texts=[], allowed_customers=[], known_customers=[], own_names=[]
        )
        assert problems == [], text
        assert token_problems(text) == [], text


def test_max_length_never_cuts_words_when_avoidable() -> None:
    for seed in SEEDS:
        text = answer_from_schema({"type": "string", "maxLength": 25}, random.Random(seed))
        assert len(text) <= 25
        assert all(word in WORDS for word in text.split())


def test_unknown_pattern_fails_loudly() -> None:
    pattern = r"^\d{4}-\d{2}$"
    with pytest.raises(ValueError, match=re.escape(f"'{pattern}'")):
        answer_from_schema({"type": "string", "pattern": pattern}, random.Random(0))


def test_request_schema_reads_tools_and_json_schema_modes() -> None:
    params = {"type": "object", "properties": {}}
    tools = {"tools": [{"type": "function", "function": {"name": "A", "parameters": params}}]}
    assert request_schema(tools) == params
    fmt = {
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": params}}
    }
    assert request_schema(fmt) == params
    with pytest.raises(ValueError):
        request_schema({"messages": [], "response_format": {"type": "json_object"}})


def _post(base_url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        base_url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def _tools_body(messages: list[dict[str, Any]]) -> dict[str, Any]:
    schema = SCHEMAS["nested_defs"]
    tool = {"type": "function", "function": {"name": "EmailDraft", "parameters": schema}}
    return {"model": "m", "messages": messages, "tools": [tool], "tool_choice": "auto"}


def test_schema_only_script_through_the_stub_server() -> None:
    user = [{"role": "user", "content": "Write three steps."}]
    with StubServer(schema_only_script(seed=3)) as stub:
        replies = [_post(stub.base_url, _tools_body(user)) for _ in range(3)]
        json_body = {
            "model": "m",
            "messages": user,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "X", "schema": SCHEMAS["numbers"]},
            },
        }
        replies.append(_post(stub.base_url, json_body))
        prompt, completion = stub.prompt_tokens_total, stub.completion_tokens_total
    arguments = []
    for reply in replies[:3]:
        call = reply["choices"][0]["message"]["tool_calls"][0]["function"]
        assert call["name"] == "EmailDraft"
        arguments.append(json.loads(call["arguments"]))
        assert errors(arguments[-1], SCHEMAS["nested_defs"]) == []
    assert len({json.dumps(a) for a in arguments}) == 3  # a fresh answer per request
    content = json.loads(replies[3]["choices"][0]["message"]["content"])
    assert errors(content, SCHEMAS["numbers"]) == []
    assert prompt == sum(r["usage"]["prompt_tokens"] for r in replies)
    assert completion == sum(r["usage"]["completion_tokens"] for r in replies)
    assert replies[0]["usage"]["prompt_tokens"] == len(json.dumps(_tools_body(user))) // 4
    assert replies[0]["usage"]["completion_tokens"] == max(1, len(json.dumps(arguments[0])) // 4)
    # Deterministic per request number.
    again = schema_only_script(seed=3)(_tools_body(user), 1).body
    assert again == replies[1]


def test_invalid_first_breaks_only_the_first_answer_of_a_conversation() -> None:
    def drop_steps(answer: dict[str, Any]) -> dict[str, Any]:
        return {**answer, "steps": []}

    script = schema_only_script(seed=1, invalid_first=drop_steps)
    user = [{"role": "user", "content": "Write."}]
    with StubServer(script) as stub:
        first = _post(stub.base_url, _tools_body(user))
        call = first["choices"][0]["message"]["tool_calls"][0]
        reask = user + [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "content": "steps: too short"},
        ]
        second = _post(stub.base_url, _tools_body(reask))
        other = _post(stub.base_url, _tools_body([{"role": "user", "content": "Other."}]))

    def args(reply: dict[str, Any]) -> Any:
        return json.loads(reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])

    assert args(first)["steps"] == [] and errors(args(first), SCHEMAS["nested_defs"])
    assert errors(args(second), SCHEMAS["nested_defs"]) == []
    assert args(other)["steps"] == []  # a new conversation starts broken too


def test_totals_count_only_successful_replies_with_usage() -> None:
    replies = [
        completion({"a": 1}, usage=(10, 3)),
        Reply(status=500, body={"error": {"message": "boom"}}),
        completion({"a": 2}, usage=(7, 2)),
    ]
    with StubServer(lambda body, n: replies[n]) as stub:
        for _ in replies:
            try:
                _post(stub.base_url, {"messages": []})
            except urllib.error.HTTPError as error:
                assert error.code == 500
        assert (stub.prompt_tokens_total, stub.completion_tokens_total) == (17, 5)


def test_schema_only_script_refuses_a_request_without_a_schema() -> None:
    body = {"messages": [], "response_format": {"type": "json_object"}}
    with StubServer(schema_only_script()) as stub:
        with pytest.raises(urllib.error.HTTPError) as raised:
            _post(stub.base_url, body)
    assert raised.value.code == 400
    assert b"schema-only stub" in raised.value.read()
