"""Outputs are safe to open: no live formula in a CSV, no HTML or Markdown injected into
cards and decks, file modes that follow the umask, and no special file replaced."""

from __future__ import annotations

import csv
import os
import re
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from personagen.atomic import write_text_atomic
from personagen.cli import app
from personagen.errors import InputError
from personagen.export.copy_deck import deck_markdown, write_decks
from personagen.export.csv_export import csv_files, text_cell, write_csvs
from personagen.export.outputs import OutputFolder, prepare_output_dir, write_json
from personagen.export.persona_card import persona_markdown
from personagen.models.artifacts import CopyArtifact
from personagen.models.persona import Evidence, Item, Persona
from personagen.text import unique_slug
from tests.export.test_export_copy import BRIEF, all_artifacts, make_artifact, make_persona

FORMULAS = [
    '=HYPERLINK("//e.vil","Go")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
    "  =1+1",
    "＝1+1",
]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _renamed(artifact: CopyArtifact, **names: str) -> CopyArtifact:
    return artifact.model_copy(update=names)


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_review_sheet_cell_never_starts_a_formula(cell: str) -> None:
    assert text_cell(cell) == "'" + cell
    assert text_cell("Churn, seen early") == "Churn, seen early"
    assert text_cell(42) == 42


@pytest.mark.parametrize("payload", FORMULAS)
def test_review_sheets_quote_formula_cells(tmp_path: Path, payload: str) -> None:
    channels = ("linkedin", "meta", "x")
    artifacts = [_renamed(make_artifact(c), persona_name=payload) for c in channels]
    paths = write_csvs(tmp_path, artifacts, BRIEF)
    assert {p.name for p in paths} == {"linkedin.csv", "meta.csv", "x.csv"}
    for path in paths:
        for row in _rows(path)[1:]:
            assert row[0] == f"'{payload} (revenue-rita)"
            assert all(cell[:1] not in "=+-@\t\r＝" for cell in row), row


@pytest.mark.parametrize("payload", FORMULAS)
def test_the_google_ads_editor_file_refuses_a_formula_ad_group(
    tmp_path: Path, payload: str
) -> None:
    artifacts = [_renamed(a, persona_title=payload) for a in all_artifacts()]
    with pytest.raises(InputError) as caught:
        OutputFolder(tmp_path).write_views(artifacts, BRIEF)
    message = str(caught.value)
    assert message.startswith("copy/revenue-rita/google_rsa: variant 1, Ad group")
    assert "google_ads_editor.csv is not written" in message and "\n" not in message
    assert not list(tmp_path.rglob("*.*"))  # neither a deck nor any sheet was written


def test_the_google_ads_editor_file_names_the_column_of_a_formula_url(tmp_path: Path) -> None:
    artifact = make_artifact("google_rsa").model_copy(update={"final_url": "=cmd|'/C calc'!A0"})
    with pytest.raises(InputError, match='variant 1, Final URL: "=cmd'):
        csv_files([artifact], BRIEF)


def test_a_note_derived_persona_name_is_quoted_in_every_sheet(tmp_path: Path) -> None:
    persona = make_persona(name="Rita Renewal")
    artifacts = [_renamed(a, persona_name="@Rita") for a in all_artifacts(persona)]
    written = OutputFolder(tmp_path).write_views(artifacts, BRIEF)
    sheets = [p for p in written if p.suffix == ".csv"]
    names = {p.name for p in sheets}
    assert names == {"google_ads_editor.csv", "linkedin.csv", "meta.csv", "x.csv", "evidence.csv"}
    for sheet in sheets:
        assert not any(c.startswith("@") for row in _rows(sheet) for c in row)


HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror="alert(2)"> & **bold** `tick` [x](http://e.vil)'
)


def _hostile_persona() -> Persona:
    persona = make_persona()
    quote = Evidence(note_id="interview-1", quote=HOSTILE)
    item = Item(id="pain-9", text=HOSTILE, evidence=[quote], confidence="high")
    return persona.model_copy(
        update={
            "name": "Rita <b>Renewal</b>",
            "summary": f"# Not a heading\n- not a list\n{HOSTILE}",
            "pain_points": [*persona.pain_points, item],
            "characteristics": [HOSTILE],
        }
    )


def _html(markdown: str) -> str:
    return str(MarkdownIt("commonmark").render(markdown))


def test_a_persona_card_shows_html_and_markdown_from_notes_as_text() -> None:
    card = persona_markdown(_hostile_persona())
    assert "<script" not in card and "<img" not in card and "<b>" not in card
    assert "&lt;script&gt;" in card and "&lt;img src=x onerror=" in card
    html = _html(card)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    assert "**bold**" in html and "`tick`" in html  # not bold, not code
    assert html.count("<h1>") == 1 and "<h1>Not a heading" not in html
    assert "<li>not a list" not in html
    assert "<h2>Pain points and challenges</h2>" in html  # the card's own structure works


