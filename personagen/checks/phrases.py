"""Phrases copy must not use: the brief's banned phrases and AI-sounding stock phrases.

Matching ignores case and Unicode forms, folds curly quotes to straight ones, treats a
space and a hyphen inside a phrase alike ('game changer' matches 'game-changer') and only
matches whole words ('leverage' does not match 'leveraged'; write a pattern for that).

Each language adds its own rules (`data/languages/<code>.yaml`): its AI-sounding phrases
(besides the English ones, which turn up in any language), spellings that stand for the
same letters (German 'fuer' for 'für'; 'ß' and 'ss' fold with case) and, for French and
Spanish, accents that may be left out ('revolucionario' matches 'revolucionário').
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from personagen.checks.findings import Finding
from personagen.checks.grounding import normalize
from personagen.data import load_data
from personagen.errors import InputError
from personagen.languages import LanguageData, language_data

PHRASES_FILE = "ai_phrases.yaml"

_SEPARATOR = r"[\s\-\u2010-\u2015]*"


@dataclass(frozen=True)
class AIPhrase:
    """A stock phrase that makes copy read as machine-written, and what to write instead."""

    label: str
    regex: re.Pattern[str]
    suggestion: str


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrase: str | None = None
    pattern: str | None = None
    label: str | None = None
    suggestion: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> _Entry:
        if (self.phrase is None) == (self.pattern is None):
            raise ValueError("give exactly one of 'phrase' or 'pattern'")
        if self.pattern is not None and not self.label:
            raise ValueError(f"pattern {self.pattern!r} needs a 'label' to show")
        return self


class _PhraseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrases: list[_Entry]


def _bare(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def _letters(word: str, data: LanguageData | None) -> str:
    """`word` as a regex in which the language's spelling variants and accents match alike."""
    spelling = data.spelling if data is not None else ()
    accents = data is not None and data.fold_accents
    out: list[str] = []
    i = 0
    while i < len(word):
        group = next((g for g in spelling for s in g if word.startswith(s, i)), None)
        if group is not None:
            used = next(s for s in sorted(group, key=len, reverse=True) if word.startswith(s, i))
            out.append("(?:" + "|".join(re.escape(s) for s in group) + ")")
            i += len(used)
            continue
        char = word[i]
        base = _bare(char)
        if accents and char.isalpha() and len(base) == 1:
            # Any accented form of the same base letter: 'e' matches 'é', 'è', 'ê', 'ë'.
            out.append(f"(?:{re.escape(base)}[\u0300-\u036f]*|[{_accented(base)}])")
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@functools.cache
def _accented(base: str) -> str:
    """Every precomposed Latin letter whose base letter is `base`, for a character class."""
    found = {chr(c) for c in range(0xC0, 0x250) if _bare(chr(c)).casefold() == base.casefold()}
    return "".join(sorted(found)) or re.escape(base)


@functools.lru_cache(maxsize=1024)
def phrase_regex(phrase: str, language: str | None = None) -> re.Pattern[str]:
    """Compile a plain phrase into a case-insensitive, whole-word regex, spelled as
    `language` allows (its spelling variants and optional accents)."""
    data = language_data(language) if language else None
    parts = re.split(r"[\s\-\u2010-\u2015]+", normalize(phrase))
    words = [_letters(w, data) for w in parts if w]
    return re.compile(r"(?<!\w)" + _SEPARATOR.join(words) + r"(?!\w)", re.IGNORECASE)


def _compiled(entries: Sequence[_Entry], language: str | None) -> tuple[AIPhrase, ...]:
    return tuple(
        AIPhrase(e.phrase, phrase_regex(e.phrase, language), e.suggestion)
        if e.phrase is not None
        else AIPhrase(e.label or "", re.compile(e.pattern or "", re.IGNORECASE), e.suggestion)
        for e in entries
    )


@functools.cache
def _english() -> tuple[AIPhrase, ...]:
    phrases = load_data(_PhraseFile, PHRASES_FILE).phrases
    try:
        return _compiled(phrases, None)
    except re.error as exc:
        raise InputError(f"personagen/data/{PHRASES_FILE}", str(exc)) from exc


@functools.cache
def _language_phrases(code: str) -> tuple[AIPhrase, ...]:
    data = language_data(code)
    if data is None or not data.ai_phrases:
        return ()
    source = f"personagen/data/languages/{data.code}.yaml"
    try:
        entries = [_Entry.model_validate(p.model_dump(exclude_none=True)) for p in data.ai_phrases]
        return _compiled(entries, code)
    except (ValidationError, re.error) as exc:
        raise InputError(source, str(exc)) from exc


def ai_phrases(language: str | None = None) -> tuple[AIPhrase, ...]:
    """The maintained AI-sounding phrases: `data/ai_phrases.yaml` (English, for every
    language) plus those of `language`'s data file, each read once."""
    data = language_data(language) if language else None
    if data is None or data.code == "en":
        return _english()
    return _english() + _language_phrases(data.code)


def _quoted(matched: str, label: str) -> str:
    """The matched text, with the entry's label when the match reads differently."""
    same = phrase_regex(label).fullmatch(matched) is not None
    return f"'{matched}'" if same else f"'{matched}' ({label})"


def find_phrases(
    text: str, banned: Sequence[str], field: str = "text", language: str | None = None
) -> list[Finding]:
    """Find the brief's banned phrases (errors) and AI-sounding phrases (warnings) in `text`,
    by the rules of `language` (None: English)."""
    folded = normalize(text)
    findings: list[Finding] = []
    for phrase in banned:
        if not phrase.strip():
            continue
        match = phrase_regex(phrase, language).search(folded)
        if match:
            findings.append(
                Finding(
                    rule="banned-phrase",
                    severity="error",
                    field=field,
                    message=f"'{match.group(0)}' is a phrase the brief's voice bans",
                    fix="remove it or say the same thing in other words",
                )
            )
    for ai in ai_phrases(language):
        match = ai.regex.search(folded)
        if match:
            findings.append(
                Finding(
                    rule="ai-phrase",
                    severity="warning",
                    field=field,
                    message=f"{_quoted(match.group(0), ai.label)} reads as machine-written",
                    fix=ai.suggestion,
                )
            )
    return findings
