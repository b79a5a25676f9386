"""Platform CSVs: a Google Ads Editor import file and review sheets for the social channels.

`google_ads_editor.csv` is meant to be imported as it is (Google Ads Editor: Account >
Import > From file). Format choices, per Google Ads Editor's 'CSV file columns' help page
(support.google.com/google-ads/editor/answer/57747):

- English column headers, which Editor recognises automatically: Campaign, Ad group,
  Ad type, Status, Headline 1..15, Description 1..4, Path 1, Path 2, Final URL.
- One row per responsive search ad variant. Campaign is the brief id, Ad group is
  "<persona title> (<persona id>)", or "<persona title> (<persona id>) - <Stage>" when the
  campaign has journey stages (one ad group per persona and stage), Ad type is
  "Responsive search ad", and Status is "Paused" so nothing serves before someone has
  reviewed it in Editor.
- Final URL is the variant's tracked link (the brief's `utm:` tags, see `models/utm.py`)
  when there is one, else the landing page. A final URL longer than Google Ads accepts
  (2,048 characters) refuses the file, naming the persona and variant.
- Headline and description cells a variant does not use are left empty (Editor reads a
  blank cell as "no value"; `[]` would mean "erase").
- Encoding: UTF-8 without a byte order mark. Editor accepts UTF-8 and UTF-16; UTF-8 keeps
  the file diffable and readable by every tool. Written with the `csv` module
  (QUOTE_MINIMAL, so only cells with commas, quotes or line breaks are quoted) and its
  default `\\r\\n` row endings.

`linkedin.csv`, `meta.csv` and `x.csv` are review sheets, not imports (files and columns
are the channel registry's `export` entries, so a new channel's sheet is data): one row per ad
variant with each field's length as the platform counts it (X counts every link as 23
characters), the variant's tracked link where the sheet has a URL column, and the persona
items the variant addresses; a "Stage" column follows "Persona" when the copy has journey
stages. They use the same encoding.

No cell is read as a spreadsheet formula (OWASP, 'CSV Injection'): a cell starting with
'=', '+', '-' or '@' (also after spaces, or full-width), a tab or a line break. The copy
models refuse such copy already; here is the second line of defence. A review sheet
prefixes such a cell with a single quote, which spreadsheets show as text; the import
file carries the ad text unchanged, so it refuses to be written instead, naming the
persona, channel and column. A link to the landing page inside ad text becomes the
variant's tracked link (X counts every link as 23 characters, so its count is unchanged);
the counts are of the text as exported.
Every file is written atomically and only when its channel has copy; no file is written
when any would be refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from personagen.atomic import write_text_atomic
from personagen.channels import URL, Export, channel_ids, get_channel
from personagen.errors import InputError
from personagen.export.copy_deck import artifact_name, count, parse_draft
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import GoogleRSA, piece_model
from personagen.models.stages import stage_title
from personagen.models.utm import url_findings
from personagen.text import formula_trigger

# Google Ads Editor's RSA columns: as many as an RSA can hold.
MAX_HEADLINES = 15
MAX_DESCRIPTIONS = 4
GOOGLE_ADS_EDITOR_COLUMNS: tuple[str, ...] = (
    "Campaign",
    "Ad group",
    "Ad type",
    "Status",
    *(f"Headline {n}" for n in range(1, MAX_HEADLINES + 1)),
    *(f"Description {n}" for n in range(1, MAX_DESCRIPTIONS + 1)),
    "Path 1",
    "Path 2",
    "Final URL",
)
RSA_AD_TYPE = "Responsive search ad"
RSA_STATUS = "Paused"
GOOGLE_ADS_EDITOR_FILE = "google_ads_editor.csv"
_TRAILING = ".,;:!?)\"'"

Row = list[str | int]
V = TypeVar("V", bound=BaseModel)


def write_csvs(folder: Path, artifacts: list[CopyArtifact], brief: Brief) -> list[Path]:
    """Write the CSV of every channel with an export (registry) present in `artifacts`."""
    files = csv_files(artifacts, brief)
    for name, text in files.items():
        write_text_atomic(folder / name, text)
    return [folder / name for name in files]


def csv_files(artifacts: list[CopyArtifact], brief: Brief) -> dict[str, str]:
    """The text of every channel's CSV (file name -> text); InputError for a formula cell
    in the import file, before anything is written."""
    files: dict[str, str] = {}
    for channel_id in channel_ids():
        export = get_channel(channel_id).export
        chosen = [a for a in artifacts if a.channel == channel_id]
        if export is None or not chosen:
            continue
        if export.format == "google_ads_editor":
            columns, rows = (
                GOOGLE_ADS_EDITOR_COLUMNS,
                [r for a in chosen for r in _rsa_rows(a, brief)],
            )
        else:
            columns = review_columns(export, staged=any(a.stage for a in chosen))
            rows = [
                [text_cell(cell) for cell in r]
                for a in chosen
                for r in _review_rows(a, brief, export, "Stage" in columns)
            ]
        files[export.file] = csv_text(columns, rows)
    return files


def text_cell(cell: str | int) -> str | int:
    """A review sheet cell a spreadsheet shows as text: a formula trigger gets a leading
    single quote (OWASP's advice)."""
    if isinstance(cell, str) and formula_trigger(cell) is not None:
        return "'" + cell
    return cell


def review_columns(export: Export, *, staged: bool = False) -> tuple[str, ...]:
    """The header of a review sheet: persona, stage (with stages), variant, each field and
    its count, URL, items."""
    fields = tuple(name for _, text, count in export.columns for name in (text, count))
    url = (export.url_header,) if export.url_header else ()
    stage = ("Stage",) if staged else ()
    return ("Persona", *stage, "Variant", *fields, *url, "Addresses")


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[str | int]]) -> str:
    """A header row and data rows as CSV text (QUOTE_MINIMAL, '\\r\\n' row endings)."""
    return csv_rows(len(columns), [columns]) + csv_rows(len(columns), rows)


