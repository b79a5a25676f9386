"""The typer application and the error boundary every command shares."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from personagen.errors import PersonagenError, os_reason
from personagen.text import terminal_safe

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="personagen",
    help="Grounded B2B buyer personas and platform-valid campaign copy.\n\n"
    "Example: personagen personas --icp icp.yaml --notes notes/ -o out/",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _os_line(error: OSError) -> str:
    """An OSError as 'file: cause' (both files of a rename), without Python's errno prefix."""
    names = " -> ".join(str(n) for n in (error.filename, error.filename2) if n is not None)
    return f"{names}: {os_reason(error)}" if names else os_reason(error)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show PersonagenErrors as one line and exit with their code (traceback on request).

    An OSError that no layer below turned into a PersonagenError (a full disk, a file
    system that refuses a file) is the user's machine speaking, not a bug: one line, exit 2.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PersonagenError as error:
            if os.environ.get("PERSONAGEN_RAISE_ERRORS"):
                raise
            typer.echo(f"error: {terminal_safe(str(error))}", err=True)
            raise typer.Exit(error.exit_code) from None
        except OSError as error:
            if os.environ.get("PERSONAGEN_RAISE_ERRORS"):
                raise
            typer.echo(f"error: {terminal_safe(_os_line(error))}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo(
                "interrupted: finished work is kept; run the same command to resume", err=True
            )
            raise typer.Exit(130) from None

    return wrapper


def register() -> None:
    """Import command modules so they attach to `app` (kept light: no model client)."""
    from personagen.cli import copy, init, lint, personas, report, run, schema, show  # noqa: F401


register()
