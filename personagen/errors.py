"""Errors that are shown to the user as one clean line (no traceback)."""

from __future__ import annotations


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
            "requests with --rekey"
        )


class GenerationError(PersonagenError):
    """A model call did not produce a valid object after its retries and re-asks."""

    exit_code = 1

    def __init__(
        self, task: str, reason: str, last_output: dict[str, object] | None = None
    ) -> None:
        self.task = task
        self.reason = reason
        self.last_output = last_output
        super().__init__(f"task '{task}' failed: {reason}")
