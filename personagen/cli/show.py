"""`personagen show`: a persona or a copy artifact, rendered in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from personagen.cli.app import app, user_errors
from personagen.cli.terminal import plain
from personagen.text import terminal_safe

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from personagen.checks.findings import Finding
    from personagen.models.artifacts import CopyArtifact
    from personagen.models.copy import BattlecardDraft, EmailSequenceDraft
    from personagen.models.persona import Persona

Kind = Literal["persona", "copy"]
# Keys only a stored Persona has, and keys only a CopyArtifact has.
PERSONA_KEYS = frozenset({"icp_id", "buying_role", "pain_points", "seniority"})
COPY_KEYS = frozenset({"draft", "persona_id", "brief_id"})
CONFIDENCE_STYLES = {"high": "green", "medium": "yellow", "low": "red"}
WARN = "yellow"
ERROR = "bold red"


@app.command()
@user_errors
def show(
    file: Annotated[
        Path,
        typer.Argument(
            help="A persona file (personas/<id>.json, or its card personas/<id>.md) or a "
            "copy artifact (copy/<persona>/<channel>.json).",
            show_default=False,
        ),
    ],
) -> None:
    """Show a persona or a copy artifact: evidence, confidence, counts against limits, warnings.

    Example: personagen show out/personas/revenue-rita.json
    """
    from rich.console import Console

    from personagen.inputs import load_model
    from personagen.models.artifacts import CopyArtifact
    from personagen.models.persona import Persona

    file = data_file(file)
    kind = detect_kind(file)
    console = Console(highlight=False, emoji=False)
    if kind == "persona":
        render_persona(console, load_model(file, Persona, what="persona"))
    else:
        render_copy(console, load_model(file, CopyArtifact, what="copy artifact"), str(file))


def data_file(path: Path) -> Path:
    """The JSON to show for `path`: a Markdown persona card is shown from the .json beside it.

    A copy deck (copy/<persona>.md) gathers several artifacts, so the error names one of
    them; any other Markdown file names the .json it would need.
    """
    from personagen.errors import InputError

    if path.suffix.lower() != ".md":
        return path
    beside = path.with_suffix(".json")
    if beside.is_file():
        return beside
    folder = path.with_suffix("")
    artifacts = sorted(folder.rglob("*.json")) if folder.is_dir() else []
    if artifacts:
        raise InputError(
            str(path),
            f"is a copy deck written for reading; show one of its {len(artifacts)} artifacts, "
            f"e.g. personagen show {artifacts[0]}",
        )
    raise InputError(
        str(path),
        f"is Markdown written for reading; pass the .json beside it ({beside}, not found)",
    )


def detect_kind(path: Path) -> Kind:
    """Tell a persona file from a copy artifact by its keys; InputError for anything else."""
    import json

    import yaml

    from personagen.errors import InputError
    from personagen.inputs import load_model
    from personagen.inputs.structured import MAX_MODEL_BYTES, read_text
    from personagen.models.persona import Persona

    suffix = path.suffix.lower()
    data: object = None
    if suffix in (".json", ".yaml", ".yml"):
        text = read_text(path, max_bytes=MAX_MODEL_BYTES)
        try:
            data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (ValueError, RecursionError, yaml.YAMLError):
            data = None
    if not isinstance(data, dict):
        # load_model says exactly why: missing file, file type, syntax, or not a mapping.
        load_model(path, Persona, what="persona or copy artifact")
    else:
        keys = set(data)
        if "draft" in keys or len(keys & COPY_KEYS) >= 2:
            return "copy"
        if keys & PERSONA_KEYS:
            return "persona"
    raise InputError(
        str(path),
        "neither a persona (personas/<id>.json, with keys like 'buying_role' and "
        "'pain_points') nor a copy artifact (copy/<persona>/<channel>.json, with 'channel' "
        "and 'draft')",
    )


def render_persona(console: Console, persona: Persona) -> None:
    """Print a persona: header, each section's claims with confidence and evidence quotes."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from personagen.export.persona_card import SECTION_TITLES
    from personagen.models.persona import SECTIONS

    role = persona.buying_role.value.replace("_", " ")
    header = Text()
    header.append(f"{terminal_safe(persona.title)}\n", style="bold")
    header.append(
        terminal_safe(
            f"{persona.department} · {persona.seniority.replace('_', ' ')} · {role} · "
            f"ICP {persona.icp_id} · id {persona.id}"
        )
        + "\n\n",
        style="dim",
    )
    header.append(terminal_safe(persona.summary))
    console.print(Panel(header, title=plain(persona.name, "bold"), title_align="left"))
    for section in SECTIONS:
        items = persona.items()[section]
        if not items:
            continue
        table = Table(title=plain(SECTION_TITLES[section], "bold"), show_lines=True, expand=True)
        table.add_column("Id", no_wrap=True)
        table.add_column("Claim", ratio=2)
        table.add_column("Confidence", no_wrap=True)
        table.add_column("Evidence", ratio=3)
        for item in items:
            evidence = Text()
            for number, quote in enumerate(item.evidence):
                if number:
                    evidence.append("\n")
                evidence.append(f"“{terminal_safe(quote.quote)}”", style="italic")
                evidence.append(f" ({terminal_safe(quote.note_id)})", style="dim")
            style = CONFIDENCE_STYLES.get(item.confidence, "")
            table.add_row(plain(item.id), plain(item.text), plain(item.confidence, style), evidence)
        console.print(table)
    if persona.characteristics:
        traits = plain("\n".join(f"• {trait}" for trait in persona.characteristics))
        console.print(Panel(traits, title="Personal characteristics", title_align="left"))
    if persona.rejected:
        rejected = Text()
        for number, dropped in enumerate(persona.rejected):
            if number:
                rejected.append("\n")
            rejected.append(terminal_safe(f"{dropped.section}: {dropped.text}"), style="bold")
            rejected.append(terminal_safe(f" ({dropped.reason})"))
        console.print(
            Panel(
                rejected,
                title=f"Rejected: {len(persona.rejected)} (evidence did not hold)",
                title_align="left",
                border_style=WARN,
            )
        )
    if persona.provenance:
        versions = ", ".join(f"{k} {v}" for k, v in persona.provenance.prompt_versions.items())
        console.print(
            plain(f"Generated by {persona.provenance.label()}; prompts: {versions}", "dim")
        )


