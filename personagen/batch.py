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
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from personagen.engine import (
    CampaignEngine,
    CampaignRequest,
    JobOutcome,
    ProgressHook,
    RunReport,
    close_run,
    persona_stage,
)
from personagen.errors import BudgetExceeded, ProviderError, SettingsError
from personagen.export.outputs import prepare_output_dir
from personagen.llm.door import Door, PreparedCall
from personagen.llm.exchange import usage_of
from personagen.llm.meter import Usage
from personagen.llm.pricing import Price
from personagen.models.brief import Brief
from personagen.pipeline.copy import CopyJob, prepare_copy, unanswerable
from personagen.store import Store, open_store

BATCH_PRICE_FACTOR = 0.5  # the Batch API bills tokens at half the live price
POLL_SECONDS = 30.0  # default wait between two status checks of a batch
POLL_ENV = "PERSONAGEN_BATCH_POLL_SECONDS"
BATCH_URL = "/v1/chat/completions"
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


def batch_usage(body: dict[str, Any], price: Price | None, factor: float) -> Usage:
    """What one batch answer cost: its tokens at `factor` times the live price, one call."""
    input_tokens, output_tokens, cached_tokens = usage_of(body)
    cost = price.cost(input_tokens, output_tokens, cached_tokens) * factor if price else 0.0
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=cached_tokens,
        cost_usd=cost,
        network_calls=1,
    )


class BatchAnswers:
    """The door's response cache in batch mode: the store, plus the batch's answers.

    Batch answers are always written to the store (they are paid for, and a run stopped
    after collecting them must find them again); other entries are read only when the
    settings enable the cache.
    """

    def __init__(self, store: Store, *, use_cache: bool) -> None:
        self.store = store
        self.use_cache = use_cache
        self._batch_keys: set[str] = set()

    def get_response(self, key: str) -> bytes | None:
        """The cached body for `key`, if any."""
        if self.use_cache or key in self._batch_keys:
            return self.store.get_response(key)
        return None

    def put_response(self, key: str, task: str, body: bytes) -> None:
        """Store a successful body under `key`."""
        if self.use_cache:
            self.store.put_response(key, task, body)

    def add_batch_answer(self, key: str, task: str, body: bytes) -> None:
        """Keep a batch answer so the job's first exchange is served from it."""
        self._batch_keys.add(key)
        self.store.put_response(key, task, body)


@dataclass
class BatchSummary:
    """What the batch stage did, for run.json."""

    batch_id: str
    status: str = ""
    resumed: bool = False
    lines: int = 0
    answered: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The summary as written to run.json."""
        return {
            "id": self.batch_id,
            "status": self.status,
            "resumed": self.resumed,
            "lines": self.lines,
            "answered": self.answered,
            "errors": self.errors,
        }


class BatchEngine(CampaignEngine):
    """The campaign engine, charging each batch-answered job its batch exchange."""

    def __init__(
        self,
        door: Door,
        store: Store,
        output: Path,
        *,
        name: str,
        source: str,
        progress: ProgressHook | None = None,
    ) -> None:
        super().__init__(door, store, output, name=name, source=source, progress=progress)
        self.charges: dict[str, Usage] = {}  # job id -> its batch exchange, until finished

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


async def _file_lines(client: Any, file_id: str | None) -> list[dict[str, Any]]:
    if not file_id:
        return []
    content = await client.files.content(file_id)
    records: list[dict[str, Any]] = []
    for text in (await content.aread()).decode("utf-8").splitlines():
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


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
        import openai

        lines = batch_lines(self.engine.door, jobs, brief)
        if not lines:
            return None
        client = self.engine.door.openai_client()
        try:
            return await self._run(client, lines, brief)
        except openai.APIStatusError as error:
            message = getattr(error, "message", "") or str(error)
            raise ProviderError(
                f"the Batch API at {self.engine.door.base_url} answered "
                f"{error.status_code}: {message.splitlines()[0] if message else ''}"
            ) from None
        except openai.APIConnectionError:
            raise ProviderError(
                f"cannot reach the Batch API at {self.engine.door.base_url}"
            ) from None

    async def _run(
        self, client: Any, lines: dict[str, BatchLine], brief: Brief
    ) -> BatchSummary | None:
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
            batch = await client.batches.retrieve(batch.id)
        summary.status = batch.status
        outputs = await _file_lines(client, batch.output_file_id)
        errors = await _file_lines(client, batch.error_file_id)
        self._collect(lines, outputs, errors, summary)
        store.add_batch(run_id, batch.id, collected_kind(self.name))
        self._status(
            f"batch {batch.id}: {batch.status}, {summary.answered} answered, "
            f"{len(summary.errors)} to run live"
        )
        return summary

    async def _resumable(self, client: Any, digest: str) -> Any | None:
        """The newest uncollected batch of this campaign sent for exactly these jobs."""
        import openai

        store = self.engine.store
        collected = set(store.batches(collected_kind(self.name)))
        sent = list(dict.fromkeys(store.batches(batch_kind(self.name))))
        for batch_id in reversed(sent):
            if batch_id in collected:
                continue
            try:
                batch = await client.batches.retrieve(batch_id)
            except openai.NotFoundError:
                continue
            if (batch.metadata or {}).get(JOBS_METADATA) == digest:
                return batch
        return None

    async def _submit(self, client: Any, lines: list[BatchLine], digest: str) -> Any:
        content = "".join(line.jsonl() + "\n" for line in lines).encode("utf-8")
        uploaded = await client.files.create(
            file=(f"personagen-{self.name}.jsonl", content, "application/jsonl"),
            purpose="batch",
        )
        return await client.batches.create(
            input_file_id=uploaded.id,
            endpoint=BATCH_URL,
            completion_window="24h",
            metadata={"personagen_kind": batch_kind(self.name)[:512], JOBS_METADATA: digest},
        )

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
    poll_seconds()  # a bad setting fails before anything is paid for
    started = time.monotonic()
    prepare_output_dir(request.output)
    with open_store(store) as db:
        answers = BatchAnswers(db, use_cache=settings.cache)
        live = replace(settings, cache=True)
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
            brief = request.brief
            pending = [job for job in jobs if job.job_id in _unfinished(door, db, jobs, brief)]
            stage = BatchStage(engine, answers, name=request.name, poll_seconds=poll_seconds())
            batch = await stage.run(pending, brief) if pending else None
            await engine.finish_copy(jobs, brief)
        extra = {"batch": batch.to_json() if batch else None}
        close_run(db, engine.report, request.output, started, extra)
        return engine.report
