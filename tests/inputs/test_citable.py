from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personagen.inputs import load_notes
from personagen.inputs.citable import (
    Block,
    CitableNote,
    citable_note,
    plain_text,
    split_sentences,
)
from personagen.inputs.notes import load_note
from personagen.models.campaign import Campaign
from personagen.models.note import Note, NoteMeta, SpeakerRoles
from personagen.redact import redact_notes
from tests.helpers import EXAMPLE

NOTES = {note.id: note for note in load_notes([EXAMPLE / "notes"])}


def md(text: str, **meta: str) -> Note:
    return Note(id="n", text=text, meta=NoteMeta.model_validate(meta), source_format="md")


def txt(text: str) -> Note:
    return Note(id="n", text=text, source_format="txt")


def cited(note: CitableNote) -> str:
    return " ".join(note.sentences.values())


def texts(note: CitableNote, role: str) -> list[str]:
    return [block.text for block in note.blocks if block.role == role]


def check_consistent(note: CitableNote) -> None:
    """Numbers run 1..n in reading order, only interviewee blocks have them, text is exact."""
    numbers = [n for block in note.blocks for n in block.sentences]
    assert numbers == list(range(1, len(note.sentences) + 1))
    for block in note.blocks:
        assert not block.sentences or block.role == "interviewee"
        if block.sentences:
            assert note.quote(block.sentences) == block.text


# --- the example notes -------------------------------------------------------------------


@pytest.mark.parametrize("note_id", sorted(NOTES))
def test_every_example_note_has_citable_interviewee_words(note_id: str) -> None:
    note = citable_note(NOTES[note_id])
    assert note.warnings == ()
    assert len(note.sentences) > 20
    check_consistent(note)
    questions = texts(note, "interviewer")
    assert len(questions) > 5
    assert not any(question in cited(note) for question in questions)


def test_markdown_note_headings_and_questions_are_not_citable() -> None:
    note = citable_note(NOTES["cfo-helen"])
    assert note.interviewee == "Helen"
    assert texts(note, "heading") == ["Interview: Helen Okafor, CFO, Ferncrest Payroll"]
    assert not any("Could you describe your role" in s for s in note.sentences.values())
    assert not any("Interview: Helen" in s for s in note.sentences.values())
    assert note.sentences[1] == "I'm the CFO at Ferncrest."
    assert "Payback." in cited(note)
    assert {b.speaker for b in note.blocks if b.role == "interviewer"} == {"Interviewer"}


def test_txt_header_block_is_metadata_and_q_a_turns_are_split() -> None:
    note = citable_note(NOTES["marketing-ops-tom"])
    assert note.interviewee == "A"
    assert texts(note, "metadata") == [
        "Interview notes",
        "Tom Brennan, Marketing Operations Manager, Lumora Logistics Software",
        "2024-09-19",
    ]
    assert note.sentences[1] == "I own the marketing tech stack at Lumora."
    assert "What does your job involve" not in cited(note)
    assert "Tom Brennan" not in cited(note)
    # Q: and A: on consecutive lines of one paragraph are separate turns.
    assert [b.role for b in note.blocks[3:5]] == ["interviewer", "interviewee"]


def test_txt_title_lines_before_the_first_turn_are_metadata() -> None:
    note = citable_note(NOTES["sdr-jamie"])
    assert len(texts(note, "metadata")) == 3
    assert "close to verbatim" not in cited(note)
    assert "Walk me through" not in cited(note)


def test_vtt_voice_tags() -> None:
    note = citable_note(NOTES["sales-director-marcus"])
    assert note.interviewee == "Marcus Reyes"
    assert note.sentences[1] == "Yeah, sure. I'm Director of Sales at Brightlane Software."
    assert "Can you start by telling me" not in cited(note)


def test_srt_speaker_prefixes() -> None:
    note = citable_note(NOTES["revops-priya"])
    assert note.interviewee == "Priya Shah"
    assert note.sentences[1] == "I'm Head of Revenue Operations."
    assert "What's your role" not in cited(note)


