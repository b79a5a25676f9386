"""Cassettes: recorded model exchanges, one human-readable JSON file each.

A cassette holds the normalized request (model, messages, schema, parameters), the raw
response body, the task and a label naming the logical call ("<job>#<attempt>"), so a
prompt change can carry old answers over to new requests (re-keying). A replay folder is
only read: carried-over answers go to the record folder, unless a rewrite in place was
asked for by name (`--rekey-in-place`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from personagen.atomic import write_text_atomic


@dataclass
class Cassette:
    """One recorded exchange."""

    key: str
    task: str
    label: str
    source: str
    request: dict[str, Any]
    response: dict[str, Any]
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "key": self.key,
            "task": self.task,
            "label": self.label,
            "source": self.source,
            **self.extra,
            "request": self.request,
            "response": self.response,
        }


def _load(path: Path) -> Cassette:
    from personagen.errors import InputError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise InputError(str(path), "not a valid cassette (nested too deeply)") from None
    except (OSError, ValueError) as exc:
        raise InputError(str(path), f"not a valid cassette ({exc})") from None
    problem = _shape_problem(data)
    if problem is not None:
        raise InputError(str(path), f"not a valid cassette ({problem})")
    return Cassette(
        key=data["key"],
        task=data["task"],
        label=data.get("label", ""),
        source=data.get("source", "recorded"),
        request=data.get("request", {}),
        response=data["response"],
        path=path,
        extra={k: v for k, v in data.items() if k not in _FIELDS},
    )


_FIELDS = {"key": str, "task": str, "label": str, "source": str, "request": dict, "response": dict}
_REQUIRED = ("key", "task", "response")
_KINDS = {str: "text", dict: "an object"}


def _shape_problem(data: object) -> str | None:
    """What keeps `data` from being a cassette (replayed as a chat completion), if anything."""
    if not isinstance(data, dict):
        return f"expected a JSON object, found {type(data).__name__}"
    for name in _REQUIRED:
        if name not in data:
            return f"missing '{name}'"
    for name, kind in _FIELDS.items():
        if name in data and not isinstance(data[name], kind):
            return f"'{name}' must be {_KINDS[kind]}, found {type(data[name]).__name__}"
    return None


def _call(label: str) -> str:
    """The logical call of an exchange label ('copy/cfo/x#2' -> 'copy/cfo/x')."""
    return label.rsplit("#", 1)[0]


class CassetteBook:
    """A folder of cassettes, read for replay and written for recording."""

    def __init__(self, directory: Path, *, in_place: bool = False) -> None:
        self.directory = directory
        self.in_place = in_place  # carried-over answers replace their old files here
        self._lock = threading.Lock()
        self._by_key: dict[str, Cassette] = {}
        self._used: set[str] = set()
        self._tasks: set[str] = set()
        self._calls: set[str] = set()
        self.carried = 0  # answers carried over to changed requests in this session
        self.removed = 0  # old cassettes a rewrite in place deleted
        if directory.is_dir():
            for path in sorted(directory.rglob("*.json")):
                cassette = _load(path)
                self._by_key[cassette.key] = cassette

    def get(self, key: str, task: str, label: str = "") -> Cassette | None:
        """The cassette answering `key`, marking it used (and its task and call as asked)."""
        with self._lock:
            self._tasks.add(task)
            self._calls.add(_call(label))
            cassette = self._by_key.get(key)
            if cassette is not None:
                self._used.add(key)
            return cassette

    def by_label(self, label: str) -> Cassette | None:
        """An unused cassette recorded for the same logical call, for re-keying."""
        with self._lock:
            for cassette in self._by_key.values():
                if cassette.label == label and cassette.key not in self._used:
                    return cassette
            return None

    def carry(self, cassette: Cassette, replaces: Cassette) -> None:
        """Answer with a carried-over cassette; its file is written only in place."""
        if self.in_place:
            self.add(cassette, replaces=replaces)
        else:
            with self._lock:
                self._by_key[cassette.key] = cassette
                self._used.update((cassette.key, replaces.key))
        with self._lock:
            self.carried += 1

    def add(self, cassette: Cassette, *, replaces: Cassette | None = None) -> Path:
        """Write a copy of a cassette atomically (and drop the one it replaces)."""
        slug = cassette.label.replace("/", "_").replace("#", "-") or cassette.task
        path = self.directory / f"{slug}--{cassette.key[:12]}.json"
        cassette = replace(cassette, path=path)  # the caller's cassette keeps its own file
        write_text_atomic(path, json.dumps(cassette.to_json(), indent=2, ensure_ascii=False) + "\n")
        with self._lock:
            self._by_key[cassette.key] = cassette
            self._used.add(cassette.key)
            if replaces is not None and replaces.key != cassette.key:
                self._by_key.pop(replaces.key, None)
                if replaces.path is not None and replaces.path != path:
                    replaces.path.unlink(missing_ok=True)
                    self.removed += 1
        return path

    def stale(self) -> list[Cassette]:
        """Cassettes of the calls made in this session that no request used.

        They went stale after a prompt or input change. Cassettes of calls this session
        never made (a job the run store answered, a folder shared by several commands) are
        not stale.
        """
        with self._lock:
            return [
                c
                for k, c in sorted(self._by_key.items())
                if k not in self._used
                and (_call(c.label) in self._calls if c.label else c.task in self._tasks)
            ]


def replay_notes(book: CassetteBook | None, record: CassetteBook | None) -> str | None:
    """Where carried-over answers went, and the cassettes no request used (stale)."""
    if book is None:
        return None
    lines = []
    if book.carried:
        where = (
            f"{book.directory} rewritten in place ({book.removed} old cassette(s) removed)"
            if book.in_place or record is None
            else f"written to {record.directory}; {book.directory} is unchanged"
        )
        lines.append(f"{book.carried} answer(s) carried over to changed requests: {where}")
    stale = book.stale()
    if stale:
        names = ", ".join(c.path.name if c.path else c.key[:12] for c in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        lines.append(
            f"{len(stale)} cassette(s) in {book.directory} were not used (stale): "
            f"{names}{more}; carry them over into a new folder with --rekey --record NEW_DIR, "
            "or delete them"
        )
    return "\n".join(lines) or None


def new_cassette(
    key: str, task: str, label: str, request: dict[str, Any], response: dict[str, Any]
) -> Cassette:
    """A freshly recorded cassette."""
    return Cassette(
        key=key,
        task=task,
        label=label,
        source="recorded",
        request=request,
        response=response,
        extra={"recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
    )


def carried_over(old: Cassette, key: str, request: dict[str, Any]) -> Cassette:
    """Carry an old answer over to a new request after a prompt change.

    The source (recorded or hand-written) stays; the cassette is marked as carried over.
    """
    return Cassette(
        key=key,
        task=old.task,
        label=old.label,
        source=old.source,
        request=request,
        response=old.response,
        extra={
            **old.extra,
            "carried_over": True,
            "carried_over_from": old.key,
            "carried_over_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
