"""What the report shows, read from an output folder: personas, copy, run info, brand.

Everything here is plain data for the templates (`report.py` renders it): the run's cost
and failed jobs from run.json, who the ads appear to come from, and length counters
against the channel registry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from personagen.channels import FieldLimit, get_channel, measure
from personagen.errors import InputError
from personagen.export.outputs import OutputFolder
from personagen.lint import load_artifact
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS
from personagen.models.persona import Persona


@dataclass
class RunInfo:
    """What the run cost and which model wrote it, as far as the output folder tells."""

    models: list[str] = field(default_factory=list)
    cost_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    created: str | None = None
    run_id: str | None = None
    replayed_only: bool = False  # answered from cassettes: nothing was billed
    answers: list[str] = field(default_factory=list)  # e.g. "hand-written cassette"
    # From run.json: each failed job (job_id, reason, problems, tokens, cost_usd) and
    # why each skipped job was left undone.
    failed_jobs: list[dict[str, Any]] = field(default_factory=list)
    skipped_reasons: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportSummary:
    """What a written report holds, for the command's summary line."""

    personas: int
    artifacts: int
    errors: int
    warnings: int


# ---------------------------------------------------------------- loading


NO_PERSONAS = "no personas found; run 'personagen personas -o OUT' first"


def load_output(
    out: Path, *, allow_empty: bool = False
) -> tuple[list[Persona], list[CopyArtifact]]:
    """Read the personas and copy artifacts of an output folder; InputError when none.

    With `allow_empty`, a folder without personas is no error (a run whose jobs failed).
    """
    if not out.is_dir():
        raise InputError(str(out), "no such output folder")
    folder = OutputFolder(out)
    personas = folder.read_personas()
    if not personas and not allow_empty:
        raise InputError(str(out), NO_PERSONAS)
    artifacts = [load_artifact(path) for path in folder.artifact_files(set(DRAFT_MODELS))]
    return personas, artifacts


def read_run_info(
    out: Path, personas: Sequence[Persona], artifacts: Sequence[CopyArtifact]
) -> RunInfo:
    """Cost and model from OUT/run.json when it is readable, else the outputs' provenance."""
    info = RunInfo()
    summary = OutputFolder(out).read_summary()
    if summary is not None:
        if summary.model and summary.model.strip():
            info.models = [summary.model.strip()]
        info.cost_usd = summary.cost_usd
        info.input_tokens = summary.input_tokens
        info.output_tokens = summary.output_tokens
        info.run_id = summary.run_id
        info.replayed_only = summary.model_calls == 0 and bool(summary.replayed)
        info.created = summary.finished
        info.failed_jobs = [job.model_dump() for job in summary.failed_jobs]
        info.skipped_reasons = dict(summary.skipped_reasons)
    if not info.models:
        models = [a.provenance.model for a in artifacts]
        models += [p.provenance.model for p in personas if p.provenance]
        info.models = list(dict.fromkeys(m for m in models if m))
    sources = [s for a in artifacts for s in a.provenance.answers]
    sources += [s for p in personas if p.provenance for s in p.provenance.answers]
    info.answers = sorted(set(sources))
    if info.created is None:
        dates = [a.provenance.created for a in artifacts]
        dates += [p.provenance.created for p in personas if p.provenance]
        if dates:
            info.created = max(dates).strftime("%Y-%m-%d %H:%M UTC")
    return info


@dataclass(frozen=True)
class Count:
    """A length counter like '27/30': its state (ok, warn, over), why, and what it shows."""

    state: str
    title: str
    shown: str


def counter(channel: str, field_name: str, text: str) -> Count:
    """A length counter against the field's limit, coloured by state."""
    limit = get_channel(channel).field(field_name)
    n = measure(text, limit)
    # Against the length to aim for when there is one ('114/150'), else the hard limit.
    top = limit.recommended_max or limit.hard_max
    state, why = _state(n, limit)
    unit = "" if limit.unit == "characters" else " words"
    return Count(state, why, f"{n}/{top}{unit}" if top else f"{n}{unit}")


def _state(n: int, limit: FieldLimit) -> tuple[str, str]:
    unit = limit.unit
    if limit.hard_max is not None and n > limit.hard_max:
        return "over", f"over the hard limit of {limit.hard_max} {unit}"
    if limit.hard_min is not None and n < limit.hard_min:
        return "over", f"under the hard minimum of {limit.hard_min} {unit}"
    if limit.recommended_max is not None and n > limit.recommended_max:
        return "warn", f"over the recommended {limit.recommended_max} {unit}"
    if limit.recommended_min is not None and n < limit.recommended_min:
        return "warn", f"under the recommended {limit.recommended_min} {unit}"
    parts = []
    if limit.recommended_max is not None:
        parts.append(f"recommended up to {limit.recommended_max}")
    if limit.hard_max is not None:
        parts.append(f"hard limit {limit.hard_max}")
    return "ok", f"{n} {unit}" + (f" ({', '.join(parts)})" if parts else "")


def plural(n: int, word: str) -> str:
    """'1 note', '3 notes'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Brand:
    """Who the ads and e-mails appear to come from."""

    name: str
    host: str
    sender: str

    @property
    def initial(self) -> str:
        """The logo letter."""
        return (self.name[:1] or "?").upper()

    @property
    def handle(self) -> str:
        """The X handle, '@renewly'."""
        return "@" + (re.sub(r"[^A-Za-z0-9_]", "", self.name) or "brand").lower()

    def host_for(self, url: str | None) -> str:
        """The host an ad's landing page shows ('renewly.example'), else the brand's."""
        return (urlparse(url or "").hostname or self.host).removeprefix("www.")


def brand_of(brief: Brief | None, artifacts: Sequence[CopyArtifact]) -> Brand:
    """The product and sender the previews show, from the brief or the copy itself."""
    url = brief.offer.url if brief else next((a.final_url for a in artifacts if a.final_url), "")
    host = (urlparse(url or "").hostname or "").removeprefix("www.")
    if brief is not None:
        name = brief.product.name
    else:
        name = host.split(".")[0].capitalize() if host else "Your company"
    sender = name
    if brief is not None and brief.email_compliance is not None:
        sender = brief.email_compliance.sender_name
    else:
        for artifact in artifacts:
            lines = [line.strip() for line in (artifact.footer or "").splitlines() if line.strip()]
            if len(lines) > 1 and lines[0] == "--":
                sender = lines[1]
                break
    return Brand(name=name, host=host or "example.com", sender=sender)
