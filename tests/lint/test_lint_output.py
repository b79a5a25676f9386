"""Lint's output never lets data drive the terminal: no escape sequences, no rich markup."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from personagen.cli import app
from tests.helpers import TEST_DATA

runner = CliRunner()
OUT = TEST_DATA / "lint" / "out"
HOSTILE = {
    "osc8": "\x1b]8;;http://e.vil\x1b\\click\x1b]8;;\x1b\\",
    "clear": "\x1b[2J",
    "title": "\x1b]0;pwn\x07",
    "c1": "\x9b31m",
    "bidi": "\u202eevil",
    "markup": "[bold red]loud[/bold red]",
    "link": "[link=http://e.vil]here[/link]",
}
CONTROLS = ("\x1b", "\x9b", "\x07", "\u202e")


def hostile_sheet(tmp_path: Path) -> Path:
    """A review sheet whose column names and copy carry escape sequences and markup; every
    hostile column holds a formula cell, so each name shows up in a finding."""
    header = ["Persona", "Variant", "Post text", *HOSTILE.values()]
    token = "{{" + HOSTILE["clear"] + "name}}"
    row = ["p", "1", f"Hello {token} {HOSTILE['markup']}", *["=1+1"] * len(HOSTILE)]
    sheet = tmp_path / "x.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, row])
    return sheet


def test_the_table_shows_data_as_plain_text(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(hostile_sheet(tmp_path))])
    assert result.exit_code == 1
    for control in CONTROLS:
        assert control not in result.stdout
    # Markup from data is printed as written, not interpreted (and so not dropped).
    assert "[bold red]loud[/bold red]" in result.stdout
    assert "[link=http://e.vil]here[/link]" in result.stdout
    assert "row 2.click" in result.stdout and "row 2.evil" in result.stdout


def test_json_escapes_every_control_and_keeps_the_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(hostile_sheet(tmp_path)), "--format", "json"])
    assert result.exit_code == 1
    for control in CONTROLS:
        assert control not in result.stdout
    fields = {f["field"] for f in json.loads(result.stdout)["findings"]}
    assert {f"row 2.{name}" for name in HOSTILE.values()} <= fields


def test_a_run_without_a_brief_does_not_load_textstat() -> None:
    # textstat loads NLTK, which costs more than the whole run; only the grade needs it.
    script = (
        "import sys\n"
        "from personagen.cli import main\n"
        f"sys.argv = ['personagen', 'lint', {str(OUT)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(code, 'textstat' in sys.modules, 'nltk' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines()[-2:] == ["0 errors, 1 warning in 11 files", "0 False False"]


def test_a_clean_run_prints_one_line() -> None:
    result = runner.invoke(
        app, ["lint", str(OUT), "--brief", str(TEST_DATA / "lint" / "brief.yaml")]
    )
    assert result.exit_code == 0
    assert result.stdout == "clean: 0 errors, 0 warnings in 11 files\n"


def test_piped_output_is_one_tab_separated_line_per_finding(tmp_path: Path) -> None:
    sheet = tmp_path / "x.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        # Column names with a tab and a line break, each holding a formula cell.
        csv.writer(handle).writerows([["Post text", "a\tb", "c\nd"], ["Hi", "=1", "=2"]])
    result = runner.invoke(app, ["lint", str(sheet), "--max-per-rule", "1"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "file\tfield\trule\tseverity\tmessage\tfix"
    rows = [line.split("\t") for line in lines[1:-3]]
    assert [len(row) for row in rows] == [6, 6], lines  # brief-missing, one formula cell
    assert rows[1][1] == "row 2.a b"
    assert lines[-3] == f"… and 1 more formula-cell findings in {sheet}"
    assert lines[-2] == "(--max-per-rule 0 lists them all)"
    assert lines[-1] == "2 errors, 1 warning in 1 file"


def test_a_terminal_gets_a_table() -> None:
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "personagen", "lint", str(OUT)],
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(child)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while chunk := os.read(main, 4096):
            shown += chunk
    os.close(main)
    assert process.wait(timeout=120) == 0
    text = shown.decode()
    assert "┏━" in text and "brief-missing" in text and "\t" not in text
