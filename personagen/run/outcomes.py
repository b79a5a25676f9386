"""How a run's jobs ended and what the run did: the summary behind run.json and `runs`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from personagen.llm import Usage
from personagen.models.run_summary import FailedJob, RunSummary


@dataclass
class JobOutcome:
    """How one job ended; `usage` counts every exchange it made, failed ones included."""

    job_id: str
    state: str  # done | reused | failed | skipped
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    detail: list[str] = field(default_factory=list)


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
            reused=self.count("reused"),
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
        )

    def to_json(self) -> dict[str, Any]:
        """The run summary as JSON data."""
        return self.summary().model_dump(mode="json")


ProgressHook = Callable[[JobOutcome], None]
