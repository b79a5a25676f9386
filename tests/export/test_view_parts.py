"""View parts made ahead on their own thread: the same parts as made at the end."""

from __future__ import annotations

import pytest

from personagen.export.copy_deck import channel_lines
from personagen.export.evidence import evidence_csv
from personagen.export.view_parts import ViewParts
from tests.export.test_export_copy import BRIEF, make_artifact, make_persona


def test_parts_queued_ahead_are_the_parts_made_at_the_end() -> None:
    persona = make_persona()
    artifacts = [make_artifact(c, persona) for c in ("email", "x", "objections")]
    parts = ViewParts(BRIEF, [persona])
    for artifact in artifacts[:2]:
        parts.add_soon(artifact, persona)
    parts.wait()
    fresh = ViewParts(BRIEF, [persona])
    assert [parts.section(a) for a in artifacts] == [fresh.section(a) for a in artifacts]
    assert parts.section(artifacts[0]) == channel_lines(artifacts[0], fresh.fit)
    assert parts.evidence.text(artifacts, [persona]) == evidence_csv(artifacts, [persona], BRIEF)


def test_a_part_that_fails_raises_when_the_parts_are_awaited() -> None:
    persona = make_persona()
    broken = make_artifact("x", persona).model_copy(update={"draft": {"variants": "x"}})
    parts = ViewParts(BRIEF, [persona])
    parts.add_soon(broken, persona)
    with pytest.raises(Exception, match="draft"):
        parts.wait()


def test_stopping_drops_what_is_queued() -> None:
    persona = make_persona()
    parts = ViewParts(BRIEF, [persona])
    parts.stop()
    with pytest.raises(RuntimeError):
        parts.add_soon(make_artifact("x", persona), persona)
