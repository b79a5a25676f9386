"""`personagen show` on the Markdown files personagen writes: a persona card is shown from
the JSON beside it, a copy deck names one of its artifacts."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from personagen.cli import app
from tests.helpers import TEST_DATA

runner = CliRunner()
OUT = TEST_DATA / "lint" / "out"


def test_a_persona_card_is_shown_from_its_json(tmp_path: Path) -> None:
    persona = next(iter(sorted((OUT / "personas").glob("*.json"))))
    shutil.copy(persona, tmp_path / persona.name)
    card = tmp_path / persona.with_suffix(".md").name
    card.write_text("# a card\n")
    from_card = runner.invoke(app, ["show", str(card)])
    from_json = runner.invoke(app, ["show", str(tmp_path / persona.name)])
    assert from_card.exit_code == 0, from_card.output
    assert from_card.stdout == from_json.stdout and from_card.stdout


def test_a_copy_deck_names_an_artifact_to_show(tmp_path: Path) -> None:
    folder = next(p for p in sorted((OUT / "copy").iterdir()) if p.is_dir())
    shutil.copytree(folder, tmp_path / folder.name)
    deck = tmp_path / f"{folder.name}.md"
    deck.write_text("# a deck\n")
    count = len(list((tmp_path / folder.name).rglob("*.json")))
    first = sorted((tmp_path / folder.name).rglob("*.json"))[0]
    result = runner.invoke(app, ["show", str(deck)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {deck}: is a copy deck written for reading; show one of its {count} "
        f"artifacts, e.g. personagen show {first}\n"
    )
