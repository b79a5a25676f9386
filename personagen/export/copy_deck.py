"""Copy decks: one Markdown file per persona that a reviewer reads before anything ships.

A deck lays out every channel's copy in a fixed order (email, Google RSA, LinkedIn, Meta,
X, objection handling); text from notes and the model is escaped (`export.markdown`), so
HTML and Markdown in it are shown, never rendered. Each text field shows its length as
the platform counts it, against the registry's hard limit and, where there is one, the
recommended length, e.g. "Headline 2 (27/30)" or "Introductory text (142/600, aim ≤150)".
Every piece names the persona items it addresses and carries its warnings; each channel
ends with its message–persona fit, pieces ranked by fit (`export.fit`).

`count` and `parse_draft` are shared with the CSV export and `personagen show`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from personagen.atomic import write_text_atomic
from personagen.channels import URL, FieldLimit, channel_ids, get_channel, measure
from personagen.checks.findings import Finding
from personagen.errors import InputError
from personagen.export.markdown import md_code, md_inline, md_lines, md_url
from personagen.inputs.structured import validate_mapping
from personagen.models.artifacts import CopyArtifact
from personagen.models.copy import (
    DRAFT_MODELS,
    BattlecardDraft,
    EmailSequenceDraft,
    ObjectionHandling,
)
from personagen.models.stages import stage_rank, stage_title
from personagen.models.utm import url_findings
from personagen.text import MAX_NAME

# Display labels where the registry's label reads badly as a heading.
FIELD_LABELS = {"path1": "Path 1", "path2": "Path 2", "text": "Post"}
# A persona id is also a file name: the Persona model's own pattern keeps it one.
_SAFE_ID = re.compile(rf"[a-z0-9][a-z0-9-]{{0,{MAX_NAME - 1}}}")
FitLines = Callable[[CopyArtifact], list[str]]  # a copy set's fit block (`export.fit`)
Made = FitLines | None  # an artifact's deck section made ahead (`export.view_parts`)


@dataclass(frozen=True)
class Count:
    """The length of one text as its channel counts it, with the field's limits.

    `links` is how many URLs were counted at the field's fixed link length (X: 23).
    """

    used: int
    limit: FieldLimit
    links: int = 0

    @property
    def over_hard(self) -> bool:
        """True when the text breaks a hard limit (the platform would refuse it)."""
        hard_max, hard_min = self.limit.hard_max, self.limit.hard_min
        return (hard_max is not None and self.used > hard_max) or (
            hard_min is not None and self.used < hard_min
        )

    @property
    def off_recommended(self) -> bool:
        """True when the text is outside the recommended length (a warning)."""
        high, low = self.limit.recommended_max, self.limit.recommended_min
        return (high is not None and self.used > high) or (low is not None and self.used < low)

    def advice(self) -> str:
        """The recommended length in short, e.g. 'aim ≤150', or ''."""
        low, high = self.limit.recommended_min, self.limit.recommended_max
        if low is not None and high is not None:
            return f"aim {low}–{high}"
        if high is not None:
            return f"aim ≤{high}"
        if low is not None:
            return f"aim ≥{low}"
        return ""

    def __str__(self) -> str:
        """E.g. '27/30', '142/600, aim ≤150' or '87 words, aim 50–125'."""
        words = self.limit.unit == "words"
        hard = self.limit.hard_max
        text = f"{self.used}/{hard}" if hard is not None else str(self.used)
        if words:
            text += " words"
        elif hard is None:
            text += " chars"
        if self.links:
            text += f", links as {self.limit.counts_links_as}"
        advice = self.advice()
        return f"{text}, {advice}" if advice else text


def count(channel_id: str, field: str, text: str) -> Count:
    """Measure `text` for field `field` of a channel, as the registry says to count it."""
    limit = get_channel(channel_id).field(field)
    links = len(URL.findall(text)) if limit.counts_links_as is not None else 0
    return Count(measure(text, limit), limit, links)


def field_label(channel_id: str, field: str) -> str:
    """A field's name for people: 'Headline', 'Introductory text', 'Path 1'."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    try:
        label = get_channel(channel_id).field(field).label
    except KeyError:
        label = field.replace("_", " ")
    return label[:1].upper() + label[1:]


