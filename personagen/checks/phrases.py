"""Phrases copy must not use: the brief's banned phrases and AI-sounding stock phrases.

Matching ignores case and Unicode forms, folds curly quotes to straight ones, treats a
space and a hyphen inside a phrase alike ('game changer' matches 'game-changer') and only
matches whole words ('leverage' does not match 'leveraged'; write a pattern for that).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from personagen.checks.findings import Finding
from personagen.checks.grounding import normalize
from personagen.errors import InputError

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


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Compile a plain phrase into a case-insensitive, whole-word regex."""
    words = [re.escape(w) for w in re.split(r"[\s\-\u2010-\u2015]+", normalize(phrase)) if w]
    return re.compile(r"(?<!\w)" + _SEPARATOR.join(words) + r"(?!\w)", re.IGNORECASE)


@functools.cache
def ai_phrases() -> tuple[AIPhrase, ...]:
    """The maintained AI-sounding phrases, read once from `data/ai_phrases.yaml`."""
    source = f"personagen/data/{PHRASES_FILE}"
    text = resources.files("personagen.data").joinpath(PHRASES_FILE).read_text("utf-8")
    try:
        entries = _PhraseFile.model_validate(yaml.safe_load(text)).phrases
        return tuple(
            AIPhrase(e.phrase, phrase_regex(e.phrase), e.suggestion)
            if e.phrase is not None
            else AIPhrase(e.label or "", re.compile(e.pattern or "", re.IGNORECASE), e.suggestion)
            for e in entries
        )
    except (ValidationError, yaml.YAMLError, re.error) as exc:
        raise InputError(source, str(exc)) from exc


def _quoted(matched: str, label: str) -> str:
    """The matched text, with the entry's label when the match reads differently."""
    same = phrase_regex(label).fullmatch(matched) is not None
    return f"'{matched}'" if same else f"'{matched}' ({label})"


def find_phrases(text: str, banned: Sequence[str], field: str = "text") -> list[Finding]:
    """Find the brief's banned phrases (errors) and AI-sounding phrases (warnings) in `text`."""
    folded = normalize(text)
    findings: list[Finding] = []
    for phrase in banned:
        if not phrase.strip():
            continue
        match = phrase_regex(phrase).search(folded)
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
    for ai in ai_phrases():
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
