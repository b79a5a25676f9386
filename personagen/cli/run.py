"""`personagen run` (a whole campaign) and `personagen runs` (what ran, what it cost)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from personagen.cli import options
from personagen.cli.app import app, user_errors
from personagen.cli.personas import FollowSymlinks
from personagen.cli.progress import job_progress
from personagen.cli.runs_diff import runs_diff
from personagen.cli.terminal import echo, plain

if TYPE_CHECKING:
    from personagen.models.run_summary import RunSummary
    from personagen.run.outcomes import RunReport
    from personagen.store import Store


def _summary(report: RunReport) -> str:
    from personagen.run.commands import usage_line
    from personagen.run.outcomes import jobs_line

    summary = report.summary()
    lines = [f"run {summary.run_id} ({summary.wall_seconds:.1f}s): {jobs_line(summary)}"]
    lines += report.notes
    if summary.reused < summary.jobs:  # something was called for (or failed)
        lines.append(usage_line(report.usage, report.model))
    lines += [f"  failed {job}: {cause}" for job, cause in summary.failures.items()]
    budget = [j for j, why in summary.skipped_reasons.items() if why.startswith("budget reached")]
    if budget:
        lines.append(f"  left undone by the budget: {', '.join(budget)}")
    lines += [
        f"  skipped {job}: {why}"
        for job, why in summary.skipped_reasons.items()
        if job not in budget and why
    ]
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
    rekey_in_place: options.RekeyInPlace = False,
    config: options.Config = None,
    concurrency: options.Concurrency = None,
    language: options.Language = None,
    follow_symlinks: FollowSymlinks = True,
) -> None:
    """Run a campaign: personas, then every copy job; resumable and never paid twice.

    Example: personagen run examples/saas-retention/campaign.yaml -o out/
    """
    import asyncio

    from personagen.inputs.campaign import load_campaign
    from personagen.run.engine import run_campaign
    from personagen.run.request import campaign_request, campaign_settings
    from personagen.store import open_store

    loaded = load_campaign(
        campaign,
        follow_symlinks=follow_symlinks,
        warn=lambda line: echo(f"warning: {line}", err=True),
    )
    flags = options.settings_overrides(
        model=model,
        provider=provider,
        base_url=base_url,
        mode=mode,
        replay=replay,
        record=record,
        rekey=rekey,
        rekey_in_place=rekey_in_place,
        concurrency=concurrency,
        language=language,
    )
    settings = campaign_settings(loaded, flags, config, require_key=not dry_run)
    options.announce_rekey(settings)
    request = campaign_request(
        loaded,
        settings,
        output,
        budget_usd=options.checked_budget(budget),
        redact=redact,
        say=lambda line: echo(line, err=True),
        dry_run=dry_run,
    )
    if dry_run:
        from personagen.run.plan import plan_campaign

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
        from personagen.run.batch import run_campaign_batch as runner
    else:
        runner = run_campaign
    segments, channels = request.segments, request.channels
    expected_jobs = len(segments) + sum(s.count for s in segments) * len(channels)
    with job_progress(expected_jobs) as progress:
        try:
            report = asyncio.run(runner(request, progress=progress))
        except KeyboardInterrupt:
            _mark_interrupted()
            raise
    for warning in report.warnings:
        echo(f"warning: {warning}", err=True)
    echo(_summary(report))
    if report.unfinished():
        raise typer.Exit(1)


def _mark_interrupted() -> None:
    """Mark this process's unfinished run interrupted (best effort: Ctrl-C must still stop)."""
    import os

    from personagen.errors import StoreError
    from personagen.store import open_store

    try:
        with open_store() as store:
            run_id = store.running_run(os.getpid())
            if run_id is not None:
                store.mark_interrupted(run_id)
    except (StoreError, OSError):  # the store's own errors come as StoreError
        pass


runs_app = typer.Typer(
    help="Runs in the run store.\n\nExample: personagen runs", no_args_is_help=False
)
app.add_typer(runs_app, name="runs")
runs_app.command("diff")(runs_diff)

_STATUS_STYLES = {"done": "green", "failed": "red", "interrupted": "yellow", "running": "cyan"}


def _totals(store: Store, row: dict[str, Any]) -> RunSummary:
    """The run's summary, or (for a run that never finished) totals summed from its jobs."""
    from pydantic import ValidationError

    from personagen.models.run_summary import RunSummary

    summary = row["summary"]
    if summary and "regenerated" not in summary:  # kept before the split: from its jobs
        totals = store.job_totals(row["id"])
        summary = {**summary, "written": totals["written"], "regenerated": totals["regenerated"]}
    try:
        return RunSummary.model_validate(summary or store.job_totals(row["id"]))
    except ValidationError:  # a summary written by hand or damaged: show what the jobs say
        return RunSummary.model_validate(store.job_totals(row["id"]))


