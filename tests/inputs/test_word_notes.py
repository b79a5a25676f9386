"""Interview notes saved from Word (.docx): paragraphs become text, speaker labels stay."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from personagen.errors import InputError
from personagen.inputs import notes as notes_module
from personagen.inputs import word
from personagen.inputs.citable import citable_note
from personagen.inputs.notes import load_note, load_notes


def write_docx(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_paragraphs_become_the_notes_text_with_their_speaker_labels(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "cfo-helen.docx",
        "Interview with Helen, CFO",
        "",
        "Interviewer: What hurts the most?",
        "Helen: We lose a week every month-end close.",
    )
    note = load_note(path)
    assert (note.id, note.source_format) == ("cfo-helen", "docx")
    assert note.text == (
        "Interview with Helen, CFO\n\nInterviewer: What hurts the most?\n\n"
        "Helen: We lose a week every month-end close."
    )
    citable = citable_note(note)
    said = [block.text for block in citable.blocks if block.sentences]
    assert said == ["We lose a week every month-end close."]


def test_a_docx_beside_markdown_notes_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Dana: Churn surprises us.\n")
    write_docx(tmp_path / "b.docx", "Sam: Why?", "Lee: Renewals slip.")
    (tmp_path / "~$b.docx").write_bytes(b"\x05Word's lock file while b.docx is open")
    warned: list[str] = []
    assert [n.id for n in load_notes([tmp_path], warn=warned.append)] == ["a", "b"]
    assert warned == []


def test_a_file_that_is_not_a_zip_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "call.docx"
    path.write_text("typed in a text editor")
    with pytest.raises(InputError) as caught:
        load_note(path)
    assert caught.value.detail == (
        "is not a Word .docx file (not a zip archive); save it as .docx, or export the text as .txt"
    )


def test_a_zip_that_is_no_word_document_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "call.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    with pytest.raises(InputError) as caught:
        load_note(path)
    assert caught.value.detail.startswith("cannot be read as a Word document (")
    assert caught.value.detail.endswith("); save it again as .docx")


def test_a_docx_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_docx(tmp_path / "bomb.docx", "Dana: hello")
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(path.read_bytes())).infolist())
    monkeypatch.setattr(word, "MAX_DOCX_UNPACKED", unpacked - 1)
    opened: list[object] = []
    monkeypatch.setattr(docx, "Document", lambda *args: opened.append(args))
    with pytest.raises(InputError) as caught:
        load_note(path)
    assert caught.value.detail.startswith(f"unpacks to {unpacked:,} bytes (the limit is ")
    assert opened == []


def test_docx_is_a_listed_note_format() -> None:
    assert notes_module.FORMATS[".docx"] == "docx"
