"""A re-run that changes nothing does not rebuild the decks, CSVs and evidence.csv; one
that finds a view file edited, removed or made from other inputs writes them again."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import personagen
from personagen.export.outputs import OutputFolder
from personagen.testing import FakeModel
from tests.run.test_rerun_writes import _wide_campaign


def _count_views(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of OutputFolder.write_views calls (the real method still runs)."""
    calls: list[int] = []
    real = OutputFolder.write_views

    def counted(self: OutputFolder, *args: object, **kwargs: object) -> list[Path]:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(OutputFolder, "write_views", counted)
    return calls


def _first_run(tmp_path: Path) -> tuple[Path, Path]:
    """A campaign run once into `tmp_path/out`: (campaign file, output folder)."""
    campaign, out = _wide_campaign(tmp_path), tmp_path / "out"
    personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    return campaign, out


def _views(out: Path) -> dict[str, bytes]:
    files = [*(out / "exports").glob("*.csv"), *(out / "copy").glob("*.md")]
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def test_an_unchanged_rerun_skips_the_views_and_leaves_them_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, out = _first_run(tmp_path)
    first = _views(out)
    assert any(name.endswith("evidence.csv") for name in first)
    calls = _count_views(monkeypatch)
    report = personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    assert report.usage.network_calls == 0 and calls == []
    assert _views(out) == first


@pytest.mark.parametrize("change", ["edit", "remove"])
def test_a_view_file_changed_on_disk_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    campaign, out = _first_run(tmp_path)
    first = _views(out)
    deck = next(p for p in (out / "copy").glob("*.md"))
    evidence = out / "exports" / "evidence.csv"
    if change == "edit":
        deck.write_text(deck.read_text() + "\nmy own note\n")
    else:
        evidence.unlink()
    calls = _count_views(monkeypatch)
    personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    assert calls == [1]
    assert _views(out) == first


def test_a_changed_brief_or_another_folder_writes_the_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, out = _first_run(tmp_path)
    calls = _count_views(monkeypatch)
    # The same jobs into a new folder: nothing to pay, every view to write.
    personagen.run_campaign(campaign, output=tmp_path / "other", model=FakeModel(seed=4))
    assert calls == [1] and _views(tmp_path / "other") == _views(out)
    # A brief change the model never sees (the footer) still reaches the views.
    data = yaml.safe_load(campaign.read_text())
    brief = yaml.safe_load(Path(data["brief"]).read_text())
    brief["email_compliance"]["postal_address"] = "1 Dock Road, Oakland"
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(brief))
    data["brief"] = "brief.yaml"
    campaign.write_text(yaml.safe_dump(data))
    report = personagen.run_campaign(campaign, output=out, model=FakeModel(seed=4))
    assert report.usage.network_calls == 0 and calls == [1, 1]
    assert any("1 Dock Road, Oakland" in p.read_text() for p in (out / "copy").glob("*.md"))
