"""Settings: which model to call and how. One pydantic type, validated wherever a value
comes from (flags, environment, campaign, config file; merged by `inputs.settings`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Provider = Literal["openai", "compatible", "replay"]
Mode = Literal["tools", "json", "md_json", "json_schema"]
PROVIDERS: tuple[Provider, ...] = ("openai", "compatible", "replay")
MODES: tuple[Mode, ...] = ("tools", "json", "md_json", "json_schema")

# llama.cpp answers tool calls under a grammar but rejects json_schema response formats,
# and small models in plain JSON mode tend to echo the schema: tools is the safe default.
DEFAULT_MODE: dict[Provider, Mode] = {"openai": "tools", "compatible": "tools", "replay": "tools"}
# A small local model on a busy CPU can take minutes for one answer.
DEFAULT_TIMEOUT: dict[Provider, float] = {"openai": 120.0, "compatible": 600.0, "replay": 120.0}
DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_CONCURRENCY = 8
REPLAY_BASE_URL = "http://replay.invalid/v1"

ENV_VARS = {
    "provider": "PERSONAGEN_PROVIDER",
    "model": "PERSONAGEN_MODEL",
    "base_url": "OPENAI_BASE_URL",
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
}
KEY_VAR = "OPENAI_API_KEY"
# Every variable that changes which model is called and how: cleared by tests and benchmarks.
PROVIDER_ENV_VARS = (KEY_VAR, *ENV_VARS.values())
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
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {_show(value)}")
    return value


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
Retries = Annotated[int, Field(ge=0), WholeNumber]
Reasks = Annotated[int, Field(ge=0, le=10), WholeNumber]
ContextTokens = Annotated[int, Field(ge=1000), WholeNumber]
MaxOutputTokens = Annotated[int, Field(ge=256), WholeNumber]
Concurrency = Annotated[int, Field(ge=1, le=256), WholeNumber]
PerMinute = Annotated[float, Field(gt=0), Number]
Prices = dict[str, dict[str, float]]


class Settings(BaseModel):
    """Everything the door needs to reach a model. The API key never leaves this object.

    Each setting is taken from the first of these that gives it (highest first):

    1. command-line flags (`--model`, `--concurrency`, ...);
    2. environment variables (`PERSONAGEN_MODEL`, `PERSONAGEN_CONCURRENCY`, ... `ENV_VARS`);
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
    rekey: bool = False
    cache: bool = True
    strict_schema: bool | None = None
    prices: Prices = Field(default_factory=dict)

    @property
    def effective_mode(self) -> Mode:
        """The instructor mode to use: the configured one, else the provider's default."""
        return self.mode or DEFAULT_MODE[self.provider]

    @property
    def effective_timeout(self) -> float:
        """Seconds to wait for one answer: the configured value, else the provider's default."""
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT[self.provider]

    @property
    def effective_strict_schema(self) -> bool:
        """Whether the schema goes out in OpenAI's strict dialect (tools and json_schema modes).

        Default: yes for OpenAI (and replay of what was recorded from it), no for
        OpenAI-compatible servers, which turn the full schema into a grammar.
        """
        if self.effective_mode not in ("tools", "json_schema"):
            return False
        if self.strict_schema is not None:
            return self.strict_schema
        return self.provider != "compatible"

    def redacted(self) -> dict[str, object]:
        """Settings as shown to users and stored in runs: never the key."""
        shown: dict[str, object] = self.model_dump()  # the key is excluded from dumps
        shown["api_key"] = "set" if self.api_key else "not set"
        return {k: str(v) if isinstance(v, Path) else v for k, v in shown.items()}
