"""Errors that are shown to the user as one clean line (no traceback)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from personagen.llm import Usage


class PersonagenError(Exception):
    """An error whose message is meant for the user; the CLI prints it and exits."""

    exit_code = 2


class InputError(PersonagenError):
    """A user file or argument is missing, unreadable or invalid."""

    def __init__(self, source: str, detail: str) -> None:
        self.source = source
        self.detail = detail
        super().__init__(f"{source}: {detail}")


class SettingsError(PersonagenError):
    """The model provider is not configured well enough to make a call."""


class ProviderError(PersonagenError):
    """The model provider answered with an error that retrying will not fix."""


class ReplayMissError(PersonagenError):
    """Replay mode met a request that no cassette answers."""

    def __init__(self, task: str, key: str, directory: str) -> None:
        self.task = task
        self.key = key
        super().__init__(
            f"{directory}: no cassette answers task '{task}' (request key {key}); "
            "re-record with --record DIR, or carry the old answers over to the changed "
            "requests with --rekey (cassettes recorded from an OpenAI-compatible server "
            "replay with strict_schema: false in the settings)"
        )


class GenerationError(PersonagenError):
    """A model call did not produce a valid object after its retries and re-asks.

    `reason` is one readable line; `problems` holds one sentence per problem of the last
    answer; `usage` is what every exchange of the call cost (failed work is billed too).
    """

    exit_code = 1

    def __init__(
        self,
        task: str,
        reason: str,
        last_output: dict[str, object] | None = None,
        *,
        problems: Sequence[str] = (),
        usage: Usage | None = None,
    ) -> None:
        self.task = task
        self.reason = reason
        self.last_output = last_output
        self.problems = list(problems)
        self.usage = usage
        super().__init__(f"task '{task}' failed: {reason}")


class BudgetExceeded(PersonagenError):
    """The next exchange could take spending past the run's budget; it was not sent."""

    exit_code = 1

    def __init__(self, limit: float, spent: float, estimate: float) -> None:
        self.limit = limit
        self.spent = spent
        self.usage: Usage | None = None  # what the interrupted call had already spent
        super().__init__(
            f"budget reached: ${spent:.4f} spent of ${limit:.4f}; the next request "
            f"(about ${estimate:.4f}) was not sent"
        )
