"""What the report shows, read from an output folder: personas, copy, run info, brand.

Everything here is plain data for the templates (`report.py` renders it): the run's cost
and failed jobs from run.json, who the ads appear to come from, and length counters
against the channel registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _failed_jobs(value: object) -> list[dict[str, Any]]:
    """run.json's `failed_jobs`, keeping only well-formed entries and fields."""
    if not isinstance(value, list):
        return []
    jobs: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("job_id"), str):
            continue
        jobs.append(
            {
                "job_id": item["job_id"],
                "reason": _str(item.get("reason")),
                "problems": _strs(item.get("problems")),
                "input_tokens": _count(item.get("input_tokens")) or 0,
                "output_tokens": _count(item.get("output_tokens")) or 0,
                "cost_usd": _number(item.get("cost_usd")),
            }
        )
    return jobs


def _skipped_reasons(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): _str(v) for k, v in value.items()}


def read_run_info(
    out: Path, personas: Sequence[Persona], artifacts: Sequence[CopyArtifact]
) -> RunInfo:
    """Cost and model from OUT/run.json when it is readable, else the outputs' provenance."""
    info = RunInfo()
    try:
        data: object = json.loads(OutputFolder(out).run_json.read_text("utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, Mapping):
        usage = data.get("usage") if isinstance(data.get("usage"), Mapping) else {}
        assert isinstance(usage, Mapping)

        def pick(key: str) -> object:
            return data.get(key, usage.get(key))

        model = pick("model")
        if isinstance(model, str) and model.strip():
            info.models = [model.strip()]
        info.cost_usd = _number(pick("cost_usd"))
        info.input_tokens = _count(pick("input_tokens"))
        info.output_tokens = _count(pick("output_tokens"))
        if isinstance(data.get("run_id"), str):
            info.run_id = str(data["run_id"])
        calls, replayed = _count(pick("model_calls")), _count(pick("replayed"))
        info.replayed_only = calls == 0 and bool(replayed)
        for key in ("finished", "created", "started"):
            if isinstance(data.get(key), str):
                info.created = str(data[key])
                break
        info.failed_jobs = _failed_jobs(data.get("failed_jobs"))
        if not info.failed_jobs and isinstance(data.get("failures"), Mapping):
            # An older run.json: only each failed job's reason.
            info.failed_jobs = _failed_jobs(
                [{"job_id": k, "reason": v} for k, v in data["failures"].items()]
            )
        info.skipped_reasons = _skipped_reasons(data.get("skipped_reasons"))
        if not info.skipped_reasons and isinstance(data.get("skipped_jobs"), list):
            info.skipped_reasons = {j: "" for j in _strs(data["skipped_jobs"])}
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


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


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
