"""Read YAML/JSON user files into validated models, failing with one clear line."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from personagen.errors import InputError
from personagen.text import slugify

M = TypeVar("M", bound=BaseModel)

MAX_MODEL_BYTES = 5_000_000
_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_SHOWN_CHARS = 60
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def load_model(path: Path, model: type[M], *, what: str = "") -> M:
    """Read a YAML or JSON file and validate it as `model`; `what` names it in messages."""
    source = str(path)
    text = read_text(path, max_bytes=MAX_MODEL_BYTES)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            source, f"unsupported file type '{path.suffix}'; expected .yaml, .yml or .json"
        )
    fields = f"{what} fields" if what else "fields"
    if kind == "json":
        if not text.strip():
            raise InputError(source, f"file is empty; expected a mapping of {fields}")
        data = _parse_json(text, source)
    else:
        data = _parse_yaml(text, source)
        # safe_load gives None for a blank file, only comments, or a bare `null`.
        if data is None:
            raise InputError(
                source, f"file is empty or has only comments; expected a mapping of {fields}"
            )
    return validate_mapping(_expect_mapping(data, source, fields), model, source)


def read_text(path: Path, *, max_bytes: int) -> str:
    """Read a user's text file as UTF-8 with '\\n' line endings, or raise InputError."""
    return _decode(read_bytes(path, max_bytes=max_bytes), str(path))


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """Read a user's regular file of at most `max_bytes` bytes, or raise InputError."""
    source = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(source, "is a folder, expected a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(source, "is not a regular file")
        _check_size(info.st_size, max_bytes, source)
        with path.open("rb") as handle:
            # Read one byte past the limit: the file may have grown since stat().
            data = handle.read(max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied; cannot read the file") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the file ({exc.strerror or exc})") from None
    _check_size(len(data), max_bytes, source)
    return data


def parse_yaml_mapping(text: str, source: str, *, first_line: int = 1) -> dict[str, object]:
    """Parse YAML that must be a mapping (empty YAML is an empty mapping)."""
    data = _parse_yaml(text, source, first_line=first_line)
    return {} if data is None else _expect_mapping(data, source, "fields")


def validate_mapping(data: Mapping[str, object], model: type[M], source: str) -> M:
    """Validate parsed data as `model`, turning pydantic's errors into one InputError line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # A misspelt key also shows up as a missing field; the "did you mean" explains both.
        errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
        detail = _describe(errors[0], model)
        if len(errors) > 1:
            more = len(errors) - 1
            detail += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise InputError(source, detail) from None


def _check_size(size: int, max_bytes: int, source: str) -> None:
    if size > max_bytes:
        raise InputError(
            source, f"file is too large ({size:,} bytes; the limit is {max_bytes:,} bytes)"
        )


def _decode(data: bytes, source: str) -> str:
    # UTF-16 text is full of NUL bytes; name the real problem instead of calling it binary.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            source, "file is UTF-16; re-save it as UTF-8, e.g. `iconv -f utf-16 -t utf-8`"
        )
    if b"\x00" in data:
        raise InputError(source, "looks like a binary file (it contains NUL bytes); expected text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            source,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line}); "
            "re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`",
        ) from None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Loader(yaml.SafeLoader):
    """SafeLoader whose value errors (2024-02-30, `!!int ten`) carry the node's position."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {node.value!r} ({exc})", node.start_mark
            ) from None