def csv_rows(width: int, rows: Iterable[Sequence[str | int]]) -> str:
    """Rows of `width` cells as CSV text, to join after a header (see `csv_text`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"row has {len(row)} cells for {width} columns")
        writer.writerow(row)
    return buffer.getvalue()


def _variants(artifact: CopyArtifact, kind: type[V]) -> list[V]:
    """The artifact's ad variants, checked to be of the channel's model."""
    variants = list(getattr(parse_draft(artifact), "variants", []))
    if not all(isinstance(v, kind) for v in variants):
        raise InputError(artifact_name(artifact), f"expected {kind.__name__} variants")
    return variants


def _url(artifact: CopyArtifact, brief: Brief, variant: int) -> str:
    """The final URL of a variant (1-based): its tracked link, else the landing page."""
    tracked = artifact.tracked_urls or []
    if variant <= len(tracked):
        return tracked[variant - 1]
    return artifact.final_url or brief.offer.url


def _persona(artifact: CopyArtifact) -> str:
    return f"{artifact.persona_name} ({artifact.persona_id})"


def _cells(values: Sequence[str], width: int, what: str, artifact: CopyArtifact) -> list[str]:
    """`values` padded with empty cells to `width`; more than fit is an error, not a cut."""
    if len(values) > width:
        raise InputError(
            artifact_name(artifact),
            f"{len(values)} {what}; a Google Ads Editor RSA row holds at most {width}",
        )
    return [*values, *([""] * (width - len(values)))]


def _import_row(row: Row, artifact: CopyArtifact, variant: int) -> Row:
    """An import row as it is, or InputError naming the cell a spreadsheet would run."""
    for column, cell in zip(GOOGLE_ADS_EDITOR_COLUMNS, row, strict=True):
        if not isinstance(cell, str):
            continue
        trigger = formula_trigger(cell)
        if trigger is not None:
            what = " (the persona title)" if column == "Ad group" else ""
            shown = cell if len(cell) <= 40 else cell[:39] + "…"
            raise InputError(
                artifact_name(artifact),
                f"variant {variant}, {column}{what}: {shown!r} starts with {trigger!r}, "
                f"which a spreadsheet reads as a formula; {GOOGLE_ADS_EDITOR_FILE} is not "
                "written (fix the text and export again)",
            )
    return row


def _ad_group(artifact: CopyArtifact) -> str:
    """One ad group per persona, or per persona and stage."""
    group = f"{artifact.persona_title} ({artifact.persona_id})"
    return f"{group} - {stage_title(artifact.stage)}" if artifact.stage else group


def _rsa_rows(artifact: CopyArtifact, brief: Brief) -> list[Row]:
    rows: list[Row] = []
    over = url_findings(artifact.channel, artifact.tracked_urls)
    if over:
        raise InputError(
            artifact_name(artifact),
            f"{over[0].field}: {over[0].message}; {GOOGLE_ADS_EDITOR_FILE} is not written "
            f"({over[0].fix})",
        )
    for number, variant in enumerate(_variants(artifact, GoogleRSA), start=1):
        row: Row = [
            brief.id,
            _ad_group(artifact),
            RSA_AD_TYPE,
            RSA_STATUS,
            *_cells(variant.headlines, MAX_HEADLINES, "headlines", artifact),
            *_cells(variant.descriptions, MAX_DESCRIPTIONS, "descriptions", artifact),
            variant.path1,
            variant.path2,
            _url(artifact, brief, number),
        ]
        rows.append(_import_row(row, artifact, number))
    return rows


def _stage_cell(artifact: CopyArtifact, staged: bool) -> list[str | int]:
    return [stage_title(artifact.stage) if artifact.stage else ""] if staged else []


def _tracked_text(text: str, artifact: CopyArtifact, variant: int) -> str:
    """Copy whose links to the landing page carry the variant's tracked link instead (X
    has no URL field: the link in the post is the ad's final URL)."""
    tracked = artifact.tracked_urls or []
    if not artifact.final_url or variant > len(tracked):
        return text
    landing, link = artifact.final_url, tracked[variant - 1]

    def swap(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(_TRAILING)  # a sentence's full stop is no part of it
        return link + match.group(0)[len(url) :] if url == landing else match.group(0)

    return URL.sub(swap, text)


def _review_rows(
    artifact: CopyArtifact, brief: Brief, export: Export, staged: bool = False
) -> list[Row]:
    """Rows of a review sheet: each field beside its measured length, then the landing page
    (when the sheet has one) and the persona items the ad addresses."""
    rows: list[Row] = []
    for number, ad in enumerate(_variants(artifact, piece_model(artifact.channel)), start=1):
        row: Row = [_persona(artifact), *_stage_cell(artifact, staged), number]
        for name, _, _ in export.columns:
            text = _tracked_text(getattr(ad, name), artifact, number)
            row += [text, count(artifact.channel, name, text).used]
        if export.url_header:
            row.append(_url(artifact, brief, number))
        row.append(", ".join(getattr(ad, "addresses")))  # noqa: B009 - any ad model
        rows.append(row)
    return rows
