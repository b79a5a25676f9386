"""`personagen runs`, `runs show` and the report's failed-jobs section, for people."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.store import Store, process_alive
from tests.campaign_stub import write_campaign
from tests.helpers import TEST_DATA

runner = CliRunner()
OUT = TEST_DATA / "lint" / "out"
HEADERS = (
    "id",
    "status",
    "name",
    "jobs",
    "written",
    "regenerated",
    "failed",
    "skipped",
    "input tokens",
    "output tokens",
    "cost",
    "model",
    "started",
)


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_alive(child.pid)
    return child.pid


def _failed_run(store: Store) -> str:
    """A finished run with one done and one failed job, and its summary."""
    run_id = store.start_run("acme-q3", "campaign.yaml", "gpt-4.1-mini")
    store.set_job(run_id, "personas/cfo", "personas", "k1", "running", attempt=True)
    store.set_job(
        run_id,
        "personas/cfo",
        "personas",
        "k1",
        "done",
        usage={"input_tokens": 1200, "output_tokens": 300, "cost_usd": 0.0021},
    )
    for _ in range(3):
        store.set_job(run_id, "copy/cfo/google_rsa", "google_rsa", "k2", "running", attempt=True)
    store.set_job(
        run_id,
        "copy/cfo/google_rsa",
        "google_rsa",
        "k2",
        "failed",
        error="the answer broke\n2 rules after 3 tries",
        usage={"input_tokens": 900, "output_tokens": 450, "cost_usd": 0.0017},
        detail=["headlines[4]: 34 characters, over 30", "descriptions: 1 given, need 2"],
    )
    store.finish_run(
        run_id,
        "failed",
        {
            "jobs": 2,
            "done": 1,
            "reused": 0,
            "failed": 1,
            "skipped": 0,
            "input_tokens": 2100,
            "output_tokens": 750,
            "cost_usd": 0.0038,
        },
    )
    return run_id


@pytest.fixture
def store() -> Iterator[Store]:
    """The run store under this test's PERSONAGEN_HOME."""
    db = Store()
    yield db
    db.close()


def _open() -> contextlib.closing[Store]:
    return contextlib.closing(Store())


def _status(store: Store, run_id: str) -> str:
    found = store.run(run_id)
    assert found is not None
    return str(found["status"])


def _lines(output: str, needle: str) -> list[str]:
    return [line for line in output.splitlines() if needle in line]


def test_runs_prints_a_table_with_headers_and_totals(store: Store) -> None:
    run_id = _failed_run(store)
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0, result.output
    (header,) = _lines(result.output, "status")
    for name in HEADERS:
        assert name in header
    (row,) = _lines(result.output, run_id)
    assert "failed" in row and "acme-q3" in row and "gpt-4.1-mini" in row
    assert "2,100" in row and "750" in row and "$0.0038" in row


def test_runs_with_an_empty_store_says_so() -> None:
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0 and "no runs yet" in result.output


def test_a_run_left_running_by_a_dead_process_shows_interrupted(store: Store) -> None:
    run_id = store.start_run("killed", "c.yaml", "m")
    store.set_job(run_id, "personas/cfo", "personas", "k1", "done", usage={"cost_usd": 0.01})
    store.set_job(run_id, "copy/cfo/x", "x", "k2", "running", attempt=True)
    store._write("UPDATE runs SET pid = ? WHERE id = ?", (_dead_pid(), run_id))
    alive = store.start_run("alive", "c.yaml", "m")  # this process: still running
    listed = runner.invoke(app, ["runs"])
    assert listed.exit_code == 0, listed.output
    (row,) = _lines(listed.output, run_id)
    assert "interrupted" in row and "running" not in row
    assert "$0.0100" in row  # totals summed from the jobs: there is no summary
    (other,) = _lines(listed.output, alive)
    assert "running" in other
    assert _status(store, run_id) == "interrupted"  # persisted, not only shown
    shown = runner.invoke(app, ["runs", "show", run_id])
    assert shown.exit_code == 0, shown.output
    assert f"run {run_id} (interrupted)" in shown.output
    (job,) = _lines(shown.output, "copy/cfo/x")
    assert "interrupted" in job


def test_runs_from_another_host_or_without_a_pid_are_left_alone(store: Store) -> None:
    elsewhere = store.start_run("elsewhere", "c.yaml", "m")
    store._write(
        "UPDATE runs SET pid = ?, host = 'other-host' WHERE id = ?", (_dead_pid(), elsewhere)
    )
    old = store.start_run("old", "c.yaml", "m")
    store._write("UPDATE runs SET pid = NULL, host = NULL WHERE id = ?", (old,))
    assert store.settle_runs() == []
    assert _status(store, elsewhere) == _status(store, old) == "running"


def test_mark_interrupted_only_touches_running_runs(store: Store) -> None:
    run_id = _failed_run(store)
    store.mark_interrupted(run_id)
    assert _status(store, run_id) == "failed"
    running = store.start_run("r", "c.yaml", "m")
    assert store.running_run(os.getpid()) == running
    store.mark_interrupted(running)
    assert _status(store, running) == "interrupted"
    assert store.running_run(os.getpid()) is None


