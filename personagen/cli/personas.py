"""`personagen personas`: ICP + interview notes -> grounded persona cards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from personagen.cli import options
from personagen.cli.app import app, user_errors
from personagen.cli.progress import job_progress
from personagen.cli.terminal import echo

# Commands that read notes: a linked note is read (and sent to the model) unless refused.
FollowSymlinks = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks/--no-follow-symlinks",
        help="Read notes that are symbolic links (their targets are sent to the model), "
        "or refuse them.",
    ),
]


@app.command()
@user_errors
def personas(
    icp: Annotated[Path, typer.Option(help="ICP definition (YAML or JSON).")],
    notes: Annotated[list[Path], typer.Option(help="Notes folder or files (.md .txt .vtt .srt).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output folder (not needed with --update)."),
    ] = None,
    update: Annotated[
        Path | None,
        typer.Option(
            help="Refresh the personas of this earlier output folder with the notes (old and "
            "new): ids stay, personas/CHANGELOG.md says what changed.",
        ),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            min=1, max=12, help="How many personas (default 3; with --update, as many as before)."
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
    context_tokens: options.ContextTokens = None,
    concurrency: options.Concurrency = None,
    language: options.Language = None,
    redact: Annotated[
        bool | None,
        typer.Option(
            "--redact/--no-redact",
            help="Replace emails, phone numbers and interviewee names in the notes with "
            "placeholders like [EMAIL-1] before anything is sent to the model.",
        ),
    ] = None,
    redact_company: Annotated[
        bool,
        typer.Option(
            "--redact-company",
            help="Also replace the company names from the notes' front matter (implies --redact).",
        ),
    ] = False,
    follow_symlinks: FollowSymlinks = True,
) -> None:
    """Synthesize buyer personas whose every claim quotes a note verbatim.

    Example: personagen personas --icp icp.yaml --notes notes/ --count 3 -o out/

    Refresh: personagen personas --icp icp.yaml --notes notes/ --update out/
    """
    import asyncio

    from personagen.errors import InputError
    from personagen.inputs import load_model, load_notes
    from personagen.inputs.settings import resolve_settings
    from personagen.models.icp import ICP
    from personagen.run.commands import personas_to_update, run_personas
    from personagen.run.request import SegmentInput

    if update is not None and output is not None and output.resolve() != update.resolve():
        raise InputError("--output", "--update writes to the folder it updates; drop --output")
    folder = update if update is not None else output
    if folder is None:
        raise InputError("--output", "missing: give -o OUT (or --update OUT to refresh it)")
    icp_model = load_model(icp, ICP)
    if update is not None and count is None:
        count = len(personas_to_update(update, icp_model.id))
    loaded = load_notes(
        notes, follow_symlinks=follow_symlinks, warn=lambda line: echo(f"warning: {line}", err=True)
    )
    if redact_company and redact is False:
        raise InputError("--redact-company", "needs redaction, but --no-redact was given")
    if redact or redact_company:
        from personagen.redact import redact_notes

        loaded, report = redact_notes(loaded, company=redact_company)
        echo(report.summary(company=redact_company), err=True)
        for warning in report.warnings:
            echo(f"warning: {warning}", err=True)
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
            context_tokens=context_tokens,
            concurrency=concurrency,
            language=language,
        ),
        config,
    )
    options.announce_rekey(settings)
    segment = SegmentInput(icp_model, loaded, count or 3)
    with job_progress(1) as progress:
        result = asyncio.run(
            run_personas(
                settings, segment, folder, str(icp), update=update is not None, progress=progress
            )
        )
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    echo(result.summary)
