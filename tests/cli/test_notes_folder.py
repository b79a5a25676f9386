"""A notes folder: files that are not notes are named in one warning line, never skipped
silently; guides whose names start with '_' are not notes by rule."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from personagen.cli import app

runner = CliRunner()


def test_unsupported_files_are_listed_in_one_warning_line(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "camp")])
    notes = tmp_path / "camp" / "notes"
    for name in ("call-3.pdf", "call-4.key", "call-5.pages"):
        (notes / name).write_text("x")
    (notes / "old").mkdir()
    result = runner.invoke(
        app, ["run", str(tmp_path / "camp" / "campaign.yaml"), "--dry-run", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {notes}: skipped 4 entries (call-3.pdf, call-4.key, call-5.pages, old/): "
        "not notes (a note is .md, .txt, .vtt, .srt, .docx; subfolders are not read); convert "
        "or move them, or start a name with '_' to keep it beside the notes"
    ]
    assert result.stdout.startswith("dry run: ")
