"""`personagen show`: personas and copy artifacts in the terminal, garbage as a clean error."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.export.outputs import write_json
from tests.export.test_export_copy import LONG_INTRO, make_artifact, make_persona

runner = CliRunner()


def _show(path: Path) -> tuple[int, str]:
    # A wide terminal keeps table cells on one line, so assertions see whole phrases.
    result = runner.invoke(app, ["show", str(path)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["show", "--help"])
    assert result.exit_code == 0
    assert "Example: personagen show" in result.output


def test_show_persona_prints_sections_confidence_and_evidence(tmp_path: Path) -> None:
    path = tmp_path / "personas" / "revenue-rita.json"
    write_json(path, make_persona())
    code, output = _show(path)
    assert code == 0, output
    assert "Rita Renewal" in output and "VP Customer Success" in output
    assert "Pain points and challenges" in output and "Buying objections" in output
    assert "pain-1" in output and "Churn shows up too late" in output
    assert "“we find out at the renewal call”" in output and "(interview-1)" in output
    assert "high" in output and "low" in output and "medium" in output


def test_show_rsa_artifact_prints_fields_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "copy" / "revenue-rita" / "google_rsa.json"
    write_json(path, make_artifact("google_rsa"))
    code, output = _show(path)
    assert code == 0, output
    assert "Rita Renewal, VP Customer Success" in output
    assert "Google responsive search ads" in output
    assert "Variant 1" in output and "Variant 2" in output
    assert "Headline 1" in output and "See Churn Before Renewal" in output and "24/30" in output
    assert "Description 3" in output and "/90" in output
    assert "Path 1" in output and "8/15" in output
    assert "pain-1, objection-1" in output
    assert "https://renewly.example/pilot" in output
    assert "No warnings." in output


def test_show_email_artifact_prints_steps_footer_and_warnings(tmp_path: Path) -> None:
    path = tmp_path / "email.json"
    write_json(path, make_artifact("email"))
    code, output = _show(path)
    assert code == 0, output
    assert "Email 1 · day 0" in output and "Email 2 · day 3" in output
    assert "Renewals you can see coming" in output and "27/100, aim ≤50" in output
    assert "12 words, aim 50–125 ⚠" in output
    assert "Footer (every email)" in output and "Maya Lind, Renewly" in output
    assert "1 warning" in output and "steps[2].body" in output


def test_show_linkedin_highlights_warnings(tmp_path: Path) -> None:
    path = tmp_path / "linkedin.json"
    write_json(path, make_artifact("linkedin"))
    code, output = _show(path)
    assert code == 0, output
    assert f"{len(LONG_INTRO)}/600, aim ≤150 ⚠" in output
    assert "⚠ variants[1].intro_text:" in output


def test_show_objections_artifact(tmp_path: Path) -> None:
    path = tmp_path / "objections.json"
    write_json(path, make_artifact("objections"))
    code, output = _show(path)
    assert code == 0, output
    for label in ("Talk track", "Acknowledge", "Reframe", "Proof", "Question", "Buying stage"):
        assert label in output
    assert "proof points: early-warning" in output and "objection-1" in output


def test_copy_text_is_not_read_as_console_markup(tmp_path: Path) -> None:
    path = tmp_path / "persona.json"
    write_json(path, make_persona(name="[red]Rita[/red] :smile:"))
    code, output = _show(path)
    assert code == 0, output
    assert "[red]Rita[/red] :smile:" in output


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("garbage.json", "this is { not json", "malformed JSON"),
        ("list.json", "[1, 2, 3]", "expected a mapping"),
        ("other.json", json.dumps({"hello": "world"}), "neither a persona"),
        ("notes.txt", "plain text", "unsupported file type"),
        ("empty.json", "", "file is empty"),
    ],
)
def test_show_on_garbage_is_one_line_exit_2(
    tmp_path: Path, name: str, content: str, detail: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, output = _show(path)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: {path}:")
    assert detail in lines[0]


def test_show_on_a_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    code, output = _show(tmp_path / "nope.json")
    assert code == 2
    assert output.strip() == f"error: {tmp_path / 'nope.json'}: no such file"


def test_show_on_a_broken_copy_artifact_names_the_problem(tmp_path: Path) -> None:
    artifact = make_artifact("google_rsa").model_copy(deep=True)
    artifact.draft["variants"][0]["headlines"] = ["Only one headline"]
    path = tmp_path / "google_rsa.json"
    write_json(path, artifact)
    code, output = _show(path)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: draft:")


def test_show_on_an_incomplete_persona_names_the_missing_field(tmp_path: Path) -> None:
    data = make_persona().model_dump(mode="json")
    del data["summary"]
    path = tmp_path / "persona.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, output = _show(path)
    assert code == 2
    assert output.strip() == f"error: {path}: missing required field 'summary'"


ESCAPES = (
    "\x1b]8;;http://e.vil\x1b\\Click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[2J",  # clear the screen
    "\x1b]0;pwn\x07",  # window title
    "\x9b31m",  # 8-bit CSI
    "\x07\x08\x7f",
)
MARKUP = "[bold red]loud[/bold red] [link=http://e.vil]link[/link]"
DIRTY = "".join(ESCAPES) + " " + MARKUP


def _clean(output: str) -> None:
    assert not any(c in output for c in "\x1b\x9b\x07\x08\x7f"), repr(output)
    assert "e.vil\x1b" not in output and "pwn" not in output


def test_show_persona_strips_escape_sequences_and_shows_markup_as_text(tmp_path: Path) -> None:
    persona = make_persona(name=f"Rita {DIRTY}")
    item = persona.pain_points[0]
    quote = item.evidence[0].model_copy(update={"quote": f"we {DIRTY} find out"})
    dirty_item = item.model_copy(update={"text": f"Churn {DIRTY}", "evidence": [quote]})
    persona = persona.model_copy(
        update={
            "title": f"VP {DIRTY}",
            "summary": f"Owns {DIRTY} renewals.",
            "pain_points": [dirty_item],
            "characteristics": [f"Calm {DIRTY}"],
        }
    )
    path = tmp_path / "persona.json"
    write_json(path, persona)
    code, output = _show(path)
    assert code == 0, output
    _clean(output)
    assert "Click" in output and MARKUP in output and "Owns" in output


def test_show_copy_strips_escape_sequences_from_names_urls_and_warnings(tmp_path: Path) -> None:
    artifact = make_artifact("linkedin")
    warning = dataclasses.replace(artifact.warnings[0], message=f"too long {DIRTY}")
    dirty = artifact.model_copy(
        update={
            "persona_name": f"Rita {DIRTY}",
            "persona_title": f"VP {DIRTY}",
            "final_url": f"https://renewly.example/{DIRTY}",
            "warnings": [warning],
        }
    )
    path = tmp_path / "linkedin.json"
    write_json(path, dirty)
    code, output = _show(path)
    assert code == 0, output
    _clean(output)
    assert "too long" in output and "[bold red]loud[/bold red]" in output
