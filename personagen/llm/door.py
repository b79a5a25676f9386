"""The door: one async function through which every model call passes."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx2
from pydantic import BaseModel

from personagen.errors import GenerationError, PersonagenError, ProviderError, SettingsError
from personagen.llm.cassettes import CassetteBook
from personagen.llm.limiter import RateLimiter
from personagen.llm.meter import CURRENT_CALL, CallMeter, Usage
from personagen.llm.pricing import price_for
from personagen.llm.prompts import render
from personagen.llm.settings import REPLAY_BASE_URL, Settings
from personagen.llm.transport import DoorTransport, ResponseCache

if TYPE_CHECKING:
    import instructor

T = TypeVar("T", bound=BaseModel)

_INSTRUCTOR_MODES = {
    "tools": "TOOLS",
    "json": "JSON",
    "md_json": "MD_JSON",
    "json_schema": "JSON_SCHEMA",
}


@dataclass
class Generated(Generic[T]):
    """A validated model output with what it cost."""

    value: T
    usage: Usage
    request_key: str
    prompt_version: str
    exchanges: int
    unpriced: bool = False
    sources: set[str] = field(default_factory=set)


class Door:
    """Builds the model client from settings and runs every call through one transport."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache: ResponseCache | None = None,
        upstream: httpx2.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        price_factor: float = 1.0,
    ) -> None:
        self.settings = settings
        replay = CassetteBook(settings.replay_dir) if settings.replay_dir else None
        record = CassetteBook(settings.record_dir) if settings.record_dir else None
        if replay is None and upstream is None:
            upstream = httpx2.AsyncHTTPTransport()
        self.transport = DoorTransport(
            upstream=None if replay else upstream,
            limiter=limiter
            or RateLimiter(settings.requests_per_minute, settings.tokens_per_minute),
            price=price_for(settings.model, settings.prices),
            attempts=settings.transient_retries,
            cache=cache if settings.cache else None,
            replay=replay,
            record=record,
            rekey=settings.rekey,
            price_factor=price_factor,
        )
        self._client: instructor.AsyncInstructor | None = None

    async def __aenter__(self) -> Door:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections to the model server."""
        await self.transport.aclose()

    @property
    def base_url(self) -> str:
        """Where requests go."""
        if self.settings.provider == "replay":
            return REPLAY_BASE_URL
        return self.settings.base_url or "https://api.openai.com/v1"

    def stale_warning(self) -> str | None:
        """Name the replay cassettes no request used: stale after a prompt or input change."""
        book = self.transport.replay
        stale = book.stale() if book is not None else []
        if book is None or not stale:
            return None
        names = ", ".join(c.path.name if c.path else c.key[:12] for c in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        return (
            f"{len(stale)} cassette(s) in {book.directory} were not used (stale): {names}{more}; "
            "carry them over with --rekey or delete them"
        )

    def openai_client(self) -> Any:
        """The raw async OpenAI client, sharing this door's transport (used for the Batch API)."""
        import openai

        return openai.AsyncOpenAI(
            api_key=self.settings.api_key or "replay",
            base_url=self.base_url,
            http_client=httpx2.AsyncClient(transport=self.transport),
            timeout=self.settings.timeout,
            max_retries=0,  # the transport retries transient faults itself
        )

    def client(self) -> instructor.AsyncInstructor:
        """The instructor client, built on first use so `--help` never imports openai."""
        if self._client is None:
            import instructor

            # Failures are reported per item by the door; instructor's own log lines would
            # repeat them as noise on stderr.
            logging.getLogger("instructor").setLevel(logging.CRITICAL)

            mode = getattr(instructor.Mode, _INSTRUCTOR_MODES[self.settings.effective_mode])
            self._client = instructor.from_openai(self.openai_client(), mode=mode)
        return self._client

    def fingerprint(
        self,
        task: str,
        response_model: type[BaseModel],
        variables: dict[str, Any],
        context: dict[str, Any] | None = None,
    ) -> str:
        """Content address of a call: everything that decides what it sends and accepts."""
        prompt = render(task, variables)
        settings = self.settings
        payload = {
            "task": task,
            "model": settings.model,
            "mode": settings.effective_mode,
            "temperature": settings.temperature,
            "max_tokens": settings.max_output_tokens,
            "reasks": settings.reasks,
            "schema": _schema(response_model),
            "messages": prompt.messages(),
            "context": context or {},
        }
        canonical = json.dumps(payload, sort_keys=True, default=_jsonable)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    async def generate(
        self,
        task: str,
        response_model: type[T],
        variables: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> Generated[T]:
        """Render `task`'s prompt, ask the model, validate against `response_model`.

        `label` names the logical call (stable across prompt changes) for re-keying
        cassettes. Raises GenerationError (per item) or a PersonagenError (configuration).
        """
        prompt = render(task, variables)
        meter = CallMeter(task=task, label=label or task)
        token = CURRENT_CALL.set(meter)
        try:
            value = await self.client().chat.completions.create(
                model=self.settings.model,
                messages=prompt.messages(),  # type: ignore[arg-type]
                response_model=response_model,
                # instructor counts re-asks after the first attempt.
                max_retries=self.settings.reasks,
                context=context or {},
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_output_tokens,
            )
        except Exception as exc:  # translated below; anything unknown re-raises
            raise _mask(self._translate(task, exc), self.settings.api_key) from None
        finally:
            CURRENT_CALL.reset(token)
        return Generated(
            value=value,
            usage=meter.usage,
            request_key=meter.keys[0] if meter.keys else "",
            prompt_version=prompt.version,
            exchanges=meter.exchanges,
            unpriced=meter.unpriced,
            sources=meter.sources,
        )

    def _translate(self, task: str, exc: Exception) -> Exception:
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
                    f"({self.settings.max_output_tokens}); raise it or ask for less",
                )
            if isinstance(link, openai.APIStatusError):
                return _status_error(task, link, self)
            if isinstance(link, openai.APITimeoutError):
                return GenerationError(
                    task, f"no answer within {self.settings.timeout:g}s (timeout)"
                )
            if isinstance(link, openai.APIConnectionError):
                return ProviderError(f"cannot reach the model server at {self.base_url}")
        attempts = getattr(exc, "failed_attempts", None)
        if attempts is not None:
            last = attempts[-1] if attempts else None
            reason = _first_line(str(last.exception)) if last else _first_line(str(exc))
            return GenerationError(
                task,
                f"still invalid after {len(attempts)} attempts: {reason}",
                last_output=_last_output(getattr(exc, "last_completion", None)),
            )
        return exc


