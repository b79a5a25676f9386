"""`personagen report`: one self-contained HTML page of personas, copy previews and lint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from personagen.cli.app import app, user_errors


@app.command()
@user_errors
def report(
    out: Annotated[Path, typer.Argument(help="Output folder of 'personagen run' or 'copy'.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file to write (default OUT/report.html)."),
    ] = None,
    brief: Annotated[
        Path | None,
        typer.Option(help="Campaign brief: lints claims, banned phrases, grade and footers."),
    ] = None,
    rank: Annotated[
        bool,
        typer.Option(help="Show ad variants best message-persona fit first (numbers kept)."),
    ] = False,
) -> None:
    """Write an offline HTML report: persona cards with evidence, ad and email previews.

    Example: personagen report out/ -o report.html --brief brief.yaml --rank
    """
    from personagen.export.outputs import OutputFolder, left_out_line
    from personagen.export.report import write_report
    from personagen.inputs import load_model
    from personagen.models.brief import Brief
    from personagen.models.copy import DRAFT_MODELS
    from personagen.text import terminal_safe

    brief_model = load_model(brief, Brief, what="brief") if brief is not None else None
    folder = OutputFolder(out)
    dest = output if output is not None else folder.report_html
    summary = write_report(out, dest, brief_model, rank)
    # Copy of jobs the campaign no longer has is not read; say so once, not per file.
    left_out = folder.left_out(set(DRAFT_MODELS))
    if left_out:
        typer.echo(f"warning: {terminal_safe(left_out_line(out, left_out))}", err=True)
    typer.echo(
        f"wrote {dest}: {summary.personas} personas, {summary.artifacts} copy sets, "
        f"{summary.errors} lint errors, {summary.warnings} warnings"
    )
