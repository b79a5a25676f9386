"""Client-side rate limiting: requests and tokens per minute, adapted to server headers.

Requests are spaced evenly rather than sent in bursts: a server that counts a sliding
one-minute window then never sees more than its limit, so 429s stay rare.

The pace keeps a small margin under the limit (`MARGIN`, 3%): spaced at exactly 60/R,
request R+1 lands on the very edge of the server's window, and network jitter (a request
that leaves late, the one before it counted late) puts R+1 requests inside one minute, so
a run at the exact provider limit still drew a 429 now and then. 3% leaves about two
seconds a minute of slack at any rate, for 3% less throughput.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
MARGIN = 0.03


def parse_duration(value: str) -> float | None:
    """Parse OpenAI's reset durations ('1s', '6m0s', '20ms') or plain seconds."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(value)
    if not parts:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


class RateLimiter:
    """Paces requests so that neither the request nor the token budget is exceeded."""

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        margin: float = MARGIN,
    ) -> None:
        if not 0.0 <= margin < 1.0:
            raise ValueError(f"rate limiter margin must be in [0, 1), got {margin}")
        self.margin = margin
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_request = 0.0
        self._next_tokens = 0.0
        self._paused_until = 0.0
        self.waited = 0.0

    def request_spacing(self) -> float:
        """Seconds between two request starts: 60/(R·(1−margin)), 0 without a limit."""
        if not self.requests_per_minute:
            return 0.0
        return 60.0 / (self.requests_per_minute * (1.0 - self.margin))

    def token_spacing(self, tokens: int) -> float:
        """Seconds a request of `tokens` tokens holds the token budget, with the margin."""
        if not self.tokens_per_minute:
            return 0.0
        return 60.0 * tokens / (self.tokens_per_minute * (1.0 - self.margin))

    def _reserve(self, tokens: int) -> float:
        now = self._clock()
        start = max(now, self._next_request, self._next_tokens, self._paused_until)
        if self.requests_per_minute:
            self._next_request = start + self.request_spacing()
        if self.tokens_per_minute:
            self._next_tokens = start + self.token_spacing(tokens)
        return start

    async def acquire(self, tokens: int = 0) -> None:
        """Wait until a request of about `tokens` tokens may be sent."""
        while True:
            start = self._reserve(tokens)
            delay = start - self._clock()
            if delay > 0:
                self.waited += delay
                await self._sleep(delay)
            if self._paused_until <= self._clock():
                return

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` (a server's retry-after)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adapt to `x-ratelimit-*` headers: adopt the server's limits, pause when exhausted."""
        limit = headers.get("x-ratelimit-limit-requests")
        if limit and limit.isdigit() and self.requests_per_minute is None:
            self.requests_per_minute = float(limit)
        token_limit = headers.get("x-ratelimit-limit-tokens")
        if token_limit and token_limit.isdigit() and self.tokens_per_minute is None:
            self.tokens_per_minute = float(token_limit)
        for kind in ("requests", "tokens"):
            remaining = headers.get(f"x-ratelimit-remaining-{kind}")
            reset = parse_duration(headers.get(f"x-ratelimit-reset-{kind}", ""))
            if remaining is not None and remaining.strip() == "0" and reset:
                self.pause(reset)
