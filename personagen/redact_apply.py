"""Applying placeholders: replacing found emails, phones, people and companies in text.

Emails are taken first, then phone numbers, names and companies, each only where no
earlier span overlaps it; the longest spelling of a name wins.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from personagen.models.note import Note
from personagen.redact_detect import (
    EMAIL,
    PHONES,
    Entity,
    Placeholders,
    RedactionReport,
    phone_digits,
)


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    placeholder: str


def _entity_pattern(entities: Iterable[Entity]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regex for all spellings (longest first) and a lookup from spelling to placeholder."""
    lookup: dict[str, str] = {}
    alternatives: list[tuple[int, str]] = []
    for entity in entities:
        for full in entity.full:
            key = "full:" + " ".join(full.split()).casefold()
            if key in lookup:
                continue
            lookup[key] = entity.placeholder
            flexible = r"\s+".join(re.escape(w) for w in full.split())
            alternatives.append((len(full), f"(?i:{flexible})"))
        for part in entity.parts:
            for spelling in dict.fromkeys((part, part.upper())):
                key = "part:" + spelling
                if key in lookup:
                    continue
                lookup[key] = entity.placeholder
                alternatives.append((len(spelling), re.escape(spelling)))
    if not alternatives:
        return None, lookup
    alternatives.sort(key=lambda a: -a[0])
    body = "|".join(alt for _, alt in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), lookup


def _lookup(lookup: dict[str, str], matched: str) -> str | None:
    return lookup.get("full:" + " ".join(matched.split()).casefold()) or lookup.get(
        "part:" + matched
    )


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
    for match in EMAIL.finditer(text):
        placeholder = numbering.get("EMAIL", match.group().casefold())
        _take(spans, _Span(match.start(), match.end(), "email", placeholder))
    candidates = sorted(
        (m for pattern in PHONES for m in pattern.finditer(text)),
        key=lambda m: (m.start(), -(m.end() - m.start())),
    )
    for match in candidates:
        digits = phone_digits(match.group())
        if digits is not None and _free(spans, match.start(), match.end()):
            placeholder = numbering.get("PHONE", digits)
            _take(spans, _Span(match.start(), match.end(), "phone", placeholder))
    for kind, entities in (("name", people), ("company", companies)):
        pattern, lookup = _entity_pattern(entities)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            found = _lookup(lookup, match.group())
            if found and _free(spans, match.start(), match.end()):
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
    return pattern.sub(lambda m: _lookup(lookup, m.group()) or m.group(), value)


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
