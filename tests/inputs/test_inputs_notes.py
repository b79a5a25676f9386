from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from personagen.errors import InputError
from personagen.inputs import load_notes
from personagen.inputs.notes import MAX_NOTE_BYTES, NoteWarning
from personagen.inputs.transcripts import parse_srt, parse_vtt
from personagen.models.note import Note

VTT = """\
WEBVTT - CFO interview
Kind: captions

NOTE Recorded over Zoom;
the first minute was cut.

STYLE
::cue(v[voice="Dana"]) { color: red }

REGION
id:fred width:40%

intro
00:00:01.000 --> 00:00:04.000 align:start position:10%
<v Dana Cho>We spend <i>two weeks</i> on
<c.yellow>reconciliation</c></v>

00:00:04.000 --> 00:00:06.500
<v Dana Cho>every <00:00:05.000>single month.

q2
00:00:06.500 --> 00:00:08.000
<v.loud Interviewer>Why &amp; how?</v>

00:08.000 --> 00:09.000
Dana Cho: Because of Excel.
"""

SRT = """\
1
00:00:01,000 --> 00:00:02,500
Sam: Hello there,
how is the close going?

2
00:00:03,000 --> 00:00:04,000 X1:10 X2:20
Sam: <font color="red">Honestly.</font>

3
00:00:05,000 --> 00:00:06,000
Priya: {\\an8}It's <b>slow</b>.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def note_error(paths: list[Path]) -> str:
    with pytest.raises(InputError) as info:
        load_notes(paths)
    message = str(info.value)
    assert "\n" not in message, "errors must be one line"
    return message


# --- happy paths ---------------------------------------------------------------


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cfo-acme.md",
        "---\ninterviewee: Dana Cho\nrole: CFO\ncompany: Acme\ndate: 2024-05-31\n"
        "tags: [finance, close]\n---\n# Call notes\n\nClose takes two weeks.\n",
    )
    [note] = load_notes([path])
    assert note.id == "cfo-acme"
    assert note.source_format == "md"
    assert note.path == str(path)
    assert note.text == "# Call notes\n\nClose takes two weeks."
    assert note.meta.interviewee == "Dana Cho"
    assert note.meta.role == "CFO"
    assert note.meta.company == "Acme"
    assert note.meta.date == dt.date(2024, 5, 31)
    assert note.meta.tags == ["finance", "close"]


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "ops.md", "Just notes.\n---\nmore\n")
    [note] = load_notes([path])
    assert note.text == "Just notes.\n---\nmore"
    assert note.meta.role is None


def test_empty_front_matter_is_allowed(tmp_path: Path) -> None:
    [note] = load_notes([write(tmp_path, "a.md", "---\n---\nBody.\n")])
    assert note.text == "Body."
    assert note.meta.tags == []


def test_text_note_with_windows_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "vp.txt", b"\xef\xbb\xbfLine one\r\nLine two\rLine three\r\n")
    [note] = load_notes([path])
    assert note.text == "Line one\nLine two\nLine three"
    assert note.source_format == "txt"


def test_vtt_note(tmp_path: Path) -> None:
    [note] = load_notes([write(tmp_path, "cfo.vtt", VTT)])
    assert note.source_format == "vtt"
    assert note.text == (
        "Dana Cho: We spend two weeks on reconciliation every single month.\n\n"
        "Interviewer: Why & how?\n\n"
        "Dana Cho: Because of Excel."
    )


def test_srt_note(tmp_path: Path) -> None:
    [note] = load_notes([write(tmp_path, "ops.srt", SRT)])
    assert note.source_format == "srt"
    assert note.text == ("Sam: Hello there, how is the close going? Honestly.\n\nPriya: It's slow.")


def test_folder_reads_supported_visible_files_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", "B")
    write(tmp_path, "a.md", "A")
    write(tmp_path, "c.SRT", "1\n00:00:01,000 --> 00:00:02,000\nC\n")
    write(tmp_path, ".hidden.md", "hidden")
    write(tmp_path, "_guide.md", "a guide beside the notes, skipped by rule")
    write(tmp_path, "readme.pdf", "listed in the warning")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "deep.md", "not recursive")
    warned: list[str] = []
    notes = load_notes([tmp_path], warn=warned.append)
    assert [(n.id, n.text, n.source_format) for n in notes] == [
        ("a", "A", "md"),
        ("b", "B", "txt"),
        ("c", "C", "srt"),
    ]
    assert warned == [
        f"{tmp_path}: skipped 2 entries (readme.pdf, sub/): not notes (a note is .md, .txt, "
        ".vtt, .srt, .docx; subfolders are not read); convert or move them, or start a name "
        "with '_' to keep it beside the notes"
    ]


def test_notes_from_several_paths_are_sorted_by_id(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    write(tmp_path / "one", "zeta.txt", "Z")
    single = write(tmp_path, "alpha.txt", "A")
    notes = load_notes([tmp_path / "one", single])
    assert [n.id for n in notes] == ["alpha", "zeta"]


def test_same_file_twice_is_one_note(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.txt", "x")
    assert [n.id for n in load_notes([tmp_path, path])] == ["cfo"]


def test_id_keeps_stem_as_is(tmp_path: Path) -> None:
    [note] = load_notes([write(tmp_path, "CFO_2024.05-call.md", "x")])
    assert note.id == "CFO_2024.05-call"


# --- errors ----------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert note_error([missing]) == f"{missing}: no such file or folder"


def test_empty_folder(tmp_path: Path) -> None:
    assert note_error([tmp_path]) == (
        f"{tmp_path}: folder has no note files (it is empty); expected .md, .txt, .vtt, .srt, .docx"
    )


def test_folder_without_supported_files(tmp_path: Path) -> None:
    write(tmp_path, "a.pdf", "x")
    write(tmp_path, "b.key", "x")
    write(tmp_path, ".c.md", "hidden")
    write(tmp_path, "_d.md", "a guide")
    assert note_error([tmp_path]) == (
        f"{tmp_path}: folder has no note files (it has only 2 entries (a.pdf, b.key)); "
        "expected .md, .txt, .vtt, .srt, .docx"
    )


def test_explicit_file_with_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.pages", "x")
    assert note_error([path]) == (
        f"{path}: unsupported note type '.pages'; expected .md, .txt, .vtt, .srt, .docx"
    )


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    write(tmp_path, "cfo.md", "one")
    write(tmp_path, "cfo.txt", "two")
    assert note_error([tmp_path]) == (
        f"{tmp_path / 'cfo.txt'}: note id 'cfo' is also used by {tmp_path / 'cfo.md'}; "
        "rename one of the files"
    )


@pytest.mark.parametrize("name", ["my note.md", "-draft.txt", "caf\u00e9.md"])
def test_bad_id_from_file_name(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, "x")
    message = note_error([path])
    assert message.startswith(f"{path}: note id '{Path(name).stem}' (the file name) must start")
    assert message.endswith("only letters, digits, '_', '.' and '-'; rename the file")


@pytest.mark.parametrize("content", ["", " \n\t\n"])
def test_empty_or_whitespace_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "cfo.txt", content)
    assert note_error([path]) == (
        f"{path}: file is empty or only whitespace; expected the interview note's text"
    )


def test_front_matter_only(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\nrole: CFO\n---\n\n")
    assert note_error([path]) == f"{path}: note has front matter but no text after it"


def test_transcript_with_only_timings(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>\n")
    assert note_error([path]) == f"{path}: transcript has no spoken text, only timings"


def test_binary_note(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.txt", b"PK\x03\x04\x00\x00")
    assert note_error([path]) == (
        f"{path}: looks like a binary file (it contains NUL bytes); expected text"
    )


def test_non_utf8_note(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.txt", "na\u00efve".encode("latin-1"))
    assert note_error([path]) == (
        f"{path}: not valid UTF-8 (byte 0xef at offset 2, line 1); "
        "re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`"
    )


def test_note_over_two_megabytes(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.txt", "x" * (MAX_NOTE_BYTES + 1))
    assert note_error([path]) == (
        f"{path}: file is too large (2,000,001 bytes; the limit is 2,000,000 bytes)"
    )


def test_front_matter_unknown_field(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\ninterviewe: Dana\n---\nBody\n")
    assert note_error([path]) == (
        f"{path} (front matter): unknown field 'interviewe'; did you mean 'interviewee'?"
    )


def test_front_matter_bad_date(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\ndate: last tuesday\n---\nBody\n")
    assert note_error([path]) == (
        f"{path} (front matter): date: expected a date like 2024-05-31, got 'last tuesday'"
    )


def test_front_matter_malformed_yaml_uses_file_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\nrole: CFO\ntags: [a, b\n---\nBody\n")
    message = note_error([path])
    assert message.startswith(f"{path} (front matter): malformed YAML at line 3, column 12: ")


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\n- a\n- b\n---\nBody\n")
    assert note_error([path]) == (
        f"{path} (front matter): expected a mapping of fields, found a list"
    )


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "cfo.md", "---\nrole: CFO\nBody\n")
    assert note_error([path]) == (
        f"{path}: front matter opened with '---' on line 1 is never closed"
    )


def test_malformed_vtt_timing_names_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cfo.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03 -> 00:00:04\nThere\n",
    )
    assert note_error([path]) == (
        f"{path}: line 6: malformed cue timing '00:00:03 -> 00:00:04'; "
        "expected e.g. '00:00:01.000 --> 00:00:04.000'"
    )


# --- transcript details ----------------------------------------------------------


def test_vtt_cue_identifier_without_timing_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^x\.vtt: line 4: malformed cue timing 'Hello'"):
        parse_vtt("WEBVTT\n\nintro\nHello\n", "x.vtt")


def test_vtt_without_header_still_parses() -> None:
    assert parse_vtt("00:01.000 --> 00:02.000\nHi\n", "x.vtt") == "Hi"


def test_vtt_several_voices_in_one_cue() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hi.</v> <v Bo>Hello.</v>\n"
    assert parse_vtt(text, "x.vtt") == "Ann: Hi.\n\nBo: Hello."


def test_vtt_does_not_merge_different_speakers_or_unlabelled_text() -> None:
    text = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000\nIntro music.\n\n"
        "00:02.000 --> 00:03.000\n<v Ann>One.\n\n"
        "00:03.000 --> 00:04.000\n<v Bo>Two.\n\n"
        "00:04.000 --> 00:05.000\n<v Ann>Three.\n\n"
        "00:05.000 --> 00:06.000\n<v Ann>Four.\n"
    )
    assert parse_vtt(text, "x.vtt") == "Intro music.\n\nAnn: One.\n\nBo: Two.\n\nAnn: Three. Four."


def test_srt_two_speakers_in_one_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nAnn: Ready?\nBo: Yes.\n"
    assert parse_srt(text, "x.srt") == "Ann: Ready?\n\nBo: Yes."


def test_srt_malformed_timing_names_line() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 - 00:00:04,000\nThere\n"
    with pytest.raises(InputError) as info:
        parse_srt(text, "talk.srt")
    assert str(info.value) == (
        "talk.srt: line 6: malformed cue timing '00:00:03,000 - 00:00:04,000'; "
        "expected e.g. '00:00:01.000 --> 00:00:04.000'"
    )


def test_srt_missing_timing_after_index() -> None:
    with pytest.raises(InputError, match=r"^talk\.srt: line 2: malformed cue timing 'Hello'"):
        parse_srt("1\nHello\n", "talk.srt")


DIRTY_NOTE = (
    "Dana: We lose \x1b[31ma week\x1b[0m every close.\x07\n"
    "\x1b]8;;http://e.vil\x1b\\Click\x1b]8;;\x1b\\ here\x9b2J and \x85there.\tTabbed.\n"
)


def _loaded_with_warnings(paths: list[Path], **options: bool) -> tuple[list[Note], list[str]]:
    heard: list[str] = []
    return load_notes(paths, warn=heard.append, **options), heard


def test_control_characters_and_escape_sequences_are_dropped_with_a_warning(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "dana.txt", DIRTY_NOTE)
    (note,), heard = _loaded_with_warnings([path])
    assert note.text.rstrip() == "Dana: We lose a week every close.\nClick here and there.\tTabbed."
    (warning,) = heard
    assert warning == (
        f"{path}: dropped 40 control characters "
        "(terminal escape sequences and other non-printing characters)"
    )


@pytest.mark.parametrize("name", ["dana.md", "dana.vtt", "dana.srt"])
def test_every_note_format_drops_control_characters(tmp_path: Path, name: str) -> None:
    body = "Dana: Churn \x1b]0;pwn\x07is a surprise.\x1b[2J"
    content = {
        "dana.md": f"---\nrole: CFO\x1b[1m\n---\n{body}\n",
        "dana.vtt": f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{body}\n",
        "dana.srt": f"1\n00:00:01,000 --> 00:00:02,000\n{body}\n",
    }[name]
    (note,), heard = _loaded_with_warnings([write(tmp_path, name, content)])
    assert "\x1b" not in note.text and "pwn" not in note.text and "\x07" not in note.text
    assert "Churn is a surprise." in note.text
    assert len(heard) == 1 and name in heard[0]
    if note.meta.role is not None:
        assert note.meta.role == "CFO"


def test_a_clean_note_warns_nothing(tmp_path: Path) -> None:
    (note,), heard = _loaded_with_warnings([write(tmp_path, "a.txt", "Plain\ttext.\r\nMore.")])
    assert note.text == "Plain\ttext.\nMore." and heard == []


def test_without_a_listener_the_warning_is_a_python_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Hi \x1b[2Jthere.")
    with pytest.warns(NoteWarning, match=r"a\.txt: dropped 4 control characters"):
        load_notes([path])


def _linked(tmp_path: Path) -> tuple[Path, Path]:
    secret = write(tmp_path, "secret.txt", "Private words outside the notes folder.")
    notes = tmp_path / "notes"
    notes.mkdir()
    write(notes, "real.txt", "Dana: A real note.")
    (notes / "linked.txt").symlink_to(secret)
    return notes, secret


def test_a_linked_note_is_followed_by_default(tmp_path: Path) -> None:
    notes, _ = _linked(tmp_path)
    loaded = {n.id: n.text for n in load_notes([notes])}
    assert loaded["linked"] == "Private words outside the notes folder."


def test_linked_notes_are_refused_when_links_are_not_followed(tmp_path: Path) -> None:
    notes, secret = _linked(tmp_path)
    with pytest.raises(InputError, match=r"linked\.txt: is a symbolic link"):
        load_notes([notes], follow_symlinks=False)
    with pytest.raises(InputError, match=r"linked\.txt: is a symbolic link"):
        load_notes([notes / "linked.txt"], follow_symlinks=False)
    folder_link = tmp_path / "folder-link"
    folder_link.symlink_to(notes)
    with pytest.raises(InputError, match=r"folder-link: is a symbolic link"):
        load_notes([folder_link], follow_symlinks=False)
    (notes / "linked.txt").unlink()
    assert [n.id for n in load_notes([notes], follow_symlinks=False)] == ["real"]
    assert [n.id for n in load_notes([secret], follow_symlinks=False)] == ["secret"]
