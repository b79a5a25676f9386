"""Claims guard: every figure and every named customer in copy must come from the brief.

Figures (numbers, percentages, money, multipliers, durations, ratios and ranges) are found
and matched against the proof texts in `personagen.checks.figures`; names that copy
presents as customers are found in `personagen.checks.customers`. This module joins the
two into one list of problems, `find_unsupported_claims`, and re-exports their public names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypedDict

from personagen.checks.customers import matches_any, named_customers
from personagen.checks.figures import (
    Figure,
    FigureKey,
    extract_figures,
    mask_non_figures,
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


def find_unsupported_claims(
    text: str,
    proof_texts: Sequence[str],
    allowed_customers: Sequence[str] = (),
    known_customers: Sequence[str] = (),
    own_names: Sequence[str] = (),
) -> list[str]:
    """Say which figures and customer names in `text` the brief does not support.

    `proof_texts` are the texts figures may come from; `allowed_customers` the customers
    copy may name; `known_customers` names that must never appear unless allowed (the
    brief's customers_forbidden, competitors); `own_names` the product and sender, which
    are never customers. Returns one message per problem; empty when the text is clean.
    """
    problems = [
        f"figure '{figure.text}' does not appear in any proof point or the offer; "
        "use only figures from the brief's proof points, or remove it"
        for figure in unsupported_figures(text, proof_texts)
    ]
    allowed = ", ".join(allowed_customers) or "none"
    for name in named_customers(text, own_names):
        # A forbidden name gets its own, clearer message below.
        if not matches_any(name, allowed_customers) and not matches_any(name, known_customers):
            problems.append(
                f"names customer '{name}', who is not in the brief's customers_allowed "
                f"({allowed}); name only allowed customers, or none"
            )
    folded = mask_non_figures(text)
    for name in known_customers:
        if not name.strip() or matches_any(name, allowed_customers):
            continue
        if re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", folded, re.IGNORECASE):
            message = f"names '{name}', which the brief forbids; remove it"
            if message not in problems:
                problems.append(message)
    return problems
