"""The batch engine against the loopback stub: re-runs, partial re-runs, budget, dry run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.store import Store
from personagen.testing.stub_server import Reply, StubServer, tool_name
from tests.campaign_stub import script, write_campaign

runner = CliRunner()


def _run(campaign: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["run", str(campaign), "-o", str(out), *extra])
    return result.exit_code, result.output


def test_run_writes_outputs_and_a_rerun_makes_zero_calls(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, output = _run(campaign, tmp_path / "out")
        assert code == 0, output
        first = len(stub.requests)
        assert first == 4  # one extraction, one synthesis, two copy jobs
        code, output = _run(campaign, tmp_path / "out2")
        assert code == 0, output
        assert len(stub.requests) == first
    summary = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert summary["model_calls"] == 0 and summary["reused"] == 3
    assert (tmp_path / "out2" / "copy" / "vp-marketing" / "x.json").exists()
    assert (tmp_path / "out2" / "personas" / "vp-marketing.json").exists()


def test_changing_variants_reruns_only_the_ad_jobs(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        assert _run(campaign, tmp_path / "out")[0] == 0
        before = len(stub.requests)
        data = yaml.safe_load(campaign.read_text())
        data["variants"] = 3
        campaign.write_text(yaml.safe_dump(data))
        code, output = _run(campaign, tmp_path / "out")
        # The stub writes two variants: the X job is re-asked, then keeps the two valid ones.
        assert code == 0, output
    sent = stub.requests[before:]
    assert len(sent) == 3  # the answer and two re-asks (reasks=2)
    assert all(r["tools"][0]["function"]["name"] == "XPostDraft" for r in sent)
    assert "write exactly 3" in json.dumps(sent[-1]["messages"])
    summary = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary["reused"] == 2 and summary["done"] == 1 and summary["failed"] == 0
    x_copy = json.loads((tmp_path / "out" / "copy" / "vp-marketing" / "x.json").read_text())
    assert len(x_copy["draft"]["variants"]) == 2
    assert x_copy["provenance"]["answers"] == ["salvaged answer"]
    # The shortfall (2 of the 3 variants asked for) is reported, not silently accepted.
    reported = json.dumps(x_copy["rejected"]) + json.dumps(x_copy["warnings"]) + output
    assert "variants" in reported, reported


def _costly_synthesis(body: dict[str, Any], n: int) -> Reply:
    """The campaign stub, but the synthesis answer bills 10,000 output tokens ($0.016)."""
    reply = script(body, n)
    if tool_name(body) == "PersonaSetDraft":
        reply.body["usage"] = {
            "prompt_tokens": 100,
            "completion_tokens": 10_000,
            "total_tokens": 10_100,
        }
    return reply


def test_budget_stops_scheduling_and_reports_what_was_left(tmp_path: Path) -> None:
    # $0.01 admits each persona request's estimate; the synthesis then spends past it, so
    # the door refuses every copy request before it is sent.
    with StubServer(_costly_synthesis) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, output = _run(campaign, tmp_path / "out", "--budget", "0.01")
        assert code == 1, output  # work left undone by the budget: the command exits 1
        assert _tools(stub.requests) == ["NoteInsights", "PersonaSetDraft"]  # personas only
    assert "left undone by the budget" in output
    summary = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary["skipped"] == 2 and summary["failed"] == 0 and summary["done"] == 1
    assert summary["budget_usd"] == 0.01
    assert sorted(summary["skipped_reasons"]) == [
        "copy/vp-marketing/objections",
        "copy/vp-marketing/x",
    ]
    assert all(r.startswith("budget reached") for r in summary["skipped_reasons"].values())
    assert summary["output_tokens"] == 10_050


def _tools(requests: list[dict[str, Any]]) -> list[str]:
    return [tool_name(r) for r in requests]


def test_dry_run_calls_nothing(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, output = _run(campaign, tmp_path / "out", "--dry-run")
        assert code == 0, output
        assert stub.requests == []
    assert "dry run: 4 model calls" in output and "$" in output


def test_runs_lists_and_shows_jobs(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        assert _run(campaign, tmp_path / "out")[0] == 0
    (run,) = Store().runs()
    listed = runner.invoke(app, ["runs"])
    assert run["id"] in listed.output and "test-campaign" in listed.output
    shown = runner.invoke(app, ["runs", "show", run["id"][:15]])
    assert shown.exit_code == 0
    assert "copy/vp-marketing/x" in shown.output and "done" in shown.output