def test_redacted_notes_still_find_the_interviewee() -> None:
    redacted, _ = redact_notes(list(NOTES.values()))
    for note in redacted:
        result = citable_note(note)
        assert result.warnings == ()
        assert result.interviewee is not None
        assert "Interviewer" not in (result.interviewee or "")
        assert len(result.sentences) > 20
    helen = citable_note(next(n for n in redacted if n.id == "cfo-helen"))
    assert helen.interviewee is not None and helen.interviewee.startswith("[PERSON-")


def test_redacted_three_speaker_note_matches_front_matter_placeholder() -> None:
    note = md(
        "Interviewer: Who decides?\n\nHelen Okafor: I do, with the board.\n\n"
        "Sam Lee: Our product helps with that a lot.\n\nSam Lee: Let me show you.",
        interviewee="Helen Okafor",
    )
    (redacted,), _ = redact_notes([note])
    assert redacted.meta.interviewee == "[PERSON-1]"
    result = citable_note(redacted)
    assert result.interviewee == "[PERSON-1]"
    assert cited(result) == "I do, with the board."


# --- several speakers ---------------------------------------------------------------------

THREE = """\
WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How do you forecast renewals today?

00:00:04.000 --> 00:00:09.000
<v Dana Cho>We mostly guess. The spreadsheet is always out of date.

00:00:09.000 --> 00:00:12.000
<v Sam (Acme)>Our tool fixes that in one click for every customer.

00:00:12.000 --> 00:00:15.000
<v Dana Cho>I have heard that before from other vendors.
"""


def three(tmp_path: Path, front: str = "") -> Note:
    path = tmp_path / "three.vtt"
    path.write_text(THREE)
    note = load_note(path)
    if front:
        note = note.model_copy(update={"meta": NoteMeta(interviewee=front)})
    return note


def test_three_speakers_with_the_customer_named(tmp_path: Path) -> None:
    note = citable_note(three(tmp_path, front="Dana Cho"))
    assert note.interviewee == "Dana Cho"
    assert [b.role for b in note.blocks] == ["interviewer", "interviewee", "other", "interviewee"]
    assert note.blocks[2].speaker == "Sam (Acme)"
    assert "Our tool" not in cited(note)
    assert note.quote([1, 2, 3]) == (
        "We mostly guess. The spreadsheet is always out of date. "
        "I have heard that before from other vendors."
    )


def test_three_speakers_unidentified_nothing_citable(tmp_path: Path) -> None:
    note = citable_note(three(tmp_path))
    assert note.sentences == {}
    assert note.interviewee is None
    (warning,) = note.warnings
    assert "'Dana Cho'" in warning and "'Sam (Acme)'" in warning
    assert "interviewee:" in warning and "speakers:" in warning
    assert {b.role for b in note.blocks} == {"interviewer", "other"}


def test_campaign_speakers_mapping_resolves(tmp_path: Path) -> None:
    campaign = Campaign.model_validate(
        {
            "name": "c",
            "icp": "icp.yaml",
            "notes": ["notes"],
            "brief": "brief.yaml",
            "speakers": {"interviewee": ["dana cho"], "interviewer": ["Sam (Acme)"]},
        }
    )
    note = citable_note(three(tmp_path), campaign.speakers)
    assert note.interviewee == "Dana Cho"
    assert note.warnings == ()
    assert [b.role for b in note.blocks] == [
        "interviewer",
        "interviewee",
        "interviewer",
        "interviewee",
    ]


def test_speakers_mapping_by_first_name() -> None:
    note = txt("Ana: So what hurts?\n\nRaj: Data quality hurts the most.\n\nAna: Why?")
    assert citable_note(note).sentences == {}
    mapped = citable_note(note, SpeakerRoles(interviewee=["Raj Patel"]))
    assert cited(mapped) == "Data quality hurts the most."


