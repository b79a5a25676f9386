"""`personagen run` (a whole campaign) and `personagen runs` (what ran, what it cost)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from personagen.cli import options
from personagen.cli.app import app, user_errors

if TYPE_CHECKING:
    from personagen.engine import JobOutcome, RunReport, SegmentInput
    from personagen.inputs.campaign import LoadedCampaign
    from personagen.llm.settings import Settings


def _settings(loaded: LoadedCampaign, flags: dict[str, object], config: Path | None) -> Settings:
    from personagen.llm.settings import resolve_settings

    campaign = loaded.campaign
    values: dict[str, object] = {
        k: v for k, v in campaign.model.model_dump().items() if v is not None
    }
    values["concurrency"] = campaign.concurrency
    values["requests_per_minute"] = campaign.rate_limits.requests_per_minute
    values["tokens_per_minute"] = campaign.rate_limits.tokens_per_minute
    if campaign.prices:
        values["prices"] = campaign.prices
    live = flags.get("provider") not in (None, "replay") or flags.get("base_url") is not None
    if campaign.replay is not None and not live:  # --provider/--base-url: go live
        values["replay_dir"] = campaign.replay
    values.update({k: v for k, v in flags.items() if v is not None})
    return resolve_settings(values, config)


def _summary(report: RunReport) -> str:
    from personagen.commands import usage_line

    data = report.to_json()
    lines = [
        f"run {data['run_id']}: {data['jobs']} jobs, {data['done']} done, {data['reused']} reused, "
        f"{data['failed']} failed, {data['skipped']} skipped (budget) in "
        f"{data['wall_seconds']:.1f}s",
        usage_line(report.usage, report.model),
    ]
    lines += [f"  failed {job}: {cause}" for job, cause in data["failures"].items()]
    if data["skipped_jobs"]:
        lines.append(f"  left undone by the budget: {', '.join(data['skipped_jobs'])}")
    return "\n".join(lines)


@app.command()
@user_errors
def run(
    campaign: Annotated[Path, typer.Argument(help="Campaign file (YAML).")],
    output: options.Output,
    budget: Annotated[
        float | None, typer.Option(help="Stop scheduling jobs before this many USD.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Print calls, tokens and cost; call nothing.")
    ] = False,
    batch_api: Annotated[
        bool, typer.Option(help="Send copy jobs through OpenAI's Batch API (half price).")
    ] = False,
    redact: Annotated[
        bool | None, typer.Option(help="Redact emails, phones and names before sending notes.")
    ] = None,
    model: options.Model = None,
    provider: options.Provider = None,
    base_url: options.BaseUrl = None,
    mode: options.Mode = None,
    replay: options.Replay = None,
    record: options.Record = None,
    rekey: options.Rekey = False,
    config: options.Config = None,
    concurrency: options.Concurrency = None,
) -> None:
    """Run a campaign: personas, then every copy job; resumable and never paid twice.

    Example: personagen run examples/saas-retention/campaign.yaml -o out/
    """
    import asyncio

    from personagen.engine import CampaignRequest, SegmentInput, check_segments, run_campaign
    from personagen.inputs.campaign import load_campaign
    from personagen.pipeline.copy import check_brief_for, check_counts, parse_channels
    from personagen.store import open_store

    loaded = load_campaign(campaign)
    spec = loaded.campaign
    channels = parse_channels(",".join(spec.channels))
    check_counts(spec.variants, spec.steps)
    check_brief_for(loaded.brief, channels, str(spec.brief))
    flags = options.settings_overrides(
        model=model,
        provider=provider,
        base_url=base_url,
        mode=mode,
        replay=replay,
        record=record,
        rekey=rekey,
        concurrency=concurrency,
    )
    settings = _settings(loaded, flags, config)
    segments = [SegmentInput(s.icp, s.notes, s.count, spec.speakers) for s in loaded.segments]
    if redact if redact is not None else spec.redact:
        segments = _redacted(segments)
    check_segments(segments)
    request = CampaignRequest(
        settings,
        segments,
        loaded.brief,
        channels,
        variants=spec.variants,
        steps=spec.steps,
        output=output,
        name=spec.name,
        source=str(campaign),
        budget_usd=budget if budget is not None else spec.budget_usd,
    )
    if dry_run:
        from personagen.estimate import plan_campaign

        with open_store() as store:
            estimate, reused = plan_campaign(request, store)
        cost = (
            "unknown (unpriced model)" if estimate.cost_usd is None else f"${estimate.cost_usd:.4f}"
        )
        typer.echo(
            f"dry run: {estimate.calls} model calls (before re-asks), {reused} jobs reused; "
            f"about {estimate.input_tokens:,} input + {estimate.output_tokens:,} output tokens; "
            f"about {cost} ({settings.model})"
        )
        return
    if batch_api:
        from personagen.batch import run_campaign_batch as runner
    else:
        runner = run_campaign
    expected_jobs = len(segments) + sum(s.count for s in segments) * len(channels)
    with _Progress(expected_jobs) as progress:
        report = asyncio.run(runner(request, progress=progress.advance))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(_summary(report))
    if report.count("failed"):
        raise typer.Exit(1)


def _redacted(segments: list[SegmentInput]) -> list[SegmentInput]:
    from personagen.engine import SegmentInput
    from personagen.redact import redact_notes

    result: list[SegmentInput] = []
    for segment in segments:
        notes, report = redact_notes(segment.notes)
        typer.echo(f"{segment.icp.id}: {report.summary()}", err=True)
        result.append(SegmentInput(segment.icp, notes, segment.count, segment.speakers))
    return result


class _Progress:
    """A rich progress bar on stderr: jobs done/failed, tokens and cost."""

    def __init__(self, expected_jobs: int) -> None:
        self.expected_jobs = expected_jobs

    def __enter__(self) -> _Progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._progress.__enter__()
        self._task = self._progress.add_task("starting", total=self.expected_jobs)
        self.done = self.failed = self.tokens = 0
        self.cost = 0.0
        return self

    def advance(self, outcome: JobOutcome) -> None:
        """Count one finished job."""
        self.failed += outcome.state == "failed"
        self.done += outcome.state in ("done", "reused")
        self.tokens += outcome.usage.input_tokens + outcome.usage.output_tokens
        self.cost += outcome.usage.cost_usd
        finished = outcome.state in ("done", "reused", "failed", "skipped")
        self._progress.update(
            self._task,
            advance=1 if finished else 0,
            description=f"{self.done} done, {self.failed} failed, {self.tokens:,} tokens, "
            f"${self.cost:.4f}; last: {outcome.job_id}",
        )

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)


runs_app = typer.Typer(
    help="Runs in the run store.\n\nExample: personagen runs", no_args_is_help=False
)
app.add_typer(runs_app, name="runs")


@runs_app.callback(invoke_without_command=True)
@user_errors
def runs(ctx: typer.Context) -> None:
    """List recent runs with their state and cost.

    Example: personagen runs
    """
    if ctx.invoked_subcommand is not None:
        return
    from personagen.store import open_store

    with open_store() as store:
        rows = store.runs()
    if not rows:
        typer.echo("no runs yet")
        return
    for row in rows:
        summary = row["summary"]
        typer.echo(
            f"{row['id']}  {row['status']:<8} {row['name']:<20} {summary.get('jobs', 0):>4} jobs "
            f"{summary.get('failed', 0):>3} failed  ${summary.get('cost_usd', 0.0):.4f}  "
            f"{row['model']}  {row['started']}"
        )


@runs_app.command("show")
@user_errors
def runs_show(run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix).")]) -> None:
    """Show a run's jobs, failures and costs.

    Example: personagen runs show 20261123-101500
    """
    from personagen.errors import InputError
    from personagen.store import open_store

    with open_store() as store:
        found = store.run(run_id)
        if found is None:
            raise InputError("runs", f"no single run matches '{run_id}'; see 'personagen runs'")
        jobs = store.jobs(found["id"])
    summary = found["summary"]
    typer.echo(
        f"run {found['id']} ({found['status']}), {found['name']}, model {found['model']}, "
        f"started {found['started']}, cost ${summary.get('cost_usd', 0.0):.4f}"
    )
    for job in jobs:
        cost = job.usage.get("cost_usd", 0.0)
        tokens = job.usage.get("input_tokens", 0) + job.usage.get("output_tokens", 0)
        line = f"  {job.job_id:<40} {job.state:<8} {tokens:>7,} tokens ${cost:.4f}"
        if job.error:
            line += f"  ({job.error})"
        typer.echo(line)
