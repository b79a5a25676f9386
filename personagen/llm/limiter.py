"""Client-side rate limiting: requests and tokens per minute, adapted to server headers.

Requests are spaced evenly at the limit (60/R apart) rather than sent in bursts. Spacing
alone is not enough at the exact limit: request k+R then lands on the very edge of the
server's one-minute window, and jitter (a request that leaves late, the one R before it
counted late) puts R+1 requests inside one minute. So the limiter also guards the window
itself: it remembers when each request actually left and never lets request k start
before request k−R left + 60 s + `slack`. The guard costs `slack` once a minute at most
(about 0.4% at the default), where a margin on the rate cost its whole percentage on
every request. The token budget gets the same spacing and the same guard.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
WINDOW = 60.0
# Seconds between the time recorded for a send and the server counting it (event-loop
# delay, connection pool, network): generous for loopback, a few round trips elsewhere.
SLACK = 0.25


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


@dataclass
class _Slot:
    """One reserved request: its scheduled start, then the time it actually left."""

    at: float
    tokens: int


class RateLimiter:
    """Paces requests so that neither the request nor the token budget is exceeded."""

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        margin: float = 0.0,
        slack: float = SLACK,
    ) -> None:
        if not 0.0 <= margin < 1.0:
            raise ValueError(f"rate limiter margin must be in [0, 1), got {margin}")
        if slack < 0.0:
            raise ValueError(f"rate limiter slack must be ≥ 0 seconds, got {slack}")
        self.margin = margin
        self.slack = slack
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_request = 0.0
        self._next_tokens = 0.0
        self._paused_until = 0.0
        # Requests that may still count in a server's window, oldest first.
        self._slots: deque[_Slot] = deque()
        self._slot_tokens = 0
        self.waited = 0.0

    def request_spacing(self) -> float:
        """Seconds between two request starts: 60/(R·(1−margin)), 0 without a limit."""
        if not self.requests_per_minute:
            return 0.0
        return WINDOW / (self.requests_per_minute * (1.0 - self.margin))

    def token_spacing(self, tokens: int) -> float:
        """Seconds a request of `tokens` tokens holds the token budget, with the margin."""
        if not self.tokens_per_minute:
            return 0.0
        return WINDOW * tokens / (self.tokens_per_minute * (1.0 - self.margin))

    def _expiry(self, slot: _Slot) -> float:
        """When `slot` has surely left every server's one-minute window."""
        return slot.at + WINDOW + self.slack

    def _guard(self) -> _Slot | None:
        """The request R before the next one, while it may still count in a window."""
        if not self.requests_per_minute:
            return None
        most = max(1, int(self.requests_per_minute * (1.0 - self.margin)))
        return self._slots[-most] if len(self._slots) >= most else None

    def _window_start(self, start: float, tokens: int, guard: _Slot | None) -> float:
        """The earliest time ≥ `start` at which one more request fits in every window."""
        if guard is not None:
            start = max(start, self._expiry(guard))
        if self.tokens_per_minute:
            budget = self.tokens_per_minute * (1.0 - self.margin)
            held = self._slot_tokens + tokens
            for slot in self._slots:  # oldest first: wait for just enough of them to expire
                if held <= budget:
                    break
                expiry = self._expiry(slot)
                if expiry > start:
                    start = expiry
                held -= slot.tokens
        return start

    def _reserve(self, tokens: int) -> tuple[_Slot, _Slot | None]:
        now = self._clock()
        while self._slots and self._expiry(self._slots[0]) <= now:
            self._slot_tokens -= self._slots.popleft().tokens
        guard = self._guard()
        start = max(now, self._next_request, self._next_tokens, self._paused_until)
        start = self._window_start(start, tokens, guard)
        if self.requests_per_minute:
            self._next_request = start + self.request_spacing()
        if self.tokens_per_minute:
            self._next_tokens = start + self.token_spacing(tokens)
        slot = _Slot(start, tokens)
        self._slots.append(slot)
        self._slot_tokens += tokens
        return slot, guard

    async def _wait_until(self, moment: float) -> None:
        delay = moment - self._clock()
        if delay > 0:
            self.waited += delay
            await self._sleep(delay)

    async def acquire(self, tokens: int = 0) -> None:
        """Wait until a request of about `tokens` tokens may be sent."""
        while True:
            slot, guard = self._reserve(tokens)
            await self._wait_until(slot.at)
            if guard is not None:
                # The request R before this one may have left later than it was
                # scheduled (a late wake-up): the window counts from when it left.
                await self._wait_until(self._expiry(guard))
            if self._paused_until > self._clock():
                # A retry-after arrived meanwhile: take a slot after it. The slot left
                # unused still counts in the window, which errs on the safe side.
                continue
            slot.at = max(slot.at, self._clock())
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
