"""Prompts are ordered from the most shared to the least, so a provider's prompt cache can
serve the shared prefix: instructions, then the brief or ICP, then the persona or note, then
what one channel's task asks."""

from __future__ import annotations

import os

from personagen.channels import get_channel
from personagen.inputs.citable import citable_note
from personagen.llm import render
from personagen.models.copy import DRAFT_MODELS
from personagen.pipeline.copy import CopyJob, job_variables
from personagen.pipeline.personas import NotePart, extraction_variables, synthesis_variables
from personagen.run.plan import stand_in_persona
from tests.helpers import example_icp, note
from tests.pipeline.test_prompt_data import example_brief

CHANNELS = sorted(DRAFT_MODELS)


def _copy_prompts(persona_number: int) -> dict[str, tuple[str, str]]:
    persona, brief = stand_in_persona(persona_number), example_brief()
    prompts = {}
    for channel in CHANNELS:
        job = CopyJob(persona, channel)
        prompt = render(get_channel(channel).task, job_variables(job, brief))
        prompts[channel] = (prompt.system, prompt.user)
    return prompts


def test_every_copy_prompt_has_the_same_system_message() -> None:
    systems = {system for n in (1, 2) for system, _ in _copy_prompts(n).values()}
    assert len(systems) == 1


def test_a_personas_channels_share_the_brief_and_the_persona_before_their_task() -> None:
    users = [user for _, user in _copy_prompts(1).values()]
    shared = os.path.commonprefix(users)
    assert (
        shared.index("</campaign_brief>") < shared.index("<persona>") < shared.index("</persona>")
    )
    # Only the task differs, and it comes after the persona.
    assert all(user.index("</persona>") < user.index("Task:") for user in users)


def test_personas_share_the_brief_before_the_persona() -> None:
    first, second = _copy_prompts(1)["linkedin"][1], _copy_prompts(2)["linkedin"][1]
    shared = os.path.commonprefix([first, second])
    assert shared.startswith("<campaign_brief>")
    assert "</campaign_brief>" in shared and "Task:" not in shared


def test_extraction_prompts_share_instructions_and_the_icp_before_the_note() -> None:
    prompts = []
    for note_id in ("ana", "bo"):
        text = f"{note_id.title()} said we lose a week every month-end close. It hurts a lot."
        citable = citable_note(note(note_id, text))
        part = NotePart(1, citable.blocks, 1, len(citable.sentences))
        variables = extraction_variables(example_icp(), note(note_id, text), citable, part, 1)
        prompts.append(render("extract_insights", variables))
    assert prompts[0].system == prompts[1].system
    shared = os.path.commonprefix([p.user for p in prompts])
    assert "</ideal_customer_profile>" in shared
    assert all(
        p.user.index("</ideal_customer_profile>") < p.user.index("<interview_note") for p in prompts
    )


def test_synthesis_shows_the_icp_before_the_notes() -> None:
    variables = synthesis_variables(example_icp(), 2, [], {}, quotes=True)
    user = render("synthesize_personas", variables).user
    assert user.index("</ideal_customer_profile>") < user.index("Write exactly 2")
