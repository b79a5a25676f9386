"""Figures written in the words of another language, rewritten for the figure reader.

The figure reader (`checks.figures`) knows digits, signs and English words. For copy in
another language, this module first rewrites that language's figure words in place,
keeping the text's length, from its data file (`data/languages/<code>.yaml`, `figures`):

- expressions: 'die Hälfte' / 'la moitié' / 'la mitad' -> 1/2, 'verdoppelt' -> 2x;
- numbers in words: 'vierzig' -> 40, 'fünfundzwanzig' -> 25, 'quatre-vingt-dix' -> 90,
  'treinta y cinco' -> 35, 'zweihundert' -> 200, 'zehntausend' -> 10000;
- digits as the language writes them: '1,5' is 1.5 and '1.200' is 1200 where the comma
  is the decimal mark; '1 200' is 1200 in French;
- units after a figure: '40 Prozent' / 'quarante pour cent' / 'cuarenta por ciento' ->
  40%, '2 Mio.' -> 2m, 'zehnfach' / '3-mal so' -> 10x / 3x, '48 Stunden' -> 48h.

The figure then spans all of its words, so a finding names the whole figure as written
('40 Prozent', not '40').
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from personagen.checks.figure_words import VAGUE_DURATIONS, VAGUE_SCALES, Rewriter, Vague
from personagen.languages import Figures, language_data


def _alternatives(words: Iterable[str]) -> str:
    """The data's regex pieces as one alternation, longest first ('millionen' before
    'million')."""
    return "|".join(sorted({w for w in words if w}, key=len, reverse=True))


@functools.cache
def _phrases(code: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    figures = _figures(code)
    return tuple(
        (re.compile(rf"(?<!\w)(?:{_alternatives(words)})(?!\w)", re.IGNORECASE), value)
        for value, words in figures.phrases.items()
    )


@functools.cache
def _idioms(code: str) -> re.Pattern[str] | None:
    words = _figures(code).idioms
    return re.compile(rf"(?<!\w)(?:{_alternatives(words)})(?!\w)", re.IGNORECASE) if words else None


@functools.cache
def _numbers(code: str) -> re.Pattern[str] | None:
    figures = _figures(code)
    if not figures.numbers:
        return None
    numbers = _alternatives(figures.numbers)
    hundreds = _alternatives(figures.hundreds) or "(?!)"
    joiners = _alternatives(figures.joiners) or "(?!)"
    thousand = _alternatives(figures.thousand_words) or "(?!)"
    glued = _alternatives(w for words in figures.suffixes.values() for w in words)
    after = rf"(?=(?:-?(?:{glued}))?(?!\w))" if glued else r"(?!\w)"
    return re.compile(
        rf"(?<!\w)(?:(?:(?P<h>{hundreds})(?:[\s-]?(?:(?:{joiners})[\s-]?)?(?P<a>{numbers}))?"
        rf"|(?P<b>{numbers}))(?:[\s-]?(?P<t>{thousand}))?|(?<!\d\s)(?P<only>{thousand})){after}",
        re.IGNORECASE,
    )


@functools.cache
def _units(code: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    figures = _figures(code)
    # Magnitudes first, so a currency after one is read ('2 millones de dólares' -> 2m$);
    # then longest words first ('mil millones' before 'mil').
    ordered = sorted(
        figures.units.items(),
        key=lambda item: (item[0] not in _MAGNITUDES, -max(len(w) for w in item[1])),
    )
    return tuple(
        (
            re.compile(
                rf"(?<![\w.,])(?P<n>\d+(?:[.,]\d+)*(?:tn|[kmb])?)(?:[ \t\u00a0\u202f]|-)?"
                rf"(?:{_alternatives(words)})"
                r"(?!\w)",
                re.IGNORECASE,
            ),
            unit,
        )
        for unit, words in ordered
    )


_MAGNITUDES = ("k", "m", "b", "tn")


@functools.cache
def _not_after(code: str) -> re.Pattern[str] | None:
    words = _figures(code).not_after
    return re.compile(rf"(?<!\w)(?:{_alternatives(words)})\s+$", re.IGNORECASE) if words else None


_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)(?![\w]|[.,]\d)")
_GROUP_SPACE = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\w]|[.,]\d)")


@functools.cache
def _figures(code: str) -> Figures:
    data = language_data(code)
    assert data is not None
    return data.figures


def _value(match: re.Match[str], figures: Figures) -> int:
    def of(table: dict[str, int], group: str) -> int:
        word = match.group(group)
        if word is None:
            return 0
        return next(v for k, v in table.items() if k.casefold() == word.casefold())

    if match.group("only"):
        return 1000
    value = of(figures.hundreds, "h") + of(figures.numbers, "a") + of(figures.numbers, "b")
    return value * 1000 if match.group("t") else value


def rewrite(code: str, out: Rewriter) -> None:
    """Rewrite the figure words of language `code` in `out` (see the module's list)."""
    figures = _figures(code)
    idioms = _idioms(code)
    for match in idioms.finditer(out.text) if idioms is not None else ():
        out.put(match.start(), match.end(), "")  # blanked: 'mille mercis' states no figure
    for pattern, value in _phrases(code):
        for match in pattern.finditer(out.text):
            out.put(match.start(), match.end(), value)
    numbers = _numbers(code)
    not_after = _not_after(code)
    if numbers is not None:
        for match in numbers.finditer(out.text):
            if not_after is not None and not_after.search(out.text, 0, match.start()):
                continue  # 'pour cent' is a unit, not a hundred
            out.put(match.start(), match.end(), str(_value(match, figures)))
    # The decimal mark first: '1 200,5' is read as 1200.5, not as 1 and 200.5.
    if figures.decimal_comma:
        for match in _DECIMAL_COMMA.finditer(out.text):
            swapped = match.group(0).translate(str.maketrans(",.", ".,"))
            out.put(match.start(), match.end(), swapped, absorb=True)
    if figures.group_space:
        for match in _GROUP_SPACE.finditer(out.text):
            written = re.sub(r"[ \u00a0\u202f]", ",", match.group(0))
            out.put(match.start(), match.end(), written, absorb=True)
    for pattern, unit in _units(code):
        for match in pattern.finditer(out.text):
            out.put(match.start(), match.end(), match.group("n") + unit, absorb=True)


@functools.cache
def _vague(code: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"(?<!\w)(?:{_alternatives(words)})(?!\w)", re.IGNORECASE), amount)
        for amount, words in _figures(code).vague.items()
    )


def language_vague(text: str, language: str | None) -> list[Vague]:
    """Amounts without a number in `language`'s words ('Tausende', 'en quelques minutes'),
    each with the range of values it implies, as `figure_words.vague_amounts` does."""
    data = language_data(language) if language else None
    if data is None or not data.figures.vague:
        return []
    found: list[Vague] = []
    for pattern, amount in _vague(data.code):
        for match in pattern.finditer(text):
            if amount in VAGUE_SCALES:
                magnitude, above = VAGUE_SCALES[amount]
                low, high = Decimal(2 * magnitude), Decimal(above - 1)
                found.append(Vague(match.start(), match.end(), "number", "", low, high))
            else:
                base, first, above = VAGUE_DURATIONS[amount]
                low, high = Decimal(first), Decimal(above - 1)
                found.append(Vague(match.start(), match.end(), "duration", base, low, high))
    return found


def language_rewriter(language: str | None) -> Callable[[Rewriter], None] | None:
    """The rewriter of `language`'s figure words; None for English or a language without data."""
    data = language_data(language) if language else None
    if data is None or not data.figures.numbers:
        return None
    return functools.partial(rewrite, data.code)
