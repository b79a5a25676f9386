"""The HTTP transport behind the model client: cache, replay, budget, rate limit, retry, record.

Working at the level of single HTTP exchanges means every instructor re-ask is recorded,
metered and billed on its own (valid or not), and replay answers exactly what was sent.
Only the final, validated answer of a call enters the response cache (`commit`), so an
answer that failed validation is never served again as if it were good.

Every endpoint passes through here: chat completions get the full treatment; the Batch
API's file and batch endpoints are sent upstream (never in replay) and metered as calls.
"""

from __future__ import annotations

import json
import random
from typing import Any, Protocol

import httpx2
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from personagen.errors import ReplayMissError
from personagen.llm.budget import SpendingLimit
from personagen.llm.cassettes import CassetteBook, carried_over, new_cassette
from personagen.llm.exchange import (
    estimate_tokens,
    lenient_body,
    normalize_request,
    prompt_tokens,
    request_key,
    usage_of,
)
from personagen.llm.limiter import RateLimiter, parse_duration
from personagen.llm.masking import mask_body
from personagen.llm.meter import CURRENT_CALL, CallMeter, Usage
from personagen.llm.pricing import Price

TRANSIENT_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
TRANSIENT_ERRORS = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)
MAX_BACKOFF_SECONDS = 30.0
_FRAMING = frozenset({"content-length", "content-encoding", "transfer-encoding"})


class ResponseCache(Protocol):
    """A content-addressed store of successful response bodies."""

    def get_response(self, key: str) -> bytes | None:
        """The cached body for `key`, if any."""

    def put_response(self, key: str, task: str, body: bytes) -> None:
        """Store a validated body under `key`."""


class _Transient(Exception):
    def __init__(self, response: httpx2.Response | None, retry_after: float | None) -> None:
        self.response = response
        self.retry_after = retry_after


def _retry_after(response: httpx2.Response) -> float | None:
    for header in ("retry-after-ms", "retry-after"):
        value = response.headers.get(header)
        if value:
            seconds = parse_duration(value)
            if seconds is not None:
                return seconds / 1000 if header == "retry-after-ms" else seconds
    return None


def _backoff(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Transient) and exc.retry_after is not None:
        return 0.0  # the limiter already holds every request for the server's delay
    backoff: float = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (state.attempt_number - 1))
    return backoff * random.uniform(0.5, 1.0)


