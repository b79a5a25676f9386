"""Copy that stays valid when its persona changes: the claims it speaks to did not.

A copy job's key is the content address of its request, so any change to a persona (a new
claim, a strengthened one) changes the key of every copy job of that persona. The store
also keeps, per campaign and job (persona, channel, stage), the latest copy's key and the
persona it was written for. Copy is reused for a changed persona when:

- the request is the same but for the persona: the earlier persona in today's request
  (brief, channel, counts, stage, model, prompts) has the earlier copy's key; and
- every claim it covers is the same item in both personas (id, wording, quotes and
  confidence): the ids in its `addresses` and `objection_id`s, and for a battlecard
  (which answers each objection of the persona) every objection.

Otherwise the job is generated again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from personagen.channels import get_channel
from personagen.llm import Door
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona
from personagen.pipeline.copy import CopyJob, prepare_copy
from personagen.store import Store


def lineage_slot(campaign: str, job_id: str) -> str:
    """The store's slot of a campaign's copy job (its id names persona, channel, stage)."""
    return hashlib.sha256(json.dumps(["lineage", campaign, job_id]).encode()).hexdigest()


def _ids(value: Any) -> Iterator[str]:
    """Every persona item id a draft names, in `addresses` lists and `objection_id`s."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "addresses" and isinstance(inner, list):
                yield from (i for i in inner if isinstance(i, str))
            elif key == "objection_id" and isinstance(inner, str) and inner:
                yield inner
            else:
                yield from _ids(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _ids(inner)


def covered_ids(artifact: CopyArtifact, *personas: Persona) -> set[str]:
    """The persona items a piece of copy depends on (see the module's rules)."""
    ids = set(_ids(artifact.draft))
    if get_channel(artifact.channel).shape == "battlecard":
        ids |= {item.id for persona in personas for item in persona.objections}
    return ids


def still_valid(artifact: CopyArtifact, before: Persona, after: Persona) -> bool:
    """Whether every item the copy covers is the same in the persona it was written for
    and in the persona of today's job."""
    for item_id in covered_ids(artifact, before, after):
        old, new = before.item(item_id), after.item(item_id)
        if old is None or new is None or old != new:
            return False
    return True


def carried_over(artifact: CopyArtifact, persona: Persona) -> CopyArtifact:
    """Reused copy named after today's persona (its name and title may have changed)."""
    return artifact.model_copy(
        update={
            "persona_id": persona.id,
            "persona_name": persona.name,
            "persona_title": persona.title,
        }
    )


def earlier_copy(
    door: Door, store: Store, name: str, job: CopyJob, brief: Brief
) -> tuple[str, CopyArtifact] | None:
    """Copy of campaign `name` written for an earlier version of the job's persona that is
    still valid for today's (`run.lineage`): its key and artifact; None when there is none."""
    found = store.get_lineage(lineage_slot(name, job.job_id))
    stored = store.get_result(found[0]) if found is not None else None
    if found is None or stored is None:
        return None
    try:
        before = Persona.model_validate(found[1])
        artifact = CopyArtifact.model_validate(stored[0])
    except ValidationError:  # kept by an older version: generate again
        return None
    if not still_valid(artifact, before, job.persona):
        return None
    # Same request but for the persona: brief, channel, counts, stage, model, prompts.
    if prepare_copy(door, replace(job, persona=before), brief).key != found[0]:
        return None
    return found[0], artifact
