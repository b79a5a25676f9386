"""Cells and copy a spreadsheet would run as a formula are errors naming file, row, column."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.lint import formula_finding, lint_csv_rows, lint_draft
from tests.helpers import TEST_DATA

runner = CliRunner()
OUT = TEST_DATA / "lint" / "out"
CFO = OUT / "copy" / "chief-financial-officer"
META = ["Persona", "Variant", "Primary text", "Primary chars", "Headline", "Headline chars",
        "Description", "Description chars", "Website URL", "Addresses"]  # fmt: skip

# Values a spreadsheet reads as a formula (OWASP CSV injection), and the trigger named.
FORMULAS = {
    '=HYPERLINK("//e.vil","Go")': "'='",
    "+1+cmd|' /C calc'!A0": "'+'",
    "-2+3+cmd|' /C calc'!A0": "'-'",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@'",
    "\t=1+1": "'\\t'",
    "\rcalc": "'\\r'",
    "   =1+1": "'='",
    "\u3000=1+1": "'='",  # an ideographic space first
    "＝1+1": "'＝'",
    "＋cmd": "'＋'",
    "－30%": "'－'",
    "＠SUM(A1)": "'＠'",
}
SAFE = ['\'=HYPERLINK("//e.vil")', "'@SUM(1)", "'-30% fees", "Save 30% = less churn", "a-b", ""]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def lint_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["lint", *map(str, args), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def formulas(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (f["file"], f["field"], f["severity"])
        for f in report["findings"]
        if f["rule"] == "formula-cell"
    }


def meta_row(**cells: str) -> list[str]:
    row = dict.fromkeys(META, "")
    row.update({"Persona": "p", "Variant": "1", "Primary text": "Plain copy", **cells})
    return [row[c] for c in META]


@pytest.mark.parametrize("value", sorted(FORMULAS))
def test_a_formula_in_any_review_sheet_column_is_an_error(tmp_path: Path, value: str) -> None:
    sheet = write_csv(
        tmp_path / "meta.csv",
        [META, meta_row(), meta_row(**{"Primary text": value}), meta_row(Persona=value)],
    )
    code, report = lint_json(sheet)
    assert code == 1
    assert formulas(report) == {
        (str(sheet), "row 3.Primary text", "error"),
        (str(sheet), "row 4.Persona", "error"),
    }
    (first, *_) = [f for f in report["findings"] if f["rule"] == "formula-cell"]
    assert FORMULAS[value] in first["message"] and "formula" in first["message"]
    assert "single quote" in first["fix"]


@pytest.mark.parametrize("value", SAFE)
def test_neutralised_and_plain_cells_pass(tmp_path: Path, value: str) -> None:
    sheet = write_csv(tmp_path / "meta.csv", [META, meta_row(Headline=value)])
    _, report = lint_json(sheet)
    assert formulas(report) == set()


def test_a_neutralised_cell_is_held_to_its_limits_without_the_quote(tmp_path: Path) -> None:
    headline = "-" + "x" * 39  # 40 characters: Meta's recommended maximum, not over it
    sheet = write_csv(tmp_path / "meta.csv", [META, meta_row(Headline="'" + headline)])
    _, report = lint_json(sheet)
    assert [f["rule"] for f in report["findings"]] == ["brief-missing"]


def test_the_header_and_cells_past_it_are_checked_too(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "exports" / "notes.csv",
        [["id", "=cmd|' /C calc'!A0"], ["1", "hello", "@extra"]],
    )
    code, report = lint_json(sheet)
    assert code == 1
    assert formulas(report) == {
        (str(sheet), "row 1.column 2", "error"),
        (str(sheet), "row 2.column 3", "error"),
    }
    assert "csv-unknown" in {f["rule"] for f in report["findings"]}


def test_a_google_ads_editor_file_must_change_the_text_itself(tmp_path: Path) -> None:
    with (OUT / "exports" / "google_ads_editor.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("Headline 2")] = "=1+1"
    rows[2][rows[0].index("Ad group")] = "@SUM(1)"
    sheet = write_csv(tmp_path / "google_ads_editor.csv", rows)
    code, report = lint_json(sheet)
    assert code == 1
    assert formulas(report) == {
        (str(sheet), "row 2.Headline 2", "error"),
        (str(sheet), "row 3.Ad group", "error"),
    }
    fixes = {f["fix"] for f in report["findings"] if f["rule"] == "formula-cell"}
    assert all("single quote" not in fix for fix in fixes)


def test_lint_csv_rows_checks_every_mapping_cell_and_dictreader_extras() -> None:
    rows: list[dict[Any, Any]] = [
        {"Persona": "p", "Primary text": "ok", None: ["fine", "+extra"]},
        {"Persona": "-p", "Primary text": "ok"},
    ]
    found = {(f.rule, f.field) for f in lint_csv_rows("meta", rows, None)}
    assert ("formula-cell", "row 2.column 4") in found
    assert ("formula-cell", "row 3.Persona") in found


def test_copy_in_a_draft_that_starts_like_a_formula_is_an_error(tmp_path: Path) -> None:
    artifact = json.loads((CFO / "meta.json").read_text())
    artifact["draft"]["variants"][1]["headline"] = '=HYPERLINK("//e.vil","Go")'
    artifact["persona_title"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(artifact))
    code, report = lint_json(path)
    assert code == 1
    assert formulas(report) == {
        (str(path), "variants[2].headline", "error"),
        (str(path), "persona_title", "error"),
    }


def test_the_clean_example_output_has_no_formula_cells() -> None:
    _, report = lint_json(OUT)
    assert formulas(report) == set()


def test_formula_finding_agrees_with_the_triggers_of_every_draft_field() -> None:
    draft = json.loads((CFO / "x.json").read_text())["draft"]
    draft["variants"][0]["text"] = "\t" + draft["variants"][0]["text"]
    found = [f for f in lint_draft("x", draft, None) if f.rule == "formula-cell"]
    assert [(f.field, f.severity) for f in found] == [("variants[1].text", "error")]
    assert formula_finding("Plain", "f") is None
