"""A spending limit checked before every paid exchange, in every stage."""

from __future__ import annotations

import math

from personagen.errors import BudgetExceeded, SettingsError
from personagen.llm.pricing import Price


class SpendingLimit:
    """Refuses an exchange whose estimated cost could take spending past the limit.

    Exchanges in flight hold a reservation (their estimated cost) until they are answered,
    so concurrent requests cannot overshoot together; the real cost replaces it.
    """

    def __init__(self, limit_usd: float | None, *, price_factor: float = 1.0) -> None:
        if limit_usd is not None and not (math.isfinite(limit_usd) and limit_usd > 0):
            # nan compares false with everything: it would never stop spending.
            raise SettingsError(
                f"budget: expected a positive number of US dollars, got {limit_usd:g}"
            )
        self.limit = limit_usd
        self.price_factor = price_factor
        self.spent = 0.0
        self.reserved = 0.0

    def reserve(
        self, price: Price | None, input_tokens: int, output_tokens: int, *, factor: float = 1.0
    ) -> float:
        """Reserve an exchange's estimated cost (times `factor`), or raise BudgetExceeded."""
        if price is None:
            return 0.0
        estimate = price.cost(input_tokens, output_tokens) * self.price_factor * factor
        if self.limit is not None and self.spent + self.reserved + estimate > self.limit:
            raise BudgetExceeded(self.limit, self.spent, estimate)
        self.reserved += estimate
        return estimate

    def release(self, reserved: float) -> None:
        """Drop a reservation once its exchange is answered (or failed)."""
        self.reserved = max(0.0, self.reserved - reserved)

    def spend(self, cost: float) -> None:
        """Count what an answered exchange really cost."""
        self.spent += cost
