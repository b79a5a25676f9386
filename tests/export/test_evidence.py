"""The chain of evidence: every line of copy to its persona items, quotes and proof points."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import personagen
from personagen.export.csv_export import csv_text, text_cell
from personagen.export.evidence import (
    COLUMNS,
    NO_ITEM,
    EvidenceSheet,
    evidence_csv,
    evidence_rows,
    line_traces,
    proof_uses,
)
from personagen.export.lines import copy_lines, paragraphs
from personagen.export.outputs import OutputFolder
from personagen.export.report import load_output, render_report
from personagen.inputs import load_model
from personagen.lint.files import collect_files
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy_base import NOT_COPY
from personagen.models.persona import Evidence, Item, Persona
from personagen.testing import FakeModel
from personagen.text import formula_trigger
from tests.export.test_export_copy import BRIEF, all_artifacts, make_artifact, make_persona
from tests.helpers import EXAMPLE, TEST_DATA
from tests.run.test_rerun_writes import _wide_campaign

OUT = TEST_DATA / "lint" / "out"
FULL_BRIEF = load_model(TEST_DATA / "lint" / "brief.yaml", Brief)


def _read(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def _texts(value: Any) -> Iterator[str]:
    """Every string under a draft, ids and labels aside: an independent walk of the JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_COPY:
                yield from _texts(item)


def test_every_line_of_the_example_output_is_in_evidence_csv() -> None:
    personas, artifacts = load_output(OUT)
    rows = _read(evidence_csv(artifacts, personas, FULL_BRIEF))
    listed = {(r["Persona"], r["Channel"], r["Line"]) for r in rows}
    expected = 0
    for artifact in artifacts:
        who = f"{artifact.persona_name} ({artifact.persona_id})"
        for text in _texts(artifact.draft):
            for paragraph in paragraphs(text):
                expected += 1
                assert (who, artifact.channel, text_cell(paragraph)) in listed, paragraph
    assert expected > 50
    assert len({(r["Persona"], r["Channel"], r["Piece"], r["Field"]) for r in rows}) == expected
    # Every kind of field of every channel is there, subject lines to objection answers.
    fields = {(r["Channel"], r["Field"].split("[")[0].split(" ")[0]) for r in rows}
    for wanted in [
        ("email", "subject"), ("email", "body"), ("google_rsa", "headlines"),
        ("google_rsa", "descriptions"), ("linkedin", "intro_text"), ("x", "text"),
        ("objections", "talk_track"), ("objections", "response.proof"),
    ]:  # fmt: skip
        assert wanted in fields, wanted


def test_each_row_is_one_line_one_item_one_quote() -> None:
    persona = make_persona()
    artifact = make_artifact("email", persona)
    rows = list(evidence_rows(line_traces(artifact, persona, BRIEF)))
    subject = [dict(zip(COLUMNS, r, strict=True)) for r in rows if r[4] == "subject"]
    # E-mail 1 addresses pain-1 and goal-1 (one quote each), e-mail 2 objection-1.
    assert [(r["Piece"], r["Persona item"], r["Quote"], r["Note"]) for r in subject] == [
        ("email 1", "pain-1", "we find out at the renewal call", "interview-1"),
        ("email 1", "goal-1", "our target is 110 percent NRR", "interview-1"),
        ("email 2", "objection-1", "my CSMs will not log into one more tool", "interview-1"),
    ]
    assert subject[0]["Item text"] == "Churn shows up too late"
    assert subject[0]["Confidence"] == "high"
    # Each paragraph of a body is its own line.
    assert {str(r[4]) for r in rows if r[3] == "email 1"} >= {"body ¶1", "body ¶2", "body ¶3"}


