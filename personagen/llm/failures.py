"""Why a model call failed, as one readable error (never the API key)."""

from __future__ import annotations

import json
from typing import Any

from personagen.errors import GenerationError, PersonagenError, ProviderError, SettingsError
from personagen.llm.masking import mask_text
from personagen.problems import describe_problems
from personagen.settings import MODES, Settings


def translate(exc: Exception, task: str, settings: Settings, base_url: str) -> Exception:
    """The error to raise for a failed call: readable, per item where it is one."""
    import openai

    chain = _causes(exc)
    for link in chain:
        if isinstance(link, PersonagenError):
            return link
    for link in chain:
        if type(link).__name__ == "IncompleteOutputException":
            return GenerationError(
                task,
                f"the answer was cut off at max_output_tokens "
                f"({settings.max_output_tokens}); raise it or ask for less",
            )
        if isinstance(link, openai.APIStatusError):
            return _status_error(task, link, settings, base_url)
        if isinstance(link, openai.APITimeoutError):
            return GenerationError(
                task,
                f"no answer within {settings.effective_timeout:g}s (timeout); "
                "raise timeout in the settings for a slow local server",
            )
        if isinstance(link, openai.APIConnectionError):
            return ProviderError(f"cannot reach the model server at {base_url}")
    attempts = getattr(exc, "failed_attempts", None)
    if attempts is not None:
        last = attempts[-1].exception if attempts else exc
        problems = describe_problems(last)
        shown = "; ".join(problems[:3]) + (
            f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        )
        return GenerationError(
            task,
            f"still invalid after {len(attempts)} attempts: {shown}",
            last_output=_last_output(getattr(exc, "last_completion", None)),
            problems=problems,
        )
    return exc


def mask(error: Exception, key: str | None) -> Exception:
    """Never show the API key, even when a server echoes it in its error text."""
    if mask_text(str(error), key) == str(error):
        return error
    if isinstance(error, GenerationError):
        return GenerationError(
            error.task,
            mask_text(error.reason, key),
            error.last_output,
            problems=[mask_text(p, key) for p in error.problems],
            usage=error.usage,
        )
    if isinstance(error, PersonagenError):
        error.args = (mask_text(str(error), key),)
        return error
    return ProviderError(mask_text(str(error), key))


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        link = pending.pop(0)
        if link is None or any(link is s for s in seen):
            continue
        seen.append(link)
        pending.extend([link.__cause__, link.__context__])
        for attempt in getattr(link, "failed_attempts", None) or []:
            pending.append(attempt.exception)
    return seen


def _status_error(task: str, error: Any, settings: Settings, base_url: str) -> Exception:
    status = error.status_code
    body = getattr(error, "body", None)  # the error object of the answer, when it is JSON
    said = body.get("message") if isinstance(body, dict) else None
    message = _first_line(said if isinstance(said, str) else str(getattr(error, "message", "")))
    key_var = settings.spec.key_var or "the API key"
    if status == 401:
        return SettingsError(
            f"the server at {base_url} rejected the API key (401); check {key_var}"
        )
    if status == 403:
        return SettingsError(
            f"the server at {base_url} refused the request (403: {message}); check that "
            f"{key_var} may use model '{settings.model}'"
        )
    if status == 404:
        return ProviderError(
            f"model '{settings.model}' is not known to the server at {base_url} "
            "(404); check --model"
        )
    if status in (400, 422, 500) and any(
        word in message.lower() for word in ("response_format", "json_schema", "tool", "grammar")
    ):
        alternatives = [m for m in MODES if m != settings.effective_mode]
        return ProviderError(
            f"the server rejected mode '{settings.effective_mode}' ({status}: {message}); "
            f"try --mode {' or --mode '.join(alternatives)}"
        )
    if status == 429:
        return GenerationError(task, f"rate limited (429) after retries: {message}")
    return GenerationError(task, f"the server answered {status}: {message}")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith("For further information")]
    return " | ".join(useful[:4])[:400] if useful else text[:400]


def _last_output(completion: Any) -> dict[str, Any] | None:
    """The JSON object of the last completion, from a tool call or the message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    candidates: list[str] = []
    for call in getattr(message, "tool_calls", None) or []:
        candidates.append(call.function.arguments)
    if message.content:
        text = message.content.strip()
        if text.startswith("```"):
            text = text.strip("`").removeprefix("json").strip()
        candidates.append(text)
    for candidate in candidates:
        try:
            parsed = json.loads(candidate)
        except (TypeError, ValueError):
            continue
        if isinstance(parsed, dict):
            return parsed
    return None
