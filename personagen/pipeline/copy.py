"""Copy tasks: an email sequence, ad variants per channel, and objection handling per persona."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from personagen.channels import channel_ids, get_channel, limit_text, unknown_channel_hint
from personagen.checks.findings import Finding
from personagen.checks.placeholders import find_placeholder
from personagen.checks.tokens import ALLOWED_TOKENS
from personagen.errors import GenerationError, InputError
from personagen.languages import DEFAULT_LANGUAGE, formality_rule, prompt_language
from personagen.llm import Door, PreparedCall
from personagen.models.artifacts import CopyArtifact, RejectedPart
from personagen.models.brief import Brief
from personagen.models.contract import contract_schema
from personagen.models.copy import (
    DRAFT_MODELS,
    OBJECTION_COUNT,
    STEPS,
    VARIANTS,
    copy_context,
    copy_warnings,
    draft_model_for,
)
from personagen.models.persona import Persona, Provenance
from personagen.models.salvage import Dropped, Salvaged, salvage
from personagen.models.stages import Stage, get_stage
from personagen.models.utm import tracked_urls

MAX_VARIANTS = 10
PROOF = ("text", "source")
FOOTER = ("sender_name", "postal_address", "opt_out_text", "opt_out_url")
MAX_STEPS = 10


@dataclass(frozen=True)
class CopyJob:
    """One call's worth of copy: a persona, a channel, a journey stage (or none: copy for
    every stage, as before stages existed) and how much to write."""

    persona: Persona
    channel: str
    variants: int = 3
    steps: int = 4
    stage: Stage | None = None

    @property
    def job_id(self) -> str:
        """Stable name of the job, also its cassette label."""
        if self.stage is None:
            return f"copy/{self.persona.id}/{self.channel}"
        return f"copy/{self.persona.id}/{self.stage.id}/{self.channel}"


def parse_channels(text: str) -> list[str]:
    """Parse '--channels email,google_rsa,...' (or 'all'), rejecting unknown names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = [c for c in channel_ids() if c in DRAFT_MODELS]
    if names == ["all"]:
        return known
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        name = unknown[0] if unknown else text
        raise InputError(
            "--channels",
            f"unknown channel {name!r}; {unknown_channel_hint(name, known)} (or 'all')",
        )
    return list(dict.fromkeys(names))


def stage_plan(
    stages: Mapping[str, Sequence[str]] | None, brief: Brief
) -> list[tuple[Stage, list[str]]]:
    """Each stage (the brief's goal and call to action applied) with its channels."""
    return [(get_stage(sid, brief.stages), list(chans)) for sid, chans in (stages or {}).items()]


def check_counts(variants: int, steps: int) -> None:
    """Reject variant and step counts that make no sense before anything is paid for."""
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError("--variants", f"{variants} is not between 1 and {MAX_VARIANTS}")
    if not 1 <= steps <= MAX_STEPS:
        raise InputError("--steps", f"{steps} is not between 1 and {MAX_STEPS}")


def check_brief_for(brief: Brief, channels: list[str], source: str) -> None:
    """Fail early when the brief lacks what a requested channel needs."""
    sequences = [c for c in channels if get_channel(c).shape == "sequence"]
    if sequences and not brief.email_compliance:
        rest = [c for c in channels if c not in sequences]
        leave_out = (
            f"channels: [{', '.join(rest)}] in the campaign file, --channels {','.join(rest)}"
            if rest
            else "other channels in the campaign file's channels: or --channels"
        )
        raise InputError(
            source,
            f"email_compliance is missing, and {' and '.join(sequences)} needs it: add "
            "email_compliance: {sender_name: <who sends>, postal_address: <your postal "
            "address>, opt_out_text: <how to unsubscribe>} to the brief, or leave "
            f"{' and '.join(sequences)} out ({leave_out})",
        )
    if not brief.proof_points:
        raise InputError(
            source,
            "proof_points is empty; copy may only state facts from proof points, add at least one",
        )


def check_placeholders(brief: Brief, channels: list[str], source: str) -> None:
    """Refuse placeholders ('TODO', '<address>', example.com) in what a real run publishes:
    the proof points every channel may cite and the e-mail footer when e-mail is written.

    Called only when a model will be asked: a dry run sends nothing and a replay answers
    from cassettes, so both keep a template's placeholders.
    """
    fields: list[tuple[str, str | None]] = []
    for number, point in enumerate(brief.proof_points):
        fields += [(f"proof_points[{number}].{name}", getattr(point, name)) for name in PROOF]
    compliance = brief.email_compliance
    if compliance is not None and any(get_channel(c).shape == "sequence" for c in channels):
        fields += [(f"email_compliance.{name}", getattr(compliance, name)) for name in FOOTER]
    for name, value in fields:
        marker = find_placeholder(value or "")
        if marker is not None:
            shown = value if value is None or len(value) <= 60 else value[:57] + "..."
            raise InputError(
                source,
                f"{name}: {shown!r} holds the placeholder {marker!r}; write the real value "
                "before a real run (a --dry-run or a --replay run keeps placeholders)",
            )


def email_footer(brief: Brief) -> str:
    """The compliance footer appended to every email: sender, postal address, opt-out."""
    compliance = brief.email_compliance
    if compliance is None:
        raise InputError("brief", "email_compliance is missing")
    opt_out = compliance.opt_out_text
    if compliance.opt_out_url:
        opt_out = f"{opt_out} {compliance.opt_out_url}"
    return f"--\n{compliance.sender_name}\n{compliance.postal_address}\n{opt_out}"


