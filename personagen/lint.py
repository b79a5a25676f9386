"""The `personagen lint` engine: hold stored or hand-edited copy to the generation rules.

The rules are the `checks` functions the copy models validate with, applied to the raw JSON
(so a hand edit that breaks a hard limit is reported, not refused on load) and to the
ad-platform CSV exports:

- limits: hard limits (error) and recommended limits (warning) from the channel registry,
  item counts and repeated entries (`checks.limits.check_fields`);
- banned phrases from the brief (error) and AI-sounding phrases (warning);
- the claims guard: figures and customer names the brief's proof points do not back (error);
- unknown or malformed personalisation tokens (error);
- reading grade above the brief's `voice.max_reading_grade` (warning), per piece of copy;
- near-duplicate variants or sequence steps within a set (error);
- e-mail footers without the brief's opt-out line or postal address (error).

Every function here is pure except `lint_paths` and the two loaders, which read files and
raise `InputError` for anything unreadable. Without a brief, the brief-dependent rules are
skipped and one warning says so.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from personagen.channels import get_channel
from personagen.checks.claims import find_unsupported_claims
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields, check_items
from personagen.checks.phrases import find_phrases
from personagen.checks.readability import reading_grade
from personagen.checks.similarity import DEFAULT_THRESHOLD, near_duplicates
from personagen.checks.tokens import token_problems
from personagen.errors import InputError
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import (
    DRAFT_MODELS,
    BattlecardDraft,
    EmailStep,
    GoogleRSA,
    LinkedInAd,
    MetaAd,
    XPost,
)

# Fields that are ids and labels, not text a reader sees; 'objection' restates the buyer.
NOT_COPY = frozenset({"addresses", "objection_id", "objection", "proof_point_ids", "buying_stage"})

# Where each channel keeps its pieces of copy, and the model of one piece.
_SETS: dict[str, tuple[str, str, type[BaseModel]]] = {
    "email": ("steps", "step", EmailStep),
    "google_rsa": ("variants", "variant", GoogleRSA),
    "linkedin": ("variants", "variant", LinkedInAd),
    "meta": ("variants", "variant", MetaAd),
    "x": ("variants", "variant", XPost),
}

# The main text of a piece, whose reading grade is checked (headlines are too short to grade).
READING_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("body",),
    "google_rsa": ("descriptions",),
    "linkedin": ("intro_text",),
    "meta": ("primary_text",),
    "x": ("text",),
    "objections": ("talk_track",),
}

BRIEF_MISSING = "claims not checked: pass --brief"
CSV_NAMES = {
    "google_ads_editor": "google_rsa",
    "linkedin": "linkedin",
    "meta": "meta",
    "x": "x",
}
# CSV column names (lower case, single spaces) for the registry field they hold.
_CSV_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "linkedin": {
        "intro_text": ("introductory text", "intro text", "intro_text", "introductory_text"),
        "headline": ("headline",),
        "description": ("description",),
    },
    "meta": {
        "primary_text": ("primary text", "primary_text", "body", "message", "text"),
        "headline": ("headline", "title"),
        "description": ("description", "link description", "news feed link description"),
    },
    "x": {"text": ("tweet text", "post text", "text", "tweet")},
}
_GOOGLE_COLUMN = re.compile(r"(headline|description|path)\s*_?(\d{1,2})", re.IGNORECASE)
_GROUP_COLUMNS = ("campaign", "ad group", "ad_group", "adgroup", "persona", "persona_id")
MAX_CSV_BYTES = 20_000_000


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

    def as_json(self) -> dict[str, Any]:
        """{"findings": [...], "errors": n, "warnings": n}."""
        return {
            "findings": [f.as_dict() for f in self.findings],
            "errors": self.errors,
            "warnings": self.warnings,
        }


# ---------------------------------------------------------------- rules on one text


def _split(problem: str) -> tuple[str, str]:
    """A check's 'what is wrong; what to do' message as (message, fix)."""
    message, _, fix = problem.partition("; ")
    return message, fix or "rewrite it"


