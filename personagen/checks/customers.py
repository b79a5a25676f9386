"""Customer names in copy: who the text presents as a customer.

A name is presented as a customer by the construction around it, not by one phrase:

- after a lead-in, alone or in a list, directly or after a few words and 'at', 'from',
  'like', 'such as', 'including', 'the likes of' or a colon: 'trusted by', 'used at',
  'loved by teams at', 'as seen at', 'chosen by', 'deployed across', 'join', 'helping',
  'powering', 'proud to serve', 'we work with', 'our customers include', 'customers
  like', 'in good company:', 'logos:', 'case study:', 'see how', 'read why';
- before a verb about us or a result: 'Shopify, Atlassian and HubSpot trust us', 'Brex and
  400 others use Ledgerly', 'Dropbox is a Ledgerly customer', 'Hooli cut close to 4 days';
- with its people: 'the CFO of Segment', 'teams at Spotify', 'Stripe's finance team',
  'The Hooli team loves it', 'Hooli's Gavin says', 'Hooli CFO Gavin Belson', 'Jane Doe,
  CFO, Hooli';
- moving onto us: 'Hooli runs its close on Ledgerly', 'Raviga switched from spreadsheets
  to Ledgerly'.

Not customers: the product and sender (`own_names`), sentence starts, days, months, roles,
regions and segments (`personagen.checks.customer_words`), a kind of company ('SaaS
companies', 'Series B startups'), a capitalised lead-in that is part of a name ('our Help
Center'), and tools named without such a construction ('Integrates with NetSuite').

Copy in another language is read with the English constructions and with its own
(`customers` in `data/languages/<code>.yaml`, see `checks.customer_words.language_names`):
'Kunden wie die Müller GmbH vertrauen uns', 'des clients comme Acme', 'clientes como
Hooli'.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from personagen.checks.confusables import skeleton
from personagen.checks.customer_words import (
    CATEGORY_NOUNS,
    LEADING_WORDS,
    NOT_NAMES,
    PLURAL_ROLE,
    ROLES,
    language_names,
)
from personagen.checks.figures import mask_non_figures

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w&'’.\-]*|[a-z]+[A-Z][\w&'’.\-]*)"
# A name does not run on past a word that ends a sentence ('Acme Corp. Hi' is 'Acme Corp').
_NAME = (
    rf"{_NAME_WORD}(?:(?<!\.)[ \t\u00a0]+(?:(?:of|de|la|du|van|von|der|the)[ \t]+)?{_NAME_WORD})"
    r"{0,3}"
)
_LIST = (
    rf"(?<![\w&'’.\-]){_NAME}(?:[ \t]*[,/][ \t]*(?:(?:and|or|&|plus)[ \t]+)?{_NAME}"
    rf"|[ \t]+(?:and|or|&|plus)[ \t]+{_NAME})*"
)
_NAME_ONLY = re.compile(_NAME)
_FILLER = (
    r"(?:(?!(?:who|that|which|for|with|in|on|to|and|or|but|not|no)\b)"
    r"(?:[a-z][\w-]*|\d[\d,.]*\+?|(?:CFO|CEO|COO|CTO|CIO|CMO|VP)s?)[ \t]+){1,4}?"
)
_CONNECTOR = (
    r"(?:at|from|like|such[ \t]+as|including|incl\.|e\.g\.,?|(?:the[ \t]+)?likes[ \t]+of"
    r"|over[ \t]+at|inside|across|behind)[ \t]*:?[ \t]+|:[ \t]*"
)
_PASSIVE = (
    r"trusted|used|loved|chosen|adopted|backed|relied[ \t]+(?:on|upon)|powered|preferred"
    r"|favou?red|endorsed|recommended|approved|picked|selected|deployed|depended[ \t]+on"
    r"|embraced|beloved|praised|vetted|(?:battle|road|field)[- ]tested|proven|rolled[ \t]+out"
    r"|implemented|installed|live|running|in[ \t]+use|built[ \t]+with|designed[ \t]+with"
)
_LEAD = re.compile(
    rf"\b(?:(?:{_PASSIVE})(?:[ \t]+(?:every[ \t]+day|daily|worldwide|globally|today|already"
    r"|now|widely|heavily|in[ \t]+production))?[ \t]+(?:by|at|across|inside|within)"
    r"|(?:as[ \t]+)?(?:seen|featured)[ \t]+(?:at|in|on|by)|(?:the[ \t]+)?likes[ \t]+of"
    r"|(?:the[ \t]+)?choice[ \t]+of|(?:platform|tool|engine|software)[ \t]+behind"
    r"|in[ \t]+good[ \t]+company(?:[ \t]+with)?[ \t]*[:,\-–—]?"
    r"|join(?:s|ed|ing)?|help(?:s|ed|ing)?|ask|serv(?:e|es|ed|ing)|power(?:s|ing)"
    r"|proud[ \t]+to[ \t]+(?:serve|support|work[ \t]+with|partner[ \t]+with)"
    r"|we(?:['’]ve|[ \t]+have)?[ \t]+(?:work(?:ed)?|partner(?:ed)?)[ \t]+with|working[ \t]+with"
    r"|(?:customers?|clients?|users?|logos?|brands|companies|teams|businesses|organi[sz]ations"
    r"|orgs|leaders|firms|startups|enterprises|banks|retailers|peers|others|names"
    r"|customer[ \t]+(?:list|base|roster))(?:[ \t]+(?:include[sd]?|including|like|such[ \t]+as"
    r"|range[ \t]+from)|[ \t]*:)"
    r"|(?:case|customer|success)[ \t]+stor(?:y|ies)[ \t]*:|case[ \t]+study[ \t]*:"
    r"|(?:see|learn|read|discover|find[ \t]+out|watch|hear)[ \t]+(?:how|why|what))[ \t]+",
    re.IGNORECASE,
)
_AFTER_LEAD = re.compile(rf"(?:{_FILLER}(?:{_CONNECTOR}))?({_LIST})")
_ROLE_AT = re.compile(rf"\b(?i:{ROLES})(?:[ \t]+over)?[ \t]+(?:at|of|from|inside)[ \t]+({_LIST})")
_OWNED = rf"(?i:{ROLES}|close|books|month-end|year-end|story|journey|results|success|growth|audit)"
_POSSESSIVE = re.compile(
    rf"(?<![\w&'’.\-])({_NAME})['’]s[ \t]+(?:(?:[a-z]+[ \t]+){{0,2}}{_OWNED}\b"
    rf"|{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?[ \t]+(?:says|said|tells|told|writes|wrote)\b)"
)
_TITLE = r"(?:CFO|CEO|COO|CTO|CIO|CMO|VP|Controller|Head[ \t]+of)"
_NAME_TITLE = re.compile(
    rf"(?<![\w&'’.\-])({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}?)[ \t]+{_TITLE}\b"
)
_TITLE_NAME = re.compile(rf"\b{_TITLE}(?:[ \t]+\w+)?[ \t]*,[ \t]*({_NAME})[ \t]*(?=$|[\n.\"”])")
_CATEGORY = re.compile(rf"[ \t]+(?:{CATEGORY_NOUNS})\b")
_AS_CUSTOMERS = (
    r"(?:is|are|was|were|became|become|has[ \t]+been|have[ \t]+been)[ \t]+"
    r"(?:(?:a|an|our|one|of|among|all|now|also|already|proud|happy|loyal|long-?time|paying"
    r"|existing|early|big|[A-Z][\w-]*)[ \t]+){0,4}(?:customers?|clients?|users?|fans)\b"
)
_RESULTS = (
    r"cut|cuts|slashed|slashes|reduced|reduces|saved|saves|shaved|closed|closes|doubled"
    r"|tripled|halved|grew|grows|boosted|increased|improved|freed|reclaimed|went[ \t]+live"
    r"|got|saw|sees|achieved|hit|reached|automated|eliminated|reconciled|sped[ \t]+up"
)
_ABOUT_US = (
    r"trusts?|trusted|uses?|used|loves?|loved|rel(?:y|ies|ied)[ \t]+on|depends?[ \t]+on"
    r"|depended[ \t]+on|swears?[ \t]+by|swore[ \t]+by|counts?[ \t]+on|bet[ \t]+on|chose|chooses?"
    r"|switched[ \t]+to|switch(?:es)?[ \t]+to|moved[ \t]+to|runs?[ \t]+on|ran[ \t]+on"
    r"|standardi[sz]ed[ \t]+on|picked|bought|selected|signed[ \t]+(?:up|on|with)|joined"
    r"|adopted|deployed|rolled[ \t]+out|went[ \t]+live[ \t]+(?:with|on)|works?[ \t]+with"
)
# Who at a company does it: 'The Hooli team loves it', 'Hooli's controllers use it'.
_TEAMS = r"team|teams|folks|people|crew|org|controllers?|cfo|ceo|accountants|analysts"
# A move onto us, with a few words between: 'runs its close on Ledgerly'.
_MOVES = (
    r"runs?|ran|moved|moves|switched|switches|migrated|migrates|closes|closed|manages"
    r"|managed|does|did|handles|handled|keeps|kept|builds|built|brought|brings|put|puts"
)
_ONTO = r"on|onto|with|to|into|in|via|using"
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]|--|—)[ \t]*$")


@functools.lru_cache(maxsize=64)
def _subject_pattern(own_names: tuple[str, ...]) -> re.Pattern[str]:
    """Names before a verb about us ('trust us', 'use Ledgerly') or a result ('cut')."""
    own = "".join(f"|{re.escape(name)}" for name in own_names if name.strip())
    us = rf"(?:us|our|it|this|the[ \t]+(?:product|platform|tool|app){own})\b"
    return re.compile(
        rf"({_LIST})(?:[ \t]*,?[ \t]+(?:and|&|plus)[ \t]+(?:\d[\d,]*\+?|hundreds|thousands"
        r"|dozens|many|several|[a-z]+)[ \t]+(?:others|more|teams|companies|customers))?"
        rf"(?:['’]s)?(?:[ \t]+(?:finance[ \t]+)?(?i:{_TEAMS}))?"
        r"(?:[ \t]+(?:all|already|now|also|both|each|too|recently))?[ \t]+"
        rf"(?:(?i:{_ABOUT_US})[ \t]+{us}|{_AS_CUSTOMERS}|(?:{_RESULTS})\b"
        rf"|(?i:{_MOVES})(?:[ \t]+[a-z][\w'’-]*){{0,4}}?[ \t]+(?i:{_ONTO})[ \t]+{us})"
    )


def _clean_name(name: str) -> str:
    name = name.strip().rstrip(".,;:!?-")
    name = re.sub(r"['’]s$", "", name)
    # 'The Acme Group', 'Why Hooli picked us': the first word opens the sentence.
    words = name.split()
    while len(words) > 1 and words[0].casefold() in LEADING_WORDS:
        words = words[1:]
    return " ".join(words)


def matches_any(name: str, names: Iterable[str]) -> bool:
    """Whether `name` is one of `names`, allowing an added or dropped suffix word.

    Names are compared by their skeletons: case, accents and look-alike letters aside.
    """
    folded = skeleton(" ".join(name.split()))
    for other in names:
        known = skeleton(" ".join(other.split()))
        if known and (
            folded == known or folded.startswith(known + " ") or known.startswith(folded + " ")
        ):
            return True
    return False


def _listed(text: str, start: int, listed: str) -> list[tuple[int, str]]:
    """Each name of a list found at `start`, unless it names a kind ('SaaS companies')."""
    names: list[tuple[int, str]] = []
    for each in _NAME_ONLY.finditer(listed):
        if _CATEGORY.match(text, start + each.end()):
            continue
        names.append((start + each.start(), each.group(0)))
    return names


def _lead_ins(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for lead in _LEAD.finditer(text):
        word = lead.group(0)
        if word[:1].isupper() and not _SENTENCE_START.search(text[: lead.start()]):
            continue  # capitalised mid-sentence, the lead-in is a name: 'our Help Center'
        listed = _AFTER_LEAD.match(text, lead.end())
        if listed:
            found += _listed(text, listed.start(1), listed.group(1))
    return found


def _subjects(text: str, own_names: Sequence[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _subject_pattern(tuple(own_names)).finditer(text):
        names = _listed(text, match.start(1), match.group(1))
        if len(names) == 1 and _SENTENCE_START.search(text[: match.start(1)]):
            # A lone first word may be a plain noun: 'Controllers cut', 'Revenue doubled'.
            word = names[0][1]
            if " " not in word and PLURAL_ROLE.search(word) and word[1:].islower():
                continue
        found += names
    return found


def named_customers(
    text: str, own_names: Sequence[str] = (), language: str | None = None
) -> list[str]:
    """Capitalised names that the text presents as customers, in order of appearance;
    also by the constructions of `language` (None: English only)."""
    text = mask_non_figures(text)
    found = _lead_ins(text) + _subjects(text, own_names)
    extra, not_names = language_names(text, tuple(own_names), language, _NAME)
    found += extra
    for match in _ROLE_AT.finditer(text):
        found += _listed(text, match.start(1), match.group(1))
    for pattern in (_POSSESSIVE, _NAME_TITLE, _TITLE_NAME):
        found += [(m.start(1), m.group(1)) for m in pattern.finditer(text)]
    names: list[str] = []
    for _, raw in sorted(found):
        name = _clean_name(raw)
        words = name.split()
        while len(words) > 1 and words[0].casefold() in not_names:
            words = words[1:]  # 'Auch die Müller GmbH', 'Viele Finanzteams'
        name = " ".join(words)
        if not words or words[0].casefold() in NOT_NAMES or name.casefold() in NOT_NAMES:
            continue
        if name.casefold() in not_names or words[-1].casefold() in not_names:
            continue
        if matches_any(name, own_names) or name in names:
            continue
        names.append(name)
    return names
