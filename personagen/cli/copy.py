"""`personagen copy`: personas + brief -> emails, ads and objection handling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from personagen.cli import options
from personagen.cli.app import app, user_errors
from personagen.cli.progress import job_progress
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
    stages: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated journey stages, each with every channel: "
            "awareness,consideration,decision,onboarding,retention,expansion."
        ),
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
) -> None:
    """Write per-persona email sequences, platform-valid ads and objection handling.

    Example: personagen copy --personas out/ --brief brief.yaml --channels email,google_rsa
    --variants 3 -o out/
    """
    import asyncio

    from personagen.inputs import load_model
    from personagen.inputs.settings import resolve_settings
    from personagen.languages import lint_fallback
    from personagen.models.brief import Brief
    from personagen.pipeline.copy import (
        check_brief_for,
        check_counts,
        check_placeholders,
        parse_channels,
        stage_plan,
    )
    from personagen.run.commands import load_personas, run_copy
    from personagen.run.request import check_tracked_urls, cli_stages, copy_matrix

    chosen = parse_channels(channels)
    by_stage = cli_stages(stages, chosen)
    check_counts(variants, steps)
    brief_model = load_model(brief, Brief)
    check_brief_for(brief_model, chosen, str(brief))
    check_tracked_urls(brief_model, by_stage, chosen, str(brief))
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
            rekey_in_place=rekey_in_place,
            concurrency=concurrency,
            language=language,
        ),
        config,
    )
    brief_model = brief_model.in_language(settings.language)
    fallback = lint_fallback(brief_model.language)
    if fallback is not None:
        echo(f"warning: {fallback}", err=True)
    if settings.replay_dir is None:
        check_placeholders(brief_model, chosen, str(brief))
    options.announce_rekey(settings)
    jobs = copy_matrix([loaded], chosen, variants, steps, stage_plan(by_stage, brief_model))
    with job_progress(len(jobs)) as progress:
        result = asyncio.run(run_copy(settings, brief_model, jobs, output, str(brief), progress))
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    echo(result.summary)
    if result.failed:
        raise typer.Exit(1)
