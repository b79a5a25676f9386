"""The shipped example refreshed with one new interview (offline, from its cassettes): the
changelog names what changed and only the copy that addresses a changed claim is redone."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from personagen.inputs.campaign import load_campaign
from personagen.models.artifacts import CopyArtifact
from personagen.models.persona import Persona
from personagen.run.engine import run_campaign
from personagen.run.lineage import covered_ids
from personagen.run.outcomes import RunReport
from personagen.run.request import campaign_request, campaign_settings
from tests.helpers import EXAMPLE, ROOT

CASSETTES = ROOT / "fixtures" / "cassettes" / "saas-retention"
NOTE = """---
interviewee: Lena Brandt
role: Chief Financial Officer
company: Quillstone
---

Interviewer: How do you hear about churn?

Lena: We hear about churn when the customer stops paying, never before. I want to know
which renewals are at risk while there is still time to act.
"""


def _cassette(label: str, task: str, tool: str, answer: dict[str, Any]) -> dict[str, Any]:
    """A cassette written here by hand (its key is found again by label with rekey)."""
    call = {"id": "call_hand", "type": "function"}
    call["function"] = {"name": tool, "arguments": json.dumps(answer)}  # type: ignore[assignment]
    return {
        "key": hashlib.sha256(label.encode()).hexdigest(),  # one per cassette, never asked
        "task": task,
        "label": label,
        "source": "hand-written",
        "note": "Written by hand for a test of persona refresh; no model was called.",
        "request": {},
        "response": {
            "id": "chatcmpl-hand",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4.1-mini-2025-04-14",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                }
            ],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
        },
    }


def _refreshed_synthesis(folder: Path) -> tuple[str, str]:
    """Replace the synthesis cassette: the CFO's first pain point also cites the new note
    and she has a new goal from it. Returns the persona title and that pain's text."""
    (old,) = folder.glob("synthesize*.json")
    data = json.loads(old.read_text())
    arguments = data["response"]["choices"][0]["message"]["tool_calls"][0]["function"]
    answer = json.loads(arguments["arguments"])
    cfo = next(p for p in answer["personas"] if "Financial" in p["title"])
    cfo["pain_points"][0]["evidence"].append("cfo-lena.1")
    cfo["goals"].append(
        {"text": "Know which renewals are at risk in time", "evidence": ["cfo-lena.2"]}
    )
    old.unlink()
    cassette = _cassette("synthesize#1", "synthesize_personas", "PersonaSetDraft", answer)
    (folder / "synthesize-refresh.json").write_text(json.dumps(cassette))
    return cfo["title"], cfo["pain_points"][0]["text"]


def _run(campaign: Path, out: Path, replay: Path, record: Path) -> RunReport:
    loaded = load_campaign(campaign)
    flags = {"replay_dir": replay, "record_dir": record, "rekey": True}
    request = campaign_request(loaded, campaign_settings(loaded, flags), out)
    return asyncio.run(run_campaign(request, model=None))


def test_the_example_refreshed_with_a_new_interview(tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example)
    data = yaml.safe_load((example / "campaign.yaml").read_text())
    data.update(update=True, replay=None)
    (example / "campaign.yaml").write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    first = _run(example / "campaign.yaml", out, CASSETTES, tmp_path / "rec1")
    assert first.count("failed") == 0
    before = {p.id: p for p in map(_persona, (out / "personas").glob("*.json"))}
    copies = {p: _artifact(p) for p in (out / "copy").glob("*/*/*.json")}

    replay = tmp_path / "replay"
    shutil.copytree(CASSETTES, replay)
    extraction = {
        "role": "Chief Financial Officer",
        "insights": [
            {
                "kind": "pain_points",
                "text": "Churn is seen only once payment stops",
                "sentences": [1],
            },
            {"kind": "goals", "text": "Know at-risk renewals in time", "sentences": [2]},
        ],
    }
    cassette = _cassette("extract/cfo-lena/1#1", "extract_insights", "NoteInsights", extraction)
    (replay / "extract-cfo-lena.json").write_text(json.dumps(cassette))
    title, pain = _refreshed_synthesis(replay)
    (example / "notes" / "cfo-lena.md").write_text(NOTE)
    report = _run(example / "campaign.yaml", out, replay, tmp_path / "rec2")

    changelog = json.loads((out / "personas" / "CHANGELOG.json").read_text())
    (cfo,) = [p for p in changelog["personas"] if p["title"] == title]
    changed = {c["item_id"]: c["status"] for c in cfo["claims"] if c["status"] != "unchanged"}
    assert changed == {
        "pain-1": "strengthened",
        f"goal-{len(before[cfo['persona_id']].goals) + 1}": "new",
    }
    assert all(p["status"] == "unchanged" for p in changelog["personas"] if p is not cfo)
    assert pain and "cfo-lena" in (out / "personas" / "CHANGELOG.md").read_text()
    # Exactly the CFO's copy that covers pain-1 is generated again; everything else reused.
    expected = sorted(
        f"copy/{a.persona_id}/{a.stage}/{a.channel}"
        for a in copies.values()
        if a.persona_id == cfo["persona_id"] and "pain-1" in covered_ids(a, before[a.persona_id])
    )
    states = {o.job_id: o.state for o in report.outcomes}
    redone = sorted(j for j, s in states.items() if j.startswith("copy/") and s == "done")
    assert redone == expected and 0 < len(redone) < 7
    reused = sum(s == "reused" for j, s in states.items() if j.startswith("copy/"))
    assert reused == 21 - len(redone)
    summary = json.loads((out / "run.json").read_text())
    assert summary["regenerated"] == len(redone) + 1  # and the personas
    assert any("1 extracted by the model (cfo-lena)" in n or "replayed" in n for n in report.notes)


def _persona(path: Path) -> Persona:
    return Persona.model_validate_json(path.read_text())


def _artifact(path: Path) -> CopyArtifact:
    return CopyArtifact.model_validate_json(path.read_text())
