"""Placeholders left in a value that a real run would publish: 'TODO', '<address>', example.com.

Three kinds are found: marker words people leave for later (TODO, TBD, TBA, FIXME, XXX,
lorem ipsum, placeholder, change me, 'your company'/'your address' and the like, and
their German, French and Spanish counterparts such as 'Musterstraße' or 'à définir'),
template markers (`<...>` and `[...]` around a few words, but not an `<https://...>`
link or a Markdown `[text](url)` link) and the example domains of RFC 2606 that templates
copy (example.com, example.net and example.org, with their subdomains), in URLs and e-mail
addresses alike. Top-level domains such as `.example` are left alone: documentation names
fictional companies with them on purpose (the shipped example's `renewly.example`), and
re-recording that example against a real model is a real run.
"""

from __future__ import annotations

import re

_WORDS = re.compile(
    r"\b(?:TODO|TBD|TBA|FIXME|X{3,}|lorem\s+ipsum|placeholder|change\s*me|"
    r"your\s+(?:company|business|brand|name|address|street|city|postal|postcode|zip|url|"
    r"website|domain|link|e-?mail)|"
    # The same in the other languages copy is written in: German sample names (Muster-),
    # 'to be defined' and 'your address' in German, French and Spanish.
    r"muster(?:mann|frau|firma|stadt|unternehmen|gmbh|stra(?:ss|ß)e|str)|ihre\s+(?:adresse|anschrift|firma)|noch\s+offen|"
    r"[àa]\s+(?:d[ée]finir|compl[ée]ter)|votre\s+(?:adresse|entreprise|soci[ée]t[ée])|"
    r"por\s+definir|su\s+direcci[óo]n)\b",
    re.IGNORECASE,
)
_MARKERS = re.compile(r"<(?!\s*(?:https?:|mailto:))[^<>\n]{1,60}>|\[[^\[\]\n]{1,60}\](?!\()")
_HOSTS = re.compile(
    r"(?<![\w.-])(?:[\w-]+\.)*example\.(?:com|net|org)"
    r"(?!\.?[\w-])",  # the whole host: 'example.community' is someone's real domain
    re.IGNORECASE,
)


def find_placeholder(text: str) -> str | None:
    """The first placeholder in `text` ('TODO', '<your address>', 'example.com'), or None."""
    found = [m for pattern in (_WORDS, _MARKERS, _HOSTS) if (m := pattern.search(text))]
    if not found:
        return None
    return min(found, key=lambda match: match.start()).group(0)
