"""The report's view of a run: plain values per persona and channel, for the templates.

A channel's pieces sit where its registry shape says (`Channel.pieces`); every registry
field gets a length counter, list fields one per entry, and every piece the badges of
the lint findings under it. Templates read these values and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from personagen.channels import Channel, UnknownChannel, get_channel
from personagen.checks.findings import Finding
from personagen.checks.fit import Fit
from personagen.errors import InputError
from personagen.export.evidence import EvidenceGroup
from personagen.export.persona_card import SECTION_TITLES
from personagen.export.report_data import Brand, Count, counter, plural
from personagen.models.artifacts import CopyArtifact
from personagen.models.persona import SECTIONS, Persona
from personagen.models.stages import stage_title

# Claim sections in the order a marketer reads them (titles from the Markdown card's).
SECTION_ORDER = (
    "goals",
    "pain_points",
    "objections",
    "channels",
    "responsibilities",
    "motivations",
)
assert set(SECTION_ORDER) == set(SECTIONS)
# What one piece of a channel is called in the channel's heading, per shape ('3 emails').
PIECE_NOUNS = {"sequence": "email", "variants": "variant", "battlecard": "objection"}


class Values(dict[str, Any]):
    """A piece's fields as the templates read them: a missing field reads as ''."""

    def __missing__(self, key: str) -> str:
        return ""


def _plain(value: object) -> Any:
    """Texts, whole numbers, lists and mappings of them; anything else reads as ''."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value if isinstance(v, str | Mapping)]
    if isinstance(value, Mapping):
        return Values({str(k): _plain(v) for k, v in value.items()})
    return ""


@dataclass(frozen=True)
class Badge:
    """One lint rule that fired on a piece, with how often and every finding's text."""

    severity: str
    rule: str
    times: int
    title: str


@dataclass(frozen=True)
class Row:
    """A labelled text with its length counter."""

    label: str
    text: str
    count: Count


@dataclass
class Piece:
    """One e-mail, ad variant, objection, or a battlecard's own fields."""

    n: int
    values: Values
    counts: dict[str, Any] = field(default_factory=dict)  # Count, or a list for list fields
    rows: list[Row] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)


@dataclass
class ChannelView:
    """One persona's copy for one channel."""

    id: str
    shape: str
    title: str
    anchor: str
    meta: str
    final_url: str
    stage: str  # the stage's id, '' for copy written for every stage
    stage_title: str
    links: list[str]  # tracked links (utm), one per variant or e-mail
    host: str
    footer: str
    card: Piece
    pieces: list[Piece]
    findings: list[Finding]
    errors: int
    warnings: int
    fit: Fit | None = None  # message–persona fit, when the persona is known (`export.fit`)
    evidence: list[EvidenceGroup] = field(default_factory=list)  # `export.evidence`
    language: str = "en"  # BCP 47 tag of the copy, for the section's `lang`


def badges(findings: Iterable[Finding]) -> list[Badge]:
    """One badge per rule, counting how often it fired."""
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault((finding.severity, finding.rule), []).append(finding)
    return [
        Badge(
            severity, rule, len(same), "; ".join(f"{f.field}: {f.message} ({f.fix})" for f in same)
        )
        for (severity, rule), same in by_rule.items()
    ]


def _belongs(finding: Finding, prefix: str) -> bool:
    return finding.field == prefix or finding.field.startswith((f"{prefix}.", f"{prefix}["))


def anchor(*parts: str) -> str:
    """An id for in-page links: 'persona-chief-financial-officer-google-rsa'."""
    return "-".join(re.sub(r"[^a-z0-9-]+", "-", p.lower()) for p in parts)


def _measure(channel: Channel, values: Values) -> tuple[dict[str, Any], list[Row]]:
    """Counters and labelled rows of every registry field of the channel in `values`."""
    counts: dict[str, Any] = {}
    rows: list[Row] = []
    for limit in channel.fields:
        value = values[limit.name]
        label = limit.label[:1].upper() + limit.label[1:]
        if limit.items is not None:
            texts = [t for t in value if isinstance(t, str)] if isinstance(value, list) else []
            counts[limit.name] = [counter(channel.id, limit.name, t) for t in texts]
            rows += [
                Row(f"{label} {i}", t, c)
                for i, (t, c) in enumerate(zip(texts, counts[limit.name], strict=True), 1)
            ]
        else:
            text = value if isinstance(value, str) else ""
            counts[limit.name] = counter(channel.id, limit.name, text)
            rows.append(Row(label, text, counts[limit.name]))
    return counts, rows


def channel_view(
    artifact: CopyArtifact, findings: list[Finding], brand: Brand, anchor: str
) -> ChannelView:
    """What the channel's template shows: pieces with counters and badges, the tallies."""
    try:
        channel = get_channel(artifact.channel)
    except UnknownChannel as exc:
        raise InputError(f"copy of {artifact.persona_id}", str(exc)) from None
    draft = _plain(artifact.draft)
    key = channel.pieces[0]
    card = Piece(0, draft)
    pieces = [
        Piece(n, piece, badges=badges(f for f in findings if _belongs(f, f"{key}[{n}]")))
        for n, piece in enumerate((p for p in draft[key] or [] if isinstance(p, Values)), 1)
    ]
    for piece in [card] if channel.shape == "battlecard" else pieces:
        piece.counts, piece.rows = _measure(channel, piece.values)
    noun = PIECE_NOUNS.get(channel.shape, channel.pieces[1])
    errors = sum(1 for f in findings if f.severity == "error")
    return ChannelView(
        id=channel.id,
        shape=channel.shape,
        title=channel.title,
        anchor=anchor,
        meta=plural(len(pieces), noun),
        final_url=artifact.final_url or "",
        stage=artifact.stage or "",
        stage_title=stage_title(artifact.stage) if artifact.stage else "",
        links=list(artifact.tracked_urls or []),
        host=brand.host_for(artifact.final_url),
        footer=artifact.footer or "(no footer)",
        card=card,
        pieces=pieces,
        findings=findings,
        errors=errors,
        warnings=len(findings) - errors,
        language=artifact.language or "en",
    )


@dataclass
class PersonaView:
    """A persona's section: its card (None when only its copy exists) and its channels."""

    id: str
    name: str
    title: str
    anchor: str
    persona: Persona | None
    channels: list[ChannelView]
    initials: str = ""
    chips: list[tuple[str, str]] = field(default_factory=list)
    # (section, title, its claims) of each section that has claims, in SECTION_ORDER.
    sections: list[tuple[str, str, list[Any]]] = field(default_factory=list)


def persona_card(view: PersonaView) -> PersonaView:
    """Fill in what the persona card shows."""
    persona = view.persona
    if persona is None:
        return view
    view.initials = "".join(w[0] for w in persona.name.split()[:2]).upper()
    view.chips = [
        ("Seniority", persona.seniority.replace("_", " ")),
        ("Buying role", persona.buying_role.value.replace("_", " ")),
        ("Department", persona.department),
    ]
    items = persona.items()
    view.sections = [(s, SECTION_TITLES[s], list(items[s])) for s in SECTION_ORDER if items[s]]
    return view
