"""Reading grade of copy, for the brand-voice check (`voice.max_reading_grade`)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textstat.textstat import textstatistics

# Merge tokens and URLs are not prose: 'https://…' would count as one very long word.
_NOT_PROSE = re.compile(r"\{\{[^{}]*\}\}|https?://\S+|\bwww\.\S+|\S+@\S+\.\w+")

# textstat 0.7.13 counts English syllables with NLTK's CMU dictionary, which it downloads
# on first use when missing. A locale written 'en-US' (hyphen) is not recognised as
# English, so textstat uses its bundled Pyphen dictionary instead: offline, and the same
# grade on every machine. Pyphen reads 'en-US' as en_US.
_LANG = "en-US"


@functools.cache
def _stats() -> textstatistics:
    """textstat, imported on first use: it loads NLTK, which takes longer than a whole
    `personagen lint` run that grades nothing (no brief)."""
    from textstat.textstat import textstatistics

    stats = textstatistics()
    stats.set_lang(_LANG)
    return stats


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level of `text`, to one decimal; 0.0 when it has no words.

    Tokens and URLs are dropped first. Grades below 0 (very short, simple text) are
    reported as 0.0, since a negative school grade means nothing to a reader.
    """
    prose = _NOT_PROSE.sub(" ", text)
    if not prose.split():
        return 0.0
    grade = float(_stats().flesch_kincaid_grade(prose))
    return round(max(grade, 0.0), 1)