def render_copy(console: Console, artifact: CopyArtifact, source: str = "") -> None:
    """Print a copy artifact: every field with its count against the limits, then warnings."""
    from rich.panel import Panel
    from rich.text import Text

    from personagen.export.copy_deck import copy_title, parse_draft
    from personagen.models.copy import BattlecardDraft, EmailSequenceDraft

    draft = parse_draft(artifact, source)
    header = Text()
    header.append(f"{terminal_safe(copy_title(artifact))}\n", style="bold")
    header.append(
        terminal_safe(
            f"persona {artifact.persona_id} · brief {artifact.brief_id} · "
            f"written by {artifact.provenance.label()}"
        ),
        style="dim",
    )
    if artifact.final_url:
        header.append(f"\nFinal URL: {terminal_safe(artifact.final_url)}")
    for number, url in enumerate(artifact.tracked_urls or [], start=1):
        header.append(f"\nTracked link {number}: {terminal_safe(url)}")
    title = plain(f"{artifact.persona_name}, {artifact.persona_title}", "bold")
    console.print(Panel(header, title=title, title_align="left"))
    tables: list[RenderableType]
    if isinstance(draft, EmailSequenceDraft):
        tables = _email_tables(draft, artifact.footer)
    elif isinstance(draft, BattlecardDraft):
        tables = _battlecard_tables(draft)
    else:
        tables = _variant_tables(artifact.channel, draft)
    for table in tables:
        console.print(table)
    console.print(_warnings_panel(artifact.warnings))


