"""Printing data to the terminal: notes and model text never carry escape sequences,
control characters or console markup to it (see `text.terminal_safe`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from personagen.text import terminal_safe

if TYPE_CHECKING:
    from rich.text import Text


def echo(line: str, *, err: bool = False) -> None:
    """`typer.echo` for text that holds data (names, titles, warnings, model answers)."""
    typer.echo(terminal_safe(line), err=err)


def plain(value: object, style: str = "") -> Text:
    """Data as a rich cell or title: shown as written, never parsed as console markup."""
    from rich.text import Text

    return Text(terminal_safe(str(value)), style=style)
