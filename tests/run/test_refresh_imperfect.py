"""A persona refresh against a model that obeys only the request's schema: whatever the new
synthesis says, copy is reused exactly when every claim it covers is unchanged."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from personagen.inputs.campaign import load_campaign
from personagen.models.artifacts import CopyArtifact
from personagen.models.copy import draft_model_for
from personagen.models.persona import Persona
from personagen.run.engine import run_campaign
from personagen.run.lineage import still_valid
from personagen.run.outcomes import RunReport
from personagen.run.request import campaign_request
from personagen.testing.stub_server import Reply, Script, completion, schema_only_script, tool_name
from tests.campaign_stub import write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings
from tests.run.test_refresh_run import ELI

CHANNELS = ["email", "google_rsa", "linkedin", "meta", "x", "objections"]
TOOL = {channel: draft_model_for(channel).__name__ for channel in CHANNELS}


def _run(campaign: Path, out: Path, model: ScriptedModel) -> RunReport:
    request = campaign_request(load_campaign(campaign), stub_settings(FAKE_URL), out)
    return asyncio.run(run_campaign(request, model=model))


def steady_synthesis(seed: int) -> Script:
    """Schema-only answers, but the synthesis with Eli's note is the first one with Eli's
    first insight added to the first pain point and cited by a new goal: a model that keeps
    its personas, while its copy addresses whatever items it likes."""
    random_answers = schema_only_script(seed)
    first: list[dict[str, Any]] = []

    def answer(body: dict[str, Any], n: int) -> Reply:
        reply = random_answers(body, n)
        if tool_name(body) != "PersonaSetDraft":
            return reply
        if not first:
            first.append(
                json.loads(
                    reply.body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
                )
            )
            return reply
        steady = json.loads(json.dumps(first[0]))
        persona = steady["personas"][0]
        persona["pain_points"][0]["evidence"].append("eli.1")
        persona["goals"].append({"text": "a new goal", "evidence": ["eli.1"]})
        return completion(steady, name="PersonaSetDraft")

    return answer


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("steady", [True, False])
def test_copy_is_reused_exactly_when_its_claims_are_unchanged(
    tmp_path: Path, seed: int, steady: bool
) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL, channels=CHANNELS, update=True)
    out = tmp_path / "out"
    model = ScriptedModel(steady_synthesis(seed) if steady else schema_only_script(seed))
    _run(campaign, out, model)
    (before,) = [
        Persona.model_validate_json(p.read_text()) for p in (out / "personas").glob("*.json")
    ]
    written = {
        p.stem: CopyArtifact.model_validate_json(p.read_text())
        for p in (out / "copy" / before.id).glob("*.json")
    }
    sent_before = len(model.requests)

    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    report = _run(campaign, out, model)
    sent = Counter(tool_name(body) for body in model.requests[sent_before:])
    assert sent["NoteInsights"] == 1  # Dana's note comes from the response cache
    changelog = json.loads((out / "personas" / "CHANGELOG.json").read_text())
    afters = [
        Persona.model_validate_json(p.read_text())
        for p in (out / "personas").glob("*.json")
        if p.name != "CHANGELOG.json"
    ]
    states = {o.job_id: o.state for o in report.outcomes}
    checked = 0
    for after in afters:
        for channel in CHANNELS:
            state = states[f"copy/{after.id}/{channel}"]
            earlier = written.get(channel) if after.id == before.id else None
            valid = earlier is not None and still_valid(earlier, before, after)
            assert (state == "reused") == valid, (seed, channel, state)
            if state != "skipped":
                assert (sent[TOOL[channel]] == 0) == valid, (seed, channel, sent)
                checked += 1
        # Every claim is in the changelog; an unchanged one is the earlier item itself.
        (change,) = [p for p in changelog["personas"] if p["persona_id"] == after.id]
        statuses = {c["item_id"]: c["status"] for c in change["claims"]}
        for items in after.items().values():
            for item in items:
                assert statuses[item.id] in ("new", "strengthened", "weakened", "unchanged")
                if statuses[item.id] == "unchanged" and before.id == after.id:
                    old = before.item(item.id)
                    assert old is not None and old.text == item.text
    assert checked >= 5
    reused = sum(state == "reused" for job, state in states.items() if job.startswith("copy/"))
    if steady:  # the strengthened pain point and the new goal leave some copy valid
        assert 0 < reused < checked, (seed, states)
