"""Rules on ad-platform CSV exports: formula cells, limits, text rules, near-duplicate rows.

Every cell, header included, is checked for a spreadsheet formula (any CSV lint reads).
In a personagen export (`csv_channels`) each row's copy is also held to the channel's
limits, the text rules and the reading grade, and rows of one group (campaign, ad group,
persona) must not reword one another. Identical cells are checked once per file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from personagen.channels import Channel, get_channel
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields, check_items
from personagen.checks.similarity import DEFAULT_THRESHOLD, folded_words, repeats_among
from personagen.lint.csv_channels import (
    column_key,
    csv_channel,
    csv_columns,
    google_column,
    is_import_file,
    unknown_csv_finding,
)
from personagen.lint.csv_read import read_csv
from personagen.lint.rules import formula_finding, grade_finding, text_findings
from personagen.lint.screens import fold
from personagen.text import formula_trigger

if TYPE_CHECKING:  # a brief is only passed through here; its model loads with it
    from personagen.models.brief import Brief

# Google Ads Editor's numbered columns, and the registry list field each fills.
_GOOGLE_LISTS = (("headline", "headlines"), ("description", "descriptions"))
_GROUP_COLUMNS = ("campaign", "ad group", "ad_group", "adgroup", "persona", "persona_id")

Row = Mapping[str, object]
# A row's findings, and the words of its copy for near duplicates (None: no copy).
RowResult = tuple[list[Finding], tuple[str, ...] | None]


def _relabel(finding: Finding, field: str) -> Finding:
    return Finding(finding.rule, finding.severity, field, finding.message, finding.fix)


def _copy_text(value: object) -> str:
    """A cell's copy: trimmed, without the single quote a review sheet puts before a
    formula trigger (it makes the cell text in a spreadsheet; it is not copy)."""
    text = value if isinstance(value, str) else ""
    if text[:1] == "'" and formula_trigger(text[1:]) is not None:
        text = text[1:]
    return text.strip()


class _Rules:
    """The text rules and reading grade of one file, each distinct text checked once."""

    def __init__(self, brief: Brief | None, language: str | None = None) -> None:
        self.brief = brief
        self.language = language
        self._texts: dict[str, tuple[Finding, ...]] = {}
        self._grades: dict[str, Finding | None] = {}
        self._plans: dict[tuple[object, ...], list[tuple[str, str]]] = {}
        self._groups: dict[tuple[object, ...], list[str]] = {}

    def text(self, text: str, field: str) -> list[Finding]:
        """`text_findings` of `text`, named `field`."""
        found = self._texts.get(text)
        if found is None:
            # A tuple: most texts have no findings, and all share the one empty tuple.
            found = self._texts[text] = tuple(
                text_findings(text, "", self.brief, fold(text), self.language)
            )
        return [_relabel(f, field) for f in found]

    @staticmethod
    def words(texts: Sequence[str]) -> tuple[str, ...]:
        """The distinct words of some texts together (`checks.similarity.word_tokens`)."""
        return folded_words(" ".join(map(fold, texts)))

    def group(self, row: Row) -> tuple[str, ...]:
        """The row's campaign, ad group and persona cells: rows that must differ."""
        names = tuple(row)
        keys = self._groups.get(names)
        if keys is None:
            keys = self._groups[names] = sorted(
                k for k in names if isinstance(k, str) and column_key(k) in _GROUP_COLUMNS
            )
        return tuple(str(row.get(k) or "").strip() for k in keys)

    def grade(self, text: str, field: str) -> list[Finding]:
        """`grade_finding` of `text`, named `field`."""
        if self.brief is None:
            return []
        if text not in self._grades:
            self._grades[text] = grade_finding(text, "", self.brief, self.language)
        found = self._grades[text]
        return [] if found is None else [_relabel(found, field)]

    def review_columns(self, channel_id: str, row: Row) -> list[tuple[str, str]]:
        """(registry field, column) for a review sheet row: the first column named by the
        field's aliases; worked out once per set of columns."""
        names = tuple(row)
        plan = self._plans.get(names)
        if plan is None:
            columns = {column_key(c): c for c in names if isinstance(c, str)}
            plan = []
            for name, aliases in csv_columns(channel_id).items():
                found = next((columns[k] for k in map(column_key, aliases) if k in columns), None)
                if found is not None:
                    plan.append((name, found))
            self._plans[names] = plan
        return plan


def _csv_field(
    finding: Finding, registry: str, entries: Sequence[tuple[str, str]], label: str
) -> Finding:
    """Name a list finding by its CSV column ('row 3.Headline 2'), not its list position."""
    match = re.fullmatch(rf"{registry}\[(\d+)\]", finding.field)
    if match and int(match.group(1)) <= len(entries):
        return _relabel(finding, f"{label}.{entries[int(match.group(1)) - 1][0]}")
    return _relabel(finding, f"{label}.{registry}")


def _google_row(channel: Channel, row: Row, label: str, rules: _Rules) -> RowResult:
    """Limits and text rules of one Google Ads Editor row; also the words of its headlines
    and descriptions (None when it has none), for near duplicates."""
    lists: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _ in _GOOGLE_LISTS}
    paths: dict[str, tuple[str, str]] = {}
    for column, value in row.items():
        text = value.strip() if isinstance(column, str) and isinstance(value, str) else ""
        place = google_column(column) if text else None
        if place is None:
            continue
        kind, number = place
        if kind == "path":
            paths[f"path{number}"] = (column, text)
        else:
            lists[kind].append((column, text))
    if not any(lists.values()):
        return [], None
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
        findings += rules.text(text, f"{label}.{column}")
    by_field = {registry: lists[kind] for kind, registry in _GOOGLE_LISTS}
    for name in channel.reading:
        graded_text = " ".join(text for _, text in by_field.get(name, []))
        findings += rules.grade(graded_text, f"{label}.{name}")
    return findings, rules.words([text for _, text in cells])


