"""Per-call accounting: exchanges, tokens, cost, cache hits. Carried in a context variable
so the transport can charge the logical call that caused each HTTP exchange."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Usage:
    """Token and cost totals for one or more exchanges."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    network_calls: int = 0
    replayed: int = 0
    cache_hits: int = 0
    rate_limited: int = 0
    retries: int = 0

    def add(self, other: Usage) -> None:
        """Accumulate another usage into this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CallMeter:
    """What one logical model call (with its re-asks) consumed."""

    task: str
    label: str
    expected_output_tokens: int = 1000
    usage: Usage = field(default_factory=Usage)
    keys: list[str] = field(default_factory=list)
    answers: dict[str, bytes] = field(default_factory=dict)
    unpriced: bool = False
    sources: set[str] = field(default_factory=set)
    # The prepared call's key and input tokens: its first exchange is not counted again.
    prepared: tuple[str, int] | None = None
    # The prepared body while its exchange is being sent: the transport takes its key from
    # `prepared` instead of decoding and hashing the request again.
    sending: dict[str, Any] | None = None

    def known_tokens(self, key: str) -> int | None:
        """Input tokens of the exchange `key` when it is the prepared request, else None."""
        if self.prepared is not None and self.prepared[0] == key:
            return self.prepared[1]
        return None

    @property
    def exchanges(self) -> int:
        """HTTP exchanges answered, from any source."""
        return len(self.keys)


CURRENT_CALL: ContextVar[CallMeter | None] = ContextVar("personagen_current_call", default=None)
