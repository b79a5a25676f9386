"""Message–persona fit: how well a piece of copy speaks to its persona, without a model.

Two things are measured per piece (an ad variant, an e-mail, an objection answer):

- **aim**: which of the persona's pains, goals and objections the piece addresses (its
  `addresses` ids), weighted by how well the notes back them: confidence high = 1,
  medium = 2/3, low = 1/3 (3+, 2 and 1 supporting notes). aim = the mean weight of the
  pains, goals and objections addressed; 0 when it addresses none of them.
- **words**: how much of the persona's own vocabulary the copy uses. Terms are the words
  of the persona's evidence quotes, case-folded, without stop words (`stop_words` in
  `data/languages/<code>.yaml`:
  en, de, fr, es; any other language, or none, is read as English), stemmed with the
  Snowball stemmer of the language, so 'invoices' and 'invoice' are one term. A term is
  weighed by how distinctive it is of this persona among the run's personas:
  w(t) = ln(1 + N / df(t)), N personas, df(t) of them use t. words = the weight of the
  copy's distinct terms that are the persona's, over the weight of all its distinct terms,
  a term the persona never says counting as ln(1 + N) (as much as a term only one
  persona says).

A piece's **fit** is 100 × (aim + words) / 2. A copy set's **coverage** is the
share of the persona's pains, goals and objections that some piece addresses, weighted
as for aim; its fit is 100 × (coverage + mean piece fit / 100) / 2. Scores are whole
numbers, rounded half up. High-confidence pains, goals and objections that no piece
addresses are listed. Everything is deterministic: the same personas and copy always give
the same numbers.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from personagen.checks.grounding import normalize
from personagen.languages import language_data

# Persona sections the fit is about, and the weight of each confidence level.
TARGET_SECTIONS = ("pain_points", "goals", "objections")
CONFIDENCE_WEIGHTS = {"high": 1.0, "medium": 2 / 3, "low": 1 / 3}
DEFAULT_LANGUAGE = "en"
_STEMMERS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
# Letters only (no digits: figures are the claims guard's business), inner apostrophes kept.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Merge tokens and links are not words anybody said.
_NOT_WORDS = re.compile(r"\{\{[^{}]*\}\}|https?://\S+|www\.\S+")


def language_of(tag: str | None) -> str:
    """The language whose rules apply to a BCP 47 tag: 'de-AT' -> 'de'; else English."""
    base = (tag or "").strip().replace("_", "-").split("-")[0].casefold()
    return base if base in _STEMMERS else DEFAULT_LANGUAGE


@functools.cache
def _stop_words(language: str) -> frozenset[str]:
    """The language's stop words, case-folded (`stop_words` in its data file)."""
    data = language_data(language)
    return frozenset(w.casefold() for w in data.stop_words.split()) if data else frozenset()


@functools.cache
def _stemmer(language: str) -> Any:
    # Imported on first use: `lint` loads this module (through the evidence export's file
    # name) without ever stemming a word.
    import snowballstemmer

    return snowballstemmer.stemmer(_STEMMERS[language])


@functools.lru_cache(maxsize=1 << 16)
def _stem(language: str, word: str) -> str:
    """The stem of a word (cached: the stemmer is pure Python and copy repeats words)."""
    return str(_stemmer(language).stemWord(word))


def percent(share: float) -> int:
    """A share in [0, 1] as a whole percentage, rounded half up (0.625 -> 63)."""
    return math.floor(100 * share + 0.5)


def words(text: str, language: str | None = None) -> list[tuple[str, str]]:
    """(term, word) for each content word of `text`: stop words dropped, terms stemmed."""
    lang = language_of(language)
    stop = _stop_words(lang)
    found: list[tuple[str, str]] = []
    for word in _WORD.findall(normalize(_NOT_WORDS.sub(" ", text))):
        bare = word.removesuffix("'s")
        if bare in stop or word in stop or len(bare) < 2:
            continue
        found.append((_stem(lang, bare.replace("'", "")), bare))
    return found


def terms(text: str, language: str | None = None) -> set[str]:
    """The distinct stemmed content terms of `text` (see `words`)."""
    return {term for term, _ in words(text, language)}


@dataclass(frozen=True)
class Vocabulary:
    """A persona's terms with their weights, the word each stands for, and the weight of a
    term the persona never says."""

    weights: Mapping[str, float]
    spelled: Mapping[str, str]
    foreign: float


