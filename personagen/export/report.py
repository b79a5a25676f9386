"""The campaign report: one self-contained HTML file of personas, copy previews and lint.

The file has no scripts and loads nothing: the stylesheet (`report.css`, beside this
module) is inlined, the ad image is a CSS placeholder, and the markup lives in Jinja
templates (`templates/`) rendered with autoescaping on, so every text from the run is
escaped. It works offline and prints cleanly (`@media print`).

Per persona it shows the card (role, seniority, buying role and every claim with its
confidence and verbatim evidence) and, per channel, previews shaped like the real
placements; copy written for journey stages is grouped under a heading per stage, in
journey order, and each channel lists its tracked links (utm). The preview template is
picked by channel, then by the channel's shape: `preview_<channel id>.html.j2` (Google
search ad, LinkedIn post, Meta feed post, X post), else `preview_<shape>.html.j2` (an inbox
with the opened e-mails, a generic ad, the objection battlecard), so a channel added to
the registry shows without a new template.
Every text that has a registry limit carries a counter ('27/30') coloured when it passes
the recommended or the hard limit, and the lint engine's findings show as badges.
Each channel ends with its message–persona fit and, folded, the evidence of every line
("Why this line?", `report_chain`); `rank` shows ad variants best fit first.

`report_data` reads the output folder, `report_views` turns it into plain values, this
module renders them; the templates hold all markup.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from personagen.atomic import check_output_file, write_text_atomic
from personagen.checks.findings import Finding
from personagen.errors import InputError
from personagen.export.copy_deck import copy_order
from personagen.export.report_chain import ReportChain
from personagen.export.report_data import (
    NO_PERSONAS,
    ReportSummary,
    RunInfo,
    brand_of,
    load_output,
    plural,
    read_run_info,
)
from personagen.export.report_views import PersonaView, anchor, channel_view, persona_card
from personagen.lint import BRIEF_MISSING, lint_artifact
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona

__all__ = [
    "NO_PERSONAS",
    "ReportSummary",
    "RunInfo",
    "build_report",
    "load_output",
    "read_run_info",
    "render_report",
    "write_report",
]

STYLESHEET = "report.css"
TEMPLATES = "templates"
_TOKEN = re.compile(r"(\{\{[a-z_]+\}\})")


# ---------------------------------------------------------------- templates


def _finalize(value: object) -> object:
    """Every value the templates print, escaped as `html.escape` spells it ('&#x27;').

    Autoescaping would escape it too (as '&#39;'); doing it here keeps one spelling
    whatever the markupsafe version. Markup (macro output) passes unchanged.
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


def _token_parts(text: str) -> list[tuple[bool, str]]:
    """Copy split into (is a merge token, text) parts, for highlighting the tokens."""
    return [(bool(_TOKEN.fullmatch(part)), part) for part in _TOKEN.split(text) if part]


