"""Settings from flags, environment, the campaign file and the config file, merged once.

Precedence, highest first: command-line flags > environment variables > the campaign
file's written settings > `$PERSONAGEN_HOME/config.yaml` > defaults (see `Settings`).
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import cast

from personagen.errors import InputError, SettingsError
from personagen.inputs.structured import parse_yaml_mapping, read_text, validate_mapping
from personagen.paths import home
from personagen.settings import (
    ENV_VARS,
    FLAGS,
    KEY_VARS,
    NO_KEY,
    PROVIDER_SPECS,
    Provider,
    Settings,
)

SETTING_NAMES = tuple(name for name in Settings.model_fields if name != "api_key")


def flag_for(name: str) -> str:
    """The command-line flag that sets the field `name`."""
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def _unknown(names: Iterable[str], source: str) -> None:
    for name in names:
        if name not in SETTING_NAMES:
            close = difflib.get_close_matches(name, SETTING_NAMES, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(source, f"unknown setting {name!r}{hint}")


def _checked(values: Mapping[str, object], source: str) -> dict[str, object]:
    """`values` validated as Settings fields; a bad one is an InputError naming `source`."""
    settings = validate_mapping(values, Settings, source)
    return {name: getattr(settings, name) for name in values}


def _checked_one(name: str, value: object, source: str) -> object:
    """One value from a variable or a flag: the error names the variable or flag only."""
    try:
        return _checked({name: value}, source)[name]
    except InputError as exc:
        raise InputError(source, exc.detail.removeprefix(f"{name}: ")) from None


def _config_file_values(path: Path | None) -> dict[str, object]:
    candidate = path or home() / "config.yaml"
    if not candidate.exists():
        if path is not None:
            raise InputError(str(path), "no such config file")
        return {}
    source = str(candidate)
    data = parse_yaml_mapping(read_text(candidate, max_bytes=1_000_000), source)
    if "api_key" in data:
        where = " or ".join(KEY_VARS)
        raise InputError(source, f"api_key: keep the key out of files; set {where} instead")
    _unknown(data, source)
    return _checked(data, source)


def _env_values() -> dict[str, object]:
    return {
        name: _checked_one(name, os.environ[var], var)
        for name, var in ENV_VARS.items()
        if os.environ.get(var)
    }


def _flag_values(flags: Mapping[str, object]) -> dict[str, object]:
    given = {k: v for k, v in flags.items() if v is not None}
    _unknown((k for k in given if k != "api_key"), "command line")
    return {name: _checked_one(name, value, flag_for(name)) for name, value in given.items()}


def resolve_settings(
    overrides: dict[str, object] | None = None,
    config: Path | None = None,
    *,
    require_key: bool = True,
) -> Settings:
    """Merge defaults < config file < environment < explicit overrides (flags).

    `require_key=False` (a dry run, which sends nothing) accepts a missing API key.
    """
    return merge_settings(flags=overrides, config=config, require_key=require_key)


def merge_settings(
    *,
    flags: Mapping[str, object] | None = None,
    campaign: Mapping[str, object] | None = None,
    campaign_source: str = "campaign",
    config: Path | None = None,
    require_key: bool = True,
) -> Settings:
    """Settings from flags > environment > campaign > config file > defaults (see Settings).

    `campaign` holds only the settings the campaign file writes (`Campaign.settings_values`).
    `require_key=False` (a dry run, which sends nothing) accepts a missing API key.
    """
    from_flags = _flag_values(flags or {})
    from_campaign = _checked(campaign or {}, campaign_source)
    values = {**_config_file_values(config), **from_campaign, **_env_values(), **from_flags}
    # The base URL variable is the provider's own (OPENAI_BASE_URL, ANTHROPIC_BASE_URL), so
    # one provider's address never receives another provider's key.
    provider = cast(Provider, values.get("provider", "openai"))  # validated above
    base_var = PROVIDER_SPECS[provider].base_url_var
    if "base_url" not in from_flags and os.environ.get(base_var):
        values["base_url"] = _checked_one("base_url", os.environ[base_var], base_var)
    named_provider = "provider" in from_flags or "provider" in from_campaign
    if values.get("replay_dir") is not None and not named_provider:
        values["provider"] = "replay"
    if values.get("base_url") and values.get("provider", "openai") == "openai":
        values["provider"] = "compatible"
    settings = Settings.model_validate(values)
    _check_choices(settings)
    var = settings.spec.key_var
    if not require_key and not (settings.api_key or (var and os.environ.get(var, "").strip())):
        return settings
    return settings.model_copy(update={"api_key": get_key(settings)})


def _check_choices(settings: Settings) -> None:
    if settings.provider == "replay" and settings.replay_dir is None:
        raise SettingsError("provider 'replay' needs --replay DIR (a folder of cassettes)")
    if settings.replay_dir is not None and not settings.replay_dir.is_dir():
        raise SettingsError(f"{settings.replay_dir}: replay folder does not exist")
    problem = settings.provider_problem() or settings.cassette_problem()
    if problem is not None:
        raise SettingsError(problem)


def get_key(settings: Settings) -> str | None:
    """The API key for `settings`, or a SettingsError saying exactly what to set.

    Whitespace around the key (a line break from a CRLF `.env` file) is stripped with a
    warning on stderr; a key that no HTTP header can carry is refused.
    """
    spec, var = settings.spec, settings.spec.key_var
    if var is None or settings.replay_dir is not None:
        return None  # answers come from cassettes: nothing is sent
    raw = settings.api_key or os.environ.get(var) or ""
    key = raw.strip()
    if key != raw and key:
        print(
            f"warning: {var} had whitespace or a line break around the key (a CRLF .env "
            "file?); it was stripped",
            file=sys.stderr,
        )
    if key:
        _check_header_safe(key, var)
        return key
    if not spec.key_needed:
        # Local servers (Ollama, vLLM, llama.cpp) accept any key; the client needs one.
        return NO_KEY
    if spec.wire == "openai":
        raise SettingsError(
            f"no API key: set {var}, or pass --base-url URL for an OpenAI-compatible "
            "server (Ollama, vLLM, llama.cpp), or --replay DIR to answer from cassettes"
        )
    raise SettingsError(
        f"no API key: set {var} for provider '{settings.provider}', or pass --replay DIR "
        "to answer from cassettes"
    )


def _check_header_safe(key: str, var: str) -> None:
    """A key goes out in an HTTP header: spaces, line breaks and non-ASCII never reach it."""
    for char in key:
        if not 33 <= ord(char) < 127:
            kind = "a space or a control character" if char.isascii() else "a non-ASCII character"
            raise SettingsError(
                f"{var}: the key contains {kind}, which no HTTP header can carry; "
                "copy the key again"
            )
