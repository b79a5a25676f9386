"""`personagen lint`: check copy JSON and ad-platform CSVs against the generation rules."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from personagen.cli.app import app, user_errors

if TYPE_CHECKING:
    from personagen.lint import LintResult


class Format(enum.StrEnum):
    """How findings are printed."""

    TABLE = "table"
    JSON = "json"


@app.command()
@user_errors
def lint(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Copy JSON files, CSV exports, or folders (every copy JSON and exports/*.csv)."
        ),
    ],
    brief: Annotated[
        Path | None,
        typer.Option(help="Campaign brief: turns on claims, banned phrases, grade and footer."),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="table (for people) or json (for scripts).")
    ] = Format.TABLE,
) -> None:
    """Check copy against channel limits, the brief's claims and voice, tokens and duplicates.

    Exits 1 when any error is found, 0 when there are only warnings, 2 for unreadable input.

    Example: personagen lint out/ --brief brief.yaml
    """
    import json

    from personagen.inputs import load_model
    from personagen.lint import lint_paths
    from personagen.models.brief import Brief

    brief_model = load_model(brief, Brief, what="brief") if brief is not None else None
    result = lint_paths(paths, brief_model)
    if output_format is Format.JSON:
        typer.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        _print_table(result)
    if result.errors:
        raise typer.Exit(1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _print_table(result: LintResult) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or captured output: wide enough that messages do not wrap into slivers.
        console = Console(highlight=False, width=200)
    if result.findings:
        table = Table(show_lines=False, header_style="bold", expand=False)
        for name in ("file", "field", "rule", "severity", "message", "fix"):
            table.add_column(name, overflow="fold")
        for item in result.findings:
            f = item.finding
            style = "bold red" if f.severity == "error" else "yellow"
            table.add_row(
                item.file or "-",
                f.field,
                f.rule,
                Text(f.severity, style=style),
                f.message,
                f.fix,
            )
        console.print(table)
    files = _plural(len(result.files), "file")
    summary = f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} in {files}"
    console.print(summary if result.findings else f"clean: {summary}")
