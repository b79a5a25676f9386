"""The parts of a folder's views made one artifact at a time: each artifact's rows of
evidence.csv and its section of its persona's deck (with the fit block).

`personagen run` hands every artifact it generates to the parts' own thread once the
artifact is written (`add_soon`), so the parts are made while other requests are in flight
and no job or file write waits for them; after the last job only the reused copy, the
review sheets and the joining of the parts are left. What is made ahead is what would be
made at the end: the same functions, the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

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
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-parts")
        self._queued: list[Future[None]] = []

    def add_soon(self, artifact: CopyArtifact, persona: Persona | None) -> None:
        """Queue `add` on the parts' own thread (one at a time, in order)."""
        self._queued.append(self._maker.submit(self.add, artifact, persona))

    def stop(self) -> None:
        """Drop what is still queued and let the thread end (nothing will be written)."""
        self._maker.shutdown(wait=False, cancel_futures=True)

    def wait(self) -> None:
        """Block until every queued part is made (the first error raises); stop the thread."""
        self._maker.shutdown(wait=True)
        for queued in self._queued:
            queued.result()

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
