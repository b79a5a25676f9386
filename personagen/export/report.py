"""The campaign report: one self-contained HTML file of personas, copy previews and lint.

The file has no scripts and loads nothing: the stylesheet (`report.css`, beside this
module) is inlined, the ad image is a CSS placeholder, and every text from the run is
escaped. It works offline and prints cleanly (`@media print`).

Per persona it shows the card (role, seniority, buying role and every claim with its
confidence and verbatim evidence) and, per channel, previews shaped like the real
placements: a Google search ad, a LinkedIn post, a Meta feed post, an X post, an inbox row
with the opened e-mail, and the objection battlecard. Every text that has a registry limit
carries a counter ('27/30') coloured when it passes the recommended or the hard limit,
and the lint engine's findings show as badges.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from personagen.atomic import write_text_atomic
from personagen.channels import FieldLimit, get_channel, measure
from personagen.checks.findings import Finding
from personagen.errors import InputError
from personagen.lint import BRIEF_MISSING, lint_artifact, load_artifact
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS
from personagen.models.persona import SECTIONS, Persona

STYLESHEET = "report.css"
CHANNEL_ORDER = tuple(DRAFT_MODELS)
CHANNEL_TITLES = {
    "email": "Email sequence",
    "google_rsa": "Google search ad",
    "linkedin": "LinkedIn ad",
    "meta": "Meta feed ad",
    "x": "X post",
    "objections": "Objection handling",
}
SECTION_TITLES = {
    "goals": "Goals",
    "pain_points": "Pains",
    "objections": "Objections",
    "channels": "Channels",
    "responsibilities": "Responsibilities",
    "motivations": "Motivations",
}
# Claim sections in the order a marketer reads them.
SECTION_ORDER = (
    "goals",
    "pain_points",
    "objections",
    "channels",
    "responsibilities",
    "motivations",
)
assert set(SECTION_ORDER) == set(SECTIONS)

_TOKEN = re.compile(r"\{\{[a-z_]+\}\}")


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
    from personagen.inputs import load_model

    if not out.is_dir():
        raise InputError(str(out), "no such output folder")
    folder = out / "personas" if (out / "personas").is_dir() else out
    files = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    personas = [load_model(p, Persona, what="persona") for p in files if p.name != "run.json"]
    if not personas and not allow_empty:
        raise InputError(str(out), NO_PERSONAS)
    artifacts: list[CopyArtifact] = []
    copy_dir = out / "copy"
    if copy_dir.is_dir():
        for path in sorted(copy_dir.glob("*/*.json")):
            if path.stem in DRAFT_MODELS and not path.name.startswith("."):
                artifacts.append(load_artifact(path))
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
        data: object = json.loads((out / "run.json").read_text("utf-8"))
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


# ---------------------------------------------------------------- small pieces


def esc(text: object) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(text), quote=True)


def _copy_text(text: str) -> str:
    """Escaped copy with merge tokens highlighted."""
    return _TOKEN.sub(lambda m: f'<span class="token">{m.group(0)}</span>', esc(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _words(value: str) -> str:
    return value.replace("_", " ")


def _anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9-]+", "-", p.lower()) for p in parts)


def counter(channel: str, field_name: str, text: str) -> str:
    """A length counter like '27/30' against the field's limit, coloured by state."""
    limit = get_channel(channel).field(field_name)
    n = measure(text, limit)
    # Against the length to aim for when there is one ('114/150'), else the hard limit.
    top = limit.recommended_max or limit.hard_max
    state, why = _state(n, limit)
    unit = "" if limit.unit == "characters" else " words"
    shown = f"{n}/{top}{unit}" if top else f"{n}{unit}"
    return f'<span class="count {state}" title="{esc(why)}">{esc(shown)}</span>'


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


def _badges(findings: Iterable[Finding]) -> str:
    """One badge per rule, with '×n' when the rule fired more than once."""
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault((finding.severity, finding.rule), []).append(finding)
    shown = []
    for same in by_rule.values():
        title = "; ".join(f"{f.field}: {f.message} ({f.fix})" for f in same)
        times = f" ×{len(same)}" if len(same) > 1 else ""
        shown.append(
            f'<span class="badge {esc(same[0].severity)}" title="{esc(title)}">'
            f"{esc(same[0].rule)}{times}</span>"
        )
    return f'<div class="badges">{"".join(shown)}</div>' if shown else ""


