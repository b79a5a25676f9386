"""A run says in words what it did: reused from which run, written, regenerated, failed."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

import personagen
from personagen.cli import app
from personagen.models.run_summary import RunSummary
from personagen.run.outcomes import jobs_line
from personagen.testing.stub_server import StubServer
from tests.campaign_stub import script, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel

runner = CliRunner()


def _summary(out: Path) -> RunSummary:
    return RunSummary.model_validate_json((out / "run.json").read_text())


def test_a_run_whose_jobs_were_all_done_before_says_so(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        first = runner.invoke(app, ["run", str(campaign), "-o", str(tmp_path / "a")])
        second = runner.invoke(app, ["run", str(campaign), "-o", str(tmp_path / "b")])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "3 jobs: 3 written, 0 failed" in first.stdout and "model calls" in first.stdout
    one, two = _summary(tmp_path / "a"), _summary(tmp_path / "b")
    assert f"all 3 jobs were already done in run {one.run_id} (" in second.stdout
    assert " UTC); nothing to pay" in second.stdout and "model calls" not in second.stdout
    (origin,) = two.reused_from
    assert (origin.run_id, origin.jobs) == (one.run_id, 3) and origin.started
    assert (two.written, two.regenerated, two.reused) == (0, 0, 3)


def test_changed_inputs_are_counted_as_regenerated_and_the_rest_as_reused(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL)
    first = personagen.run_campaign(campaign, output=tmp_path / "a", model=ScriptedModel(script))
    brief = yaml.safe_load((campaign.parent / "brief.yaml").read_text())
    brief["value_propositions"] = ["Know churn risk a quarter ahead."]  # every copy prompt
    (campaign.parent / "brief.yaml").write_text(yaml.safe_dump(brief))
    personagen.run_campaign(campaign, output=tmp_path / "b", model=ScriptedModel(script))
    summary = _summary(tmp_path / "b")
    assert (summary.written, summary.regenerated, summary.reused) == (0, 2, 1)
    assert summary.done == 2 and summary.reused_from[0].run_id == first.run_id
    line = jobs_line(summary)
    assert line.startswith(f"3 jobs: 1 reused from run {first.run_id} (")
    assert line.endswith("), 0 written, 2 regenerated (inputs changed), 0 failed")


def test_new_jobs_of_another_run_name_are_written_not_regenerated(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL)
    personagen.run_campaign(campaign, output=tmp_path / "a", model=ScriptedModel(script))
    other = write_campaign(tmp_path / "d", FAKE_URL, name="other")
    brief = yaml.safe_load((other.parent / "brief.yaml").read_text())
    brief["value_propositions"] = ["Know churn risk a quarter ahead."]
    (other.parent / "brief.yaml").write_text(yaml.safe_dump(brief))
    personagen.run_campaign(other, output=tmp_path / "b", model=ScriptedModel(script))
    summary = _summary(tmp_path / "b")
    assert (summary.written, summary.regenerated, summary.reused) == (2, 0, 1)


def test_copy_after_a_persona_edit_counts_reused_and_regenerated_apart(tmp_path: Path) -> None:
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        out = tmp_path / "out"
        assert runner.invoke(app, ["run", str(campaign), "-o", str(out)]).exit_code == 0
        args = ["copy", "--personas", str(out), "--brief", str(campaign.parent / "brief.yaml")]
        args += ["--channels", "x,objections", "--variants", "2", "--base-url", stub.base_url]
        again = runner.invoke(app, [*args, "-o", str(tmp_path / "copy1")])
        assert again.exit_code == 0, again.output
        assert "all 2 jobs were already done in run " in again.stdout
        card = out / "personas" / "vp-marketing.json"
        persona = json.loads(card.read_text())
        persona["pain_points"][0]["text"] = "Churn arrives with no warning at all"
        card.write_text(json.dumps(persona))
        edited = runner.invoke(app, [*args, "-o", str(tmp_path / "copy2")])
    assert edited.exit_code == 0, edited.output
    run_id = _summary(out).run_id  # the campaign run that wrote the unchanged job
    said = edited.stdout.splitlines()[0]
    assert f": 2 jobs: 1 reused from run {run_id} (" in said
    assert said.endswith("), 0 written, 1 regenerated (inputs changed), 0 failed")


def test_a_run_json_from_before_the_split_reads_its_done_jobs_as_written() -> None:
    old = RunSummary.model_validate({"jobs": 7, "done": 5, "reused": 2})
    assert (old.written, old.regenerated) == (5, 0)
    assert jobs_line(old) == "7 jobs: 2 reused from earlier runs, 5 written, 0 failed"


def test_jobs_left_in_flight_by_a_stopped_run_are_called_unfinished() -> None:
    totals = RunSummary.model_validate({"jobs": 5, "done": 3, "running": 2})  # `job_totals`
    assert jobs_line(totals) == "5 jobs: 3 written, 0 failed, 2 unfinished"
