"""The typer application and the error boundary every command shares."""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from typer.core import TyperGroup

from personagen.errors import PersonagenError, os_reason
from personagen.text import terminal_safe

if TYPE_CHECKING:  # typer's own copy of click: the types TyperGroup's methods take
    from typer._click import Command, Context

P = ParamSpec("P")
R = TypeVar("R")

# The module of personagen.cli that defines each command (importing it attaches the
# command to `app`), in the order `personagen --help` lists them.
COMMAND_MODULES = {
    "copy": "copy",
    "init": "init",
    "lint": "lint",
    "personas": "personas",
    "report": "report",
    "run": "run",
    "schema": "schema",
    "show": "show",
    "runs": "run",
}


class LazyGroup(TyperGroup):
    """The command group, whose commands are imported when they are looked up.

    `personagen lint` imports (and typer builds) the lint command alone, not every
    command and what its module imports; the help, and a name that is no command (for
    typer's "did you mean"), load them all.
    """

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command named `cmd_name`, its module imported first."""
        if cmd_name not in self.commands:
            self._load(COMMAND_MODULES.get(cmd_name))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Context) -> list[str]:
        """Every command's name, in the order of `COMMAND_MODULES` (whichever module a
        process happened to import first)."""
        self._load(None)
        order = list(COMMAND_MODULES)
        return sorted(
            super().list_commands(ctx), key=lambda n: order.index(n) if n in order else len(order)
        )

    def _load(self, module: str | None) -> None:
        """Import `module` (None: every command module) and add the commands it attached."""
        if module is None and self.commands.keys() >= COMMAND_MODULES.keys():
            return
        for name in [module] if module else dict.fromkeys(COMMAND_MODULES.values()):
            importlib.import_module(f"personagen.cli.{name}")
        # The commands this group already had stay as they are.
        self.commands = {**typer.main.get_group(app).commands, **self.commands}


def _root() -> None:
    """Commands share no option; the group exists before any command is imported."""


app = typer.Typer(
    name="personagen",
    help="Grounded B2B buyer personas and platform-valid campaign copy.\n\n"
    "Example: personagen personas --icp icp.yaml --notes notes/ -o out/",
    cls=LazyGroup,
    callback=_root,
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