@functools.cache
def _schema(response_model: type[BaseModel]) -> dict[str, Any]:
    return response_model.model_json_schema()


def _mask(error: Exception, key: str | None) -> Exception:
    """Never show the API key, even when a server echoes it in its error text."""
    if not key or len(key) < 8 or key not in str(error):
        return error
    if isinstance(error, GenerationError):
        return GenerationError(error.task, error.reason.replace(key, "***"), error.last_output)
    if isinstance(error, PersonagenError):
        error.args = (str(error).replace(key, "***"),)
        return error
    return ProviderError(str(error).replace(key, "***"))


def _jsonable(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


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


def _status_error(task: str, error: Any, door: Door) -> Exception:
    status = error.status_code
    message = _first_line(str(getattr(error, "message", "")))
    if status == 401:
        return SettingsError(
            f"the server at {door.base_url} rejected the API key (401); check OPENAI_API_KEY"
        )
    if status == 404:
        return ProviderError(
            f"model '{door.settings.model}' is not known to the server at {door.base_url} "
            "(404); check --model"
        )
    if status in (400, 422, 500) and any(
        word in message.lower() for word in ("response_format", "json_schema", "tool", "grammar")
    ):
        alternatives = [m for m in _INSTRUCTOR_MODES if m != door.settings.effective_mode]
        return ProviderError(
            f"the server rejected mode '{door.settings.effective_mode}' ({status}: {message}); "
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
