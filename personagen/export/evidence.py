"""The chain of evidence: every line of copy, to the persona items, quotes and proof it rests on.

For every reader-facing line (`export.lines`: subjects, paragraphs of e-mail bodies,
headlines, descriptions, posts, each part of an objection answer) the chain names:

- the persona items its piece addresses (id, text, confidence), then each item's verbatim
  quotes with the note they come from;
- the brief's proof points whose figures or customer names the line uses, matched with the
  claims guard's own readings (`checks.figures`: '45 days' is backed by 'an average of 45
  days'; `checks.customers` and `checks.confusables` for names), or that the line
  restates: it holds at least RESTATES (60%) of the proof point's content terms
  (`checks.fit.terms`: stop words out, stemmed), so 'SOC 2 Type II audited' without a
  figure is traced too. The offer counts as a source (`offer`), as it does for the claims
  guard ('30-day pilot').

`OUT/exports/evidence.csv` has one row per line × persona item × quote, so every row can
be filtered on its own. A line whose piece addresses no persona item has one row saying
so; a line that uses no proof point says 'none'; `Traced to` says which of the two a row
rests on, or 'nothing'. Cells are neutralised against spreadsheet formulas as in the
review sheets (`csv_export.text_cell`). The report shows the same chain per channel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from personagen.checks.claims import extract_figures, named_customers, unsupported_figures
from personagen.checks.confusables import find_lookalike
from personagen.checks.fit import terms
from personagen.export import EVIDENCE_FILE as EVIDENCE_FILE
from personagen.export.csv_export import csv_rows, csv_text, text_cell
from personagen.export.lines import Line, copy_lines
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Evidence, Persona

OFFER = "offer"
COLUMNS = (
    "Persona",
    "Stage",
    "Channel",
    "Piece",
    "Field",
    "Line",
    "Persona item",
    "Item text",
    "Confidence",
    "Quote",
    "Note",
    "Proof points",
    "Proof point text",
    "Figures and names used",
    "Traced to",
)
NO_ITEM = "addresses no persona item"
NOT_IN_PERSONA = "not an item of this persona"
NO_PERSONA = "persona file not found"
NO_PROOF = "none"
NO_BRIEF = "not checked (no brief)"
RESTATES = 0.6
RESTATED = "restates it"


@dataclass(frozen=True)
class ProofUse:
    """A brief source a line draws on: its id, its text, what the line takes from it."""

    id: str
    text: str
    uses: tuple[str, ...]


@dataclass(frozen=True)
class ItemTrace:
    """A persona item a line addresses, with its quotes; `found` False when the persona
    has no such item (or no persona file was found)."""

    id: str
    text: str
    confidence: str
    quotes: tuple[Evidence, ...]
    found: bool


@dataclass(frozen=True)
class LineTrace:
    """One line of copy and everything it rests on."""

    persona: str
    stage: str
    channel: str
    line: Line
    items: tuple[ItemTrace, ...]
    proofs: tuple[ProofUse, ...]
    proofs_checked: bool

    @property
    def traced_to(self) -> str:
        """What the line rests on: persona items, proof points, both, or nothing."""
        item = any(i.found for i in self.items)
        proof = bool(self.proofs)
        if item and proof:
            return "persona item and proof point"
        if item or proof:
            return "persona item" if item else "proof point"
        return "nothing: no persona item or proof point"


def _sources(brief: Brief) -> list[tuple[str, str]]:
    offer = f"{brief.offer.name}; {brief.offer.call_to_action}"
    return [(p.id, p.text) for p in brief.proof_points] + [(OFFER, offer)]


@functools.lru_cache(maxsize=256)
def _source_terms(source: str, language: str | None) -> frozenset[str]:
    """A proof point's terms, once per run: every line is compared with every proof."""
    return frozenset(terms(source, language))


def _restates(line_terms: set[str], source: str, language: str | None) -> bool:
    wanted = _source_terms(source, language)
    return bool(wanted) and len(wanted & line_terms) >= RESTATES * len(wanted)


def proof_uses(text: str, brief: Brief, language: str | None = None) -> list[ProofUse]:
    """The brief's proof points (and offer) whose figures or customer names `text` uses,
    or that it restates, in the brief's order."""
    figures = list({f.key: f for f in extract_figures(text)}.values())
    own = brief.claims_context()["own_names"]
    names = list(dict.fromkeys(named_customers(text, own)))
    names += [c for c in brief.customers_allowed if c not in names and find_lookalike(c, text)]
    line_terms = terms(text, language)
    uses: list[ProofUse] = []
    for source_id, source in _sources(brief):
        # Each figure on its own: re-reading the whole line once per source costs more.
        used = [f.text for f in figures if not unsupported_figures(f.text, [source])]
        used += [name for name in names if find_lookalike(name, source)]
        if not used and _restates(line_terms, source, language):
            used = [RESTATED]
        if used:
            uses.append(ProofUse(source_id, source, tuple(used)))
    return uses


def _item(persona: Persona | None, item_id: str) -> ItemTrace:
    item = persona.item(item_id) if persona is not None else None
    if item is None:
        why = NO_PERSONA if persona is None else NOT_IN_PERSONA
        return ItemTrace(item_id, why, "", (), False)
    return ItemTrace(item.id, item.text, item.confidence, tuple(item.evidence), True)


