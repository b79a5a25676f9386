"""run.json lists the copy files that are current: copy of jobs a campaign no longer has
stays on disk but is left out of the report and lint, with one warning line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.export.outputs import OutputFolder, merged_artifacts
from personagen.export.report import load_output
from personagen.inputs.campaign import load_campaign
from personagen.lint.files import collect_files
from personagen.run.engine import run_campaign
from personagen.run.outcomes import RunReport
from personagen.run.request import campaign_request
from tests.campaign_stub import script, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings

runner = CliRunner()
STAGELESS = ["copy/vp-marketing/objections.json", "copy/vp-marketing/x.json"]
STAGED = ["copy/vp-marketing/awareness/x.json", "copy/vp-marketing/decision/objections.json"]


def _run(campaign: Path, out: Path, model: ScriptedModel) -> RunReport:
    request = campaign_request(load_campaign(campaign), stub_settings(FAKE_URL), out)
    return asyncio.run(run_campaign(request, model=model))


def _staged_after_stageless(tmp_path: Path) -> Path:
    """An output folder written by a stage-less run, then by the same campaign with stages."""
    campaign = write_campaign(tmp_path / "c", FAKE_URL)
    out = tmp_path / "out"
    model = ScriptedModel(script)
    _run(campaign, out, model)
    data = yaml.safe_load(campaign.read_text())
    data["stages"] = {"awareness": ["x"], "decision": ["objections"]}
    campaign.write_text(yaml.safe_dump(data))
    _run(campaign, out, model)
    return out


def test_run_json_lists_only_the_copy_of_the_last_run(tmp_path: Path) -> None:
    out = _staged_after_stageless(tmp_path)
    folder = OutputFolder(out)
    assert json.loads(folder.run_json.read_text())["artifacts"] == STAGED
    assert all((out / name).is_file() for name in STAGELESS)  # left on disk, never deleted
    _, artifacts = load_output(out)
    assert sorted((a.stage, a.channel) for a in artifacts) == [
        ("awareness", "x"),
        ("decision", "objections"),
    ]
    assert [folder.relative(p) for p in folder.left_out({"x", "objections"})] == STAGELESS


def test_report_shows_only_staged_copy_and_warns_once(tmp_path: Path) -> None:
    out = _staged_after_stageless(tmp_path)
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: 2 copy files in {out} are not part of the last run "
        f"({STAGELESS[0]}, {STAGELESS[1]}); they are left out"
    ]
    assert "2 copy sets" in result.output


def test_lint_of_the_folder_leaves_stale_copy_out_with_one_warning(tmp_path: Path) -> None:
    out = _staged_after_stageless(tmp_path)
    for target in (out, out / "copy", out / "copy" / "vp-marketing"):
        result = runner.invoke(app, ["lint", str(target), "--format", "json"])
        found = json.loads(result.stdout)["findings"]
        files = {Path(f["file"]).relative_to(out).as_posix() for f in found if f["file"]}
        assert not files & set(STAGELESS), target
        assert [f["rule"] for f in found].count("left-out") == 1, target
    linted = {p.relative_to(out).as_posix() for p in collect_files([out])}
    assert linted & {*STAGED, *STAGELESS} == set(STAGED)
    # A file named on the command line is linted all the same.
    assert collect_files([out / STAGELESS[1]]) == [out / STAGELESS[1]]


def test_an_older_run_json_without_the_list_reads_every_copy_file(tmp_path: Path) -> None:
    out = _staged_after_stageless(tmp_path)
    summary = json.loads((out / "run.json").read_text())
    del summary["artifacts"]
    (out / "run.json").write_text(json.dumps(summary))
    _, artifacts = load_output(out)
    assert len(artifacts) == 4
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0 and "warning: " not in result.output


def test_a_personas_run_keeps_the_copy_list(tmp_path: Path) -> None:
    from personagen import build_personas

    out = _staged_after_stageless(tmp_path)
    folder = tmp_path / "c"
    build_personas(
        folder / "icp.yaml",
        folder / "notes",
        count=1,
        output=out,
        settings=stub_settings(FAKE_URL),
        model=ScriptedModel(script),
    )
    assert json.loads((out / "run.json").read_text())["artifacts"] == STAGED


def test_copy_into_a_folder_replaces_only_the_personas_and_channels_it_writes() -> None:
    previous = [*STAGED, "copy/cfo/email.json"]
    written = ["copy/vp-marketing/x.json"]
    # The persona's X copy is now stage-less; its objections and the CFO's e-mail stay.
    assert merged_artifacts(previous, {("vp-marketing", "x")}, written) == [
        "copy/cfo/email.json",
        "copy/vp-marketing/decision/objections.json",
        "copy/vp-marketing/x.json",
    ]


def test_copy_into_a_run_folder_keeps_the_rest_current(tmp_path: Path) -> None:
    from personagen import write_copy

    out = _staged_after_stageless(tmp_path)
    personas = OutputFolder(out).read_personas()
    model = ScriptedModel(script)
    settings = stub_settings(FAKE_URL)
    write_copy(
        personas,
        tmp_path / "c" / "brief.yaml",
        channels=["x"],
        variants=2,
        output=out,
        settings=settings,
        model=model,
    )
    listed = json.loads((out / "run.json").read_text())["artifacts"]
    assert listed == ["copy/vp-marketing/decision/objections.json", "copy/vp-marketing/x.json"]
    result = runner.invoke(app, ["report", str(out)])
    (warning,) = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert "(copy/vp-marketing/objections.json, copy/vp-marketing/awareness/x.json)" in warning