def _copy_table(title: str) -> Table:
    from rich.table import Table

    table = Table(title=plain(title, "bold"), show_lines=True, expand=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Copy", ratio=1)
    table.add_column("Count", no_wrap=True)
    return table


def _add_field(
    table: Table, channel_id: str, field: str, text: str, index: int | None = None
) -> None:
    """One row: label, the text, and its count (yellow off the recommended length)."""
    from personagen.export.copy_deck import count, field_label

    label = field_label(channel_id, field) + (f" {index}" if index is not None else "")
    try:
        measured = count(channel_id, field, text)
    except KeyError:
        table.add_row(plain(label), plain(text), plain(""))
        return
    style = ERROR if measured.over_hard else WARN if measured.off_recommended else ""
    flag = " ⚠" if style else ""
    table.add_row(plain(label), plain(text), plain(f"{measured}{flag}", style))


def _addresses_row(table: Table, ids: list[str]) -> None:
    table.add_row(plain("Addresses"), plain(", ".join(ids) or "none"), plain(""))


def _email_tables(draft: EmailSequenceDraft, footer: str | None) -> list[RenderableType]:
    from rich.panel import Panel

    tables: list[RenderableType] = []
    for number, step in enumerate(draft.steps, start=1):
        table = _copy_table(f"Email {number} · day {step.day_offset}")
        _add_field(table, "email", "subject", step.subject)
        _add_field(table, "email", "preheader", step.preheader)
        _add_field(table, "email", "body", step.body)
        table.add_row(plain("Call to action"), plain(step.call_to_action), plain(""))
        _addresses_row(table, step.addresses)
        tables.append(table)
    if footer:
        tables.append(Panel(plain(footer), title="Footer (every email)", title_align="left"))
    return tables


def _variant_tables(channel_id: str, draft: object) -> list[RenderableType]:
    tables: list[RenderableType] = []
    for number, variant in enumerate(getattr(draft, "variants", []), start=1):
        table = _copy_table(f"Variant {number}")
        for name in type(variant).model_fields:
            if name == "addresses":
                continue
            value = getattr(variant, name)
            if isinstance(value, list):
                for index, text in enumerate(value, start=1):
                    _add_field(table, channel_id, name, str(text), index)
            else:
                _add_field(table, channel_id, name, str(value))
        _addresses_row(table, list(variant.addresses))
        tables.append(table)
    return tables


def _battlecard_tables(draft: BattlecardDraft) -> list[RenderableType]:
    talk = _copy_table("Talk track")
    _add_field(talk, "objections", "talk_track", draft.talk_track)
    tables: list[RenderableType] = [talk]
    for number, handling in enumerate(draft.objections, start=1):
        table = _copy_table(f"Objection {number}")
        response = handling.response
        proof_ids = ", ".join(handling.proof_point_ids) or "none"
        rows = [
            ("Objection", handling.objection),
            ("Buying stage", handling.buying_stage),
            ("Why they raise it", handling.why_they_raise_it),
            ("Acknowledge", response.acknowledge),
            ("Reframe", response.reframe),
            ("Proof", f"{response.proof}\n(proof points: {proof_ids})"),
            ("Question", response.question),
        ]
        for label, text in rows:
            table.add_row(plain(label), plain(text), plain(""))
        _addresses_row(table, [handling.objection_id])
        tables.append(table)
    return tables


def _warnings_panel(warnings: list[Finding]) -> RenderableType:
    from rich.panel import Panel
    from rich.text import Text

    if not warnings:
        return plain("No warnings.", "green")
    body = Text()
    for number, finding in enumerate(warnings):
        if number:
            body.append("\n")
        style = ERROR if finding.severity == "error" else WARN
        body.append(f"⚠ {terminal_safe(finding.field)}: ", style=f"bold {style}")
        body.append(terminal_safe(finding.message), style=style)
        body.append(f" ({terminal_safe(finding.fix)})", style="dim")
    plural = "s" if len(warnings) != 1 else ""
    return Panel(
        body, title=f"{len(warnings)} warning{plural}", title_align="left", border_style=WARN
    )
