"""The part every provider with its own API shares: one HTTP exchange, translated both ways.

A subclass says how a chat-completions body becomes its request, how its answer becomes
a chat completion, what its error bodies say and which of its headers carry rate limits.
Everything else (the URL under the door's base, the timeout, statuses the door retries,
answers that are not what the API promises) is handled here once.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx2

from personagen.errors import SettingsError

# Headers the door reads from every answer: retry delays (the limiter's pause).
_KEPT_HEADERS = ("retry-after", "retry-after-ms")


@dataclass(frozen=True)
class NativeRequest:
    """A request in the provider's own form: path under the base URL, headers, JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class MalformedAnswer(ValueError):
    """A 200 answer that is not what the provider's API promises."""


class NativeUpstream(httpx2.AsyncBaseTransport, ABC):
    """Sends the door's chat-completion requests to a provider's own API over `network`."""

    name: ClassVar[str]
    # Statuses a provider uses for "try again later" that OpenAI's form spells otherwise.
    status_map: ClassVar[Mapping[int, int]] = {}

    def __init__(self, network: httpx2.AsyncBaseTransport, key: str | None) -> None:
        self.network = network
        self.key = key

    @abstractmethod
    def native_request(self, body: dict[str, Any]) -> NativeRequest:
        """The provider's request for a chat-completions `body`."""

    @abstractmethod
    def openai_answer(self, native: Any) -> dict[str, Any]:
        """A chat-completion body for the provider's answer; MalformedAnswer if it is none."""

    @abstractmethod
    def error_text(self, native: Any) -> tuple[str, str]:
        """The error type and message in the provider's error body."""

    @abstractmethod
    def rate_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The provider's rate-limit headers as OpenAI's `x-ratelimit-*` headers."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """One exchange: translate the request, send it, translate what comes back."""
        await request.aread()
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            raise SettingsError(
                f"provider '{self.name}' answers model calls only; the Batch API is "
                "OpenAI's (run without --batch-api)"
            )
        native = self.native_request(json.loads(request.content))
        sent = httpx2.Request(
            "POST",
            _root(request.url) + native.path,
            headers={"content-type": "application/json", **native.headers},
            content=json.dumps(native.body, ensure_ascii=False).encode("utf-8"),
            extensions=request.extensions,  # the client's timeout
        )
        response = await self.network.handle_async_request(sent)
        try:
            raw = await response.aread()
        finally:
            await response.aclose()
        status, body = self._translated(response.status_code, raw)
        headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        headers |= self.rate_headers(response.headers)
        headers["content-type"] = "application/json"
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return httpx2.Response(status, headers=headers, content=content, request=request)

    def _translated(self, status: int, raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            native = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            native = None
        if status == 200:
            try:
                return 200, self.openai_answer(native)
            except (MalformedAnswer, LookupError, TypeError, AttributeError) as problem:
                # A broken answer is the server's fault: retried like any 502.
                reason = f"a malformed {self.name} answer ({problem})"
                return 502, {"error": {"message": reason, "type": "bad_gateway"}}
        try:
            kind, message = self.error_text(native)
        except (LookupError, TypeError, AttributeError):
            kind, message = "error", raw.decode("utf-8", errors="replace")[:400]
        return self.status_map.get(status, status), {"error": {"message": message, "type": kind}}

    async def aclose(self) -> None:
        """Close the network transport."""
        await self.network.aclose()


def _root(url: httpx2.URL) -> str:
    """The base URL the door sends to, without its chat-completions path or a `/v1`."""
    text = str(url.copy_with(query=None, fragment=None))
    text = text.removesuffix("/chat/completions").rstrip("/")
    return text.removesuffix("/v1")
