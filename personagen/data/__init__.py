"""Data that marketers may change: channel limits, journey stages, AI-sounding phrases and
per-language lint rules and stop words (`languages/<code>.yaml`), as YAML files."""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from personagen.errors import InputError

T = TypeVar("T")
# libyaml (when PyYAML has it) parses the packaged files about ten times faster; both are
# safe loaders and give the same data.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data(kind: type[T], *parts: str) -> T:
    """Read the packaged YAML file `personagen/data/<parts>` as `kind` (a pydantic model or
    dataclass); a broken file is one error naming it."""
    try:
        text = resources.files("personagen.data").joinpath(*parts).read_text("utf-8")
        return TypeAdapter(kind).validate_python(yaml.load(text, Loader=_LOADER))  # noqa: S506
    except (ValidationError, yaml.YAMLError) as exc:
        raise InputError("personagen/data/" + "/".join(parts), str(exc)) from exc
