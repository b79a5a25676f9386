"""`--dry-run`: how many calls a campaign would make and what they would cost."""

from __future__ import annotations

from dataclasses import dataclass

from personagen.llm.pricing import price_for
from personagen.llm.settings import Settings
from personagen.models.note import Note
from personagen.pipeline.personas import CHARS_PER_TOKEN, PROMPT_OVERHEAD_TOKENS, split_note

__all__ = ["CHARS_PER_TOKEN", "Estimate", "estimate_copy", "estimate_personas"]
# Typical sizes measured on the example (tokens), used where nothing can be rendered yet.
EXTRACTION_OUTPUT_TOKENS = 900
SYNTHESIS_OUTPUT_TOKENS = 6000
COPY_PROMPT_TOKENS = 3200
COPY_OUTPUT_TOKENS = {
    "email": 1400,
    "google_rsa": 900,
    "linkedin": 700,
    "meta": 600,
    "x": 350,
    "objections": 1500,
}


@dataclass
class Estimate:
    """Calls, tokens and dollars a campaign would spend (before any re-asks)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    def add(self, calls: int, input_tokens: int, output_tokens: int, settings: Settings) -> None:
        """Count `calls` more calls of the given sizes."""
        self.calls += calls
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        price = price_for(settings.model, settings.prices)
        if price is None or self.cost_usd is None:
            self.cost_usd = None
            return
        self.cost_usd += price.cost(input_tokens, output_tokens)


def estimate_personas(notes: list[Note], settings: Settings, into: Estimate) -> None:
    """Per-note extraction calls (notes split to the context budget) plus one synthesis."""
    budget = max(500, settings.context_tokens - settings.max_output_tokens - PROMPT_OVERHEAD_TOKENS)
    parts = [part for note in notes for part in split_note(note.text, budget * CHARS_PER_TOKEN)]
    prompt = sum(len(part) for part in parts) // CHARS_PER_TOKEN
    into.add(
        len(parts),
        prompt + PROMPT_OVERHEAD_TOKENS * len(parts),
        EXTRACTION_OUTPUT_TOKENS * len(parts),
        settings,
    )
    into.add(
        1,
        EXTRACTION_OUTPUT_TOKENS * len(parts) + PROMPT_OVERHEAD_TOKENS,
        SYNTHESIS_OUTPUT_TOKENS,
        settings,
    )


def estimate_copy(personas: int, channels: list[str], settings: Settings, into: Estimate) -> None:
    """One call per persona and channel."""
    for channel in channels:
        into.add(
            personas,
            COPY_PROMPT_TOKENS * personas,
            COPY_OUTPUT_TOKENS[channel] * personas,
            settings,
        )
