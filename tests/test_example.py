"""The shipped example, end to end from its cassettes (no network)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from personagen.checks.grounding import normalize
from personagen.cli import app
from personagen.inputs import load_notes
from tests.helpers import EXAMPLE

runner = CliRunner()
CAMPAIGN = EXAMPLE / "campaign.yaml"


def test_example_runs_offline_and_every_quote_is_in_its_note(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "stale" not in result.output
    summary = json.loads((out / "run.json").read_text())
    assert summary["done"] == 19 and summary["failed"] == 0 and summary["model_calls"] == 0
    notes = {n.id: normalize(n.text) for n in load_notes([EXAMPLE / "notes"])}
    personas = sorted((out / "personas").glob("*.json"))
    assert len(personas) == 3
    quotes = 0
    for path in personas:
        persona = json.loads(path.read_text())
        assert persona["rejected"] == []
        assert "hand-written cassette" in persona["provenance"]["answers"]
        for section in ("goals", "pain_points", "objections", "channels", "motivations"):
            for item in persona[section]:
                for evidence in item["evidence"]:
                    assert normalize(evidence["quote"]) in notes[evidence["note_id"]]
                    quotes += 1
    assert quotes > 50
    copies = list((out / "copy").glob("*/*.json"))
    assert len(copies) == 18


def test_example_rsa_export_has_one_row_per_ad_within_limits(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    with (out / "exports" / "google_ads_editor.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9  # 3 personas x 3 variants
    for row in rows:
        headlines = [row[f"Headline {n}"] for n in range(1, 16) if row[f"Headline {n}"]]
        assert len(headlines) >= 3 and all(len(h) <= 30 for h in headlines)
        assert row["Final URL"] == "https://renewly.example/pilot"


def test_running_the_example_twice_makes_zero_calls_the_second_time(tmp_path: Path) -> None:
    first = runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(tmp_path / "a")])
    assert first.exit_code == 0
    second = runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(tmp_path / "b")])
    assert second.exit_code == 0
    summary = json.loads((tmp_path / "b" / "run.json").read_text())
    assert summary["reused"] == 19
    assert summary["model_calls"] + summary["replayed"] + summary["cache_hits"] == 0


def test_lint_passes_on_the_example_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["lint", str(out), "--brief", str(EXAMPLE / "brief.yaml")])
    assert result.exit_code == 0, result.output