def test_a_line_with_no_persona_item_or_proof_point_says_so() -> None:
    persona = make_persona()
    card = make_artifact("objections", persona)
    rows = [
        dict(zip(COLUMNS, r, strict=True)) for r in evidence_rows(line_traces(card, persona, BRIEF))
    ]
    talk = [r for r in rows if r["Field"] == "talk_track"]
    assert len(talk) == 1 and talk[0]["Persona item"] == "none"
    assert talk[0]["Item text"] == NO_ITEM
    assert talk[0]["Proof points"] == "none"
    assert talk[0]["Traced to"] == "nothing: no persona item or proof point"
    # An id the persona does not have, and no persona at all, are named as such.
    stranger = make_persona("someone-else")
    missing = list(evidence_rows(line_traces(card, None, None)))
    assert {r[7] for r in missing if r[6] != "none"} == {"persona file not found"}
    assert {r[11] for r in missing} == {"not checked (no brief)"}
    other = evidence_rows(line_traces(card, stranger.model_copy(update={"objections": []}), BRIEF))
    assert {r[7] for r in other if r[6] != "none"} == {"not an item of this persona"}


def test_proof_points_are_matched_by_figure_name_or_restatement() -> None:
    def ids(text: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(u.id, u.uses) for u in proof_uses(text, FULL_BRIEF)]

    assert ids("Flags come 45 days ahead, on average.") == [("early-warning", ("45 days",))]
    assert ids("Six weeks of warning, 99% accuracy.") == []  # the brief backs neither
    assert ids("Ask Pinefield Data how it went.") == [("nrr-lift", ("Pinefield Data",))]
    assert ids("Payback in five months.") == [("payback", ("five months",))]
    assert ids("Try the 30-day pilot.") == [("offer", ("30-day",))]
    assert ids("It is SOC 2 Type II audited and never writes to your CRM.") == [
        ("security", ("restates it",))
    ]
    assert ids("Renewly works inside Salesforce.") == []  # the product name alone is no proof


HOSTILE_LINE = 'Save 5%, "now",\n=SUM(A1) + @cmd, -1'


def _hostile() -> tuple[Persona, CopyArtifact]:
    persona = make_persona()
    quote = Evidence(note_id="note,1", quote='=HYPERLINK("http://e.vil","x"), said "we"\nnext')
    item = Item(id="pain-9", text="@risk, -margin", evidence=[quote], confidence="high")
    persona = persona.model_copy(update={"pain_points": [*persona.pain_points, item]})
    draft = {"variants": [{"text": HOSTILE_LINE, "addresses": ["pain-9"]}]}
    artifact = make_artifact("x", persona).model_copy(update={"draft": draft})
    return persona, artifact


def test_hostile_text_is_neutralised_and_reads_back_intact() -> None:
    persona, artifact = _hostile()
    rows = _read(evidence_csv([artifact], [persona], BRIEF))
    assert len(rows) == 1
    row = rows[0]
    assert row["Line"] == HOSTILE_LINE  # commas, quotes and the line break survive
    assert row["Quote"] == "'" + '=HYPERLINK("http://e.vil","x"), said "we"\nnext'
    assert row["Item text"] == "'@risk, -margin" and row["Note"] == "note,1"
    for cell in (c for r in rows for c in r.values()):
        assert formula_trigger(cell) is None, cell


def test_write_views_writes_evidence_csv_beside_the_other_exports(tmp_path: Path) -> None:
    persona = make_persona()
    written = OutputFolder(tmp_path).write_views(all_artifacts(persona), BRIEF, [persona])
    evidence = tmp_path / "exports" / "evidence.csv"
    assert evidence in written
    rows = _read(evidence.read_text("utf-8"))
    channels = {"email", "google_rsa", "linkedin", "meta", "x", "objections"}
    assert {r["Channel"] for r in rows} == channels
    assert "Churn shows up too late" in {r["Item text"] for r in rows}
    assert evidence not in collect_files([tmp_path])  # lint reads copy, not its sources
    deck = (tmp_path / "copy" / f"{persona.id}.md").read_text("utf-8")
    assert "**Fit with the persona:**" in deck


