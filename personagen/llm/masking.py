"""The API key, masked wherever it could leave the door: answers, cassettes, caches, errors.

A server may echo the key back (in an error text, or inside a successful answer), raw,
URL-encoded or JSON-escaped, even inside a JSON string that holds JSON (a tool call's
arguments). Every answer body is masked before it is recorded, cached, validated or
returned, so no file, store or output ever holds the key.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
# Shorter strings are too likely to occur by chance in ordinary text to be masked.
MIN_SECRET_LENGTH = 8


def secret_forms(key: str) -> list[str]:
    """The ways a key can be written in text: raw, URL-encoded, JSON-escaped."""
    forms = {
        key,
        quote(key, safe=""),
        quote_plus(key),
        json.dumps(key)[1:-1],
        json.dumps(key, ensure_ascii=False)[1:-1],
        json.dumps(key)[1:-1].replace("/", "\\/"),
    }
    return sorted(forms, key=len, reverse=True)  # the longest first: no partial masks


def mask_text(text: str, key: str | None) -> str:
    """`text` with every written form of `key` replaced by a mask."""
    if not key or len(key) < MIN_SECRET_LENGTH:
        return text
    for form in secret_forms(key):
        text = text.replace(form, MASK)
    return text


def mask_body(body: bytes, key: str | None) -> bytes:
    """An answer body (JSON, JSON lines or text) with the key masked in every form.

    Forms written with JSON escapes (`\\u0073k-...`) only show once decoded, so JSON
    bodies are also masked value by value, including JSON held inside strings.
    """
    if not key or len(key) < MIN_SECRET_LENGTH:
        return body
    text = body.decode("utf-8", errors="surrogateescape")
    masked = mask_text(text, key)
    decoded = _masked_json(masked, key)
    if decoded is None:  # not one JSON document: JSON lines (Batch API files) or text
        lines = masked.split("\n")
        cleaned = [_masked_json(line, key) for line in lines]
        if any(line is not None for line in cleaned):
            decoded = "\n".join(
                c if c is not None else o for c, o in zip(cleaned, lines, strict=True)
            )
    if decoded is not None:
        masked = decoded
    elif masked == text:
        return body
    return masked.encode("utf-8", errors="surrogateescape")


def _masked_json(text: str, key: str) -> str | None:
    """`text` re-encoded with the key masked when it is JSON that holds the key, else None."""
    try:
        cleaned, dirty = _masked_value(json.loads(text), key)
    except (ValueError, RecursionError):  # not JSON, or nested past what Python parses
        return None
    return json.dumps(cleaned, ensure_ascii=False) if dirty else None


def _masked_value(value: Any, key: str) -> tuple[Any, bool]:
    """`value` with the key masked in every string, and whether anything changed."""
    if isinstance(value, dict):
        pairs = [(_masked_value(k, key), _masked_value(v, key)) for k, v in value.items()]
        dirty = any(k[1] or v[1] for k, v in pairs)
        return ({k[0]: v[0] for k, v in pairs} if dirty else value), dirty
    if isinstance(value, list):
        items = [_masked_value(item, key) for item in value]
        dirty = any(changed for _, changed in items)
        return ([item for item, _ in items] if dirty else value), dirty
    if not isinstance(value, str):
        return value, False
    masked = mask_text(value, key)
    if masked != value:
        return masked, True
    stripped = value.strip()
    if stripped[:1] in ("{", "[") and "\\" in stripped:  # JSON inside a string, escaped
        inner = _masked_json(stripped, key)
        if inner is not None:
            return inner, True
    return value, False
