"""Errors that are shown to the user as one clean line (no traceback)."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path
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


# Causes worded for people; anything else keeps the system's own words.
_OS_REASONS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "input/output error (the disk or network share failed)",
}


def os_reason(error: OSError) -> str:
    """The cause of an OSError in a few plain words (no file name, no errno number)."""
    known = _OS_REASONS.get(error.errno) if error.errno is not None else None
    return known or (error.strerror or str(error) or type(error).__name__).lower()


class WriteError(PersonagenError):
    """A file could not be written (disk full, read-only, special file); nothing was left."""

    def __init__(self, path: Path, error: OSError, doing: str = "cannot write it") -> None:
        self.path = path
        super().__init__(f"{path}: {doing}: {os_reason(error)}")


class StoreError(PersonagenError):
    """The run store cannot be used: damaged, not a store, unreadable, unwritable or full."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")


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
            "requests with --rekey --record NEW_DIR (the replay folder is left as it is; "
            "cassettes recorded from an OpenAI-compatible server "
            "replay with strict_schema: false in the settings, and those recorded from "
            "Anthropic with --provider anthropic)"
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
