"""Words the customer detector needs: what is never a customer, and what names a role.

Copy capitalises words that are not companies: the first word of a sentence, days and
months, roles ('CFO'), regions ('Europe'), segments ('SaaS', 'Series B'). These lists keep
such words from being reported as customers.
"""

from __future__ import annotations

import functools
import re

from personagen.languages import language_data

_WORDS = """
    i we you he she they it our your their my his her its this that these those there here
    every everyone everybody anyone anybody someone somebody nobody no none most many some
    all any other others each both either neither few several such same another
    the a an and or but so yet if then when while because since after before until unless
    what which who whom whose where why how now today tomorrow yesterday soon still just
    only even also already finally simply easily quickly instantly automatically really
    actually together suddenly literally then thus hence plus more less next last first
    hi hello hey dear thanks thank welcome congrats ps p.s note tip step bonus update
    yes ok okay sure please imagine meet say try see get make start stop book join ask help
    teams team companies company customers customer clients client leaders leader businesses
    business people folks users user buyers members staff employees partners vendors
    investors founders owners operators admins reps execs executives analysts accountants
    auditors controllers bookkeepers treasurers managers directors engineers developers
    finance sales marketing revops ops operations engineering hr legal procurement product
    support security accounting treasury payroll tax audit fp&a it
    cfo cfos ceo ceos cto ctos cmo cmos coo coos cio cios vp vps svp evp head heads
    director manager controller founder analyst accountant auditor
    startups startup enterprises enterprise smb smbs mid-market midmarket saas b2b b2c
    fintech fintechs banks brands firms agencies retailers lenders insurers nonprofits
    series seed fortune inc global local regional national international public private
    big small large mid growing modern leading top old
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    q1 q2 q3 q4 h1 h2 fy ytd eoy eom
    us usa u.s eu uk emea apac amer latam na anz dach nordics benelux europe european asia
    asian africa african america american americas north south east west central
    canada canadian mexico brazil germany german france french spain spanish italy italian
    uk britain british england ireland irish netherlands dutch india indian china chinese
    japan japanese australia australian singapore
    center centre desk docs guide page article section menu button tab portal blog faq
    revenue pipeline churn costs cost spend spending headcount output throughput growth
    margin margins profit profits savings sales bookings close closes errors time cash
    adoption usage traffic leads signups deals renewals accuracy speed quality efficiency
    productivity morale everything nothing something work effort automation reporting
    reconciliation onboarding setup audits invoices payments collections forecasting
    arr mrr nrr grr dso dpo ebitda roi cac ltv kpi kpis okr okrs p&l gaap ifrs sox
    me ai bi api apis crm erp gl ui ux demo trial free
    """.split()
NOT_NAMES = frozenset(_WORDS)
# Words that open a sentence before a name ('Why Hooli chose us'): dropped, not the name.
LEADING_WORDS = frozenset(
    """the why how what when where which while and but so yet then now today also just
    finally still even only plus unlike like with without see meet read learn discover watch
    """.split()
)

# A single capitalised word that ends like a plural role ('Controllers', 'Analysts') is a
# role when it starts a sentence, not a company.
PLURAL_ROLE = re.compile(r"(?:ers|ors|ists|ysts|ants|ents|ians|ees|ives|ics)$", re.IGNORECASE)

# Lower-case words after a name that make it a kind of company, not one: 'SaaS companies'.
CATEGORY_NOUNS = (
    r"companies|banks|firms|startups|businesses|brands|organi[sz]ations|orgs|agencies"
    r"|retailers|enterprises|manufacturers|lenders|insurers|hospitals|universities|schools"
    r"|nonprofits|users|customers|clients|shops|stores|platforms|apps|tools|vendors|players"
)

# People at a company, before 'at', 'of' or 'from' + the company.
ROLES = (
    r"teams?|folks|people|engineers|leaders|staff|employees|members|users|admins|analysts"
    r"|accountants|auditors|controllers?|cfos?|ceos?|ctos?|coos?|cmos?|cios?|vps?|svps?"
    r"|directors?|managers?|founders?|heads?|execs|executives|operators|customers?|clients?"
    r"|finance|accounting|ops|revops|treasury|payroll|org|department|crew|squad"
)

# A number just before a capitalised word makes it a counted noun ('4 Tage', '10 Jahre').
_COUNTED = re.compile(r"\d[ \t\u00a0]*$")
# Between names of a list, in any language: 'A, B und C', 'A et B', 'A y B'.
_AND = r"(?:and|or|&|plus|und|oder|sowie|et|ou|y|e|o)"


@functools.lru_cache(maxsize=32)
def _language_patterns(
    code: str, own_names: tuple[str, ...], name: str
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str]]:
    """A language's customer patterns: lead-ins, verbs about us, result verbs, and a legal
    form that ends a company name."""
    data = language_data(code)
    assert data is not None
    words = data.customers
    article = rf"(?:(?i:{'|'.join(words.articles)})[ \t]+)?" if words.articles else ""
    listed = (
        rf"{name}(?:[ \t]*[,/][ \t]*(?:{_AND}[ \t]+)?{article}{name}"
        rf"|[ \t]+{_AND}[ \t]+{article}{name})*"
    )
    own = [re.escape(n) for n in own_names if n.strip()]
    us = "|".join([*own, *words.us]) or "(?!)"

    def subject(verbs: tuple[str, ...]) -> re.Pattern[str] | None:
        if not verbs:
            return None
        said = "|".join(v.replace("{us}", f"(?:{us})") for v in verbs)
        adverb = rf"(?:[ \t]+(?i:{'|'.join(words.adverbs)}))?" if words.adverbs else ""
        return re.compile(
            rf"(?<![\w&'’.\-])(?P<article>{article})(?P<names>{listed}){adverb}[ \t]+"
            rf"(?i:{said})(?!\w)"
        )

    lead = None
    if words.leads:
        lead = re.compile(
            rf"(?<!\w)(?i:{'|'.join(words.leads)})[ \t]*[:,]?[ \t]+{article}(?P<names>{listed})"
        )
    legal = "|".join(words.legal_forms) or "(?!)"
    return lead, subject(words.verbs), subject(words.results), re.compile(rf"[ \t](?i:{legal})$")


def language_names(
    text: str, own_names: tuple[str, ...], language: str | None, name: str
) -> tuple[list[tuple[int, str]], frozenset[str]]:
    """Names `text` presents as customers by the constructions of `language`, with where
    each starts, and the capitalised words of that language that name no company.

    `name` is the customer detector's pattern of a name. A name before a result verb
    ('Die Rechnungsprüfung spart Zeit') counts only with a legal form ('GmbH') or without an
    article before it: German capitalises every noun.
    """
    data = language_data(language) if language else None
    if data is None or data.code == "en":
        return [], frozenset()
    lead, about_us, results, legal = _language_patterns(data.code, own_names, name)
    words = data.customers
    not_names = frozenset(w.casefold() for w in (*words.not_names, *words.articles))
    single = re.compile(name)
    found: list[tuple[int, str]] = []
    for pattern, weak in ((lead, False), (about_us, False), (results, True)):
        for match in pattern.finditer(text) if pattern is not None else ():
            article = match.groupdict().get("article")
            for each in single.finditer(match.group("names")):
                value, start = each.group(0), match.start("names") + each.start()
                if weak and article and not legal.search(value):
                    continue
                if _COUNTED.search(text, 0, start):
                    continue  # '4 Tage verkürzt': a counted noun, not a company
                found.append((start, value))
    return found, not_names