def test_the_report_shows_the_chain_of_every_line_escaped() -> None:
    persona, artifact = _hostile()
    page = render_report([persona], [artifact], BRIEF)
    assert "Why this line? The evidence of 1 line" in page
    assert "=SUM(A1) + @cmd" in page and "@risk, -margin" in page
    assert "<script" not in page
    assert page.count('<cite class="note-id">note,1</cite>') == 1
    lines = copy_lines(make_artifact("objections", persona))
    chain = render_report([persona], [make_artifact("objections", persona)], BRIEF)
    assert f"The evidence of {len(lines)} lines" in chain
    assert "nothing: no persona item or proof point" in chain  # the talk track


def test_the_stage_of_copy_written_for_a_journey_stage_is_in_every_row() -> None:
    persona = make_persona()
    staged = make_artifact("x", persona).model_copy(update={"stage": "awareness"})
    rows = _read(evidence_csv([staged, make_artifact("meta", persona)], [persona], BRIEF))
    assert {(r["Channel"], r["Stage"]) for r in rows} == {("x", "awareness"), ("meta", "")}


def test_rows_made_ahead_give_the_same_file_and_a_replaced_artifact_is_made_again() -> None:
    persona = make_persona()
    email, card = make_artifact("email", persona), make_artifact("objections", persona)
    whole = evidence_csv([email, card], [persona], BRIEF)
    sheet = EvidenceSheet(BRIEF)
    sheet.add(card, persona)  # made ahead, in another order than the file's
    assert sheet.text([email, card], [persona]) == whole
    # Another artifact for the same persona and channel: its own rows, not the ones held.
    other = email.model_copy(update={"persona_name": "Rita R."})
    assert "Rita R." in sheet.text([other, card], [persona])
    assert sheet.text([other, card], [persona]) == evidence_csv([other, card], [persona], BRIEF)


def test_a_run_writes_the_evidence_and_decks_a_fresh_build_of_its_folder_gives(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    personagen.run_campaign(_wide_campaign(tmp_path), output=out, model=FakeModel(seed=5))
    folder = OutputFolder(out)
    files = sorted((out / "copy").rglob("*.json"))
    artifacts = [CopyArtifact.model_validate_json(p.read_text()) for p in files]
    brief = load_model(EXAMPLE / "brief.yaml", Brief)
    fresh = evidence_csv(artifacts, folder.read_personas(), brief)
    assert sorted(_read(fresh), key=str) == sorted(
        _read((out / "exports" / "evidence.csv").read_bytes().decode("utf-8")), key=str
    )
    # The decks' sections were made as each artifact was written; a fresh build agrees.
    again = OutputFolder(tmp_path / "again")
    again.write_views(artifacts, brief, folder.read_personas())
    decks = sorted((out / "copy").glob("*.md"))
    assert decks and all(d.read_bytes() == (again.copy_dir / d.name).read_bytes() for d in decks)


def test_rows_joined_from_parts_are_what_a_csv_writer_gives_for_any_cell() -> None:
    # Quotes with the characters CSV must quote or escape, and a formula trigger.
    hostile = make_persona().model_copy(deep=True)
    hostile.pain_points[0].evidence = [
        Evidence(note_id="n,1", quote='we said "late", twice'),
        Evidence(note_id="n2", quote="=HYPERLINK(1)\nsecond line\r\nthird"),
        Evidence(note_id="", quote=""),
    ]
    hostile.pain_points[0].text = "+ churn, late"
    artifacts = [make_artifact(c, hostile) for c in ("email", "objections", "google_rsa")]
    traces = [t for a in artifacts for t in line_traces(a, hostile, BRIEF)]
    by_writer = csv_text(COLUMNS, ([text_cell(c) for c in r] for r in evidence_rows(traces)))
    assert evidence_csv(artifacts, [hostile], BRIEF) == by_writer
    assert '"we said ""late"", twice"' in by_writer and "'=HYPERLINK(1)" in by_writer
