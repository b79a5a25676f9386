"""`--dry-run`: the calls a campaign would make now, their tokens and cost; nothing is sent.

Every call that can be prepared is prepared exactly as the run would (same prompt, same
schema, same key), and its input tokens are counted with the offline tokenizer estimate:
extraction of every note part, and copy for personas already built. What depends on
answers not yet given is estimated from real renders: synthesis from the size of the
citable sentences, copy for personas not yet built from a stand-in persona of typical size.
Output tokens are the typical answer sizes of each task.
"""

from __future__ import annotations

from dataclasses import dataclass

from personagen.export.outputs import OutputFolder
from personagen.inputs.citable import citable_note
from personagen.llm import Door, PreparedCall, Settings, price_for
from personagen.models.persona import Evidence, Item, Persona
from personagen.pipeline.copy import prepare_copy, unanswerable
from personagen.pipeline.personas import (
    SYNTHESIS_OUTPUT_TOKENS,
    note_budget_chars,
    note_parts,
    prepare_extraction,
    prepare_synthesis,
)
from personagen.run.keys import persona_key
from personagen.run.lineage import earlier_copy
from personagen.run.refresh import previous_personas, refresh_key
from personagen.run.request import CampaignRequest, SegmentInput, request_matrix
from personagen.store import Store

# Extraction keeps about one insight per two cited sentences, each about 70 tokens in the
# synthesis prompt (id, kind, claim and the attached words).
SENTENCES_PER_INSIGHT = 2
TOKENS_PER_INSIGHT = 70


@dataclass
class Estimate:
    """Calls, tokens and dollars a campaign would spend (before any re-asks)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    def add(self, calls: int, input_tokens: int, output_tokens: int, settings: Settings) -> None:
        """Count `calls` more calls of the given sizes."""
        self.calls += calls
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        price = price_for(settings.model, settings.prices)
        if price is None or self.cost_usd is None:
            self.cost_usd = None
            return
        self.cost_usd += price.cost(input_tokens, output_tokens)

    def add_call(self, call: PreparedCall, settings: Settings) -> None:
        """Count one prepared call."""
        self.add(1, call.input_tokens, call.output_tokens, settings)


def estimate_personas(door: Door, segment: SegmentInput, into: Estimate) -> None:
    """Every extraction call as the run would prepare it, plus the synthesis call."""
    settings = door.settings
    insights = 0
    for note in segment.notes:
        citable = citable_note(note, segment.speakers)
        parts = note_parts(citable, note_budget_chars(door, segment.icp, note))
        for part in parts:
            into.add_call(
                prepare_extraction(door, segment.icp, note, citable, part, len(parts)), settings
            )
        insights += len(citable.sentences) // SENTENCES_PER_INSIGHT
    base = prepare_synthesis(door, segment.icp, segment.count, [], {})
    into.add(
        1,
        base.input_tokens + insights * TOKENS_PER_INSIGHT,
        SYNTHESIS_OUTPUT_TOKENS,
        settings,
    )


def stand_in_persona(number: int) -> Persona:
    """A persona of typical size (3 claims per section, 2 quotes each), for estimates."""
    claim = "A claim about this buyer in one short sentence of about twelve words."
    quote = "The words the interviewee said about it, a sentence of some twenty words or so."
    sections = {
        section: [
            Item(
                id=f"{prefix}-{n}",
                text=claim,
                evidence=[Evidence(note_id="note", quote=quote)] * 2,
                confidence="medium",
            )
            for n in range(1, 4)
        ]
        for section, prefix in (
            ("responsibilities", "resp"),
            ("goals", "goal"),
            ("pain_points", "pain"),
            ("channels", "channel"),
            ("objections", "objection"),
            ("motivations", "motivation"),
        )
    }
    return Persona(
        id=f"persona-{number}",
        icp_id="icp",
        name="Stand-in Persona",
        title="Head of Something",
        seniority="director",
        department="Operations",
        buying_role="champion",
        summary="Two sentences about who this is. They own a budget and a team.",
        **sections,
    )


def plan_campaign(request: CampaignRequest, store: Store) -> tuple[Estimate, int]:
    """Calls, tokens and cost a run would spend now, and how many jobs it would reuse:
    stored results, and copy the lineage rule keeps for a changed persona (`run.lineage`)."""
    settings, brief = request.settings, request.brief
    estimate, reused = Estimate(), 0
    door = Door(settings)  # used only to prepare calls: nothing is sent
    folder = OutputFolder(request.output)
    for segment in request.segments:
        key = persona_key(settings, segment)
        # With `update`, the run refreshes the folder's personas: the key it would look up.
        previous = previous_personas(folder, segment.icp.id) if request.update else []
        stored = store.get_result(refresh_key(key, previous) if previous else key)
        if stored is None:
            estimate_personas(door, segment, estimate)
            personas = [stand_in_persona(n) for n in range(segment.count)]
        else:
            reused += 1
            personas = [Persona.model_validate(p) for p in stored[0]["personas"]]
        jobs = request_matrix(request, [personas])
        for job in jobs:
            if unanswerable(job) is not None:
                continue
            call = prepare_copy(door, job, brief)
            if stored is not None and (
                store.get_result(call.key) is not None
                or earlier_copy(door, store, request.name, job, brief) is not None
            ):
                reused += 1
                continue
            estimate.add_call(call, settings)
    return estimate, reused
