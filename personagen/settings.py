"""Settings: which model to call and how. One pydantic type, validated wherever a value
comes from (flags, environment, campaign, config file; merged by `inputs.settings`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from personagen.languages import LanguageTag

Provider = Literal["openai", "compatible", "replay", "anthropic"]
Mode = Literal["tools", "json", "md_json", "json_schema"]
PROVIDERS: tuple[Provider, ...] = ("openai", "compatible", "replay", "anthropic")
MODES: tuple[Mode, ...] = ("tools", "json", "md_json", "json_schema")
REPLAY_BASE_URL = "http://replay.invalid/v1"
# What the OpenAI client sends to a local server that wants no key (it needs one).
NO_KEY = "not-needed"


@dataclass(frozen=True)
class ProviderSpec:
    """What a provider is: the API it speaks, where it lives, its key and its defaults.

    `wire` is "openai" for servers that speak OpenAI's chat completions, else the name of
    the module under `personagen/llm/providers/` that translates to its own API.
    """

    wire: str
    base_url: str
    key_var: str | None  # None: no key at all (replay)
    key_needed: bool = True  # False: local servers accept any key
    base_url_var: str = "OPENAI_BASE_URL"
    # llama.cpp answers tool calls under a grammar but rejects json_schema response
    # formats, and small models in plain JSON mode tend to echo the schema: tools is the
    # safe default everywhere.
    mode: Mode = "tools"
    modes: tuple[Mode, ...] = MODES
    # A small local model on a busy CPU can take minutes for one answer.
    timeout: float = 120.0
    strict_schema: bool = True  # OpenAI's strict subset; grammar-based servers take all
    max_temperature: float = 2.0
    prompt_cache_key: bool = False  # sends OpenAI's prompt_cache_key routing hint
    batch_api: bool = False


PROVIDER_SPECS: dict[Provider, ProviderSpec] = {
    "openai": ProviderSpec(
        "openai",
        "https://api.openai.com/v1",
        "OPENAI_API_KEY",
        prompt_cache_key=True,
        batch_api=True,
    ),
    "compatible": ProviderSpec(
        "openai",
        "https://api.openai.com/v1",
        "OPENAI_API_KEY",
        key_needed=False,
        timeout=600.0,
        strict_schema=False,
        batch_api=True,
    ),
    # Answers come from cassettes, recorded in the request form OpenAI was sent.
    "replay": ProviderSpec("openai", REPLAY_BASE_URL, None, key_needed=False),
    # The Messages API has no json_schema response format; its tools take the full schema.
    "anthropic": ProviderSpec(
        "anthropic",
        "https://api.anthropic.com",
        "ANTHROPIC_API_KEY",
        base_url_var="ANTHROPIC_BASE_URL",
        modes=("tools", "json", "md_json"),
        strict_schema=False,
        max_temperature=1.0,
    ),
}
DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_CONCURRENCY = 8

ENV_VARS = {
    "provider": "PERSONAGEN_PROVIDER",
    "model": "PERSONAGEN_MODEL",
    "mode": "PERSONAGEN_MODE",
    "replay_dir": "PERSONAGEN_REPLAY",
    "record_dir": "PERSONAGEN_RECORD",
    "timeout": "PERSONAGEN_TIMEOUT",
    "transient_retries": "PERSONAGEN_TRANSIENT_RETRIES",
    "reasks": "PERSONAGEN_REASKS",
    "temperature": "PERSONAGEN_TEMPERATURE",
    "max_output_tokens": "PERSONAGEN_MAX_OUTPUT_TOKENS",
    "context_tokens": "PERSONAGEN_CONTEXT_TOKENS",
    "concurrency": "PERSONAGEN_CONCURRENCY",
    "requests_per_minute": "PERSONAGEN_REQUESTS_PER_MINUTE",
    "tokens_per_minute": "PERSONAGEN_TOKENS_PER_MINUTE",
    "strict_schema": "PERSONAGEN_STRICT_SCHEMA",
    "language": "PERSONAGEN_LANGUAGE",
}
KEY_VARS = tuple(sorted({s.key_var for s in PROVIDER_SPECS.values() if s.key_var}, reverse=True))
BASE_URL_VARS = tuple(sorted({s.base_url_var for s in PROVIDER_SPECS.values()}, reverse=True))
# Every variable that changes which model is called and how: cleared by tests and benchmarks.
PROVIDER_ENV_VARS = tuple(dict.fromkeys((*KEY_VARS, *BASE_URL_VARS, *ENV_VARS.values())))
# Settings whose command-line flag is not `--` plus the field name with dashes.
FLAGS = {"replay_dir": "--replay", "record_dir": "--record"}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return repr(value) if isinstance(value, int | float) else type(value).__name__


def _whole_number(value: object) -> object:
    """Text from the environment may be a number; true/false and words never are."""
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool | str):
        raise ValueError(f"expected a whole number, got {_show(value)}")
    return value


def _number(value: object) -> object:
    """A number, from text too; never true/false, nan or infinity (every bound fails those)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {_show(value)}")
    if not isinstance(value, int | float | str):
        return value  # pydantic names the wrong type
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except ValueError:
        return value  # words: pydantic says "expected a number"
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_show(value)}")
    return number if isinstance(value, str) else value


