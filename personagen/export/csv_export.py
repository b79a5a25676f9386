"""Platform CSVs: a Google Ads Editor import file and review sheets for the social channels.

`google_ads_editor.csv` is meant to be imported as it is (Google Ads Editor: Account >
Import > From file). Format choices, per Google Ads Editor's 'CSV file columns' help page
(support.google.com/google-ads/editor/answer/57747):

- English column headers, which Editor recognises automatically: Campaign, Ad group,
  Ad type, Status, Headline 1..15, Description 1..4, Path 1, Path 2, Final URL.
- One row per responsive search ad variant. Campaign is the brief id, Ad group is
  "<persona title> (<persona id>)", Ad type is "Responsive search ad", and Status is
  "Paused" so nothing serves before someone has reviewed it in Editor.
- Headline and description cells a variant does not use are left empty (Editor reads a
  blank cell as "no value"; `[]` would mean "erase").
- Encoding: UTF-8 without a byte order mark. Editor accepts UTF-8 and UTF-16; UTF-8 keeps
  the file diffable and readable by every tool. Written with the `csv` module
  (QUOTE_MINIMAL, so only cells with commas, quotes or line breaks are quoted) and its
  default `\\r\\n` row endings.

`linkedin.csv`, `meta.csv` and `x.csv` are review sheets, not imports: one row per ad
variant with each field's length as the platform counts it (X counts every link as 23
characters) and the persona items the variant addresses. They use the same encoding.

Cell text is written exactly as drafted (no spreadsheet-formula escaping), because the
import file must carry the ad text unchanged and the counts must match it.
Every file is written atomically and only when its channel has copy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from personagen.atomic import write_text_atomic
from personagen.errors import InputError
from personagen.export.copy_deck import count, parse_draft
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import GoogleRSA, LinkedInAd, MetaAd, XPost

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

LINKEDIN_COLUMNS: tuple[str, ...] = (
    "Persona",
    "Variant",
    "Introductory text",
    "Intro chars",
    "Headline",
    "Headline chars",
    "Description",
    "Description chars",
    "Destination URL",
    "Addresses",
)
META_COLUMNS: tuple[str, ...] = (
    "Persona",
    "Variant",
    "Primary text",
    "Primary chars",
    "Headline",
    "Headline chars",
    "Description",
    "Description chars",
    "Website URL",
    "Addresses",
)
X_COLUMNS: tuple[str, ...] = ("Persona", "Variant", "Post text", "Weighted chars", "Addresses")

GOOGLE_ADS_EDITOR_FILE = "google_ads_editor.csv"
LINKEDIN_FILE = "linkedin.csv"
META_FILE = "meta.csv"
X_FILE = "x.csv"

Row = list[str | int]
V = TypeVar("V", bound=BaseModel)


def write_csvs(folder: Path, artifacts: list[CopyArtifact], brief: Brief) -> list[Path]:
    """Write the CSV of every ad channel present in `artifacts`; return the paths written."""
    builders = (
        (GOOGLE_ADS_EDITOR_FILE, GOOGLE_ADS_EDITOR_COLUMNS, "google_rsa", _rsa_rows),
        (
            LINKEDIN_FILE,
            LINKEDIN_COLUMNS,
            "linkedin",
            _review_rows(
                "linkedin", LinkedInAd, ("intro_text", "headline", "description"), with_url=True
            ),
        ),
        (
            META_FILE,
            META_COLUMNS,
            "meta",
            _review_rows(
                "meta", MetaAd, ("primary_text", "headline", "description"), with_url=True
            ),
        ),
        (X_FILE, X_COLUMNS, "x", _review_rows("x", XPost, ("text",), with_url=False)),
    )
    written: list[Path] = []
    for name, columns, channel, build in builders:
        chosen = [a for a in artifacts if a.channel == channel]
        if not chosen:
            continue
        rows: list[Row] = []
        for artifact in chosen:
            rows += build(artifact, brief)
        path = folder / name
        write_text_atomic(path, csv_text(columns, rows))
        written.append(path)
    return written


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[str | int]]) -> str:
    """A header row and data rows as CSV text (QUOTE_MINIMAL, '\\r\\n' row endings)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} cells for {len(columns)} columns")
        writer.writerow(row)
    return buffer.getvalue()


def _variants(artifact: CopyArtifact, kind: type[V]) -> list[V]:
    """The artifact's ad variants, checked to be of the channel's model."""
    variants = list(getattr(parse_draft(artifact), "variants", []))
    if not all(isinstance(v, kind) for v in variants):
        raise InputError(
            f"copy/{artifact.persona_id}/{artifact.channel}", f"expected {kind.__name__} variants"
        )
    return variants


def _url(artifact: CopyArtifact, brief: Brief) -> str:
    return artifact.final_url or brief.offer.url


def _persona(artifact: CopyArtifact) -> str:
    return f"{artifact.persona_name} ({artifact.persona_id})"


def _cells(values: Sequence[str], width: int, what: str, artifact: CopyArtifact) -> list[str]:
    """`values` padded with empty cells to `width`; more than fit is an error, not a cut."""
    if len(values) > width:
        raise InputError(
            f"copy/{artifact.persona_id}/{artifact.channel}",
            f"{len(values)} {what}; a Google Ads Editor RSA row holds at most {width}",
        )
    return [*values, *([""] * (width - len(values)))]


def _rsa_rows(artifact: CopyArtifact, brief: Brief) -> list[Row]:
    rows: list[Row] = []
    for variant in _variants(artifact, GoogleRSA):
        rows.append(
            [
                brief.id,
                f"{artifact.persona_title} ({artifact.persona_id})",
                RSA_AD_TYPE,
                RSA_STATUS,
                *_cells(variant.headlines, MAX_HEADLINES, "headlines", artifact),
                *_cells(variant.descriptions, MAX_DESCRIPTIONS, "descriptions", artifact),
                variant.path1,
                variant.path2,
                _url(artifact, brief),
            ]
        )
    return rows


def _review_rows(
    channel: str, kind: type[BaseModel], fields: tuple[str, ...], *, with_url: bool
) -> Callable[[CopyArtifact, Brief], list[Row]]:
    """Rows of a copy review sheet: each field beside its measured length, then the
    landing page (when the sheet has one) and the persona items the ad addresses."""

    def build(artifact: CopyArtifact, brief: Brief) -> list[Row]:
        rows: list[Row] = []
        for number, ad in enumerate(_variants(artifact, kind), start=1):
            row: Row = [_persona(artifact), number]
            for name in fields:
                text = getattr(ad, name)
                row += [text, count(channel, name, text).used]
            if with_url:
                row.append(_url(artifact, brief))
            row.append(", ".join(getattr(ad, "addresses")))  # noqa: B009 - any ad model
            rows.append(row)
        return rows

    return build
