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


class RunSummary(BaseModel):
    """run.json: what a run did. Every field may be missing in a file from an older
    version; `usage` nested under its own key (an older layout) is read too."""

    model_config = ConfigDict(extra="ignore")

    run_id: str | None = None
    model: str | None = None
    jobs: int = 0
    done: int = 0
    reused: int = 0
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
        if not data.get("skipped_reasons") and isinstance(data.get("skipped_jobs"), list):
            lifted["skipped_reasons"] = {str(j): "" for j in data["skipped_jobs"]}
        return {**data, **lifted}
