"""Applying placeholders: replacing found emails, phones, people and companies in text.

Emails are taken first, then phone numbers, names and companies, each only where no
earlier span overlaps it; the longest spelling of a name wins. A name is found in any of
the spellings `personagen.redact_spelling` lists (accents, hyphens, apostrophes).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from personagen.models.note import Note
from personagen.redact_contacts import find_emails, find_phones
from personagen.redact_detect import Entity, Placeholders, RedactionReport
from personagen.redact_spelling import bounded, spelling_pattern


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    placeholder: str


def _entity_pattern(entities: Iterable[Entity]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regex for all spellings (longest first), and each alternative's placeholder.

    Each spelling is its own named group; the group that matched names the placeholder.
    """
    placeholders: dict[str, str] = {}
    alternatives: list[tuple[int, str]] = []
    seen: set[str] = set()
    for entity in entities:
        spellings = [(full, True) for full in entity.full]
        spellings += [
            (s, False) for part in entity.parts for s in dict.fromkeys((part, part.upper()))
        ]
        for spelling, any_case in spellings:
            key = (
                ("full:" + " ".join(spelling.split()).casefold())
                if any_case
                else "part:" + spelling
            )
            if key in seen:
                continue
            seen.add(key)
            group = f"g{len(placeholders)}"
            placeholders[group] = entity.placeholder
            body = spelling_pattern(spelling)
            body = f"(?i:{body})" if any_case else body
            alternatives.append((len(spelling), f"(?P<{group}>{bounded(spelling, body)})"))
    if not alternatives:
        return None, placeholders
    alternatives.sort(key=lambda a: -a[0])
    return re.compile("|".join(alt for _, alt in alternatives)), placeholders


def _free(spans: list[_Span], start: int, end: int) -> bool:
    """No taken span overlaps [start, end); `spans` is kept sorted by start."""
    index = bisect.bisect_left(spans, start, key=lambda s: s.start)
    if index < len(spans) and spans[index].start < end:
        return False
    return index == 0 or spans[index - 1].end <= start


def _take(spans: list[_Span], span: _Span) -> None:
    bisect.insort(spans, span, key=lambda s: s.start)


def redact_text(
    text: str,
    people: list[Entity],
    companies: list[Entity],
    numbering: Placeholders,
    report: RedactionReport,
) -> str:
    """`text` with emails, phones, people and companies replaced; counts go to `report`."""
    spans: list[_Span] = []  # sorted by start, never overlapping
    for email in find_emails(text):
        if _free(spans, email.start, email.end):
            placeholder = numbering.get("EMAIL", email.key)
            _take(spans, _Span(email.start, email.end, "email", placeholder))
    for phone in find_phones(text):
        if _free(spans, phone.start, phone.end):
            placeholder = numbering.get("PHONE", phone.key)
            _take(spans, _Span(phone.start, phone.end, "phone", placeholder))
    for kind, entities in (("name", people), ("company", companies)):
        pattern, lookup = _entity_pattern(entities)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            found = lookup[match.lastgroup or ""]
            if _free(spans, match.start(), match.end()):
                _take(spans, _Span(match.start(), match.end(), kind, found))
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces += [text[position : span.start], span.placeholder]
        position = span.end
        if span.kind == "email":
            report.emails += 1
        elif span.kind == "phone":
            report.phones += 1
        elif span.kind == "name":
            report.names += 1
        else:
            report.companies += 1
    pieces.append(text[position:])
    return "".join(pieces)


def replace_all(value: str, entities: list[Entity]) -> str:
    """`value` with every spelling of `entities` replaced by its placeholder."""
    pattern, lookup = _entity_pattern(entities)
    if pattern is None:
        return value
    return pattern.sub(lambda m: lookup[m.lastgroup or ""], value)


def id_warnings(notes: Sequence[Note], people: list[Entity], companies: list[Entity]) -> list[str]:
    """A warning naming the note ids that contain a redacted name, or none."""
    words = {part.casefold() for entity in people + companies for part in entity.parts}
    named = [
        note.id for note in notes if {p.casefold() for p in re.split(r"[-_.]+", note.id)} & words
    ]
    if not named:
        return []
    return [
        f"note id(s) {', '.join(named)} contain a redacted name and are sent with the notes "
        "(a note's id is its file name); rename the files to keep those names private"
    ]