def text_findings(text: str, field: str, brief: Brief | None) -> list[Finding]:
    """Phrase, token and (with a brief) claims findings for one reader-facing text."""
    banned = brief.voice.banned_phrases if brief is not None else ()
    findings = find_phrases(text, banned, field)
    for problem in token_problems(text):
        message, fix = _split(problem)
        findings.append(Finding("token", "error", field, message, fix))
    if brief is not None:
        for problem in find_unsupported_claims(text, **brief.claims_context()):
            message, fix = _split(problem)
            findings.append(Finding("unsupported-claim", "error", field, message, fix))
    return findings


def grade_finding(text: str, field: str, brief: Brief | None) -> Finding | None:
    """A warning when `text` reads above the brief's maximum grade."""
    if brief is None or not text.strip():
        return None
    grade = reading_grade(text)
    limit = brief.voice.max_reading_grade
    if grade <= limit:
        return None
    return Finding(
        "reading-grade",
        "warning",
        field,
        f"reads at grade {grade:g}; the brief's voice allows at most grade {limit:g}",
        "use shorter sentences and everyday words",
    )


def duplicate_findings(texts: Sequence[str], prefix: str, noun: str) -> list[Finding]:
    """Errors for each pair of near-duplicate pieces in a set (`prefix[i]` names piece i)."""
    findings: list[Finding] = []
    for i, j, overlap in near_duplicates(texts, DEFAULT_THRESHOLD):
        findings.append(
            Finding(
                "near-duplicate",
                "error",
                f"{prefix}[{j + 1}]",
                f"{noun}s {i + 1} and {j + 1} share {overlap:.0%} of their words "
                f"(limit {DEFAULT_THRESHOLD:.0%})",
                f"rewrite {noun} {j + 1} with a different angle",
            )
        )
    return findings


# ---------------------------------------------------------------- rules on a draft


def walk_texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) of every reader-facing string in a draft, 1-based list indexes."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in NOT_COPY:
                continue
            yield from walk_texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield from walk_texts(item, f"{path}[{index}]")


def _kind(annotation: object) -> str:
    """'text' for str, 'texts' for list[str], '' for anything else."""
    if annotation is str:
        return "text"
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return "texts"
    return ""


