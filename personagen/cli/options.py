"""Options shared by every command that calls a model.

A flag wins over the environment, the campaign file and config.yaml (see `Settings`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from personagen.cli.terminal import echo
from personagen.errors import InputError

if TYPE_CHECKING:
    from personagen.settings import Settings

Model = Annotated[str | None, typer.Option(help="Model name (env PERSONAGEN_MODEL).")]
Provider = Annotated[
    str | None,
    typer.Option(help="openai, compatible, anthropic or replay (env PERSONAGEN_PROVIDER)."),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama); with "
        "--provider anthropic, where the Messages API lives."
    ),
]
Mode = Annotated[
    str | None, typer.Option(help="Structured-output mode: tools, json, md_json, json_schema.")
]
Replay = Annotated[Path | None, typer.Option(help="Answer from the cassettes in DIR; no network.")]
Record = Annotated[Path | None, typer.Option(help="Save every exchange as a cassette in DIR.")]
Rekey = Annotated[
    bool,
    typer.Option(
        help="With --replay and --record NEW_DIR: carry old answers over to changed requests "
        "and write every answer used to NEW_DIR; the --replay folder is never changed."
    ),
]
RekeyInPlace = Annotated[
    bool,
    typer.Option(
        help="Like --rekey, but rewrite the --replay folder itself: carried-over answers "
        "replace their old cassettes there."
    ),
]
Config = Annotated[
    Path | None,
    typer.Option(
        help="Settings file (default $PERSONAGEN_HOME/config.yaml). Precedence: flags > "
        "environment > campaign file > this file > defaults."
    ),
]
ContextTokens = Annotated[
    int | None,
    typer.Option(help="The model's context budget in tokens (env PERSONAGEN_CONTEXT_TOKENS)."),
]
Concurrency = Annotated[
    int | None, typer.Option(help="Model calls in flight at once (env PERSONAGEN_CONCURRENCY).")
]
Output = Annotated[Path, typer.Option("--output", "-o", help="Output folder.")]
Language = Annotated[
    str | None,
    typer.Option(
        help="Language of personas and copy, a BCP 47 tag: en, en-GB, de, de-AT, fr, es, ... "
        "(env PERSONAGEN_LANGUAGE; wins over the campaign's and the brief's language:). Lint "
        "has rules for en, de, fr and es; other languages get its language-neutral checks."
    ),
]


def settings_overrides(**flags: Any) -> dict[str, Any]:
    """Flags that were given, renamed to Settings fields."""
    from personagen.settings import FLAGS

    renamed = {flag.removeprefix("--"): name for name, flag in FLAGS.items()}
    # `is`, not `in`: `--concurrency 0` must reach validation, not pass for "not given".
    given = {k: v for k, v in flags.items() if v is not None and v is not False}
    overrides = {renamed.get(k, k): v for k, v in given.items()}
    return overrides


def announce_rekey(settings: Settings) -> None:
    """Say before a run that it will rewrite the replay folder (`--rekey-in-place`)."""
    if settings.rekey_in_place and settings.replay_dir is not None:
        echo(
            f"--rekey-in-place: answers carried over to changed requests will replace their "
            f"old cassettes in {settings.replay_dir}",
            err=True,
        )


def checked_budget(budget: float | None) -> float | None:
    """`--budget` as given; an InputError unless it is a positive, finite number of dollars."""
    # nan compares false with every amount, so it would never stop spending.
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise InputError("--budget", f"expected a positive number of US dollars, got {budget:g}")
    return budget
