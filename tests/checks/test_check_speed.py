"""The claims guard's fast paths give the full path's answers, without its per-letter work."""

from __future__ import annotations

import re
import unicodedata

import pytest

from personagen.checks import claims, confusables
from personagen.checks.claims import find_unsupported_claims
from personagen.checks.confusables import find_lookalike, plain_text, skeleton


def _full_path(text: str) -> str:
    """`plain_text` as written before its fast paths: every letter and word looked at."""
    visible = "".join(
        c for c in unicodedata.normalize("NFKC", text) if not confusables.is_ignorable(c)
    )
    prose = any(confusables._foreign(char) for char in visible)
    return confusables._WORD.sub(
        lambda match: confusables._plain_word(match.group(), prose), visible
    )


TEXTS = [
    "Cut churn 30% in 90 days, like Initech.",
    "Cut churn 30\u00a0% \u2014 \u201cfast\u201d, caf\u00e9 na\u00efve r\u00e9sum\u00e9.",
    "Str\u00adipe and Init\u200bech",
    "\u0405\u0422R\u0406\u0420\u0415 saves 5\u0445 the time",
    "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440, \u0405tripe \u0441\u0442\u043e\u043b",
    "\u03bb-calculus and \u0391\u0392\u0393 teams",
    "\uff33\uff54\uff52\uff49\uff50\uff45 \ufb01nance \u2163",
    "",
    "\u200b\u00ad",
]


@pytest.mark.parametrize("text", TEXTS)
def test_plain_text_matches_the_full_path(text: str) -> None:
    assert plain_text(text) == _full_path(text)


def test_ascii_text_skips_the_per_letter_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(char: str) -> None:
        raise AssertionError(f"looked at {char!r}")

    monkeypatch.setattr(confusables, "is_ignorable", unexpected)
    monkeypatch.setattr(confusables, "_latin", unexpected)
    text = "Cut churn by 30% in 90 days; ask Initech (initech.com) about {{first_name}}."
    assert plain_text(text) == text


def test_words_are_rewritten_only_when_a_look_alike_is_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unexpected(word: str, prose: bool) -> str:
        raise AssertionError(f"rewrote {word!r}")

    monkeypatch.setattr(confusables, "_plain_word", unexpected)
    text = "Churn \u2014 \u201cfast\u201d, caf\u00e9 na\u00efve, 30\u00a0%"
    assert plain_text(text) == unicodedata.normalize("NFKC", text)


def test_the_footer_is_compiled_once_for_every_draft() -> None:
    claims._footer_patterns.cache_clear()
    footer = ["--\nAcme Inc\n100 Main St, Suite 300, Springfield\nReply STOP to opt out"]
    for text in ("Join 300 teams", "Write to 100 Main St, Suite 300, Springfield"):
        find_unsupported_claims(text, ["Cut churn 30%"], footer_texts=footer)
    assert claims._footer_patterns.cache_info().misses == 1
    assert (
        find_unsupported_claims(
            "Acme Inc, 100 Main St,\nSuite 300, Springfield. Cut churn 30%.",
            ["Cut churn 30%"],
            footer_texts=footer,
        )
        == []
    )
    problems = find_unsupported_claims("Join 300 teams", ["Cut churn 30%"], footer_texts=footer)
    assert problems and "'300" in problems[0]


def _lookalikes_letter_by_letter(name: str, text: str) -> list[str]:
    """`find_lookalike` as written before the skeleton table: one letter at a time."""
    target = "".join(confusables._skeleton_piece(c) for c in name)
    pieces = [(i, confusables._skeleton_piece(c)) for i, c in enumerate(text)]
    joined = "".join(piece for _, piece in pieces)
    starts = [i for i, piece in pieces for _ in piece]
    spaced = "[ ._*\\-]+".join(re.escape(c) for c in target if not c.isspace())
    pattern = rf"(?<!\w)(?:{re.escape(target)}|{spaced})(?!\w)"
    return [text[starts[m.start()] : starts[m.end() - 1] + 1] for m in re.finditer(pattern, joined)]


@pytest.mark.parametrize("text", TEXTS + ["Ask I n i t e c h or S.t.r.i.p.e, or \u0405tripe."])
@pytest.mark.parametrize("name", ["Initech", "Stripe", "M\u00fcller AG", "rn"])
def test_lookalikes_match_the_letter_by_letter_path(name: str, text: str) -> None:
    assert find_lookalike(name, text) == _lookalikes_letter_by_letter(name, text)
    assert skeleton(text) == "".join(confusables._skeleton_piece(c) for c in text)
