"""Piped progress: plain lines at a steady pace, never one per job, never escape sequences."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app, progress
from personagen.cli.progress import PlainProgress
from personagen.llm import Usage
from personagen.run.outcomes import JobOutcome
from personagen.testing.stub_server import StubServer
from tests.campaign_stub import script, write_campaign


class Clock:
    """A fake clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _feed(total: int, seconds_per_job: float) -> tuple[list[str], list[float]]:
    clock, lines, stamps = Clock(), [], []

    def write(line: str) -> None:
        lines.append(line)
        stamps.append(clock.now)

    plain = PlainProgress(total, write, clock)
    for n in range(total):
        clock.now += seconds_per_job
        state = "reused" if n % 3 == 0 else "done"
        plain.advance(JobOutcome(f"copy/p{n}/x", state, Usage(input_tokens=10, cost_usd=0.001)))
    return lines, stamps


def test_a_fast_run_of_3000_jobs_prints_a_handful_of_lines() -> None:
    lines, stamps = _feed(3000, 1 / 128)  # 23.4 s in all (a binary fraction: exact sums)
    assert len(lines) == 4  # every 5 s at most, not one line per job
    assert all(b - a >= progress.MIN_SECONDS for a, b in zip(stamps, stamps[1:], strict=False))
    assert lines[0] == (
        "progress [5s] 640/3000 jobs (21%): 426 done, 214 reused, 0 failed, 6,400 tokens, $0.6400"
    )


def test_a_slow_run_prints_a_line_per_tenth_of_the_jobs_at_most() -> None:
    lines, _ = _feed(200, 60.0)  # an hour and more: time never holds a line back
    counts = [int(line.split()[2].split("/")[0]) for line in lines]
    assert counts == list(range(20, 200, 20))  # each tenth; the end is the summary's
    assert all("\x1b" not in line and "\r" not in line for line in lines)


def test_a_wait_without_finished_jobs_still_says_what_it_waits_for() -> None:
    clock, lines = Clock(), []
    plain = PlainProgress(10, lines.append, clock)
    plain.advance(JobOutcome("batch b-1: 3 of 10 answered", "waiting"))
    clock.now += 30
    plain.advance(JobOutcome("batch b-1: 7 of 10 answered", "waiting"))
    assert lines == ["progress [30s] waiting: batch b-1: 7 of 10 answered"]


def test_a_piped_run_prints_plain_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)  # only the share of jobs paces lines
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url, channels=["x", "objections"])
        result = CliRunner().invoke(app, ["run", str(campaign), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("progress")]
    assert [line.split()[2] for line in said] == ["1/3", "2/3"]
    assert "\x1b" not in result.stderr
