"""The door: one async function through which every model call passes."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx2
from pydantic import BaseModel, ValidationError

from personagen.errors import BudgetExceeded, GenerationError, PersonagenError, SettingsError
from personagen.llm.budget import SpendingLimit
from personagen.llm.cassettes import CassetteBook, replay_notes
from personagen.llm.exchange import (
    normalize_request,
    prompt_cache_key,
    prompt_tokens,
    request_key,
)
from personagen.llm.failures import mask, translate
from personagen.llm.limiter import RateLimiter
from personagen.llm.meter import CURRENT_CALL, CallMeter, Usage
from personagen.llm.pricing import price_for
from personagen.llm.prompts import render
from personagen.llm.providers import provider_upstream
from personagen.llm.transport import DoorTransport, ResponseCache
from personagen.llm.wire import request_parts
from personagen.problems import describe_problems
from personagen.settings import REPLAY_BASE_URL, Settings

T = TypeVar("T", bound=BaseModel)
# What answers the door's requests in place of the network (a test fake, a bench): it
# receives the provider's own requests (chat completions, or e.g. Anthropic's Messages).
Upstream = httpx2.AsyncBaseTransport

_INSTRUCTOR_MODES = {
    "tools": "TOOLS",
    "json": "JSON",
    "md_json": "MD_JSON",
    "json_schema": "JSON_SCHEMA",
}


@dataclass(frozen=True)
class PreparedCall:
    """One model call, prepared once: rendered prompt, request body, key and token estimate.

    The same object is generated live, estimated for a dry run, or sent through the Batch
    API; `key` is the content address of its first exchange, and so the job's key.
    """

    task: str
    label: str
    prompt_version: str
    response_model: type[BaseModel]
    context: dict[str, Any]
    body: dict[str, Any]
    key: str
    input_tokens: int
    output_tokens: int

    @property
    def mode(self) -> str:
        """The structured-output mode the body was built for."""
        if "tools" in self.body:
            return "tools"
        response_format = self.body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            return "json_schema"
        return "json" if response_format else "md_json"


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
        budget_usd: float | None = None,
    ) -> None:
        problem = settings.provider_problem() or settings.cassette_problem()
        if problem is not None:
            raise SettingsError(problem)
        self.settings = settings
        replay = (
            CassetteBook(settings.replay_dir, in_place=settings.rekey_in_place)
            if settings.replay_dir
            else None
        )
        record = CassetteBook(settings.record_dir) if settings.record_dir else None
        if replay is None:
            # `upstream` stands in for the network: it gets the provider's own requests.
            upstream = provider_upstream(settings, upstream or httpx2.AsyncHTTPTransport())
        self.spending = SpendingLimit(budget_usd, price_factor=price_factor)
        self.transport = DoorTransport(
            upstream=None if replay else upstream,
            secret=settings.secret,
            limiter=limiter
            or RateLimiter(settings.requests_per_minute, settings.tokens_per_minute),
            price=price_for(settings.model, settings.prices),
            attempts=settings.transient_retries,
            cache=cache if settings.cache else None,
            replay=replay,
            record=record,
            rekey=settings.rekey or settings.rekey_in_place,
            price_factor=price_factor,
            spending=self.spending,
        )
        self._client: Any = None
        self._headers: dict[str, str] | None = None

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
        return self.settings.base_url or self.settings.spec.base_url

    def stale_warning(self) -> str | None:
        """Name the replay cassettes no request used (stale after a prompt or input change),
        and say where answers carried over to changed requests went."""
        return replay_notes(self.transport.replay, self.transport.record)

    def openai_client(self) -> Any:
        """The raw async OpenAI client, sharing this door's transport (used for the Batch API)."""
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                api_key=self.settings.api_key or "replay",
                base_url=self.base_url,
                http_client=httpx2.AsyncClient(transport=self.transport),
                timeout=self.settings.effective_timeout,
                max_retries=0,  # the transport retries transient faults itself
            )
        return self._client

    @functools.cached_property
    def chat_url(self) -> str:
        """Where chat completions are posted."""
        return f"{str(self.openai_client().base_url).rstrip('/')}/chat/completions"

    def chat_headers(self) -> dict[str, str]:
        """The headers the client sends with a request: its defaults and the key."""
        if self._headers is None:
            client = self.openai_client()
            merged = {**client.default_headers, **client.auth_headers}
            self._headers = {k: v for k, v in merged.items() if isinstance(v, str)}
        return self._headers

    def prepare(
        self,
        task: str,
        response_model: type[BaseModel],
        variables: dict[str, Any],
        *,
        schema: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        label: str | None = None,
        output_tokens: int | None = None,
    ) -> PreparedCall:
        """Render `task`'s prompt once and build the request that asks for `schema`.

        `schema` is the response contract (default: the model's own JSON schema); the
        model's validators check the answer with `context`.
        """
        settings = self.settings
        prompt = render(task, variables)
        parts = request_parts(
            settings.effective_mode,
            response_model.__name__,
            _description(response_model),
            schema if schema is not None else _schema(response_model),
            "strict" if settings.effective_strict_schema else "full",
            prompt.messages(),
        )
        body = {
            "model": settings.model,
            **parts,
            "temperature": settings.temperature,
            "max_tokens": settings.max_output_tokens,
        }
        input_tokens = prompt_tokens(normalize_request("/chat/completions", body))
        body["max_tokens"] = answer_room(settings, input_tokens)
        if settings.spec.prompt_cache_key:
            body["prompt_cache_key"] = prompt_cache_key(body)
        normalized = normalize_request("/chat/completions", body)
        return PreparedCall(
            task=task,
            label=label or task,
            prompt_version=prompt.version,
            response_model=response_model,
            context=dict(context or {}),
            body=body,
            key=request_key(normalized),
            input_tokens=input_tokens,
            output_tokens=output_tokens or DEFAULT_OUTPUT_TOKENS,
        )

    async def generate(self, call: PreparedCall) -> Generated[Any]:
        """Send a prepared call; instructor validates the answer and re-asks with the errors.

        Raises GenerationError (per item, with the usage of every exchange it made) or a
        PersonagenError (configuration, budget, replay).
        """
        from instructor.v2.core.providers import Provider
        from instructor.v2.core.retry import retry_async_v2

        # Failures are reported per item by the door; instructor's own log lines would
        # repeat them as noise on stderr.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)
        meter = CallMeter(
            task=call.task,
            label=call.label,
            expected_output_tokens=call.output_tokens,
            prepared=(call.key, call.input_tokens),
        )
        token = CURRENT_CALL.set(meter)
        try:
            # instructor's validation and re-ask loop, without its per-call setup: the
            # body is already built, and no message is ever rendered as a template.
            value = await retry_async_v2(
                func=functools.partial(_post_chat, self, call, meter),
                response_model=_instructor_model(call.response_model),
                provider=Provider.OPENAI,
                mode=_instructor_mode(call.mode),
                context=call.context,
                max_retries=self.settings.reasks,
                args=(),
                kwargs=_fresh_kwargs(call.body),
                strict=True,
            )
        except Exception as exc:  # translated below; anything unknown re-raises
            failure = mask(
                translate(exc, call.task, self.settings, self.base_url), self.settings.secret
            )
            if isinstance(failure, GenerationError | BudgetExceeded):
                failure.usage = meter.usage
            raise failure from None
        finally:
            CURRENT_CALL.reset(token)
        self.transport.commit(meter)
        return Generated(
            value=value,
            usage=meter.usage,
            request_key=call.key,
            prompt_version=call.prompt_version,
            exchanges=meter.exchanges,
            unpriced=meter.unpriced,
            sources=meter.sources,
        )