def email_schedule(steps: int) -> list[int]:
    """The day each e-mail of a `steps`-long sequence is sent (from the channel registry)."""
    days = get_channel("email").schedule_days
    if steps > len(days):
        raise InputError("--steps", f"{steps} e-mails; the schedule has days for {len(days)}")
    return list(days[:steps])


def job_variables(job: CopyJob, brief: Brief) -> dict[str, object]:
    """The template variables of a copy job."""
    channel = get_channel(job.channel)
    return {
        "persona": job.persona,
        "brief": brief,
        "channel": channel,
        "limits": {name: limit_text(job.channel, name) for name in channel.field_names()},
        "variants": job.variants,
        "steps": job.steps,
        "schedule": email_schedule(job.steps) if channel.shape == "sequence" else [],
        "tokens": ["{{" + token + "}}" for token in ALLOWED_TOKENS],
        "stage": job.stage,
        "stage_focus": stage_focus(job.persona, job.stage),
        "language": prompt_language(brief.language),
        "formality": formality_rule(brief.language, brief.voice.formality),
    }


def stage_focus(persona: Persona, stage: Stage | None) -> list[tuple[str, list[str]]]:
    """The persona sections a stage puts first, each with its item ids (empty ones left out)."""
    if stage is None:
        return []
    items = persona.items()
    return [
        (section.replace("_", " "), [item.id for item in items[section]])
        for section in stage.focus
        if items.get(section)
    ]


def tracked_links(artifact: CopyArtifact, brief: Brief) -> list[str] | None:
    """The brief's landing page with its utm tags, one per ad variant or e-mail of the
    artifact; None without `utm:` or for copy that links nowhere (objection handling)."""
    channel = get_channel(artifact.channel)
    if brief.utm is None or channel.kind not in ("ad", "email"):
        return None
    pieces = artifact.draft.get(channel.pieces[0])
    count = len(pieces) if isinstance(pieces, list) else 0
    return tracked_urls(
        brief.offer.url, brief.utm, artifact.persona_id, artifact.stage, artifact.channel, count
    )


def job_context(job: CopyJob, brief: Brief) -> dict[str, object]:
    """The validation context of a copy job, which also fills its response contract."""
    item_ids = {item.id for items in job.persona.items().values() for item in items}
    shape = get_channel(job.channel).shape
    return copy_context(
        brief,
        item_ids,
        job.variants if shape == "variants" else None,
        schedule=email_schedule(job.steps) if shape == "sequence" else None,
        objection_ids=(
            [item.id for item in job.persona.objections] if shape == "battlecard" else None
        ),
    )


def unanswerable(job: CopyJob) -> str | None:
    """Why a job cannot be written at all (nothing to send), or None."""
    if get_channel(job.channel).shape == "battlecard" and not job.persona.objections:
        return "the persona has no grounded objections to answer"
    return None


def prepare_copy(door: Door, job: CopyJob, brief: Brief) -> PreparedCall:
    """The one call of a copy job: prompt rendered once, its contract, its key."""
    context = job_context(job, brief)
    model = draft_model_for(job.channel)
    channel = get_channel(job.channel)
    return door.prepare(
        channel.task,
        model,
        job_variables(job, brief),
        schema=contract_schema(model, context),
        context=context,
        label=job.job_id,
        output_tokens=channel.output_tokens,
    )


def salvage_copy(call: PreparedCall, failure: GenerationError) -> Salvaged[BaseModel] | None:
    """What stays valid of a copy answer that failed: whole variants, e-mails, objections.

    Counts are relaxed (fewer variants than asked is better than none); every other rule
    still holds.
    """
    counts = {VARIANTS: "variants", STEPS: "steps", OBJECTION_COUNT: "objections"}
    relaxed = {k: v for k, v in call.context.items() if k not in counts}
    kept = salvage(call.response_model, failure.last_output, relaxed)
    if kept is None:
        return None
    for key, field in counts.items():
        wanted, written = call.context.get(key), getattr(kept.value, field, None)
        if isinstance(wanted, int) and isinstance(written, list) and len(written) < wanted:
            kept.dropped.append(
                Dropped(field, [f"{len(written)} of the {wanted} {field} asked for are valid"])
            )
    return kept


def to_artifact(
    job: CopyJob,
    brief: Brief,
    draft: BaseModel,
    *,
    model: str,
    prompt_version: str,
    sources: set[str],
    dropped: Sequence[Dropped] = (),
) -> CopyArtifact:
    """Wrap a validated draft with its footer, warnings, rejected parts and provenance."""
    assert isinstance(draft, draft_model_for(job.channel))
    channel = get_channel(job.channel)
    warnings: list[Finding] = copy_warnings(job.channel, draft)
    artifact = CopyArtifact(
        persona_id=job.persona.id,
        persona_name=job.persona.name,
        persona_title=job.persona.title,
        channel=job.channel,
        stage=job.stage.id if job.stage is not None else None,
        brief_id=brief.id,
        language=brief.language or DEFAULT_LANGUAGE,
        draft=draft.model_dump(mode="json"),
        footer=email_footer(brief) if channel.shape == "sequence" else None,
        final_url=brief.offer.url if channel.kind == "ad" else None,
        warnings=warnings,
        rejected=[RejectedPart(path=d.path, problems=d.problems) for d in dropped],
        provenance=Provenance(
            model=model,
            prompt_versions={channel.task: prompt_version},
            created=dt.datetime.now(dt.UTC).replace(microsecond=0),
            answers=sorted(sources),
        ),
    )
    return artifact.model_copy(update={"tracked_urls": tracked_links(artifact, brief)})
