"""A synthesized persona made whole: ids, confidence, the quotes its insights carry, and
the claims left out because they cite nothing that was extracted."""

from __future__ import annotations

from personagen.checks.grounding import confidence
from personagen.models.persona import (
    SECTIONS,
    DraftItem,
    Evidence,
    Insight,
    Item,
    Persona,
    PersonaDraft,
    Rejected,
)
from personagen.text import unique_slug

ITEM_PREFIX = {
    "responsibilities": "resp",
    "goals": "goal",
    "pain_points": "pain",
    "channels": "channel",
    "objections": "objection",
    "motivations": "motivation",
}


def _ground_items(
    section: str,
    drafts: list[DraftItem],
    insights: dict[str, Insight],
    rejected: list[Rejected],
) -> list[Item]:
    items: list[Item] = []
    for draft in drafts:
        evidence: list[Evidence] = []
        unknown = [ref for ref in draft.evidence if ref not in insights]
        for ref in draft.evidence:
            found = insights.get(ref)
            for quoted in found.evidence if found is not None else []:
                if all(e.quote != quoted.quote for e in evidence):
                    evidence.append(quoted)
        if evidence:
            distinct = len({e.note_id for e in evidence})
            item_id = f"{ITEM_PREFIX[section]}-{len(items) + 1}"
            items.append(
                Item(
                    id=item_id, text=draft.text, evidence=evidence, confidence=confidence(distinct)
                )
            )
        else:
            cited = ", ".join(unknown) or "nothing"
            rejected.append(
                Rejected(
                    section=section,
                    text=draft.text,
                    reason=f"no supporting insight: it cites {cited}, not an extracted insight",
                )
            )
    return items


def ground_persona(
    draft: PersonaDraft, icp_id: str, insights: dict[str, Insight], taken_ids: set[str]
) -> Persona:
    """Turn a draft into a stored persona: ids, confidence, attached quotes, rejected items."""
    rejected: list[Rejected] = []
    sections = {
        section: _ground_items(section, getattr(draft, section), insights, rejected)
        for section in SECTIONS
    }
    return Persona(
        id=unique_slug(draft.title, taken_ids),
        icp_id=icp_id,
        name=draft.name,
        title=draft.title,
        seniority=draft.seniority,
        department=draft.department,
        buying_role=draft.buying_role,
        summary=draft.summary,
        characteristics=draft.characteristics,
        rejected=rejected,
        **sections,
    )


def persona_warnings(personas: list[Persona]) -> list[str]:
    """One warning per persona item dropped because its evidence did not hold."""
    return [
        f"{persona.id}: dropped {item.section} '{item.text}': {item.reason}"
        for persona in personas
        for item in persona.rejected
    ]
