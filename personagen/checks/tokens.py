"""Personalisation tokens: only `{{name}}` with an allowed name survives a mail merge."""

from __future__ import annotations

import re

# The merge fields every export target fills; anything else would reach the reader raw.
ALLOWED_TOKENS = ("first_name", "last_name", "company", "title", "sender_name")

_WELL_FORMED = re.compile(r"\{\{([a-z_]+)\}\}")
# Anything that looks like a merge field: brace runs (balanced or not), stray braces, and
# the placeholder styles models and other tools use: [First Name], *|FNAME|*, %FIRSTNAME%.
_CANDIDATE = re.compile(
    r"\{+[^{}\n]{0,40}\}+"
    r"|\{+|\}+"
    r"|\[[A-Za-z][A-Za-z _]{0,38}\](?!\()"  # [First Name], but not a Markdown link [text](url)
    r"|\*\|[A-Za-z_]+\|\*"
    r"|%[A-Za-z_]{2,40}%"
)


def _canonical(raw: str) -> str:
    """The allowed token a malformed one most likely meant, or '' when none fits."""
    inner = raw.strip("{}[]*|% ").strip()
    name = re.sub(r"[\s-]+", "_", inner.lower())
    return name if name in ALLOWED_TOKENS else ""


def unknown_tokens(text: str) -> list[str]:
    """Tokens in `text`, as written, that are malformed or not in ALLOWED_TOKENS."""
    found: list[str] = []
    for match in _CANDIDATE.finditer(text):
        raw = match.group(0)
        well_formed = _WELL_FORMED.fullmatch(raw)
        if well_formed and well_formed.group(1) in ALLOWED_TOKENS:
            continue
        if raw not in found:
            found.append(raw)
    return found


def token_problems(text: str) -> list[str]:
    """Say what is wrong with each bad token in `text` and how to write it instead."""
    allowed = ", ".join("{{" + name + "}}" for name in ALLOWED_TOKENS)
    problems: list[str] = []
    for raw in unknown_tokens(text):
        meant = _canonical(raw)
        if meant:
            problems.append(f"token {raw!r} is malformed; write '{{{{{meant}}}}}'")
        else:
            problems.append(f"token {raw!r} is not allowed; use only {allowed}, or plain words")
    return problems
