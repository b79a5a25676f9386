"""How a run's jobs ended and what the run did: the summary behind run.json and `runs`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from personagen.llm import Usage
from personagen.models.run_summary import FailedJob, ReusedFrom, RunSummary

if TYPE_CHECKING:
    from personagen.store import Store


@dataclass
class JobOutcome:
    """How one job ended; `usage` counts every exchange it made, failed ones included."""

    job_id: str
    state: str  # done | reused | failed | skipped
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    detail: list[str] = field(default_factory=list)
    origin: str | None = None  # reused: the run that did this work on the same inputs
    regenerated: bool = False  # done: a run of this name did it before, on other inputs


@dataclass
class RunReport:
    """What a run did, for the summary line, run.json and `personagen runs show`."""

    run_id: str
    model: str
    outcomes: list[JobOutcome] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    wall_seconds: float = 0.0
    budget_usd: float | None = None
    warnings: list[str] = field(default_factory=list)
    origins: dict[str, str | None] = field(default_factory=dict)  # run id -> when it started
    notes: list[str] = field(default_factory=list)  # closing-note lines, e.g. a refresh's changes
    artifacts: list[str] | None = None  # the output folder's current copy files (run.json)

    def trace(self, store: Store) -> None:
        """Find where reused jobs came from and which done jobs were redone (from the store)."""
        earlier = store.earlier_work(self.run_id)
        for outcome in self.outcomes:
            origin, redone = earlier.get(outcome.job_id, (None, False))
            if outcome.state == "reused":
                outcome.origin = outcome.origin or origin
            elif outcome.state == "done":
                outcome.regenerated = outcome.regenerated or redone
        for run_id in sorted({o.origin for o in self.outcomes if o.origin}):
            row = store.run(run_id)
            self.origins[run_id] = str(row["started"]) if row else None

    def count(self, state: str) -> int:
        """Jobs that ended in `state`."""
        return sum(1 for o in self.outcomes if o.state == state)

    def unfinished(self) -> int:
        """Jobs that failed or that the budget left undone: the command exits 1."""
        return self.count("failed") + sum(
            1
            for o in self.outcomes
            if o.state == "skipped" and (o.error or "").startswith("budget reached")
        )

    def failures(self) -> dict[str, str]:
        """Failed jobs and their causes."""
        return {o.job_id: o.error or "" for o in self.outcomes if o.state == "failed"}

    def summary(self) -> RunSummary:
        """The run summary, as stored and written to run.json."""
        return RunSummary(
            run_id=self.run_id,
            model=self.model,
            jobs=len(self.outcomes),
            done=self.count("done"),
            written=sum(o.state == "done" and not o.regenerated for o in self.outcomes),
            regenerated=sum(o.state == "done" and o.regenerated for o in self.outcomes),
            reused=self.count("reused"),
            reused_from=[
                ReusedFrom(
                    run_id=run_id,
                    started=started,
                    jobs=sum(o.origin == run_id for o in self.outcomes),
                )
                for run_id, started in self.origins.items()
            ],
            failed=self.count("failed"),
            skipped=self.count("skipped"),
            failures=self.failures(),
            failed_jobs=[
                FailedJob(
                    job_id=o.job_id,
                    reason=o.error or "",
                    problems=o.detail,
                    input_tokens=o.usage.input_tokens,
                    output_tokens=o.usage.output_tokens,
                    cost_usd=round(o.usage.cost_usd, 6),
                )
                for o in self.outcomes
                if o.state == "failed"
            ],
            skipped_jobs=[o.job_id for o in self.outcomes if o.state == "skipped"],
            skipped_reasons={
                o.job_id: o.error or "" for o in self.outcomes if o.state == "skipped"
            },
            model_calls=self.usage.network_calls,
            replayed=self.usage.replayed,
            cache_hits=self.usage.cache_hits,
            rate_limited=self.usage.rate_limited,
            input_tokens=self.usage.input_tokens,
            cached_tokens=self.usage.cached_tokens,
            output_tokens=self.usage.output_tokens,
            cost_usd=round(self.usage.cost_usd, 6),
            budget_usd=self.budget_usd,
            wall_seconds=round(self.wall_seconds, 3),
            artifacts=self.artifacts,
        )

    def to_json(self) -> dict[str, Any]:
        """The run summary as JSON data."""
        return self.summary().model_dump(mode="json")


ProgressHook = Callable[[JobOutcome], None]


def _when(started: str | None) -> str:
    """'2026-12-03 05:58 UTC' from a stored ISO time."""
    return f" ({started[:16].replace('T', ' ')} UTC)" if started else ""


def _origins(summary: RunSummary) -> str:
    """Where reused jobs came from: 'run <id> (<date>)', several runs, or earlier runs."""
    known = sorted(summary.reused_from, key=lambda r: r.started or "", reverse=True)
    named = [f"run {r.run_id}{_when(r.started)}" for r in known[:3]]
    if len(known) > 3:
        named.append(f"{len(known) - 3} more runs")
    if sum(r.jobs for r in known) < summary.reused:  # results older than their job records
        named.append("earlier runs")
    return " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


def jobs_line(summary: RunSummary) -> str:
    """What became of a run's jobs, in words: what was reused from where, written, redone."""
    if summary.jobs and summary.reused == summary.jobs:
        every = "the 1 job was" if summary.jobs == 1 else f"all {summary.jobs} jobs were"
        return f"{every} already done in {_origins(summary)}; nothing to pay"
    parts = [f"{summary.reused} reused from {_origins(summary)}"] if summary.reused else []
    parts.append(f"{summary.written} written")
    if summary.regenerated:
        parts.append(f"{summary.regenerated} regenerated (inputs changed)")
    parts.append(f"{summary.failed} failed")
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    ended = summary.done + summary.reused + summary.failed + summary.skipped
    if summary.jobs > ended:  # a run that stopped with jobs in flight
        parts.append(f"{summary.jobs - ended} unfinished")
    return f"{summary.jobs} job{'s' * (summary.jobs != 1)}: " + ", ".join(parts)