def parse_draft(artifact: CopyArtifact, source: str = "") -> BaseModel:
    """The artifact's draft as its channel's model; InputError (one line) if it is not valid."""
    where = source or artifact_name(artifact)
    model = DRAFT_MODELS.get(artifact.channel)
    if model is None:
        known = ", ".join(DRAFT_MODELS)
        raise InputError(
            where, f"unknown copy channel '{artifact.channel}'; expected one of: {known}"
        )
    return validate_mapping(artifact.draft, model, f"{where}: draft")


def artifact_name(artifact: CopyArtifact) -> str:
    """'copy/<persona>/<channel>', or 'copy/<persona>/<stage>/<channel>' for a stage's copy."""
    stage = f"{artifact.stage}/" if artifact.stage else ""
    return f"copy/{artifact.persona_id}/{stage}{artifact.channel}"


def copy_order(artifact: CopyArtifact) -> tuple[int, int]:
    """Sort key of a persona's copy: journey stage (none first), then registry channel order."""
    return stage_rank(artifact.stage), channel_rank(artifact.channel)


def copy_title(artifact: CopyArtifact) -> str:
    """A copy set's heading: 'LinkedIn ads', or 'Awareness: LinkedIn ads' for a stage's."""
    title = channel_title(artifact.channel)
    return f"{stage_title(artifact.stage)}: {title}" if artifact.stage else title


def channel_title(channel_id: str) -> str:
    """A channel's heading in decks, `show` and the report (from the registry)."""
    try:
        return get_channel(channel_id).title
    except KeyError:
        return channel_id


def channel_rank(channel_id: str) -> int:
    """Sort key: the registry's channel order, unknown channels last."""
    order = channel_ids()
    return order.index(channel_id) if channel_id in order else len(order)


def piece_warnings(warnings: Sequence[Finding], prefix: str) -> list[Finding]:
    """The findings whose field path lies under `prefix` (e.g. 'variants[2]')."""
    return [w for w in warnings if w.field == prefix or w.field.startswith(prefix + ".")]


def by_persona(artifacts: Iterable[CopyArtifact]) -> dict[str, list[CopyArtifact]]:
    """Artifacts grouped by persona (first-seen order), each group in stage then channel order."""
    groups: dict[str, list[CopyArtifact]] = {}
    for artifact in artifacts:
        groups.setdefault(artifact.persona_id, []).append(artifact)
    return {pid: sorted(group, key=copy_order) for pid, group in groups.items()}


def write_decks(
    folder: Path, artifacts: list[CopyArtifact], fit: FitLines | None = None, made: Made = None
) -> list[Path]:
    """Write `folder/<persona_id>.md` per persona (`made`: sections made ahead); the paths."""
    written: list[Path] = []
    for persona_id, group in by_persona(artifacts).items():
        if not _SAFE_ID.fullmatch(persona_id):
            raise InputError(
                f"copy/{persona_id[:80]!r}",
                "persona_id must be 1 to 100 lowercase letters, digits and hyphens "
                "(it names the deck file)",
            )
        path = folder / f"{persona_id}.md"
        write_text_atomic(path, deck_markdown(group, fit, made))
        written.append(path)
    return written


def deck_markdown(
    artifacts: Sequence[CopyArtifact], fit: FitLines | None = None, made: Made = None
) -> str:
    """Render one persona's copy deck (all artifacts must belong to the same persona)."""
    if not artifacts:
        raise ValueError("a copy deck needs at least one artifact")
    first = artifacts[0]
    ordered = sorted(artifacts, key=copy_order)
    channels = ", ".join(dict.fromkeys(_channel_name(a.channel) for a in ordered))
    stages = ", ".join(dict.fromkeys(stage_title(a.stage) for a in ordered if a.stage))
    lines = [
        f"# Copy deck: {md_inline(first.persona_name)}, {md_inline(first.persona_title)}",
        "",
        f"**Persona:** {md_code(first.persona_id)} · **Brief:** {md_code(first.brief_id)} · "
        + (f"**Stages:** {md_inline(stages)} · " if stages else "")
        + f"**Channels:** {md_inline(channels)}",
        "",
        "Counts are as each platform counts them: used/hard limit, then the recommended "
        "length where the platform gives one. ⚠ marks copy outside the recommended length.",
    ]
    for artifact in ordered:
        lines += ["", f"## {md_inline(copy_title(artifact))}", ""]
        lines += made(artifact) if made is not None else channel_lines(artifact, fit)
    return "\n".join(lines).rstrip("\n") + "\n"