_PRICE_FIELDS = ("input", "output", "cached_input")


def _price_row(row: dict[str, float]) -> dict[str, float]:
    unknown = [name for name in row if name not in _PRICE_FIELDS]
    if unknown:
        raise ValueError(
            f"unknown price field {unknown[0]!r}; use input, output and cached_input "
            "(US dollars per million tokens)"
        )
    missing = [name for name in ("input", "output") if name not in row]
    if missing:
        raise ValueError(f"missing '{missing[0]}' (US dollars per million tokens)")
    return row


def _one_of(what: str, choices: tuple[str, ...]) -> BeforeValidator:
    def check(value: object) -> object:
        if value is not None and value not in choices:
            raise ValueError(f"unknown {what} {_show(value)}; choose from: {', '.join(choices)}")
        return value

    return BeforeValidator(check)


# The rules of each setting, shared with the campaign file's sections (models/campaign.py).
WholeNumber = BeforeValidator(_whole_number)
Number = BeforeValidator(_number)
ProviderName = Annotated[Provider, _one_of("provider", PROVIDERS)]
ModeName = Annotated[Mode, _one_of("mode", MODES)]
Temperature = Annotated[float, Field(ge=0, le=2), Number]
Timeout = Annotated[float, Field(gt=0), Number]
Budget = Annotated[float, Field(gt=0), Number]
Retries = Annotated[int, Field(ge=0), WholeNumber]
Reasks = Annotated[int, Field(ge=0, le=10), WholeNumber]
ContextTokens = Annotated[int, Field(ge=1000), WholeNumber]
MaxOutputTokens = Annotated[int, Field(ge=256), WholeNumber]
Concurrency = Annotated[int, Field(ge=1, le=256), WholeNumber]
PerMinute = Annotated[float, Field(gt=0), Number]
PriceValue = Annotated[float, Field(ge=0), Number]
Prices = dict[str, Annotated[dict[str, PriceValue], AfterValidator(_price_row)]]


