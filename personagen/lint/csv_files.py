"""Rules on ad-platform CSV exports, and reading them.

Which channel a CSV holds comes from the channel registry: its file name (`export.file`),
else its columns. A "google_ads_editor" export is read cell by cell (Headline 1..15,
Description 1..4, Path 1..2); a "review" sheet reads each field from the first column
named by the field's `csv_aliases` (or its export header).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from personagen.channels import Channel, channel_ids, get_channel
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields, check_items
from personagen.checks.similarity import DEFAULT_THRESHOLD, near_duplicates
from personagen.errors import InputError
from personagen.lint.rules import grade_finding, text_findings
from personagen.models.brief import Brief

GOOGLE_FORMAT = "google_ads_editor"
_GOOGLE_COLUMN = re.compile(r"(headline|description|path)\s*_?(\d{1,2})", re.IGNORECASE)
# Google Ads Editor's numbered columns, and the registry list field each fills.
_GOOGLE_LISTS = (("headline", "headlines"), ("description", "descriptions"))
_GROUP_COLUMNS = ("campaign", "ad group", "ad_group", "adgroup", "persona", "persona_id")
MAX_CSV_BYTES = 20_000_000


def _column(name: str) -> str:
    return " ".join(name.replace("_", " ").casefold().split())


def _exported() -> list[Channel]:
    """The registry channels that have a CSV export, in registry order."""
    return [c for c in map(get_channel, channel_ids()) if c.export is not None]


def csv_names() -> dict[str, str]:
    """Export file stem (lower case) -> channel id, e.g. 'google_ads_editor' -> 'google_rsa'."""
    return {Path(c.export.file).stem.casefold(): c.id for c in _exported() if c.export}


def csv_columns(channel_id: str) -> dict[str, tuple[str, ...]]:
    """Registry field -> the CSV column names it is read from (aliases, then export header)."""
    channel = get_channel(channel_id)
    headers = {
        name: header for name, header, _ in (channel.export.columns if channel.export else ())
    }
    columns: dict[str, tuple[str, ...]] = {}
    for limit in channel.fields:
        names = [*limit.csv_aliases]
        if limit.name in headers:
            names.append(headers[limit.name])
        if names:
            columns[limit.name] = tuple(dict.fromkeys(names))
    return columns


def _is_google(channel: Channel) -> bool:
    return channel.export is not None and channel.export.format == GOOGLE_FORMAT


def csv_channel(name: str, header: Sequence[str]) -> str | None:
    """The channel whose copy a CSV export holds, from its file name or its columns."""
    stem = Path(name).stem.casefold()
    names = csv_names()
    if stem in names:
        return names[stem]
    columns = {_column(c) for c in header}
    google = next((c.id for c in _exported() if _is_google(c)), None)
    if google and any(_GOOGLE_COLUMN.fullmatch(c) and c.startswith("headline") for c in columns):
        return google
    for channel in _exported():
        fields = csv_columns(channel.id)
        if _is_google(channel) or not fields:
            continue
        first = next(iter(fields.values()))
        if any(_column(alias) in columns for alias in first):
            return channel.id
    return None


def unknown_csv_finding() -> Finding:
    """The warning for a CSV that is not a personagen export."""
    files = [c.export.file for c in _exported() if c.export]
    named = f"{', '.join(files[:-1])} or {files[-1]}" if len(files) > 1 else "".join(files)
    return Finding(
        "csv-unknown",
        "warning",
        "header",
        "not a personagen export: no headline, text or description columns found",
        f"lint the copy JSON instead, or name the file {named}",
    )


def _group(row: Mapping[str, str]) -> tuple[str, ...]:
    return tuple((row.get(k) or "").strip() for k in sorted(row) if _column(k) in _GROUP_COLUMNS)


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


def _google_row(
    channel: Channel, row: Mapping[str, str], label: str, brief: Brief | None
) -> tuple[list[Finding], str]:
    """Limits and text rules of one Google Ads Editor row; also its text for similarity."""
    lists: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _ in _GOOGLE_LISTS}
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
    if not any(lists.values()):
        return [], ""
    findings: list[Finding] = []
    for kind, registry in _GOOGLE_LISTS:
        entries = lists[kind]
        for finding in check_items(channel.id, registry, [t for _, t in entries]):
            findings.append(_csv_field(finding, registry, entries, label))
    values = {name: text for name, (_, text) in paths.items()}
    for finding in check_fields(channel.id, values):
        column = paths.get(finding.field, (finding.field, ""))[0]
        findings.append(_relabel(finding, f"{label}.{column}"))
    cells = [cell for kind, _ in _GOOGLE_LISTS for cell in lists[kind]]
    for column, text in [*cells, *paths.values()]:
        findings += [_relabel(f, f"{label}.{column}") for f in text_findings(text, "", brief)]
    by_field = {registry: lists[kind] for kind, registry in _GOOGLE_LISTS}
    for name in channel.reading:
        graded_text = " ".join(text for _, text in by_field.get(name, []))
        graded = grade_finding(graded_text, f"{label}.{name}", brief)
        if graded:
            findings.append(graded)
    return findings, "\n".join(text for _, text in cells)


def _review_row(
    channel: Channel, row: Mapping[str, str], label: str, brief: Brief | None
) -> tuple[list[Finding], str]:
    """Limits, text rules and reading grade of one review-sheet row; also its text."""
    columns = {_column(c): c for c in row if c is not None}
    values: dict[str, str] = {}
    where: dict[str, str] = {}
    for name, aliases in csv_columns(channel.id).items():
        for alias in aliases:
            column = columns.get(_column(alias))
            if column is not None:
                values[name], where[name] = (row.get(column) or "").strip(), column
                break
    findings = [
        _relabel(f, f"{label}.{where.get(f.field, f.field)}")
        for f in check_fields(channel.id, {k: v for k, v in values.items() if v})
    ]
    for name, text in values.items():
        if text:
            findings += [
                _relabel(f, f"{label}.{where[name]}") for f in text_findings(text, "", brief)
            ]
    for name in channel.reading:
        graded = grade_finding(values.get(name, ""), f"{label}.{where.get(name, name)}", brief)
        if graded:
            findings.append(graded)
    return findings, "\n".join(v for v in values.values() if v)


def lint_csv_rows(
    channel_id: str, rows: Sequence[Mapping[str, str]], brief: Brief | None
) -> list[Finding]:
    """Every rule on the rows of a CSV export; fields read 'row N.<column>' (header = row 1)."""
    channel = get_channel(channel_id)
    read_row = _google_row if _is_google(channel) else _review_row
    findings: list[Finding] = []
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for number, row in enumerate(rows, start=2):
        found, text = read_row(channel, row, f"row {number}", brief)
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


def lint_csv(path: Path, brief: Brief | None) -> list[Finding]:
    """Every rule on one CSV export, or a warning when it is not one of ours."""
    header, rows = load_csv(path)
    channel = csv_channel(path.name, header)
    if channel is None:
        return [unknown_csv_finding()]
    return lint_csv_rows(channel, rows, brief)
