"""Rules on a stored draft: walk a copy artifact's pieces as the channel registry shapes them.

The channel's `shape` says where the pieces are (`Channel.pieces`), `piece_model` gives the
model of one piece (for missing and mistyped fields), `reading` the fields whose reading
grade is checked, and `kind` "email" adds the footer check. A channel registered at run
time, with a `@draft_model`, is linted with no change here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel

from personagen.channels import Channel, get_channel
from personagen.checks.findings import Finding
from personagen.checks.limits import check_fields
from personagen.lint.rules import (
    duplicate_findings,
    footer_findings,
    formula_finding,
    grade_finding,
    text_findings,
)
from personagen.models.artifacts import CopyArtifact
from personagen.models.copy import piece_model
from personagen.models.copy_base import NOT_COPY
from personagen.models.utm import url_findings

if TYPE_CHECKING:  # a brief is only passed through here; its model loads with it
    from personagen.models.brief import Brief


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


def piece_findings(
    channel: Channel,
    piece: Mapping[str, Any],
    prefix: str,
    brief: Brief | None,
    language: str | None = None,
) -> list[Finding]:
    """Limits, text rules and reading grade of one piece (a variant, a step, a battlecard)."""
    names = set(channel.field_names())
    # Missing and empty fields are reported once, by `shape_findings`.
    values = {k: v for k, v in piece.items() if k in names and v not in (None, "", [])}
    findings = check_fields(channel.id, values, prefix)
    for path, text in walk_texts(dict(piece), prefix.rstrip(".")):
        # Copy reaches CSV exports, where a leading '=' would run as a formula.
        formula = formula_finding(text, path)
        if formula is not None:
            findings.append(formula)
        if text.strip():
            findings += text_findings(text, path, brief, language=language)
    for name in channel.reading:
        graded_text = _grade_text(piece.get(name))
        graded = (
            grade_finding(graded_text, f"{prefix}{name}", brief, language) if graded_text else None
        )
        if graded:
            findings.append(graded)
    return findings


def _battlecard_findings(
    channel: Channel, draft: Mapping[str, Any], brief: Brief | None, language: str | None
) -> list[Finding]:
    """The battlecard is one piece; each answer (a nested mapping) is also graded whole."""
    findings = shape_findings(draft, piece_model(channel.id), "")
    findings += piece_findings(channel, draft, "", brief, language)
    key = channel.pieces[0]
    items = draft.get(key)
    for index, item in enumerate(items if isinstance(items, list) else [], 1):
        if not isinstance(item, Mapping):
            continue
        for name, answer in item.items():
            if name in NOT_COPY or not isinstance(answer, Mapping) or not answer:
                continue
            text = " ".join(t for _, t in walk_texts(answer))
            graded = grade_finding(text, f"{key}[{index}].{name}", brief, language)
            if graded:
                findings.append(graded)
    return findings


def lint_draft(
    channel_id: str,
    draft: Mapping[str, Any],
    brief: Brief | None,
    footer: str | None = None,
    language: str | None = None,
) -> list[Finding]:
    """Every rule on one channel's draft, as stored in a copy artifact's `draft`, read in
    `language` (None: the brief's, else English)."""
    channel = get_channel(channel_id)
    if channel.shape == "battlecard":
        return _battlecard_findings(channel, draft, brief, language)
    key, noun = channel.pieces
    model = piece_model(channel_id)
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
    findings: list[Finding] = []
    texts: list[str] = []
    for index, piece in enumerate(pieces, start=1):
        prefix = f"{key}[{index}]."
        findings += shape_findings(piece, model, prefix)
        if isinstance(piece, Mapping):
            findings += piece_findings(channel, piece, prefix, brief, language)
            texts.append("\n".join(text for _, text in walk_texts(dict(piece))))
        else:
            texts.append("")
    findings += duplicate_findings(texts, key, noun)
    if channel.kind == "email":
        findings += footer_findings(footer, brief)
    return findings


def lint_artifact(
    artifact: CopyArtifact, brief: Brief | None, language: str | None = None
) -> list[Finding]:
    """Every rule on one stored copy artifact (its draft and, for e-mail, its footer), and
    the formula rule on the fields CSV exports carry beside the copy (campaign, persona
    name and title, landing page). The copy is read in `language`, else the language the
    artifact records, else the brief's, else English."""
    language = language or artifact.language
    findings = lint_draft(artifact.channel, artifact.draft, brief, artifact.footer, language)
    for name in ("brief_id", "persona_name", "persona_title", "final_url"):
        value = getattr(artifact, name)
        formula = formula_finding(value, name) if isinstance(value, str) else None
        if formula is not None:
            findings.append(formula)
    return findings + url_findings(artifact.channel, artifact.tracked_urls)