DEFAULT_OUTPUT_TOKENS = 1000
# Share of the context kept free: a server's tokenizer and chat template count more tokens
# than the offline estimate of the messages.
CONTEXT_MARGIN = 0.15
MIN_ANSWER_TOKENS = 256


def answer_room(settings: Settings, input_tokens: int) -> int:
    """`max_output_tokens`, lowered when the prompt would leave less room in the context.

    A request never asks for more than the model's context can hold, so a long prompt on a
    small local model (8k) is answered instead of refused.
    """
    free = int(settings.context_tokens * (1 - CONTEXT_MARGIN)) - input_tokens
    return max(MIN_ANSWER_TOKENS, min(settings.max_output_tokens, free))


async def _post_chat(door: Door, call: PreparedCall, meter: CallMeter, **body: Any) -> Any:
    """POST a chat completion straight to the door's transport, as the client would send it.

    The body is complete, so the client's parameter transform, request options and response
    machinery (a walk over every message and the schema, per exchange) add nothing; its
    errors are raised as the client raises them, for `failures.translate`. The prepared
    exchange itself is marked so the transport keys it by the prepared key.
    """
    import openai
    from openai.types.chat import ChatCompletion

    client = door.openai_client()
    meter.sending = call.body if body == call.body else None
    request = client._client.build_request(
        "POST",
        door.chat_url,
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers=door.chat_headers(),
        timeout=client.timeout,
    )
    try:
        response = await door.transport.handle_async_request(request)
        response.request = request  # what the client's errors name (set by a client's send)
        await response.aread()
    except PersonagenError:
        raise
    except httpx2.TimeoutException as error:
        raise openai.APITimeoutError(request=request) from error
    except Exception as error:  # as the client does: the server was not reached
        raise openai.APIConnectionError(request=request) from error
    if not response.is_success:
        raise client._make_status_error_from_response(response)
    # Built as the client builds it: leniently, so a local server's sparse answer is read.
    return ChatCompletion.construct(**json.loads(response.content))


def _fresh_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    """The prepared body as instructor's keyword arguments, safe from its re-asks.

    A re-ask appends to the message list; a copy of the list and of each message keeps the
    prepared call as it was, without deep-copying its schema on every call.
    """
    return {**body, "messages": [dict(message) for message in body["messages"]]}


def _description(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip()
    return doc.split("\n\n")[0].replace("\n", " ") or f"Answer as {model.__name__}"


@functools.cache
def _instructor_model(model: type[BaseModel]) -> type[BaseModel]:
    """instructor's wrapper of a response model, built once per model.

    A refused answer raises `Refused`, whose text (what instructor's re-ask tells the
    model) is one readable sentence per problem instead of pydantic's dump.
    """
    from instructor.v2.core.errors import ResponseParsingError
    from instructor.v2.core.function_calls import response_schema

    class Refused(ResponseParsingError):
        """An answer that failed validation; instructor retries these."""

        def __init__(self, error: ValidationError) -> None:
            self.problems = describe_problems(error)
            super().__init__("\n".join(self.problems))

    wrapped: Any = response_schema(model)

    class Readable(wrapped):  # type: ignore[misc]
        @classmethod
        def model_validate_json(cls, json_data: Any, **options: Any) -> Any:
            try:
                return super().model_validate_json(json_data, **options)
            except ValidationError as error:
                raise Refused(error) from error

    Readable.__name__ = Readable.__qualname__ = model.__name__
    return Readable


def _instructor_mode(mode: str) -> Any:
    import instructor

    return getattr(instructor.Mode, _INSTRUCTOR_MODES[mode])


@functools.cache
def _schema(response_model: type[BaseModel]) -> dict[str, Any]:
    return response_model.model_json_schema()
