"""PII redaction: what is replaced, stable placeholders, and nothing original leaves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.llm.door import Door
from personagen.models.note import Note, NoteMeta
from personagen.pipeline.personas import synthesize_personas
from personagen.redact import redact_notes
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.helpers import FAKE_URL, TEST_DATA, ScriptedModel, example_icp, note, stub_settings
from tests.llm.test_faults import insights_for, valid_reply

runner = CliRunner()
ICP = TEST_DATA / "inputs" / "icp.yaml"


def md(note_id: str, text: str, **meta: Any) -> Note:
    return Note(id=note_id, text=text, meta=NoteMeta(**meta), source_format="md")


def one(text: str, **kwargs: Any) -> str:
    (redacted,), _ = redact_notes([note("n1", text)], **kwargs)
    return redacted.text


# Emails and phones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "415-555-0142",
        "(415) 555-0142",
        "(415)555-0142",
        "415.555.0142",
        "415 555 0142",
        "4155550142",
        "+1 415 555 0142",
        "+1-415-555-0142",
        "1-415-555-0142",
        "+1 (415) 555-0142",
    ],
)
def test_north_american_formats_are_one_number(phone: str) -> None:
    text = f"Call me on {phone}, or on 415-555-0142 after six."
    assert one(text) == "Call me on [PHONE-1], or on [PHONE-1] after six."


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+442079460958",
        "+49 (0)30 1234567",
        "+49 30 1234 5678",
        "+33 1 23 45 67 89",
        "+61 2 9876 5432",
        "0044 20 7946 0958",
        "020 7946 0958",
        "(030) 1234567",
        "07700 900123",
    ],
)
def test_international_and_national_formats(phone: str) -> None:
    assert one(f"Reach me at {phone}.") == "Reach me at [PHONE-1]."


@pytest.mark.parametrize(
    "text",
    [
        "Our NRR dropped from 112 to 98 percent in 2024.",
        "We met on 2024-10-03 and again on 03.11.2024 at 10:30.",
        "Revenue is $30,000,000 and ARR grew 1.5x to 4,200,000.",
        "We have 200-1000 employees and 43 tools; Q2 2024 was bad.",
        "Version 10.2.3 shipped between 2019-2024.",
        "The timestamp 00:01:02,500 --> 00:01:04,000 is not a phone.",
        "About 555-0142 people, 12 345 seats and 1 000 000 rows.",
        "Invoice 2024-0001-7 is open.",
    ],
)
def test_numbers_that_are_not_phones_are_kept(text: str) -> None:
    assert one(text) == text


def test_emails_are_replaced_whole_and_stably() -> None:
    text = (
        "Mail jane.doe+crm@mail.example.co.uk or JANE.DOE+crm@mail.example.co.uk, "
        "not ops@example.com. Reply to jane.doe+crm@mail.example.co.uk."
    )
    assert one(text) == "Mail [EMAIL-1] or [EMAIL-1], not [EMAIL-2]. Reply to [EMAIL-1]."


def test_an_email_containing_a_name_is_an_email() -> None:
    notes = [
        md("n1", "Write to helen.okafor@ferncrest.example, Helen said.", interviewee="Helen Okafor")
    ]
    (redacted,), report = redact_notes(notes)
    assert redacted.text == "Write to [EMAIL-1], [PERSON-1] said."
    assert (report.emails, report.names) == (1, 1)


# Names -----------------------------------------------------------------------------------


def test_front_matter_names_full_first_last_any_note() -> None:
    notes = [
        md(
            "a1",
            "# Interview: Helen Okafor, CFO\n\nHelen: I'm the CFO. Okafor is my name; "
            "HELEN OKAFOR on forms, helen   okafor in email. Helen's team.",
            interviewee="Helen Okafor",
            company="Ferncrest Payroll",
        ),
        md("b2", "Dana: Our CFO, Helen, agreed. Ferncrest is a client.", interviewee="Dana Cho"),
    ]
    (a, b), report = redact_notes(notes)
    assert a.text == (
        "# Interview: [PERSON-1], CFO\n\n[PERSON-1]: I'm the CFO. [PERSON-1] is my name; "
        "[PERSON-1] on forms, [PERSON-1] in email. [PERSON-1]'s team."
    )
    assert b.text == "[PERSON-2]: Our CFO, [PERSON-1], agreed. Ferncrest is a client."
    assert a.meta.interviewee == "[PERSON-1]" and b.meta.interviewee == "[PERSON-2]"
    assert a.meta.company == "Ferncrest Payroll"  # companies only with company=True
    assert report.names == 8 and report.companies == 0
    assert report.summary() == "redacted 0 emails, 0 phones, 8 names"


def test_company_names_with_company_true() -> None:
    notes = [
        md(
            "a1",
            "I'm the CFO at Ferncrest. Ferncrest Payroll, Inc. sells payroll software.",
            interviewee="Helen Okafor",
            company="Ferncrest Payroll, Inc.",
        ),
        md("b2", "We compete with ferncrest payroll.", company="Pinefield Data"),
    ]
    (a, b), report = redact_notes(notes, company=True)
    assert a.text == "I'm the CFO at [COMPANY-1]. [COMPANY-1] sells payroll software."
    assert b.text == "We compete with [COMPANY-1]."
    assert (a.meta.company, b.meta.company) == ("[COMPANY-1]", "[COMPANY-2]")
    assert report.companies == 3
    assert report.summary(company=True) == "redacted 0 emails, 0 phones, 0 names, 3 companies"


def test_titles_and_initials_are_not_name_parts() -> None:
    text = "Dr. Ana M. Lopez-Garcia joined. Dr. Smith and Ana talked; Lopez-Garcia agreed."
    (redacted,), _ = redact_notes([md("n1", text, interviewee="Dr. Ana M. Lopez-Garcia")])
    assert redacted.text == "[PERSON-1] joined. Dr. Smith and [PERSON-1] talked; [PERSON-1] agreed."


def test_shared_first_name_means_the_notes_own_interviewee() -> None:
    notes = [
        md("a1", "Alex: hello from one.", interviewee="Alex Smith"),
        md("b2", "Alex: hello from two.", interviewee="Alex Jones"),
    ]
    (a, b), _ = redact_notes(notes)
    assert a.text == "[PERSON-1]: hello from one."
    assert b.text == "[PERSON-2]: hello from two."


def test_notes_without_front_matter_header_and_speaker_labels() -> None:
    txt = Note(
        id="t1",
        text=(
            "Interview notes\nInterviewee: Tom Brennan, Marketing Ops, Lumora\n"
            "Q: What do you do?\nA: I run ops. Tom is my name. Email tom@lumora.example."
        ),
        source_format="txt",
    )
    srt = Note(
        id="s1",
        text="Interviewer: Thanks, Priya.\n\nPriya Shah: Call me at 415-555-0142.",
        source_format="srt",
    )
    vtt = Note(
        id="v1",
        text="Marcus Reyes: I run sales.\n\nInterviewer: And Priya?\n\nMarcus Reyes: She helps.",
        source_format="vtt",
    )
    title = Note(
        id="x1",
        text="Customer interview - Jamie Cole, SDR, Harborlight\nJamie's answers are verbatim.",
        source_format="txt",
    )
    (t, s, v, x), report = redact_notes([txt, srt, vtt, title])
    assert t.text == (
        "Interview notes\nInterviewee: [PERSON-1], Marketing Ops, Lumora\n"
        "Q: What do you do?\nA: I run ops. [PERSON-1] is my name. Email [EMAIL-1]."
    )
    assert s.text == "Interviewer: Thanks, [PERSON-2].\n\n[PERSON-2]: Call me at [PHONE-1]."
    assert v.text == (
        "[PERSON-3]: I run sales.\n\nInterviewer: And [PERSON-2]?\n\n[PERSON-3]: She helps."
    )
    assert (
        x.text
        == "Customer interview - [PERSON-4], SDR, Harborlight\n[PERSON-4]'s answers are verbatim."
    )
    assert (report.emails, report.phones) == (1, 1)


def test_headings_and_sentences_are_not_taken_for_names() -> None:
    text = (
        "Pricing: too high.\nPricing: still too high, and pricing matters.\n"
        "Next Steps: call again.\nNext Steps: send deck.\n"
        "Interviewee: Honestly I think it went well\n"
        "Speaker 1: hi\nSpeaker 1: bye\nCFO: yes\nCFO: no\n"
    )
    original = Note(id="n1", text=text, source_format="txt")
    (redacted,), report = redact_notes([original])
    assert redacted.text == original.text and report.names == 0


def test_single_speaker_label_counts_in_transcripts_only() -> None:
    text = "Sam Lee: we lose deals.\n\nInterviewer: why?"
    (as_txt,), _ = redact_notes([Note(id="n1", text=text, source_format="txt")])
    (as_vtt,), _ = redact_notes([Note(id="n1", text=text, source_format="vtt")])
    assert as_txt.text == text
    assert as_vtt.text == "[PERSON-1]: we lose deals.\n\nInterviewer: why?"


def test_placeholders_are_deterministic_and_originals_untouched() -> None:
    notes = [
        md("a1", "Helen: mail helen@x.example or 415 555 0142.", interviewee="Helen Okafor"),
        note("b2", "Call 020 7946 0958 or 415-555-0142; write ops@x.example or HELEN@x.example."),
    ]
    before = [n.model_dump() for n in notes]
    first, report = redact_notes(notes)
    second, _ = redact_notes(notes)
    assert [n.model_dump() for n in notes] == before
    assert [n.text for n in first] == [n.text for n in second]
    assert first[0].text == "[PERSON-1]: mail [EMAIL-1] or [PHONE-1]."
    assert first[1].text == "Call [PHONE-2] or [PHONE-1]; write [EMAIL-2] or [EMAIL-1]."
    assert (report.emails, report.phones, report.names) == (3, 3, 1)
    assert "helen" not in repr(report).lower()  # originals stay out of reprs and logs


def test_note_ids_holding_a_name_are_warned_about() -> None:
    notes = [md("cfo-helen", "Helen: hi there.", interviewee="Helen Okafor"), note("x", "hi")]
    _, report = redact_notes(notes)
    (warning,) = report.warnings
    assert "cfo-helen" in warning and "rename" in warning and "'x'" not in warning


# Nothing original leaves the machine ---------------------------------------------------

ORIGINALS = ["dana.cho@northwind.example", "415-555-0142", "Dana", "Cho", "Northwind"]
NOTES = [
    md(
        "vp-marketing",
        "Dana Cho here: reach me at dana.cho@northwind.example or 415-555-0142 any day.\n\n"
        "Dana: Northwind has fourteen marketers and the board asks about NRR.",
        interviewee="Dana Cho",
        company="Northwind Analytics",
        role="VP Marketing",
    ),
    note("cs-lead", "Honestly, churn is always a surprise. Ask Dana, or call +1 (415) 555-0142."),
]


def _cite_all(body: dict[str, Any], n: int) -> Reply:
    """Valid answers whose extraction cites every numbered sentence of the note (up to 3)."""
    if tool_name(body) == "NoteInsights":
        return completion(insights_for(body, count=3), name="NoteInsights")
    return valid_reply(body, n)


def _sent(model: StubServer | ScriptedModel) -> list[str]:
    """Every request body the model received: raw bytes as text, and JSON-decoded."""
    texts = []
    for _, _, raw, _ in model.raw_requests:
        texts.append(raw.decode("utf-8"))
        texts.append(json.dumps(json.loads(raw), ensure_ascii=False))
    return texts


async def test_pipeline_sends_only_placeholders() -> None:
    redacted, report = redact_notes(NOTES, company=True)
    model = ScriptedModel(_cite_all)
    async with Door(stub_settings(FAKE_URL), upstream=model) as door:
        run = await synthesize_personas(door, example_icp(), redacted, count=1)
    sent = _sent(model)
    assert len(model.raw_requests) == 3
    for original in ORIGINALS:
        assert not any(original in body for body in sent), original
    joined = "\n".join(sent)
    for placeholder in ("[PERSON-1]", "[EMAIL-1]", "[PHONE-1]", "[COMPANY-1]"):
        assert placeholder in joined
    quotes = [e.quote for p in run.personas for i in p.pain_points for e in i.evidence]
    # Grounded as sent. (The contact line before Dana's first turn is the note's header,
    # sent redacted but not citable.)
    assert quotes == [
        "[COMPANY-1] has fourteen marketers and the board asks about NRR.",
        "Honestly, churn is always a surprise. Ask [PERSON-1], or call [PHONE-1].",
    ]
    assert (report.emails, report.phones, report.names, report.companies) == (1, 2, 3, 1)


def test_cli_redact_flag_sends_and_writes_only_placeholders(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "vp-marketing.md").write_text(
        "---\ninterviewee: Dana Cho\nrole: VP Marketing\ncompany: Northwind Analytics\n---\n"
        + NOTES[0].text
    )
    (notes / "cs-lead.txt").write_text(NOTES[1].text)
    out = tmp_path / "out"
    with StubServer(_cite_all) as stub:
        args = ["personas", "--icp", str(ICP), "--notes", str(notes), "-o", str(out)]
        result = runner.invoke(
            app, [*args, "--count", "1", "--base-url", stub.base_url, "--redact"]
        )
    assert result.exit_code == 0, result.output
    assert "redacted 1 emails, 2 phones, 3 names" in result.stderr.splitlines()
    sent = _sent(stub)
    assert len(stub.raw_requests) == 3
    for original in ["dana.cho@northwind.example", "415-555-0142", "Dana", "Cho"]:
        assert not any(original in body for body in sent), original
    assert any("[EMAIL-1]" in body and "[PHONE-1]" in body for body in sent)
    written = "\n".join(p.read_text() for p in (out / "personas").iterdir())
    assert "[PERSON-1]" in written and "Dana" not in written and "415-555" not in written


def test_cli_without_redact_sends_the_text_as_is(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cs-lead.txt").write_text(NOTES[1].text)
    with StubServer(valid_reply) as stub:
        args = ["personas", "--icp", str(ICP), "--notes", str(notes), "-o", str(tmp_path / "o")]
        result = runner.invoke(app, [*args, "--count", "1", "--base-url", stub.base_url])
    assert result.exit_code == 0, result.output
    assert "redacted" not in result.output
    assert any("+1 (415) 555-0142" in body for body in _sent(stub))


def test_cli_redact_company_conflicts_with_no_redact(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n1.txt").write_text("We lose deals every quarter.")
    args = ["personas", "--icp", str(ICP), "--notes", str(notes), "-o", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--no-redact", "--redact-company"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --redact-company: needs redaction, but --no-redact was given"
    )
