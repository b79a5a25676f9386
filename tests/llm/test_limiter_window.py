"""At the exact provider limit: full rate, and never R+1 requests in a server's window."""

from __future__ import annotations

import random

import pytest

from personagen.llm.limiter import SLACK, RateLimiter
from tests.llm.test_limiter import FakeClock, _starts


def _window_peak(times: list[float], window: float = 60.0) -> int:
    """The most times a server's sliding window [t, t + window) ever holds."""
    times = sorted(times)
    return max(sum(1 for t in times if s <= t < s + window) for s in times)


async def _arrivals(
    limiter: RateLimiter, clock: FakeClock, n: int, seed: int, late: float
) -> tuple[list[float], list[float]]:
    """When `n` requests left (acquire returned) and when a server counted each of them.

    Sleeps wake up to `late` seconds after they were due, and each request reaches the
    server up to SLACK seconds after it left.
    """
    rng = random.Random(seed)
    sent: list[float] = []
    counted: list[float] = []

    async def jittery_sleep(seconds: float) -> None:
        await clock.sleep(seconds + rng.uniform(0.0, late))

    limiter._sleep = jittery_sleep

    async def one() -> None:
        await limiter.acquire()
        sent.append(clock.now)
        counted.append(clock.now + rng.uniform(0.0, SLACK))

    await clock.run(*(one() for _ in range(n)))
    return sorted(sent), counted


def test_requests_are_spaced_at_the_limit_itself() -> None:
    assert RateLimiter(requests_per_minute=200).request_spacing() == pytest.approx(0.3)
    assert RateLimiter(tokens_per_minute=6000).token_spacing(1000) == pytest.approx(10.0)


async def test_the_first_minute_goes_at_full_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=120, clock=clock, sleep=clock.sleep)
    starts = await _starts(limiter, clock, 120)
    assert starts == pytest.approx([0.5 * i for i in range(120)])


@pytest.mark.parametrize(("rpm", "seed"), [(60, 1), (200, 2), (500, 3)])
async def test_three_minutes_at_the_limit_never_put_one_more_in_a_window(
    rpm: int, seed: int
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=rpm, clock=clock, sleep=clock.sleep)
    sent, counted = await _arrivals(limiter, clock, 3 * rpm, seed, late=0.05)
    assert _window_peak(counted) <= rpm
    # The guard costs at most its slack (plus late wake-ups) once a minute, not a margin.
    assert sent[-1] <= (3 * rpm - 1) * 60.0 / rpm + 3 * (SLACK + 0.05)


async def test_a_request_that_left_late_moves_the_one_a_window_after_it() -> None:
    # Wake-ups up to 2 s late (a busy event loop): the window counts from when a request
    # left, not from when it was scheduled.
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=100, clock=clock, sleep=clock.sleep)
    _, counted = await _arrivals(limiter, clock, 300, seed=4, late=2.0)
    assert _window_peak(counted) <= 100


async def test_a_server_counting_exactly_when_requests_leave_sees_the_slack() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=50, clock=clock, sleep=clock.sleep)
    starts = await _starts(limiter, clock, 101)
    assert starts[50] - starts[0] == pytest.approx(60.0 + SLACK)
    assert starts[100] - starts[50] == pytest.approx(60.0 + SLACK)
    assert _window_peak(starts, window=60.0 + SLACK) <= 50


async def test_tokens_in_any_window_stay_within_the_token_budget() -> None:
    # Spacing alone lets starts at 0, 24 and 48 s hold 1,200 tokens of a 1,000 budget.
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=1000, clock=clock, sleep=clock.sleep)
    starts = await _starts(limiter, clock, 4, tokens=400)
    assert starts == pytest.approx([0.0, 24.0, 60.0 + SLACK, 84.0 + SLACK])


async def test_a_request_larger_than_the_token_budget_waits_for_an_empty_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=1000, clock=clock, sleep=clock.sleep)
    await clock.run(limiter.acquire(300))
    await clock.run(limiter.acquire(5000))
    assert clock.now == pytest.approx(60.0 + SLACK)


async def test_a_limit_learned_from_headers_is_guarded_too() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    await clock.run(limiter.acquire(), limiter.acquire())  # before any header: no limit
    limiter.observe({"x-ratelimit-limit-requests": "2"})
    starts = await _starts(limiter, clock, 2)
    assert starts == pytest.approx([60.0 + SLACK, 60.0 + SLACK + 30.0])


def test_no_limit_means_no_spacing() -> None:
    limiter = RateLimiter()
    assert limiter.request_spacing() == 0.0 and limiter.token_spacing(500) == 0.0


@pytest.mark.parametrize(("margin", "slack"), [(-0.1, 0.0), (1.0, 0.0), (0.0, -1.0)])
def test_a_margin_or_slack_out_of_range_is_refused(margin: float, slack: float) -> None:
    with pytest.raises(ValueError, match="margin|slack"):
        RateLimiter(requests_per_minute=60, margin=margin, slack=slack)


async def test_a_retry_after_that_arrives_while_requests_wait_holds_them() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=60, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        starts.append(clock.now)

    async def server_says_wait() -> None:
        await clock.sleep(0.5)
        limiter.pause(5.0)

    await clock.run(one(), one(), one(), server_says_wait())
    assert starts[0] == 0.0 and min(starts[1:]) >= 5.5
    assert sorted(starts)[2] - sorted(starts)[1] == pytest.approx(1.0)