def test_a_copy_deck_shows_html_from_model_text_as_text() -> None:
    artifact = make_artifact("linkedin")
    draft = dict(artifact.draft)
    variants = [dict(v) for v in draft["variants"]]
    variants[0]["intro_text"] = "Line <img src=x onerror=alert(1)>\n# Still a line\n1. one"
    variants[0]["headline"] = "Churn <script>x</script> *now*"
    hostile = artifact.model_copy(
        update={"draft": {"variants": variants}, "persona_title": "VP <i>CS</i>"}
    )
    deck = deck_markdown([hostile])
    html = _html(deck)
    assert "<img" not in deck and "<script" not in deck and "<i>" not in deck
    assert "<img" not in html and "<script" not in html and "<em>now" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "*now*" in html
    assert "<h1>Still a line" not in html and "<ol>" not in html
    assert html.count("<h3>Variant") == len(variants)


def test_a_deck_keeps_merge_tokens_readable() -> None:
    deck = deck_markdown([make_artifact("email")])
    assert "{{first_name}}" in deck


def test_a_350_character_title_writes_its_persona_files(tmp_path: Path) -> None:
    title = "Senior Vice President of Global Revenue Operations and Strategy " * 6
    assert len(title) > 350
    persona = make_persona().model_copy(update={"id": unique_slug(title, set()), "title": title})
    folder = OutputFolder(tmp_path)
    folder.write_persona(persona)
    folder.write_artifact(make_artifact("x", persona))
    assert [p.name for p in folder.persona_files()] == [f"{persona.id}.json"]
    assert len(persona.id) <= 80 and (folder.copy_dir / persona.id / "x.json").is_file()


@pytest.mark.parametrize("name", ["../escape", "..", "a/b", ".hidden", "x" * 101, "a\nb"])
def test_an_artifact_name_that_is_not_a_file_name_is_refused(tmp_path: Path, name: str) -> None:
    folder = OutputFolder(tmp_path / "out")
    artifact = make_artifact("x")
    with pytest.raises(InputError, match="it names a file"):
        folder.write_artifact(artifact.model_copy(update={"persona_id": name}))
    with pytest.raises(InputError, match="it names a file"):
        folder.write_artifact(artifact.model_copy(update={"channel": name}))
    with pytest.raises(InputError, match="names the deck file"):
        write_decks(tmp_path / "decks", [artifact.model_copy(update={"persona_id": name})])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path: Path, mask: int, mode: int) -> None:
    os.umask(mask)
    folder = OutputFolder(tmp_path)
    folder.write_persona(make_persona())
    written = folder.write_views(all_artifacts(), BRIEF)
    (tmp_path / "report.html").write_text("old")
    os.chmod(tmp_path / "report.html", 0o600)
    write_text_atomic(tmp_path / "report.html", "new")  # a replaced file too
    files = [*written, *folder.persona_files(), tmp_path / "report.html"]
    assert len(files) > 5
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def _specials(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    target = tmp_path / "target.html"
    target.write_text("keep me")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    yield "a symbolic link", link
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    yield "a named pipe (FIFO)", fifo
    sock_path = tmp_path / "sock.html"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        yield "a socket", sock_path


def test_a_special_file_is_never_replaced(tmp_path: Path) -> None:
    for kind, path in _specials(tmp_path):
        before = os.lstat(path)
        with pytest.raises(InputError, match=re.escape(f"is {kind}, not a regular file")):
            write_text_atomic(path, "output")
        after = os.lstat(path)
        assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert (tmp_path / "target.html").read_text() == "keep me"


def test_report_refuses_a_special_output_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_json(out / "personas" / "revenue-rita.json", make_persona())
    runner = CliRunner()
    for kind, path in _specials(tmp_path):
        result = runner.invoke(app, ["report", str(out), "-o", str(path)])
        assert result.exit_code == 2, result.output
        assert f"is {kind}, not a regular file" in result.output
        assert "Traceback" not in result.output and stat.S_ISREG(os.lstat(path).st_mode) is False
    assert (tmp_path / "target.html").read_text() == "keep me"
    result = runner.invoke(app, ["report", str(out), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.output


def test_an_output_folder_that_is_a_pipe_or_dangling_link_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="output path is a named pipe"):
        prepare_output_dir(fifo)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "missing")
    with pytest.raises(InputError, match="symbolic link to nothing"):
        prepare_output_dir(dangling)
    linked = tmp_path / "linked"
    (tmp_path / "real").mkdir()
    linked.symlink_to(tmp_path / "real")
    assert prepare_output_dir(linked) == linked  # a link to a folder is followed
