"""`personagen run --batch-api`: the copy matrix through OpenAI's Batch API, at half price.

Personas run live, exactly as in `run_campaign`. Each copy job still to do is prepared
once (the same prepared call the live path sends), and the first requests go out as one
batch. Each answer the batch returns is put in the response cache under the key of its
request; then every job runs through the normal live path, where that first exchange is a
cache hit and is validated by the same models and validators. An invalid answer is
re-asked live (within the budget, like any live request); a job the batch failed or left
out runs fully live.

The batch id is kept in the run store before waiting, so an interrupted wait resumes: a
later run of the same campaign with the same jobs polls that batch instead of sending a
new one.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from personagen.errors import BudgetExceeded, ProviderError, SettingsError
from personagen.llm import BATCH_ENDPOINT as BATCH_URL
from personagen.llm import BatchAPI, Door, PreparedCall, Usage
from personagen.models.brief import Brief
from personagen.pipeline.copy import CopyJob, prepare_copy, unanswerable
from personagen.run.batch_answers import BatchAnswers, BatchSummary, batch_usage
from personagen.run.engine import CampaignEngine, close_run, persona_stage
from personagen.run.lock import locked_store
from personagen.run.outcomes import JobOutcome, ProgressHook, RunReport
from personagen.run.request import CampaignRequest
from personagen.store import Store

BATCH_PRICE_FACTOR = 0.5  # the Batch API bills tokens at half the live price
POLL_SECONDS = 30.0  # default wait between two status checks of a batch
POLL_ENV = "PERSONAGEN_BATCH_POLL_SECONDS"
TERMINAL_STATUSES = frozenset({"completed", "failed", "expired", "cancelled"})
JOBS_METADATA = "personagen_jobs"  # batch metadata: digest of the jobs it answers


def poll_seconds() -> float:
    """Seconds between two status checks: $PERSONAGEN_BATCH_POLL_SECONDS, else POLL_SECONDS."""
    value = os.environ.get(POLL_ENV, "").strip()
    if not value:
        return POLL_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise SettingsError(f"{POLL_ENV}={value!r}: expected seconds between 0 and 3600")
    return seconds


def batch_kind(name: str) -> str:
    """The store kind of a campaign's copy batches."""
    return f"copy:{name}"


def collected_kind(name: str) -> str:
    """The store kind marking a campaign's batches whose answers were already collected."""
    return f"copy-collected:{name}"


@dataclass(frozen=True)
class BatchLine:
    """One copy job's first request (its prepared call) and its response-cache key."""

    job: CopyJob
    call: PreparedCall

    @property
    def key(self) -> str:
        """The response-cache key of the request (the job's key)."""
        return self.call.key

    @property
    def task(self) -> str:
        """The prompt task of the job."""
        return self.call.task

    def jsonl(self) -> str:
        """The line of the batch input file."""
        line = {
            "custom_id": self.job.job_id,
            "method": "POST",
            "url": BATCH_URL,
            "body": self.call.body,
        }
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def jobs_digest(lines: Iterable[BatchLine]) -> str:
    """What a batch must have been sent for to answer these jobs: ids and request keys."""
    pairs = sorted((line.job.job_id, line.key) for line in lines)
    return hashlib.sha256(json.dumps(pairs).encode("utf-8")).hexdigest()


def batch_lines(door: Door, jobs: list[CopyJob], brief: Brief) -> dict[str, BatchLine]:
    """The first request of each job, by job id, prepared exactly as the live path sends it."""
    lines: dict[str, BatchLine] = {}
    for job in jobs:
        if unanswerable(job) is None:
            call = prepare_copy(door, job, brief)
            lines[job.job_id] = BatchLine(job, call)
    return lines