def test_ctrl_c_during_run_marks_this_process_run_interrupted(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import personagen.run.engine

    other = store.start_run("another process", "c.yaml", "m")
    store._write("UPDATE runs SET pid = ? WHERE id = ?", (os.getpid() + 1, other))

    async def interrupted(request: object, **_: object) -> None:
        with _open() as db:
            db.start_run("test-campaign", "campaign.yaml", "gpt-4.1-mini")
        raise KeyboardInterrupt

    monkeypatch.setattr(personagen.run.engine, "run_campaign", interrupted)
    campaign = write_campaign(tmp_path / "c", "http://127.0.0.1:9/v1")
    result = runner.invoke(app, ["run", str(campaign), "-o", str(tmp_path / "out")])
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.output
    statuses = {r["name"]: r["status"] for r in store.runs()}
    assert statuses == {"test-campaign": "interrupted", "another process": "running"}


def test_runs_show_lists_attempts_tokens_cost_and_a_one_line_reason(store: Store) -> None:
    run_id = _failed_run(store)
    result = runner.invoke(app, ["runs", "show", run_id[:17]])
    assert result.exit_code == 0, result.output
    assert f"run {run_id} (failed)" in result.output
    assert "2,100 input + 750 output tokens; cost $0.0038" in result.output
    (header,) = _lines(result.output, "attempts")
    assert "state" in header and "tokens" in header and "cost" in header
    (failed,) = _lines(result.output, "copy/cfo/google_rsa")
    assert failed.split()[1:5] == ["failed", "3", "1,350", "$0.0017"]
    assert "the answer broke 2 rules after 3 tries" in failed  # one line
    assert "2 problems; --verbose" in failed
    (done,) = _lines(result.output, "personas/cfo")
    assert done.split()[1:5] == ["done", "1", "1,500", "$0.0021"]
    assert "headlines[4]" not in result.output


def test_runs_show_verbose_lists_every_problem_under_its_job(store: Store) -> None:
    run_id = _failed_run(store)
    result = runner.invoke(app, ["runs", "show", run_id, "--verbose"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "copy/cfo/google_rsa" in line)
    assert lines[at + 1] == "      - headlines[4]: 34 characters, over 30"
    assert lines[at + 2] == "      - descriptions: 1 given, need 2"
    assert "--verbose lists them" not in result.output


def test_runs_show_of_an_unknown_run_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["runs", "show", "nope"])
    assert result.exit_code == 2
    assert result.output.startswith("error: runs: no single run matches 'nope'")


# ---------------------------------------------------------------- the report


def _run_json(out: Path, **extra: object) -> None:
    failed = [
        {
            "job_id": f"personas/segment-{n}",
            "reason": "model <script>alert(1)</script> kept breaking the schema",
            "problems": ["goals[1].evidence: quote <b>not</b> in the notes", "count: 2, need 3"],
            "input_tokens": 1000 + n,
            "output_tokens": 200,
            "cost_usd": 0.0015,
        }
        for n in range(1, 13)
    ]
    data = {
        "run_id": "20260101-000000-abcdef",
        "model": "gpt-4.1-mini",
        "jobs": 12,
        "failed": 12,
        "failures": {j["job_id"]: j["reason"] for j in failed},
        "failed_jobs": failed,
        "skipped_reasons": {},
        "input_tokens": 12078,
        "output_tokens": 2400,
        "cost_usd": 0.018,
        **extra,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps(data))


def _report(tmp_path: Path, out: Path) -> str:
    dest = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(out), "-o", str(dest)])
    assert result.exit_code == 0, result.output
    return dest.read_text("utf-8")


def test_a_run_whose_12_jobs_all_failed_still_gets_a_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run_json(out)
    page = _report(tmp_path, out)
    assert "Jobs that failed" in page
    for n in range(1, 13):
        assert f"<code>personas/segment-{n}</code>" in page
    assert "$0.0015" in page  # each job's real cost
    assert "12 jobs wrote nothing and cost $0.0180 of the run&#x27;s $0.0180" in page
    assert "1,001 in · 200 out" in page
    assert page.count("<li>count: 2, need 3</li>") == 12
    assert "No personas or copy were written by this run." in page


def test_failure_reasons_and_problems_are_escaped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run_json(out)
    page = _report(tmp_path, out)
    assert "<script>" not in page and "<b>not</b>" not in page
    assert "model &lt;script&gt;alert(1)&lt;/script&gt; kept breaking" in page
    assert "quote &lt;b&gt;not&lt;/b&gt; in the notes" in page


def test_failures_and_skips_show_above_the_personas(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    _run_json(out, skipped_reasons={"copy/cfo/meta": "budget of $0.01 <reached>"})
    page = _report(tmp_path, out)
    assert page.index('id="failed-jobs"') < page.index('class="persona"')
    assert page.index('id="skipped-jobs"') < page.index('class="persona"')
    assert "<code>copy/cfo/meta</code> budget of $0.01 &lt;reached&gt;" in page
    assert 'href="#failed-jobs"' in page


def test_a_clean_run_has_no_failures_section(tmp_path: Path) -> None:
    page = _report(tmp_path, OUT)
    assert "Jobs that failed" not in page and "failed-jobs" not in page.split("<body>")[1]


def test_an_empty_folder_is_still_an_error_without_failures(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"model": "m", "failed_jobs": []}))
    result = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "no personas found" in result.output
