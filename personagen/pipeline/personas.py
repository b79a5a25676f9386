"""Persona synthesis: per-note extraction, then synthesis across notes.

Extraction shows the model a note with the interviewee's sentences numbered ([n]) and
everything else (the interviewer, headings, other speakers) as context that cannot be
cited; it answers with sentence numbers, and the tool attaches the exact words. Synthesis
cites the extracted insights by id. The response contract admits only existing numbers and
ids, so a quote cannot be invented; the grounding check stays as defence in depth.

A note larger than the context budget is split at block boundaries. A part, a note or a
claim that stays invalid is dropped and reported; the stage fails only when nothing
grounded remains.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from personagen.checks.grounding import normalize, quote_problem
from personagen.errors import BudgetExceeded, GenerationError, InputError
from personagen.inputs.citable import Block, CitableNote, citable_note
from personagen.languages import DEFAULT_LANGUAGE, Tag, prompt_language
from personagen.llm import Door, PreparedCall, Usage
from personagen.models.contract import contract_schema
from personagen.models.icp import ICP
from personagen.models.note import Note, SpeakerRoles
from personagen.models.persona import (
    COUNT,
    INSIGHT_IDS,
    SENTENCES,
    Evidence,
    Insight,
    NoteInsights,
    Persona,
    PersonaDraft,
    PersonaSetDraft,
    Provenance,
    note_sources,
)
from personagen.models.salvage import salvage
from personagen.pipeline.grounding import ground_persona, persona_warnings

# Note text per token, counted low: local models' tokenizers are less efficient than
# OpenAI's, so a part sized for them fits everywhere.
CHARS_PER_TOKEN = 3
# Share of the context kept free for a server's chat template and tool formatting.
CONTEXT_MARGIN = 0.1
# Typical answer sizes (tokens), for budgets and dry runs.
EXTRACTION_OUTPUT_TOKENS = 700
SYNTHESIS_OUTPUT_TOKENS = 3000

# A slot a request holds while it is in flight: the engine's concurrency semaphore, shared
# with the copy stage, so the persona stage never has more requests out than `concurrency`.
Slot = AbstractAsyncContextManager[Any]


@dataclass
class PersonaRun:
    """The outcome of persona synthesis."""

    personas: list[Persona]
    warnings: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    prompt_versions: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    # What each note's extraction used: a note extracted before comes from the response cache.
    extraction: dict[str, Usage] = field(default_factory=dict)

    def add(
        self, usage: Usage | None, sources: set[str] | None = None, note_id: str | None = None
    ) -> None:
        """Count what a call cost (valid or not) and where its answers came from."""
        if usage is not None:
            self.usage.add(usage)
            if note_id is not None:
                self.extraction.setdefault(note_id, Usage()).add(usage)
        self.sources |= sources or set()


@dataclass(frozen=True)
class NotePart:
    """The blocks of a note that fit one extraction call, and its citable sentence range."""

    number: int
    blocks: tuple[Block, ...]
    first: int
    last: int


def note_budget_chars(door: Door, icp: ICP, note: Note) -> int:
    """How many characters of note text fit one extraction call of this ICP and note.

    The prompt without the note (instructions, ICP, schema) is measured, not assumed, so a
    large ICP or a small context (a local model's 8k) still gets calls that fit.
    """
    settings = door.settings
    empty = CitableNote(note.id, (), {}, None, ())
    frame = prepare_extraction(door, icp, note, empty, NotePart(1, (), 1, 1), 1)
    margin = int(settings.context_tokens * CONTEXT_MARGIN)
    tokens = settings.context_tokens - settings.max_output_tokens - frame.input_tokens - margin
    if tokens < 200:
        raise InputError(
            "settings",
            f"context_tokens {settings.context_tokens} leaves no room for notes: the extraction "
            f"prompt without the note is {frame.input_tokens} tokens and the answer may take "
            f"{settings.max_output_tokens}; raise context_tokens or lower max_output_tokens",
        )
    return tokens * CHARS_PER_TOKEN


def note_parts(citable: CitableNote, max_chars: int) -> list[NotePart]:
    """The note's blocks in parts of at most `max_chars` (a longer block stands alone);
    parts without a citable sentence are left out: they cost a call and can support nothing."""
    groups: list[list[Block]] = [[]]
    size = 0
    for block in citable.blocks:
        length = len(block.text) + 8 * len(block.sentences)
        if groups[-1] and size + length > max_chars:
            groups.append([])
            size = 0
        groups[-1].append(block)
        size += length
    parts: list[NotePart] = []
    for blocks in groups:
        numbers = [n for block in blocks for n in block.sentences]
        if numbers:
            parts.append(NotePart(len(parts) + 1, tuple(blocks), min(numbers), max(numbers)))
    return parts


def extraction_variables(
    icp: ICP, note: Note, citable: CitableNote, part: NotePart, parts: int, language: Tag = None
) -> dict[str, Any]:
    """The template variables of the extraction call of one part of a note, its insights
    written in `language` (None: English)."""
    return {
        "icp": icp,
        "note": note,
        "blocks": part.blocks,
        "sentences": citable.sentences,
        "part": part.number,
        "part_count": parts,
        "language": prompt_language(language),
        "note_language": prompt_language(note.meta.language),
    }


def prepare_extraction(
    door: Door, icp: ICP, note: Note, citable: CitableNote, part: NotePart, parts: int
) -> PreparedCall:
    """The extraction call of one part of a note."""
    context = {SENTENCES: (part.first, part.last)}
    return door.prepare(
        "extract_insights",
        NoteInsights,
        extraction_variables(icp, note, citable, part, parts, door.settings.language),
        schema=contract_schema(NoteInsights, context),
        context=context,
        label=f"extract/{note.id}/{part.number}",
        output_tokens=EXTRACTION_OUTPUT_TOKENS,
    )


async def extract_note(
    door: Door, icp: ICP, note: Note, citable: CitableNote, run: PersonaRun, slot: Slot
) -> tuple[str | None, list[Insight]]:
    """The role and the insights of one note, each with the exact words it cites."""
    for warning in citable.warnings:
        run.warnings.append(f"{note.id}: {warning}")
    parts = note_parts(citable, note_budget_chars(door, icp, note))
    role = note.meta.role
    insights: list[Insight] = []
    said = {note.id: normalize("\n".join(b.text for b in citable.blocks if b.sentences))}
    block_of = {n: i for i, block in enumerate(citable.blocks) for n in block.sentences}
    for part in parts:
        call = prepare_extraction(door, icp, note, citable, part, len(parts))
        run.prompt_versions["extract_insights"] = call.prompt_version
        answer = await _answer(
            door, call, run, slot, f"{note.id} (part {part.number})", note=note.id
        )
        if answer is None:
            continue
        role = role or answer.role
        for draft in answer.insights:
            evidence = [
                Evidence(note_id=note.id, quote=citable.quote(run_), sentences=run_)
                for run_ in consecutive_runs(draft.sentences, block_of)
            ]
            # Defence in depth: every quote is the interviewee's, word for word.
            problems = [quote_problem(e.quote, note.id, said) for e in evidence]
            problem = next((p for p in problems if p), None)
            if problem is not None:
                run.warnings.append(f"{note.id}: insight '{draft.text}' dropped: {problem}")
                continue
            insights.append(
                Insight(
                    id=f"{note.id}.{len(insights) + 1}",
                    note_id=note.id,
                    kind=draft.kind,
                    text=draft.text,
                    evidence=evidence,
                )
            )
    return role, insights


def consecutive_runs(numbers: Sequence[int], block_of: Mapping[int, int]) -> list[list[int]]:
    """[2, 3, 7] -> [[2, 3], [7]]: runs of sentences that follow each other in one turn.

    Two numbers in a row are split when another speaker's turn lies between them, so
    every run is a quote that occurs word for word in the note.
    """
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        previous = runs[-1][-1] if runs else None
        if previous == number - 1 and block_of.get(previous) == block_of.get(number):
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


async def _answer(
    door: Door,
    call: PreparedCall,
    run: PersonaRun,
    slot: Slot,
    what: str,
    relaxed: Sequence[str] = (),
    note: str | None = None,
) -> Any:
    """A call's valid answer, or what remains valid of it; None when nothing does.

    `relaxed` names context keys left out when keeping the valid parts: their rules are
    applied afterwards, item by item, where the dropped parts can be listed.
    """
    try:
        async with slot:
            generated = await door.generate(call)
    except BudgetExceeded as stop:
        run.add(stop.usage, note_id=note)
        raise
    except GenerationError as failure:
        run.add(failure.usage, note_id=note)
        context = {k: v for k, v in call.context.items() if k not in relaxed}
        kept = salvage(call.response_model, failure.last_output, context)
        if kept is None:
            run.warnings.append(f"{what}: nothing usable in the answer ({failure.reason})")
            return None
        for dropped in kept.dropped:
            run.warnings.append(f"{what}: dropped {dropped.path}: {'; '.join(dropped.problems)}")
        return kept.value
    run.add(generated.usage, generated.sources, note)
    return generated.value


def synthesis_variables(
    icp: ICP,
    count: int,
    insights: Sequence[Insight],
    roles: Mapping[str, str | None],
    *,
    quotes: bool,
    language: Tag = None,
) -> dict[str, Any]:
    """The template variables of the synthesis call: the insights grouped by note; the
    personas written in `language` (None: English)."""
    by_note: dict[str, list[Insight]] = {}
    for insight in insights:
        by_note.setdefault(insight.note_id, []).append(insight)
    notes = [
        {"note_id": note_id, "role": roles.get(note_id), "insights": found}
        for note_id, found in by_note.items()
    ]
    language_name = prompt_language(language)
    return {"icp": icp, "count": count, "notes": notes, "quotes": quotes, "language": language_name}


def prepare_synthesis(
    door: Door, icp: ICP, count: int, insights: Sequence[Insight], roles: dict[str, str | None]
) -> PreparedCall:
    """The synthesis call across every note's insights.

    The insights' words are shown when the prompt still leaves room for the answer in the
    model's context (a small local model's 8k); else only the insights, which are what the
    answer cites anyway.
    """
    context: dict[str, Any] = {INSIGHT_IDS: [i.id for i in insights], COUNT: count}
    call = None
    for quotes in (True, False):
        call = door.prepare(
            "synthesize_personas",
            PersonaSetDraft,
            synthesis_variables(
                icp, count, insights, roles, quotes=quotes, language=door.settings.language
            ),
            schema=contract_schema(PersonaSetDraft, context),
            context=context,
            label="synthesize",
            output_tokens=SYNTHESIS_OUTPUT_TOKENS,
        )
        if call.body["max_tokens"] >= min(SYNTHESIS_OUTPUT_TOKENS, door.settings.max_output_tokens):
            break
    assert call is not None
    return call


async def synthesize_personas(
    door: Door,
    icp: ICP,
    notes: list[Note],
    count: int,
    speakers: SpeakerRoles | None = None,
    *,
    slot: Slot | None = None,
) -> PersonaRun:
    """Build `count` grounded personas from the notes.

    Each request holds `slot` while in flight (default: a bound of the door's
    `concurrency` for this call alone), so many notes never mean many requests at once.
    """
    slot = slot if slot is not None else asyncio.Semaphore(door.settings.concurrency)
    run = PersonaRun(personas=[])
    citables = [citable_note(note, speakers) for note in notes]
    outcomes = await asyncio.gather(
        *(extract_note(door, icp, n, c, run, slot) for n, c in zip(notes, citables, strict=True)),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BudgetExceeded):
            outcome.usage = run.usage  # every extraction that did run is billed to the stage
            raise outcome
        if isinstance(outcome, BaseException):
            raise outcome
    extracted = [o for o in outcomes if not isinstance(o, BaseException)]
    roles = {note.id: role for note, (role, _) in zip(notes, extracted, strict=True)}
    insights = [insight for _, found in extracted for insight in found]
    if not insights:
        raise GenerationError(
            "extract_insights",
            "no grounded insight was found in any note"
            + (f": {run.warnings[0]}" if run.warnings else ""),
            problems=run.warnings,
            usage=run.usage,
        )
    call = prepare_synthesis(door, icp, count, insights, roles)
    run.prompt_versions["synthesize_personas"] = call.prompt_version
    try:
        # Unknown insight ids are dropped claim by claim (and listed on the persona).
        answer = await _answer(door, call, run, slot, "persona synthesis", (INSIGHT_IDS, COUNT))
    except BudgetExceeded as stop:
        stop.usage = run.usage
        raise
    drafts: list[PersonaDraft] = answer.personas if answer is not None else []
    index = {insight.id: insight for insight in insights}
    taken: set[str] = set()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for draft in drafts:
        persona = ground_persona(draft, icp.id, index, taken)
        persona.provenance = Provenance(
            model=door.settings.model,
            prompt_versions=dict(run.prompt_versions),
            created=created,
            answers=sorted(run.sources),
            notes=note_sources(persona, notes),
        )
        persona.language = door.settings.language or DEFAULT_LANGUAGE
        run.personas.append(persona)
    run.warnings += persona_warnings(run.personas)
    if not any(any(p.items().values()) for p in run.personas):
        raise GenerationError(
            "synthesize_personas",
            "no persona with a grounded claim was written",
            problems=run.warnings,
            usage=run.usage,
        )
    if len(drafts) != count:
        run.warnings.append(f"asked for {count} personas, the model wrote {len(drafts)}")
    return run
