"""`personagen copy`: personas + brief -> emails, ads and objection handling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from personagen.cli import options
from personagen.cli.app import app, user_errors
from personagen.cli.terminal import echo


@app.command("copy")
@user_errors
def copy_command(
    personas: Annotated[Path, typer.Option(help="Output folder of 'personagen personas'.")],
    brief: Annotated[Path, typer.Option(help="Campaign brief (YAML or JSON).")],
    output: options.Output,
    channels: Annotated[
        str, typer.Option(help="Comma-separated: email,google_rsa,linkedin,meta,x,objections.")
    ] = "all",
    variants: Annotated[int, typer.Option(help="Ad variants per persona and channel.")] = 3,
    steps: Annotated[int, typer.Option(help="Emails in each sequence.")] = 4,
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
    """Write per-persona email sequences, platform-valid ads and objection handling.

    Example: personagen copy --personas out/ --brief brief.yaml --channels email,google_rsa
    --variants 3 -o out/
    """
    import asyncio

    from personagen.inputs import load_model
    from personagen.inputs.settings import resolve_settings
    from personagen.models.brief import Brief
    from personagen.pipeline.copy import CopyJob, check_brief_for, check_counts, parse_channels
    from personagen.run.commands import load_personas, run_copy

    chosen = parse_channels(channels)
    check_counts(variants, steps)
    brief_model = load_model(brief, Brief)
    check_brief_for(brief_model, chosen, str(brief))
    loaded = load_personas(personas)
    settings = resolve_settings(
        options.settings_overrides(
            model=model,
            provider=provider,
            base_url=base_url,
            mode=mode,
            replay=replay,
            record=record,
            rekey=rekey,
            concurrency=concurrency,
        ),
        config,
    )
    jobs = [CopyJob(p, channel, variants, steps) for p in loaded for channel in chosen]
    result = asyncio.run(run_copy(settings, brief_model, jobs, output, str(brief)))
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    echo(result.summary)
    if result.failed:
        raise typer.Exit(1)
