"""Figures in copy, and which of them the proof texts back.

Each figure in the copy must also appear in one of the proof texts (the brief's proof
points and offer, see `Brief.claims_context`). Figures are compared by meaning, not
spelling:

- numbers: '1,200' == '1200'; '1.5 million' == '1.5M' == '1,500,000'; magnitudes k / m / mm /
  mn / b / bn and thousand / million / billion / trillion / grand; a trailing '+' is ignored;
- percentages: '40%' == '40 %' == '40 percent' == '40 per cent' == '40 pct' == '40pc';
- money: '$2M' == '$2 million' == '$2,000,000' == 'USD 2M' == 'USD2M' == '2 million
  dollars'; $ / USD / dollars, EUR / euros and GBP / pounds (symbols, codes and words);
- multipliers: '3x' == '3X' == '3×' == '3 times' == '3-times' == 'three times' == 'triple';
- durations: '48 hours' == '48-hour' == '2 days'; seconds to weeks convert exactly, as do
  months, quarters and years ('1 year' == '12 months'); business/working days stay apart;
- ratios: '9/10' == '9 out of 10' == '9 in 10'; a ratio and a percentage back each other
  when they round to the same whole percentage ('a third' and '33%');
- ranks: '#1' == 'No. 1' == 'number one';
- ranges: '20-30%', '3 to 5 weeks', '$1-2M', 'between 2 and 4 weeks'. A range is supported
  when the same range or both its ends appear in the proofs; a single figure is also
  supported by the end of a proof range ('2 weeks' by 'from 6 weeks to 2 weeks');
- figures in the words of the copy's language ('40 Prozent', 'quarante pour cent',
  'la mitad', 'zehnfach'): see `personagen.checks.figure_languages`;
- figures in words ('a million dollars', 'forty-five percent', 'tenfold', 'in half',
  'in a week'): see `personagen.checks.figure_words`. A number word alone counts from ten
  ('twenty teams'); below ten only with a unit or a magnitude ('two weeks', 'five
  thousand'), so 'one of the' is not a figure;
- amounts without a number ('thousands of', 'in minutes') are backed by a proof figure in
  their range ('2,400 teams', '20 minutes'), or by the same words in a proof.

A figure with a unit must match in kind: '40%' is not backed by '40 teams', nor '$2M' by
'2 million'. A bare number is backed by the same number written anywhere in the proofs,
whatever its unit there ('day 10' restates '10 days'). Not figures: merge
tokens ({{first_name}}), URLs and e-mail addresses, clock times (3pm, 10:30), '1:1' and
'1-on-1', '24/7', standards named by number (SOC 2, ISO 27001), ordinals (1st, 2nd, the
first week), and digits glued to letters (B2B, Q3, G2, 2FA). Copy is read as
`personagen.checks.confusables.plain_text` shows it: look-alike letters ('5х' with a
Cyrillic 'х') and hidden characters do not hide a figure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from personagen.checks.confusables import plain_text
from personagen.checks.figure_languages import language_rewriter, language_vague
from personagen.checks.figure_words import spell_digits, vague_amounts

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
    approximate: bool = False  # 'thousands of', 'in minutes': some value in [low, high]

    @property
    def key(self) -> FigureKey:
        """What two figures must share to be the same claim."""
        return (self.kind, self.unit, self.low, self.high)


_MAGNITUDES = {
    "k": 10**3, "thousand": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "million": 10**6,
    "b": 10**9, "bn": 10**9, "billion": 10**9, "trillion": 10**12, "tn": 10**12,
    "grand": 10**3,
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
    "business day": ("bday", 1), "working day": ("bday", 1), "bday": ("bday", 1),
    "month": ("mo", 1), "mo": ("mo", 1), "quarter": ("mo", 3),
    "year": ("mo", 12), "yr": ("mo", 12),
}  # fmt: skip

_DURATION_UNIT = (
    r"(?:business|working)\s+days?|bdays?|seconds?|secs?|minutes?|mins?|hours?|hrs?|h"
    r"|days?|weeks?|wks?|months?|mos?|quarters?|years?|yrs?"
)
_FIGURE = re.compile(
    rf"""
    (?P<cur>[$€£]\s?|\b(?:USD|EUR|GBP)\s?)?
    (?P<rank>\#|\bnumber\s+|\bno\.\s?)?  # a rank: '#1', 'number one', 'No. 1'
    (?:(?<=USD)|(?<=EUR)|(?<=GBP)|(?<=no\.)|(?<![\w.,]))
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:(?P<mag>mm|mn|bn|tn|[kmb])(?![a-z0-9])|\s(?P<magword>thousand|million|billion|trillion|grand)\b)?
    \+?
    (?:
        \s?(?P<pct>%|percent\b|per\s?cent\b|pct\b|pc\b)
      | (?P<mult>\s?(?:x(?![a-z0-9])|×)|(?:\s+|-)times\b)
      | (?:\s|-)?(?P<dur>{_DURATION_UNIT})\b
      | \s?(?:(?P<cursuf>usd|eur|gbp|dollars?|euros?|pounds?)\b|(?P<cursym>[€$£]))
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
    r"|\b1(?:-on-|:)1\b|\bone-on-one\b"  # a 1:1 meeting
    r"|\b24\s?[/x×]\s?7\b|\b24\s?/\s?365\b"  # always on
    # standards named by number: SOC 2 Type II, ISO 27001, PCI DSS level 1
    r"|\bSOC\s?[123](?:\s+Type\s+(?:II|I|1|2))?\b|\bISO(?:/IEC)?\s?\d{4,5}(?:-\d+)?\b"
    r"|\bPCI(?:\s+DSS)?(?:\s+(?:level|v)\s?\d(?:\.\d)?)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    number: Decimal
    currency: str | None
    magnitude: int | None
    kind: str | None  # percent | multiplier | duration | rank, or None for a bare number
    unit: str


def _duration_unit(raw: str) -> str:
    unit = " ".join(raw.lower().split())
    if unit not in _DURATIONS and unit.endswith("s"):
        unit = unit[:-1]
    return unit


def _atoms(text: str, words: dict[int, int]) -> list[_Atom]:
    """The figures of `text` (number words already spelled as digits, see `spell_digits`)."""
    atoms: list[_Atom] = []
    for match in _FIGURE.finditer(text):
        end = match.end()
        glued = end < len(text) and (text[end].isalnum() or text[end] == "_")
        if glued and not (match.group("mult") or "").endswith("×"):
            continue  # glued to a word: 1st, 2FA, 3D (but '3×faster' is 3×)
        start = match.start()
        number = Decimal(match.group("num").replace(",", ""))
        kind: str | None = None
        unit = ""
        currency = None
        written_currency = match.group("cur") or match.group("cursuf") or match.group("cursym")
        if written_currency:
            currency = _CURRENCIES[written_currency.strip().lower()]
        if match.group("pct"):
            kind = "percent"
        elif match.group("mult"):
            kind = "multiplier"
        elif match.group("dur"):
            kind, unit = "duration", _duration_unit(match.group("dur"))
        elif match.group("rank"):
            kind = "rank"
        mag = match.group("mag") or match.group("magword")
        in_words = match.start("num") in words
        if in_words:
            start = min(start, words[match.start("num")])
            if kind is None and currency is None and mag is None and number < 10:
                continue  # 'one of the', 'two of us': small words count only with a unit
        atoms.append(
            _Atom(
                start=start,
                end=end,
                number=number,
                currency=currency,
                magnitude=_MAGNITUDES[mag.lower()] if mag else None,
                kind=kind,
                unit=unit,
            )
        )
    return atoms


def _figure(written: str, atoms: Sequence[_Atom]) -> Figure:
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
    return Figure(" ".join(written.split()), kind, unit, min(values), max(values), raw)


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


def mask_non_claims(text: str) -> str:
    """`text` as written, with merge tokens, URLs, e-mails, clock times and standards named
    by number (SOC 2, ISO 27001) blanked out: they state nothing about results."""
    return _mask(text, _NOT_FIGURES)


def mask_non_figures(text: str) -> str:
    """`text` as read (see `plain_text`), with what states no claim blanked out."""
    return mask_non_claims(plain_text(text))


def extract_figures(text: str, language: str | None = None) -> list[Figure]:
    """Every figure stated in `text`, ranges joined, in order of appearance; figures in
    the words of `language` too (`checks.figure_languages`)."""
    written = mask_non_figures(text)
    text, words = spell_digits(written, language_rewriter(language))
    found: list[tuple[int, Figure]] = []
    for match in _RATIO.finditer(text):
        part, whole = int(match.group(1)), int(match.group(3))
        if whole == 0 or (match.group(2).strip() == "in" and part >= whole):
            continue  # '40 in 2 weeks' is not a ratio; '1 in 5' is
        start = words.get(match.start(), match.start())
        found.append((start, _ratio(written[start : match.end()], part, whole)))
        text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    atoms = _atoms(text, words)
    i = 0
    while i < len(atoms):
        pair = _range(text, atoms[i], atoms[i + 1]) if i + 1 < len(atoms) else None
        ends = list(pair) if pair else [atoms[i]]
        start, end = ends[0].start, ends[-1].end
        found.append((start, _figure(written[start:end], ends)))
        i += len(ends)
    for vague in vague_amounts(text) + language_vague(text, language):
        figure = Figure(
            " ".join(written[vague.start : vague.end].split()),
            vague.kind,
            vague.unit,
            vague.low,
            vague.high,
            approximate=True,
        )
        found.append((vague.start, figure))
    return [figure for _, figure in sorted(found, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class _Support:
    keys: frozenset[FigureKey]  # every exact proof figure
    ends: frozenset[tuple[str, str, Decimal]]  # each end of each exact proof figure
    numbers: frozenset[Decimal]  # every number as written in the proofs, units dropped
    approximate: frozenset[FigureKey]  # the proofs' own 'thousands of', 'in minutes'


@functools.lru_cache(maxsize=64)
def _support(proof_texts: tuple[str, ...], language: str | None = None) -> _Support:
    """What the proof texts state, indexed for the ways a figure can be backed.

    Proofs are read in English and in `language`: a brief's proof points are often
    written in English while the copy is not.
    """
    keys: set[FigureKey] = set()
    ends: set[tuple[str, str, Decimal]] = set()
    numbers: set[Decimal] = set()
    approximate: set[FigureKey] = set()
    readings = [None] if language_rewriter(language) is None else [None, language]
    for proof, reading in ((p, r) for p in proof_texts for r in readings):
        for figure in extract_figures(proof, reading):
            if figure.approximate:
                approximate.add(figure.key)  # backs the same words, never a number
                continue
            keys.add(figure.key)
            ends.add((figure.kind, figure.unit, figure.low))
            ends.add((figure.kind, figure.unit, figure.high))
            numbers.update(figure.numbers)
    return _Support(frozenset(keys), frozenset(ends), frozenset(numbers), frozenset(approximate))


def _percent_of(kind: str, value: Decimal) -> Decimal | None:
    """A ratio or percentage as a whole percentage: 'a third' and '33%' both state 33."""
    if kind == "ratio":
        return (value * 100).quantize(Decimal(1))
    return value.quantize(Decimal(1)) if kind == "percent" else None


def _supported(figure: Figure, support: _Support) -> bool:
    low = (figure.kind, figure.unit, figure.low)
    high = (figure.kind, figure.unit, figure.high)
    if figure.approximate:
        if figure.key in support.approximate:
            return True
        if figure.kind == "number":  # 'thousands of teams' is backed by '2,400 teams'
            return any(figure.low <= n <= figure.high for n in support.numbers)
        return any(
            (kind, unit) == (figure.kind, figure.unit) and figure.low <= v <= figure.high
            for kind, unit, v in support.ends
        )
    if figure.key in support.keys or (low in support.ends and high in support.ends):
        return True
    if figure.kind == "number" and set(figure.numbers) <= support.numbers:
        return True  # 'day 10' restates '10 days'
    percent = _percent_of(figure.kind, figure.low)
    if percent is not None and figure.low == figure.high:
        other = "percent" if figure.kind == "ratio" else "ratio"
        return any(kind == other and _percent_of(kind, v) == percent for kind, _, v in support.ends)
    return False


def unsupported_figures(
    text: str, proof_texts: Sequence[str], language: str | None = None
) -> list[Figure]:
    """Figures in `text` (written in `language`, None: English) that no proof text states."""
    support = _support(tuple(proof_texts), language)
    missing: list[Figure] = []
    for figure in extract_figures(text, language):
        if not _supported(figure, support) and figure.key not in {f.key for f in missing}:
            missing.append(figure)
    return missing
