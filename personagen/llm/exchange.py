"""Normalized model requests and their content-addressed keys."""

from __future__ import annotations

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
    """Estimated input tokens of a request: its messages and the schema it carries."""
    body = normalized["body"]
    sent = [body.get(name) for name in ("messages", "tools", "response_format") if body.get(name)]
    return count_tokens(json.dumps(sent, ensure_ascii=False))


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
