"""`--dry-run` after a persona update: copy the lineage rule keeps costs nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from pathlib import Path

from personagen.inputs.campaign import load_campaign
from personagen.run.engine import run_campaign
from personagen.run.plan import plan_campaign
from personagen.run.request import campaign_request
from personagen.store import Store
from personagen.testing.stub_server import tool_name
from tests.campaign_stub import write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings
from tests.run.test_refresh_run import add_eli_and_refresh, script


def test_dry_run_after_a_persona_update_counts_kept_copy_as_reused(tmp_path: Path) -> None:
    folder, out = tmp_path / "c", tmp_path / "out"
    campaign = write_campaign(
        folder, FAKE_URL, channels=["x", "linkedin", "objections"], update=True
    )
    model, settings = ScriptedModel(script), stub_settings(FAKE_URL)
    asyncio.run(run_campaign(campaign_request(load_campaign(campaign), settings, out), model=model))
    add_eli_and_refresh(folder, out, settings, model)
    request = campaign_request(load_campaign(campaign), settings, out, dry_run=True)
    with contextlib.closing(Store()) as store:
        estimate, reused = plan_campaign(request, store)
    # The refreshed personas are stored; LinkedIn and the battlecard cover unchanged claims.
    assert (estimate.calls, reused) == (1, 3)

    before = len(model.requests)
    asyncio.run(run_campaign(campaign_request(load_campaign(campaign), settings, out), model=model))
    assert Counter(tool_name(b) for b in model.requests[before:]) == {"XPostDraft": 1}
