"""The screens before the phrase and token regexes skip work, never findings."""

from __future__ import annotations

import random
import re

import pytest

from personagen.checks.phrases import ai_phrases, find_phrases
from personagen.checks.similarity import folded_words, word_tokens
from personagen.checks.tokens import token_problems
from personagen.lint import rules, screens
from personagen.lint.screens import (
    first_characters,
    fold,
    phrases_may_match,
    required_text,
    screened_phrases,
    tokens_may_match,
)

BANNED = ("game-changing", "best-in-class ROI", "synergy")
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def variants(phrase: str) -> list[str]:
    """A phrase as copy might carry it: in a sentence, capitalised, with curly quotes,
    hyphens, odd spacing, full-width letters, the long s and a dotless i."""
    return [
        phrase,
        f"Our team will {phrase} today.",
        phrase.upper(),
        phrase.replace("'", "\u2019"),
        phrase.replace(" ", "-"),
        phrase.replace(" ", " \t\n "),
        phrase.translate(FULL_WIDTH),
        phrase.replace("s", "\u017f"),
        phrase.replace("i", "\u0131"),
        phrase.replace("k", "\u212a"),
    ]


def corpus() -> list[str]:
    texts = [v for ai in ai_phrases() for v in variants(ai.label)]
    texts += [v for phrase in BANNED for v in variants(phrase)]
    texts += [
        "It's not just about churn; it's about revenue.",
        "We delve into the data and unlock your pipeline.",
        "Navigating the complexities of renewals, seamlessly.",
        "Renewly flags at-risk accounts 45 days before renewal.",
        "",
    ]
    rng = random.Random(3)
    words = " ".join(texts).split() + ["renewal", "churn", "pilot", "the", "in", "to"]
    texts += [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(3_000)]
    return texts


@pytest.mark.parametrize("banned", [(), BANNED])
def test_screened_phrases_find_exactly_what_find_phrases_finds(banned: tuple[str, ...]) -> None:
    texts = corpus()
    hits = 0
    for text in texts:
        expected = find_phrases(text, banned, "f")
        assert screened_phrases(text, banned, "f") == expected, text
        hits += bool(expected)
    assert hits > 100  # the corpus does exercise the phrases


def test_text_without_any_phrase_letters_skips_every_regex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(screens, "find_phrases", lambda text, *_: calls.append(text) or [])
    screened_phrases("Renewal risk, 45 days early.", (), "f")
    screened_phrases("A seamless pilot.", (), "f")
    assert calls == ["A seamless pilot."]
    assert not phrases_may_match(fold("Book a 20-minute walkthrough"), ())


def test_tokens_screen_keeps_every_token_problem() -> None:
    samples = [
        "Hi {{first_name}}",
        "Hi {first_name}",
        "Hi {{ first name }",
        "Dear [First Name],",
        "Hello *|FNAME|*",
        "Hi %FIRSTNAME%",
        "stray } brace",
        "[text](https://renewly.example)",
        "Plain copy with 30% savings and a * star",
    ]
    for text in samples:
        found = [f.message for f in rules.token_findings(text, "f")]
        assert len(found) == len(token_problems(text)), text
    assert not tokens_may_match("Plain copy, no placeholders.")


def test_fold_gives_the_same_words_as_word_tokens() -> None:
    for text in corpus()[:400] + ["Tabs\tand\nlines  DON\u2019T", "Ｆｕｌｌ width"]:
        assert set(folded_words(fold(text))) == word_tokens(text), text


def test_what_the_screens_read_from_a_regex() -> None:
    assert required_text(re.compile(r"\bleverag(?:ing|ed)\s+the\b", re.I)) == ("leverag", "the")
    assert required_text(re.compile(r"(?:alpha|beta)")) == ()
    assert required_text(re.compile(r"x?y*")) == ()
    assert first_characters(re.compile(r"\{+a|\[b|%c%|[*|]")) == frozenset("{[%*|")
    assert first_characters(re.compile(r"\w+")) is None
    assert first_characters(re.compile(r"a", re.I)) is None
