"""`personagen run`: personas, then the copy matrix, as resumable jobs in the run store.

Each job has a content key (what it would send). A job whose key already has a stored
result is never paid for again, whatever run produced it; exchanges of an unfinished job
come back from the response cache. Results are written as soon as a job finishes, in a
worker thread (a file write with its fsync never stalls the requests in flight), one write
at a time in the order the jobs finished, as a plain sequential write would leave them.
A job gives back its concurrency slot before its file write, and a campaign's copy starts
while its persona files are written: each job's request waits only for its own persona's.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from personagen.errors import BudgetExceeded, GenerationError
from personagen.export.outputs import OutputFolder, merged_artifacts
from personagen.export.view_parts import ViewParts
from personagen.llm import Door, Upstream, Usage
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.changelog import Changelog
from personagen.models.persona import Persona
from personagen.models.salvage import Dropped
from personagen.pipeline.copy import (
    CopyJob,
    email_footer,
    prepare_copy,
    salvage_copy,
    to_artifact,
    tracked_links,
    unanswerable,
)
from personagen.pipeline.grounding import persona_warnings
from personagen.pipeline.personas import synthesize_personas
from personagen.run.keys import persona_key
from personagen.run.lineage import carried_over, earlier_copy, lineage_slot
from personagen.run.lock import locked_store
from personagen.run.outcomes import JobOutcome, ProgressHook, RunReport
from personagen.run.refresh import (
    Refreshes,
    changelog_line,
    extraction_line,
    previous_personas,
    refresh_key,
    unchanged,
)
from personagen.run.request import CampaignRequest, SegmentInput, request_matrix
from personagen.run.views import record_views, views_current, views_digest
from personagen.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class _Ended:
    """How a copy job's request part ended: its outcome, key, copy and what was dropped."""

    outcome: JobOutcome
    key: str
    artifact: CopyArtifact | None = None
    dropped: Sequence[Dropped] = ()


def refresh_from_brief(artifact: CopyArtifact, brief: Brief) -> CopyArtifact:
    """Reattach what the tool (not the model) adds from the brief: footer and landing page.

    They are not part of the request, so a brief change there must not cost a call, but the
    reused copy must carry the current values.
    """
    update: dict[str, object] = {"brief_id": brief.id}
    if artifact.footer is not None:
        update["footer"] = email_footer(brief)
    if artifact.final_url is not None:
        update["final_url"] = brief.offer.url
    update["tracked_urls"] = tracked_links(artifact, brief)
    return artifact.model_copy(update=update)


