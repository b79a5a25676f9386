"""Customer names in copy: who the text presents as a customer.

A capitalised name after 'trusted by', 'used by', 'companies/teams/customers
like', 'such as', 'including', 'join', 'helped', 'ask', before 'uses <product>' or
'switched to <product>', or as '<Name>'s team', must be one of the allowed customers (or
the product itself). Names in `known_customers` (the brief's customers_forbidden, known
competitors) are flagged wherever they occur, unless allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from personagen.checks.figures import mask_non_figures

# Capitalised words that start sentences or name roles, not companies.
_NOT_NAMES = frozenset(
    """i we you he she they it our your their my his her its this that these those there
    here every everyone everybody anyone nobody no most many some all other others each
    both teams companies customers clients leaders businesses people folks finance sales
    marketing revops ops operations engineering it hr legal procurement product support
    security accounting fp&a cfo cfos ceo ceos cto ctos cmo cmos coo cio vp vps head heads
    director directors manager managers monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december q1 q2 q3 q4 fortune global us eu uk emea apac na latam
    """.split()
)
_NAME_WORD = r"[A-Z][\w&'’.\-]*"
# A name does not run on past a word that ends a sentence ('Acme Corp. Hi' is 'Acme Corp').
_NAME = rf"{_NAME_WORD}(?:(?<!\.)\s+(?:(?:of|de|la|du|van|von|der|the)\s+)?{_NAME_WORD}){{0,3}}"
_NAME_LIST = re.compile(rf"{_NAME}(?:\s*,\s*(?:(?:and|or)\s+)?{_NAME}|\s+(?:and|or|&)\s+{_NAME})*")
_NAME_ONLY = re.compile(_NAME)
_BEFORE_NAMES = re.compile(
    r"\b(?:(?:trusted|used|loved|chosen|adopted|backed|relied\s+on|powered|preferred)\s+by"
    r"|(?:companies|teams|customers|clients|brands|businesses|organi[sz]ations|orgs|leaders"
    r"|firms|startups|enterprises|banks|retailers|peers|others)\s+(?:like|such\s+as|including)"
    r"|join(?:s|ed|ing)?|help(?:s|ed|ing)?|ask)\s+",
    re.IGNORECASE,
)
_POSSESSIVE_ROLE = re.compile(
    rf"\b({_NAME})['’]s\s+(?:[a-z]+\s+){{0,2}}(?i:teams?|cfo|ceo|cto|cmo|coo|controller"
    r"|founders?|head|vp|engineers|analysts|staff)\b"
)
_USES = (
    r"(?i:uses|use|used|switched\s+to|chose|moved\s+to|relies\s+on|rely\s+on|runs\s+on"
    r"|standardi[sz]ed\s+on|picked|bought|selected)"
)


def _clean_name(name: str) -> str:
    name = name.strip().rstrip(".,;:!?-")
    return re.sub(r"['’]s$", "", name)


def matches_any(name: str, names: Iterable[str]) -> bool:
    """Whether `name` is one of `names`, allowing an added or dropped suffix word."""
    folded = name.casefold()
    for other in names:
        known = " ".join(other.casefold().split())
        if known and (
            folded == known or folded.startswith(known + " ") or known.startswith(folded + " ")
        ):
            return True
    return False


def named_customers(text: str, own_names: Sequence[str] = ()) -> list[str]:
    """Capitalised names that the text presents as customers, in order of appearance."""
    text = mask_non_figures(text)
    found: list[tuple[int, str]] = []
    for trigger in _BEFORE_NAMES.finditer(text):
        listed = _NAME_LIST.match(text, trigger.end())
        if listed:
            for each in _NAME_ONLY.finditer(listed.group(0)):
                found.append((trigger.end() + each.start(), each.group(0)))
    for match in _POSSESSIVE_ROLE.finditer(text):
        found.append((match.start(1), match.group(1)))
    products = [re.escape(n) for n in own_names if n.strip()]
    if products:
        uses = re.compile(rf"\b({_NAME})\s+{_USES}\s+(?i:{'|'.join(products)})\b")
        for match in uses.finditer(text):
            found.append((match.start(1), match.group(1)))
    names: list[str] = []
    for _, raw in sorted(found):
        name = _clean_name(raw)
        first = name.split()[0].casefold() if name.split() else ""
        if not name or first in _NOT_NAMES or name.casefold() in _NOT_NAMES:
            continue
        if matches_any(name, own_names) or name in names:
            continue
        names.append(name)
    return names
