"""Which channel a CSV export holds, and where each registry field sits in it.

Which channel comes from the channel registry: the file name (`export.file`), else the
columns. A "google_ads_editor" export (an import file) is read cell by cell (Headline
1..15, Description 1..4, Path 1..2); a "review" sheet reads each field from the first
column named by the field's `csv_aliases` (or its export header).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

from personagen.channels import Channel, channel_ids, get_channel
from personagen.checks.findings import Finding

GOOGLE_FORMAT = "google_ads_editor"
_GOOGLE_COLUMN = re.compile(r"(headline|description|path)\s*_?(\d{1,2})", re.IGNORECASE)


def column_key(name: str) -> str:
    """A column name as compared: 'Ad_Group ' -> 'ad group'."""
    return " ".join(name.replace("_", " ").casefold().split())


@functools.cache
def google_column(column: str) -> tuple[str, int] | None:
    """('headline', 2) for a column named like 'Headline 2'; None for other columns."""
    match = _GOOGLE_COLUMN.fullmatch(column_key(column))
    return (match.group(1).casefold(), int(match.group(2))) if match else None


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


def is_import_file(channel: Channel) -> bool:
    """Whether the channel's CSV is an import file (Google Ads Editor), not a review sheet."""
    return channel.export is not None and channel.export.format == GOOGLE_FORMAT


def csv_channel(name: str, header: Sequence[str]) -> str | None:
    """The channel whose copy a CSV export holds, from its file name or its columns."""
    stem = Path(name).stem.casefold()
    names = csv_names()
    if stem in names:
        return names[stem]
    columns = {column_key(c) for c in header}
    google = next((c.id for c in _exported() if is_import_file(c)), None)
    if google and any(_GOOGLE_COLUMN.fullmatch(c) and c.startswith("headline") for c in columns):
        return google
    for channel in _exported():
        fields = csv_columns(channel.id)
        if is_import_file(channel) or not fields:
            continue
        first = next(iter(fields.values()))
        if any(column_key(alias) in columns for alias in first):
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