def _when(stamp: str) -> str:
    """A stored ISO time as 'YYYY-MM-DD HH:MM:SS' (UTC), or as stored when odd."""
    return stamp.replace("T", " ").removesuffix("+00:00")


def _money(value: object) -> str:
    return f"${float(value):.4f}" if isinstance(value, int | float) else "-"


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _one_line(text: str, limit: int = 200) -> str:
    """Whitespace folded to single spaces, cut at `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@runs_app.callback(invoke_without_command=True)
@user_errors
def runs(ctx: typer.Context) -> None:
    """List recent runs with their state, jobs, tokens and cost.

    A run whose process ended without finishing it shows as 'interrupted'.

    Example: personagen runs
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from personagen.store import open_store

    with open_store() as store:
        store.settle_runs()
        rows = [(row, _totals(store, row)) for row in store.runs()]
    if not rows:
        typer.echo("no runs yet")
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or captured output: wide enough that rows do not wrap into slivers.
        console = Console(highlight=False, width=200)
    table = Table(header_style="bold", expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("name", overflow="fold")
    # `done` split: written for the first time, or regenerated because inputs changed.
    counts = ("jobs", "written", "regenerated", "reused", "failed", "skipped")
    for name in counts:
        table.add_column(name, justify="right")
    table.add_column("input tokens", justify="right")
    table.add_column("output tokens", justify="right")
    table.add_column("cost", justify="right")
    table.add_column("model", overflow="fold")
    table.add_column("started", no_wrap=True)
    for row, totals in rows:
        status = str(row["status"])
        table.add_row(
            plain(row["id"]),
            plain(status, _STATUS_STYLES.get(status, "")),
            plain(row["name"]),
            *(str(getattr(totals, k)) for k in counts),
            f"{totals.input_tokens or 0:,}",
            f"{totals.output_tokens or 0:,}",
            _money(totals.cost_usd or 0.0),
            plain(row["model"]),
            _when(str(row["started"])),
        )
    console.print(table)


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix).")],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list every problem of a failed job.")
    ] = False,
) -> None:
    """Show a run's jobs: state, attempts, tokens, cost and why a job failed.

    Example: personagen runs show 20261123-101500
    """
    from personagen.errors import InputError
    from personagen.run.commands import cached_input
    from personagen.run.outcomes import jobs_line
    from personagen.store import open_store

    with open_store() as store:
        store.settle_runs()
        found = store.run(run_id)
        if found is None:
            raise InputError("runs", f"no single run matches '{run_id}'; see 'personagen runs'")
        jobs = store.jobs(found["id"])
        totals = _totals(store, found)
    status = str(found["status"])
    echo(
        f"run {found['id']} ({status}), {found['name']}, model {found['model']}, "
        f"started {_when(str(found['started']))}"
    )
    typer.echo(
        f"{jobs_line(totals)}; "
        f"{totals.input_tokens or 0:,} input{cached_input(totals.cached_tokens)} + "
        f"{totals.output_tokens or 0:,} "
        f"output tokens; cost {_money(totals.cost_usd or 0.0)}"
    )
    if not jobs:
        typer.echo("no jobs recorded")
        return
    width = max(len("job"), *(len(j.job_id) for j in jobs))
    typer.echo(
        f"  {'job':<{width}}  {'state':<11} {'attempts':>8} {'tokens':>9} {'cost':>9}  reason"
    )
    for job in jobs:
        state = job.state
        if state == "running" and status != "running":
            state = "interrupted"  # its run stopped while this job was in flight
        tokens = _int(job.usage.get("input_tokens")) + _int(job.usage.get("output_tokens"))
        line = (
            f"  {job.job_id:<{width}}  {state:<11} {job.attempts:>8} {tokens:>9,} "
            f"{_money(job.usage.get('cost_usd', 0.0)):>9}"
        )
        if job.error:
            line += f"  {_one_line(job.error)}"
        if job.detail and not verbose:
            n = len(job.detail)
            line += f" ({n} problem{'s' * (n != 1)}; --verbose lists them)"
        echo(line.rstrip())
        if verbose:
            for problem in job.detail:
                echo(f"      - {_one_line(problem, 400)}")