@functools.cache
def environment() -> Environment:
    """The Jinja environment of the report templates (shipped inside the package)."""
    env = Environment(
        loader=PackageLoader("personagen.export", TEMPLATES),
        autoescape=select_autoescape(("html", "html.j2"), default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["plural"] = lambda n, word: plural(int(n), str(word))
    env.filters["token_parts"] = _token_parts
    env.filters["day"] = lambda day: f"Day {day}" if type(day) is int else ""
    return env


def _stylesheet() -> Markup:
    # Our own file, inlined in <style> (raw text: entities there would not be decoded).
    return Markup(resources.files("personagen.export").joinpath(STYLESHEET).read_text("utf-8"))


def _tokens(into: int | None, out: int | None) -> str:
    return f"{into or 0:,} in · {out or 0:,} out"


def _run_line(run: RunInfo) -> list[tuple[str, str]]:
    parts = []
    if run.models:
        parts.append(("Model", ", ".join(run.models)))
    if run.answers:
        parts.append(("Answers", ", ".join(run.answers)))
    if run.run_id:
        parts.append(("Run", run.run_id))
    if run.cost_usd is not None:
        note = " at live prices (replayed, nothing billed)" if run.replayed_only else ""
        parts.append(("Cost", f"${run.cost_usd:,.4f}{note}"))
    if run.input_tokens is not None or run.output_tokens is not None:
        parts.append(("Tokens", _tokens(run.input_tokens, run.output_tokens)))
    if run.created:
        parts.append(("Generated", run.created))
    return parts


def _failed_jobs(run: RunInfo) -> dict[str, Any]:
    jobs = [
        {
            "job_id": job["job_id"],
            "reason": job.get("reason") or "no reason recorded",
            "problems": list(job.get("problems") or []),
            "tokens": _tokens(job.get("input_tokens"), job.get("output_tokens")),
            "cost": f"${job['cost_usd']:,.4f}" if job.get("cost_usd") is not None else "-",
        }
        for job in run.failed_jobs
    ]
    spent = sum(j.get("cost_usd") or 0.0 for j in run.failed_jobs)
    of_total = f" of the run's ${run.cost_usd:,.4f}" if run.cost_usd is not None else ""
    return {"jobs": jobs, "spent": f"${spent:,.4f}{of_total}"}


def _stage_part(artifact: CopyArtifact) -> list[str]:
    return [artifact.stage] if artifact.stage else []


def render_report(
    personas: Sequence[Persona],
    artifacts: Sequence[CopyArtifact],
    brief: Brief | None = None,
    run: RunInfo | None = None,
    findings: Mapping[int, list[Finding]] | None = None,
    rank: bool = False,
) -> str:
    """The report as one HTML document (pure: no files read or written).

    `findings` maps the index of an artifact to its lint findings; without it the lint
    engine runs here. With `rank`, ad variants show best fit first (`export.report_chain`).
    """
    run = run or RunInfo()
    if findings is None:
        findings = {i: lint_artifact(a, brief) for i, a in enumerate(artifacts)}
    brand = brand_of(brief, artifacts)
    by_persona: dict[str, list[int]] = {}
    for i, artifact in enumerate(artifacts):
        by_persona.setdefault(artifact.persona_id, []).append(i)
    for indexes in by_persona.values():
        indexes.sort(key=lambda i: copy_order(artifacts[i]))

    groups: list[tuple[str, str, str, Persona | None]] = [
        (p.id, p.name, p.title, p) for p in personas
    ]
    known = {p.id for p in personas}
    for pid, indexes in by_persona.items():
        if pid not in known:
            first = artifacts[indexes[0]]
            groups.append((pid, first.persona_name, first.persona_title, None))
    views = [
        PersonaView(
            id=pid,
            name=name,
            title=title,
            anchor=anchor("persona", pid),
            persona=persona,
            channels=[
                channel_view(
                    artifacts[i],
                    list(findings.get(i, [])),
                    brand,
                    anchor("persona", pid, *_stage_part(artifacts[i]), artifacts[i].channel),
                )
                for i in by_persona.get(pid, [])
            ],
        )
        for pid, name, title, persona in groups
    ]
    views = [persona_card(view) for view in views]
    chain = ReportChain(personas, brief, rank)  # fit and evidence of every channel
    for view in views:
        for channel, i in zip(view.channels, by_persona.get(view.id, []), strict=True):
            chain.add(channel, artifacts[i])

    flat = [f for found in findings.values() for f in found]
    errors = sum(1 for f in flat if f.severity == "error")
    claims = sum(len(items) for p in personas for items in p.items().values())
    quotes = sum(len(i.evidence) for p in personas for items in p.items().values() for i in items)
    stats = [
        (len(personas), "personas", False),
        (claims, "grounded claims", False),
        (quotes, "evidence quotes", False),
        (len(artifacts), "copy sets", False),
        (errors, "lint errors", errors > 0),
        (len(flat) - errors, "lint warnings", False),
    ]
    page = (
        environment()
        .get_template("report.html.j2")
        .render(
            title=f"{brief.product.name} campaign" if brief else "Campaign report",
            brief_id=brief.id if brief else "",
            brief_missing=BRIEF_MISSING if brief is None else "",
            stylesheet=_stylesheet(),
            run_line=_run_line(run),
            failed=_failed_jobs(run),
            skipped=run.skipped_reasons,
            nothing_written=not personas and not artifacts,
            stats=stats,
            personas=views,
            brand=brand,
            lang=page_language(brief, personas, artifacts),
        )
    )
    return page.rstrip("\n") + "\n"


def page_language(
    brief: Brief | None, personas: Sequence[Persona], artifacts: Sequence[CopyArtifact]
) -> str:
    """The report's `lang`: the brief's language, else the first copy's or persona's (one
    that records none is English), else en."""
    recorded = [a.language or "en" for a in artifacts] + [p.language or "en" for p in personas]
    return (brief.language if brief else None) or next(iter(recorded), "en")


def build_report(
    out: Path, brief: Brief | None = None, rank: bool = False
) -> tuple[str, ReportSummary]:
    """Read an output folder and render its report (ad variants by fit with `rank`)."""
    personas, artifacts = load_output(out, allow_empty=True)
    run = read_run_info(out, personas, artifacts)
    if not personas and not (run.failed_jobs or run.skipped_reasons):
        # Nothing to show: not a run's output folder, or one that never started.
        raise InputError(str(out), NO_PERSONAS)
    findings = {i: lint_artifact(a, brief) for i, a in enumerate(artifacts)}
    page = render_report(personas, artifacts, brief, run, findings, rank)
    flat = [f for found in findings.values() for f in found]
    errors = sum(1 for f in flat if f.severity == "error")
    return page, ReportSummary(len(personas), len(artifacts), errors, len(flat) - errors)


def write_report(
    out: Path, dest: Path, brief: Brief | None = None, rank: bool = False
) -> ReportSummary:
    """Render the report of `out` and write it to `dest` atomically."""
    if dest.is_dir() and not dest.is_symlink():
        raise InputError(str(dest), "is a folder; give the report's file name, e.g. report.html")
    check_output_file(dest)  # a link, device or pipe is refused before any work
    page, summary = build_report(out, brief, rank)
    write_text_atomic(dest, page)
    return summary
