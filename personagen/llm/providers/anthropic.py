"""Anthropic's Messages API (`POST {base}/v1/messages`) behind the door.

| chat completions (the door's form) | Messages API |
|---|---|
| `system` messages | `system` (joined) |
| user and assistant messages | turns; same-role neighbours merged |
| assistant `tool_calls` (arguments as a JSON string) | `tool_use` blocks (`input` object) |
| `tool` messages (instructor's re-ask) | a user turn of `tool_result` blocks |
| `tools[].function` (name, description, parameters) | `tools[]` (name, description, input_schema) |
| `tool_choice` of one function | `{"type": "tool", "name": ...}` |
| `response_format` json_object (json mode) | dropped: the schema is in the last user turn |
| `max_tokens`, `temperature` | the same (`max_tokens` is required) |
| answer text and `tool_use` blocks | `message.content`, `message.tool_calls` |
| `stop_reason` end_turn, max_tokens, tool_use | `finish_reason` stop, length, tool_calls |
| `usage` input + cache read + cache write, output | `prompt_tokens`, `completion_tokens` |
| `usage.cache_read_input_tokens` | `prompt_tokens_details.cached_tokens` |
| `anthropic-ratelimit-{requests,tokens}-*` | `x-ratelimit-*` (reset as seconds) |
| 529 overloaded | 503 (retried like any transient error) |

There is no json_schema response format; settings refuse that mode for this provider.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import httpx2

from personagen.llm.providers.native import MalformedAnswer, NativeRequest, NativeUpstream
from personagen.settings import Settings

API_VERSION = "2023-06-01"
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def upstream(settings: Settings, network: httpx2.AsyncBaseTransport) -> AnthropicUpstream:
    """The door's upstream for provider `anthropic`."""
    return AnthropicUpstream(network, settings.api_key)


class AnthropicUpstream(NativeUpstream):
    """Chat completions in, Messages API out; answers back as chat completions."""

    name = "anthropic"
    status_map = {529: 503}

    def native_request(self, body: dict[str, Any]) -> NativeRequest:
        """The Messages API request for a chat-completions body."""
        system, turns = _turns(body.get("messages") or [])
        native: dict[str, Any] = {
            "model": body["model"],
            "max_tokens": int(body["max_tokens"]),  # required here; the door always sets it
            "messages": turns,
        }
        if system:
            native["system"] = system
        if body.get("temperature") is not None:
            native["temperature"] = body["temperature"]
        tools = [tool["function"] for tool in body.get("tools") or []]
        if tools:
            native["tools"] = [
                {
                    "name": function["name"],
                    "description": function.get("description") or "",
                    "input_schema": function.get("parameters") or {"type": "object"},
                }
                for function in tools
            ]
            choice = body.get("tool_choice")
            if isinstance(choice, dict):  # the door forces the one tool it offers
                native["tool_choice"] = {"type": "tool", "name": choice["function"]["name"]}
        headers = {"anthropic-version": API_VERSION}
        if self.key:
            headers["x-api-key"] = self.key
        return NativeRequest("/v1/messages", headers, native)

    def openai_answer(self, native: Any) -> dict[str, Any]:
        """The chat completion for a Messages API answer."""
        if not isinstance(native, dict) or not isinstance(native.get("content"), list):
            raise MalformedAnswer("no content blocks")
        blocks = [block for block in native["content"] if isinstance(block, dict)]
        if any(
            b.get("type") == "tool_use" and not isinstance(b.get("input"), dict) for b in blocks
        ):
            raise MalformedAnswer("a tool_use input that is not an object")
        texts = [str(block["text"]) for block in blocks if block.get("type") == "text"]
        calls = [
            {
                "id": str(block["id"]),
                "type": "function",
                "function": {
                    "name": str(block["name"]),
                    "arguments": json.dumps(block["input"], ensure_ascii=False),
                },
            }
            for block in blocks
            if block.get("type") == "tool_use"
        ]
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
        if calls:
            message["tool_calls"] = calls
        usage = native.get("usage") or {}
        read = int(usage.get("cache_read_input_tokens") or 0)
        # OpenAI's prompt_tokens count every input token; Anthropic's input_tokens leave
        # out what was read from or written to its prompt cache.
        prompt = int(usage.get("input_tokens") or 0) + read
        prompt += int(usage.get("cache_creation_input_tokens") or 0)
        completion = int(usage.get("output_tokens") or 0)
        return {
            "id": str(native.get("id") or "msg"),
            "object": "chat.completion",
            "created": 0,
            "model": str(native.get("model") or ""),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": STOP_REASONS.get(str(native.get("stop_reason")), "stop"),
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": read},
            },
        }

    def error_text(self, native: Any) -> tuple[str, str]:
        """`{"type": "error", "error": {"type": ..., "message": ...}}`."""
        error = native["error"]
        return str(error.get("type") or "error"), str(error["message"])

    def rate_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """`anthropic-ratelimit-*` as `x-ratelimit-*`; resets (RFC 3339) as seconds from now."""
        return openai_rate_headers(headers, dt.datetime.now(dt.UTC))


def openai_rate_headers(headers: Mapping[str, str], now: dt.datetime) -> dict[str, str]:
    """Anthropic's rate-limit headers in OpenAI's names, as seen at `now`."""
    found: dict[str, str] = {}
    for kind in ("requests", "tokens"):
        for part in ("limit", "remaining"):
            value = headers.get(f"anthropic-ratelimit-{kind}-{part}")
            if value is not None:
                found[f"x-ratelimit-{part}-{kind}"] = value
        reset = _seconds_until(headers.get(f"anthropic-ratelimit-{kind}-reset"), now)
        if reset is not None:
            found[f"x-ratelimit-reset-{kind}"] = f"{reset:.3f}"
    return found


def _seconds_until(stamp: str | None, now: dt.datetime) -> float | None:
    if not stamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now).total_seconds())


def _turns(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The system text and the conversation turns of chat-completion `messages`."""
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            system += [block["text"] for block in _text_blocks(message.get("content"))]
            continue
        if role == "tool":
            role = "user"
            blocks: list[dict[str, Any]] = [
                {
                    "type": "tool_result",
                    "tool_use_id": message["tool_call_id"],
                    "content": str(message.get("content") or ""),
                }
            ]
        elif role == "assistant":
            blocks = _text_blocks(message.get("content")) + [
                _tool_use(call) for call in message.get("tool_calls") or []
            ]
        else:
            role, blocks = "user", _text_blocks(message.get("content"))
        if not blocks:
            continue  # the Messages API refuses empty turns
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": role, "content": blocks})
    for turn in turns:
        only = turn["content"]
        if len(only) == 1 and only[0]["type"] == "text":
            turn["content"] = only[0]["text"]
    return "\n\n".join(system), turns


def _text_blocks(content: Any) -> list[dict[str, Any]]:
    """The text block of a message's content; none when it is empty (a bare tool call)."""
    return [{"type": "text", "text": content}] if isinstance(content, str) and content else []


def _tool_use(call: dict[str, Any]) -> dict[str, Any]:
    """An earlier answer's tool call, as sent back in a re-ask (its input was an object)."""
    function = call["function"]
    return {
        "type": "tool_use",
        "id": call["id"],
        "name": function["name"],
        "input": json.loads(function["arguments"]),
    }
