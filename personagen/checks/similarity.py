"""Near-duplicate copy: variants that reword each other instead of taking another angle.

Two texts are near duplicates when the Jaccard overlap of their distinct words is at or
above a threshold (`token_overlap`). Comparing every pair grows with the square of the
number of texts, so a text is compared only with earlier texts it shares rare words with.
Words are ranked from rare to common across all the texts; a text's prefix is its first
words in that ranking.

- Exact search (`near_duplicates`, and `repeats` on up to `EXACT_UP_TO` texts): two texts
  whose overlap reaches the threshold t share a word among the first |x| - ceil(t|x|) + 1
  words of each, and their sizes differ at most by the factor t (prefix filtering, Bayardo
  et al., "Scaling up all pairs similarity search", WWW 2007). Nothing is missed.
- Keyed search (`repeats` on more texts): two such texts share at least two words among
  the first |x| - ceil(t|x|) + 2 words of each (Wang et al., "Can we beat the prefix
  filtering?", SIGMOD 2012), so each text is filed under the pairs of those words (at most
  `KEY_WORDS` of them) and compared with at most `MAX_CANDIDATES` earlier texts filed under
  its pairs, plus an earlier text with exactly its words. A near duplicate goes unreported
  only when it shares none of those pairs (possible only when one of the two texts has
  more than 9 words, at t = 0.6) or hides behind `MAX_CANDIDATES` texts that share them.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import combinations

from personagen.checks.grounding import normalize

DEFAULT_THRESHOLD = 0.6
# `repeats` compares exactly up to this many texts (at most n²/2 comparisons) ...
EXACT_UP_TO = 512
# ... and beyond, one text with at most this many earlier texts: n times this in all.
MAX_CANDIDATES = 32
# Keys of the keyed search: pairs of a text's rarest words, of at most this many words.
KEY_WORDS = 5

_WORD = re.compile(r"[\w']+")
# Float slack for the filters: they may let a few more pairs through, never fewer.
_SLACK = 1e-9

Pair = tuple[int, int, float]


def word_tokens(text: str) -> set[str]:
    """Distinct lower-cased words of `text`; curly quotes and Unicode forms are folded."""
    return set(_WORD.findall(normalize(text)))


def folded_words(folded: str) -> tuple[str, ...]:
    """The distinct words (`word_tokens`) of a text already folded by
    `checks.grounding.normalize` (or only lower-cased, for ASCII text: the words are the
    same), interned: a tuple of shared strings takes a fraction of a set's memory."""
    return tuple(set(map(sys.intern, _WORD.findall(folded))))


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


class _Texts:
    """The texts as the ranks of their distinct words, rarest first (so a text's prefix
    is the start of its tuple), and the comparisons made."""

    def __init__(self, word_sets: Sequence[Collection[str]], threshold: float) -> None:
        if threshold <= 0:
            raise ValueError(f"threshold must be above 0, got {threshold}")
        self.threshold = threshold
        frequency = Counter(word for words in word_sets for word in words)
        ordered = sorted(frequency, key=lambda word: (frequency[word], word))
        rank = {word: position for position, word in enumerate(ordered)}
        self.width = len(rank)
        # Tuples of ints, not sets: a 100,000-row file keeps them all in memory.
        self.ranks = [tuple(sorted(map(rank.__getitem__, words))) for words in word_sets]
        self.comparisons = 0

    def prefix(self, j: int, extra: int) -> tuple[int, ...]:
        """The ranks of text j's first |x| - ceil(t|x|) + `extra` words."""
        size = len(self.ranks[j])
        return self.ranks[j][: max(size - math.ceil(self.threshold * size - _SLACK) + extra, 0)]

    def compare(self, i: int, j: int) -> float | None:
        """The overlap of texts i and j when their sizes allow the threshold, else None."""
        a, b = len(self.ranks[i]), len(self.ranks[j])
        if min(a, b) < self.threshold * max(a, b) - _SLACK:
            return None
        self.comparisons += 1
        if not a and not b:
            return 1.0
        shared = len(set(self.ranks[i]).intersection(self.ranks[j]))
        return shared / (a + b - shared)


