"""run.json: what a run did, as a typed summary written by the engine and read by the
report, `personagen runs` and anyone scripting around a run."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FailedJob(BaseModel):
    """A job that failed: why, every problem, and what its exchanges cost."""

    job_id: str
    reason: str = ""
    problems: list[str] = Field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None


class ReusedFrom(BaseModel):
    """An earlier run whose finished jobs this run reused instead of paying again."""

    run_id: str
    started: str | None = None
    jobs: int = 0


class RunSummary(BaseModel):
    """run.json: what a run did. Every field may be missing in a file from an older
    version; `usage` nested under its own key (an older layout) is read too."""

    model_config = ConfigDict(extra="ignore")

    run_id: str | None = None
    model: str | None = None
    jobs: int = 0
    # Job counts: `done` = `written` + `regenerated` (what this run paid for); `reused` came
    # from the store, done by an earlier run on the same inputs (`reused_from` says which).
    done: int = 0
    written: int = 0  # done for the first time
    regenerated: int = 0  # done before by a run of this name; redone because inputs changed
    reused: int = 0
    reused_from: list[ReusedFrom] = Field(default_factory=list)
    failed: int = 0
    skipped: int = 0
    failures: dict[str, str] = Field(default_factory=dict)
    failed_jobs: list[FailedJob] = Field(default_factory=list)
    skipped_jobs: list[str] = Field(default_factory=list)
    skipped_reasons: dict[str, str] = Field(default_factory=dict)
    model_calls: int | None = None
    replayed: int | None = None
    cache_hits: int = 0
    rate_limited: int = 0
    input_tokens: int | None = None
    cached_tokens: int | None = None  # input tokens served by the provider's prompt cache
    output_tokens: int | None = None
    cost_usd: float | None = None
    budget_usd: float | None = None
    wall_seconds: float = 0.0
    batch: dict[str, Any] | None = None
    finished: str | None = None
    # The copy files of the output folder that are current after this run (paths relative
    # to the folder): what it wrote or reused, plus what `personas`/`copy` left in place.
    # Other copy files there are from jobs the campaign no longer has. None: an older file.
    artifacts: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _older_layouts(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        usage = data.get("usage")
        lifted = (
            {k: v for k, v in usage.items() if k not in data} if isinstance(usage, dict) else {}
        )
        failed = data.get("failed_jobs")
        if not failed and isinstance(data.get("failures"), dict):  # only each failed job's reason
            lifted["failed_jobs"] = [
                {"job_id": k, "reason": v} for k, v in data["failures"].items()
            ]
        if "written" not in data and "regenerated" not in data:  # written before the split
            lifted["written"] = data.get("done", 0)
        if not data.get("skipped_reasons") and isinstance(data.get("skipped_jobs"), list):
            lifted["skipped_reasons"] = {str(j): "" for j in data["skipped_jobs"]}
        return {**data, **lifted}
