"""Claims guard: every figure and every named customer in copy must come from the brief.

Figures (numbers, percentages, money, multipliers, durations, ratios and ranges, in
digits or in words) are found and matched against the proof texts in
`personagen.checks.figures`; names that copy presents as customers are found in
`personagen.checks.customers`. Names the brief forbids are found wherever they occur, also
when disguised with look-alike letters or hidden characters (`personagen.checks.confusables`).

Proof texts are the brief's proof points and offer. The e-mail footer (postal address,
opt-out text) is not proof: its numbers are an address, so 'Suite 300' backs no '300
teams'. Where copy repeats the footer, the footer's own figures are not claims.
This module joins the checks into one list of problems, `find_unsupported_claims`, and
re-exports their public names.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import NotRequired, TypedDict

from personagen.checks.confusables import find_lookalike
from personagen.checks.customers import matches_any, named_customers
from personagen.checks.figures import (
    Figure,
    FigureKey,
    extract_figures,
    mask_non_claims,
    unsupported_figures,
)

__all__ = [
    "ClaimSources",
    "Figure",
    "FigureKey",
    "extract_figures",
    "find_unsupported_claims",
    "named_customers",
    "unsupported_figures",
]


class ClaimSources(TypedDict):
    """What copy may draw figures and customer names from (keyword arguments of the guard)."""

    proof_texts: list[str]
    allowed_customers: list[str]
    known_customers: list[str]
    own_names: list[str]
    footer_texts: NotRequired[list[str]]
    language: NotRequired[str | None]


@functools.lru_cache(maxsize=64)
def _footer_patterns(footer_texts: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """One pattern per footer text and per comma- or line-separated part holding a digit.

    Longest first, so a whole address is blanked before its parts. Built once per footer:
    every draft of a campaign repeats the same one.
    """
    pieces: list[str] = []
    for footer in footer_texts:
        pieces.append(footer)
        pieces += [p for p in re.split(r"[,;\n|]", footer) if re.search(r"\d", p)]
    ordered = sorted({p.strip() for p in pieces if p.strip()}, key=len, reverse=True)
    flexible = (r"\s+".join(re.escape(word) for word in piece.split()) for piece in ordered)
    return tuple(re.compile(rf"(?<!\w){each}(?!\w)", re.IGNORECASE) for each in flexible)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _mask_footer(text: str, footer_texts: Sequence[str]) -> str:
    """`text` with the footer's address and opt-out lines blanked where copy repeats them."""
    for pattern in _footer_patterns(tuple(footer_texts)):
        text = pattern.sub(_blank, text)
    return text


def _bare(name: str) -> str:
    """`name` without case, accents or extra spaces: how a plain mention may differ."""
    letters = unicodedata.normalize("NFKD", " ".join(name.split())).casefold()
    return "".join(char for char in letters if not unicodedata.combining(char))


def _forbidden(masked: str, name: str) -> str | None:
    """The message for a forbidden `name` in `masked` text, disguised or not; None if absent.

    `masked` is the copy with URLs, e-mail addresses and merge tokens blanked
    (`mask_non_claims`): a domain is not a claim.
    """
    found = find_lookalike(name, masked)
    if not found:
        return None
    if all(_bare(each) == _bare(name) for each in found):
        return f"names '{name}', which the brief forbids; remove it"
    return (
        f"names '{name}' (written with look-alike letters or hidden characters), which the "
        "brief forbids; remove it"
    )


def find_unsupported_claims(
    text: str,
    proof_texts: Sequence[str],
    allowed_customers: Sequence[str] = (),
    known_customers: Sequence[str] = (),
    own_names: Sequence[str] = (),
    footer_texts: Sequence[str] = (),
    language: str | None = None,
) -> list[str]:
    """Say which figures and customer names in `text` the brief does not support.

    `proof_texts` are the texts figures may come from; `allowed_customers` the customers
    copy may name; `known_customers` names that must never appear unless allowed (the
    brief's customers_forbidden, competitors); `own_names` the product and sender, which
    are never customers; `footer_texts` the e-mail footer's lines, which back nothing but
    may be repeated; `language` the copy's language, whose figure words and customer
    constructions count too (None: English). Returns one message per problem; empty when
    the text is clean.
    """
    text = _mask_footer(text, footer_texts)
    problems = [
        f"figure '{figure.text}' does not appear in any proof point or the offer; "
        "use only figures from the brief's proof points, or remove it"
        for figure in unsupported_figures(text, proof_texts, language)
    ]
    allowed = ", ".join(allowed_customers) or "none"
    for name in named_customers(text, own_names, language):
        # A forbidden name gets its own, clearer message below.
        if not matches_any(name, allowed_customers) and not matches_any(name, known_customers):
            problems.append(
                f"names customer '{name}', who is not in the brief's customers_allowed "
                f"({allowed}); name only allowed customers, or none"
            )
    masked: str | None = None  # blanked once, for every forbidden name
    for name in known_customers:
        if not name.strip() or matches_any(name, allowed_customers):
            continue
        masked = mask_non_claims(text) if masked is None else masked
        message = _forbidden(masked, name.strip())
        if message and message not in problems:
            problems.append(message)
    return problems