def _exact(texts: _Texts, first_only: bool) -> list[Pair]:
    """Every pair at the threshold (or each text's first), by prefix filtering."""
    postings: dict[int, list[int]] = {}
    empty: list[int] = []
    pairs: list[Pair] = []
    for j, ranks in enumerate(texts.ranks):
        prefix = texts.prefix(j, 1)
        # An empty text matches only another empty text (no words on either side: 1.0).
        lists = [postings.get(rank, []) for rank in prefix] if ranks else [empty]
        for i in sorted({i for posting in lists for i in posting}):
            overlap = texts.compare(i, j)
            if overlap is not None and overlap >= texts.threshold:
                pairs.append((i, j, overlap))
                if first_only:
                    break
        for rank in prefix:
            postings.setdefault(rank, []).append(j)
        if not ranks:
            empty.append(j)
    return sorted(pairs)


def _keyed(texts: _Texts, limit: int) -> list[Pair]:
    """Each text's first near duplicate among at most `limit` texts sharing its keys."""
    # A key's texts: one text as a bare int (most keys have one), more as a list.
    postings: dict[int, int | list[int]] = {}
    same: dict[tuple[int, ...], int] = {}
    pairs: list[Pair] = []
    for j, ranks in enumerate(texts.ranks):
        looked: set[int] = set()
        earlier = same.setdefault(ranks, j)
        if earlier != j:
            looked.add(earlier)
        for a, b in combinations(texts.prefix(j, 2)[:KEY_WORDS], 2):
            key = a * texts.width + b
            posting = postings.get(key)
            if posting is None:
                postings[key] = j
            elif isinstance(posting, int):
                if len(looked) < limit:
                    looked.add(posting)
                postings[key] = [posting, j]
            else:
                if len(looked) < limit:
                    looked.update(posting[: limit - len(looked)])
                posting.append(j)
        for i in sorted(looked):
            overlap = texts.compare(i, j)
            if overlap is not None and overlap >= texts.threshold:
                pairs.append((i, j, overlap))
                break
    return pairs


def near_duplicates(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """Pairs (i, j, overlap) with i < j whose `token_overlap` is at or above `threshold`.

    Why 0.6: for two texts of equal length, a Jaccard overlap of 0.6 means they share 75%
    of their words (shared = 2nJ / (1 + J)). Variants that close are rewordings of one
    message. A lower threshold starts rejecting variants that legitimately share the
    product name, the offer and the call to action while their angles differ.
    Every pair is listed, so the answer itself grows with the square of a set of texts
    that all reword one another; `repeats` names each text once instead.
    """
    return _exact(_Texts([word_tokens(text) for text in texts], threshold), first_only=False)


@dataclass(frozen=True)
class Repeats:
    """The texts that reword an earlier text, and how many comparisons finding them took."""

    pairs: list[Pair]
    comparisons: int


def repeats(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    max_candidates: int = MAX_CANDIDATES,
    exact_up_to: int = EXACT_UP_TO,
) -> Repeats:
    """(earlier, text, overlap) for each text whose `token_overlap` with an earlier text is
    at or above `threshold`: the first such earlier text among those compared, once.

    Up to `exact_up_to` texts, every near duplicate is found; beyond, the keyed search
    compares each text with at most `max_candidates` earlier texts (see the module).
    """
    return repeats_among([word_tokens(t) for t in texts], threshold, max_candidates, exact_up_to)


def repeats_among(
    word_sets: Sequence[Collection[str]],
    threshold: float = DEFAULT_THRESHOLD,
    max_candidates: int = MAX_CANDIDATES,
    exact_up_to: int = EXACT_UP_TO,
) -> Repeats:
    """`repeats` of texts given by their distinct words (`word_tokens`, `folded_words`)."""
    found = _Texts(word_sets, threshold)
    if len(word_sets) <= exact_up_to:
        pairs = _exact(found, first_only=True)
    else:
        pairs = _keyed(found, max_candidates)
    return Repeats(pairs, found.comparisons)