def test_front_matter_interviewer_and_interviewee() -> None:
    note = md(
        "Ana: What hurts?\n\nRaj: Data quality hurts the most.\n\n"
        "Ana: Why?\n\nRaj: Because nobody owns it.",
        interviewer="Ana Silva",
    )
    result = citable_note(note)
    assert result.interviewee == "Raj"
    assert cited(result) == "Data quality hurts the most. Because nobody owns it."


def test_one_off_vendor_interjection_is_not_the_interviewees() -> None:
    text = (
        "Interviewer: What hurts?\n\nHelen: Data quality hurts the most.\n\n"
        "Sam (Acme): We can fix that for you.\n\nHelen: Maybe, we will see about that."
    )
    unnamed = citable_note(md(text))
    assert unnamed.sentences == {}
    assert "'Helen', 'Sam (Acme)'" in unnamed.warnings[0]
    result = citable_note(md(text, interviewee="Helen Okafor"))
    assert result.interviewee == "Helen"
    assert "fix that" not in cited(result)
    assert any("Sam (Acme)" in w for w in result.warnings)


def test_header_names_the_interviewee() -> None:
    note = txt(
        "Interviewee: Raj Patel, Head of Data, Acme\nInterviewer: Ana Silva\n\n"
        "Ana: What hurts?\nRaj: Data quality hurts the most.\nAna: Thanks."
    )
    result = citable_note(note)
    assert result.interviewee == "Raj"
    assert cited(result) == "Data quality hurts the most."
    assert [b.role for b in result.blocks[:2]] == ["metadata", "metadata"]


# --- labels ----------------------------------------------------------------------------


def test_bold_markdown_labels() -> None:
    note = md(
        "**Interviewer:** What hurts?\n\n**Helen:** Data quality hurts the most.\n\n"
        "**Interviewer:** Why?\n\n**Helen**: Because nobody owns the records."
    )
    result = citable_note(note)
    assert result.interviewee == "Helen"
    assert cited(result) == "Data quality hurts the most. Because nobody owns the records."


def test_colon_in_a_normal_sentence_is_not_a_label() -> None:
    note = txt(
        "Q: What hurts?\n"
        "A: Mostly the data.\n"
        "The problem: nobody owns it at all.\n\n"
        "Bottom line: we need a single owner."
    )
    result = citable_note(note)
    assert result.warnings == ()
    assert cited(result) == (
        "Mostly the data. The problem: nobody owns it at all. Bottom line: we need a single owner."
    )


def test_unlabelled_paragraph_continues_the_turn() -> None:
    note = txt("Interviewer: Tell me more?\n\nDana: First part of my answer.\n\nAnd a second part.")
    result = citable_note(note)
    assert [b.role for b in result.blocks] == ["interviewer", "interviewee", "interviewee"]
    assert result.blocks[2] == Block("interviewee", "Dana", "And a second part.", (2,))


def test_prose_note_is_all_interviewee() -> None:
    note = md(
        "# Notes from our call\n\nDate: 2024-10-01\nCompany: Acme\n\n"
        "We tried [Mixpanel](https://x.io) and Segment. Both were _very_ limited for us.\n\n"
        "- Pricing was `too high` for the team.\n\n> Nobody <b>trusted</b> the numbers."
    )
    result = citable_note(note)
    assert result.interviewee is None
    assert texts(result, "heading") == ["Notes from our call"]
    assert texts(result, "metadata") == ["2024-10-01", "Acme"]
    assert list(result.sentences.values()) == [
        "We tried Mixpanel and Segment.",
        "Both were very limited for us.",
        "Pricing was too high for the team.",
        "Nobody trusted the numbers.",
    ]


def test_prose_txt_with_title_and_header() -> None:
    note = txt("Interview notes\n\nParticipant: Raj Patel\nDate: May\n\nWe have no budget for it.")
    result = citable_note(note)
    assert texts(result, "metadata") == ["Interview notes", "Raj Patel", "May"]
    assert cited(result) == "We have no budget for it."


def test_markdown_links_and_emphasis_in_turns() -> None:
    note = md(
        "Interviewer: Which tools?\n\n"
        "Helen: We tried [Mixpanel](https://x.io) and Segment. They were _very_ limited."
    )
    result = citable_note(note)
    assert list(result.sentences.values()) == [
        "We tried Mixpanel and Segment.",
        "They were very limited.",
    ]