def _channel_name(channel_id: str) -> str:
    try:
        return get_channel(channel_id).name
    except KeyError:
        return channel_id


def channel_lines(artifact: CopyArtifact, fit: FitLines | None = None) -> list[str]:
    """One artifact's section of its persona's deck, below its heading."""
    draft = parse_draft(artifact)
    lines: list[str] = []
    if artifact.final_url:
        lines += [f"**Final URL:** {md_url(artifact.final_url)}", ""]
    lines += _tracked_lines(artifact)
    claimed: list[str] = []
    shape = get_channel(artifact.channel).shape
    if shape == "sequence" and isinstance(draft, EmailSequenceDraft):
        lines += _email_lines(artifact, draft, claimed)
    elif shape == "battlecard" and isinstance(draft, BattlecardDraft):
        lines += _battlecard_lines(artifact, draft, claimed)
    else:
        lines += _variant_lines(artifact, draft, claimed)
    while lines and not lines[-1]:
        lines.pop()
    lines += ["", *fit(artifact)] if fit is not None else []
    rest = [w for w in artifact.warnings if not any(piece_warnings([w], p) for p in claimed)]
    if rest:
        lines += ["", "**Warnings:**", ""] + [_warning_line(w) for w in rest]
    versions = ", ".join(f"{k} {v}" for k, v in artifact.provenance.prompt_versions.items())
    lines += [
        "",
        f"_Written by {md_inline(artifact.provenance.label())}"
        + (f"; prompts: {md_inline(versions)}" if versions else "")
        + f"; {artifact.provenance.created:%Y-%m-%d %H:%M} UTC._",
    ]
    return lines


def _tracked_lines(artifact: CopyArtifact) -> list[str]:
    """The tagged landing page of each ad variant or e-mail, and any over the limit."""
    if not artifact.tracked_urls:
        return []
    piece = "Email" if get_channel(artifact.channel).shape == "sequence" else "Variant"
    lines = ["**Tracked links (utm):**", ""]
    lines += [
        f"- {piece} {n}: {md_url(url)}" for n, url in enumerate(artifact.tracked_urls, start=1)
    ]
    lines += [_warning_line(f) for f in url_findings(artifact.channel, artifact.tracked_urls)]
    return [*lines, ""]


def _email_lines(
    artifact: CopyArtifact, draft: EmailSequenceDraft, claimed: list[str]
) -> list[str]:
    lines: list[str] = []
    for number, step in enumerate(draft.steps, start=1):
        prefix = f"steps[{number}]"
        claimed.append(prefix)
        lines += [f"### Email {number} · day {step.day_offset}", ""]
        lines += _inline("email", "subject", step.subject)
        lines += _inline("email", "preheader", step.preheader)
        lines += [f"**{_counted('email', 'body', step.body)}:**", ""]
        lines += _quote(step.body) + [""]
        lines += [f"**Call to action:** {md_inline(step.call_to_action)}", ""]
        lines += [_addresses(step.addresses), ""]
        lines += _piece_warning_lines(artifact.warnings, prefix)
    lines += ["### Footer (appended to every email)", ""]
    lines += _quote(artifact.footer) if artifact.footer else ["_No footer recorded._"]
    return lines


