"""Every reader-facing line of a copy artifact, found from its channel's draft model.

A line is one text of a copy field: a subject, a headline, a description, a paragraph of
an e-mail body (paragraphs are split at blank lines), a post, each part of an objection
answer. Fields come from the draft model of the channel (`@draft_model`), walked into
nested pieces, so a channel added to the registry has its lines found without a list
here. Ids and labels (`CopyPiece.not_copy`: addresses, objection ids, proof point ids,
the buyer's restated objection, the buying stage) are not lines; nor is the e-mail
footer, which the tool appends from the brief.

The stored draft is read as it is, guided by the model's fields but not validated again:
copy over a limit (which the report shows with a red counter) still has its lines.
Each line carries the persona items its piece addresses (`addresses`, or the objection
an answer handles).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from personagen.channels import get_channel
from personagen.models.artifacts import CopyArtifact
from personagen.models.copy_base import DRAFT_MODELS, NOT_COPY, CopyPiece, texts_of

# What one piece is called, per registry shape ('email 2', 'variant 3', 'objection 1').
PIECE_NOUNS = {"sequence": "email", "variants": "variant", "battlecard": "objection"}
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Line:
    """One reader-facing text: where it sits, what it says, what its piece addresses."""

    piece: str  # 'variant 2', 'email 1', 'objection 3', or '' for a draft's own field
    field: str  # 'headlines[2]', 'body ¶2', 'response.proof', 'talk_track'
    text: str
    addresses: tuple[str, ...]


def paragraphs(text: str) -> list[str]:
    """`text` split at blank lines, each paragraph trimmed, empty ones dropped."""
    return [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]


def _addresses(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The persona items a piece names: its `addresses`, or the objection it answers."""
    addresses, objection = data.get("addresses"), data.get("objection_id")
    if isinstance(addresses, list):
        return tuple(str(a) for a in addresses)
    if isinstance(objection, str) and objection:
        return (objection,)
    return None


def _nested(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The model of a field that holds a model or a list of models, else None."""
    annotation = model.model_fields[name].annotation
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


@dataclass(frozen=True)
class _Where:
    piece: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class _Walk:
    pieces: str  # the draft field that holds the pieces ('variants')
    noun: str

    def lines(
        self, model: type[BaseModel], data: Mapping[str, Any], prefix: str, where: _Where
    ) -> list[Line]:
        own = _addresses(data)
        if own is not None:
            where = _Where(where.piece, own)
        skip = model.not_copy if issubclass(model, CopyPiece) else NOT_COPY
        found: list[Line] = []
        for name in model.model_fields:
            value, path, inner = data.get(name), f"{prefix}{name}", _nested(model, name)
            texts = texts_of(value)
            if name in skip:
                continue
            if texts is not None:
                found += _text_lines(path, value, texts, where)
            elif inner is not None and isinstance(value, Mapping):
                found += self.lines(inner, value, f"{path}.", where)
            elif inner is not None and isinstance(value, list):
                items = [item for item in value if isinstance(item, Mapping)]
                for index, item in enumerate(items, start=1):
                    if not prefix and name == self.pieces:
                        here = _Where(f"{self.noun} {index}", ())
                        found += self.lines(inner, item, "", here)
                    else:
                        found += self.lines(inner, item, f"{path}[{index}].", where)
        return found


def _text_lines(path: str, value: object, texts: list[str], where: _Where) -> list[Line]:
    lines: list[Line] = []
    for index, text in enumerate(texts, start=1):
        field = path if isinstance(value, str) else f"{path}[{index}]"
        parts = paragraphs(text)
        for number, part in enumerate(parts, start=1):
            label = f"{field} ¶{number}" if len(parts) > 1 else field
            lines.append(Line(where.piece, label, part, where.addresses))
    return lines


def copy_lines(artifact: CopyArtifact) -> list[Line]:
    """Every reader-facing line of the artifact's copy, in the order of its draft."""
    model = DRAFT_MODELS.get(artifact.channel)
    if model is None:
        return []
    channel = get_channel(artifact.channel)
    walk = _Walk(channel.pieces[0], PIECE_NOUNS.get(channel.shape, channel.pieces[1]))
    return walk.lines(model, artifact.draft, "", _Where("", ()))


def piece_texts(artifact: CopyArtifact) -> list[tuple[tuple[str, ...], str]]:
    """(addresses, all its text) of each piece of the artifact, in order: what the
    message–persona fit measures (a battlecard's pieces are its objection answers)."""
    model = DRAFT_MODELS.get(artifact.channel)
    if model is None:
        return []
    channel = get_channel(artifact.channel)
    walk = _Walk(channel.pieces[0], PIECE_NOUNS.get(channel.shape, channel.pieces[1]))
    inner = _nested(model, walk.pieces) if walk.pieces in model.model_fields else None
    stored = artifact.draft.get(walk.pieces)
    found: list[tuple[tuple[str, ...], str]] = []
    items = [i for i in stored if isinstance(i, Mapping)] if isinstance(stored, list) else []
    for index, item in enumerate(items, start=1):
        if inner is not None:
            lines = walk.lines(inner, item, "", _Where(f"{walk.noun} {index}", ()))
            found.append((_addresses(item) or (), "\n".join(line.text for line in lines)))
    return found