def vocabularies(
    quotes: Mapping[str, Iterable[str]], language: str | None = None
) -> dict[str, Vocabulary]:
    """Each persona's vocabulary from its quotes (persona id -> quotes), weighed by how
    few of the personas use each term: w(t) = ln(1 + N / df(t))."""
    spelled: dict[str, dict[str, str]] = {}
    for persona_id, texts in quotes.items():
        own: dict[str, str] = {}
        for text in texts:
            for term, word in words(text, language):
                own.setdefault(term, word)
        spelled[persona_id] = own
    n = len(spelled)
    df: dict[str, int] = {}
    for own in spelled.values():
        for term in own:
            df[term] = df.get(term, 0) + 1
    return {
        pid: Vocabulary(
            weights={t: math.log(1 + n / df[t]) for t in own},
            spelled=own,
            foreign=math.log(1 + n),
        )
        for pid, own in spelled.items()
    }


@dataclass(frozen=True)
class Claim:
    """A persona item as plain data: id, text, section and confidence."""

    id: str
    text: str
    section: str
    confidence: str

    @property
    def weight(self) -> float:
        """How well the notes back it (CONFIDENCE_WEIGHTS)."""
        return CONFIDENCE_WEIGHTS.get(self.confidence, 0.0)


@dataclass(frozen=True)
class PieceFit:
    """The fit of one piece: what it addresses, the persona words it uses, its score."""

    number: int
    addressed: tuple[str, ...]  # pains, goals and objections, in the order given
    other: tuple[str, ...]  # other ids it names: other sections or unknown ids
    aim: float
    words: float
    used: tuple[str, ...]  # the persona's words the copy uses, most distinctive first
    score: int


@dataclass(frozen=True)
class Fit:
    """The fit of a copy set: each piece's, the coverage, what no piece addresses."""

    pieces: tuple[PieceFit, ...]
    covered: tuple[str, ...]
    uncovered_high: tuple[Claim, ...]
    targets: int
    coverage: float
    score: int

    def ranked(self) -> list[PieceFit]:
        """The pieces by fit, best first (ties keep their order)."""
        return sorted(self.pieces, key=lambda p: -p.score)


def _words_share(
    text: str, vocabulary: Vocabulary, language: str | None
) -> tuple[float, list[str]]:
    copy_terms = terms(text, language)
    own = [t for t in copy_terms if t in vocabulary.weights]
    foreign = len(copy_terms) - len(own)
    mine = sum(vocabulary.weights[t] for t in own)
    total = mine + foreign * vocabulary.foreign
    by_weight = sorted(own, key=lambda t: (-vocabulary.weights[t], vocabulary.spelled[t]))
    return (mine / total if total else 0.0), [vocabulary.spelled[t] for t in by_weight]


def piece_fit(
    number: int,
    addresses: Sequence[str],
    text: str,
    claims: Sequence[Claim],
    vocabulary: Vocabulary,
    language: str | None = None,
) -> PieceFit:
    """The fit of one piece: `addresses` its item ids, `text` its reader-facing copy."""
    targets = {c.id: c for c in claims if c.section in TARGET_SECTIONS}
    ids = list(dict.fromkeys(addresses))
    addressed = [i for i in ids if i in targets]
    aim = sum(targets[i].weight for i in addressed) / len(addressed) if addressed else 0.0
    share, used = _words_share(text, vocabulary, language)
    return PieceFit(
        number=number,
        addressed=tuple(addressed),
        other=tuple(i for i in ids if i not in targets),
        aim=aim,
        words=share,
        used=tuple(used),
        score=percent((aim + share) / 2),
    )


def copy_fit(
    pieces: Sequence[tuple[Sequence[str], str]],
    claims: Sequence[Claim],
    vocabulary: Vocabulary,
    language: str | None = None,
) -> Fit:
    """The fit of a copy set: `pieces` are (addresses, text) in order, numbered from 1."""
    fits = tuple(
        piece_fit(n, addresses, text, claims, vocabulary, language)
        for n, (addresses, text) in enumerate(pieces, start=1)
    )
    targets = [c for c in claims if c.section in TARGET_SECTIONS]
    hit = {i for f in fits for i in f.addressed}
    total = sum(c.weight for c in targets)
    coverage = sum(c.weight for c in targets if c.id in hit) / total if total else 0.0
    mean = sum(f.score for f in fits) / len(fits) / 100 if fits else 0.0
    return Fit(
        pieces=fits,
        covered=tuple(c.id for c in targets if c.id in hit),
        uncovered_high=tuple(c for c in targets if c.id not in hit and c.confidence == "high"),
        targets=len(targets),
        coverage=coverage,
        score=percent((coverage + mean) / 2),
    )