class BatchEngine(CampaignEngine):
    """The campaign engine, charging each batch-answered job its batch exchange."""

    @functools.cached_property
    def charges(self) -> dict[str, Usage]:
        """Job id -> the cost of its batch exchange, until the job finishes."""
        return {}

    def admit(self, lines: list[BatchLine], factor: float) -> list[BatchLine]:
        """The lines the budget lets into a batch, at the batch price, in order."""
        spending, price = self.door.spending, self.door.transport.price
        admitted: list[BatchLine] = []
        reserved: list[float] = []
        for line in lines:
            try:
                reserved.append(
                    spending.reserve(
                        price, line.call.input_tokens, line.call.output_tokens, factor=factor
                    )
                )
            except BudgetExceeded:
                continue
            admitted.append(line)
        for amount in reserved:  # the answers are charged when collected
            spending.release(amount)
        return admitted

    def charge(self, job_id: str, usage: Usage) -> None:
        """Record a batch answer's cost: spent now, added to the job when it finishes."""
        self.charges[job_id] = usage
        self.door.spending.spend(usage.cost_usd)

    def _finish(self, outcome: JobOutcome, kind: str, key: str) -> JobOutcome:
        charge = self.charges.pop(outcome.job_id, None)
        if charge is not None:
            usage = Usage()
            usage.add(outcome.usage)
            usage.add(charge)
            if usage.cache_hits:  # the batch answer came back through the cache: not a hit
                usage.cache_hits -= 1
            outcome = replace(outcome, usage=usage)
        return super()._finish(outcome, kind, key)


def _status_line(batch: Any) -> str:
    counts = getattr(batch, "request_counts", None)
    done = f", {counts.completed + counts.failed}/{counts.total} answered" if counts else ""
    return f"batch {batch.id}: {batch.status}{done}"


def _error_text(record: dict[str, Any], response: dict[str, Any]) -> str:
    error = record.get("error")
    if not isinstance(error, dict):
        body = response.get("body")
        error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    status = response.get("status_code") or "no status"
    return f"{status}: {message or 'no answer'}"[:300]


class BatchStage:
    """Sends (or resumes) the batch of a campaign's copy jobs and collects its answers."""

    def __init__(
        self,
        engine: BatchEngine,
        answers: BatchAnswers,
        *,
        name: str,
        poll_seconds: float,
    ) -> None:
        self.engine = engine
        self.answers = answers
        self.name = name
        self.poll_seconds = poll_seconds
        door = engine.door
        self.factor = door.transport.price_factor * BATCH_PRICE_FACTOR
        self.price = door.transport.price

    def _status(self, text: str) -> None:
        self.engine.progress(JobOutcome(text, "waiting"))

    async def run(self, jobs: list[CopyJob], brief: Brief) -> BatchSummary | None:
        """Answer what it can of `jobs` by batch; None when no batch was needed."""
        lines = batch_lines(self.engine.door, jobs, brief)
        if not lines:
            return None
        return await self._run(BatchAPI(self.engine.door), lines)

    async def _run(self, client: BatchAPI, lines: dict[str, BatchLine]) -> BatchSummary | None:
        store, run_id, kind = self.engine.store, self.engine.run_id, batch_kind(self.name)
        digest = jobs_digest(lines.values())
        batch = await self._resumable(client, digest)
        if batch is not None:
            store.add_batch(run_id, batch.id, kind)
            summary = BatchSummary(batch.id, resumed=True)
            self._status(f"resuming batch {batch.id}")
        else:
            fresh = [line for line in lines.values() if self.answers.get_response(line.key) is None]
            admitted = self.engine.admit(fresh, BATCH_PRICE_FACTOR)
            if not admitted:
                return None
            batch = await self._submit(client, admitted, digest)
            store.add_batch(run_id, batch.id, kind)  # before waiting: a stopped wait resumes
            summary = BatchSummary(batch.id, lines=len(admitted))
            self._status(f"batch {batch.id}: sent {len(admitted)} copy jobs")
        while batch.status not in TERMINAL_STATUSES:
            self._status(_status_line(batch))
            await asyncio.sleep(self.poll_seconds)
            batch = await client.retrieve(batch.id)
            if batch is None:
                raise ProviderError(f"batch {summary.batch_id} is no longer known to the server")
        summary.status = batch.status
        outputs = await client.records(batch.output_file_id)
        errors = await client.records(batch.error_file_id)
        self._collect(lines, outputs, errors, summary)
        store.add_batch(run_id, batch.id, collected_kind(self.name))
        self._status(
            f"batch {batch.id}: {batch.status}, {summary.answered} answered, "
            f"{len(summary.errors)} to run live"
        )
        return summary

    async def _resumable(self, client: BatchAPI, digest: str) -> Any | None:
        """The newest uncollected batch of this campaign sent for exactly these jobs."""
        store = self.engine.store
        collected = set(store.batches(collected_kind(self.name)))
        sent = list(dict.fromkeys(store.batches(batch_kind(self.name))))
        for batch_id in reversed(sent):
            if batch_id in collected:
                continue
            batch = await client.retrieve(batch_id)
            if batch is not None and (batch.metadata or {}).get(JOBS_METADATA) == digest:
                return batch
        return None

    async def _submit(self, client: BatchAPI, lines: list[BatchLine], digest: str) -> Any:
        content = "".join(line.jsonl() + "\n" for line in lines).encode("utf-8")
        metadata = {"personagen_kind": batch_kind(self.name)[:512], JOBS_METADATA: digest}
        return await client.submit(self.name, content, metadata)

    def _collect(
        self,
        lines: dict[str, BatchLine],
        outputs: list[dict[str, Any]],
        errors: list[dict[str, Any]],
        summary: BatchSummary,
    ) -> None:
        """Cache each valid-looking answer under its request's key; note the others."""
        for record in [*outputs, *errors]:
            line = lines.get(str(record.get("custom_id")))
            if line is None or line.job.job_id in self.engine.charges:
                continue
            response = record.get("response")
            response = response if isinstance(response, dict) else {}
            body = response.get("body")
            if (
                response.get("status_code") == 200
                and not record.get("error")
                and isinstance(body, dict)
                and body.get("choices")
            ):
                encoded = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.answers.add_batch_answer(line.key, line.task, encoded)
                self.engine.charge(line.job.job_id, batch_usage(body, self.price, self.factor))
                summary.errors.pop(line.job.job_id, None)
            else:
                summary.errors[line.job.job_id] = _error_text(record, response)
        summary.answered = len(self.engine.charges)
        summary.lines = summary.lines or len(outputs) + len(errors)


