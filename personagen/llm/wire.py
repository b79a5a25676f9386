"""The wire form of a structured request: the response schema placed where a mode expects it.

A mode decides where the schema goes (a forced tool call, a `response_format`, or the
prompt's last words) and a dialect decides which JSON Schema keywords it may use:

| mode | schema sent as | dialect (OpenAI) | dialect (compatible servers) |
|---|---|---|---|
| tools | forced function call | strict subset, `strict: true` | full |
| json_schema | `response_format` json_schema | strict subset, `strict: true` | full |
| json | end of the last user message + `response_format` json_object | full (advice only) | full |
| md_json | end of the last user message, answer in a fenced block | full (advice only) | full |

Where the schema is text, it goes after everything else: a provider caches the prefix a
request shares with earlier ones, and a response contract holds values of its own request
(a persona's item ids), so in front it would end that prefix before the shared system
prompt, brief and persona.

OpenAI's strict subset has no `minLength`, `maxLength` or `uniqueItems`: lengths become an
equivalent `pattern`, every property is required, every object forbids additional
properties, and a `$ref` stands alone. llama.cpp, vLLM and Ollama turn the full schema into a
grammar. Either way the validators stay the guard for what no schema can say.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from textwrap import dedent
from typing import Any, Literal

Dialect = Literal["strict", "full"]

_SCHEMA_IN_PROMPT = dedent(
    """\
    As a genius expert, your task is to understand the content and provide
    the parsed objects in json that match the following json_schema:

    {schema}

    Make sure to return an instance of the JSON, not the schema itself"""
)
_MD_JSON_ASK = "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA"
# Keywords OpenAI's strict mode refuses; lengths are carried over into a pattern first.
_STRICT_DROPPED = ("minLength", "maxLength", "uniqueItems", "default", "title", "examples")


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` in OpenAI's strict structured-output subset (see the module docstring)."""
    result = copy.deepcopy(dict(schema))
    _to_strict(result)
    return result


def _to_strict(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _to_strict(item)
        return
    if not isinstance(node, dict):
        return
    if "minLength" in node or "maxLength" in node:
        if "pattern" not in node:
            low = int(node.get("minLength", 0))
            high = node.get("maxLength")
            node["pattern"] = f"^[\\s\\S]{{{low},{'' if high is None else int(high)}}}$"
    for keyword in _STRICT_DROPPED:
        node.pop(keyword, None)
    if "$ref" in node:
        for keyword in [k for k in node if k != "$ref"]:
            del node[keyword]
    properties = node.get("properties")
    if isinstance(properties, dict):
        node["required"] = list(properties)
        node["additionalProperties"] = False
    for value in node.values():
        _to_strict(value)


def request_parts(
    mode: str,
    name: str,
    description: str,
    schema: Mapping[str, Any],
    dialect: Dialect,
    messages: list[dict[str, str]],
) -> dict[str, Any]:
    """The body fields that carry `schema` for `mode`, with the messages they need.

    The part carrying the schema is built once per schema, mode and dialect and shared by
    every request that asks for it (callers never change it).
    """
    carrier = _schema_carrier(mode, name, description, schema, dialect)
    if mode in ("tools", "json_schema"):
        return {"messages": messages, **carrier}
    ask = carrier["text"] if mode == "json" else f"{carrier['text']}\n\n{_MD_JSON_ASK}"
    # Appended to the last user message rather than sent as a message of its own: roles keep
    # alternating (some chat templates refuse two user turns in a row), and a re-ask's
    # assistant and user messages follow it as they follow any prompt.
    with_schema = list(messages)
    if with_schema and with_schema[-1]["role"] == "user":
        last = with_schema[-1]
        with_schema[-1] = {**last, "content": f"{last['content']}\n\n{ask}"}
    else:
        with_schema.append({"role": "user", "content": ask})
    if mode == "json":
        return {"messages": with_schema, "response_format": {"type": "json_object"}}
    return {"messages": with_schema}


# Built carriers by (mode, name, description, schema identity, dialect); the schema itself is
# kept with its carrier so its id is not reused while the entry lives. Response contracts
# are built once per model and request shape (`models/contract.py`), so this stays small.
_CARRIERS: dict[tuple[str, str, str, int, str], tuple[Mapping[str, Any], dict[str, Any]]] = {}
_MAX_CARRIERS = 512


def _schema_carrier(
    mode: str, name: str, description: str, schema: Mapping[str, Any], dialect: Dialect
) -> dict[str, Any]:
    key = (mode, name, description, id(schema), dialect)
    known = _CARRIERS.get(key)
    if known is not None and known[0] is schema:
        return known[1]
    carrier = _build_carrier(mode, name, description, schema, dialect)
    if len(_CARRIERS) >= _MAX_CARRIERS:
        _CARRIERS.clear()
    _CARRIERS[key] = (schema, carrier)
    return carrier


def _build_carrier(
    mode: str, name: str, description: str, schema: Mapping[str, Any], dialect: Dialect
) -> dict[str, Any]:
    sent = strict_schema(schema) if dialect == "strict" else dict(schema)
    strict = dialect == "strict"
    if mode == "tools":
        function: dict[str, Any] = {"name": name, "description": description, "parameters": sent}
        if strict:
            function["strict"] = True
        return {
            "tools": [{"type": "function", "function": function}],
            "tool_choice": {"type": "function", "function": {"name": name}},
        }
    if mode == "json_schema":
        response_format: dict[str, Any] = {"name": name, "schema": sent}
        if strict:
            response_format["strict"] = True
        return {"response_format": {"type": "json_schema", "json_schema": response_format}}
    if mode in ("json", "md_json"):
        return {
            "text": _SCHEMA_IN_PROMPT.format(schema=json.dumps(sent, indent=2, ensure_ascii=False))
        }
    raise ValueError(f"unknown mode {mode!r}")
