"""Shared text helpers: file-safe slugs, formula triggers, terminal-safe text."""

from __future__ import annotations

import re

import pytest

from personagen.text import (
    MAX_SLUG,
    formula_trigger,
    slugify,
    strip_controls,
    terminal_safe,
    unique_slug,
)

# The stored persona id pattern: a slug must always pass it.
PERSONA_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
LONG_TITLE = "Senior Vice President of " + "Global Revenue Operations and Strategy " * 9


def _safe(slug: str) -> None:
    assert PERSONA_ID.fullmatch(slug), slug
    assert 0 < len(slug) <= MAX_SLUG
    assert slug not in (".", "..") and "/" not in slug and "\\" not in slug


def test_a_long_title_makes_a_bounded_slug_cut_at_a_word() -> None:
    assert len(LONG_TITLE) > 350
    slug = slugify(LONG_TITLE)
    _safe(slug)
    stem, _, digest = slug.rpartition("-")
    assert len(digest) == 6 and stem.startswith("senior-vice-president-of-global-revenue")
    # Cut at a word boundary: the stem ends with a whole word of the title.
    assert stem.split("-")[-1] in {"global", "revenue", "operations", "and", "strategy"}
    assert slugify(LONG_TITLE) == slug  # stable across runs


def test_long_titles_that_differ_only_at_the_end_stay_distinct() -> None:
    first, second = slugify(LONG_TITLE + " A"), slugify(LONG_TITLE + " B")
    assert first != second
    _safe(first)
    _safe(second)


@pytest.mark.parametrize("title", ["🚀🔥💯", "財務部長", "Директор", "   ", "", "!!!", "..."])
def test_a_title_without_ascii_letters_still_makes_a_slug(title: str) -> None:
    _safe(slugify(title))


def test_different_non_ascii_titles_make_different_slugs() -> None:
    assert slugify("財務部長") != slugify("営業部長")
    assert slugify("財務部長", fallback="persona").startswith("persona-")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..", None),
        ("a/b\\c", "a-b-c"),
        ("Ünïcödé Çafé Owner", "unicode-cafe-owner"),
        ("VP of Marketing", "vp-of-marketing"),
    ],
)
def test_slugs_are_ascii_file_names(title: str, expected: str | None) -> None:
    slug = slugify(title)
    _safe(slug)
    if expected is not None:
        assert slug == expected


@pytest.mark.parametrize("name", ["con", "NUL", "Aux", "com1", "LPT9", "prn"])
def test_windows_device_names_get_a_suffix(name: str) -> None:
    slug = slugify(name)
    _safe(slug)
    assert slug.startswith(name.lower() + "-")


def test_colliding_titles_are_deduplicated_in_order() -> None:
    taken: set[str] = set()
    slugs = [unique_slug(t, taken) for t in ("VP, Sales", "VP Sales", "vp sales!", "VP Sales")]
    assert slugs == ["vp-sales", "vp-sales-2", "vp-sales-3", "vp-sales-4"]
    long_taken: set[str] = set()
    twins = [unique_slug(LONG_TITLE, long_taken) for _ in range(3)]
    assert len(set(twins)) == 3
    for slug in twins:
        _safe(slug)


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("//e.vil","Go")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1 555 0100",
        "-30% fees",
        "＝1+1",
        "＠SUM(A1)",
        "   =1+1",
        "\u00a0@x",
        "\t1",
        "\rx",
        "\nx",
    ],
)
def test_formula_triggers_are_found(text: str) -> None:
    assert formula_trigger(text) is not None


@pytest.mark.parametrize("text", ["", "Hello", "30% lower fees", "Q&A: a = b", "e-mail"])
def test_plain_text_is_not_a_formula(text: str) -> None:
    assert formula_trigger(text) is None


@pytest.mark.parametrize(
    "payload",
    [
        "\x1b]8;;http://e.vil\x1b\\Go\x1b]8;;\x1b\\",  # OSC 8 hyperlink
        "\x1b[2J\x1b[H",  # clear the screen
        "\x1b]0;pwn\x07",  # window title
        "\x9b31m",  # 8-bit CSI
        "\x9d0;pwn\x9c",  # 8-bit OSC
        "\x1bPq#0;2;0;0;0\x1b\\",  # DCS (sixel)
        "\x1b(0",  # charset switch
        "\x07\x08\x7f\x85",
        "\u202eevil\u202c",  # right-to-left override
    ],
)
def test_terminal_safe_removes_escape_sequences_and_controls(payload: str) -> None:
    cleaned = terminal_safe(f"Rita {payload} Renewal")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", cleaned)
    assert cleaned.startswith("Rita ") and cleaned.endswith(" Renewal")
    assert "pwn" not in cleaned and "e.vil" not in cleaned


def test_terminal_safe_keeps_text_tabs_and_newlines() -> None:
    text = "Ünïcödé\tcolumn\nnext line 財務 — “quoted” [bold red]markup[/]"
    assert terminal_safe(text) == text
    assert terminal_safe("a\r\nb") == "a\nb"


def test_strip_controls_counts_what_it_removed() -> None:
    assert strip_controls("a\x1b[31mb\x00c\x85d\te\n") == ("abcd\te\n", 7)
    assert strip_controls("clean") == ("clean", 0)
