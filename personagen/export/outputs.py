"""The output folder: its layout in one place, written atomically, read back typed.

```
OUT/personas/<persona>.json, .md       persona cards
OUT/copy/<persona>/<channel>.json      one copy artifact per persona and channel
OUT/copy/<persona>/<stage>/<channel>.json   ... per persona, stage and channel, when the
                                       campaign names journey stages (`stages:`)
OUT/copy/<persona>.md                  the persona's copy deck (grouped by stage)
OUT/exports/<file>.csv                 ad-platform CSVs (files named by the channel registry)
OUT/exports/evidence.csv               every line of copy -> persona items, quotes, proof points
OUT/run.json                           the run summary; `artifacts` lists the copy files
                                       that are current (others are from jobs the
                                       campaign no longer has: kept, but not read)
OUT/report.html                        the HTML report (default place)
```
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from personagen.atomic import special_kind, write_text_atomic
from personagen.errors import InputError
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS
from personagen.models.persona import Persona
from personagen.models.run_summary import RunSummary
from personagen.models.stages import stage_ids, stage_rank
from personagen.text import MAX_NAME

if TYPE_CHECKING:
    from personagen.export.view_parts import ViewParts

# Names from data that become file names (persona ids, channel ids): no dots, no
# separators, short enough for any file system.
SAFE_NAME = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{MAX_NAME - 1}}}")


def prepare_output_dir(path: Path) -> Path:
    """Make sure `path` is a writable folder before any paid work starts (a link to a
    folder is followed; a file, device, pipe or dangling link is refused)."""
    if path.is_symlink() and not path.exists():
        raise InputError(str(path), "output path is a symbolic link to nothing, not a folder")
    if path.exists() and not path.is_dir():
        kind = special_kind(path) or "a file"
        raise InputError(str(path), f"output path is {kind}, not a folder")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(str(path), f"output folder is not writable ({existing})")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: Path, model: BaseModel) -> None:
    """Write a model as indented JSON, atomically."""
    write_text_atomic(path, model.model_dump_json(indent=2, exclude_none=True) + "\n")


@dataclass(frozen=True)
class OutputFolder:
    """An output folder of `personagen run`, `personas` or `copy` (layout above)."""

    root: Path

    @property
    def personas_dir(self) -> Path:
        """Where the persona cards are."""
        return self.root / "personas"

    @property
    def copy_dir(self) -> Path:
        """Where the copy artifacts and decks are."""
        return self.root / "copy"

    @property
    def exports_dir(self) -> Path:
        """Where the ad-platform CSVs are."""
        return self.root / "exports"

    @property
    def run_json(self) -> Path:
        """The run summary."""
        return self.root / "run.json"

    @property
    def report_html(self) -> Path:
        """The default place of the HTML report."""
        return self.root / "report.html"

    def artifact_path(self, persona_id: str, channel: str, stage: str | None = None) -> Path:
        """Where one copy artifact lives; InputError for a name that is not a plain file
        name (an artifact read from disk may carry any persona id, stage or channel)."""
        names = [("persona_id", persona_id), ("channel", channel)]
        names += [("stage", stage)] if stage is not None else []
        for what, name in names:
            if not SAFE_NAME.fullmatch(name):
                raise InputError(
                    f"copy artifact {what} {name[:80]!r}",
                    "must be 1 to 100 lowercase letters, digits, '-' or '_' (it names a file)",
                )
        folder = self.copy_dir / persona_id
        return (folder if stage is None else folder / stage) / f"{channel}.json"

    def prepare(self) -> OutputFolder:
        """Check the folder is writable (before any paid work) and create it."""
        prepare_output_dir(self.root)
        return self

    def write_persona(self, persona: Persona) -> None:
        """Write a persona's JSON and its Markdown card."""
        from personagen.export.persona_card import persona_markdown

        write_json(self.personas_dir / f"{persona.id}.json", persona)
        write_text_atomic(self.personas_dir / f"{persona.id}.md", persona_markdown(persona))

    def write_personas(self, personas: list[Persona]) -> None:
        """Write each persona's JSON and card, in order."""
        for persona in personas:
            self.write_persona(persona)

    def write_artifact(self, artifact: CopyArtifact) -> None:
        """Write one copy artifact's JSON."""
        path = self.artifact_path(artifact.persona_id, artifact.channel, artifact.stage)
        write_json(path, artifact)

    def write_views(
        self,
        artifacts: list[CopyArtifact],
        brief: Brief,
        personas: Sequence[Persona] = (),
        parts: ViewParts | None = None,
    ) -> list[Path]:
        """Write what derives from the artifacts: a deck per persona (with the fit to the
        `personas` the copy was written for), the platform CSVs and evidence.csv (with the
        `parts` already made, if any)."""
        from personagen.export.copy_deck import write_decks
        from personagen.export.csv_export import csv_files
        from personagen.export.evidence import EVIDENCE_FILE
        from personagen.export.view_parts import ViewParts

        sheets = csv_files(artifacts, brief)  # a refused import file stops before any write
        parts = parts or ViewParts(brief, personas)
        if artifacts:
            sheets[EVIDENCE_FILE] = parts.evidence.text(artifacts, parts.personas)
        written = write_decks(self.copy_dir, artifacts, parts.fit, parts.section)
        for name, text in sheets.items():
            write_text_atomic(self.exports_dir / name, text)
            written.append(self.exports_dir / name)
        return written

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Write run.json."""
        import json

        write_text_atomic(self.run_json, json.dumps(summary, indent=2) + "\n")

    def read_summary(self) -> RunSummary | None:
        """run.json, typed; None when it is missing or not a run summary."""
        try:
            return RunSummary.model_validate_json(self.run_json.read_bytes())
        except (OSError, ValueError):
            return None

    def persona_files(self) -> list[Path]:
        """The persona JSON files (in `personas/`, or the folder itself when it is one)."""
        folder = self.personas_dir if self.personas_dir.is_dir() else self.root
        return sorted(
            p
            for p in folder.glob("*.json")
            if not p.name.startswith(".") and p.name not in (self.run_json.name, "CHANGELOG.json")
        )

    def read_personas(self) -> list[Persona]:
        """The personas written here (each file validated; InputError names a bad one)."""
        from personagen.inputs import load_model

        return [load_model(path, Persona, what="persona") for path in self.persona_files()]

    def _copy_on_disk(self, channels: set[str]) -> list[Path]:
        """Every copy artifact file of these channels, in persona, stage (journey order,
        none first) and file name order."""
        if not self.copy_dir.is_dir():
            return []
        stages = stage_ids()
        found = [p for p in self.copy_dir.glob("*/*.json")]
        found += [p for p in self.copy_dir.glob("*/*/*.json") if p.parent.name in stages]
        return sorted(
            (p for p in found if p.stem in channels and not p.name.startswith(".")),
            key=lambda p: (
                p.relative_to(self.copy_dir).parts[0],
                stage_rank(p.parent.name if p.parent.parent != self.copy_dir else None),
                p.name,
            ),
        )

    def relative(self, path: Path) -> str:
        """A path of this folder as run.json names it ('copy/<persona>/<channel>.json')."""
        return path.relative_to(self.root).as_posix()

    def _listed(self) -> set[str] | None:
        """The current copy files run.json lists; None when it lists none (older files)."""
        summary = self.read_summary()
        return None if summary is None or summary.artifacts is None else set(summary.artifacts)

    def artifact_files(self, channels: set[str]) -> list[Path]:
        """The current copy artifact files of these channels (all on disk when run.json
        does not list them), in persona, stage and file name order."""
        listed = self._listed()
        found = self._copy_on_disk(channels)
        return found if listed is None else [p for p in found if self.relative(p) in listed]

    def left_out(self, channels: set[str]) -> list[Path]:
        """Copy files on disk that run.json does not list as current (none without a list)."""
        listed = self._listed()
        found = self._copy_on_disk(channels)
        return [] if listed is None else [p for p in found if self.relative(p) not in listed]

    def current_artifacts(self) -> list[str]:
        """The current copy files: run.json's list, or every copy file when it has none."""
        listed = self._listed()
        if listed is not None:
            return sorted(listed)
        return [self.relative(p) for p in self._copy_on_disk(set(DRAFT_MODELS))]


def left_out_line(folder: Path, files: Sequence[Path]) -> str:
    """The one line that says which copy files of a folder a view leaves out."""
    names = [p.relative_to(folder).as_posix() for p in files[:3]]
    more = ", …" if len(files) > 3 else ""
    noun, verb, they = ("files", "are", "they are") if len(files) != 1 else ("file", "is", "it is")
    return (
        f"{len(files)} copy {noun} in {folder} {verb} not part of the last run "
        f"({', '.join(names)}{more}); {they} left out"
    )


def merged_artifacts(
    previous: Sequence[str], addressed: set[tuple[str, str]], written: Sequence[str]
) -> list[str]:
    """The current copy files after a `copy` run into a folder: what it wrote or reused,
    and the earlier ones of every persona and channel it did not address (a persona and
    channel it addressed holds only what this run wrote, e.g. per stage now)."""

    def slot(name: str) -> tuple[str, str]:
        parts = PurePosixPath(name).parts
        return (parts[1] if len(parts) > 2 else "", PurePosixPath(name).stem)

    return sorted({*(p for p in previous if slot(p) not in addressed), *written})