def _json_response(body: bytes, request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(
        200, content=body, headers={"content-type": "application/json"}, request=request
    )


class DoorTransport(httpx2.AsyncBaseTransport):
    """Answers chat-completion requests from cache, cassettes or the network, in that order."""

    def __init__(
        self,
        *,
        upstream: httpx2.AsyncBaseTransport | None,
        limiter: RateLimiter,
        price: Price | None,
        attempts: int = 5,
        cache: ResponseCache | None = None,
        replay: CassetteBook | None = None,
        record: CassetteBook | None = None,
        rekey: bool = False,
        price_factor: float = 1.0,
        spending: SpendingLimit | None = None,
        secret: str | None = None,
    ) -> None:
        self.upstream = upstream
        self.secret = secret  # masked in every answer before anything keeps or reads it
        self.limiter = limiter
        self.price = price
        self.attempts = attempts
        self.cache = cache
        self.replay = replay
        self.record = record
        self.rekey = rekey
        self.price_factor = price_factor
        self.spending = spending or SpendingLimit(None)
        self.totals = Usage()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Serve one HTTP exchange."""
        await request.aread()
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            return await self._other_endpoint(request)
        meter = CURRENT_CALL.get() or CallMeter(task="unknown", label="")
        sending, meter.sending = meter.sending, None
        if sending is not None and meter.prepared is not None:
            normalized, key = normalize_request(request.url.path, sending), meter.prepared[0]
        else:
            normalized = normalize_request(request.url.path, json.loads(request.content))
            key = request_key(normalized)
        meter.keys.append(key)
        label = f"{meter.label}#{meter.exchanges}"
        usage = Usage()
        try:
            cached = self.cache.get_response(key) if self.cache else None
            if cached is not None:
                usage.cache_hits = 1
                meter.sources.add("response cache")
                return _json_response(lenient_body(mask_body(cached, self.secret)), request)
            body = await self._answer(request, normalized, key, meter, label, usage)
            if isinstance(body, httpx2.Response):
                return body
            self._charge(json.loads(body), usage, meter)
            meter.answers[key] = body
            return _json_response(lenient_body(body), request)
        finally:
            meter.usage.add(usage)
            self.totals.add(usage)

    def commit(self, meter: CallMeter) -> None:
        """Cache the final answer of a call that validated (never a rejected one)."""
        if self.cache is None or not meter.keys:
            return
        final = meter.keys[-1]
        body = meter.answers.get(final)
        if body is not None:
            self.cache.put_response(final, meter.task, body)

    async def _other_endpoint(self, request: httpx2.Request) -> httpx2.Response:
        """Batch API files and batches: sent upstream and counted; refused in replay."""
        meter = CURRENT_CALL.get()
        usage = Usage(network_calls=1)
        try:
            response = await self._send(request, tokens=0, usage=usage)
            body = mask_body(await response.aread(), self.secret)
            # The body is decoded and may change length: its transfer headers no longer hold.
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _FRAMING]
            return httpx2.Response(
                response.status_code, headers=headers, content=body, request=request
            )
        finally:
            if meter is not None:
                meter.usage.add(usage)
            self.totals.add(usage)

    async def _answer(
        self,
        request: httpx2.Request,
        normalized: dict[str, Any],
        key: str,
        meter: CallMeter,
        label: str,
        usage: Usage,
    ) -> bytes | httpx2.Response:
        task = meter.task
        if self.replay is not None:
            cassette = self.replay.get(key, task, label)
            if cassette is None and self.rekey:
                old = self.replay.by_label(label)
                if old is not None:
                    cassette = carried_over(old, key, normalized)
                    self.replay.carry(cassette, replaces=old)
            if cassette is None:
                raise ReplayMissError(task, key, str(self.replay.directory))
            if self.record is not None:  # a complete folder of this session's answers
                self.record.add(cassette)
            usage.replayed = 1
            meter.sources.add(f"{cassette.source} cassette")
            return mask_body(json.dumps(cassette.response).encode("utf-8"), self.secret)
        known = meter.known_tokens(key)
        input_tokens = prompt_tokens(normalized) if known is None else known
        reserved = self.spending.reserve(self.price, input_tokens, meter.expected_output_tokens)
        try:
            tokens = estimate_tokens(normalized, input_tokens)
            response = await self._send(request, tokens=tokens, usage=usage)
        finally:
            self.spending.release(reserved)
        if response.status_code != 200:
            return response
        body = mask_body(await response.aread(), self.secret)
        usage.network_calls = 1
        meter.sources.add("live model")
        if self.record is not None:
            self.record.add(new_cassette(key, task, label, normalized, json.loads(body)))
        return body

    def _charge(self, body: dict[str, Any], usage: Usage, meter: CallMeter) -> None:
        input_tokens, output_tokens, cached_tokens = usage_of(body)
        usage.input_tokens = input_tokens
        usage.output_tokens = output_tokens
        usage.cached_tokens = cached_tokens
        if self.price is None:
            meter.unpriced = True
            return
        cost = self.price.cost(input_tokens, output_tokens, cached_tokens)
        usage.cost_usd = cost * self.price_factor
        if usage.network_calls:
            self.spending.spend(usage.cost_usd)

    async def _send(
        self, request: httpx2.Request, *, tokens: int, usage: Usage | None = None
    ) -> httpx2.Response:
        if self.upstream is None:
            raise httpx2.ConnectError("replay mode makes no network requests", request=request)
        upstream = self.upstream
        seen = usage or Usage()
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=_backoff,
            retry=retry_if_exception_type((_Transient, *TRANSIENT_ERRORS)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        seen.retries += 1
                    await self.limiter.acquire(tokens)
                    response = await upstream.handle_async_request(request)
                    self.limiter.observe(response.headers)
                    if response.status_code in TRANSIENT_STATUSES:
                        await response.aread()
                        delay = _retry_after(response)
                        if response.status_code == 429:
                            seen.rate_limited += 1
                        if delay is not None:
                            self.limiter.pause(delay)
                        raise _Transient(response, delay)
                    return response
        except _Transient as exhausted:
            assert exhausted.response is not None
            return exhausted.response
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def aclose(self) -> None:
        """Close the upstream transport."""
        if self.upstream is not None:
            await self.upstream.aclose()
