"""Normalized model requests and their content-addressed keys."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from personagen.llm.tokens import count_tokens

# Body fields that do not change what the model answers, so they do not change the key
# (prompt_cache_key only routes a request to a server holding its prefix).
_IGNORED_FIELDS = frozenset({"stream", "user", "metadata", "store", "prompt_cache_key"})


def normalize_request(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The request as it is keyed and recorded: endpoint plus body, never headers or keys."""
    endpoint = path.rstrip("/").rsplit("/v1", 1)[-1] or path
    return {
        "endpoint": endpoint,
        "body": {k: v for k, v in sorted(body.items()) if k not in _IGNORED_FIELDS},
    }


def request_key(normalized: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a normalized request."""
    canonical = json.dumps(normalized, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def prompt_cache_key(body: dict[str, Any]) -> str:
    """OpenAI's prompt_cache_key for a request: the same for requests that begin alike.

    A request begins with the schema it carries and its system prompt, so requests of one
    task (and one channel) share a key and reach a server that holds their prefix. It is
    a content hash, so the same request always carries the same key.
    """
    messages = body.get("messages") or []
    prefix = {
        "tools": body.get("tools"),
        "response_format": body.get("response_format"),
        "system": [m for m in messages[:1] if m.get("role") == "system"],
    }
    canonical = json.dumps(prefix, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "personagen-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def usage_of(body: dict[str, Any]) -> tuple[int, int, int]:
    """Input, output and cached-input tokens reported in a chat completion body."""
    usage = body.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    return (
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
        int(details.get("cached_tokens") or 0),
    )


def prompt_tokens(normalized: dict[str, Any]) -> int:
    """Estimated input tokens of a request: its messages and the schema it carries.

    The schema and each line of a message are counted on their own (a line break is one
    token), and a text counted before is not counted again: the schema, the system prompt,
    the brief and a persona's lines recur request after request.
    """
    body = normalized["body"]
    schema = [_schema_tokens(body[name]) for name in ("tools", "response_format") if body.get(name)]
    return sum(schema) + sum(_message_tokens(m) for m in body.get("messages") or [])


def _message_tokens(message: dict[str, Any]) -> int:
    content = message.get("content")
    if not isinstance(content, str):
        return _text_tokens(json.dumps(message, ensure_ascii=False))
    lines = content.split("\n")
    frame = _text_tokens(json.dumps({**message, "content": ""}, ensure_ascii=False))
    return frame + len(lines) - 1 + sum(_line_tokens(line) for line in lines)


@functools.lru_cache(maxsize=8192)
def _line_tokens(line: str) -> int:
    # Counted as it is sent: inside a JSON string, with its escapes.
    return count_tokens(json.dumps(line, ensure_ascii=False)[1:-1])


@functools.lru_cache(maxsize=1024)
def _text_tokens(text: str) -> int:
    return count_tokens(text)


# Schema parts by identity: the door builds one per response contract and mode and puts that
# same object in every request that carries it (`wire.request_parts`), so it is not even
# serialized again. The part is kept with its count, so its id is not reused meanwhile.
_SCHEMA_COUNTS: dict[int, tuple[object, int]] = {}


def _schema_tokens(part: object) -> int:
    known = _SCHEMA_COUNTS.get(id(part))
    if known is not None and known[0] is part:
        return known[1]
    tokens = _text_tokens(json.dumps(part, ensure_ascii=False))
    if len(_SCHEMA_COUNTS) >= 512:
        _SCHEMA_COUNTS.clear()
    _SCHEMA_COUNTS[id(part)] = (part, tokens)
    return tokens


def estimate_tokens(normalized: dict[str, Any], input_tokens: int | None = None) -> int:
    """Tokens a request may use against a tokens-per-minute limit: input plus output budget.

    `input_tokens` is the request's `prompt_tokens` when the caller has it already.
    """
    body = normalized["body"]
    output = int(body.get("max_tokens") or body.get("max_completion_tokens") or 1024)
    return (prompt_tokens(normalized) if input_tokens is None else input_tokens) + output


def lenient_body(body: bytes) -> bytes:
    """A completion whose JSON answers are re-encoded when they hold raw control characters.

    Small local models write raw line breaks inside JSON strings; a lenient parse reads
    them, and re-encoding lets the strict validator see the same object.
    """
    try:
        data = json.loads(body)
    except ValueError:
        return body
    changed = False
    for choice in data.get("choices") or []:
        message = choice.get("message") or {}
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            fixed = _reencoded(function.get("arguments"))
            if fixed is not None:
                function["arguments"], changed = fixed, True
        fixed = _reencoded(message.get("content"))
        if fixed is not None:
            message["content"], changed = fixed, True
    return json.dumps(data, ensure_ascii=False).encode("utf-8") if changed else body


def _reencoded(text: object) -> str | None:
    """`text` re-encoded when only a lenient JSON parse reads it, else None."""
    if not isinstance(text, str):
        return None
    try:
        json.loads(text)
        return None
    except ValueError:
        pass
    try:
        return json.dumps(json.loads(text, strict=False), ensure_ascii=False)
    except ValueError:
        return None