def _parse_yaml(text: str, source: str, *, first_line: int = 1) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problem = _one_line(exc.problem or "invalid syntax")
        if "'\\t'" in problem:
            problem += " (YAML does not allow tabs for indentation)"
        if mark is None:
            raise InputError(source, f"malformed YAML: {problem}") from None
        where = f"line {mark.line + first_line}, column {mark.column + 1}"
        raise InputError(source, f"malformed YAML at {where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(source, f"malformed YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise InputError(source, "malformed YAML: nested too deeply") from None


def _parse_json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(source, f"malformed JSON at {where}: {exc.msg}") from None
    except RecursionError:
        raise InputError(source, "malformed JSON: nested too deeply") from None


def _expect_mapping(data: object, source: str, fields: str) -> dict[str, object]:
    if not isinstance(data, dict):
        raise InputError(source, f"expected a mapping of {fields}, found {_kind(data)}")
    for key in data:
        if not isinstance(key, str):
            raise InputError(source, f"field names must be text, found {_show(key)}")
    return data


def _describe(error: ErrorDetails, model: type[BaseModel]) -> str:
    loc = error["loc"]
    kind = error["type"]
    if kind in ("missing", "extra_forbidden") and loc and isinstance(loc[-1], str):
        # Name the field itself and report it at its parent's path.
        parent, name = loc[:-1], loc[-1]
        if kind == "missing":
            cause = f"missing required field '{name}'"
        else:
            cause = _unknown_field(name, _model_at(model, parent))
        return f"{_dotted(parent)}: {cause}" if parent else cause
    cause = _cause(error)
    return f"{_dotted(loc)}: {cause}" if loc else cause


def _cause(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    got = _show(error["input"])
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        return f"expected a number, got {got}"
    if kind == "int_from_float":
        return f"expected a whole number, got {got}"
    if kind == "string_type":
        return f"expected text, got {got}"
    if kind == "list_type":
        return f"expected a list, got {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {got}"
    if kind.startswith("date_"):
        return f"expected a date like 2024-05-31, got {got}"
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {got}"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item(s), got {ctx['actual_length']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return _pattern_cause(error["input"], ctx["pattern"], got)
    bounds = {
        "greater_than_equal": "at least",
        "greater_than": "above",
        "less_than_equal": "at most",
        "less_than": "below",
    }
    if kind in bounds:
        return f"must be {bounds[kind]} {_show(next(iter(ctx.values())))}, got {got}"
    if kind == "value_error":
        return _one_line(error["msg"].removeprefix("Value error, "))
    return f"{_one_line(error['msg'])} (got {got})"


def _pattern_cause(value: object, pattern: str, got: str) -> str:
    """A pattern mismatch with the fixed value to use when an obvious fix matches."""
    if not isinstance(value, str):
        return f"{got} does not match the required pattern {pattern}"
    ascii_words = any(c.isascii() and c.isalnum() for c in unicodedata.normalize("NFKD", value))
    fixes = [slugify(value)] if ascii_words else []
    fixes += [value.strip().upper(), value.strip()]
    fixed = next((fix for fix in fixes if fix != value and re.fullmatch(pattern, fix)), None)
    if pattern == SLUG_PATTERN:
        what = f"{got} is not a slug (lowercase letters, digits and '-')"
    else:
        what = f"{got} does not match the required pattern {pattern}"
    return f"{what}; use {fixed!r}" if fixed else what


def _unknown_field(name: str, parent: type[BaseModel] | None) -> str:
    shown = repr(name)  # repr: a key with a line break or escape codes stays on one line
    if parent is None:
        return f"unknown field {shown}"
    valid = [field.alias or key for key, field in parent.model_fields.items()]
    close = _closest(name, valid)
    if close:
        return f"unknown field {shown}; did you mean '{close}'?"
    return f"unknown field {shown}; expected one of: {', '.join(valid)}"


def _closest(name: str, valid: list[str]) -> str | None:
    """The most similar valid name (the first in field order on a tie), if any is close."""
    scored = [
        (difflib.SequenceMatcher(None, name, candidate).ratio(), -index, candidate)
        for index, candidate in enumerate(valid)
    ]
    best = max(scored, default=None)
    return best[2] if best is not None and best[0] >= 0.6 else None


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The nested model that `loc` points into, following fields and skipping list indexes."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            return None
        current = nested
    return current


def _nested_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _dotted(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _show(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        short = value if len(value) <= _SHOWN_CHARS else value[: _SHOWN_CHARS - 3] + "..."
        return repr(short)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | dt.date):
        return str(value)
    return _kind(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())