def _review_row(channel: Channel, row: Row, label: str, rules: _Rules) -> RowResult:
    """Limits, text rules and reading grade of one review-sheet row; also the words of its
    copy (None when it has none), for near duplicates."""
    values: dict[str, str] = {}
    where: dict[str, str] = {}
    for name, column in rules.review_columns(channel.id, row):
        values[name], where[name] = _copy_text(row.get(column)), column
    findings = [
        _relabel(f, f"{label}.{where.get(f.field, f.field)}")
        for f in check_fields(channel.id, {k: v for k, v in values.items() if v})
    ]
    for name, text in values.items():
        if text:
            findings += rules.text(text, f"{label}.{where[name]}")
    for name in channel.reading:
        findings += rules.grade(values.get(name, ""), f"{label}.{where.get(name, name)}")
    copy = [v for v in values.values() if v]
    return findings, rules.words(copy) if copy else None


def _copy_findings(
    channel: Channel, rows: Iterable[Row], brief: Brief | None, language: str | None
) -> list[Finding]:
    """Limits, text rules, reading grade and near-duplicate rows; row 2 is the first row."""
    read_row: Callable[[Channel, Row, str, _Rules], RowResult]
    read_row = _google_row if is_import_file(channel) else _review_row
    rules = _Rules(brief, language)
    findings: list[Finding] = []
    groups: dict[tuple[str, ...], list[tuple[int, tuple[str, ...]]]] = {}
    for number, row in enumerate(rows, start=2):
        found, words = read_row(channel, row, f"row {number}", rules)
        findings += found
        if words is not None:
            groups.setdefault(rules.group(row), []).append((number, words))
    for members in groups.values():
        for i, j, overlap in repeats_among([w for _, w in members], DEFAULT_THRESHOLD).pairs:
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


# A cell can run as a formula only if it starts with a character that is no letter, digit
# or underscore (every trigger is one): a row none of whose cells does is not looked into.
_MAY_RUN = re.compile(r"\x00[^\w\x00]")


def _formula_findings(
    columns: Sequence[str], values: Sequence[object], label: str, import_file: bool
) -> list[Finding]:
    """Errors for the cells of one row that a spreadsheet would run; `columns` names the
    cells in order, 'column N' past its end or for a blank name."""
    texts = [v if isinstance(v, str) else "" for v in values]
    if not _MAY_RUN.search("\x00" + "\x00".join(texts)):
        return []
    findings: list[Finding] = []
    for k, text in enumerate(texts):
        name = columns[k] if k < len(columns) and columns[k].strip() else f"column {k + 1}"
        found = formula_finding(text, f"{label}.{name}", import_file)
        if found is not None:
            findings.append(found)
    return findings


def _cells(row: Row) -> tuple[list[str], list[object]]:
    """The columns and values of a row; csv.DictReader's cells past the header (a list
    under the key None) come last, unnamed."""
    columns: list[str] = []
    values: list[object] = []
    extra: list[object] = []
    for key, value in row.items():
        if isinstance(key, str):
            columns.append(key)
            values.append(value)
        elif isinstance(value, list):
            extra += value
    return columns, values + extra


def lint_csv_rows(
    channel_id: str, rows: Sequence[Row], brief: Brief | None, language: str | None = None
) -> list[Finding]:
    """Every rule on the rows of a CSV export, its copy read in `language` (None: the
    brief's, else English); fields read 'row N.<column>' (header = row 1)."""
    channel = get_channel(channel_id)
    findings: list[Finding] = []
    for number, row in enumerate(rows, start=2):
        columns, values = _cells(row)
        findings += _formula_findings(columns, values, f"row {number}", is_import_file(channel))
    return findings + _copy_findings(channel, rows, brief, language)


def load_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a CSV export as (header, rows); InputError for unreadable or empty files."""
    table = read_csv(path)
    return table.header, list(table.rows())


def lint_csv(path: Path, brief: Brief | None, language: str | None = None) -> list[Finding]:
    """Every rule on one CSV export, its copy read in `language` (None: the brief's, else
    English); for a CSV that is not one of ours, the formula rule and a warning. InputError
    when the file cannot be read as CSV."""
    table = read_csv(path)
    channel_id = csv_channel(path.name, table.header)
    channel = get_channel(channel_id) if channel_id is not None else None
    import_file = channel is not None and is_import_file(channel)
    findings = _formula_findings([], table.header, "row 1", import_file)

    def rows() -> Iterator[dict[str, str]]:
        # One pass over the file: each record is checked for formulas, then handed on.
        for number, record in enumerate(table.records, start=2):
            findings.extend(_formula_findings(table.header, record, f"row {number}", import_file))
            yield dict(zip(table.header, record, strict=False))

    if channel is None:
        for _ in rows():
            pass
        return [*findings, unknown_csv_finding()]
    copy = _copy_findings(channel, rows(), brief, language)
    return findings + copy
