"""Keep the good parts of an answer that stayed invalid after its re-asks.

The smallest list entry that holds a problem is dropped (a variant, an e-mail, an insight,
a persona claim, one piece of its evidence) and listed with its reasons; the rest is
validated again, until it passes or nothing is left. A problem that belongs to a whole
list (two variants too alike) drops that list's last entry.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from personagen.problems import describe_error, human_path

M = TypeVar("M", bound=BaseModel)
# Enough rounds to drop every entry of a large answer one problem group at a time.
MAX_ROUNDS = 200


@dataclass(frozen=True)
class Dropped:
    """A part of an answer that was left out, where it was and why."""

    path: str
    problems: list[str]
    data: Any = None


@dataclass
class Salvaged(Generic[M]):
    """What remained valid of an answer, and what was dropped."""

    value: M
    dropped: list[Dropped] = field(default_factory=list)


def salvage(model: type[M], data: object, context: Mapping[str, Any]) -> Salvaged[M] | None:
    """The valid remainder of `data` as `model`, or None when nothing valid remains."""
    if not isinstance(data, dict):
        return None
    current: dict[str, Any] = copy.deepcopy(data)
    dropped: list[Dropped] = []
    for _ in range(MAX_ROUNDS):
        try:
            return Salvaged(model.model_validate(current, context=dict(context)), dropped)
        except ValidationError as exc:
            targets = _targets(exc, current)
        if not targets:
            return None
        # Drop deepest and last entries first, so the earlier indexes stay right.
        for loc in sorted(targets, key=lambda loc: (len(loc), loc), reverse=True):
            container = _at(current, loc[:-1])
            index = loc[-1]
            assert isinstance(container, list) and isinstance(index, int)
            if index < len(container):
                dropped.append(Dropped(human_path(loc), targets[loc], container.pop(index)))
    return None


def _targets(exc: ValidationError, data: dict[str, Any]) -> dict[tuple[Any, ...], list[str]]:
    """The list entries to drop, each with the problems found in it."""
    targets: dict[tuple[Any, ...], list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        cut = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=None)
        if cut is not None:
            target = loc[: cut + 1]
        else:
            entries = _at(data, loc)
            if not isinstance(entries, list) or not entries:
                return {}  # a problem of the whole answer: nothing to keep apart
            target = (*loc, len(entries) - 1)
        targets.setdefault(target, []).extend(describe_error(error))
    return targets


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data
