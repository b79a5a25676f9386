"""`personagen lint`: every rule on a file that breaks it and one that passes, exit codes."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from personagen import channels
from personagen.cli import app
from personagen.lint import (
    BRIEF_MISSING,
    collect_files,
    lint_csv_rows,
    lint_draft,
    lint_paths,
    text_findings,
)
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS, draft_model
from tests.helpers import TEST_DATA
from tests.helpers import tiktok_channel as tiktok_entry

runner = CliRunner()
DATA = TEST_DATA / "lint"
OUT = DATA / "out"
BROKEN = DATA / "broken"
BRIEF = DATA / "brief.yaml"
CFO = OUT / "copy" / "chief-financial-officer"
FINDING_KEYS = {"file", "field", "rule", "severity", "message", "fix"}


def brief() -> Brief:
    return Brief.model_validate(yaml.safe_load(BRIEF.read_text()))


def lint_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["lint", *map(str, args), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def rules(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["severity"], f["field"]) for f in report["findings"]}


# ------------------------------------------------------------------ one rule, one broken file

# (broken file, the clean file it was edited from, rule, severity, field)
CASES = [
    ("google_rsa_hard_limit.json", "google_rsa.json", "length-hard-max", "error",
     "variants[1].headlines[2]"),
    ("google_rsa_duplicate_headline.json", "google_rsa.json", "duplicate-item", "error",
     "variants[2].headlines[4]"),
    ("google_rsa_item_count.json", "google_rsa.json", "item-count", "error",
     "variants[2].headlines"),
    ("linkedin_recommended.json", "linkedin.json", "length-recommended-max", "warning",
     "variants[1].intro_text"),
    ("meta_banned_phrase.json", "meta.json", "banned-phrase", "error",
     "variants[2].primary_text"),
    ("meta_ai_phrase.json", "meta.json", "ai-phrase", "warning", "variants[2].primary_text"),
    ("x_unsupported_claim.json", "x.json", "unsupported-claim", "error", "variants[2].text"),
    ("x_near_duplicate.json", "x.json", "near-duplicate", "error", "variants[2]"),
    ("email_bad_tokens.json", "email.json", "token", "error", "steps[1].body"),
    ("linkedin_reading_grade.json", "linkedin.json", "reading-grade", "warning",
     "variants[2].intro_text"),
    ("email_no_footer.json", "email.json", "email-opt-out", "error", "footer"),
    ("email_no_footer.json", "email.json", "email-postal-address", "error", "footer"),
    ("email_no_postal_address.json", "email.json", "email-postal-address", "error", "footer"),
]  # fmt: skip


@pytest.mark.parametrize(("broken", "clean", "rule", "severity", "field"), CASES)
def test_each_rule_flags_the_broken_file_and_passes_the_clean_one(
    broken: str, clean: str, rule: str, severity: str, field: str
) -> None:
    code, report = lint_json(BROKEN / broken, "--brief", BRIEF)
    assert (rule, severity, field) in rules(report)
    assert code == (1 if report["errors"] else 0)
    if severity == "error":
        assert code == 1

    code, report = lint_json(CFO / clean, "--brief", BRIEF)
    assert code == 0
    assert not [f for f in report["findings"] if f["rule"] == rule]


def test_every_finding_names_file_field_rule_and_a_fix() -> None:
    _, report = lint_json(BROKEN, "--brief", BRIEF)
    assert report["findings"]
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["file"].startswith(str(BROKEN))
        assert all(finding[key] for key in FINDING_KEYS)


def test_the_messages_carry_the_numbers() -> None:
    _, report = lint_json(BROKEN / "google_rsa_hard_limit.json", "--brief", BRIEF)
    (finding,) = report["findings"]
    assert "39 characters" in finding["message"] and "at most 30" in finding["message"]
    assert finding["fix"] == "cut at least 9 characters"

    _, report = lint_json(BROKEN / "x_unsupported_claim.json", "--brief", BRIEF)
    messages = " ".join(f["message"] for f in report["findings"])
    assert "'40%'" in messages and "'3 months'" in messages and "Gainsight" in messages


def test_a_hand_edited_email_without_its_footer_fails_even_without_a_brief() -> None:
    assert "footer" not in json.loads((BROKEN / "email_no_footer.json").read_text())
    code, report = lint_json(BROKEN / "email_no_footer.json")
    assert code == 1
    assert ("email-footer", "error", "footer") in rules(report)


def test_an_opt_out_line_in_the_footer_passes_whatever_the_spacing() -> None:
    artifact = json.loads((CFO / "email.json").read_text())
    footer = "  ".join(artifact["footer"].split())  # reflowed by an editor
    found = lint_draft("email", artifact["draft"], brief(), footer)
    assert not [f for f in found if f.rule.startswith("email-")]


# ------------------------------------------------------------------ clean input, no brief


def test_the_clean_output_folder_passes_with_the_brief() -> None:
    code, report = lint_json(OUT, "--brief", BRIEF)
    assert code == 0
    assert report == {"findings": [], "errors": 0, "warnings": 0}


def test_without_a_brief_the_brief_rules_are_skipped_and_a_warning_says_so() -> None:
    code, report = lint_json(BROKEN / "x_unsupported_claim.json")
    assert code == 0
    assert report["errors"] == 0 and report["warnings"] == 1
    (note,) = report["findings"]
    assert note["rule"] == "brief-missing" and note["message"] == BRIEF_MISSING
    assert "claims not checked: pass --brief" in note["message"]


def test_without_a_brief_the_brief_free_rules_still_run() -> None:
    code, report = lint_json(BROKEN / "google_rsa_hard_limit.json")
    assert code == 1
    assert ("length-hard-max", "error", "variants[1].headlines[2]") in rules(report)
    _, report = lint_json(BROKEN / "meta_banned_phrase.json")
    found = {f["rule"] for f in report["findings"]}
    assert "ai-phrase" in found and "banned-phrase" not in found


def test_a_brief_without_email_compliance_warns_that_footers_were_not_checked(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load(BRIEF.read_text())
    del data["email_compliance"]
    bare = tmp_path / "brief.yaml"
    bare.write_text(yaml.safe_dump(data))
    code, report = lint_json(CFO / "email.json", "--brief", bare)
    assert code == 0
    assert {f["rule"] for f in report["findings"]} == {"email-compliance-unchecked"}


# ------------------------------------------------------------------ CSV exports


def test_google_ads_editor_csv_rows_are_checked_per_cell() -> None:
    code, report = lint_json(BROKEN / "google_ads_editor.csv", "--brief", BRIEF)
    assert code == 1
    assert {
        ("length-hard-max", "error", "row 2.Headline 2"),
        ("duplicate-item", "error", "row 2.Headline 4"),
        ("unsupported-claim", "error", "row 3.Description 2"),
    } <= rules(report)


def test_google_ads_editor_rows_of_one_ad_group_must_differ() -> None:
    code, report = lint_json(BROKEN / "google_ads_editor_near_duplicate.csv", "--brief", BRIEF)
    assert code == 1
    assert rules(report) == {("near-duplicate", "error", "row 3")}


def test_social_review_sheets_are_checked_against_their_limits() -> None:
    code, report = lint_json(BROKEN / "linkedin.csv", "--brief", BRIEF)
    assert code == 1
    assert rules(report) == {("length-hard-max", "error", "row 2.Headline")}


@pytest.mark.parametrize("name", ["google_ads_editor.csv", "linkedin.csv", "meta.csv", "x.csv"])
def test_clean_csv_exports_pass(name: str) -> None:
    code, report = lint_json(OUT / "exports" / name, "--brief", BRIEF)
    assert code == 0
    assert report["findings"] == []


def test_google_rows_against_limits_without_files() -> None:
    rows = [
        {"Campaign": "c", "Ad group": "g", "Headline 1": "A" * 31, "Headline 2": "Two",
         "Headline 3": "Three", "Description 1": "One line.", "Description 2": "Two lines.",
         "Path 1": "", "Path 2": "deep"},
    ]  # fmt: skip
    found = {(f.rule, f.field) for f in lint_csv_rows("google_rsa", rows, None)}
    assert ("length-hard-max", "row 2.Headline 1") in found
    assert ("requires-field", "row 2.Path 2") in found


def test_an_unknown_csv_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    other = tmp_path / "notes.csv"
    other.write_text("id,comment\n1,hello\n")
    code, report = lint_json(other, "--brief", BRIEF)
    assert code == 0
    assert [f["rule"] for f in report["findings"]] == ["csv-unknown"]


# ------------------------------------------------------------------ folders and the engine


def test_a_folder_holds_copy_json_and_export_csvs_but_not_personas() -> None:
    files = collect_files([OUT])
    names = {str(p.relative_to(OUT)) for p in files}
    assert "copy/chief-financial-officer/email.json" in names
    assert "exports/google_ads_editor.csv" in names
    assert not any(n.startswith("personas/") or n == "run.json" for n in names)
    assert len(files) == 11


def test_copy_a_refresh_retired_is_not_linted_with_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    retired = out / "personas" / "history" / "20261203-071500" / "copy"
    shutil.copytree(out / "copy", retired)
    names = {str(p.relative_to(out)) for p in collect_files([out])}
    assert len(names) == 11 and not any("history" in n for n in names)
    # Named on its own, the history folder is linted like any folder.
    assert len(collect_files([retired])) == 7


def test_lint_paths_counts_errors_and_warnings() -> None:
    result = lint_paths([BROKEN / "linkedin_reading_grade.json"], brief())
    assert (result.errors, result.warnings) == (0, 1)
    assert result.as_json()["warnings"] == 1


def test_a_draft_with_missing_or_mistyped_fields_is_reported_not_raised() -> None:
    draft = {
        "variants": [
            {"headlines": "one headline", "descriptions": ["A", "B"], "addresses": ["goal-1"]},
            {"descriptions": ["C", "D"], "addresses": ["goal-1"]},
            "not a mapping",
        ]
    }
    found = {(f.rule, f.field) for f in lint_draft("google_rsa", draft, None)}
    assert ("draft-shape", "variants[1].headlines") in found
    assert ("missing-field", "variants[2].headlines") in found
    assert ("draft-shape", "variants[3]") in found
    assert {(f.rule, f.field) for f in lint_draft("x", {}, None)} == {("missing-field", "variants")}


def test_objection_handling_is_checked_too() -> None:
    artifact = json.loads((CFO / "objections.json").read_text())
    draft = artifact["draft"]
    draft["objections"][0]["response"]["proof"] = "Teams cut churn by 40% in a quarter."
    draft["talk_track"] = " ".join(["word"] * 130)
    found = {(f.rule, f.field) for f in lint_draft("objections", draft, brief())}
    assert ("unsupported-claim", "objections[1].response.proof") in found
    assert ("length-hard-max", "talk_track") in found


# ------------------------------------------------------------------ output and exit codes


def test_table_output_lists_findings_and_a_count_line() -> None:
    result = runner.invoke(app, ["lint", str(BROKEN / "x_unsupported_claim.json"), "--brief",
                                 str(BRIEF)])  # fmt: skip
    assert result.exit_code == 1
    for column in ("file", "field", "rule", "severity", "message", "fix"):
        assert column in result.stdout
    assert "unsupported-claim" in result.stdout and "variants[2].text" in result.stdout
    assert "3 errors, 0 warnings in 1 file" in result.stdout


def test_table_output_of_clean_copy_is_one_line() -> None:
    result = runner.invoke(app, ["lint", str(OUT), "--brief", str(BRIEF)])
    assert result.exit_code == 0
    assert result.stdout.strip() == "clean: 0 errors, 0 warnings in 11 files"


def test_warnings_only_exit_zero() -> None:
    code, report = lint_json(BROKEN / "meta_ai_phrase.json", "--brief", BRIEF)
    assert code == 0 and report["errors"] == 0 and report["warnings"] == 1


def test_json_output_shape() -> None:
    code, report = lint_json(BROKEN / "x_unsupported_claim.json", "--brief", BRIEF)
    assert code == 1
    assert set(report) == {"findings", "errors", "warnings"}
    assert report["errors"] == sum(f["severity"] == "error" for f in report["findings"])
    assert report["warnings"] == sum(f["severity"] == "warning" for f in report["findings"])
    assert all(set(f) == FINDING_KEYS for f in report["findings"])


def _broken_inputs(tmp_path: Path) -> dict[str, list[str]]:
    bad_json = tmp_path / "copy" / "p" / "x.json"
    bad_json.parent.mkdir(parents=True)
    bad_json.write_text('{"persona_id": "p",')
    not_artifact = tmp_path / "persona.json"
    shutil.copy(OUT / "personas" / "chief-financial-officer.json", not_artifact)
    unknown = json.loads((CFO / "x.json").read_text())
    unknown["channel"] = "tiktok"
    unknown_channel = tmp_path / "tiktok.json"
    unknown_channel.write_text(json.dumps(unknown))
    empty = tmp_path / "empty"
    empty.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    return {
        "missing path": [str(tmp_path / "nope.json")],
        "malformed JSON": [str(bad_json)],
        "not an artifact": [str(not_artifact)],
        "unknown channel": [str(unknown_channel)],
        "folder without copy": [str(empty)],
        "unsupported type": [str(text)],
        "missing brief": [str(CFO / "x.json"), "--brief", str(tmp_path / "brief.yaml")],
    }


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    for what, args in _broken_inputs(tmp_path).items():
        result = runner.invoke(app, ["lint", *args])
        assert result.exit_code == 2, what
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (what, result.output)


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["lint", "--help"])
    assert result.exit_code == 0
    assert "Example: personagen lint" in result.output


# ------------------------------------------------------------------ the registry drives lint


def test_a_token_holding_a_semicolon_keeps_its_fix_apart() -> None:
    (finding,) = text_findings("Hi {{first; name}}, quick one.", "body", None)
    assert finding.rule == "token"
    assert finding.message == "token '{{first; name}}' is not allowed"
    assert finding.fix.startswith("use only {{first_name}}")


@contextlib.contextmanager
def tiktok_channel() -> Iterator[None]:
    """A 'tiktok' ad channel registered at run time: one field, caption, at most 100."""
    channel = tiktok_entry()
    channels.register_channel(channel)
    try:

        class TikTokAd(BaseModel):
            caption: str
            addresses: list[str] = []

        @draft_model("tiktok")
        class TikTokDraft(BaseModel):
            variants: list[TikTokAd]

        yield
    finally:
        channels.unregister_channel("tiktok")
        DRAFT_MODELS.pop("tiktok", None)


def tiktok_artifact(caption: str) -> dict[str, Any]:
    artifact = json.loads((CFO / "x.json").read_text())
    artifact["channel"] = "tiktok"
    artifact["draft"] = {
        "variants": [
            {"caption": caption, "addresses": ["goal-1"]},
            {"caption": "Renewal risk in Salesforce, 45 days early.", "addresses": ["goal-2"]},
        ]
    }
    return artifact


def test_a_channel_registered_at_run_time_is_linted(tmp_path: Path) -> None:
    long_caption = "See which accounts will churn " * 5  # 150 characters
    copy = tmp_path / "copy" / "cfo" / "tiktok.json"
    copy.parent.mkdir(parents=True)
    copy.write_text(json.dumps(tiktok_artifact(long_caption)))
    sheet = tmp_path / "exports" / "tiktok.csv"
    sheet.parent.mkdir()
    sheet.write_text(f"Persona,Variant,Caption,Caption chars\ncfo,1,{long_caption},150\n")
    with tiktok_channel():
        code, report = lint_json(tmp_path, "--brief", BRIEF)
        assert code == 1
        assert {f["file"] for f in report["findings"]} == {str(copy), str(sheet)}
        found = rules(report)
        assert ("length-hard-max", "error", "variants[1].caption") in found
        assert ("length-hard-max", "error", "row 2.Caption") in found
    assert "tiktok" not in channels.channel_ids() and "tiktok" not in DRAFT_MODELS
    result = runner.invoke(app, ["lint", str(copy)])
    assert result.exit_code == 2 and "unknown channel 'tiktok'" in result.output
