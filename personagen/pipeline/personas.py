"""Persona synthesis: per-note extraction, then synthesis across notes.

Extracting insights note by note keeps every call within the model's context budget
whatever the number and size of notes (a note larger than the budget is split into
parts); synthesis then works from the compact, already-grounded insights.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from personagen.checks.grounding import confidence, normalized_notes, quote_problem
from personagen.errors import GenerationError, InputError
from personagen.llm.door import Door
from personagen.llm.meter import Usage
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.models.persona import (
    SECTIONS,
    DraftItem,
    Evidence,
    Item,
    NoteInsights,
    Persona,
    PersonaDraft,
    PersonaSetDraft,
    Provenance,
    Rejected,
)
from personagen.text import unique_slug

ITEM_PREFIX = {
    "responsibilities": "resp",
    "goals": "goal",
    "pain_points": "pain",
    "channels": "channel",
    "objections": "objection",
    "motivations": "motivation",
}
# Room kept for the instructions, the ICP summary and the answer in each call.
PROMPT_OVERHEAD_TOKENS = 1500
CHARS_PER_TOKEN = 4


@dataclass
class PersonaRun:
    """The outcome of persona synthesis."""

    personas: list[Persona]
    warnings: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    prompt_versions: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)


def split_note(text: str, max_chars: int) -> list[str]:
    """Split a note at paragraph (then line) boundaries into parts of at most `max_chars`."""
    if len(text) <= max_chars:
        return [text]
    parts: list[str] = []
    current = ""
    for block in text.replace("\n\n", "\n\n\0").split("\0"):
        pieces = [block] if len(block) <= max_chars else block.splitlines(keepends=True)
        for piece in pieces:
            while len(piece) > max_chars:  # one enormous line: cut at a space
                cut = piece.rfind(" ", 0, max_chars)
                cut = cut if cut > 0 else max_chars
                parts.append(piece[:cut])
                piece = piece[cut:]
            if len(current) + len(piece) > max_chars and current:
                parts.append(current)
                current = ""
            current += piece
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def note_budget_chars(door: Door) -> int:
    """How many characters of note text fit one extraction call."""
    settings = door.settings
    tokens = settings.context_tokens - settings.max_output_tokens - PROMPT_OVERHEAD_TOKENS
    if tokens < 500:
        raise InputError(
            "settings",
            f"context_tokens {settings.context_tokens} leaves no room for notes after "
            f"{settings.max_output_tokens} output tokens; raise --context-tokens",
        )
    return tokens * CHARS_PER_TOKEN


async def extract_note(
    door: Door, icp: ICP, note: Note, notes_index: dict[str, str], run: PersonaRun
) -> NoteInsights:
    """Extract grounded insights from one note (in parts when it exceeds the budget)."""
    parts = split_note(note.text, note_budget_chars(door))
    merged = NoteInsights(role=note.meta.role, insights=[])
    for number, text in enumerate(parts, start=1):
        generated = await door.generate(
            "extract_insights",
            NoteInsights,
            {"icp": icp, "note": note, "text": text, "part": number, "part_count": len(parts)},
            context={"notes": notes_index, "note_id": note.id},
            label=f"extract/{note.id}/{number}",
        )
        run.usage.add(generated.usage)
        run.sources |= generated.sources
        run.prompt_versions["extract_insights"] = generated.prompt_version
        merged.role = merged.role or generated.value.role
        merged.insights.extend(generated.value.insights)
    return merged


def _ground_items(
    section: str, drafts: list[DraftItem], notes_index: dict[str, str], rejected: list[Rejected]
) -> list[Item]:
    items: list[Item] = []
    for draft in drafts:
        text, evidence = draft.text, draft.evidence
        kept: list[Evidence] = []
        for quote in evidence:
            problem = quote_problem(quote.quote, quote.note_id, notes_index)
            if problem is None:
                if all((e.note_id, e.quote) != (quote.note_id, quote.quote) for e in kept):
                    kept.append(quote)
            else:
                rejected.append(
                    Rejected(section=section, text=text, evidence=[quote], reason=problem)
                )
        if kept:
            distinct = len({e.note_id for e in kept})
            item_id = f"{ITEM_PREFIX[section]}-{len(items) + 1}"
            items.append(
                Item(id=item_id, text=text, evidence=kept, confidence=confidence(distinct))
            )
        elif evidence:
            rejected[-1] = rejected[-1].model_copy(
                update={"reason": f"no supporting quote holds; {rejected[-1].reason}"}
            )
    return items


def ground_persona(
    draft: PersonaDraft, icp_id: str, notes_index: dict[str, str], taken_ids: set[str]
) -> Persona:
    """Turn a draft into a stored persona: ids, confidence, and rejected unsupported items."""
    rejected: list[Rejected] = []
    sections = {
        section: _ground_items(section, getattr(draft, section), notes_index, rejected)
        for section in SECTIONS
    }
    return Persona(
        id=unique_slug(draft.title, taken_ids),
        icp_id=icp_id,
        name=draft.name,
        title=draft.title,
        seniority=draft.seniority,
        department=draft.department,
        buying_role=draft.buying_role,
        summary=draft.summary,
        characteristics=draft.characteristics,
        rejected=rejected,
        **sections,
    )


async def synthesize_personas(door: Door, icp: ICP, notes: list[Note], count: int) -> PersonaRun:
    """Build `count` grounded personas from the notes."""
    notes_index = normalized_notes({note.id: note.text for note in notes})
    run = PersonaRun(personas=[])
    extracted = await asyncio.gather(
        *(extract_note(door, icp, note, notes_index, run) for note in notes)
    )
    insights = [
        {"note_id": note.id, "role": found.role, "insights": found.insights}
        for note, found in zip(notes, extracted, strict=True)
        if found.insights
    ]
    if not insights:
        raise GenerationError("extract_insights", "no grounded insight was found in any note")
    variables = {"icp": icp, "count": count, "insights": insights}
    try:
        generated = await door.generate(
            "synthesize_personas",
            PersonaSetDraft,
            variables,
            context={"notes": notes_index},
            label="synthesize",
        )
        drafts = generated.value.personas
        run.usage.add(generated.usage)
        run.sources |= generated.sources
        run.prompt_versions["synthesize_personas"] = generated.prompt_version
    except GenerationError as failure:
        drafts = _salvage(failure)
        run.warnings.append(
            f"persona synthesis stayed invalid after its re-asks ({failure.reason}); "
            "unsupported items were dropped and listed under 'rejected'"
        )
    taken: set[str] = set()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for draft in drafts:
        persona = ground_persona(draft, icp.id, notes_index, taken)
        persona.provenance = Provenance(
            model=door.settings.model,
            prompt_versions=dict(run.prompt_versions),
            created=created,
            answers=sorted(run.sources),
        )
        run.personas.append(persona)
    run.warnings += persona_warnings(run.personas)
    if len(drafts) != count:
        run.warnings.append(f"asked for {count} personas, the model wrote {len(drafts)}")
    return run


def persona_warnings(personas: list[Persona]) -> list[str]:
    """One warning per persona item dropped because its evidence did not hold."""
    return [
        f"{persona.id}: dropped {item.section} '{item.text}': {item.reason}"
        for persona in personas
        for item in persona.rejected
    ]


def _salvage(failure: GenerationError) -> list[PersonaDraft]:
    """Keep the structure of the last invalid answer; grounding then drops what fails."""
    if failure.last_output is None:
        raise failure
    try:
        return PersonaSetDraft.model_validate(failure.last_output).personas
    except ValueError:
        raise failure from None
