"""The rate limiter's schedule, on a fake clock."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable

import pytest

from personagen.llm.limiter import RateLimiter, parse_duration


class FakeClock:
    """Virtual time: sleepers wake in order of their wake-up time, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, id(future), future))
        await future

    async def run(self, *tasks: Awaitable[None]) -> None:
        """Run `tasks`, advancing virtual time whenever all of them are asleep."""
        running = asyncio.gather(*tasks)
        while not running.done():
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        await running


async def _starts(limiter: RateLimiter, clock: FakeClock, n: int, tokens: int = 0) -> list[float]:
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire(tokens)
        starts.append(clock.now)

    await clock.run(*(one() for _ in range(n)))
    return sorted(starts)


async def test_requests_are_spaced_evenly_to_the_rpm() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=120, clock=clock, sleep=clock.sleep, margin=0.0)
    starts = await _starts(limiter, clock, 5)
    assert starts == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])


async def test_token_budget_spaces_large_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=6000, clock=clock, sleep=clock.sleep, margin=0.0)
    starts = await _starts(limiter, clock, 3, tokens=1000)
    assert starts == pytest.approx([0.0, 10.0, 20.0])


async def test_no_limits_means_no_waiting() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    assert await _starts(limiter, clock, 4) == [0.0, 0.0, 0.0, 0.0]


async def test_retry_after_pauses_every_request() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=600, clock=clock, sleep=clock.sleep, margin=0.0)
    await clock.run(limiter.acquire())
    limiter.pause(3.0)
    starts = await _starts(limiter, clock, 2)
    assert starts[0] >= 3.0 and starts[1] == pytest.approx(starts[0] + 0.1)


async def test_headers_adopt_the_server_limit_and_pause_when_exhausted() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe(
        {
            "x-ratelimit-limit-requests": "60",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "1.5s",
        }
    )
    assert limiter.requests_per_minute == 60
    await clock.run(limiter.acquire())
    assert clock.now == pytest.approx(1.5)


def test_parse_openai_durations() -> None:
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1.5") == 1.5
    assert parse_duration("soon") is None