def line_traces(
    artifact: CopyArtifact, persona: Persona | None, brief: Brief | None
) -> list[LineTrace]:
    """The chain of every line of one artifact."""
    who = f"{artifact.persona_name} ({artifact.persona_id})"
    stage, language = artifact.stage or "", artifact.language
    return [
        LineTrace(
            persona=who,
            stage=stage,
            channel=artifact.channel,
            line=line,
            items=tuple(_item(persona, i) for i in line.addresses),
            proofs=tuple(proof_uses(line.text, brief, language)) if brief else (),
            proofs_checked=brief is not None,
        )
        for line in copy_lines(artifact)
    ]


@dataclass(frozen=True)
class EvidenceGroup:
    """The lines of one piece (the report's view): the items it addresses, then its lines."""

    piece: str
    items: tuple[ItemTrace, ...]
    lines: tuple[LineTrace, ...]


def evidence_groups(traces: Sequence[LineTrace]) -> list[EvidenceGroup]:
    """Consecutive lines of the same piece grouped, so each item's quotes show once."""
    groups: list[EvidenceGroup] = []
    for trace in traces:
        last = groups[-1] if groups else None
        if last is not None and last.piece == trace.line.piece and last.items == trace.items:
            groups[-1] = EvidenceGroup(last.piece, last.items, (*last.lines, trace))
        else:
            groups.append(EvidenceGroup(trace.line.piece, trace.items, (trace,)))
    return groups


def _proof_cells(trace: LineTrace) -> list[str]:
    if not trace.proofs:
        empty = NO_PROOF if trace.proofs_checked else NO_BRIEF
        return [empty, "", ""]
    return [
        "; ".join(p.id for p in trace.proofs),
        " | ".join(f"{p.id}: {p.text}" for p in trace.proofs),
        "; ".join(dict.fromkeys(u for p in trace.proofs for u in p.uses)),
    ]


Cells = tuple["str | int", ...]


def _row_parts(
    traces: Iterable[LineTrace], cell: Callable[[str], str | int]
) -> Iterator[tuple[Cells, Cells, Cells]]:
    """Each row as (line cells, item and quote cells, proof cells): the line's and proof's
    parts are made once per line, an item's once per item (`cell` maps each text)."""
    for trace in traces:
        line = trace.line
        head = tuple(
            cell(c)
            for c in (trace.persona, trace.stage, trace.channel, line.piece, line.field, line.text)
        )
        tail = tuple(cell(c) for c in (*_proof_cells(trace), trace.traced_to))
        if not trace.items:
            yield head, ("none", cell(NO_ITEM), "", "", ""), tail
        for item in trace.items:
            found = (cell(item.id), cell(item.text), cell(item.confidence))
            for quote in item.quotes or (Evidence(note_id="", quote=""),):
                yield head, (*found, cell(quote.quote), cell(quote.note_id)), tail


def evidence_rows(
    traces: Iterable[LineTrace], cell: Callable[[str], str | int] = str
) -> Iterator[list[str | int]]:
    """One row per line × persona item × quote (COLUMNS); a line without items, or an
    item without quotes, still has its row. `cell` maps each text cell."""
    for head, middle, tail in _row_parts(traces, cell):
        yield [*head, *middle, *tail]


class EvidenceSheet:
    """evidence.csv, made one artifact at a time: a run adds each artifact it generates as
    the artifact is written, so only the copy it reused is left for the end."""

    def __init__(self, brief: Brief | None) -> None:
        self._brief = brief
        self._rows: dict[str, tuple[CopyArtifact, str]] = {}
        # Quotes, items and personas recur on many rows: each distinct text is checked once.
        self._safe = functools.cache(text_cell)
        self._part = functools.cache(_csv_part)

    def add(self, artifact: CopyArtifact, persona: Persona | None) -> None:
        """Make the rows of one artifact (written for `persona`)."""
        traces = line_traces(artifact, persona, self._brief)
        # A row repeats its line's and proof's cells for every quote: each part is written
        # as CSV once and the rows are joined from the parts.
        rows = "".join(
            f"{self._part(head)},{self._part(middle)},{self._part(tail)}\r\n"
            for head, middle, tail in _row_parts(traces, self._safe)
        )
        self._rows[artifact_slot(artifact)] = (artifact, rows)

    def text(self, artifacts: Sequence[CopyArtifact], personas: Sequence[Persona]) -> str:
        """The whole file: a header, then every artifact's rows in the order given."""
        by_id = {p.id: p for p in personas}
        parts = [csv_text(COLUMNS, ())]
        for artifact in artifacts:
            made = self._rows.get(artifact_slot(artifact))
            if made is None or made[0] is not artifact:
                self.add(artifact, by_id.get(artifact.persona_id))
            parts.append(self._rows[artifact_slot(artifact)][1])
        return "".join(parts)


def _csv_part(cells: Cells) -> str:
    """Cells as one CSV line without its ending, as `csv_rows` writes them."""
    return csv_rows(len(cells), [cells])[:-2]


def artifact_slot(artifact: CopyArtifact) -> str:
    """Which copy an artifact is within one run: persona, stage and channel."""
    return f"{artifact.persona_id}/{artifact.stage or ''}/{artifact.channel}"


def evidence_csv(
    artifacts: Sequence[CopyArtifact], personas: Sequence[Persona], brief: Brief | None
) -> str:
    """The text of evidence.csv: every line of every artifact, formula-safe cells."""
    return EvidenceSheet(brief).text(artifacts, personas)
