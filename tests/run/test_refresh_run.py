"""`update: true` and `personas --update`: personas refreshed with a changelog, and only the
copy that speaks to a changed claim generated again (requests counted, in process)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from personagen.api import PersonasResult
from personagen.cli import app
from personagen.export.outputs import OutputFolder
from personagen.inputs.campaign import load_campaign
from personagen.run.engine import run_campaign
from personagen.run.outcomes import RunReport
from personagen.run.refresh import rebuild_changelog
from personagen.run.request import campaign_request
from personagen.settings import Settings
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.campaign_stub import ANSWERS, INSIGHTS, PERSONAS, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings

ELI = (
    "Interviewer: How do renewals go?\n\n"
    "Eli: We only learn about churn when the renewal is already lost. "
    "I want a renewal forecast my board can trust."
)
ELI_INSIGHTS = {
    "role": "Head of Customer Success",
    "insights": [
        {"kind": "pain_points", "text": "Churn found late", "sentences": [1]},
        {"kind": "goals", "text": "Trusted forecast", "sentences": [2]},
    ],
}
# With Eli's note: the churn pain is backed by two notes, and a goal is new.
REFRESHED = json.loads(json.dumps(PERSONAS))
REFRESHED["personas"][0]["pain_points"][0]["evidence"] = ["dana.1", "eli.1"]
REFRESHED["personas"][0]["goals"] = [{"text": "A forecast the board trusts", "evidence": ["eli.2"]}]
LINKEDIN = {
    "variants": [
        {
            "intro_text": "You said you read LinkedIn before standup. So do we.",
            "headline": "See churn risk before renewal",
            "description": "Renewly flags accounts at risk inside your CRM.",
            "addresses": ["channel-1"],
        },
        {
            "intro_text": "Your morning LinkedIn scroll can include your churn risk.",
            "headline": "Churn risk, flagged early",
            "description": "A pilot on your own accounts.",
            "addresses": ["channel-1"],
        },
    ]
}


def script(body: dict[str, Any], n: int) -> Reply:
    """Answers that depend on which notes the request carries."""
    name = tool_name(body)
    text = json.dumps(body["messages"])
    answer: Any
    if name == "NoteInsights":
        answer = ELI_INSIGHTS if "already lost" in text else INSIGHTS
    elif name == "PersonaSetDraft":
        answer = REFRESHED if "eli.1" in text else PERSONAS
    elif name == "LinkedInAdDraft":
        answer = LINKEDIN
    else:
        answer = ANSWERS[name]
    return completion(answer, name=name)


def _run(campaign: Path, out: Path, model: ScriptedModel) -> RunReport:
    request = campaign_request(load_campaign(campaign), stub_settings(FAKE_URL), out)
    return asyncio.run(run_campaign(request, model=model))


def _states(report: RunReport) -> dict[str, str]:
    return {o.job_id: o.state for o in report.outcomes}


def test_update_regenerates_only_copy_that_addresses_a_changed_claim(tmp_path: Path) -> None:
    campaign = write_campaign(
        tmp_path / "c", FAKE_URL, channels=["x", "linkedin", "objections"], update=True
    )
    out = tmp_path / "out"
    model = ScriptedModel(script)
    first = _run(campaign, out, model)
    assert first.count("done") == 4 and not (out / "personas" / "CHANGELOG.md").exists()
    before = len(model.requests)

    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    report = _run(campaign, out, model)
    sent = Counter(tool_name(b) for b in model.requests[before:])
    # Only the new note is extracted (Dana's answer comes from the response cache), the
    # personas are synthesised again, and only the X posts (they address pain-1) are redone.
    assert sent == {"NoteInsights": 1, "PersonaSetDraft": 1, "XPostDraft": 1}
    assert "eli" in json.dumps(model.requests[before]["messages"])
    states = _states(report)
    assert states["copy/vp-marketing/x"] == "done"
    assert states["copy/vp-marketing/linkedin"] == "reused"
    assert states["copy/vp-marketing/objections"] == "reused"
    summary = json.loads((out / "run.json").read_text())
    assert summary["reused"] == 2 and summary["regenerated"] == 2  # personas and X posts
    assert any("1 strengthened" in n and "1 new" in n for n in report.notes), report.notes
    assert any("1 extracted by the model (eli)" in n for n in report.notes), report.notes

    changelog = json.loads((out / "personas" / "CHANGELOG.json").read_text())
    claims = {c["item_id"]: c for c in changelog["personas"][0]["claims"]}
    assert claims["pain-1"]["status"] == "strengthened"
    assert claims["pain-1"]["quotes_added"][0]["note_id"] == "eli"
    assert claims["goal-1"]["status"] == "new"
    assert claims["channel-1"]["status"] == claims["objection-1"]["status"] == "unchanged"
    markdown = (out / "personas" / "CHANGELOG.md").read_text()
    assert "strengthened" in markdown and "We only learn about churn" in markdown
    history = out / "personas" / changelog["previous"]
    old = json.loads((history / "vp-marketing.json").read_text())
    assert [i["id"] for i in old["goals"]] == []  # the personas before the refresh, kept
    persona = json.loads((out / "personas" / "vp-marketing.json").read_text())
    assert [i["id"] for i in persona["goals"]] == ["goal-1"]
    linkedin = json.loads((out / "copy" / "vp-marketing" / "linkedin.json").read_text())
    assert linkedin["draft"] == json.loads(json.dumps(LINKEDIN))  # reused as written

    # The changelog can be built again from the kept personas and the current ones.
    rebuilt = rebuild_changelog(OutputFolder(out), changelog["previous"])
    assert rebuilt.model_dump(mode="json", exclude_none=True) == changelog

    # The same notes again: nothing to pay, nothing rewritten, no second history folder.
    again = _run(campaign, out, model)
    assert len(model.requests) == before + 3
    assert set(_states(again).values()) == {"reused"}
    assert len(list((out / "personas" / "history").iterdir())) == 1
    assert json.loads((out / "personas" / "CHANGELOG.json").read_text()) == changelog


def test_without_update_the_personas_start_over(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL)
    out = tmp_path / "out"
    model = ScriptedModel(script)
    _run(campaign, out, model)
    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    _run(campaign, out, model)
    assert not (out / "personas" / "CHANGELOG.json").exists()
    assert not (out / "personas" / "history").exists()


def test_a_changed_brief_regenerates_copy_even_when_claims_are_unchanged(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL, update=True)
    out = tmp_path / "out"
    model = ScriptedModel(script)
    _run(campaign, out, model)
    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    brief = yaml.safe_load((tmp_path / "c" / "brief.yaml").read_text())
    brief["value_propositions"] = ["Know churn risk a quarter ahead."]
    (tmp_path / "c" / "brief.yaml").write_text(yaml.safe_dump(brief))
    report = _run(campaign, out, model)
    assert _states(report)["copy/vp-marketing/objections"] == "done"  # the brief changed


def test_personas_update_command(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_campaign(folder, None)
    out = tmp_path / "out"
    runner = CliRunner()
    with StubServer(script) as stub:
        common = ["--icp", str(folder / "icp.yaml"), "--notes", str(folder / "notes")]
        common += ["--base-url", stub.base_url, "--model", "gpt-4.1-mini"]
        first = runner.invoke(app, ["personas", *common, "--count", "1", "-o", str(out)])
        assert first.exit_code == 0, first.output
        (folder / "notes" / "eli.txt").write_text(ELI)
        result = runner.invoke(app, ["personas", *common, "--update", str(out)])
        assert result.exit_code == 0, result.output
        assert [tool_name(r) for r in stub.requests[2:]] == ["NoteInsights", "PersonaSetDraft"]
    assert "1 strengthened" in result.output and "CHANGELOG.md" in result.output
    assert "1 answered from the response cache (dana)" in result.output
    assert (out / "personas" / "CHANGELOG.md").exists()
    assert [p.name for p in sorted((out / "personas").glob("*.json"))] == [
        "CHANGELOG.json",
        "vp-marketing.json",
    ]


def test_personas_update_of_a_folder_without_personas_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_campaign(folder, None)
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        app,
        [
            "personas",
            "--icp",
            str(folder / "icp.yaml"),
            "--notes",
            str(folder / "notes"),
            "--update",
            str(tmp_path / "empty"),
        ],
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "no persona of ICP" in result.output
    assert "Traceback" not in result.output


def add_eli_and_refresh(
    folder: Path, out: Path, settings: Settings, model: ScriptedModel
) -> PersonasResult:
    """Eli's note joins the campaign's notes; the personas in `out` are refreshed with it."""
    from personagen import build_personas

    (folder / "notes" / "eli.txt").write_text(ELI)
    return build_personas(
        folder / "icp.yaml",
        folder / "notes",
        count=1,
        output=out,
        settings=settings,
        model=model,
        update=True,
    )


def test_build_personas_can_refresh(tmp_path: Path) -> None:
    from personagen import build_personas

    folder = tmp_path / "c"
    write_campaign(folder, None)
    model = ScriptedModel(script)
    settings = stub_settings(FAKE_URL)
    out = tmp_path / "out"
    build_personas(
        folder / "icp.yaml", folder / "notes", count=1, output=out, settings=settings, model=model
    )
    result = add_eli_and_refresh(folder, out, settings, model)
    assert [i.id for i in result.personas[0].goals] == ["goal-1"]
    assert (out / "personas" / "CHANGELOG.json").exists()


def test_a_persona_that_is_gone_moves_to_the_history_with_its_copy(tmp_path: Path) -> None:
    other = {
        "personas": [
            {
                **PERSONAS["personas"][0],
                "name": "Success Sam",
                "title": "Head of Customer Success",
                "buying_role": "champion",
                "pain_points": [{"text": "Churn found late", "evidence": ["eli.1"]}],
                "channels": [],
                "objections": [],
                "goals": [{"text": "A forecast the board trusts", "evidence": ["eli.2"]}],
            }
        ]
    }

    def replaced(body: dict[str, Any], n: int) -> Reply:
        if tool_name(body) == "PersonaSetDraft" and "eli.1" in json.dumps(body["messages"]):
            return completion(other, name="PersonaSetDraft")
        return script(body, n)

    campaign = write_campaign(tmp_path / "c", FAKE_URL, update=True)
    out = tmp_path / "out"
    model = ScriptedModel(replaced)
    _run(campaign, out, model)
    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    report = _run(campaign, out, model)
    changelog = json.loads((out / "personas" / "CHANGELOG.json").read_text())
    status = {p["persona_id"]: p["status"] for p in changelog["personas"]}
    assert status == {"head-of-customer-success": "new", "vp-marketing": "removed"}
    history = out / "personas" / changelog["previous"]
    assert (history / "vp-marketing.json").exists()
    assert (history / "copy" / "vp-marketing" / "x.json").exists()
    assert not (out / "personas" / "vp-marketing.json").exists()
    assert sorted(p.name for p in (out / "copy").iterdir() if p.is_dir()) == [
        "head-of-customer-success"
    ]
    assert any("vp-marketing no longer found" in n for n in report.notes), report.notes


def test_run_closing_note_says_what_the_refresh_changed(tmp_path: Path) -> None:
    runner = CliRunner()
    with StubServer(script) as stub:
        campaign = write_campaign(
            tmp_path / "c", stub.base_url, channels=["x", "linkedin", "objections"], update=True
        )
        out = str(tmp_path / "out")
        assert runner.invoke(app, ["run", str(campaign), "-o", out]).exit_code == 0
        (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
        result = runner.invoke(app, ["run", str(campaign), "-o", out])
    assert result.exit_code == 0, result.output
    assert "2 reused" in result.output and "2 regenerated" in result.output
    assert "personas refreshed: claims 1 new, 1 strengthened, 2 unchanged" in result.output
    assert "1 extracted by the model (eli)" in result.output
