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
    assert summary["done"] == 22 and summary["failed"] == 0 and summary["model_calls"] == 0
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
    # 3 personas x (awareness: 3 ad channels, consideration: 2, decision: 2)
    copies = list((out / "copy").glob("*/*/*.json"))
    assert len(copies) == 21 and not list((out / "copy").glob("*/*.json"))


def test_example_rsa_export_has_one_row_per_ad_within_limits(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    with (out / "exports" / "google_ads_editor.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9  # 3 personas x 3 variants, search ads at the consideration stage
    for row in rows:
        headlines = [row[f"Headline {n}"] for n in range(1, 16) if row[f"Headline {n}"]]
        assert len(headlines) >= 3 and all(len(h) <= 30 for h in headlines)
        assert row["Ad group"].endswith(" - Consideration")
        assert row["Final URL"].startswith(
            "https://renewly.example/pilot?utm_source=google&utm_medium=cpc"
            "&utm_campaign=q1-retention&utm_content="
        )
    assert len({r["Final URL"] for r in rows}) == 9


def test_every_export_of_the_example_holds_stage_specific_copy(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    for deck in (out / "copy").glob("*.md"):
        text = deck.read_text("utf-8")
        assert "**Stages:** Awareness, Consideration, Decision" in text
        positions = [text.index(f"## {s}: ") for s in ("Awareness", "Consideration", "Decision")]
        assert positions == sorted(positions)
    for sheet in ("linkedin.csv", "meta.csv", "x.csv"):
        with (out / "exports" / sheet).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 9 and {r["Stage"] for r in rows} == {"Awareness"}
    with (out / "exports" / "x.csv").open(newline="", encoding="utf-8") as f:
        assert all("utm_content=" in r["Post text"] for r in csv.DictReader(f))
    decision = json.loads((out / "copy/vp-of-marketing/decision/email.json").read_text())
    consideration = json.loads((out / "copy/vp-of-marketing/consideration/email.json").read_text())
    assert decision["draft"] != consideration["draft"]
    assert decision["tracked_urls"][0].endswith("utm_content=vp-of-marketing-decision-1")
    # Awareness ads ask for attention, not a meeting.
    awareness = json.loads((out / "copy/vp-of-marketing/awareness/linkedin.json").read_text())
    assert "walkthrough" not in json.dumps(awareness["draft"]).lower()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    page = (out / "report.html").read_text("utf-8")
    assert page.count('class="stage-head"') == 9  # 3 personas x 3 stages


def test_running_the_example_twice_makes_zero_calls_the_second_time(tmp_path: Path) -> None:
    first = runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(tmp_path / "a")])
    assert first.exit_code == 0
    second = runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(tmp_path / "b")])
    assert second.exit_code == 0
    summary = json.loads((tmp_path / "b" / "run.json").read_text())
    assert summary["reused"] == 22
    assert summary["model_calls"] + summary["replayed"] + summary["cache_hits"] == 0


def test_lint_passes_on_the_example_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["lint", str(out), "--brief", str(EXAMPLE / "brief.yaml")])
    assert result.exit_code == 0, result.output


def _copy_texts(value: object) -> list[str]:
    """Every text of a stored draft but ids and labels (walked apart from export.lines)."""
    from personagen.models.copy_base import NOT_COPY

    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _copy_texts(item)]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in NOT_COPY for t in _copy_texts(v)]
    return []


def test_every_line_of_the_example_copy_is_traced_in_evidence_csv(tmp_path: Path) -> None:
    from personagen.export.csv_export import text_cell
    from personagen.export.lines import paragraphs

    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    with (out / "exports" / "evidence.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    listed = {(r["Persona"], r["Stage"], r["Channel"], r["Line"]) for r in rows}
    lines = 0
    for path in sorted((out / "copy").rglob("*.json")):
        artifact = json.loads(path.read_text())
        who = f"{artifact['persona_name']} ({artifact['persona_id']})"
        key = (who, artifact.get("stage") or "", artifact["channel"])
        for text in _copy_texts(artifact["draft"]):
            for line in paragraphs(text):
                # A paragraph opening like a formula ('- a list') is quoted as text.
                assert (*key, text_cell(line)) in listed, (path, line)
                lines += 1
    assert lines > 300
    assert all(r["Traced to"] for r in rows)
    for deck in (out / "copy").glob("*.md"):
        assert "**Fit with the persona:**" in deck.read_text("utf-8")


def test_the_german_interview_grounds_items_in_its_own_words(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CAMPAIGN), "-o", str(out)]).exit_code == 0
    german = []
    for path in (out / "personas").glob("*.json"):
        persona = json.loads(path.read_text())
        assert persona["language"] == "en"  # the campaign's language: persona text in English
        german += [
            evidence["quote"]
            for section in ("pain_points", "objections", "goals")
            for item in persona[section]
            for evidence in item["evidence"]
            if evidence["note_id"] == "cs-leiterin-katrin-de"
        ]
    # Quotes stay verbatim in the language spoken.
    assert any("Kündigung" in quote for quote in german)
    assert any("Salesforce leben" in quote for quote in german)
