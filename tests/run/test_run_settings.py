"""Where `personagen run` takes its model settings from."""

from __future__ import annotations

from pathlib import Path

import pytest

from personagen.inputs.campaign import load_campaign
from personagen.run.request import campaign_settings
from tests.helpers import EXAMPLE


def test_the_campaign_replays_unless_a_live_provider_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded = load_campaign(EXAMPLE / "campaign.yaml")
    replaying = campaign_settings(loaded, {}, None)
    assert replaying.provider == "replay" and replaying.replay_dir is not None
    assert replaying.requests_per_minute == 500 and replaying.concurrency == 8
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-0000")
    live = campaign_settings(loaded, {"provider": "openai", "record_dir": Path("rec")}, None)
    assert live.provider == "openai" and live.replay_dir is None
    assert live.record_dir == Path("rec") and live.model == "gpt-4.1-mini"
