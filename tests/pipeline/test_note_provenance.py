"""A note's source, licence and tags: kept in the persona's provenance, never sent."""

from __future__ import annotations

import json
from pathlib import Path

import personagen
from personagen.inputs.notes import load_note
from personagen.models.icp import ICP
from tests.campaign_stub import NOTE, script
from tests.helpers import FAKE_URL, ScriptedModel, example_icp, stub_settings

SOURCE = "Gong recording QZX-SOURCE-7731"
LICENCE = "QZX-LICENCE internal use only"
TAGS = ["qzx-tag-pilot", "qzx-tag-churned"]


def _note_file(folder: Path, licence_key: str = "licence") -> Path:
    path = folder / "dana.md"
    path.write_text(
        f"---\nrole: VP Marketing\nsource: {SOURCE}\n{licence_key}: {LICENCE}\n"
        f"tags: [{', '.join(TAGS)}]\n---\n{NOTE}\n"
    )
    return path


def test_front_matter_accepts_source_licence_license_and_tags(tmp_path: Path) -> None:
    for key in ("licence", "license"):
        meta = load_note(_note_file(tmp_path, key)).meta
        assert (meta.source, meta.licence, meta.tags) == (SOURCE, LICENCE, TAGS)


def test_provenance_keeps_them_and_no_request_carries_them(tmp_path: Path) -> None:
    icp: ICP = example_icp()
    model = ScriptedModel(script)
    result = personagen.build_personas(
        icp,
        [_note_file(tmp_path)],
        count=1,
        settings=stub_settings(FAKE_URL),
        model=model,
        output=tmp_path / "out",
    )
    (persona,) = result.personas
    assert persona.provenance is not None
    (source,) = persona.provenance.notes
    assert (source.note_id, source.source, source.licence, source.tags) == (
        "dana",
        SOURCE,
        LICENCE,
        TAGS,
    )
    written = json.loads((tmp_path / "out" / "personas" / f"{persona.id}.json").read_text())
    assert written["provenance"]["notes"][0]["licence"] == LICENCE
    sent = json.dumps(model.requests)
    assert len(model.requests) == 2
    assert "VP Marketing" in sent  # the role is sent: it helps the model
    for secret in ("QZX-SOURCE", "QZX-LICENCE", "qzx-tag"):
        assert secret not in sent
