"""The parts of a folder's views made one artifact at a time: each artifact's rows of
evidence.csv and its section of its persona's deck (with the fit block).

`personagen run` adds every artifact it generates as the artifact is written, while other
requests are in flight, so after the last job only the reused copy, the review sheets
and the joining of the parts are left. What is made ahead is what would be made at the
end: the same functions, the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

from personagen.export.copy_deck import channel_lines
from personagen.export.evidence import EvidenceSheet, artifact_slot
from personagen.export.fit import FitContext
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona


class ViewParts:
    """evidence.csv's rows and the deck sections of the artifacts added so far."""

    def __init__(self, brief: Brief, personas: Sequence[Persona]) -> None:
        self.personas = list(personas)
        self.evidence = EvidenceSheet(brief)
        self.fit = FitContext(personas)
        self._sections: dict[str, tuple[CopyArtifact, list[str]]] = {}

    def add(self, artifact: CopyArtifact, persona: Persona | None) -> None:
        """Make one artifact's parts (written for `persona`)."""
        self.evidence.add(artifact, persona)
        self._sections[artifact_slot(artifact)] = (artifact, channel_lines(artifact, self.fit))

    def section(self, artifact: CopyArtifact) -> list[str]:
        """The artifact's deck section: made ahead, or now."""
        made = self._sections.get(artifact_slot(artifact))
        if made is not None and made[0] is artifact:
            return made[1]
        return channel_lines(artifact, self.fit)