def shape_findings(piece: object, model: type[BaseModel], prefix: str) -> list[Finding]:
    """Errors for required copy fields that are missing, empty or of the wrong type."""
    where = prefix.rstrip(".") or "draft"
    if not isinstance(piece, Mapping):
        return [
            Finding(
                "draft-shape",
                "error",
                where,
                f"{where} is not a mapping of fields",
                f"restore it as {model.__name__} fields (see 'personagen schema')",
            )
        ]
    findings: list[Finding] = []
    for name, info in model.model_fields.items():
        kind = _kind(info.annotation)
        if not kind or name in NOT_COPY:
            continue
        value = piece.get(name)
        if value is None or value == "" or value == []:
            if info.is_required():
                findings.append(
                    Finding(
                        "missing-field",
                        "error",
                        f"{prefix}{name}",
                        f"{name} is missing or empty",
                        f"write the {name.replace('_', ' ')}",
                    )
                )
            continue
        good = (
            isinstance(value, str)
            if kind == "text"
            else isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not good:
            wanted = "text" if kind == "text" else "a list of texts"
            findings.append(
                Finding(
                    "draft-shape",
                    "error",
                    f"{prefix}{name}",
                    f"{name} should be {wanted}, found {type(value).__name__}",
                    f"write {name} as {wanted}",
                )
            )
    return findings


def _grade_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return None


def _piece_findings(
    channel: str, piece: Mapping[str, Any], prefix: str, brief: Brief | None
) -> list[Finding]:
    """Limits, text rules and reading grade of one piece (a variant, a step, a battlecard)."""
    names = set(get_channel(channel).field_names())
    # Missing and empty fields are reported once, by `shape_findings`.
    values = {k: v for k, v in piece.items() if k in names and v not in (None, "", [])}
    findings = check_fields(channel, values, prefix)
    for path, text in walk_texts(dict(piece), prefix.rstrip(".")):
        if text.strip():
            findings += text_findings(text, path, brief)
    for name in READING_FIELDS.get(channel, ()):
        graded_text = _grade_text(piece.get(name))
        graded = grade_finding(graded_text, f"{prefix}{name}", brief) if graded_text else None
        if graded:
            findings.append(graded)
    return findings


def _footer_findings(footer: str | None, brief: Brief | None) -> list[Finding]:
    """Errors when an e-mail footer lacks the brief's opt-out line or postal address."""

    def folded(text: str) -> str:
        return " ".join(text.casefold().split())

    compliance = brief.email_compliance if brief is not None else None
    if brief is not None and compliance is None:
        return [
            Finding(
                "email-compliance-unchecked",
                "warning",
                "footer",
                "the brief has no email_compliance, so the footer's opt-out and postal "
                "address were not checked",
                "add email_compliance (sender_name, postal_address, opt_out_text) to the brief",
            )
        ]
    if compliance is None:
        if footer and footer.strip():
            return []
        return [
            Finding(
                "email-footer",
                "error",
                "footer",
                "the emails have no footer; commercial email must carry the sender's postal "
                "address and a way to opt out (CAN-SPAM, GDPR/PECR)",
                "restore the footer with the sender, postal address and opt-out line",
            )
        ]
    text = folded(footer or "")
    lacks = "the footer lacks" if text else "the emails have no footer, so they lack"
    findings: list[Finding] = []
    if folded(compliance.opt_out_text) not in text:
        findings.append(
            Finding(
                "email-opt-out",
                "error",
                "footer",
                f"{lacks} the brief's opt-out line "
                f"({compliance.opt_out_text!r}); every commercial email must offer one",
                "restore the opt-out line from the brief's email_compliance.opt_out_text",
            )
        )
    if folded(compliance.postal_address) not in text:
        findings.append(
            Finding(
                "email-postal-address",
                "error",
                "footer",
                f"{lacks} the sender's postal address "
                f"({compliance.postal_address!r}); CAN-SPAM requires it",
                "restore the postal address from the brief's email_compliance.postal_address",
            )
        )
    return findings


def lint_draft(
    channel: str, draft: Mapping[str, Any], brief: Brief | None, footer: str | None = None
) -> list[Finding]:
    """Every rule on one channel's draft, as stored in a copy artifact's `draft`."""
    if channel == "objections":
        findings = shape_findings(draft, BattlecardDraft, "")
        findings += _piece_findings(channel, draft, "", brief)
        objections = draft.get("objections")
        for index, item in enumerate(objections if isinstance(objections, list) else [], 1):
            response = item.get("response") if isinstance(item, Mapping) else None
            text = " ".join(t for _, t in walk_texts(response)) if response else ""
            graded = grade_finding(text, f"objections[{index}].response", brief)
            if graded:
                findings.append(graded)
        return findings
    key, noun, model = _SETS[channel]
    pieces = draft.get(key)
    if not isinstance(pieces, list) or not pieces:
        return [
            Finding(
                "missing-field",
                "error",
                key,
                f"the draft has no {key}",
                f"write at least one {noun} under '{key}'",
            )
        ]
    findings = []
    texts: list[str] = []
    for index, piece in enumerate(pieces, start=1):
        prefix = f"{key}[{index}]."
        findings += shape_findings(piece, model, prefix)
        if isinstance(piece, Mapping):
            findings += _piece_findings(channel, piece, prefix, brief)
            texts.append("\n".join(text for _, text in walk_texts(dict(piece))))
        else:
            texts.append("")
    findings += duplicate_findings(texts, key, noun)
    if channel == "email":
        findings += _footer_findings(footer, brief)
    return findings


def lint_artifact(artifact: CopyArtifact, brief: Brief | None) -> list[Finding]:
    """Every rule on one stored copy artifact (its draft and, for e-mail, its footer)."""
    return lint_draft(artifact.channel, artifact.draft, brief, artifact.footer)


# ---------------------------------------------------------------- rules on CSV exports


def _column(name: str) -> str:
    return " ".join(name.replace("_", " ").casefold().split())


def csv_channel(name: str, header: Sequence[str]) -> str | None:
    """The channel whose copy a CSV export holds, from its file name or its columns."""
    stem = Path(name).stem.casefold()
    if stem in CSV_NAMES:
        return CSV_NAMES[stem]
    columns = {_column(c) for c in header}
    if any(_GOOGLE_COLUMN.fullmatch(c) and c.startswith("headline") for c in columns):
        return "google_rsa"
    for channel, fields in _CSV_COLUMNS.items():
        first = next(iter(fields.values()))
        if any(_column(alias) in columns for alias in first):
            return channel
    return None


def _group(row: Mapping[str, str]) -> tuple[str, ...]:
    return tuple((row.get(k) or "").strip() for k in sorted(row) if _column(k) in _GROUP_COLUMNS)


def _google_row(
    row: Mapping[str, str], label: str, brief: Brief | None
) -> tuple[list[Finding], str]:
    """Limits and text rules of one Google Ads Editor row; also its text for similarity."""
    lists: dict[str, list[tuple[str, str]]] = {"headline": [], "description": []}
    paths: dict[str, tuple[str, str]] = {}
    for column, value in row.items():
        if column is None:
            continue
        match = _GOOGLE_COLUMN.fullmatch(_column(column))
        text = (value or "").strip()
        if not match or not text:
            continue
        kind, number = match.group(1).casefold(), int(match.group(2))
        if kind == "path":
            paths[f"path{number}"] = (column, text)
        else:
            lists[kind].append((column, text))
    if not lists["headline"] and not lists["description"]:
        return [], ""
    findings: list[Finding] = []
    for kind, registry in (("headline", "headlines"), ("description", "descriptions")):
        entries = lists[kind]
        for finding in check_items("google_rsa", registry, [t for _, t in entries]):
            findings.append(_csv_field(finding, registry, entries, label))
    values = {name: text for name, (_, text) in paths.items()}
    for finding in check_fields("google_rsa", values):
        column = paths.get(finding.field, (finding.field, ""))[0]
        findings.append(_relabel(finding, f"{label}.{column}"))
    for column, text in [*lists["headline"], *lists["description"], *paths.values()]:
        findings += [_relabel(f, f"{label}.{column}") for f in text_findings(text, "", brief)]
    descriptions = " ".join(text for _, text in lists["description"])
    graded = grade_finding(descriptions, f"{label}.descriptions", brief)
    if graded:
        findings.append(graded)
    texts = [text for _, text in (*lists["headline"], *lists["description"])]
    return findings, "\n".join(texts)


def _relabel(finding: Finding, field: str) -> Finding:
    return Finding(finding.rule, finding.severity, field, finding.message, finding.fix)


def _csv_field(
    finding: Finding, registry: str, entries: Sequence[tuple[str, str]], label: str
) -> Finding:
    """Name a list finding by its CSV column ('row 3.Headline 2'), not its list position."""
    match = re.fullmatch(rf"{registry}\[(\d+)\]", finding.field)
    if match and int(match.group(1)) <= len(entries):
        return _relabel(finding, f"{label}.{entries[int(match.group(1)) - 1][0]}")
    return _relabel(finding, f"{label}.{registry}")


def _other_row(
    channel: str, row: Mapping[str, str], label: str, brief: Brief | None
) -> tuple[list[Finding], str]:
    columns = {_column(c): c for c in row if c is not None}
    values: dict[str, str] = {}
    where: dict[str, str] = {}
    for name, aliases in _CSV_COLUMNS[channel].items():
        for alias in aliases:
            column = columns.get(_column(alias))
            if column is not None:
                values[name], where[name] = (row.get(column) or "").strip(), column
                break
    findings = [
        _relabel(f, f"{label}.{where.get(f.field, f.field)}")
        for f in check_fields(channel, {k: v for k, v in values.items() if v})
    ]
    for name, text in values.items():
        if text:
            findings += [
                _relabel(f, f"{label}.{where[name]}") for f in text_findings(text, "", brief)
            ]
    for name in READING_FIELDS.get(channel, ()):
        graded = grade_finding(values.get(name, ""), f"{label}.{where.get(name, name)}", brief)
        if graded:
            findings.append(graded)
    return findings, "\n".join(v for v in values.values() if v)


def lint_csv_rows(
    channel: str, rows: Sequence[Mapping[str, str]], brief: Brief | None
) -> list[Finding]:
    """Every rule on the rows of a CSV export; fields read 'row N.<column>' (header = row 1)."""
    findings: list[Finding] = []
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for number, row in enumerate(rows, start=2):
        label = f"row {number}"
        if channel == "google_rsa":
            found, text = _google_row(row, label, brief)
        else:
            found, text = _other_row(channel, row, label, brief)
        findings += found
        if text:
            groups.setdefault(_group(row), []).append((number, text))
    for members in groups.values():
        for i, j, overlap in near_duplicates([t for _, t in members], DEFAULT_THRESHOLD):
            first, second = members[i][0], members[j][0]
            findings.append(
                Finding(
                    "near-duplicate",
                    "error",
                    f"row {second}",
                    f"rows {first} and {second} share {overlap:.0%} of their words "
                    f"(limit {DEFAULT_THRESHOLD:.0%})",
                    f"rewrite the ad in row {second} with a different angle",
                )
            )
    return findings


# ---------------------------------------------------------------- files


def load_artifact(path: Path) -> CopyArtifact:
    """Read a copy artifact JSON; InputError for anything unreadable or not an artifact."""
    from personagen.inputs import load_model

    artifact = load_model(path, CopyArtifact, what="copy artifact")
    if artifact.channel not in DRAFT_MODELS:
        raise InputError(
            str(path),
            f"unknown channel '{artifact.channel}'; expected one of: {', '.join(DRAFT_MODELS)}",
        )
    return artifact


def load_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a CSV export as (header, rows); InputError for unreadable or empty files."""
    from personagen.inputs.structured import read_text

    text = read_text(path, max_bytes=MAX_CSV_BYTES)
    if not text.strip():
        raise InputError(str(path), "file is empty; expected a CSV with a header row")
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = list(reader.fieldnames or [])
        rows = [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise InputError(str(path), f"malformed CSV: {exc}") from None
    return header, rows


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Files to lint: given files, and in folders every copy JSON and every exports/*.csv."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [
                p
                for p in sorted(path.rglob("*.json"))
                if p.stem in DRAFT_MODELS and p.is_file() and not _hidden(p, path)
            ]
            found += [
                p
                for p in sorted(path.rglob("*.csv"))
                if p.is_file()
                and not _hidden(p, path)
                and (p.parent.name == "exports" or p.parent == path)
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


def lint_file(path: Path, brief: Brief | None) -> list[Finding]:
    """Every rule on one copy JSON or CSV export."""
    if path.suffix.lower() == ".csv":
        header, rows = load_csv(path)
        channel = csv_channel(path.name, header)
        if channel is None:
            return [
                Finding(
                    "csv-unknown",
                    "warning",
                    "header",
                    "not a personagen export: no headline, text or description columns found",
                    "lint the copy JSON instead, or name the file google_ads_editor.csv, "
                    "linkedin.csv, meta.csv or x.csv",
                )
            ]
        return lint_csv_rows(channel, rows, brief)
    return lint_artifact(load_artifact(path), brief)


def lint_paths(paths: Sequence[Path], brief: Brief | None) -> LintResult:
    """Lint files and folders; InputError when a path is missing or a file unreadable."""
    result = LintResult()
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
    for path in collect_files(paths):
        result.files.append(str(path))
        result.findings += [LintFinding(str(path), f) for f in lint_file(path, brief)]
    return result
