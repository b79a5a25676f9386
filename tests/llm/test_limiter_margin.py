"""The limiter keeps a margin under the provider's limit, on a virtual clock."""

from __future__ import annotations

import pytest

from personagen.llm.limiter import MARGIN, RateLimiter
from tests.llm.test_limiter import FakeClock, _starts


def _sliding_window_peak(starts: list[float], window: float = 60.0) -> int:
    """The most request starts any server's sliding one-minute window ever holds."""
    return max(sum(1 for t in starts if s <= t < s + window) for s in starts)


def test_default_spacing_is_under_the_limit_by_the_margin() -> None:
    limiter = RateLimiter(requests_per_minute=200)
    assert 0.02 <= MARGIN <= 0.05
    assert limiter.request_spacing() == pytest.approx(60.0 / (200 * (1 - MARGIN)))
    assert limiter.request_spacing() > 60.0 / 200


def test_token_spacing_keeps_the_same_margin() -> None:
    limiter = RateLimiter(tokens_per_minute=6000, margin=0.05)
    assert limiter.token_spacing(1000) == pytest.approx(60.0 * 1000 / (6000 * 0.95))


def test_no_limit_means_no_spacing() -> None:
    limiter = RateLimiter()
    assert limiter.request_spacing() == 0.0 and limiter.token_spacing(500) == 0.0


@pytest.mark.parametrize("margin", [-0.1, 1.0, 2.0])
def test_a_margin_outside_zero_to_one_is_refused(margin: float) -> None:
    with pytest.raises(ValueError, match="margin"):
        RateLimiter(requests_per_minute=60, margin=margin)


@pytest.mark.parametrize("rpm", [60, 200, 500])
async def test_a_run_at_the_exact_limit_leaves_slack_in_every_window(rpm: int) -> None:
    # The server admits `rpm` starts per sliding minute; a late-counted request (jitter of
    # a second) must still not push a window over it.
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=rpm, clock=clock, sleep=clock.sleep)
    starts = await _starts(limiter, clock, rpm + 20)
    assert _sliding_window_peak(starts) < rpm
    assert _sliding_window_peak(starts, window=61.0) <= rpm


async def test_a_limit_learned_from_headers_gets_the_margin_too() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe({"x-ratelimit-limit-requests": "120"})
    starts = await _starts(limiter, clock, 3)
    gap = 60.0 / (120 * (1 - MARGIN))
    assert starts == pytest.approx([0.0, gap, 2 * gap])
