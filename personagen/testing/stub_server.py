"""A loopback OpenAI-compatible server for tests and benchmarks.

It answers `POST /v1/chat/completions` from a script (a function of the request body and
its sequence number), can add latency, enforce a requests-per-minute limit with 429 and
`retry-after`, and records every request it received. Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from personagen.testing.schema_answers import answer_from_schema, request_schema


@dataclass
class Reply:
    """One scripted answer: a status, a JSON body, headers, and faults to inject."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset_connection: bool = False
    raw: bytes | None = None


Script = Callable[[dict[str, Any], int], Reply]


def completion(
    arguments: dict[str, Any] | str,
    *,
    mode: str = "tools",
    name: str = "Answer",
    finish_reason: str | None = None,
    usage: tuple[int, int] = (100, 50),
) -> Reply:
    """A chat completion answering with `arguments` as a tool call or as message content."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    if mode == "tools":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
            ],
        }
        reason = finish_reason or "tool_calls"
    else:
        message = {"role": "assistant", "content": text}
        reason = finish_reason or "stop"
    return Reply(
        body={
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": "stub-model",
            "choices": [{"index": 0, "message": message, "finish_reason": reason}],
            "usage": {
                "prompt_tokens": usage[0],
                "completion_tokens": usage[1],
                "total_tokens": usage[0] + usage[1],
            },
        }
    )


def tool_name(body: dict[str, Any]) -> str:
    """The function name instructor asked for (tools mode), or 'Answer'."""
    tools = body.get("tools") or []
    return str(tools[0]["function"]["name"]) if tools else "Answer"


def _tokens(value: Any) -> int:
    """The stub's own token count for a JSON value: a quarter of its length, at least 1."""
    return max(1, len(json.dumps(value)) // 4)


def schema_only_usage(body: dict[str, Any], answer: Any) -> tuple[int, int]:
    """Prompt and completion tokens as the fakes count them: a quarter of the JSON length."""
    return _tokens(body), _tokens(answer)


def schema_only_script(
    seed: int = 0,
    *,
    invalid_first: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Script:
    """A script answering every request with a random instance of the request's schema.

    It plays a constrained decoder: the answer obeys the JSON schema (tools[0] parameters,
    or response_format json_schema) and ignores every rule said only in prose. Answers are
    seeded and deterministic per request number; the reply is a tool call named after
    tools[0] in tools mode, else message content. Usage is the stub's own count,
    len(json.dumps(...)) // 4 of the request and of the answer. With `invalid_first`, the
    first answer of each conversation (no assistant or tool message yet) goes through it.
    A request without a schema gets a 400 naming the problem.
    """

    def script(body: dict[str, Any], number: int) -> Reply:
        try:
            schema = request_schema(body)
        except ValueError as error:  # e.g. JSON mode: the schema is only in the prompt
            return Reply(status=400, body={"error": {"message": f"schema-only stub: {error}"}})
        answer = answer_from_schema(schema, random.Random(seed * 1_000_003 + number))
        messages = body.get("messages") or []
        first = not any(m.get("role") in ("assistant", "tool") for m in messages)
        if invalid_first is not None and first and isinstance(answer, dict):
            answer = invalid_first(answer)
        mode = "tools" if body.get("tools") else "json"
        usage = schema_only_usage(body, answer)
        return completion(answer, mode=mode, name=tool_name(body), usage=usage)

    return script


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up mid-answer are expected in fault tests: no traceback."""

    # A burst of hundreds of new connections must queue, not be refused (default 5).
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        return


class StubServer:
    """Run with `with StubServer(script) as stub:`; `stub.base_url` ends in /v1."""

    def __init__(
        self,
        script: Script,
        *,
        latency: float = 0.0,
        requests_per_minute: float | None = None,
        extra_routes: dict[tuple[str, str], Callable[[bytes, str], Reply]] | None = None,
    ) -> None:
        self.script = script
        self.latency = latency
        self.requests_per_minute = requests_per_minute
        self.extra_routes = extra_routes or {}
        self.requests: list[dict[str, Any]] = []
        self.raw_requests: list[tuple[str, str, bytes, dict[str, str]]] = []
        self.rate_limited = 0
        self.accepted = 0
        self.prompt_tokens_total = 0
        self.completion_tokens_total = 0
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's OpenAI-style base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _over_limit(self) -> float | None:
        if not self.requests_per_minute:
            return None
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 60.0:
                self._window.popleft()
            if len(self._window) >= self.requests_per_minute:
                self.rate_limited += 1
                return max(0.05, 60.0 - (now - self._window[0]))
            self._window.append(now)
        return None

    def _count_usage(self, reply: Reply) -> None:
        """Add a 200 reply's usage to the stub's own totals."""
        if reply.status != 200 or not isinstance(reply.body, dict):
            return
        usage = reply.body.get("usage")
        if not isinstance(usage, dict):
            return
        prompt, answer = usage.get("prompt_tokens"), usage.get("completion_tokens")
        with self._lock:
            self.prompt_tokens_total += prompt if isinstance(prompt, int) else 0
            self.completion_tokens_total += answer if isinstance(answer, int) else 0

    def _reply_for(self, method: str, path: str, raw: bytes, content_type: str) -> Reply:
        route = self.extra_routes.get((method, path.split("?")[0]))
        if route is None:
            for (m, prefix), handler in self.extra_routes.items():
                if m == method and prefix.endswith("*") and path.startswith(prefix[:-1]):
                    route = handler
        if route is not None:
            return route(raw, path)
        if method == "POST" and path.endswith("/chat/completions"):
            wait = self._over_limit()
            if wait is not None:
                return Reply(
                    status=429,
                    body={"error": {"message": "rate limit reached", "type": "requests"}},
                    headers={"retry-after": f"{wait:.3f}"},
                )
            body = json.loads(raw or b"{}")
            with self._lock:
                number = len(self.requests)
                self.requests.append(body)
                self.accepted += 1
            return self.script(body, number)
        return Reply(status=404, body={"error": {"message": f"no route {method} {path}"}})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out without a 40 ms delay

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                with stub._lock:
                    stub.raw_requests.append((method, self.path, raw, dict(self.headers)))
                reply = stub._reply_for(
                    method, self.path, raw, self.headers.get("content-type", "")
                )
                if stub.latency or reply.delay:
                    time.sleep(stub.latency + reply.delay)
                if reply.reset_connection:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.raw is None:
                    stub._count_usage(reply)  # before the client can read the answer
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client went away (killed or timed out)

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

        return Handler
