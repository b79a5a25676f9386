"""`personagen runs diff A B`: what changed between two runs, from what the store kept.

Each job of a run records the key of its result, and results are kept by key, so a run's
personas and copy are read back as they were (a reused job points at the result it reused).
Copy is compared as lines of text ('variants[2].headline: ...'), ids left out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from personagen.errors import InputError
from personagen.models.copy_base import NOT_COPY
from personagen.models.persona import SECTIONS
from personagen.models.run_summary import RunSummary
from personagen.store import Store

COST_FIELDS = ("jobs", "model_calls", "input_tokens", "output_tokens", "cost_usd")


@dataclass
class RunSide:
    """One run as the store kept it: its row, totals, personas and copy by job."""

    row: dict[str, Any]
    totals: RunSummary
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)
    copy: dict[str, dict[str, Any]] = field(default_factory=dict)

    def header(self) -> dict[str, Any]:
        """Id, name, model, status, start, and the run's calls, tokens and cost."""
        head = {k: self.row[k] for k in ("id", "name", "model", "status", "started")}
        return head | {k: getattr(self.totals, k) for k in COST_FIELDS}


def load_run(store: Store, ref: str) -> RunSide:
    """A run by id or unique prefix, with its stored results; InputError otherwise."""
    row = store.run(ref)
    if row is None:
        raise InputError("runs diff", f"no single run matches '{ref}'; see 'personagen runs'")
    try:
        totals = RunSummary.model_validate(row["summary"] or store.job_totals(row["id"]))
    except ValidationError:  # a damaged summary: what the jobs say
        totals = RunSummary.model_validate(store.job_totals(row["id"]))
    side = RunSide(row, totals)
    for job_id, kind, result in store.run_results(row["id"]):
        if kind == "personas":
            side.personas |= {p["id"]: p for p in result.get("personas", []) if "id" in p}
        elif isinstance(result.get("draft"), dict):
            side.copy[job_id] = result
    return side


def copy_lines(value: Any, path: str = "") -> list[str]:
    """The text of a draft as 'path: text' lines (ids and labels left out)."""
    if isinstance(value, dict):
        return [
            line
            for key, inner in value.items()
            if key not in NOT_COPY
            for line in copy_lines(inner, f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list):
        return [
            line for i, inner in enumerate(value, 1) for line in copy_lines(inner, f"{path}[{i}]")
        ]
    if isinstance(value, str) and value.strip():
        return [f"{path}: {' '.join(value.split())}"]
    return []


def _claims(persona: dict[str, Any]) -> dict[str, tuple[str, str, list[str]]]:
    """Claim id -> (section, text, supporting notes)."""
    return {
        item["id"]: (
            section,
            item.get("text", ""),
            sorted({e.get("note_id", "") for e in item.get("evidence", [])}),
        )
        for section in SECTIONS
        for item in persona.get(section, [])
        if isinstance(item, dict) and "id" in item
    }


def _persona_changes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    before, after = _claims(a), _claims(b)
    added = [{"id": i, "section": c[0], "text": c[1]} for i, c in after.items() if i not in before]
    removed = [
        {"id": i, "section": c[0], "text": c[1]} for i, c in before.items() if i not in after
    ]
    changed = [
        {
            "id": i,
            "section": after[i][0],
            "before": before[i][1],
            "after": after[i][1],
            "notes_before": before[i][2],
            "notes_after": after[i][2],
        }
        for i in after
        if i in before and before[i] != after[i]
    ]
    if not (added or removed or changed):
        return None
    return {"id": b["id"], "added": added, "removed": removed, "changed": changed}


def _label(artifact: dict[str, Any]) -> dict[str, Any]:
    return {k: artifact.get(k) for k in ("persona_id", "channel", "stage")}


def _copy_change(job_id: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    before, after = copy_lines(a["draft"]), copy_lines(b["draft"])
    if before == after:
        return None
    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return {
        "job_id": job_id,
        **_label(b),
        "lines_added": sum(line.startswith("+") for line in diff),
        "lines_removed": sum(line.startswith("-") for line in diff),
        "diff": diff,
    }


def diff_runs(a: RunSide, b: RunSide) -> dict[str, Any]:
    """Personas and claims added or removed, copy changed per job, and each run's costs."""
    personas = {
        "added": [_who(b.personas[i]) for i in b.personas if i not in a.personas],
        "removed": [_who(a.personas[i]) for i in a.personas if i not in b.personas],
        "changed": [
            change
            for i in b.personas
            if i in a.personas
            for change in [_persona_changes(a.personas[i], b.personas[i])]
            if change is not None
        ],
    }
    changed = [
        change
        for job in sorted(b.copy)
        if job in a.copy
        for change in [_copy_change(job, a.copy[job], b.copy[job])]
        if change is not None
    ]
    copy = {
        "added": [{"job_id": j, **_label(b.copy[j])} for j in sorted(b.copy) if j not in a.copy],
        "removed": [{"job_id": j, **_label(a.copy[j])} for j in sorted(a.copy) if j not in b.copy],
        "changed": changed,
        "unchanged": sum(1 for j in b.copy if j in a.copy) - len(changed),
    }
    return {"a": a.header(), "b": b.header(), "personas": personas, "copy": copy}


def _who(persona: dict[str, Any]) -> dict[str, Any]:
    return {k: persona.get(k) for k in ("id", "name", "title")}
