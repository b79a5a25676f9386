"""A re-run rewrites no output whose bytes did not change; writes run off the event loop."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import yaml

import personagen
from personagen.export.outputs import OutputFolder
from personagen.testing import FakeModel
from tests.run.test_persona_concurrency import _campaign


def _identities(out: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every output file but the run summary (new for every run)."""
    return {
        str(p.relative_to(out)): (os.stat(p).st_ino, os.stat(p).st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and p.name != "run.json"
    }


def _wide_campaign(folder: Path) -> Path:
    campaign = _campaign(folder, 3, 4)
    data = yaml.safe_load(campaign.read_text())
    data["channels"] = ["email", "google_rsa", "x", "objections"]
    campaign.write_text(yaml.safe_dump(data))
    return campaign


def test_a_rerun_leaves_every_unchanged_output_file_as_it_was(tmp_path: Path) -> None:
    campaign, out = _wide_campaign(tmp_path), tmp_path / "out"
    personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    first = _identities(out)
    assert any(name.startswith("exports/") for name in first)
    assert any(name.startswith("personas/") for name in first)
    report = personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    assert report.usage.network_calls == 0
    assert _identities(out) == first


def test_a_rerun_with_a_changed_brief_rewrites_only_what_changed(tmp_path: Path) -> None:
    campaign, out = _wide_campaign(tmp_path), tmp_path / "out"
    personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    first = _identities(out)
    brief = yaml.safe_load(Path(yaml.safe_load(campaign.read_text())["brief"]).read_text())
    brief["offer"]["url"] = "https://renewly.example/pilot-2"
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(brief))
    data = yaml.safe_load(campaign.read_text())
    data["brief"] = "brief.yaml"
    campaign.write_text(yaml.safe_dump(data))
    personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    again = _identities(out)
    changed = {name for name in first if again[name] != first[name]}
    # The landing page lives in the ad artifacts and their sheet; personas do not carry it.
    assert any("google_rsa" in name for name in changed)
    assert not any(name.startswith("personas/") for name in changed)
    rsa = next(name for name in changed if name.endswith("google_rsa.json"))
    assert "pilot-2" in (out / rsa).read_text()


def test_output_files_are_written_off_the_event_loop_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    for name in ("write_personas", "write_artifact", "write_views"):
        original = getattr(OutputFolder, name)

        def spy(self: OutputFolder, *args: object, _original: object = original) -> object:
            threads.add(threading.current_thread().name)
            return _original(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(OutputFolder, name, spy)
    personagen.run_campaign(_campaign(tmp_path, 2, 2), output=tmp_path / "out", model=FakeModel())
    assert threads and threading.main_thread().name not in threads
