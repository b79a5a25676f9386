"""Token prices (data in personagen/data/prices.yaml, overridable by settings)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from personagen.paths import resource_dir


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: float
    output: float
    cached_input: float

    def cost(self, input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> float:
        """Dollar cost of one exchange; cached input tokens are billed at the cached rate."""
        fresh = max(0, input_tokens - cached_tokens)
        total = fresh * self.input + cached_tokens * self.cached_input
        return (total + output_tokens * self.output) / 1_000_000


FREE = Price(0.0, 0.0, 0.0)


@cache
def _table() -> dict[str, dict[str, float]]:
    path = resource_dir("data") / "prices.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data["models"])


def price_for(model: str, overrides: dict[str, dict[str, float]] | None = None) -> Price | None:
    """The price of `model` (exact name, else longest known prefix), or None when unknown."""
    table = {**_table(), **(overrides or {})}
    name = (
        model
        if model in table
        else max((known for known in table if model.startswith(known)), key=len, default=None)
    )
    if name is None:
        return None
    row = table[name]
    return Price(row["input"], row["output"], row.get("cached_input", row["input"]))