class CampaignEngine:
    """Runs one campaign's jobs through one door, recording everything in the store."""

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
        self.door = door
        self.store = store
        self.name = name
        self.output = output
        self.folder = OutputFolder(output)
        self.refreshes = Refreshes(self.folder)
        self.changelog: Changelog | None = None
        self.extraction: list[str] = []  # per segment: notes extracted, or from the cache
        self.progress = progress or (lambda outcome: None)
        self.run_id = store.start_run(name, source, door.settings.model)
        self.report = RunReport(self.run_id, door.settings.model, budget_usd=door.spending.limit)
        self.report.warnings += store.warnings
        self._semaphore = asyncio.Semaphore(door.settings.concurrency)
        self._write_lock = asyncio.Lock()  # FIFO: writes land in the order they were asked
        self.written: list[str] = []  # copy files this run wrote or reused (run.json)
        self._persona_files: dict[str, asyncio.Task[None]] = {}  # id -> its queued write
        self.parts: ViewParts | None = None  # the views' parts made ahead (`finish_copy`)

    async def flush(self) -> None:
        """Wait for the queued persona files; the first write that failed raises."""
        queued, self._persona_files = list(self._persona_files.values()), {}
        await asyncio.gather(*queued)

    async def _write(self, write: Callable[[], T]) -> T:
        """Run a file write off the event loop, after every write asked before it."""
        async with self._write_lock:
            return await asyncio.to_thread(write)

    def _finish(self, outcome: JobOutcome, kind: str, key: str) -> JobOutcome:
        usage = asdict(outcome.usage)
        self.store.set_job(
            self.run_id,
            outcome.job_id,
            kind,
            key,
            outcome.state,
            error=outcome.error,
            usage=usage,
            detail=outcome.detail,
        )
        self.report.outcomes.append(outcome)
        self.report.usage.add(outcome.usage)
        self.progress(outcome)
        return outcome

    def _ended(self, job_id: str, error: Exception) -> JobOutcome:
        """The outcome of a job stopped by an error: failed, or skipped for the budget."""
        usage = getattr(error, "usage", None) or Usage()
        if isinstance(error, BudgetExceeded):
            return JobOutcome(job_id, "skipped", usage, error=str(error))
        assert isinstance(error, GenerationError)
        return JobOutcome(job_id, "failed", usage, error=error.reason, detail=error.problems)

    async def personas(
        self, segment: SegmentInput, *, update: bool = False, wait: bool = True
    ) -> list[Persona]:
        """The personas of a segment: from the store when these inputs already ran.

        With `update`, the output folder's personas of this ICP are refreshed instead: the
        new synthesis is matched to them (`pipeline.refresh`); `write_refreshes` writes them.
        Without `wait`, each one's files are queued: its copy requests wait for them, and
        `flush` (or `finish_copy`) for all.
        """
        job_id = f"personas/{segment.icp.id}"
        base = persona_key(self.door.settings, segment)
        previous = previous_personas(self.folder, segment.icp.id) if update else []
        key = refresh_key(base, previous) if previous else base
        stored = self.store.get_result(key)
        if stored is not None:
            personas = [Persona.model_validate(p) for p in stored[0]["personas"]]
            if previous:
                personas = self.refreshes.add(previous, stored[0])
            self.report.warnings += persona_warnings(personas)
            self._finish(JobOutcome(job_id, "reused"), "personas", key)
        else:
            self.store.set_job(self.run_id, job_id, "personas", key, "running", attempt=True)
            try:
                run = await synthesize_personas(
                    self.door,
                    segment.icp,
                    segment.notes,
                    segment.count,
                    segment.speakers,
                    slot=self._semaphore,
                )
            except (GenerationError, BudgetExceeded) as failure:
                self._finish(self._ended(job_id, failure), "personas", key)
                return []
            personas = run.personas
            self.report.warnings += run.warnings
            self.extraction.append(extraction_line(run.extraction))
            result: dict[str, Any] = {}
            if previous:
                found = self.refreshes.refresh(previous, personas)
                personas = found.personas
                result["changelog"] = found.changelog.model_dump(mode="json")
            result["personas"] = [p.model_dump(mode="json") for p in personas]
            self.store.put_result(key, "personas", result, asdict(run.usage))
            if previous:  # refreshing the result with the same notes changes nothing
                settled = refresh_key(base, personas)
                self.store.put_result(settled, "personas", unchanged(personas), asdict(Usage()))
            self._finish(JobOutcome(job_id, "done", run.usage), "personas", key)
        if not previous and wait:
            await self._write(lambda: self.folder.write_personas(personas))
        elif not previous:
            for persona in personas:
                write = functools.partial(self.folder.write_persona, persona)
                self._persona_files[persona.id] = asyncio.create_task(self._write(write))
        return personas

    async def write_refreshes(self) -> Changelog | None:
        """Write the refreshed personas of every segment and their one changelog."""
        if self.refreshes.done:
            async with self._write_lock:
                self.changelog = await asyncio.to_thread(self.refreshes.write)
            self.report.notes += [line for line in self.extraction if line]
            self.report.notes.append(changelog_line(self.changelog))
        return self.changelog

    async def copy(self, job: CopyJob, brief: Brief) -> CopyArtifact | None:
        """One copy job: reused, generated (or what stayed valid of it), failed or skipped.

        Preparation happens under the concurrency bound too, so the first requests are not
        held back while every job of a large matrix is rendered; the file write does not,
        so no slot waits for the writes queued before it (other personas', other jobs').
        """
        why_not = unanswerable(job)
        if why_not is not None:
            self._finish(JobOutcome(job.job_id, "skipped", error=why_not), job.channel, "")
            return None
        async with self._semaphore:
            ended = await self._copy(job, brief)
        if ended.artifact is not None:
            # New copy gets its evidence rows and deck section now, while requests are in
            # flight; reused copy only if the views must be written again (`finish_copy`).
            await self._write_artifact(ended.artifact)
            if ended.outcome.state == "done" and self.parts is not None:
                self.parts.add_soon(ended.artifact, job.persona)
        self._finish(ended.outcome, job.channel, ended.key)
        if ended.artifact is not None and ended.dropped:
            self.report.warnings.append(
                f"{job.job_id}: kept {ended.artifact.channel} copy without "
                + "; ".join(f"{d.path} ({'; '.join(d.problems[:2])})" for d in ended.dropped)
            )
        return ended.artifact

    async def _copy(self, job: CopyJob, brief: Brief) -> _Ended:
        """Prepare a job, reuse its stored (or still valid earlier) copy or generate it."""
        call = prepare_copy(self.door, job, brief)
        slot = lineage_slot(self.name, job.job_id)
        stored = self.store.get_result(call.key)
        earlier = None if stored is not None else self.earlier(job, brief)
        if stored is not None or earlier is not None:
            if stored is not None:
                key, artifact = call.key, CopyArtifact.model_validate(stored[0])
                self.store.put_lineage(slot, key, job.persona.model_dump(mode="json"))
            else:
                assert earlier is not None
                key, artifact = earlier[0], carried_over(earlier[1], job.persona)
            artifact = refresh_from_brief(artifact, brief)
            return _Ended(JobOutcome(job.job_id, "reused"), key, artifact)
        persona_files = self._persona_files.get(job.persona.id)
        if persona_files is not None:  # a stopped run leaves the persona of any copy paid for
            await persona_files
        self.store.set_job(self.run_id, job.job_id, job.channel, call.key, "running", attempt=True)
        settings = self.door.settings
        try:
            generated = await self.door.generate(call)
            draft, usage, sources, dropped = generated.value, generated.usage, generated.sources, []
        except (GenerationError, BudgetExceeded) as failure:
            kept = salvage_copy(call, failure) if isinstance(failure, GenerationError) else None
            if kept is None:
                return _Ended(self._ended(job.job_id, failure), call.key)
            draft, usage, dropped = kept.value, failure.usage or Usage(), kept.dropped
            sources = {"salvaged answer"}
        artifact = to_artifact(
            job,
            brief,
            draft,
            model=settings.model,
            prompt_version=call.prompt_version,
            sources=sources,
            dropped=dropped,
        )
        self.store.put_result(
            call.key, job.channel, artifact.model_dump(mode="json"), asdict(usage)
        )
        self.store.put_lineage(slot, call.key, job.persona.model_dump(mode="json"))
        return _Ended(JobOutcome(job.job_id, "done", usage), call.key, artifact, dropped)

    def earlier(self, job: CopyJob, brief: Brief) -> tuple[str, CopyArtifact] | None:
        """Copy written for an earlier version of the job's persona that is still valid for
        today's (`run.lineage`): its key and artifact; None when the job must be generated."""
        return earlier_copy(self.door, self.store, self.name, job, brief)

    async def finish_copy(
        self, jobs: list[CopyJob], brief: Brief, *, whole: bool = False
    ) -> list[CopyArtifact]:
        """Run every copy job (each writes its JSON), then write the decks and exports.

        With `whole` (a campaign run) the jobs are all the copy the folder holds now;
        else (`copy`) copy of the personas and channels they do not address stays current.
        """
        previous = [] if whole else self.folder.current_artifacts()
        personas = list({job.persona.id: job.persona for job in jobs}.values())
        self.parts = parts = ViewParts(brief, personas)
        try:
            results = await asyncio.gather(*(self.copy(job, brief) for job in jobs))
            await self.flush()  # the persona files queued by `persona_stage`
        except BaseException:
            parts.stop()  # a stopped run writes no views: what is queued is not needed
            raise
        await asyncio.to_thread(parts.wait)
        artifacts = [a for a in results if a is not None]
        digest = views_digest(artifacts, brief, personas)
        if not views_current(self.store, self.output, digest):
            views = functools.partial(self.folder.write_views, artifacts, brief, personas, parts)
            record_views(self.store, self.output, digest, await self._write(views))
        addressed = {(job.persona.id, job.channel) for job in jobs}
        self.report.artifacts = merged_artifacts(previous, addressed, self.written)
        return artifacts

    async def _write_artifact(self, artifact: CopyArtifact) -> None:
        path = self.folder.artifact_path(artifact.persona_id, artifact.channel, artifact.stage)
        self.written.append(self.folder.relative(path))
        await self._write(lambda: self.folder.write_artifact(artifact))


