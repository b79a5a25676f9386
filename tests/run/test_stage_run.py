"""Stages end to end: the Python API, the campaign file's one-line errors, the dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import personagen
from personagen.cli import app
from personagen.errors import InputError
from personagen.testing import FakeModel
from tests.helpers import EXAMPLE

runner = CliRunner()


def _settings() -> personagen.Settings:
    return personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini"}
    )


@pytest.fixture
def persona(tmp_path: Path) -> personagen.Persona:
    (found,) = personagen.build_personas(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes" / "cfo-helen.md",
        count=1,
        settings=_settings(),
        model=FakeModel(seed=2),
        output=tmp_path / "personas-run",
    ).personas
    return found


def _brief(tmp_path: Path) -> Path:
    """The example brief with real-looking addresses (a live run refuses placeholders)."""
    path = tmp_path / "brief.yaml"
    text = (EXAMPLE / "brief.yaml").read_text()
    path.write_text(text.replace("renewly.example", "renewly.com"))
    return path


def test_write_copy_takes_stages_and_writes_each_under_its_stage(
    tmp_path: Path, persona: personagen.Persona
) -> None:
    stages = {"awareness": ["linkedin", "x"], "decision": ["email"]}
    brief = _brief(tmp_path)
    fake = FakeModel(seed=4)

    def write() -> personagen.CopyResult:
        return personagen.write_copy(
            [persona],
            brief,
            channels=["email", "linkedin", "x"],
            variants=2,
            steps=2,
            stages=stages,
            settings=_settings(),
            model=fake,
            output=tmp_path,
        )

    result = write()
    got = sorted((a.stage, a.channel) for a in result.artifacts)
    assert got == [("awareness", "linkedin"), ("awareness", "x"), ("decision", "email")]
    for stage, channel in got:
        assert (tmp_path / "copy" / persona.id / str(stage) / f"{channel}.json").is_file()
    prompts = [m["content"] for r in fake.history for m in r["messages"] if m["role"] == "user"]
    assert sum("Journey stage: Awareness." in p for p in prompts) == 2
    assert sum("Journey stage: Decision." in p for p in prompts) == 1
    # The example brief tags every link: one per ad variant and per e-mail.
    for artifact in result.artifacts:
        assert artifact.tracked_urls is not None and len(artifact.tracked_urls) == 2
        assert all(f"-{artifact.stage}-" in url for url in artifact.tracked_urls)
    again = write()
    assert again.report.count("reused") == 3 and len(fake.history) == len(prompts)


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (["awareness", "closing"], "unknown stage 'closing'; choose from: awareness,"),
        ({"decision": ["meta"]}, "stage 'decision': channel 'meta' is not one of"),
    ],
)
def test_write_copy_refuses_bad_stages_before_any_call(
    persona: personagen.Persona, stages: object, message: str
) -> None:
    fake = FakeModel()
    with pytest.raises(InputError, match=message):
        personagen.write_copy(
            [persona],
            EXAMPLE / "brief.yaml",
            channels=["email", "x"],
            stages=stages,  # type: ignore[arg-type]
            settings=_settings(),
            model=fake,
        )
    assert fake.history == []


def _campaign(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text())
    data.update(changes)
    for key in ("icp", "brief", "replay"):
        data[key] = str(EXAMPLE / data[key])
    data["notes"] = [str(EXAMPLE / n) for n in data["notes"]]
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ({"awareness": ["linkedin"], "purchase": ["email"]}, "unknown stage 'purchase'"),
        ({"awareness": ["tiktok"]}, "stage 'awareness': channel 'tiktok' is not one of"),
    ],
)
def test_a_bad_stage_in_a_campaign_is_one_error_line_and_exit_2(
    tmp_path: Path, stages: object, expected: str
) -> None:
    campaign = _campaign(tmp_path, stages=stages)
    result = runner.invoke(app, ["run", str(campaign), "-o", str(tmp_path / "out"), "--dry-run"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert "campaign.yaml" in lines[0] and not (tmp_path / "out").exists()


def test_the_dry_run_plans_every_persona_stage_and_channel(tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = runner.invoke(app, ["run", str(_campaign(tmp_path)), "-o", str(out), "--dry-run"])
    plain = runner.invoke(
        app, ["run", str(_campaign(tmp_path, stages=None)), "-o", str(out), "--dry-run"]
    )
    assert staged.exit_code == 0 and plain.exit_code == 0, staged.output + plain.output
    calls = [int(r.output.split(" model calls")[0].rsplit(" ", 1)[-1]) for r in (staged, plain)]
    # 3 stand-in personas: 7 channel-stage pairs in the example against 6 channels.
    assert calls[0] - calls[1] == 3 * (7 - 6)


def test_tags_too_long_for_a_platform_stop_the_run_before_any_call(tmp_path: Path) -> None:
    brief = yaml.safe_load((EXAMPLE / "brief.yaml").read_text())
    brief["utm"]["campaign"] = "q1-" + "x" * 2100
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(brief))
    campaign = _campaign(tmp_path)
    data = yaml.safe_load(campaign.read_text())
    data["brief"] = str(tmp_path / "long.yaml")
    campaign.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["run", str(campaign), "-o", str(tmp_path / "out"), "--dry-run"])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    # The first stage's first channel with a limit: awareness LinkedIn ads (2,000).
    assert line.startswith("error: ") and "long.yaml: utm: linkedin: its final URL is at " in line
    assert "accepts at most 2000" in line


def test_the_copy_command_refuses_an_unknown_stage_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["copy", "--personas", str(tmp_path), "--brief", str(EXAMPLE / "brief.yaml")]
    result = runner.invoke(app, [*args, "--stages", "awareness,purchase", "-o", str(out)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: --stages: unknown stage 'purchase'; choose from: awareness")
    assert not out.exists()