def _belongs(finding: Finding, prefix: str) -> bool:
    return finding.field == prefix or finding.field.startswith((f"{prefix}.", f"{prefix}["))


def _field_row(label: str, text: str, channel: str, field_name: str) -> str:
    return (
        f'<div class="field"><span class="label">{esc(label)}</span>'
        f'<span class="value">{_copy_text(text)}</span>{counter(channel, field_name, text)}</div>'
    )


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _pieces(draft: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = draft.get(key)
    return [p for p in value if isinstance(p, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True)
class _Brand:
    """Who the ads and e-mails appear to come from."""

    name: str
    host: str
    sender: str

    @property
    def initial(self) -> str:
        return (self.name[:1] or "?").upper()

    @property
    def handle(self) -> str:
        return "@" + (re.sub(r"[^A-Za-z0-9_]", "", self.name) or "brand").lower()


def _brand(brief: Brief | None, artifacts: Sequence[CopyArtifact]) -> _Brand:
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
    return _Brand(name=name, host=host or "example.com", sender=sender)


# ---------------------------------------------------------------- persona card


def persona_card(persona: Persona) -> str:
    """The persona card: who they are and every claim with confidence and evidence."""
    initials = "".join(w[0] for w in persona.name.split()[:2]).upper()
    chips = [
        ("Seniority", _words(persona.seniority)),
        ("Buying role", _words(persona.buying_role.value)),
        ("Department", persona.department),
    ]
    chip_html = "".join(
        f'<span class="chip"><span class="chip-key">{esc(k)}</span> {esc(v)}</span>'
        for k, v in chips
    )
    sections = []
    for section in SECTION_ORDER:
        items = persona.items()[section]
        if not items:
            continue
        rows = []
        for item in items:
            quotes = "".join(
                f'<li><q>{esc(e.quote)}</q> <cite class="note">{esc(e.note_id)}</cite></li>'
                for e in item.evidence
            )
            rows.append(
                f'<li class="claim"><div class="claim-text">{esc(item.text)}</div>'
                f'<div class="claim-meta"><span class="conf {esc(item.confidence)}">'
                f"{esc(item.confidence)}</span>"
                f'<code class="item-id">{esc(item.id)}</code>'
                f'<span class="sources">{_plural(len(item.note_ids), "note")}</span></div>'
                f'<ul class="evidence">{quotes}</ul></li>'
            )
        sections.append(
            f'<section class="claims {esc(section)}"><h4>{esc(SECTION_TITLES[section])} '
            f'<span class="n">{len(items)}</span></h4><ul>{"".join(rows)}</ul></section>'
        )
    traits = ""
    if persona.characteristics:
        traits = '<p class="traits">' + " · ".join(esc(t) for t in persona.characteristics)
        traits += "</p>"
    rejected = ""
    if persona.rejected:
        rejected = (
            f'<p class="rejected">{len(persona.rejected)} claim(s) rejected because their '
            "evidence did not hold.</p>"
        )
    return (
        f'<div class="persona-card"><div class="persona-head">'
        f'<div class="avatar">{esc(initials)}</div><div><h2>{esc(persona.name)}</h2>'
        f'<p class="title">{esc(persona.title)}</p></div></div>'
        f'<div class="chips">{chip_html}</div>'
        f'<p class="summary">{esc(persona.summary)}</p>{traits}'
        f'<div class="claim-grid">{"".join(sections)}</div>{rejected}</div>'
    )


# ---------------------------------------------------------------- previews


def _image(label: str) -> str:
    return (
        '<div class="image-ph" role="img" aria-label="image placeholder">'
        f"<span>{esc(label)}</span></div>"
    )


def google_preview(
    variant: Mapping[str, Any], final_url: str | None, brand: _Brand, n: int, found: list[Finding]
) -> str:
    """A Google search ad as it shows on a results page, then every asset with counters."""
    headlines, descriptions = _strs(variant.get("headlines")), _strs(variant.get("descriptions"))
    host = (urlparse(final_url or "").hostname or brand.host).removeprefix("www.")
    paths = [p for p in (_str(variant.get("path1")), _str(variant.get("path2"))) if p]
    display = "/".join([host, *paths])
    title = " | ".join(esc(h) for h in headlines[:3])
    assets = "".join(
        _field_row(f"Headline {i}", h, "google_rsa", "headlines")
        for i, h in enumerate(headlines, 1)
    )
    assets += "".join(
        _field_row(f"Description {i}", d, "google_rsa", "descriptions")
        for i, d in enumerate(descriptions, 1)
    )
    for name in ("path1", "path2"):
        if _str(variant.get(name)):
            assets += _field_row(name, _str(variant.get(name)), "google_rsa", name)
    return (
        f'<div class="variant"><div class="variant-head">Variant {n}{_badges(found)}</div>'
        f'<div class="preview google-ad"><div class="g-top"><span class="g-sponsored">Sponsored'
        f'</span></div><div class="g-site"><span class="favicon">{esc(brand.initial)}</span>'
        f'<span class="g-name">{esc(brand.name)}</span>'
        f'<span class="g-url"><span class="g-ad">Ad</span> · {esc(display)}</span></div>'
        f'<div class="g-headline">{title}</div>'
        f'<div class="g-desc">{esc(" ".join(descriptions[:2]))}</div></div>'
        f'<div class="fields">{assets}</div></div>'
    )


def linkedin_preview(
    variant: Mapping[str, Any], final_url: str | None, brand: _Brand, n: int, found: list[Finding]
) -> str:
    """A LinkedIn single-image sponsored post."""
    intro, headline = _str(variant.get("intro_text")), _str(variant.get("headline"))
    description = _str(variant.get("description"))
    fields = _field_row("Intro text", intro, "linkedin", "intro_text")
    fields += _field_row("Headline", headline, "linkedin", "headline")
    fields += _field_row("Description", description, "linkedin", "description")
    return (
        f'<div class="variant"><div class="variant-head">Variant {n}{_badges(found)}</div>'
        f'<div class="preview linkedin-post"><div class="li-head"><span class="logo">'
        f'{esc(brand.initial)}</span><div><div class="li-name">{esc(brand.name)}</div>'
        f'<div class="li-sub">Promoted</div></div></div>'
        f'<div class="li-intro">{_copy_text(intro)}</div>{_image("1200 × 627 image")}'
        f'<div class="li-foot"><div><div class="li-headline">{esc(headline)}</div>'
        f'<div class="li-desc">{esc(description)}</div></div>'
        f'<span class="cta-outline">Learn more</span></div></div>'
        f'<div class="fields">{fields}</div></div>'
    )


def meta_preview(
    variant: Mapping[str, Any], final_url: str | None, brand: _Brand, n: int, found: list[Finding]
) -> str:
    """A Facebook / Instagram feed post."""
    primary, headline = _str(variant.get("primary_text")), _str(variant.get("headline"))
    description = _str(variant.get("description"))
    host = (urlparse(final_url or "").hostname or brand.host).removeprefix("www.")
    fields = _field_row("Primary text", primary, "meta", "primary_text")
    fields += _field_row("Headline", headline, "meta", "headline")
    fields += _field_row("Description", description, "meta", "description")
    return (
        f'<div class="variant"><div class="variant-head">Variant {n}{_badges(found)}</div>'
        f'<div class="preview meta-post"><div class="m-head"><span class="logo round">'
        f'{esc(brand.initial)}</span><div><div class="m-name">{esc(brand.name)}</div>'
        f'<div class="m-sub">Sponsored</div></div></div>'
        f'<div class="m-primary">{_copy_text(primary)}</div>{_image("1200 × 628 image")}'
        f'<div class="m-foot"><div><div class="m-domain">{esc(host.upper())}</div>'
        f'<div class="m-headline">{esc(headline)}</div>'
        f'<div class="m-desc">{esc(description)}</div></div>'
        f'<span class="cta-grey">Learn more</span></div></div>'
        f'<div class="fields">{fields}</div></div>'
    )


def x_preview(
    variant: Mapping[str, Any], final_url: str | None, brand: _Brand, n: int, found: list[Finding]
) -> str:
    """A promoted post on X."""
    text = _str(variant.get("text"))
    return (
        f'<div class="variant"><div class="variant-head">Variant {n}{_badges(found)}</div>'
        f'<div class="preview x-post"><span class="logo round dark">{esc(brand.initial)}</span>'
        f'<div class="x-body"><div class="x-head"><span class="x-name">{esc(brand.name)}</span>'
        f' <span class="x-handle">{esc(brand.handle)}</span></div>'
        f'<div class="x-text">{_copy_text(text)}</div>'
        f'<div class="x-promoted">Promoted</div></div></div>'
        f'<div class="fields">{_field_row("Post", text, "x", "text")}</div></div>'
    )


_AD_PREVIEWS = {
    "google_rsa": google_preview,
    "linkedin": linkedin_preview,
    "meta": meta_preview,
    "x": x_preview,
}


def email_preview(artifact: CopyArtifact, brand: _Brand, findings: list[Finding]) -> str:
    """The sequence as inbox rows, then each e-mail opened with its footer."""
    steps = _pieces(artifact.draft, "steps")
    rows, opened = [], []
    for n, step in enumerate(steps, 1):
        subject, preheader = _str(step.get("subject")), _str(step.get("preheader"))
        body = _str(step.get("body"))
        day = step.get("day_offset")
        when = f"Day {day}" if isinstance(day, int) else ""
        found = [f for f in findings if _belongs(f, f"steps[{n}]")]
        rows.append(
            f'<div class="inbox-row"><span class="dot"></span>'
            f'<span class="sender">{esc(brand.sender)}</span>'
            f'<span class="line"><span class="subject">{esc(subject)}</span>'
            f'<span class="preheader"> — {esc(preheader)}</span></span>'
            f'<span class="when">{esc(when)}</span></div>'
        )
        fields = _field_row("Subject", subject, "email", "subject")
        fields += _field_row("Preheader", preheader, "email", "preheader")
        opened.append(
            f'<div class="variant"><div class="variant-head">Email {n} · {esc(when)}'
            f"{_badges(found)}</div>"
            f'<div class="preview email-open"><div class="e-subject">{esc(subject)}</div>'
            f'<div class="e-from"><span class="logo round">{esc(brand.initial)}</span>'
            f"<div><b>{esc(brand.sender)}</b><br>"
            '<span class="to">to {{first_name}}</span></div>'
            f'<span class="e-count">{counter("email", "body", body)}</span></div>'
            f'<div class="e-body">{_copy_text(body)}</div>'
            f'<div class="e-footer">{esc(artifact.footer or "(no footer)")}</div></div>'
            f'<div class="fields">{fields}</div></div>'
        )
    return (
        f'<div class="inbox"><div class="inbox-bar">Inbox</div>{"".join(rows)}</div>'
        f'<div class="variants email-steps">{"".join(opened)}</div>'
    )


def battlecard_preview(artifact: CopyArtifact, findings: list[Finding]) -> str:
    """The talk track and each objection's answer, as a rep's battlecard."""
    draft = artifact.draft
    talk = _str(draft.get("talk_track"))
    cards = []
    for n, item in enumerate(_pieces(draft, "objections"), 1):
        response = item.get("response") if isinstance(item.get("response"), Mapping) else {}
        assert isinstance(response, Mapping)
        parts = "".join(
            f"<dt>{esc(label)}</dt><dd>{esc(_str(response.get(key)))}</dd>"
            for key, label in (
                ("acknowledge", "Acknowledge"),
                ("reframe", "Reframe"),
                ("proof", "Prove"),
                ("question", "Ask"),
            )
        )
        found = [f for f in findings if _belongs(f, f"objections[{n}]")]
        stage = _words(_str(item.get("buying_stage")))
        cards.append(
            f'<div class="objection"><div class="o-head"><q>{esc(_str(item.get("objection")))}'
            f'</q><span class="stage">{esc(stage)}</span></div>{_badges(found)}'
            f'<p class="why"><b>Why they raise it:</b> {esc(_str(item.get("why_they_raise_it")))}'
            f"</p><dl>{parts}</dl></div>"
        )
    return (
        f'<div class="battlecard"><div class="talk"><span class="label">Talk track</span>'
        f"<p>{esc(talk)}</p>{counter('objections', 'talk_track', talk)}</div>"
        f"{''.join(cards)}</div>"
    )


def _findings_list(findings: Sequence[Finding]) -> str:
    if not findings:
        return '<p class="clean">No lint findings.</p>'
    rows = "".join(
        f'<li><span class="badge {esc(f.severity)}">{esc(f.severity)}</span> '
        f"<code>{esc(f.field)}</code> <b>{esc(f.rule)}</b>: {esc(f.message)} "
        f'<span class="fix">{esc(f.fix)}</span></li>'
        for f in findings
    )
    return (
        f'<details class="findings" open><summary>Lint findings</summary><ul>{rows}</ul></details>'
    )


def _tally(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(f'<span class="tally error">{errors} error{"s" * (errors != 1)}</span>')
    if warnings:
        parts.append(
            f'<span class="tally warning">{warnings} warning{"s" * (warnings != 1)}</span>'
        )
    return "".join(parts) or '<span class="tally ok">clean</span>'


def channel_block(
    artifact: CopyArtifact, findings: list[Finding], brand: _Brand, anchor: str
) -> str:
    """One persona's copy for one channel: previews, counters and lint badges."""
    channel = artifact.channel
    if channel == "email":
        body = email_preview(artifact, brand, findings)
        count = f"{len(_pieces(artifact.draft, 'steps'))} emails"
    elif channel == "objections":
        body = battlecard_preview(artifact, findings)
        count = f"{len(_pieces(artifact.draft, 'objections'))} objections"
    else:
        variants = _pieces(artifact.draft, "variants")
        render = _AD_PREVIEWS[channel]
        body = '<div class="variants">'
        for n, variant in enumerate(variants, 1):
            found = [f for f in findings if _belongs(f, f"variants[{n}]")]
            body += render(variant, artifact.final_url, brand, n, found)
        body += "</div>"
        count = f"{len(variants)} variant{'s' * (len(variants) != 1)}"
    url = ""
    if artifact.final_url:
        url = f'<span class="final-url">Final URL: {esc(artifact.final_url)}</span>'
    return (
        f'<section class="channel {esc(channel)}" id="{esc(anchor)}">'
        f'<div class="channel-head"><h3>{esc(CHANNEL_TITLES.get(channel, channel))}</h3>'
        f'<span class="meta">{esc(count)}</span>{url}<span class="tallies">{_tally(findings)}'
        f"</span></div>{body}{_findings_list(findings)}</section>"
    )


# ---------------------------------------------------------------- the page


def _stylesheet() -> str:
    return resources.files("personagen.export").joinpath(STYLESHEET).read_text("utf-8")


def _run_line(run: RunInfo) -> str:
    parts = []
    if run.models:
        parts.append(f"<span><b>Model</b> {esc(', '.join(run.models))}</span>")
    if run.answers:
        parts.append(f"<span><b>Answers</b> {esc(', '.join(run.answers))}</span>")
    if run.run_id:
        parts.append(f"<span><b>Run</b> {esc(run.run_id)}</span>")
    if run.cost_usd is not None:
        note = " at live prices (replayed, nothing billed)" if run.replayed_only else ""
        parts.append(f"<span><b>Cost</b> ${run.cost_usd:,.4f}{note}</span>")
    if run.input_tokens is not None or run.output_tokens is not None:
        tokens = f"{run.input_tokens or 0:,} in · {run.output_tokens or 0:,} out"
        parts.append(f"<span><b>Tokens</b> {esc(tokens)}</span>")
    if run.created:
        parts.append(f"<span><b>Generated</b> {esc(run.created)}</span>")
    return "".join(parts)


def _job_tokens(job: Mapping[str, Any]) -> str:
    return f"{job.get('input_tokens') or 0:,} in · {job.get('output_tokens') or 0:,} out"


def run_problems(run: RunInfo) -> str:
    """The jobs that failed (reason, problems, tokens, cost) and those left undone."""
    parts = []
    if run.failed_jobs:
        rows = []
        for job in run.failed_jobs:
            problems = "".join(f"<li>{esc(p)}</li>" for p in job.get("problems") or [])
            cost = job.get("cost_usd")
            rows.append(
                f"<tr><td><code>{esc(job['job_id'])}</code></td>"
                f'<td><div class="reason">{esc(job.get("reason") or "no reason recorded")}</div>'
                + (f'<ul class="problems">{problems}</ul>' if problems else "")
                + f'</td><td class="num">{esc(_job_tokens(job))}</td>'
                f'<td class="num">{esc(f"${cost:,.4f}" if cost is not None else "-")}</td></tr>'
            )
        spent = sum(j.get("cost_usd") or 0.0 for j in run.failed_jobs)
        of_total = f" of the run's ${run.cost_usd:,.4f}" if run.cost_usd is not None else ""
        n = len(run.failed_jobs)
        parts.append(
            f'<section class="run-problems failed" id="failed-jobs">'
            f'<h2>Jobs that failed <span class="n">{n}</span></h2>'
            f'<p class="lede">{esc(_plural(n, "job"))} wrote nothing and cost '
            f"{esc(f'${spent:,.4f}')}{esc(of_total)} (failed work is billed too). Run the "
            "same command again to retry them; finished jobs are not paid for twice.</p>"
            '<table class="failed-jobs"><thead><tr><th>Job</th><th>Reason and problems</th>'
            '<th class="num">Tokens</th><th class="num">Cost</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    if run.skipped_reasons:
        items = "".join(
            f"<li><code>{esc(job)}</code> {esc(why or 'skipped')}</li>"
            for job, why in run.skipped_reasons.items()
        )
        parts.append(
            f'<section class="run-problems skipped" id="skipped-jobs">'
            f'<h2>Jobs skipped <span class="n">{len(run.skipped_reasons)}</span></h2>'
            f'<ul class="skipped-list">{items}</ul></section>'
        )
    return "".join(parts)


def render_report(
    personas: Sequence[Persona],
    artifacts: Sequence[CopyArtifact],
    brief: Brief | None = None,
    run: RunInfo | None = None,
    findings: Mapping[int, list[Finding]] | None = None,
) -> str:
    """The report as one HTML document (pure: no files read or written).

    `findings` maps the index of an artifact to its lint findings; without it the lint
    engine runs here.
    """
    run = run or RunInfo()
    if findings is None:
        findings = {i: lint_artifact(a, brief) for i, a in enumerate(artifacts)}
    brand = _brand(brief, artifacts)
    known = {p.id for p in personas}
    by_persona: dict[str, list[int]] = {}
    for i, artifact in enumerate(artifacts):
        by_persona.setdefault(artifact.persona_id, []).append(i)
    rank = {c: n for n, c in enumerate(CHANNEL_ORDER)}
    for indexes in by_persona.values():
        indexes.sort(key=lambda i: rank.get(artifacts[i].channel, len(rank)))

    nav, sections = [], []
    groups: list[tuple[str, str, str, str]] = [
        (p.id, p.name, p.title, persona_card(p)) for p in personas
    ]
    for pid, indexes in by_persona.items():
        if pid not in known:
            first = artifacts[indexes[0]]
            groups.append((pid, first.persona_name, first.persona_title, ""))
    for pid, name, title, card in groups:
        anchor = _anchor("persona", pid)
        links, blocks = [], []
        for i in by_persona.get(pid, []):
            artifact = artifacts[i]
            channel_anchor = _anchor("persona", pid, artifact.channel)
            found = list(findings.get(i, []))
            errors = sum(1 for f in found if f.severity == "error")
            dot = ' <span class="dot-error" title="has errors"></span>' if errors else ""
            links.append(
                f'<li><a href="#{esc(channel_anchor)}">'
                f"{esc(CHANNEL_TITLES.get(artifact.channel, artifact.channel))}</a>{dot}</li>"
            )
            blocks.append(channel_block(artifact, found, brand, channel_anchor))
        nav.append(
            f'<li><a class="nav-persona" href="#{esc(anchor)}">{esc(name)}</a>'
            f'<span class="nav-title">{esc(title)}</span><ul>{"".join(links)}</ul></li>'
        )
        if not card:
            card = (
                f'<div class="persona-card missing"><h2>{esc(name)}</h2>'
                f'<p class="title">{esc(title)}</p><p>No persona file for this copy.</p></div>'
            )
        copy_html = (
            "".join(blocks) or '<p class="no-copy">No copy written for this persona yet.</p>'
        )
        sections.append(
            f'<section class="persona" id="{esc(anchor)}">{card}'
            f'<div class="copy">{copy_html}</div></section>'
        )

    all_findings = [f for found in findings.values() for f in found]
    errors = sum(1 for f in all_findings if f.severity == "error")
    warnings = len(all_findings) - errors
    claims = sum(len(items) for p in personas for items in p.items().values())
    quotes = sum(len(i.evidence) for p in personas for items in p.items().values() for i in items)
    stats = [
        (len(personas), "personas"),
        (claims, "grounded claims"),
        (quotes, "evidence quotes"),
        (len(artifacts), "copy sets"),
        (errors, "lint errors"),
        (warnings, "lint warnings"),
    ]
    stat_html = "".join(
        f'<div class="stat{" bad" if label == "lint errors" and n else ""}">'
        f'<span class="n">{n}</span><span class="l">{esc(label)}</span></div>'
        for n, label in stats
    )
    note = ""
    if brief is None:
        note = (
            f'<p class="note">{esc(BRIEF_MISSING)}: claims, banned phrases, reading grade and '
            "email footers were not checked (personagen report OUT --brief BRIEF).</p>"
        )
    problems = run_problems(run)
    run_nav = ""
    if problems:
        counts = [
            ("failed-jobs", "Jobs that failed", len(run.failed_jobs)),
            ("skipped-jobs", "Jobs skipped", len(run.skipped_reasons)),
        ]
        run_nav = '<div class="nav-label">This run</div><ul class="nav-run">' + "".join(
            f'<li><a href="#{a}">{label}</a> <span class="nav-title">{n}</span></li>'
            for a, label, n in counts
            if n
        )
        run_nav += "</ul>"
    if not personas and not artifacts:
        problems += '<p class="no-copy">No personas or copy were written by this run.</p>'
    title = f"{brief.product.name} campaign" if brief else "Campaign report"
    brief_line = f"<span><b>Brief</b> {esc(brief.id)}</span>" if brief else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · personagen</title>"
        f"<style>\n{_stylesheet()}\n</style></head><body>"
        f'<header class="top"><div class="brand-mark">personagen</div>'
        f'<h1>{esc(title)}</h1><div class="run">{brief_line}{_run_line(run)}</div></header>'
        f'<div class="layout"><nav class="side" aria-label="Personas and channels">'
        f'{run_nav}<div class="nav-label">Personas</div><ul>{"".join(nav)}</ul></nav>'
        f'<main><div class="stats">{stat_html}</div>{note}{problems}{"".join(sections)}'
        '<footer class="foot">Generated by personagen. Every persona claim quotes an '
        "interview note verbatim; counters measure copy against the channel registry.</footer>"
        "</main></div></body></html>\n"
    )


def build_report(out: Path, brief: Brief | None = None) -> tuple[str, ReportSummary]:
    """Read an output folder and render its report."""
    personas, artifacts = load_output(out, allow_empty=True)
    run = read_run_info(out, personas, artifacts)
    if not personas and not (run.failed_jobs or run.skipped_reasons):
        # Nothing to show: not a run's output folder, or one that never started.
        raise InputError(str(out), NO_PERSONAS)
    findings = {i: lint_artifact(a, brief) for i, a in enumerate(artifacts)}
    page = render_report(personas, artifacts, brief, run, findings)
    flat = [f for found in findings.values() for f in found]
    errors = sum(1 for f in flat if f.severity == "error")
    return page, ReportSummary(len(personas), len(artifacts), errors, len(flat) - errors)


def write_report(out: Path, dest: Path, brief: Brief | None = None) -> ReportSummary:
    """Render the report of `out` and write it to `dest` atomically."""
    page, summary = build_report(out, brief)
    if dest.is_dir():
        raise InputError(str(dest), "is a folder; give the report's file name, e.g. report.html")
    write_text_atomic(dest, page)
    return summary