def close_run(
    store: Store,
    report: RunReport,
    output: Path,
    started: float,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write `run.json` and mark the run finished in the store."""
    report.wall_seconds = time.monotonic() - started
    report.trace(store)
    if report.artifacts is None:  # no copy jobs (`personas`): the copy there stays current
        report.artifacts = OutputFolder(output).current_artifacts()
    summary = {**report.to_json(), **(extra or {})}
    OutputFolder(output).write_summary(summary)
    store.finish_run(report.run_id, "failed" if report.count("failed") else "done", summary)


async def persona_stage(engine: CampaignEngine, request: CampaignRequest) -> list[CopyJob]:
    """Personas of every segment, then the copy matrix they make."""
    persona_sets = await asyncio.gather(
        *(engine.personas(s, update=request.update, wait=False) for s in request.segments)
    )
    await engine.write_refreshes()
    return request_matrix(request, persona_sets)


async def run_campaign(
    request: CampaignRequest,
    *,
    progress: ProgressHook | None = None,
    store: Store | None = None,
    model: Upstream | None = None,
) -> RunReport:
    """Run a campaign end to end and write every output plus `run.json`.

    `model` stands in for the model server (e.g. `personagen.testing.FakeModel`).
    """
    # A second run of the same campaign waits here, then reuses what the first paid for.
    async with locked_store(request.name, [request.source], request.output, store) as db:
        started = time.monotonic()
        door = Door(request.settings, cache=db, budget_usd=request.budget_usd, upstream=model)
        async with door:
            engine = CampaignEngine(
                door,
                db,
                request.output,
                name=request.name,
                source=request.source,
                progress=progress,
            )
            jobs = await persona_stage(engine, request)
            await engine.finish_copy(jobs, request.brief, whole=True)
            stale = door.stale_warning()
            engine.report.warnings += [stale] if stale else []
        close_run(db, engine.report, request.output, started)
        return engine.report
