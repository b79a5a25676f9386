"""A persona refresh: a new synthesis (old and new notes) matched to the earlier personas.

The rules are deterministic, so the same two persona sets always give the same result:

Personas. Every (earlier, new) pair is scored by the supporting quotes they share (Jaccard
of their quote sets), then by the same buying role, then by title similarity (difflib
ratio, case folded). A pair may match when it shares a quote and the buying role, or at
least a third of its quotes, or its titles are near-identical (ratio >= 0.85). Pairs are
taken best first, one to one (ties: earlier persona order, then new order). A matched
persona keeps its id, name and title. An earlier persona left unmatched whose quotes are
at least half in one new persona was merged into it; else it was removed. A new persona
left unmatched is new (a fresh id from its title, never an earlier one).

Claims (within a matched pair, section by section). A pair matches on the same text
(case and spacing folded), else on shared quotes (Jaccard), else on text similarity
(ratio >= 0.8), best first, one to one. A matched claim keeps its id and wording; it is
strengthened when more notes support it, weakened when fewer, unchanged otherwise. When
its quotes are the same it is the earlier item, unchanged to the byte, so copy that
addresses it stays valid. A new claim gets the number after the highest of its section in
the earlier persona (so not the id of a claim dropped now); an earlier claim left
unmatched is no longer supported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from personagen.checks.grounding import normalize
from personagen.models.changelog import Changelog, ClaimChange, ClaimStatus, PersonaChange
from personagen.models.persona import SECTIONS, Evidence, Item, Persona
from personagen.pipeline.grounding import ITEM_PREFIX
from personagen.text import unique_slug

Quote = tuple[str, str]  # (note id, normalized words)

# A pair of indexes (earlier, new) with its sort key: best first, ties in input order.
Candidate = tuple[tuple[float, float, float, int, int], int, int]

SHARED_SHARE = 1 / 3  # quotes shared (Jaccard) that match personas whatever their roles
TITLE_SAME = 0.85  # title similarity that matches personas without a shared quote
CLAIM_TEXT_SAME = 0.8  # claim text similarity that matches claims without a shared quote
MERGED_SHARE = 0.5  # share of an unmatched persona's quotes found in one new persona


@dataclass
class Refresh:
    """The refreshed personas and what changed."""

    personas: list[Persona]
    changelog: Changelog

    @property
    def changed(self) -> bool:
        """Whether anything differs from the earlier personas."""
        return any(p.status != "unchanged" for p in self.changelog.personas)


def _key(evidence: Evidence) -> Quote:
    return (evidence.note_id, normalize(evidence.quote))


def item_quotes(item: Item) -> set[Quote]:
    """The quotes of a claim, as comparable keys."""
    return {_key(e) for e in item.evidence}


def persona_quotes(persona: Persona) -> set[Quote]:
    """Every quote the persona's claims cite."""
    return {q for items in persona.items().values() for item in items for q in item_quotes(item)}


def _jaccard(a: set[Quote], b: set[Quote]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, " ".join(a.lower().split()), " ".join(b.lower().split())).ratio()


def match_personas(old: Sequence[Persona], new: Sequence[Persona]) -> dict[int, int]:
    """Index of each new persona -> index of the earlier persona it is (see module rules)."""
    candidates: list[Candidate] = []
    for i, before in enumerate(old):
        quotes = persona_quotes(before)
        for j, after in enumerate(new):
            shared = _jaccard(quotes, persona_quotes(after))
            role = int(before.buying_role == after.buying_role)
            title = _similar(before.title, after.title)
            if (shared > 0 and role) or shared >= SHARED_SHARE or title >= TITLE_SAME:
                candidates.append(((-shared, -role, -title, i, j), i, j))
    return _greedy(candidates)


