"""The library: `import personagen`, its functions, the README example, the fake model."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

import personagen
from personagen.testing import FakeModel
from tests.helpers import EXAMPLE, ROOT, note


def test_readme_example_runs_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = re.findall(
        r"## Python API.*?```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    os.chdir(ROOT)
    code = code.replace('"out/', f'"{tmp_path}/')
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5  # three personas, the copy line, the campaign line
    assert printed[3] == "18 copy sets; 18 answers replayed"
    assert printed[4] == "22 of 22 jobs"
    assert (tmp_path / "api" / "personas").is_dir() and (
        tmp_path / "api-campaign" / "run.json"
    ).exists()


def _settings() -> personagen.Settings:
    return personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini"}
    )


def test_personas_from_note_objects_with_a_fake_model(tmp_path: Path) -> None:
    notes = [
        note(
            "dana",
            "Interviewer: Why now?\n\nDana: Churn is always a surprise for us. "
            "Our renewal forecast is basically a guess. Security reviews slow every purchase.",
        ),
    ]
    fake = FakeModel(seed=3)
    result = personagen.build_personas(
        EXAMPLE / "icp.yaml", notes, count=1, settings=_settings(), model=fake, output=tmp_path
    )
    assert fake.tools() == ["NoteInsights", "PersonaSetDraft"]
    (persona,) = result.personas
    said = (
        "Churn is always a surprise for us. Our renewal forecast is basically a guess. "
        "Security reviews slow every purchase."
    )
    for items in persona.items().values():
        for item in items:
            assert all(e.quote in said for e in item.evidence)
    assert result.report.usage.network_calls == 2
    assert (tmp_path / "personas" / f"{persona.id}.json").exists()


def test_async_twin_and_queued_answers(tmp_path: Path) -> None:
    personas = personagen.build_personas(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes" / "cfo-helen.md",
        count=1,
        settings=_settings(),
        model=FakeModel(seed=1),
        output=tmp_path,
    ).personas
    fake = FakeModel()
    fake.enqueue(
        {"variants": [{"text": "Churn you hear about too late.", "addresses": ["pain-1"]}]}
    )
    result = asyncio.run(
        personagen.write_copy_async(
            personas,
            EXAMPLE / "brief.yaml",
            channels=["x"],
            variants=1,
            settings=_settings(),
            model=fake,
            output=tmp_path,
        )
    )
    (artifact,) = result.artifacts
    assert artifact.draft["variants"][0]["text"] == "Churn you hear about too late."
    assert fake.tools() == ["XPostDraft"]


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        personagen.no_such_thing  # noqa: B018
