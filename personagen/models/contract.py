"""The response contract: the JSON schema a model receives for one request.

It is the response model's own schema (limits and counts from the channel registry are
in it already, see `channels.schema_keywords`) with what only the request knows filled in.
Markers in a model's schema, set with `Field(json_schema_extra=...)`, say what:

- `"x-ids": NAME`: the field (or each item of an array field) is one of `context[NAME]`;
- `"x-count": NAME`: the array holds exactly `context[NAME]` items;
- `"x-range": NAME`: the integer (or each integer item) lies in `context[NAME]` = (low, high)
  (an enum of the numbers up to MAX_ENUM values, which every grammar builder supports;
  `minimum`/`maximum` beyond);
- `"x-assigned": NAME`: the tool fills the field from `context[NAME]`, so it is not asked for.

Every property of every object is required in the contract. The same context is the
validators' context, so the schema the model sees and the rules
the answer is checked against come from one place. A constrained decoder then makes most
invalid answers impossible instead of merely detected.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

MARKERS = ("x-ids", "x-count", "x-range", "x-assigned")
# OpenAI allows 1,000 enum values per schema; keep well under it.
MAX_ENUM = 500


@functools.cache
def _base(model: type[BaseModel]) -> dict[str, Any]:
    schema: dict[str, Any] = model.model_json_schema()
    return schema


@functools.cache
def _marked(model: type[BaseModel]) -> tuple[str, ...]:
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            names.update(str(node[m]) for m in MARKERS if m in node)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(_base(model))
    return tuple(sorted(names))


_CACHE: dict[tuple[type[BaseModel], str], dict[str, Any]] = {}


def contract_schema(model: type[BaseModel], context: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON schema of `model` for a request with this validation `context`."""
    shape = {name: _plain(context[name]) for name in _marked(model) if name in context}
    key = (model, json.dumps(shape, sort_keys=True))
    cached = _CACHE.get(key)
    if cached is None:
        cached = dict(_fill(copy.deepcopy(_base(model)), shape))
        _CACHE[key] = cached
    return cached


def public_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The schema of `model` for people (`personagen schema`): markers removed."""
    schema: dict[str, Any] = _fill(copy.deepcopy(_base(model)), {})
    return schema


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _fill(node: Any, shape: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_fill(item, shape) for item in node]
    if not isinstance(node, dict):
        return node
    ids, count = node.pop("x-ids", None), node.pop("x-count", None)
    bounds = node.pop("x-range", None)
    node.pop("x-assigned", None)
    target = node["items"] if node.get("type") == "array" and "items" in node else node
    if ids in shape and shape[ids]:
        target.pop("type", None)
        target["enum"] = list(shape[ids])
        if target is not node:
            node["uniqueItems"] = True
            node["maxItems"] = min(node.get("maxItems", len(shape[ids])), len(shape[ids]))
    elif ids in shape and target is not node:
        node["minItems"] = node["maxItems"] = 0  # nothing to cite: the list stays empty
    if count in shape:
        node["minItems"] = node["maxItems"] = int(shape[count])
    if bounds in shape:
        low, high = (int(n) for n in shape[bounds])
        if high - low < MAX_ENUM:
            target["enum"] = list(range(low, high + 1))
        else:
            target["minimum"], target["maximum"] = low, high
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name in [n for n, p in properties.items() if p.get("x-assigned") in shape]:
            del properties[name]
        # Every field is asked for: an answer never leans on a default it did not choose
        # (a display path left out while the second one is set), as in OpenAI's strict mode.
        node["required"] = list(properties)
    return {key: _fill(value, shape) for key, value in node.items()}
