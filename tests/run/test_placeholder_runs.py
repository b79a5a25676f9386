"""Placeholders in the brief: a real run refuses them; a dry run and a replay keep them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import personagen
from personagen.cli import app
from personagen.errors import InputError
from personagen.inputs.campaign import load_campaign
from personagen.inputs.structured import load_model
from personagen.models.brief import Brief
from personagen.run.request import campaign_request, campaign_settings
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings

runner = CliRunner()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A fresh `personagen init` folder: its brief holds TODO placeholders."""
    runner.invoke(app, ["init", str(tmp_path / "camp")])
    return tmp_path / "camp"


def test_a_real_run_refuses_the_templates_placeholders(template: Path) -> None:
    loaded = load_campaign(template / "campaign.yaml")
    settings = campaign_settings(loaded, {"base_url": FAKE_URL})
    with pytest.raises(InputError) as caught:
        campaign_request(loaded, settings, template / "out")
    assert caught.value.source == str(template / "brief.yaml")
    assert caught.value.detail.startswith("proof_points[0].text: 'TODO: a fact with its")


def test_a_dry_run_and_a_replay_keep_them(template: Path) -> None:
    loaded = load_campaign(template / "campaign.yaml")
    live = campaign_settings(loaded, {"base_url": FAKE_URL})
    assert campaign_request(loaded, live, template / "out", dry_run=True).brief.proof_points
    (template / "cassettes").mkdir()
    replay = campaign_settings(loaded, {"replay_dir": template / "cassettes"})
    assert campaign_request(loaded, replay, template / "out").channels


def test_the_footer_is_checked_once_the_facts_are_real(template: Path) -> None:
    brief = template / "brief.yaml"
    text = (
        brief.read_text()
        .replace('"TODO: a fact with its figure, e.g. ', '"')
        .replace('"TODO: where it comes from, e.g. ', '"')
    )
    brief.write_text(text)
    loaded = load_campaign(template / "campaign.yaml")
    with pytest.raises(InputError) as caught:
        campaign_request(loaded, campaign_settings(loaded, {"base_url": FAKE_URL}), template)
    assert caught.value.detail.startswith("email_compliance.sender_name: 'TODO: the real")


def test_the_library_refuses_them_before_any_request(template: Path) -> None:
    brief = load_model(template / "brief.yaml", Brief)
    model = ScriptedModel(lambda body, n: pytest.fail("no request may be sent"))
    with pytest.raises(InputError, match="holds the placeholder 'TODO'"):
        personagen.write_copy(
            [], brief, channels=["linkedin"], settings=stub_settings(FAKE_URL), model=model
        )
    assert model.requests == []
