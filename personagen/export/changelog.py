"""A persona refresh on disk: the earlier personas kept, the new ones written, the changelog.

```
OUT/personas/history/<stamp>/<persona>.json   the personas before the refresh (and their
                                              changelog, if there was one)
OUT/personas/CHANGELOG.md, CHANGELOG.json     what the refresh changed
```

Each file is written atomically; the earlier personas are kept before anything is replaced,
so the changelog can always be rebuilt from `history/` and the current personas.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from personagen.atomic import write_text_atomic
from personagen.export import HISTORY as HISTORY
from personagen.export.markdown import md_code, md_inline
from personagen.export.outputs import OutputFolder, write_json
from personagen.models.changelog import Changelog, ClaimChange, PersonaChange
from personagen.models.persona import Persona

CHANGELOG_MD = "CHANGELOG.md"
CHANGELOG_JSON = "CHANGELOG.json"
ORDER = ("new", "strengthened", "weakened", "no longer supported", "unchanged")


def history_folder(folder: OutputFolder, stamp: str) -> Path:
    """A new folder name under personas/history/ for this stamp (suffixed if taken)."""
    base = folder.personas_dir / HISTORY
    path, n = base / stamp, 2
    while path.exists():
        path, n = base / f"{stamp}-{n}", n + 1
    return path


def keep_history(folder: OutputFolder, personas: list[Persona], target: Path) -> None:
    """Copy the earlier personas (and their changelog) to `target` before they change."""
    for persona in personas:
        write_json(target / f"{persona.id}.json", persona)
    for name in (CHANGELOG_JSON, CHANGELOG_MD):
        earlier = folder.personas_dir / name
        if earlier.is_file():
            write_text_atomic(target / name, earlier.read_text(encoding="utf-8"))


def write_refresh(
    folder: OutputFolder, old: list[Persona], new: list[Persona], changelog: Changelog
) -> None:
    """Keep the earlier personas, write the new ones, move the cards and copy of personas
    that are gone into the history folder, and write the changelog."""
    history = folder.personas_dir / changelog.previous
    keep_history(folder, old, history)
    folder.write_personas(new)
    kept = {p.id for p in new}
    for persona in old:
        if persona.id not in kept:
            for suffix in (".json", ".md"):
                (folder.personas_dir / f"{persona.id}{suffix}").unlink(missing_ok=True)
            copy = folder.copy_dir / persona.id
            if copy.is_dir() and not copy.is_symlink():  # its copy speaks to no persona now
                (history / "copy").mkdir(parents=True, exist_ok=True)
                os.replace(copy, history / "copy" / persona.id)
    data = changelog.model_dump(mode="json", exclude_none=True)
    write_text_atomic(folder.personas_dir / CHANGELOG_JSON, json.dumps(data, indent=2) + "\n")
    write_text_atomic(folder.personas_dir / CHANGELOG_MD, changelog_markdown(changelog))


def _claim_lines(claim: ClaimChange) -> list[str]:
    notes = ""
    if claim.status in ("strengthened", "weakened"):
        notes = f" ({len(claim.notes_before)} -> {len(claim.notes_after)} notes)"
    lines = [f"- {claim.status}: **{md_inline(claim.text)}** ({md_code(claim.item_id)}){notes}"]
    lines += [f'  - + "{md_inline(e.quote)}" ({md_inline(e.note_id)})' for e in claim.quotes_added]
    lines += [
        f'  - - "{md_inline(e.quote)}" ({md_inline(e.note_id)})' for e in claim.quotes_removed
    ]
    return lines


def _persona_lines(persona: PersonaChange) -> list[str]:
    heading = (
        f"## {md_inline(persona.name)}: {md_inline(persona.title)} ({md_code(persona.persona_id)})"
    )
    status: str = persona.status
    if persona.merged_into:
        status += f" into {md_code(persona.merged_into)}"
    lines = [heading, "", f"_{status}_"]
    if persona.merged_from:
        lines.append(f"_took in: {', '.join(md_code(i) for i in persona.merged_from)}_")
    claims = sorted(persona.changed(), key=lambda c: (ORDER.index(c.status), c.item_id))
    if claims and persona.status != "merged":
        lines.append("")
        for claim in claims:
            lines += _claim_lines(claim)
    unchanged = len(persona.claims) - len(persona.changed())
    if unchanged:
        lines += ["", f"{unchanged} claim{'s' * (unchanged != 1)} unchanged."]
    return [*lines, ""]


def changelog_markdown(changelog: Changelog) -> str:
    """The changelog as Markdown: per persona, each changed claim with the quotes behind it."""
    counts = changelog.counts()
    summary = ", ".join(f"{counts[s]} {s}" for s in ORDER if counts.get(s))
    lines = [
        "# Persona changelog",
        "",
        f"Refreshed {changelog.created.isoformat()}; earlier personas in "
        f"{md_code('personas/' + changelog.previous)}.",
        "",
        f"Claims: {summary or 'none'}.",
    ]
    if changelog.notes_added:
        lines.append(
            f"Notes cited for the first time: {', '.join(map(md_code, changelog.notes_added))}."
        )
    if changelog.notes_removed:
        lines.append(f"Notes no longer cited: {', '.join(map(md_code, changelog.notes_removed))}.")
    lines.append("")
    for persona in changelog.personas:
        lines += _persona_lines(persona)
    return "\n".join(lines)
