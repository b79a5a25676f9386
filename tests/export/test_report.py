"""`personagen report`: one self-contained HTML page of personas, previews and lint."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.export.report import load_output, read_run_info, render_report
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona
from tests.helpers import TEST_DATA
from tests.lint.test_lint import tiktok_artifact, tiktok_channel

runner = CliRunner()
DATA = TEST_DATA / "lint"
OUT = DATA / "out"
BROKEN = DATA / "broken"
BRIEF = DATA / "brief.yaml"

# Resource references a self-contained page must not have (plain-text URLs are fine).
EXTERNAL = re.compile(
    r"""(?:\b(?:src|srcset|poster|data|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|@import""",
    re.IGNORECASE,
)


def report(tmp_path: Path, out: Path = OUT, *extra: str) -> str:
    dest = tmp_path / "site" / "report.html"
    result = runner.invoke(app, ["report", str(out), "-o", str(dest), *extra])
    assert result.exit_code == 0, result.output
    assert f"wrote {dest}" in result.stdout
    return dest.read_text("utf-8")


def personas() -> list[Persona]:
    return load_output(OUT)[0]


def test_the_report_holds_every_evidence_quote_escaped(tmp_path: Path) -> None:
    page = report(tmp_path, OUT, "--brief", str(BRIEF))
    quotes = [e.quote for p in personas() for items in p.items().values() for i in items
              for e in i.evidence]  # fmt: skip
    assert len(quotes) > 50
    for quote in quotes:
        assert html.escape(quote) in page, quote
    # Each quote names its note.
    assert page.count('<cite class="note">') == len(quotes)


def test_one_section_per_persona_and_a_navigation_list(tmp_path: Path) -> None:
    page = report(tmp_path, OUT, "--brief", str(BRIEF))
    loaded = personas()
    assert page.count('<section class="persona"') == len(loaded) == 2
    for persona in loaded:
        assert f'id="persona-{persona.id}"' in page
        assert f'href="#persona-{persona.id}"' in page
        assert html.escape(persona.name) in page and html.escape(persona.title) in page
    for channel in ("email", "google-rsa", "linkedin", "meta", "x", "objections"):
        assert f'href="#persona-chief-financial-officer-{channel}"' in page
        assert f'id="persona-chief-financial-officer-{channel}"' in page


def test_persona_cards_show_role_sections_and_confidence(tmp_path: Path) -> None:
    page = report(tmp_path)
    for label in ("Seniority", "Buying role", "Economic Buyer".lower()):
        assert label in page
    # The section titles are the Markdown card's (export/persona_card.py), in the report's order.
    titles = ("Goals and KPIs", "Pain points and challenges", "Buying objections",
              "Preferred channels", "Responsibilities and daily tasks",
              "Motivations and buying triggers")  # fmt: skip
    positions = [page.index(f"<h4>{title} ") for title in titles]
    assert positions == sorted(positions)
    assert '<span class="conf high">high</span>' in page
    assert '<span class="conf low">low</span>' in page


def test_previews_shaped_like_each_placement(tmp_path: Path) -> None:
    page = report(tmp_path, OUT, "--brief", str(BRIEF))
    for preview in ("google-ad", "linkedin-post", "meta-post", "x-post", "email-open"):
        assert f'class="preview {preview}"' in page
    # Google: 'Ad · display URL/path1/path2', then headline 1 | 2 | 3.
    assert "Ad</span> · renewly.example/churn/finance" in page
    assert "See Churn 45 Days Early | Renewal Risk in Salesforce | Payback in 5 Months" in page
    # LinkedIn and Meta draw an image placeholder; email has an inbox row and its footer.
    assert page.count('class="image-ph"') == 2 * 2 + 1 * 2  # 2 LinkedIn sets, 1 Meta set
    assert page.count('class="inbox-row"') == 3
    assert '<span class="preheader"> — A read on renewal risk' in page
    assert html.escape("Renewly Inc., 500 Market Street") in page
    assert "Talk track" in page


def test_counters_against_the_registry_limits(tmp_path: Path) -> None:
    page = report(tmp_path, OUT, "--brief", str(BRIEF))
    assert '<span class="count ok" title="23 characters (hard limit 30)">23/30</span>' in page
    assert "29/50" in page  # email subject, against the recommended 50
    assert "72/125 words" in page  # email body, in words


def test_counters_are_coloured_when_over_a_limit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    cfo = out / "copy" / "chief-financial-officer"
    shutil.copy(BROKEN / "google_rsa_hard_limit.json", cfo / "google_rsa.json")
    shutil.copy(BROKEN / "linkedin_recommended.json", cfo / "linkedin.json")
    page = report(tmp_path, out, "--brief", str(BRIEF))
    assert re.search(
        r'<span class="count over" title="over the hard limit[^"]*">39/30</span>', page
    )
    assert re.search(
        r'<span class="count warn" title="over the recommended[^"]*">201/150</span>', page
    )


def test_lint_findings_show_as_badges(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    cfo = out / "copy" / "chief-financial-officer"
    shutil.copy(BROKEN / "x_unsupported_claim.json", cfo / "x.json")
    shutil.copy(BROKEN / "email_no_footer.json", cfo / "email.json")
    page = report(tmp_path, out, "--brief", str(BRIEF))
    assert '<span class="badge error" title="variants[2].text: figure' in page
    assert "unsupported-claim ×3</span>" in page
    assert "email-opt-out" in page and "email-postal-address" in page
    assert '<span class="tally error">3 errors</span>' in page


def test_without_a_brief_the_report_says_claims_were_not_checked(tmp_path: Path) -> None:
    page = report(tmp_path)
    assert "claims not checked: pass --brief" in page


def test_run_cost_and_model_come_from_run_json(tmp_path: Path) -> None:
    page = report(tmp_path)
    assert "<b>Cost</b> $0.0412" in page
    assert "<b>Model</b> gpt-4.1-mini" in page
    assert "31,250 in · 12,480 out" in page


@pytest.mark.parametrize(
    "run_json",
    ["not json", "[1, 2]", json.dumps({"model": 3, "cost_usd": "cheap", "input_tokens": None})],
)
def test_an_odd_run_json_falls_back_to_provenance(tmp_path: Path, run_json: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    (out / "run.json").write_text(run_json)
    page = report(tmp_path, out)
    assert "<b>Model</b> gpt-4.1-mini" in page
    assert "<b>Cost</b>" not in page


def test_usage_nested_in_run_json_is_read(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(
        json.dumps({"model": "m-1", "usage": {"cost_usd": 1.5, "input_tokens": 10}})
    )
    info = read_run_info(tmp_path, [], [])
    assert (info.models, info.cost_usd, info.input_tokens) == (["m-1"], 1.5, 10)


def test_all_text_is_escaped() -> None:
    loaded, artifacts = load_output(OUT)
    evil = loaded[0].model_copy(
        update={
            "name": "<script>alert('name')</script>",
            "summary": 'Tom & "Jerry" <b>bold</b>',
        }
    )
    evil.goals[0].evidence[0].quote = "</q><img src=x onerror=alert(1)>"
    draft = json.loads(json.dumps(artifacts[-1].draft))
    draft["variants"][0]["intro_text"] = "<iframe src='https://evil.example'></iframe>"
    tainted = artifacts[-1].model_copy(update={"draft": draft})
    page = render_report([evil, loaded[1]], [*artifacts[:-1], tainted])
    assert "<script" not in page and "<img" not in page and "<iframe" not in page
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "Tom &amp; &quot;Jerry&quot; &lt;b&gt;bold&lt;/b&gt;" in page
    assert html.escape("</q><img src=x onerror=alert(1)>") in page


def test_self_contained_no_scripts_or_external_resources(tmp_path: Path) -> None:
    page = report(tmp_path, OUT, "--brief", str(BRIEF))
    assert "<script" not in page.lower()
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    # Every href is an in-page anchor.
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', page))
    assert page.count("<style>") == 1 and "@media print" in page
    # The offer URL appears as text only.
    assert "Final URL: https://renewly.example/pilot" in page


def test_the_report_is_written_atomically(tmp_path: Path) -> None:
    report(tmp_path)
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["report.html"]


def test_copy_without_a_persona_file_still_shows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    (out / "personas" / "head-of-revenue-operations.json").unlink()
    page = report(tmp_path, out)
    assert page.count('<section class="persona"') == 2
    assert "No persona file for this copy." in page


def test_personas_without_copy_render(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT / "personas", out / "personas")
    page = report(tmp_path, out)
    assert page.count("No copy written for this persona yet.") == 2


def test_missing_output_or_no_personas_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "nope", tmp_path / "empty"):
        result = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / "r.html")])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_a_broken_artifact_or_brief_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    (out / "copy" / "chief-financial-officer" / "x.json").write_text("{")
    result = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "malformed JSON" in result.output
    result = runner.invoke(
        app, ["report", str(OUT), "-o", str(tmp_path / "r.html"), "--brief", str(out)]
    )
    assert result.exit_code == 2


def test_the_brief_is_optional_in_the_pure_renderer() -> None:
    loaded, artifacts = load_output(OUT)
    brief = Brief.model_validate(yaml.safe_load(BRIEF.read_text()))
    with_brief = render_report(loaded, artifacts, brief)
    without = render_report(loaded, artifacts)
    assert "Renewly campaign" in with_brief and "Campaign report" in without
    assert "Maya Lind, Renewly" in with_brief and "Maya Lind, Renewly" in without


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert "Example: personagen report" in result.output


def test_the_report_defaults_to_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    # The report does not get in the way of linting the same folder.
    assert runner.invoke(app, ["lint", str(out)]).exit_code == 0


def test_a_replayed_run_says_nothing_was_billed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    run = {"run_id": "r-7", "model": "gpt-4.1-mini", "model_calls": 0, "replayed": 18,
           "input_tokens": 46766, "output_tokens": 8337, "cost_usd": 0.032}  # fmt: skip
    (out / "run.json").write_text(json.dumps(run))
    page = report(tmp_path, out)
    assert "<b>Cost</b> $0.0320 at live prices (replayed, nothing billed)" in page
    assert "<b>Run</b> r-7" in page and "46,766 in · 8,337 out" in page


def test_a_channel_without_its_own_preview_gets_the_generic_ad() -> None:
    loaded, artifacts = load_output(OUT)
    with tiktok_channel():
        tiktok = CopyArtifact.model_validate(
            tiktok_artifact("Churn <b>early</b> {{first_name}}. " * 5)
        )
        page = render_report(loaded, [*artifacts, tiktok])
    assert page.count('class="preview ad-post"') == 2
    assert '<section class="channel tiktok" id="persona-chief-financial-officer-tiktok">' in page
    assert '<a href="#persona-chief-financial-officer-tiktok">TikTok ads</a>' in page
    assert '<span class="meta">2 variants</span>' in page
    assert re.search(
        r'<span class="count over" title="over the hard limit[^"]*">175/100</span>', page
    )
    assert "length-hard-max</span>" in page
    assert 'Churn &lt;b&gt;early&lt;/b&gt; <span class="token">{{first_name}}</span>.' in page
