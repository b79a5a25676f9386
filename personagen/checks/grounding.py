"""Grounding: a quote must occur verbatim in the note it cites."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

MIN_QUOTE_WORDS = 3

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Fold what differs between a quote and its source without changing words.

    Unicode compatibility forms, curly vs straight quote marks, runs of whitespace and
    letter case are folded; punctuation and word order are kept.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    return _SPACE.sub(" ", text).strip().casefold()


def strip_outer_quotes(quote: str) -> str:
    """Drop quote marks the model may have wrapped around a quote."""
    return quote.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()


def quote_problem(quote: str, note_id: str, notes: Mapping[str, str]) -> str | None:
    """Say why `quote` does not ground a claim in note `note_id`, or None when it does.

    `notes` maps note ids to their normalized text (see `normalize`).
    """
    if note_id not in notes:
        known = ", ".join(sorted(notes)) or "none"
        return f"note_id '{note_id}' is not one of the notes ({known})"
    cleaned = strip_outer_quotes(quote)
    if len(cleaned.split()) < MIN_QUOTE_WORDS:
        return f"quote {quote!r} is shorter than {MIN_QUOTE_WORDS} words; quote a whole phrase"
    if normalize(cleaned) not in notes[note_id]:
        return (
            f"quote {quote!r} does not occur verbatim in note '{note_id}'; "
            "copy the customer's exact words from that note"
        )
    return None


def normalized_notes(texts: Mapping[str, str]) -> dict[str, str]:
    """Normalize every note text once, for repeated grounding checks."""
    return {note_id: normalize(text) for note_id, text in texts.items()}


def confidence(distinct_notes: int) -> str:
    """Confidence from the number of distinct notes supporting an item: 3+ high, 2 medium."""
    if distinct_notes >= 3:
        return "high"
    if distinct_notes == 2:
        return "medium"
    return "low"
