"""Replace personal data in interview notes with stable placeholders before any call.

`redact_notes` runs on the loaded notes, so everything downstream (prompts, cassettes,
the cache, grounding and the written personas) only ever sees the redacted text: quotes
in the output keep the placeholders, and grounding checks them against the text sent.

What is found, and what is not, is listed in `personagen.redact_detect`; the replacing is
in `personagen.redact_apply`.

Placeholders are stable within one call: the same email, phone number (compared in its
international form, so '020 7946 0958' is '+44 20 7946 0958'), person or company gets the
same placeholder in every note. Numbers follow the
notes' order, then the position in the text (people and companies: the order in which
they were found). The report keeps the originals in memory only; nothing writes them.
"""

from __future__ import annotations

from personagen.models.note import Note
from personagen.redact_apply import id_warnings, redact_text, replace_all
from personagen.redact_contacts import EMAIL
from personagen.redact_detect import Placeholders, RedactionReport, find_companies, find_people

__all__ = ["EMAIL", "RedactionReport", "redact_notes"]


def redact_notes(notes: list[Note], *, company: bool = False) -> tuple[list[Note], RedactionReport]:
    """Notes with emails, phone numbers and known names replaced by stable placeholders."""
    report = RedactionReport()
    numbering = Placeholders(report)
    people = find_people(notes, numbering)
    everyone = list(dict.fromkeys(p for found in people.values() for p in found))
    companies = find_companies(notes, numbering) if company else []
    redacted: list[Note] = []
    for note in notes:
        own = people.get(note.id, [])
        # The note's own people first: a first name shared by two people means this one.
        ordered = own + [person for person in everyone if person not in own]
        text = redact_text(note.text, ordered, companies, numbering, report)
        updates: dict[str, object] = {}
        if note.meta.interviewee:
            updates["interviewee"] = replace_all(note.meta.interviewee, ordered)
        if company and note.meta.company:
            updates["company"] = replace_all(note.meta.company, companies)
        meta = note.meta.model_copy(update=updates) if updates else note.meta
        redacted.append(note.model_copy(update={"text": text, "meta": meta}))
    report.warnings.extend(id_warnings(notes, everyone, companies))
    return redacted, report
