"""What a batch answered: its answers in the response cache, their cost, and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from personagen.llm import Price, Usage, usage_of
from personagen.store import Store


def batch_usage(body: dict[str, Any], price: Price | None, factor: float) -> Usage:
    """What one batch answer cost: its tokens at `factor` times the live price, one call."""
    input_tokens, output_tokens, cached_tokens = usage_of(body)
    cost = price.cost(input_tokens, output_tokens, cached_tokens) * factor if price else 0.0
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=cached_tokens,
        cost_usd=cost,
        network_calls=1,
    )


class BatchAnswers:
    """The door's response cache in batch mode: the store, plus the batch's answers.

    Batch answers are always written to the store (they are paid for, and a run stopped
    after collecting them must find them again); other entries are read only when the
    settings enable the cache.
    """

    def __init__(self, store: Store, *, use_cache: bool) -> None:
        self.store = store
        self.use_cache = use_cache
        self._batch_keys: set[str] = set()

    def get_response(self, key: str) -> bytes | None:
        """The cached body for `key`, if any."""
        if self.use_cache or key in self._batch_keys:
            return self.store.get_response(key)
        return None

    def put_response(self, key: str, task: str, body: bytes) -> None:
        """Store a successful body under `key`."""
        if self.use_cache:
            self.store.put_response(key, task, body)

    def add_batch_answer(self, key: str, task: str, body: bytes) -> None:
        """Keep a batch answer so the job's first exchange is served from it."""
        self._batch_keys.add(key)
        self.store.put_response(key, task, body)


@dataclass
class BatchSummary:
    """What the batch stage did, for run.json."""

    batch_id: str
    status: str = ""
    resumed: bool = False
    lines: int = 0
    answered: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The summary as written to run.json."""
        return {
            "id": self.batch_id,
            "status": self.status,
            "resumed": self.resumed,
            "lines": self.lines,
            "answered": self.answered,
            "errors": self.errors,
        }
