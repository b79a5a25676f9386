"""An in-process stand-in for Anthropic's Messages API, strict about what it accepts.

It answers `POST /v1/messages` from a script, after refusing (400, as the API does) a
request the real API would refuse: unknown top-level fields, a missing `max_tokens`, a
conversation that does not start with the user or does not alternate, an empty turn, a
`tool_result` that answers no `tool_use` of the turn before, a forced tool not offered.
A wrong `x-api-key` gets a 401. It records every request it received.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from personagen.testing.stub_server import Reply

KEY = "sk-ant-test-0123456789abcdefghij"
_FIELDS = {
    "model",
    "max_tokens",
    "messages",
    "system",
    "temperature",
    "tools",
    "tool_choice",
    "metadata",
    "stop_sequences",
    "top_p",
    "top_k",
    "stream",
}


@dataclass
class NativeReply:
    """One scripted Messages API answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def as_stub_reply(self) -> Reply:
        """The same answer for the loopback StubServer."""
        return Reply(status=self.status, body=self.body, headers=self.headers)


NativeScript = Callable[[dict[str, Any], int], NativeReply]


def message(
    answer: dict[str, Any] | None = None,
    *,
    name: str = "Answer",
    text: str | None = None,
    usage: tuple[int, int] = (100, 50),
    cache_read: int = 0,
    cache_write: int = 0,
    stop_reason: str | None = None,
    call_id: str = "toolu_01",
) -> NativeReply:
    """A Messages API answer: a tool_use block with `answer`, and/or a text block."""
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"type": "text", "text": text})
    if answer is not None:
        content.append({"type": "tool_use", "id": call_id, "name": name, "input": answer})
    return NativeReply(
        body={
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-test",
            "content": content,
            "stop_reason": stop_reason or ("tool_use" if answer is not None else "end_turn"),
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage[0],
                "output_tokens": usage[1],
                "cache_read_input_tokens": cache_read,
                "cache_creation_input_tokens": cache_write,
            },
        }
    )


def error(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> NativeReply:
    """A Messages API error answer."""
    body = {"type": "error", "error": {"type": kind, "message": text}}
    return NativeReply(status=status, body=body, headers=headers or {})


def with_text_turns(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with each turn's text blocks joined into one string (for prompt readers)."""
    turns = [
        {
            "role": turn["role"],
            "content": turn["content"]
            if isinstance(turn["content"], str)
            else "\n\n".join(b["text"] for b in turn["content"] if b["type"] == "text"),
        }
        for turn in body["messages"]
    ]
    return {**body, "messages": turns}


def tool_of(body: dict[str, Any]) -> str:
    """The tool a native request forces."""
    return str(body["tool_choice"]["name"])


def refusal(body: dict[str, Any]) -> str | None:
    """Why the Messages API would refuse `body` (400), or None."""
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        return f"{unknown[0]}: Extra inputs are not permitted"
    if not isinstance(body.get("model"), str) or not isinstance(body.get("max_tokens"), int):
        return "model and max_tokens: Field required"
    turns = body.get("messages")
    if not isinstance(turns, list) or not turns or turns[0].get("role") != "user":
        return "messages: the first message must use the user role"
    offered = [tool["name"] for tool in body.get("tools") or []]
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool" and choice.get("name") not in offered:
        return "tool_choice: the forced tool is not among tools"
    previous_uses: set[str] = set()
    for number, turn in enumerate(turns):
        if number and turn["role"] == turns[number - 1]["role"]:
            return f"messages.{number}: roles must alternate between user and assistant"
        content = turn.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not blocks or any(b.get("type") == "text" and not b.get("text") for b in blocks):
            return f"messages.{number}: content must be non-empty"
        for block in blocks:
            if block["type"] == "tool_result" and block["tool_use_id"] not in previous_uses:
                return f"messages.{number}: tool_result without a matching tool_use"
        previous_uses = {b["id"] for b in blocks if b["type"] == "tool_use"}
    return None


class FakeAnthropic(httpx2.AsyncBaseTransport):
    """Answers the Messages API in process from `script(request body, number)`."""

    def __init__(self, script: NativeScript, *, key: str = KEY) -> None:
        self.script = script
        self.key = key
        self.requests: list[dict[str, Any]] = []
        self.sent: list[httpx2.Request] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Serve one request as the Messages API would."""
        await request.aread()
        self.sent.append(request)
        reply = self.reply(request.method, request.url.path, request.headers, request.content)
        raw = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        return httpx2.Response(reply.status, content=raw, headers=reply.headers, request=request)

    def reply(self, method: str, path: str, headers: Any, raw: bytes) -> NativeReply:
        """The answer to one request (shared with the loopback server)."""
        if method != "POST" or not path.endswith("/v1/messages"):
            return error(404, "not_found_error", f"no route {method} {path}")
        if headers.get("x-api-key") != self.key:
            return error(401, "authentication_error", "invalid x-api-key")
        if headers.get("anthropic-version") != "2023-06-01":
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        body = json.loads(raw)
        problem = refusal(body)
        if problem is not None:
            return error(400, "invalid_request_error", problem)
        number = len(self.requests)
        self.requests.append(body)
        return self.script(body, number)
