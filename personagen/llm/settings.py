"""Model settings from flags, environment and an optional config file, in that order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

import yaml

from personagen.errors import InputError, SettingsError
from personagen.paths import home

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
REPLAY_BASE_URL = "http://replay.invalid/v1"

ENV_VARS = {
    "provider": "PERSONAGEN_PROVIDER",
    "model": "PERSONAGEN_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "mode": "PERSONAGEN_MODE",
    "replay_dir": "PERSONAGEN_REPLAY",
    "record_dir": "PERSONAGEN_RECORD",
}
KEY_VAR = "OPENAI_API_KEY"
# Every variable that changes which model is called and how: cleared by tests and benchmarks.
PROVIDER_ENV_VARS = (KEY_VAR, *ENV_VARS.values())


@dataclass(frozen=True)
class Settings:
    """Everything the door needs to reach a model. The API key never leaves this object."""

    provider: Provider = "openai"
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    mode: Mode | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float | None = None
    transient_retries: int = 5
    reasks: int = 2
    temperature: float = 0.2
    max_output_tokens: int = 4096
    context_tokens: int = 32000
    concurrency: int = 8
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    record_dir: Path | None = None
    replay_dir: Path | None = None
    rekey: bool = False
    cache: bool = True
    strict_schema: bool | None = None
    prices: dict[str, dict[str, float]] = field(default_factory=dict)

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
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "api_key"}
        shown["api_key"] = "set" if self.api_key else "not set"
        return {k: str(v) if isinstance(v, Path) else v for k, v in shown.items()}


def _config_file_values(path: Path | None) -> dict[str, object]:
    candidate = path or home() / "config.yaml"
    if not candidate.exists():
        if path is not None:
            raise InputError(str(path), "no such config file")
        return {}
    from personagen.inputs.structured import read_text

    text = read_text(candidate, max_bytes=1_000_000)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(str(candidate), f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(str(candidate), "expected a mapping of settings")
    known = {f.name for f in fields(Settings)} - {"api_key"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(str(candidate), f"unknown setting '{unknown[0]}'")
    return data


def resolve_settings(
    overrides: dict[str, object] | None = None,
    config: Path | None = None,
    *,
    require_key: bool = True,
) -> Settings:
    """Merge defaults < config file < environment < explicit overrides (flags).

    `require_key=False` (a dry run, which sends nothing) accepts a missing API key.
    """
    values: dict[str, object] = dict(_config_file_values(config))
    for name, var in ENV_VARS.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for key in ("record_dir", "replay_dir"):
        if values.get(key) is not None:
            values[key] = Path(str(values[key]))
    if values.get("replay_dir") is not None and "provider" not in (overrides or {}):
        values["provider"] = "replay"
    if values.get("base_url") and values.get("provider", "openai") == "openai":
        values["provider"] = "compatible"
    settings = Settings(**values)  # type: ignore[arg-type]
    _check_choices(settings)
    if not require_key and not (settings.api_key or os.environ.get(KEY_VAR)):
        return settings
    return replace(settings, api_key=get_key(settings))


def _check_choices(settings: Settings) -> None:
    if settings.provider not in PROVIDERS:
        raise SettingsError(
            f"unknown provider '{settings.provider}'; choose from: {', '.join(PROVIDERS)}"
        )
    if settings.mode is not None and settings.mode not in MODES:
        raise SettingsError(f"unknown mode '{settings.mode}'; choose from: {', '.join(MODES)}")
    if settings.provider == "replay" and settings.replay_dir is None:
        raise SettingsError("provider 'replay' needs --replay DIR (a folder of cassettes)")
    if settings.replay_dir is not None and not settings.replay_dir.is_dir():
        raise SettingsError(f"{settings.replay_dir}: replay folder does not exist")


def get_key(settings: Settings) -> str | None:
    """The API key for `settings`, or a SettingsError saying exactly what to set."""
    if settings.provider == "replay":
        return None
    key = settings.api_key or os.environ.get(KEY_VAR)
    if key:
        return key
    if settings.provider == "compatible":
        # Local servers (Ollama, vLLM, llama.cpp) accept any key; the client needs one.
        return "not-needed"
    raise SettingsError(
        "no API key: set OPENAI_API_KEY, or pass --base-url URL for an OpenAI-compatible "
        "server (Ollama, vLLM, llama.cpp), or --replay DIR to answer from cassettes"
    )
