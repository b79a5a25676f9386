"""Figures in copy, and which of them the proof texts back.

Each figure in the copy must also appear in one of the proof texts (the brief's
proof points, plus its offer and compliance footer, see `Brief.claims_context`). Figures are
compared by meaning, not spelling:

- numbers: '1,200' == '1200'; '1.5 million' == '1.5M' == '1,500,000'; magnitudes k / m / mm /
  mn / b / bn and thousand / million / billion / trillion; a trailing '+' is ignored;
- percentages: '40%' == '40 %' == '40 percent' == '40 per cent' == '40 pct';
- money: '$2M' == '$2 million' == '$2,000,000' == 'USD 2M' == '2 million dollars';
  $ / USD / dollars, EUR / euros and GBP / pounds (symbols, codes and words);
- multipliers: '3x' == '3X' == '3×' == '3 times' == 'three times';
- durations: '48 hours' == '48-hour' == '2 days'; seconds to weeks convert exactly, as do
  months, quarters and years ('1 year' == '12 months'); business/working days stay apart;
- ratios: '9/10' == '9 out of 10' == '9 in 10';
- ranges: '20-30%', '3 to 5 weeks', '$1-2M', 'between 2 and 4 weeks'. A range is supported
  when the same range or both its ends appear in the proofs; a single figure is also
  supported by the end of a proof range ('2 weeks' by 'from 6 weeks to 2 weeks');
- number words (one .. ninety, hundred) count only before a unit ('two weeks', 'forty
  percent', 'three times'), so 'one of the' is not a figure.

A figure with a unit must match in kind: '40%' is not backed by '40 teams', nor '$2M' by
'2 million'. A bare number is backed by the same number written anywhere in the proofs,
whatever its unit there ('day 10' restates '10 days'). Not figures: merge
tokens ({{first_name}}), URLs and e-mail addresses, clock times (3pm, 10:30), '1:1' and
'1-on-1', ordinals (1st, 2nd), and digits glued to letters (B2B, Q3, G2, 2FA).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

FigureKey = tuple[str, str, Decimal, Decimal]


@dataclass(frozen=True)
class Figure:
    """A figure found in text: how it was written, and what it means."""

    text: str
    kind: str  # number | percent | money | multiplier | duration | ratio
    unit: str  # currency code, duration base ('s', 'mo', 'bday'), or ''
    low: Decimal
    high: Decimal
    numbers: tuple[Decimal, ...] = ()  # the numbers as written: magnitudes applied, no units

    @property
    def key(self) -> FigureKey:
        """What two figures must share to be the same claim."""
        return (self.kind, self.unit, self.low, self.high)


_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_MAGNITUDES = {
    "k": 10**3, "thousand": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "million": 10**6,
    "b": 10**9, "bn": 10**9, "billion": 10**9, "trillion": 10**12,
}  # fmt: skip
_CURRENCIES = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
}  # fmt: skip
# Each duration unit as (base unit, how many of the base): only exact conversions.
_DURATIONS = {
    "second": ("s", 1), "sec": ("s", 1),
    "minute": ("s", 60), "min": ("s", 60),
    "hour": ("s", 3600), "hr": ("s", 3600), "h": ("s", 3600),
    "day": ("s", 86400), "week": ("s", 604800), "wk": ("s", 604800),
    "business day": ("bday", 1), "working day": ("bday", 1),
    "month": ("mo", 1), "mo": ("mo", 1), "quarter": ("mo", 3),
    "year": ("mo", 12), "yr": ("mo", 12),
}  # fmt: skip

_WORD_NUMBER = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_DURATION_UNIT = (
    r"(?:business|working)\s+days?|seconds?|secs?|minutes?|mins?|hours?|hrs?|h"
    r"|days?|weeks?|wks?|months?|mos?|quarters?|years?|yrs?"
)
_FIGURE = re.compile(
    rf"""
    (?P<cur>[$€£]\s?|\b(?:USD|EUR|GBP)\s?)?
    \#?  # a rank, '#1'
    (?<![\w.,])
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:{_WORD_NUMBER})\b)
    (?:(?P<mag>mm|mn|bn|[kmb])(?![a-z0-9])|\s(?P<magword>thousand|million|billion|trillion)\b)?
    \+?
    (?:
        \s?(?P<pct>%|percent\b|per\s?cent\b|pct\b)
      | (?P<mult>\s?[x×](?![a-z0-9])|\s+times\b)
      | (?:\s|-)?(?P<dur>{_DURATION_UNIT})\b
      | \s?(?P<cursuf>usd|eur|gbp|dollars?|euros?|pounds?)\b
    )?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RATIO = re.compile(r"(?<![\w.,/])(\d+)(\s?/\s?|\s+out\s+of\s+|\s+in\s+)(\d+)(?![\w/])")
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|and)\s*", re.IGNORECASE)
_NOT_FIGURES = re.compile(
    r"\{+[^{}]*\}+"  # merge tokens, well-formed or not
    r"|https?://\S+|\bwww\.\S+|\S+@\S+\.\w+"  # URLs and e-mail addresses
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\b\d{1,2}:\d{2}\b"  # clock times
    r"|\b1(?:-on-|:)1\b",  # a 1:1 meeting
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    number: Decimal
    currency: str | None
    magnitude: int | None
    kind: str | None  # percent | multiplier | duration, or None for a bare number
    unit: str


def _number(raw: str) -> Decimal:
    word = _WORD_NUMBERS.get(raw.lower())
    return Decimal(word) if word is not None else Decimal(raw.replace(",", ""))


def _duration_unit(raw: str) -> str:
    unit = " ".join(raw.lower().split())
    if unit not in _DURATIONS and unit.endswith("s"):
        unit = unit[:-1]
    return unit


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _FIGURE.finditer(text):
        end = match.end()
        if end < len(text) and (text[end].isalnum() or text[end] == "_"):
            continue  # glued to a word: 1st, 2FA, 3D
        num = match.group("num")
        is_word = not num[0].isdigit()
        kind: str | None = None
        unit = ""
        currency = None
        if match.group("cur") or match.group("cursuf"):
            currency = _CURRENCIES[(match.group("cur") or match.group("cursuf")).strip().lower()]
        if match.group("pct"):
            kind = "percent"
        elif match.group("mult"):
            kind = "multiplier"
        elif match.group("dur"):
            kind, unit = "duration", _duration_unit(match.group("dur"))
        if is_word and kind is None:
            continue  # 'one of the', 'two of us': words count only before a unit
        mag = match.group("mag") or match.group("magword")
        atoms.append(
            _Atom(
                start=match.start(),
                end=end,
                number=_number(num),
                currency=currency,
                magnitude=_MAGNITUDES[mag.lower()] if mag else None,
                kind=kind,
                unit=unit,
            )
        )
    return atoms


def _figure(text: str, start: int, end: int, atoms: Sequence[_Atom]) -> Figure:
    raw = tuple(atom.number * (atom.magnitude or 1) for atom in atoms)
    values = list(raw)
    first = atoms[0]
    if first.kind == "duration":
        base, factor = _DURATIONS[first.unit]
        kind, unit = "duration", base
        values = [v * factor for v in values]
    elif first.kind is not None:
        kind, unit = first.kind, ""
    elif first.currency is not None:
        kind, unit = "money", first.currency
    else:
        kind, unit = "number", ""
    written = " ".join(text[start:end].split())
    return Figure(written, kind, unit, min(values), max(values), raw)


def _ratio(written: str, part: int, whole: int) -> Figure:
    value = Decimal(part) / Decimal(whole)
    return Figure(
        " ".join(written.split()), "ratio", "", value, value, (Decimal(part), Decimal(whole))
    )


def _same_unit(a: _Atom, b: _Atom) -> bool:
    return (a.kind, a.unit, a.currency) == (b.kind, b.unit, b.currency)


def _range(text: str, a: _Atom, b: _Atom) -> tuple[_Atom, _Atom] | None:
    """The two ends of a range 'a-b', with units shared across both, or None."""
    between = text[a.end : b.start]
    if not _RANGE_JOIN.fullmatch(between):
        return None
    if between.strip().lower() == "and" and not text[: a.start].rstrip().lower().endswith(
        "between"
    ):
        return None
    # '3-5 weeks', '$1-2M': the first end takes the unit and magnitude written once.
    if a.kind is None and a.currency is None:
        a = replace(a, kind=b.kind, unit=b.unit, currency=b.currency)
    if a.kind is None and b.kind is None and a.currency and b.currency is None:
        b = replace(b, currency=a.currency)
    if a.magnitude is None and b.magnitude is not None:
        a = replace(a, magnitude=b.magnitude)
    return (a, b) if _same_unit(a, b) else None


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def mask_non_figures(text: str) -> str:
    """`text` NFKC-normalised, with merge tokens, URLs, e-mails and clock times blanked out."""
    return _mask(unicodedata.normalize("NFKC", text), _NOT_FIGURES)


def extract_figures(text: str) -> list[Figure]:
    """Every figure stated in `text`, ranges joined, in order of appearance."""
    text = mask_non_figures(text)
    figures: list[Figure] = []
    for match in _RATIO.finditer(text):
        part, whole = int(match.group(1)), int(match.group(3))
        if whole == 0 or (match.group(2).strip() == "in" and part >= whole):
            continue  # '40 in 2 weeks' is not a ratio; '1 in 5' is
        figures.append(_ratio(match.group(0), part, whole))
        text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    atoms = _atoms(text)
    i = 0
    while i < len(atoms):
        pair = _range(text, atoms[i], atoms[i + 1]) if i + 1 < len(atoms) else None
        if pair:
            figures.append(_figure(text, atoms[i].start, atoms[i + 1].end, pair))
            i += 2
        else:
            figures.append(_figure(text, atoms[i].start, atoms[i].end, [atoms[i]]))
            i += 1
    return figures


@dataclass(frozen=True)
class _Support:
    keys: frozenset[FigureKey]  # every proof figure
    ends: frozenset[tuple[str, str, Decimal]]  # each end of each proof figure
    numbers: frozenset[Decimal]  # every number as written in the proofs, units dropped


@functools.lru_cache(maxsize=64)
def _support(proof_texts: tuple[str, ...]) -> _Support:
    """What the proof texts state, indexed for the three ways a figure can be backed."""
    keys: set[FigureKey] = set()
    ends: set[tuple[str, str, Decimal]] = set()
    numbers: set[Decimal] = set()
    for proof in proof_texts:
        for figure in extract_figures(proof):
            keys.add(figure.key)
            ends.add((figure.kind, figure.unit, figure.low))
            ends.add((figure.kind, figure.unit, figure.high))
            numbers.update(figure.numbers)
    return _Support(frozenset(keys), frozenset(ends), frozenset(numbers))


def unsupported_figures(text: str, proof_texts: Sequence[str]) -> list[Figure]:
    """Figures in `text` that no proof text states."""
    support = _support(tuple(proof_texts))
    missing: list[Figure] = []
    for figure in extract_figures(text):
        low = (figure.kind, figure.unit, figure.low)
        high = (figure.kind, figure.unit, figure.high)
        if figure.key in support.keys or (low in support.ends and high in support.ends):
            continue
        if figure.kind == "number" and set(figure.numbers) <= support.numbers:
            continue  # 'day 10' restates '10 days'
        if figure.key not in {f.key for f in missing}:
            missing.append(figure)
    return missing