def test_speaker_numbers_and_placeholders_are_labels() -> None:
    note = txt("Speaker 1: What hurts?\n\nSpeaker 2: Data quality hurts.\n\nSpeaker 1: Why?")
    result = citable_note(note)
    assert result.sentences == {}
    assert "'Speaker 1'" in result.warnings[0]
    mapped = citable_note(note, SpeakerRoles(interviewee=["Speaker 2"]))
    assert cited(mapped) == "Data quality hurts."


# --- odd input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Interviewer: Only questions here?", "# Just a heading", "<div>html</div>", "Date: today"],
)
def test_nothing_citable_gives_a_warning(text: str) -> None:
    result = citable_note(md(text))
    assert result.sentences == {}
    assert len(result.warnings) == 1


def test_quote_unknown_number_raises_key_error() -> None:
    result = citable_note(txt("We spend two weeks on it. Every single month."))
    assert result.quote([2, 1]) == "Every single month. We spend two weeks on it."
    with pytest.raises(KeyError):
        result.quote([3])


# --- sentences and plain text ----------------------------------------------------------


def test_split_sentences_abbreviations_and_decimals() -> None:
    text = (
        "We use tools, e.g. Gong and Clari, for this. Mr. Smith and Dr. Jones approved v3.5 "
        "last year.  Growth was 3.5 percent vs. 4 percent planned!  Is that bad? "
        "\u201cYes\u201d, they said. (It was.) Okay. It goes on\u2026 And on"
    )
    assert split_sentences(text) == [
        "We use tools, e.g. Gong and Clari, for this.",
        "Mr. Smith and Dr. Jones approved v3.5 last year.",
        "Growth was 3.5 percent vs. 4 percent planned!",
        "Is that bad?",
        "\u201cYes\u201d, they said. (It was.) Okay.",
        "It goes on\u2026 And on",
    ]


def test_split_sentences_short_first_fragment_joins_the_next() -> None:
    assert split_sentences("Worse. Our renewal forecast is a guess.") == [
        "Worse. Our renewal forecast is a guess."
    ]
    assert split_sentences("No.") == ["No."]
    assert split_sentences("  ") == []
    assert split_sentences("a notes doc... and none of them talk") == [
        "a notes doc... and none of them talk"
    ]


def test_plain_text_kinds() -> None:
    assert plain_text(
        "# Title\n\nSome **bold** and `code`\nnext line\n\n1. item one\n\n<!-- c -->\n"
    ) == [
        ("heading", "Title"),
        ("paragraph", "Some bold and code\nnext line"),
        ("paragraph", "item one"),
    ]


# --- properties ------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["Q: ", "A: ", "Interviewer: ", "Helen: ", "Sam (Acme): ", "**Dana:** ", "# ", "Date: ",
     "Mr. ", "e.g. ", "3.5", "...", "\u2026", "? ", "! ", ". ", "\n", "\n\n", "  ", "[x](y)",
     "_em_", "<b>", "*", "`", ":", "We tried it. ", "Nobody owns it", "a", "Z"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES | st.text(max_size=8), min_size=1, max_size=40),
       fmt=st.sampled_from(["md", "txt", "vtt", "srt"]))  # fmt: skip
def test_any_text_gives_consistent_citable_notes(pieces: list[str], fmt: str) -> None:
    text = "".join(pieces)
    if not text.strip():
        return
    note = Note(id="n", text=text, source_format=fmt)
    result = citable_note(note)
    check_consistent(result)
    assert result.sentences or result.warnings
    if fmt != "md":
        flat = " ".join(text.split())
        assert all(sentence in flat for sentence in result.sentences.values())


def test_large_note_is_fast() -> None:
    turn = "Interviewer: What hurts?\n\nHelen: Data quality hurts. We fix records every day.\n\n"
    result = citable_note(md(turn * 3000))
    assert len(result.sentences) == 6000
