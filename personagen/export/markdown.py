"""Text from notes and models placed in Markdown: shown as written, never as markup.

HTML is escaped (`<`, `>`, `&` become entities), so a `<script>` or `<img onerror>` in a
note or a draft is text in every renderer. Markdown's own punctuation is escaped with a
backslash where it would format (`*`, backticks, brackets, `_` at a word's edge, `~`,
`|`), and so are the markers that open a block at the start of a line (`#`, `-`, `+`,
`=`, `1.`), so a quote cannot become a heading, a list or a link. Intraword underscores
stay as they are: merge tokens such as `{{first_name}}` read the same in the raw file.
"""

from __future__ import annotations

import re

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"[&<>\\`*\[\]~|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BLOCK_START = re.compile(r"^( {0,3})([#+=-]|\d{1,9}[.)])")
_URL = re.compile(r"https?://[^\s<>\"'`\x00-\x1f\x7f-\x9f]+")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _HTML.get(char, "\\" + char)


def _line(text: str) -> str:
    """One line, escaped, with a block marker at its start made literal."""
    return _BLOCK_START.sub(_literal_start, _INLINE.sub(_escape, text))


def _literal_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # '1.' opens a list; '1\.' does not
        return f"{indent}{marker[:-1]}\\{marker[-1]}"
    return f"{indent}\\{marker}"


def md_inline(text: str) -> str:
    """Text inside a Markdown line (a heading, a list item, after a bold label): one line,
    every line break a space, escaped."""
    return _line(" ".join(text.split("\n")).strip())


def md_lines(text: str) -> list[str]:
    """Text that keeps its lines (a paragraph or a block quote), each line escaped."""
    return [_line(line) for line in text.split("\n")]


def md_code(text: str) -> str:
    """Text as an inline code span (shown literally): a fence longer than any run of
    backticks in it, on one line."""
    one_line = " ".join(text.split("\n"))
    runs = [len(run) for run in re.findall(r"`+", one_line)]
    fence = "`" * (max(runs, default=0) + 1)
    padded = f" {one_line} " if one_line.startswith("`") or one_line.endswith("`") else one_line
    return f"{fence}{padded}{fence}"


def md_url(url: str) -> str:
    """An http(s) URL as an autolink (`<https://...>`), anything else as escaped text."""
    return f"<{url}>" if _URL.fullmatch(url) else md_inline(url)
