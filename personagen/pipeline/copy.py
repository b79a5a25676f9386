"""Copy tasks: an email sequence, ad variants per channel, and objection handling per persona."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from personagen.channels import channel_ids, get_channel, limit_text
from personagen.checks.findings import Finding
from personagen.checks.tokens import ALLOWED_TOKENS
from personagen.errors import GenerationError, InputError
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

MAX_VARIANTS = 10
MAX_STEPS = 10


@dataclass(frozen=True)
class CopyJob:
    """One call's worth of copy: a persona, a channel and how much to write."""

    persona: Persona
    channel: str
    variants: int = 3
    steps: int = 4

    @property
    def job_id(self) -> str:
        """Stable name of the job, also its cassette label."""
        return f"copy/{self.persona.id}/{self.channel}"


def parse_channels(text: str) -> list[str]:
    """Parse '--channels email,google_rsa,...' (or 'all'), rejecting unknown names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = [c for c in channel_ids() if c in DRAFT_MODELS]
    if names == ["all"]:
        return known
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise InputError(
            "--channels",
            f"unknown channel '{unknown[0] if unknown else text}'; "
            f"choose from: {', '.join(known)} (or 'all')",
        )
    return list(dict.fromkeys(names))


def check_counts(variants: int, steps: int) -> None:
    """Reject variant and step counts that make no sense before anything is paid for."""
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError("--variants", f"{variants} is not between 1 and {MAX_VARIANTS}")
    if not 1 <= steps <= MAX_STEPS:
        raise InputError("--steps", f"{steps} is not between 1 and {MAX_STEPS}")


def check_brief_for(brief: Brief, channels: list[str], source: str) -> None:
    """Fail early when the brief lacks what a requested channel needs."""
    if any(get_channel(c).shape == "sequence" for c in channels) and not brief.email_compliance:
        raise InputError(
            source,
            "email_compliance is missing; email needs sender_name, postal_address and opt_out_text",
        )
    if not brief.proof_points:
        raise InputError(
            source,
            "proof_points is empty; copy may only state facts from proof points, add at least one",
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
    }


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
    return CopyArtifact(
        persona_id=job.persona.id,
        persona_name=job.persona.name,
        persona_title=job.persona.title,
        channel=job.channel,
        brief_id=brief.id,
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
