"""Collecting the files to lint, reading copy artifacts, and the result of a lint run."""

from __future__ import annotations

import gc
import itertools
import json
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personagen.checks.findings import Finding
from personagen.errors import InputError
from personagen.export import EVIDENCE_FILE, HISTORY
from personagen.export.outputs import OutputFolder, left_out_line
from personagen.languages import lint_fallback
from personagen.lint.csv_files import lint_csv
from personagen.lint.drafts import lint_artifact
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS

BRIEF_MISSING = "claims not checked: pass --brief"
# Copy JSON up to this size is read without the input readers (theirs allow 5 MB); a
# stored artifact is a few kilobytes.
_QUICK_BYTES = 1_000_000


@dataclass(frozen=True)
class LintFinding:
    """A finding in one file."""

    file: str
    finding: Finding

    def as_dict(self) -> dict[str, str]:
        """The finding as the JSON output shows it."""
        f = self.finding
        return {
            "file": self.file,
            "field": f.field,
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
            "fix": f.fix,
        }


@dataclass
class LintResult:
    """Every finding of a lint run, and the files it read."""

    findings: list[LintFinding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """How many findings block the copy."""
        return sum(1 for f in self.findings if f.finding.severity == "error")

    @property
    def warnings(self) -> int:
        """How many findings are advice only."""
        return sum(1 for f in self.findings if f.finding.severity == "warning")

    def capped(self, per_rule: int) -> tuple[list[LintFinding], list[tuple[str, str, int]]]:
        """The findings to list, at most `per_rule` per rule and file (0: all), in order,
        and (file, rule, how many more) for each rule and file that has more."""
        seen: Counter[tuple[str, str]] = Counter()
        shown: list[LintFinding] = []
        for item in self.findings:
            key = (item.file, item.finding.rule)
            seen[key] += 1
            if not per_rule or seen[key] <= per_rule:
                shown.append(item)
        more = [
            (f, rule, n - per_rule) for (f, rule), n in seen.items() if per_rule and n > per_rule
        ]
        return shown, more

    def as_json(self) -> dict[str, Any]:
        """{"findings": [...], "errors": n, "warnings": n}."""
        return {
            "findings": [f.as_dict() for f in self.findings],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _well_formed(path: Path) -> CopyArtifact | None:
    """The artifact in a regular file of UTF-8 JSON that validates; None for anything else.

    The same validation as `inputs.load_model`, which reads every file this accepts the
    same way (JSON holds no raw NUL, CR or BOM inside a value), without loading the input
    readers; whatever this refuses goes to them, for their one-line error."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with path.open("rb") as handle:
            raw = handle.read(_QUICK_BYTES + 1)
        if len(raw) > _QUICK_BYTES:
            return None
        data = json.loads(raw.decode("utf-8"))
        return CopyArtifact.model_validate(data) if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):  # ValidationError is a ValueError
        return None


def load_artifact(path: Path) -> CopyArtifact:
    """Read a copy artifact JSON; InputError for anything unreadable or not an artifact."""
    artifact = _well_formed(path)
    if artifact is None:
        from personagen.inputs import load_model

        artifact = load_model(path, CopyArtifact, what="copy artifact")
    if artifact.channel not in DRAFT_MODELS:
        raise InputError(
            str(path),
            f"unknown channel '{artifact.channel}'; expected one of: {', '.join(DRAFT_MODELS)}",
        )
    return artifact


def _hidden(path: Path, root: Path) -> bool:
    """Dot folders, and the copy of personas a refresh retired (`personas/history/`): a
    folder names the copy it holds now, not what it held before."""
    parts = path.relative_to(root).parts
    retired = any(pair == ("personas", HISTORY) for pair in itertools.pairwise(parts))
    return retired or any(part.startswith(".") for part in parts)


def left_out(folder: Path) -> list[Path]:
    """Copy files in (a part of) an output folder that its run.json does not list as
    current: copy of jobs the campaign no longer has. Lint leaves them out, as the report
    does; a file named on the command line is linted all the same."""
    for root in (folder, *folder.parents[:3]):  # OUT, OUT/copy, OUT/copy/<persona>[/<stage>]
        if (root / "run.json").is_file():
            if folder != root and not folder.is_relative_to(root / "copy"):
                return []
            found = OutputFolder(root).left_out(set(DRAFT_MODELS))
            return [p for p in found if p.is_relative_to(folder)]
    return []


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Files to lint: given files, and in folders every current copy JSON (`left_out`) and
    every exports/*.csv."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            stale = set(left_out(path))
            found = [
                p
                for p in sorted(path.rglob("*.json"))
                if p.stem in DRAFT_MODELS
                and p.is_file()
                and not _hidden(p, path)
                and p not in stale
            ]
            found += [
                p
                for p in sorted(path.rglob("*.csv"))
                if p.is_file()
                and not _hidden(p, path)
                and (p.parent.name == "exports" or p.parent == path)
                and p.name != EVIDENCE_FILE  # quotes and proof behind the copy, not copy
            ]
            if not found:
                raise InputError(
                    str(path), "no copy JSON (copy/<persona>/<channel>.json) or exports/*.csv found"
                )
            files += found
        elif path.exists():
            if path.suffix.lower() not in (".json", ".csv"):
                raise InputError(
                    str(path), f"unsupported file type '{path.suffix}'; expected .json or .csv"
                )
            files.append(path)
        else:
            raise InputError(str(path), "no such file or folder")
    return list(dict.fromkeys(files))


def lint_file(path: Path, brief: Brief | None, language: str | None = None) -> list[Finding]:
    """Every rule on one copy JSON or CSV export, read in `language` when given (else the
    artifact's language, else the brief's, else English)."""
    if path.suffix.lower() == ".csv":
        return lint_csv(path, brief, language)
    return lint_artifact(load_artifact(path), brief, language)


def _fallback(path: str, language: str) -> LintFinding:
    """The one warning for copy in a language lint has no rules for."""
    return LintFinding(path, Finding("language", "warning", "language", language, _FALLBACK_FIX))


_FALLBACK_FIX = "add personagen/data/languages/<code>.yaml for full checks, or lint with --language"


def lint_paths(
    paths: Sequence[Path], brief: Brief | None, language: str | None = None
) -> LintResult:
    """Lint files and folders, the copy read in `language` when given (else each artifact's
    language, else the brief's, else English); InputError when a path is missing or a file
    unreadable."""
    result = LintResult()
    warned: set[str] = set()
    if brief is None:
        result.findings.append(
            LintFinding(
                "",
                Finding(
                    "brief-missing",
                    "warning",
                    "brief",
                    BRIEF_MISSING,
                    "pass --brief BRIEF to also check claims, banned phrases, reading grade "
                    "and the email footer's opt-out and postal address",
                ),
            )
        )
    for path in paths:
        stale = left_out(path) if path.is_dir() else []
        if stale:  # one line per folder, not one per file
            message = left_out_line(path, stale)
            fix = "copy of jobs the campaign no longer has: delete it, or lint a file by name"
            result.findings.append(
                LintFinding(str(path), Finding("left-out", "warning", "files", message, fix))
            )
    # Lint builds many small objects that hold no reference cycles (word sets, index
    # lists, findings); the cyclic collector would re-scan them all as they grow, which
    # costs more than the rules on a large CSV. Reference counting frees them all the same.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in collect_files(paths):
            result.files.append(str(path))
            read_in = language or (brief.language if brief is not None else None)
            if path.suffix.lower() == ".csv":
                findings = lint_csv(path, brief, read_in)
            else:
                artifact = load_artifact(path)
                read_in = language or artifact.language or read_in
                findings = lint_artifact(artifact, brief, read_in)
            fallback = lint_fallback(read_in)
            if fallback is not None and str(read_in) not in warned:
                warned.add(str(read_in))  # once per language, not once per file
                result.findings.append(_fallback(str(path), fallback))
            result.findings += [LintFinding(str(path), f) for f in findings]
    finally:
        if collecting:
            gc.enable()
    return result
