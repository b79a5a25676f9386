"""`personagen runs` splits done jobs into written and regenerated, for new and old stores."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.store import Store

runner = CliRunner()
COUNTS = ("jobs", "written", "regenerated", "reused", "failed", "skipped")


@pytest.fixture
def store() -> Iterator[Store]:
    """The run store under this test's PERSONAGEN_HOME."""
    with contextlib.closing(Store()) as db:
        yield db


def _run(store: Store, keys: dict[str, str], summary: dict[str, object] | None) -> str:
    """A run of 'acme' whose jobs (id -> key) were done; finished with `summary` if given."""
    run_id = store.start_run("acme", "campaign.yaml", "gpt-4.1-mini")
    for job_id, key in keys.items():
        store.set_job(run_id, job_id, "x", key, "done")
    if summary is not None:
        store.finish_run(run_id, "done", summary)
    return run_id


def _counts(output: str, run_id: str) -> dict[str, int]:
    (row,) = [line for line in output.splitlines() if run_id in line]
    cells = [c.strip() for c in row.replace("┃", "│").split("│") if c.strip()]
    return dict(zip(COUNTS, (int(c) for c in cells[3:9]), strict=True))


def test_runs_shows_written_and_regenerated(store: Store) -> None:
    summary: dict[str, object] = {"jobs": 3, "done": 3, "written": 1, "regenerated": 2}
    run_id = _run(store, {"a": "k1", "b": "k2", "c": "k3"}, summary)
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "status" in line)
    assert "written" in header and "regenerated" in header
    assert _counts(result.output, run_id)["written"] == 1
    assert _counts(result.output, run_id)["regenerated"] == 2


def test_runs_derives_the_split_for_old_summaries_and_unfinished_runs(store: Store) -> None:
    first = _run(store, {"a": "k1", "b": "k2"}, {"jobs": 2, "done": 2})
    # Job b done again on other inputs: a summary from before the split, and no summary.
    second = _run(store, {"a": "k1", "b": "k2-new"}, {"jobs": 2, "done": 2})
    third = _run(store, {"b": "k2-newer"}, None)
    output = runner.invoke(app, ["runs"]).output
    assert _counts(output, first)["written"] == 2  # a later run makes nothing of it redone
    assert _counts(output, first)["regenerated"] == 0
    assert (_counts(output, second)["written"], _counts(output, second)["regenerated"]) == (1, 1)
    assert (_counts(output, third)["written"], _counts(output, third)["regenerated"]) == (0, 1)