def _unfinished(door: Door, store: Store, jobs: list[CopyJob], brief: Brief) -> set[str]:
    """Ids of the jobs with no stored result yet."""
    lines = batch_lines(door, jobs, brief)
    return {job_id for job_id, line in lines.items() if store.get_result(line.key) is None}


async def run_campaign_batch(
    request: CampaignRequest,
    *,
    progress: ProgressHook | None = None,
    store: Store | None = None,
) -> RunReport:
    """Run a campaign with its copy jobs sent through the Batch API; write `run.json`.

    Same arguments as `run_campaign`; the wait between status checks is `poll_seconds()`.
    """
    settings = request.settings
    if settings.provider == "replay" or settings.replay_dir is not None:
        raise SettingsError(
            "--batch-api sends the copy jobs to the Batch API; it cannot answer from --replay "
            "cassettes (run without --batch-api)"
        )
    if not settings.spec.batch_api:
        raise SettingsError(
            f"provider '{settings.provider}' has no Batch API; run without --batch-api"
        )
    poll_seconds()  # a bad setting fails before anything is paid for
    async with locked_store(request.name, [request.source], request.output, store) as db:
        started = time.monotonic()
        answers = BatchAnswers(db, use_cache=settings.cache)
        live = settings.model_copy(update={"cache": True})
        async with Door(live, cache=answers, budget_usd=request.budget_usd) as door:
            engine = BatchEngine(
                door,
                db,
                request.output,
                name=request.name,
                source=request.source,
                progress=progress,
            )
            jobs = await persona_stage(engine, request)
            await engine.flush()  # the persona files before a batch that may take hours
            brief = request.brief
            unfinished = _unfinished(door, db, jobs, brief)
            # Copy still valid for a changed persona (`run.lineage`) is reused, not batched.
            pending = [j for j in jobs if j.job_id in unfinished and not engine.earlier(j, brief)]
            stage = BatchStage(engine, answers, name=request.name, poll_seconds=poll_seconds())
            batch = await stage.run(pending, brief) if pending else None
            await engine.finish_copy(jobs, brief, whole=True)
        extra = {"batch": batch.to_json() if batch else None}
        close_run(db, engine.report, request.output, started, extra)
        return engine.report