class Settings(BaseModel):
    """Everything the door needs to reach a model. The API key never leaves this object.

    Each setting is taken from the first of these that gives it (highest first):

    1. command-line flags (`--model`, `--concurrency`, ...);
    2. environment variables (`PERSONAGEN_MODEL`, `PERSONAGEN_CONCURRENCY`, ... `ENV_VARS`;
       the base URL from the provider's `base_url_var`, e.g. `OPENAI_BASE_URL`);
    3. the campaign file (`personagen run`): the keys actually written in its `model:` and
       `rate_limits:` sections and its `concurrency:` and `prices:`;
    4. `$PERSONAGEN_HOME/config.yaml` (or `--config FILE`);
    5. the defaults below.

    A bad value in any of them is one error line naming where it came from and the field.
    A replay folder makes the provider `replay` and a base URL makes it `compatible`,
    unless a flag or the campaign names the provider.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ProviderName = "openai"
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    mode: ModeName | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)
    timeout: Timeout | None = None
    transient_retries: Retries = 5
    reasks: Reasks = 2
    temperature: Temperature = 0.2
    max_output_tokens: MaxOutputTokens = 4096
    context_tokens: ContextTokens = 32000
    concurrency: Concurrency = DEFAULT_CONCURRENCY
    requests_per_minute: PerMinute | None = None
    tokens_per_minute: PerMinute | None = None
    record_dir: Path | None = None
    replay_dir: Path | None = None
    rekey: bool = False  # carry old answers over to changed requests, into record_dir
    rekey_in_place: bool = False  # ... into replay_dir itself, replacing the old files
    cache: bool = True
    strict_schema: bool | None = None
    prices: Prices = Field(default_factory=dict)
    # The language personas and copy are written in (BCP 47); None: the brief's, else en.
    language: LanguageTag | None = None

    @field_validator("api_key")
    @classmethod
    def _trimmed_key(cls, key: str | None) -> str | None:
        """A key pasted with its line break (a CRLF .env file) still works."""
        return (key.strip() or None) if key is not None else None

    @property
    def spec(self) -> ProviderSpec:
        """What the provider is: its API, address, key variable and defaults."""
        return PROVIDER_SPECS[self.provider]

    @property
    def effective_mode(self) -> Mode:
        """The instructor mode to use: the configured one, else the provider's default."""
        return self.mode or self.spec.mode

    @property
    def effective_timeout(self) -> float:
        """Seconds to wait for one answer: the configured value, else the provider's default."""
        return self.timeout if self.timeout is not None else self.spec.timeout

    @property
    def effective_strict_schema(self) -> bool:
        """Whether the schema goes out in OpenAI's strict dialect (tools and json_schema modes).

        Default: yes for OpenAI (and replay of what was recorded from it), no for
        OpenAI-compatible servers, which turn the full schema into a grammar, and for
        providers with their own API (`ProviderSpec.strict_schema`).
        """
        if self.effective_mode not in ("tools", "json_schema"):
            return False
        if self.strict_schema is not None:
            return self.strict_schema
        return self.spec.strict_schema

    @property
    def secret(self) -> str | None:
        """The key to keep out of every output, log and file (None when there is no real key)."""
        return self.api_key if self.api_key and self.api_key != NO_KEY else None

    def cassette_problem(self) -> str | None:
        """Why the replay/record/rekey settings could damage a cassette folder, if they could."""
        replay, record, flag = self.replay_dir, self.record_dir, "--rekey"
        same = replay is not None and record is not None and replay.resolve() == record.resolve()
        if not (self.rekey or self.rekey_in_place):
            return f"--record {record} is the --replay folder; use another" if same else None
        if self.rekey_in_place:
            flag = "--rekey-in-place"
        if replay is None:
            return f"{flag} needs --replay DIR: it carries a cassette folder's answers over"
        if self.rekey_in_place:
            return None
        if record is None:
            return (
                f"--rekey never rewrites the --replay folder {replay}; add --record NEW_DIR to "
                "write the answers (carried over or not) there, or use --rekey-in-place"
            )
        return f"--record {record} is the --replay folder; give a new one" if same else None

    def provider_problem(self) -> str | None:
        """Why the provider cannot serve these settings (a mode or value it lacks), if it cannot."""
        spec, name = self.spec, self.provider
        if self.effective_mode not in spec.modes:
            return (
                f"mode: provider '{name}' has no mode '{self.effective_mode}'; "
                f"choose from: {', '.join(spec.modes)}"
            )
        if self.temperature > spec.max_temperature:
            return (
                f"temperature: provider '{name}' accepts 0 to {spec.max_temperature:g}, "
                f"got {self.temperature:g}"
            )
        return None

    def redacted(self) -> dict[str, object]:
        """Settings as shown to users and stored in runs: never the key."""
        shown: dict[str, object] = self.model_dump()  # the key is excluded from dumps
        shown["api_key"] = "set" if self.api_key else "not set"
        return {k: str(v) if isinstance(v, Path) else v for k, v in shown.items()}
