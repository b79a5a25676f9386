"""Refreshing an output folder's personas with the notes of today's run (`--update`,
`update: true`): the earlier personas, the result's key, and one changelog for all segments."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from personagen.export.changelog import HISTORY, ORDER, history_folder, write_refresh
from personagen.export.outputs import OutputFolder
from personagen.llm import Usage
from personagen.models.changelog import Changelog
from personagen.models.persona import Persona
from personagen.pipeline.refresh import Refresh, refresh_personas


def previous_personas(folder: OutputFolder, icp_id: str) -> list[Persona]:
    """The personas of this ICP already in the output folder (none for a new folder)."""
    if not folder.personas_dir.is_dir():
        return []
    return [p for p in folder.read_personas() if p.icp_id == icp_id]


def refresh_key(key: str, previous: list[Persona]) -> str:
    """The key of a refresh: the synthesis's key and the personas it refreshes."""
    data = ["refresh", key, [p.model_dump(mode="json") for p in previous]]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def unchanged(personas: list[Persona]) -> dict[str, Any]:
    """The stored result of refreshing `personas` with the notes that made them: the same
    personas, every claim unchanged (matching a set to itself pairs each claim with itself)."""
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    found = refresh_personas(personas, personas, HISTORY, created)
    return {
        "personas": [p.model_dump(mode="json") for p in found.personas],
        "changelog": found.changelog.model_dump(mode="json"),
    }


@dataclass
class Refreshes:
    """The refreshes of one run's segments, written together: one history folder, one
    changelog (a refresh that changed nothing writes neither)."""

    folder: OutputFolder
    created: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0)
    )
    done: list[tuple[list[Persona], Refresh]] = field(default_factory=list)
    _previous: str | None = None

    @property
    def previous(self) -> str:
        """Where the earlier personas go, relative to personas/ (chosen once per run)."""
        if self._previous is None:
            path = history_folder(self.folder, self.created.strftime("%Y%m%d-%H%M%S"))
            self._previous = f"{HISTORY}/{path.name}"
        return self._previous

    def refresh(self, old: list[Persona], new: list[Persona]) -> Refresh:
        """Match a segment's new synthesis to its earlier personas and keep the outcome."""
        found = refresh_personas(old, new, self.previous, self.created)
        self.done.append((old, found))
        return found

    def add(self, old: list[Persona], result: dict[str, Any]) -> list[Persona]:
        """A stored refresh (personas and changelog) kept for writing; its personas."""
        personas = [Persona.model_validate(p) for p in result["personas"]]
        changelog = Changelog.model_validate(result["changelog"])
        changelog = changelog.model_copy(update={"previous": self.previous})
        self.done.append((old, Refresh(personas, changelog)))
        return personas

    def changelog(self) -> Changelog | None:
        """One changelog for every segment's refresh, or None when nothing changed."""
        if not any(found.changed for _, found in self.done):
            return None
        logs = [found.changelog for _, found in self.done]
        return Changelog(
            created=self.created,
            previous=self.previous,
            notes_added=sorted({n for log in logs for n in log.notes_added}),
            notes_removed=sorted({n for log in logs for n in log.notes_removed}),
            personas=[p for log in logs for p in log.personas],
        )

    def write(self) -> Changelog | None:
        """Keep the earlier personas, write the new ones and the changelog; or, when nothing
        changed, rewrite the personas as they are."""
        old = [p for before, _ in self.done for p in before]
        new = [p for _, found in self.done for p in found.personas]
        changelog = self.changelog()
        if changelog is None:
            self.folder.write_personas(new)
        else:
            write_refresh(self.folder, old, new, changelog)
        return changelog


def changelog_line(changelog: Changelog | None) -> str:
    """The closing note of a refresh: claims by status, and personas new, merged or gone."""
    if changelog is None:
        return "personas refreshed: nothing changed (no changelog written)"
    counts = changelog.counts()
    claims = ", ".join(f"{counts[s]} {s}" for s in ORDER if counts.get(s)) or "none"
    parts = [f"personas refreshed: claims {claims}"]
    for persona in changelog.personas:
        if persona.status == "new":
            parts.append(f"new persona {persona.persona_id}")
        elif persona.status == "merged":
            parts.append(f"{persona.persona_id} merged into {persona.merged_into}")
        elif persona.status == "removed":
            parts.append(f"{persona.persona_id} no longer found")
    return "; ".join(parts) + " (personas/CHANGELOG.md)"


def rebuild_changelog(folder: OutputFolder, previous: str) -> Changelog:
    """The changelog of a refresh, built again from `personas/<previous>` (the personas
    kept before it) and the personas now in the folder."""
    kept = OutputFolder(folder.personas_dir / previous).read_personas()
    now = folder.read_personas()
    stamp = dt.datetime.strptime(previous.rsplit("/", 1)[-1][:15], "%Y%m%d-%H%M%S")
    return refresh_personas(kept, now, previous, stamp.replace(tzinfo=dt.UTC)).changelog


def extraction_line(extraction: dict[str, Usage]) -> str:
    """'notes: 1 answered from the response cache (dana); 1 extracted by the model (eli)'."""
    groups: dict[str, list[str]] = {}
    for note_id, usage in sorted(extraction.items()):
        if usage.network_calls:
            how = "extracted by the model"
        elif usage.replayed:
            how = "replayed from cassettes"
        else:
            how = "answered from the response cache"
        groups.setdefault(how, []).append(note_id)
    parts = [
        f"{len(ids)} {how} ({', '.join(ids[:5])}{', ...' * (len(ids) > 5)})"
        for how, ids in groups.items()
    ]
    return "notes: " + "; ".join(parts) if parts else ""
