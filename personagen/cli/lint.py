"""`personagen lint`: check copy JSON and ad-platform CSVs against the generation rules."""

from __future__ import annotations

import enum
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from personagen.cli.app import app, user_errors
from personagen.text import terminal_safe

if TYPE_CHECKING:
    from personagen.lint import LintFinding, LintResult

# Shown per rule and file in the table unless --max-per-rule says otherwise.
MAX_PER_RULE = 20
# json.dumps escapes C0 controls but leaves DEL, C1 controls (0x9b starts an escape
# sequence on many terminals) and bidirectional overrides as they are.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _json_safe(text: str) -> str:
    """JSON text with every character a terminal could act on written as a \\u escape."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    max_per_rule: Annotated[
        int,
        typer.Option(
            min=0,
            help="Findings the table lists per rule and file; a line counts the rest. "
            "0 lists all; json always lists all.",
        ),
    ] = MAX_PER_RULE,
    language: Annotated[
        str | None,
        typer.Option(
            help="Read the copy as this language (BCP 47: en, de, de-AT, fr, es, ...): its "
            "reading-grade formula, figure words, customer phrasing and AI-sounding phrases. "
            "Default: the language each copy JSON records, else the brief's, else en."
        ),
    ] = None,
) -> None:
    """Check copy against channel limits, the brief's claims and voice, tokens and duplicates.

    Exits 1 when any error is found, 0 when there are only warnings, 2 for unreadable input
    (also a CSV that is not valid CSV, e.g. a quote never closed).

    Example: personagen lint out/ --brief brief.yaml
    """
    import json

    from personagen.lint import lint_paths

    tag = None
    if language is not None:
        from personagen.errors import InputError
        from personagen.languages import standard_tag

        try:
            tag = standard_tag(language)
        except ValueError as exc:
            raise InputError("--language", str(exc)) from None
    brief_model = None
    if brief is not None:  # the input readers load only for a brief: lint reads no notes
        from personagen.inputs import load_model
        from personagen.models.brief import Brief

        brief_model = load_model(brief, Brief, what="brief")
    result = lint_paths(paths, brief_model, tag)
    if output_format is Format.JSON:
        typer.echo(_json_safe(json.dumps(result.as_json(), indent=2, ensure_ascii=False)))
    else:
        _print_table(result, max_per_rule)
    if result.errors:
        raise typer.Exit(1)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


_COLUMNS = ("file", "field", "rule", "severity", "message", "fix")


def _print_table(result: LintResult, max_per_rule: int) -> None:
    files = _plural(len(result.files), "file")
    summary = f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} in {files}"
    if not result.findings:
        # One line needs no table: leaving rich unimported keeps a clean run quick.
        typer.echo(f"clean: {summary}")
        return
    shown, more = result.capped(max_per_rule)
    notes = [f"… and {n:,} more {rule} findings{f' in {f}' if f else ''}" for f, rule, n in more]
    if more:
        notes.append("(--max-per-rule 0 lists them all)")
    if sys.stdout.isatty():
        _print_rich(shown, notes, summary)
    else:
        _print_plain(shown, notes, summary)


def _plain(text: str) -> str:
    """A cell of the piped table: terminal-safe, on one line, no tab inside."""
    return " ".join(terminal_safe(text).replace("\t", " ").splitlines())


def _print_plain(shown: list[LintFinding], notes: list[str], summary: str) -> None:
    """Piped or captured output: one tab-separated line per finding under a header line
    (as `grep` and `cut` read it), without loading rich."""
    lines = ["\t".join(_COLUMNS)]
    for item in shown:
        f = item.finding
        cells = (item.file or "-", f.field, f.rule, f.severity, f.message, f.fix)
        lines.append("\t".join(_plain(cell) for cell in cells))
    lines += [_plain(note) for note in notes]
    typer.echo("\n".join([*lines, summary]))


def _print_rich(shown: list[LintFinding], notes: list[str], summary: str) -> None:
    """A terminal: the findings as a table that wraps long messages to its width."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def cell(text: str) -> Text:
        # Text is never parsed for markup; terminal_safe drops escape sequences and controls.
        return Text(terminal_safe(text))

    # Data is never markup or emoji codes: nothing is parsed (and rich loads less).
    console = Console(highlight=False, markup=False, emoji=False)
    table = Table(show_lines=False, header_style="bold", expand=False)
    for name in _COLUMNS:
        table.add_column(name, overflow="fold")
    for item in shown:
        f = item.finding
        style = "bold red" if f.severity == "error" else "yellow"
        table.add_row(
            cell(item.file or "-"),
            cell(f.field),
            cell(f.rule),
            Text(f.severity, style=style),
            cell(f.message),
            cell(f.fix),
        )
    console.print(table)
    for note in notes:
        console.print(cell(note))
    console.print(summary)
