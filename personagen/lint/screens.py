"""Quick screens before the phrase and token rules: texts no regex can match skip them.

`checks.phrases.find_phrases` runs every AI-phrase regex (and each banned phrase) over a
text, and `checks.tokens.token_problems` one more; on a CSV of 100,000 rows that is
millions of regex searches. Nearly every phrase regex needs some plain letters to match
('seamless', 'unlock', 'today's'), and every merge-token candidate starts with one of a
few characters ('{', '[', '%', ...). A text that lacks them cannot match, and a substring
test is far cheaper than the search. Both are read from the compiled regexes themselves
(with Python's own regex parser), so a new phrase in `data/ai_phrases.yaml` or a new
placeholder style is screened with no change here; a regex the screen cannot read always
runs. The screens only skip work: the findings are exactly those of the checks.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from personagen.checks import tokens
from personagen.checks.findings import Finding
from personagen.checks.grounding import normalize
from personagen.checks.phrases import ai_phrases, find_phrases, phrase_regex

# With re.IGNORECASE, ASCII 'i' also matches the dotless 'ı' (U+0131) that casefolding
# keeps; NFKC and casefolding already turn the other such letters ('ſ', 'K') into ASCII.
_SCREEN_FOLD = str.maketrans({"\u0131": "i"})


def _parsed(pattern: re.Pattern[str]) -> tuple[Any, Any] | None:
    """(parsed pattern, opcode constants) from Python's regex parser; None if unavailable."""
    try:
        parser = importlib.import_module("re._parser")
        constants = importlib.import_module("re._constants")
        return parser.parse(pattern.pattern, pattern.flags), constants
    except (ImportError, AttributeError, re.error, TypeError, ValueError):
        return None


def _runs(items: Any, constants: Any) -> list[str]:
    """Runs of ASCII literal characters that every match of a parsed pattern contains."""
    runs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if len(current) > 1:
            runs.append("".join(current).lower())
        current.clear()

    for op, value in items:
        # Whitespace ends a run: `fold` may leave runs of it uncollapsed.
        if op is constants.LITERAL and value < 128 and not chr(value).isspace():
            current.append(chr(value))
            continue
        flush()
        if op is constants.SUBPATTERN:
            runs += _runs(value[3], constants)
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and value[0] >= 1:
            runs += _runs(value[2], constants)
    flush()
    return runs


def required_text(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Lower-case strings every match of `pattern` contains (empty: no screen possible)."""
    parsed = _parsed(pattern)
    if parsed is None:
        return ()
    try:
        return tuple(sorted(set(_runs(*parsed))))
    except (AttributeError, TypeError, ValueError, IndexError):
        return ()


def _first(items: Any, constants: Any) -> set[str] | None:
    """The characters a match of a parsed sequence can start with; None if any."""
    if not items:
        return None
    op, value = items[0]
    if op is constants.LITERAL:
        return {chr(value)}
    if op is constants.IN and all(kind is constants.LITERAL for kind, _ in value):
        return {chr(code) for _, code in value}
    if op is constants.BRANCH:
        union: set[str] = set()
        for branch in value[1]:
            first = _first(branch, constants)
            if first is None:
                return None
            union |= first
        return union
    if op is constants.SUBPATTERN and not value[1] & re.IGNORECASE:
        return _first(value[3], constants)
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and value[0] >= 1:
        return _first(value[2], constants)
    return None


def first_characters(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of `pattern` starts with one of; None when unknown."""
    parsed = _parsed(pattern)
    if parsed is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _first(*parsed)
    except (AttributeError, TypeError, ValueError, IndexError):
        return None
    return frozenset(found) if found else None


@dataclass(frozen=True)
class _Screen:
    """What each phrase regex needs (its longest required string, and all), and one regex
    that finds any of the longest strings: most texts hold none and stop there."""

    needs: tuple[tuple[str, tuple[str, ...]], ...]
    any_key: re.Pattern[str]


@functools.cache
def _phrase_screen(banned: tuple[str, ...], language: str | None = None) -> _Screen | None:
    """The screen for the regexes `find_phrases` runs with these banned phrases in
    `language`; None when one of them requires nothing."""
    regexes = [phrase_regex(p, language) for p in banned if p.strip()]
    regexes += [a.regex for a in ai_phrases(language)]
    needs: list[tuple[str, tuple[str, ...]]] = []
    for regex in regexes:
        runs = required_text(regex)
        if not runs:
            return None
        needs.append((max(runs, key=len), runs))
    keys = sorted({key for key, _ in needs}, key=len, reverse=True)
    return _Screen(tuple(needs), re.compile("|".join(map(re.escape, keys))))


def fold(text: str) -> str:
    """`text` folded for the screens and for word tokens: `checks.grounding.normalize`, or
    for ASCII text (most copy) just lower case. NFKC and the quote folding change no ASCII
    character, and the whitespace `normalize` collapses is in no screen string and in no
    word, so both give the same screen results and the same words."""
    return text.lower() if text.isascii() else normalize(text)


def phrases_may_match(folded: str, banned: Sequence[str], language: str | None = None) -> bool:
    """False only when no banned or AI phrase (of `language`) can match a text; `folded` is
    `fold(text)` (or `normalize(text)`, what `find_phrases` searches)."""
    screen = _phrase_screen(tuple(banned), language)
    if screen is None:
        return True
    if not folded.isascii():
        folded = folded.translate(_SCREEN_FOLD).lower()
    if not screen.any_key.search(folded):
        return False
    return any(key in folded and all(run in folded for run in runs) for key, runs in screen.needs)


def screened_phrases(
    text: str,
    banned: Sequence[str],
    field: str,
    folded: str | None = None,
    language: str | None = None,
) -> list[Finding]:
    """`find_phrases(text, banned, field, language)`, skipped when the screen shows nothing
    matches; `folded` is `fold(text)` when the caller has it already."""
    if not phrases_may_match(fold(text) if folded is None else folded, banned, language):
        return []
    return find_phrases(text, banned, field, language)


@functools.cache
def _token_screen() -> re.Pattern[str] | None:
    """A regex finding any character a merge-token candidate can start with."""
    candidate = getattr(tokens, "_CANDIDATE", None)
    found = first_characters(candidate) if isinstance(candidate, re.Pattern) else None
    return None if found is None else re.compile(f"[{re.escape(''.join(sorted(found)))}]")


def tokens_may_match(text: str) -> bool:
    """False only when `text` holds nothing `checks.tokens` could call a merge token."""
    screen = _token_screen()
    return screen is None or screen.search(text) is not None
