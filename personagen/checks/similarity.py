"""Near-duplicate copy: variants that reword each other instead of taking another angle."""

from __future__ import annotations

import re
from collections.abc import Sequence

from personagen.checks.grounding import normalize

DEFAULT_THRESHOLD = 0.6

_WORD = re.compile(r"[\w']+")


def word_tokens(text: str) -> set[str]:
    """Distinct lower-cased words of `text`; curly quotes and Unicode forms are folded."""
    return set(_WORD.findall(normalize(text)))


def token_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' distinct words: shared / all, from 0.0 to 1.0.

    Stop words are kept: ad copy is short, and in a 30-character headline words like
    'your' and 'in' are a large part of what makes two lines read alike; dropping them
    would make two short lines that share one noun look identical. Two empty texts are
    identical (1.0); an empty and a non-empty text share nothing (0.0).
    """
    words_a, words_b = word_tokens(a), word_tokens(b)
    if not words_a and not words_b:
        return 1.0
    return len(words_a & words_b) / len(words_a | words_b)


def near_duplicates(
    texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, overlap) with i < j whose `token_overlap` is at or above `threshold`.

    Why 0.6: for two texts of equal length, a Jaccard overlap of 0.6 means they share 75%
    of their words (shared = 2nJ / (1 + J)). Variants that close are rewordings of one
    message. A lower threshold starts rejecting variants that legitimately share the
    product name, the offer and the call to action while their angles differ.
    """
    pairs: list[tuple[int, int, float]] = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            overlap = token_overlap(texts[i], texts[j])
            if overlap >= threshold:
                pairs.append((i, j, overlap))
    return pairs
