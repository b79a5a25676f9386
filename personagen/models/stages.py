"""Buyer journey stages: goal, call to action and persona focus, read once from
`data/stages.yaml`; a brief may override a stage's goal and call to action."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence

from pydantic import Field, field_validator

from personagen.data import load_data
from personagen.errors import InputError
from personagen.models.base import StrictModel
from personagen.models.persona import SECTIONS

STAGES_FILE = "stages.yaml"


class Stage(StrictModel):
    """One stage of the buyer journey and what copy written for it must do."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="e.g. 'awareness'.")
    title: str = Field(min_length=1, description="Heading in decks and the report.")
    goal: str = Field(min_length=1, description="What copy at this stage must achieve.")
    call_to_action: str = Field(min_length=1, description="The kind of ask that fits.")
    focus: list[str] = Field(
        min_length=1, description="Persona sections that matter most here, most important first."
    )

    @field_validator("focus")
    @classmethod
    def _sections(cls, focus: list[str]) -> list[str]:
        unknown = [name for name in focus if name not in SECTIONS]
        if unknown:
            raise ValueError(
                f"unknown persona section '{unknown[0]}'; choose from: {', '.join(SECTIONS)}"
            )
        return focus


class StageOverride(StrictModel):
    """A brief's own goal or call to action for one stage (unset fields keep the default)."""

    goal: str | None = Field(default=None, min_length=1)
    call_to_action: str | None = Field(default=None, min_length=1)


class _Registry(StrictModel):
    stages: list[Stage] = Field(min_length=1)


@functools.cache
def _registry() -> dict[str, Stage]:
    """Read and check the stage file once per process."""
    registry = load_data(_Registry, STAGES_FILE)
    return {stage.id: stage for stage in registry.stages}


def stage_ids() -> tuple[str, ...]:
    """The built-in stages in journey order."""
    return tuple(_registry())


def unknown_stage(names: Iterable[str]) -> str | None:
    """The message for the first name that is no stage, or None when all are stages."""
    known = stage_ids()
    for name in names:
        if name not in known:
            return f"unknown stage '{name}'; choose from: {', '.join(known)}"
    return None


def stage_rank(stage_id: str | None) -> int:
    """Sort key: no stage first, then journey order, unknown stages last."""
    if stage_id is None:
        return -1
    order = stage_ids()
    return order.index(stage_id) if stage_id in order else len(order)


def stage_title(stage_id: str) -> str:
    """A stage's heading ('Awareness'); an unknown id (from a file on disk) as it is."""
    stage = _registry().get(stage_id)
    return stage.title if stage is not None else stage_id


def get_stage(stage_id: str, overrides: Mapping[str, StageOverride] | None = None) -> Stage:
    """A built-in stage with a brief's overrides applied; InputError for an unknown id."""
    problem = unknown_stage([stage_id])
    if problem is not None:
        raise InputError("stages", problem)
    stage = _registry()[stage_id]
    override = (overrides or {}).get(stage_id)
    if override is None:
        return stage
    return stage.model_copy(update=override.model_dump(exclude_none=True))


def check_overrides(overrides: dict[str, StageOverride]) -> dict[str, StageOverride]:
    """A brief's `stages:` section, when every key names a stage (ValueError otherwise)."""
    problem = unknown_stage(overrides)
    if problem is not None:
        raise ValueError(problem)
    return overrides


StageChoice = Sequence[str] | Mapping[str, Sequence[str] | None]


def stage_shapes(stages: object) -> object:
    """`stages:` as written, in the shape `stage_channels` takes: one name is a list of one,
    one channel is a list of one; ValueError says what else a value should be."""
    if stages is None:
        return None
    if isinstance(stages, str):
        return [stages]
    if isinstance(stages, list):
        for item in stages:
            if not isinstance(item, str):
                raise ValueError(f"a stage is a name like 'awareness', not {item!r}")
        return stages
    if isinstance(stages, dict):
        shaped: dict[object, object] = {}
        for stage, chans in stages.items():
            if isinstance(chans, str):
                chans = [chans]
            if chans is not None and not (
                isinstance(chans, list) and all(isinstance(c, str) for c in chans)
            ):
                raise ValueError(f"stage '{stage}': expected a list of channel ids, got {chans!r}")
            shaped[stage] = chans
        return shaped
    raise ValueError("expected a list of stages or a mapping of each stage to its channels")


def stage_channels(stages: StageChoice | None, channels: Sequence[str]) -> dict[str, list[str]]:
    """Each chosen stage with the channels written for it, in the order given.

    `stages` is a list (every channel at each stage) or a mapping of stage to its channels
    (none: every channel); {} without stages. ValueError names an unknown or repeated
    stage, or a channel that is not one of `channels`.
    """
    if stages is None:
        return {}
    if isinstance(stages, str):
        stages = [stages]
    if isinstance(stages, Mapping):
        plan: dict[str, Sequence[str] | None] = dict(stages)
    else:
        repeated = sorted({s for s in stages if list(stages).count(s) > 1})
        if repeated:
            raise ValueError(f"stage '{repeated[0]}' is listed twice")
        plan = dict.fromkeys(stages)
    if not plan:
        raise ValueError("'stages' is empty; name at least one stage or remove the key")
    problem = unknown_stage(plan)
    if problem is not None:
        raise ValueError(problem)
    chosen: dict[str, list[str]] = {}
    for stage, chans in plan.items():
        if chans is not None and not chans:
            raise ValueError(f"stage '{stage}' has no channels; list some or leave it empty")
        missing = [c for c in chans or [] if c not in channels]
        if missing:
            raise ValueError(
                f"stage '{stage}': channel '{missing[0]}' is not one of the campaign's "
                f"channels ({', '.join(channels)})"
            )
        chosen[stage] = list(dict.fromkeys(chans or channels))
    return chosen