def _greedy(candidates: list[Candidate]) -> dict[int, int]:
    """Best pairs first, each side used once: new index -> old index."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used and j not in pairs:
            pairs[j] = i
            used.add(i)
    return pairs


def _match_items(old: Sequence[Item], new: Sequence[Item]) -> dict[int, int]:
    candidates: list[Candidate] = []
    for i, before in enumerate(old):
        for j, after in enumerate(new):
            same = int(normalize(before.text) == normalize(after.text))
            shared = _jaccard(item_quotes(before), item_quotes(after))
            text = _similar(before.text, after.text)
            if same or shared > 0 or text >= CLAIM_TEXT_SAME:
                candidates.append(((-same, -shared, -text, i, j), i, j))
    return _greedy(candidates)


def _number(item_id: str) -> int:
    found = re.search(r"-(\d+)$", item_id)
    return int(found.group(1)) if found else 0


def _status(before: Item, after: Item) -> ClaimStatus:
    notes_before, notes_after = len(before.note_ids), len(after.note_ids)
    if notes_after > notes_before:
        return "strengthened"
    return "weakened" if notes_after < notes_before else "unchanged"


def _change(
    section: str, status: ClaimStatus, before: Item | None, after: Item | None
) -> ClaimChange:
    old_quotes = {_key(e): e for e in before.evidence} if before else {}
    new_quotes = {_key(e): e for e in after.evidence} if after else {}
    shown = after or before
    assert shown is not None
    return ClaimChange(
        section=section,
        item_id=shown.id,
        status=status,
        text=shown.text,
        notes_before=sorted(before.note_ids) if before else [],
        notes_after=sorted(after.note_ids) if after else [],
        quotes_added=[e for k, e in new_quotes.items() if k not in old_quotes],
        quotes_removed=[e for k, e in old_quotes.items() if k not in new_quotes],
    )


def _section(
    section: str, old: list[Item], new: list[Item]
) -> tuple[list[Item], list[ClaimChange]]:
    """The refreshed claims of one section and their changes (earlier order, then new)."""
    pairs = {i: j for j, i in _match_items(old, new).items()}
    items: list[Item] = []
    changes: list[ClaimChange] = []
    for i, before in enumerate(old):
        if i not in pairs:
            changes.append(_change(section, "no longer supported", before, None))
            continue
        found = new[pairs[i]]
        same = item_quotes(before) == item_quotes(found)
        after = (
            before
            if same
            else before.model_copy(
                update={"evidence": found.evidence, "confidence": found.confidence}
            )
        )
        items.append(after)
        changes.append(_change(section, _status(before, after), before, after))
    number = max((_number(item.id) for item in old), default=0)
    for j, found in enumerate(new):
        if j in pairs.values():
            continue
        number += 1
        added = found.model_copy(update={"id": f"{ITEM_PREFIX[section]}-{number}"})
        items.append(added)
        changes.append(_change(section, "new", None, added))
    return items, changes


def _merge(before: Persona, found: Persona) -> tuple[Persona, list[ClaimChange]]:
    sections: dict[str, list[Item]] = {}
    changes: list[ClaimChange] = []
    for section in SECTIONS:
        sections[section], section_changes = _section(
            section, before.items()[section], found.items()[section]
        )
        changes += section_changes
    if all(c.status == "unchanged" for c in changes) and sections == before.items():
        return before, changes
    update = {**sections, "id": before.id, "name": before.name, "title": before.title}
    return found.model_copy(update=update), changes


def _persona_change(persona: Persona, status: str, claims: list[ClaimChange]) -> PersonaChange:
    return PersonaChange.model_validate(
        {
            "persona_id": persona.id,
            "name": persona.name,
            "title": persona.title,
            "status": status,
            "claims": claims,
        }
    )


def _cited_notes(personas: Sequence[Persona]) -> set[str]:
    return {note_id for p in personas for note_id, _ in persona_quotes(p)}


def refresh_personas(
    old: Sequence[Persona], new: Sequence[Persona], previous: str, created: dt.datetime
) -> Refresh:
    """The refreshed personas: `new` (a synthesis over every note) matched to `old`."""
    pairs = match_personas(old, new)
    taken = {p.id for p in old}
    personas: list[Persona] = []
    changes: list[PersonaChange] = []
    matched = {i: j for j, i in pairs.items()}
    for i, before in enumerate(old):
        if i not in matched:
            continue
        merged, claims = _merge(before, new[matched[i]])
        personas.append(merged)
        changes.append(
            _persona_change(merged, "unchanged" if merged is before else "updated", claims)
        )
    for j, found in enumerate(new):
        if j in pairs:
            continue
        fresh = found.model_copy(update={"id": unique_slug(found.title, taken)})
        claims = [
            _change(section, "new", None, item)
            for section, items in fresh.items().items()
            for item in items
        ]
        personas.append(fresh)
        changes.append(_persona_change(fresh, "new", claims))
    changes += _gone(old, matched, personas, changes)
    old_notes, new_notes = _cited_notes(old), _cited_notes(personas)
    changelog = Changelog(
        created=created,
        previous=previous,
        notes_added=sorted(new_notes - old_notes),
        notes_removed=sorted(old_notes - new_notes),
        personas=changes,
    )
    return Refresh(personas, changelog)


def _gone(
    old: Sequence[Persona],
    matched: dict[int, int],
    personas: list[Persona],
    changes: list[PersonaChange],
) -> list[PersonaChange]:
    """Earlier personas left unmatched: merged into a new one, or removed."""
    gone: list[PersonaChange] = []
    for i, before in enumerate(old):
        if i in matched:
            continue
        quotes = persona_quotes(before)
        shares = [len(quotes & persona_quotes(p)) / (len(quotes) or 1) for p in personas]
        best = max(range(len(shares)), key=lambda k: (shares[k], -k), default=None)
        claims = [
            _change(section, "no longer supported", item, None)
            for section, items in before.items().items()
            for item in items
        ]
        change = _persona_change(before, "removed", claims)
        if best is not None and shares[best] >= MERGED_SHARE:
            into = personas[best].id
            change.status, change.merged_into = "merged", into
            for target in changes:
                if target.persona_id == into:
                    target.merged_from.append(before.id)
                    if target.status == "unchanged":
                        target.status = "updated"
        gone.append(change)
    return gone
