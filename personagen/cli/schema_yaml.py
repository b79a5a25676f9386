"""A model's JSON Schema as a commented YAML skeleton, for people filling in a file.

Every field becomes one line: its name, its default (or nothing when it is required) and a
comment with what it is, whether it is required and what kind of value it takes. Nested
sections are indented and lists of sections show one item after `- `. The skeleton is
valid YAML and is derived from the schema each time, so it never drifts from the models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]
_MAX_SHOWN = 8  # enum choices listed before "..."


def yaml_skeleton(schema: Schema) -> str:
    """The commented YAML skeleton of a JSON Schema (an object with properties)."""
    title = schema.get("title", "file")
    lines = [f"# {title}: {_first_line(schema.get('description', ''))}".rstrip(": ")]
    lines.append("# Each line: field: default  # what it is (required or optional; kind of value)")
    _object(schema, schema, 0, lines)
    return "\n".join(lines) + "\n"


def _object(node: Schema, root: Schema, indent: int, lines: list[str]) -> None:
    required = set(node.get("required", ()))
    pad = " " * indent
    for name, raw in node.get("properties", {}).items():
        prop, nullable = _resolve(raw, root)
        text = raw.get("description") or prop.get("description") or raw.get("title", name)
        status = "required" if name in required else _optional(raw.get("default"))
        comment = f"# {_first_line(text)} ({status}; {_kind(prop, root)})"
        items = _resolve(prop["items"], root)[0] if prop.get("type") == "array" else {}
        if prop.get("properties"):
            lines.append(f"{pad}{name}:  {comment}")
            _object(prop, root, indent + 2, lines)
        elif items.get("properties"):
            lines.append(f"{pad}{name}:  {comment}")
            start = len(lines)
            _object(items, root, indent + 4, lines)
            if len(lines) > start:
                # The first field of the item opens it: "  - field: ...".
                first = lines[start]
                lines[start] = first[: indent + 2] + "- " + first[indent + 4 :]
        else:
            value = _value(raw.get("default"), name in required or nullable)
            lines.append(f"{pad}{name}:{value}  {comment}")


def _resolve(node: Schema, root: Schema) -> tuple[Schema, bool]:
    """The node behind a $ref or an optional (`anyOf` with null), and whether null is allowed."""
    nullable = False
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        if len(options) == 1:
            node = options[0]
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = root.get("$defs", {}).get(name, {})
    return node, nullable


def _optional(default: object) -> str:
    if default is None or default == [] or default == {}:
        return "optional"
    return f"optional, default {_flow(default)}"


def _value(default: object, leave_empty: bool) -> str:
    """What follows `field:`: the default, or nothing for a required field."""
    if default is None or leave_empty:
        return ""
    return f" {_flow(default)}"


def _flow(value: object) -> str:
    # JSON is YAML's flow style: strings quoted, lists in brackets, always parseable.
    return json.dumps(value, ensure_ascii=False)


def _kind(node: Schema, root: Schema) -> str:
    """The kind of value in a few words: 'whole number, 1 to 12', 'list of text'."""
    if "enum" in node:
        choices = [str(choice) for choice in node["enum"]]
        more = ", ..." if len(choices) > _MAX_SHOWN else ""
        return "one of: " + ", ".join(choices[:_MAX_SHOWN]) + more
    if "anyOf" in node:
        return " or ".join(_kind(_resolve(option, root)[0], root) for option in node["anyOf"])
    kind = node.get("type")
    if kind == "array":
        items, _ = _resolve(node.get("items", {}), root)
        least = node.get("minItems", 0)
        inner = "sections" if items.get("properties") else _kind(items, root)
        return f"list of {inner}" + (f", at least {least}" if least else "")
    if kind == "object":
        return "section" if node.get("properties") else "mapping"
    if kind == "string":
        return _text_kind(node)
    if kind in ("integer", "number"):
        word = "whole number" if kind == "integer" else "number"
        return word + _bounds(node)
    if kind == "boolean":
        return "true or false"
    return "any value"


def _text_kind(node: Schema) -> str:
    fmt = node.get("format")
    if fmt == "path":
        return "path, relative to this file"
    if fmt == "date":
        return "date, e.g. 2024-05-31"
    if node.get("pattern") in (r"^[a-z0-9][a-z0-9-]*$",):
        return "slug: lowercase letters, digits and '-'"
    if "pattern" in node:
        return f"text matching {node['pattern']}"
    return "text" + (", not empty" if node.get("minLength") else "")


def _bounds(node: Schema) -> str:
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    above = "exclusiveMinimum" in node
    if low is not None and high is not None:
        return f", {_num(low)} to {_num(high)}"
    if low is not None:
        return f", {'above' if above else 'at least'} {_num(low)}"
    if high is not None:
        return f", at most {_num(high)}"
    return ""


def _num(value: float) -> str:
    return f"{value:g}"


def _first_line(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())
