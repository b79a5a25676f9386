"""Normalized model requests and their content-addressed keys."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Body fields that do not change what the model answers, so they do not change the key.
_IGNORED_FIELDS = frozenset({"stream", "user", "metadata", "store"})


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


def usage_of(body: dict[str, Any]) -> tuple[int, int, int]:
    """Input, output and cached-input tokens reported in a chat completion body."""
    usage = body.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    return (
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
        int(details.get("cached_tokens") or 0),
    )


def estimate_tokens(normalized: dict[str, Any]) -> int:
    """Rough token estimate of a request (4 characters a token) plus its output budget."""
    body = normalized["body"]
    prompt = len(json.dumps(body.get("messages", []))) + len(json.dumps(body.get("tools", [])))
    output = int(body.get("max_tokens") or body.get("max_completion_tokens") or 1024)
    return prompt // 4 + output
