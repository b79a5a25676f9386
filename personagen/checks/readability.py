"""Reading grade of copy, for the brand-voice check (`voice.max_reading_grade`).

Each language is measured with its own formula (`data/languages/<code>.yaml`): English
Flesch-Kincaid, German Wiener Sachtextformel, French Kandel-Moles, Spanish Fernández Huerta.
Ease formulas (0-100) are read as a school grade through the language's table, so one
`max_reading_grade` means the same school year whatever the language. A language without
lint data is graded as English would be: a rough measure, but never none.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from personagen.languages import DEFAULT_LANGUAGE, Readability, language_data

if TYPE_CHECKING:
    from textstat.textstat import textstatistics

# Merge tokens and URLs are not prose: 'https://…' would count as one very long word.
_NOT_PROSE = re.compile(r"\{\{[^{}]*\}\}|https?://\S+|\bwww\.\S+|\S+@\S+\.\w+")


@functools.cache
def _stats(locale: str) -> textstatistics:
    """textstat for one locale, imported on first use: it loads NLTK, which takes longer
    than a whole `personagen lint` run that grades nothing (no brief).

    textstat 0.7.13 counts English syllables with NLTK's CMU dictionary, which it downloads
    on first use when missing. The English locale is written 'en-US' (hyphen), which
    textstat does not read as English, so it uses its bundled Pyphen dictionary instead:
    offline, and the same grade on every machine."""
    from textstat.textstat import textstatistics

    stats = textstatistics()
    stats.set_lang(locale)
    return stats


def _readability(language: str | None) -> Readability:
    data = language_data(language) or language_data(DEFAULT_LANGUAGE)
    assert data is not None  # English always ships
    return data.readability


def ease_to_grade(ease: float, points: tuple[tuple[float, float], ...]) -> float:
    """A reading-ease score as a school grade, by straight lines between (ease, grade) points."""
    ordered = sorted(points)
    if ease <= ordered[0][0]:
        return ordered[0][1]
    for (low, low_grade), (high, high_grade) in zip(ordered, ordered[1:], strict=False):
        if ease <= high:
            return low_grade + (ease - low) * (high_grade - low_grade) / (high - low)
    return ordered[-1][1]


def reading_grade(text: str, language: str | None = None) -> float:
    """School grade of `text` by its language's formula, to one decimal; 0.0 without words.

    Tokens and URLs are dropped first. Grades below 0 (very short, simple text) are
    reported as 0.0, since a negative school grade means nothing to a reader.
    """
    prose = _NOT_PROSE.sub(" ", text)
    if not prose.split():
        return 0.0
    rule = _readability(language)
    stats = _stats(rule.locale)
    if rule.formula == "flesch_kincaid_grade":
        grade = float(stats.flesch_kincaid_grade(prose))
    elif rule.formula == "wiener_sachtextformel":
        grade = float(stats.wiener_sachtextformel(prose, 1))
    else:
        ease = getattr(stats, rule.formula)(prose)
        grade = ease_to_grade(float(ease), rule.grades)
    return round(max(grade, 0.0), 1)


def formula_name(language: str | None = None) -> str:
    """The name of the formula that grades `language`, for messages."""
    return _readability(language).name