def _variant_lines(artifact: CopyArtifact, draft: BaseModel, claimed: list[str]) -> list[str]:
    channel = artifact.channel
    limited = set(get_channel(channel).field_names())
    lines: list[str] = []
    for number, variant in enumerate(getattr(draft, "variants", []), start=1):
        prefix = f"variants[{number}]"
        claimed.append(prefix)
        lines += [f"### Variant {number}", ""]
        for name in type(variant).model_fields:
            if name == "addresses":
                continue
            value = getattr(variant, name)
            if isinstance(value, list):
                for index, text in enumerate(value, start=1):
                    lines += _inline(channel, name, str(text), index, limited)
            else:
                lines += _inline(channel, name, str(value), None, limited)
        lines += [_addresses(variant.addresses), ""]
        lines += _piece_warning_lines(artifact.warnings, prefix)
    return lines


def _battlecard_lines(
    artifact: CopyArtifact, draft: BattlecardDraft, claimed: list[str]
) -> list[str]:
    lines = [f"**{_counted('objections', 'talk_track', draft.talk_track)}:**", ""]
    lines += _quote(draft.talk_track) + [""]
    for number, handling in enumerate(draft.objections, start=1):
        prefix = f"objections[{number}]"
        claimed.append(prefix)
        lines += _objection_lines(number, handling)
        lines += _piece_warning_lines(artifact.warnings, prefix)
    return lines


def _objection_lines(number: int, handling: ObjectionHandling) -> list[str]:
    response = handling.response
    proof_ids = ", ".join(md_code(i) for i in handling.proof_point_ids) or "none"
    return [
        f"### Objection {number}: “{md_inline(handling.objection)}”",
        "",
        f"**Buying stage:** {md_inline(handling.buying_stage)} · "
        f"**Why they raise it:** {md_inline(handling.why_they_raise_it)}",
        "",
        f"- **Acknowledge:** {md_inline(response.acknowledge)}",
        f"- **Reframe:** {md_inline(response.reframe)}",
        f"- **Proof:** {md_inline(response.proof)} (proof points: {proof_ids})",
        f"- **Question:** {md_inline(response.question)}",
        "",
        _addresses([handling.objection_id]),
        "",
    ]


def _counted(channel_id: str, field: str, text: str, index: int | None = None) -> str:
    """'Headline 2 (27/30)', with ⚠ when outside the recommended length."""
    measured = count(channel_id, field, text)
    label = md_inline(field_label(channel_id, field))
    if index is not None:
        label = f"{label} {index}"
    flag = " ⚠" if measured.off_recommended or measured.over_hard else ""
    return f"{label} ({measured}){flag}"


def _inline(
    channel_id: str,
    field: str,
    text: str,
    index: int | None = None,
    limited: set[str] | None = None,
) -> list[str]:
    """A field as '**Label (n/max):** text', multi-line text as a quote below the label."""
    counted = limited is None or field in limited
    if counted:
        label = _counted(channel_id, field, text, index)
    else:
        label = md_inline(field_label(channel_id, field))
        label += f" {index}" if index is not None else ""
    if not text:
        return [f"**{label}:** _(empty)_", ""]
    if "\n" in text:
        return [f"**{label}:**", "", *_quote(text), ""]
    return [f"**{label}:** {md_inline(text)}", ""]


def _quote(text: str) -> list[str]:
    """Text as a Markdown block quote that keeps its line breaks (each line escaped)."""
    lines = md_lines(text)
    quoted: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # A trailing backslash is a CommonMark hard break: the next line stays a new line.
        hard_break = "\\" if line.strip() and following.strip() else ""
        quoted.append(f"> {line}{hard_break}" if line.strip() else ">")
    return quoted


def _addresses(ids: Sequence[str]) -> str:
    return f"**Addresses:** {md_inline(', '.join(ids)) if ids else 'none'}"


def _warning_line(finding: Finding) -> str:
    where = md_code(finding.field)
    return (
        f"- ⚠ {finding.severity} {where}: {md_inline(finding.message)} ({md_inline(finding.fix)})"
    )


def _piece_warning_lines(warnings: Sequence[Finding], prefix: str) -> list[str]:
    found = piece_warnings(warnings, prefix)
    if not found:
        return []
    return ["**Warnings:**", "", *(_warning_line(w) for w in found), ""]
