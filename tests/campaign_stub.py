"""A tiny campaign and a stub script that answers every task with valid output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from personagen.testing.stub_server import Reply, completion, tool_name
from tests.helpers import EXAMPLE

NOTE = (
    "Interviewer: What keeps you up at night?\n\n"
    "Dana: Churn is always a surprise for us, and our renewal forecast is basically a guess. "
    "I read LinkedIn every morning before standup. Security reviews slow every purchase down."
)

BRIEF = {
    "id": "test-brief",
    "product": {"name": "Renewly", "description": "Flags accounts at risk of churn."},
    "value_propositions": ["See churn risk before renewal."],
    "offer": {
        "name": "Pilot",
        "call_to_action": "Book a walkthrough",
        "url": "https://renewly.example/pilot",
    },
    "proof_points": [
        {"id": "early", "text": "Customers see risk 45 days before renewal.", "source": "benchmark"}
    ],
    "voice": {"tone": "plain"},
    "email_compliance": {
        "sender_name": "Maya, Renewly",
        "postal_address": "500 Market Street, San Francisco",
        "opt_out_text": "Reply no thanks to opt out",
    },
}

# Dana's sentences are numbered [1] to [3] in the extraction prompt (the interviewer's
# question is context, never numbered); the tool attaches the words.
INSIGHTS = {
    "role": "VP Marketing",
    "insights": [
        {"kind": "pain_points", "text": "Churn surprises", "sentences": [1]},
        {"kind": "channels", "text": "Reads LinkedIn", "sentences": [2]},
        {"kind": "objections", "text": "Security reviews", "sentences": [3]},
    ],
}


def _item(text: str, insight_id: str) -> dict[str, Any]:
    return {"text": text, "evidence": [insight_id]}


PERSONAS = {
    "personas": [
        {
            "name": "Retention Rita",
            "title": "VP Marketing",
            "seniority": "vp",
            "department": "Marketing",
            "buying_role": "decision_maker",
            "summary": "Owns pipeline.",
            "responsibilities": [],
            "goals": [],
            "pain_points": [_item("Churn arrives without warning", "dana.1")],
            "channels": [_item("LinkedIn daily", "dana.2")],
            "objections": [_item("Security reviews", "dana.3")],
            "motivations": [],
        }
    ]
}

X_POSTS = {
    "variants": [
        {
            "text": "Churn should never be a surprise. See which accounts are at risk first.",
            "addresses": ["pain-1"],
        },
        {
            "text": "Your renewal forecast deserves better than a guess. Try a pilot on your data.",
            "addresses": ["pain-1"],
        },
    ]
}

BATTLECARD = {
    "talk_track": "You told us churn shows up late. We flag risk early inside your CRM.",
    "objections": [
        {
            "objection": "Security reviews take forever",
            "buying_stage": "procurement",
            "why_they_raise_it": "Every new tool touching customer data is reviewed.",
            "response": {
                "acknowledge": "Reviews protect your customers.",
                "reframe": "A read-only connection keeps the review short.",
                "proof": "Customers see risk 45 days before renewal.",
                "question": "Who runs your security review?",
            },
            "proof_point_ids": ["early"],
        }
    ],
}

ANSWERS = {
    "NoteInsights": INSIGHTS,
    "PersonaSetDraft": PERSONAS,
    "XPostDraft": X_POSTS,
    "BattlecardDraft": BATTLECARD,
}


def script(body: dict[str, Any], n: int) -> Reply:
    """Answer every task with a valid object."""
    name = tool_name(body)
    return completion(ANSWERS[name], name=name)


def write_campaign(folder: Path, base_url: str | None, **extra: Any) -> Path:
    """Write a small campaign (one note, one persona, channels x + objections) to `folder`."""
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "notes" / "dana.txt").write_text(NOTE)
    (folder / "icp.yaml").write_text((EXAMPLE / "icp.yaml").read_text())
    (folder / "brief.yaml").write_text(yaml.safe_dump(BRIEF))
    campaign: dict[str, Any] = {
        "name": "test-campaign",
        "icp": "icp.yaml",
        "notes": ["notes"],
        "personas": 1,
        "brief": "brief.yaml",
        "channels": ["x", "objections"],
        "variants": 2,
        "model": {"model": "gpt-4.1-mini", **({"base_url": base_url} if base_url else {})},
    }
    campaign.update(extra)
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(campaign))
    return path
