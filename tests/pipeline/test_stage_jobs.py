"""Copy per journey stage: job names, what the stage adds to the prompt, tracked links."""

from __future__ import annotations

import os

from personagen.channels import get_channel
from personagen.llm import render
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS
from personagen.models.stages import get_stage
from personagen.pipeline.copy import CopyJob, job_variables, stage_plan, to_artifact
from personagen.run.engine import refresh_from_brief
from personagen.run.plan import stand_in_persona
from personagen.run.request import copy_matrix
from tests.export.test_export_copy import LINKEDIN_DRAFT
from tests.pipeline.test_prompt_data import example_brief

UTM = {"source": "{channel}", "medium": "paid-social", "campaign": "q1"}


def _untagged() -> dict[str, object]:
    """The example brief's values without its `utm:` section."""
    values = example_brief().model_dump(mode="json")
    values.pop("utm")
    return values


def _user_prompt(job: CopyJob, brief: Brief) -> str:
    return render(get_channel(job.channel).task, job_variables(job, brief)).user


def test_stage_less_jobs_keep_their_names_and_staged_jobs_name_the_stage() -> None:
    personas = [stand_in_persona(1), stand_in_persona(2)]
    plain = copy_matrix([personas], ["email", "x"], 3, 4)
    assert [j.job_id for j in plain] == [
        "copy/persona-1/email",
        "copy/persona-1/x",
        "copy/persona-2/email",
        "copy/persona-2/x",
    ]
    plan = stage_plan({"awareness": ["x"], "decision": ["email", "x"]}, example_brief())
    staged = copy_matrix([personas[:1]], ["email", "x"], 3, 4, plan)
    assert [j.job_id for j in staged] == [
        "copy/persona-1/awareness/x",
        "copy/persona-1/decision/email",
        "copy/persona-1/decision/x",
    ]


def test_the_stage_goal_ask_and_focus_items_shape_the_prompt() -> None:
    persona, brief = stand_in_persona(1), example_brief()
    decision = _user_prompt(CopyJob(persona, "email", stage=get_stage("decision")), brief)
    stage = get_stage("decision")
    assert "Journey stage: Decision." in decision
    assert stage.goal in decision and stage.call_to_action in decision
    assert "Lead with the persona's objections (objection-1, objection-2, objection-3)" in decision
    awareness = _user_prompt(CopyJob(persona, "linkedin", stage=get_stage("awareness")), brief)
    assert "Lead with the persona's motivations (motivation-1" in awareness
    assert "Journey stage" not in _user_prompt(CopyJob(persona, "linkedin"), brief)


def test_a_briefs_stage_goal_reaches_the_prompt_as_data() -> None:
    values = _untagged()
    values["stages"] = {"decision": {"goal": "Close before the <b>quarter</b> ends."}}
    brief = Brief.model_validate(values)
    ((stage, channels),) = stage_plan({"decision": ["objections"]}, brief)
    prompt = _user_prompt(CopyJob(stand_in_persona(1), "objections", stage=stage), brief)
    assert "Goal: Close before the ‹b›quarter‹/b› ends." in prompt


def test_a_stage_comes_after_the_persona_so_stages_share_the_cached_prefix() -> None:
    persona, brief = stand_in_persona(1), example_brief()
    users = [
        _user_prompt(CopyJob(persona, "meta", stage=get_stage(s)), brief)
        for s in ("awareness", "consideration", "decision")
    ]
    shared = os.path.commonprefix(users)
    assert "</persona>" in shared and "Task:" in shared
    assert not any(get_stage(s).goal in shared for s in ("awareness", "consideration"))
    assert all(u.index("Task:") < u.index("Journey stage") for u in users)


def _linkedin_artifact(brief: Brief, stage: str | None) -> object:
    job = CopyJob(stand_in_persona(1), "linkedin", stage=get_stage(stage) if stage else None)
    draft = DRAFT_MODELS["linkedin"].model_validate(LINKEDIN_DRAFT)
    return to_artifact(job, brief, draft, model="m", prompt_version="1", sources=set())


def test_artifacts_carry_their_stage_and_a_tracked_link_per_variant() -> None:
    values = _untagged()
    brief = Brief.model_validate({**values, "utm": UTM})
    artifact = _linkedin_artifact(brief, "awareness")
    assert artifact.stage == "awareness"  # type: ignore[attr-defined]
    assert artifact.tracked_urls == [  # type: ignore[attr-defined]
        f"https://renewly.example/pilot?utm_source=linkedin&utm_medium=paid-social"
        f"&utm_campaign=q1&utm_content=persona-1-awareness-{n}"
        for n in (1, 2)
    ]
    plain = _linkedin_artifact(Brief.model_validate(values), None)
    assert plain.stage is None and plain.tracked_urls is None  # type: ignore[attr-defined]


def test_reused_copy_takes_the_current_briefs_tags_without_a_call() -> None:
    values = _untagged()
    stored = _linkedin_artifact(Brief.model_validate({**values, "utm": UTM}), "decision")
    changed = Brief.model_validate({**values, "utm": {**UTM, "campaign": "q2"}})
    refreshed = refresh_from_brief(stored, changed)  # type: ignore[arg-type]
    assert refreshed.tracked_urls is not None
    assert all("utm_campaign=q2&" in url for url in refreshed.tracked_urls)
    untagged = refresh_from_brief(stored, Brief.model_validate(values))  # type: ignore[arg-type]
    assert untagged.tracked_urls is None
