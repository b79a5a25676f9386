"""Buyer journey stages: the shipped stage data, a brief's overrides, a campaign's `stages:`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from personagen.errors import InputError
from personagen.inputs import load_model
from personagen.models.brief import Brief
from personagen.models.campaign import Campaign
from personagen.models.persona import SECTIONS
from personagen.models.stages import get_stage, stage_channels, stage_ids
from tests.helpers import EXAMPLE

JOURNEY = ("awareness", "consideration", "decision", "onboarding", "retention", "expansion")
CHANNELS = ["email", "google_rsa", "linkedin", "meta", "x", "objections"]


def _brief(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLE / "brief.yaml").read_text())
    return {**data, **extra}


def _campaign(**extra: Any) -> Campaign:
    base: dict[str, Any] = {"name": "c", "icp": "icp.yaml", "notes": ["notes"], "brief": "b.yaml"}
    return Campaign.model_validate({**base, "channels": CHANNELS, **extra})


def test_every_built_in_stage_has_a_goal_a_figure_free_ask_and_persona_focus() -> None:
    assert stage_ids() == JOURNEY
    for stage_id in JOURNEY:
        stage = get_stage(stage_id)
        assert stage.goal and stage.title == stage_id.capitalize()
        # Copy may state only the proof points' figures: a built-in ask never brings one.
        assert not re.search(r"\d", stage.call_to_action)
        assert stage.focus and set(stage.focus) <= set(SECTIONS)
    assert get_stage("awareness").focus[0] == "motivations"
    assert get_stage("decision").focus[0] == "objections"


def test_a_brief_overrides_a_stages_goal_and_keeps_the_rest() -> None:
    brief = Brief.model_validate(_brief(stages={"decision": {"goal": "Close before Q2."}}))
    decision = get_stage("decision", brief.stages)
    assert decision.goal == "Close before Q2."
    assert decision.call_to_action == get_stage("decision").call_to_action
    assert get_stage("awareness", brief.stages) == get_stage("awareness")


def test_a_brief_stage_ask_may_carry_its_own_figures() -> None:
    brief = Brief.model_validate(
        _brief(stages={"onboarding": {"call_to_action": "Join the 45-minute kickoff"}})
    )
    assert "Join the 45-minute kickoff" in brief.claims_context()["proof_texts"]


def test_an_unknown_stage_in_a_brief_is_one_line_naming_the_valid_ones(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(_brief(stages={"awarenes": {"goal": "x"}})))
    with pytest.raises(InputError) as caught:
        load_model(path, Brief)
    message = str(caught.value)
    assert "\n" not in message and "awarenes" in message
    assert "choose from: " + ", ".join(JOURNEY) in message


def test_a_stage_list_writes_every_channel_at_each_stage() -> None:
    campaign = _campaign(stages=["decision", "awareness"])
    assert campaign.stage_channels() == {"decision": CHANNELS, "awareness": CHANNELS}


def test_a_stage_mapping_limits_each_stage_to_its_channels() -> None:
    campaign = _campaign(stages={"awareness": ["meta", "linkedin", "meta"], "decision": None})
    assert campaign.stage_channels() == {"awareness": ["meta", "linkedin"], "decision": CHANNELS}


def test_one_stage_or_one_channel_may_be_written_without_a_list() -> None:
    assert _campaign(stages="decision").stage_channels() == {"decision": CHANNELS}
    assert _campaign(stages={"awareness": "x"}).stage_channels() == {"awareness": ["x"]}
    assert stage_channels("decision", ["email"]) == {"decision": ["email"]}


def test_no_stages_is_the_stage_less_matrix() -> None:
    assert _campaign().stage_channels() == {}


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (["awareness", "purchase"], "unknown stage 'purchase'; choose from: awareness, "),
        ({"Decision": ["email"]}, "unknown stage 'Decision'"),
        ({"awareness": ["tiktok"]}, "stage 'awareness': channel 'tiktok' is not one of the "),
        ({"decision": []}, "stage 'decision' has no channels"),
        (["decision", "decision"], "stage 'decision' is listed twice"),
        ([], "'stages' is empty"),
        (7, "expected a list of stages or a mapping of each stage to its channels"),
        (["awareness", 3], "a stage is a name like 'awareness', not 3"),
        ({"awareness": 3}, "stage 'awareness': expected a list of channel ids, got 3"),
    ],
)
def test_bad_stages_name_the_stage_and_the_cause(stages: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _campaign(stages=stages)


def test_a_stage_channel_must_be_one_of_the_campaigns_channels() -> None:
    with pytest.raises(ValueError, match=r"channel 'email' is not one of the campaign's channels"):
        stage_channels({"decision": ["email"]}, ["linkedin", "meta"])
