"""Persona refresh: matching new personas and claims to earlier ones, deterministically."""

from __future__ import annotations

import datetime as dt
from typing import Any

from personagen.models.persona import Evidence, Item, Persona
from personagen.pipeline.refresh import match_personas, refresh_personas

WHEN = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def _item(item_id: str, text: str, *quotes: tuple[str, str]) -> Item:
    evidence = [Evidence(note_id=n, quote=q, sentences=[1]) for n, q in quotes]
    notes = len({n for n, _ in quotes})
    confidence = "high" if notes >= 3 else "medium" if notes == 2 else "low"
    return Item(id=item_id, text=text, evidence=evidence, confidence=confidence)


def _persona(persona_id: str, title: str, role: str = "decision_maker", **items: Any) -> Persona:
    return Persona.model_validate(
        {
            "id": persona_id,
            "icp_id": "icp",
            "name": f"{title} person",
            "title": title,
            "seniority": "vp",
            "department": "Ops",
            "buying_role": role,
            "summary": "Someone.",
            **{k: [i.model_dump() for i in v] for k, v in items.items()},
        }
    )


CHURN = ("dana", "Churn is always a surprise.")
CHURN_ELI = ("eli", "We learn about churn at renewal.")
LINKEDIN = ("dana", "I read LinkedIn every morning.")
SECURITY = ("dana", "Security reviews slow every purchase down.")
FORECAST = ("eli", "Our forecast is a guess.")


def _before() -> Persona:
    return _persona(
        "vp-marketing",
        "VP Marketing",
        pain_points=[_item("pain-1", "Churn arrives without warning", CHURN)],
        channels=[_item("channel-1", "LinkedIn daily", LINKEDIN)],
        objections=[_item("objection-1", "Security reviews", SECURITY)],
    )


def _after() -> Persona:
    """The same persona re-synthesised with a second note: other id, title and wording."""
    return _persona(
        "head-of-growth",
        "Head of Growth",
        pain_points=[_item("pain-1", "Churn shows up unannounced", CHURN, CHURN_ELI)],
        goals=[_item("goal-1", "A renewal forecast to trust", FORECAST)],
        channels=[_item("channel-1", "Reads LinkedIn", LINKEDIN)],
        objections=[_item("objection-1", "Security reviews", SECURITY)],
    )


def test_claims_are_marked_and_unchanged_ones_stay_byte_for_byte() -> None:
    found = refresh_personas([_before()], [_after()], "history/x", WHEN)
    (persona,) = found.personas
    assert persona.id == "vp-marketing" and persona.title == "VP Marketing"
    status = {c.item_id: c.status for c in found.changelog.personas[0].claims}
    assert status == {
        "pain-1": "strengthened",
        "goal-1": "new",
        "channel-1": "unchanged",
        "objection-1": "unchanged",
    }
    assert persona.channels == _before().channels  # earlier wording and quotes kept
    assert persona.pain_points[0].text == "Churn arrives without warning"
    assert persona.pain_points[0].confidence == "medium"
    (strengthened,) = [c for c in found.changelog.personas[0].claims if c.item_id == "pain-1"]
    assert [(e.note_id, e.quote) for e in strengthened.quotes_added] == [CHURN_ELI]
    assert found.changelog.notes_added == ["eli"]
    assert found.changelog.personas[0].status == "updated"


def test_weakened_and_no_longer_supported_claims() -> None:
    strong = _persona(
        "cfo",
        "CFO",
        pain_points=[
            _item("pain-1", "Churn arrives without warning", CHURN, CHURN_ELI),
            _item("pain-2", "Forecasts are guesses", FORECAST),
        ],
    )
    weak = _persona(
        "cfo", "CFO", pain_points=[_item("pain-1", "Churn arrives without warning", CHURN)]
    )
    found = refresh_personas([strong], [weak], "history/x", WHEN)
    claims = {c.item_id: c for c in found.changelog.personas[0].claims}
    assert claims["pain-1"].status == "weakened"
    assert [e.note_id for e in claims["pain-1"].quotes_removed] == ["eli"]
    assert claims["pain-2"].status == "no longer supported"
    assert found.changelog.notes_removed == ["eli"]


def test_a_new_claim_never_takes_a_dropped_claims_id() -> None:
    before = _persona(
        "cfo",
        "CFO",
        pain_points=[_item("pain-1", "A", CHURN), _item("pain-2", "B", FORECAST)],
    )
    after = _persona(
        "cfo", "CFO", pain_points=[_item("pain-1", "A", CHURN), _item("pain-2", "C", SECURITY)]
    )
    (persona,) = refresh_personas([before], [after], "history/x", WHEN).personas
    assert [i.id for i in persona.pain_points] == ["pain-1", "pain-3"]


def test_nothing_changed_keeps_the_persona_and_says_so() -> None:
    before = _before()
    found = refresh_personas(
        [before],
        [_after().model_copy(update={"goals": [], "pain_points": before.pain_points})],
        "h",
        WHEN,
    )
    assert found.personas == [before] and not found.changed


def test_new_merged_and_removed_personas() -> None:
    a = _persona("a", "VP Marketing", pain_points=[_item("pain-1", "Churn", CHURN, CHURN_ELI)])
    b = _persona("b", "Growth lead", role="champion", pain_points=[_item("pain-1", "Churn", CHURN)])
    c = _persona(
        "c", "Security officer", role="blocker", objections=[_item("objection-1", "S", SECURITY)]
    )
    merged = _persona("x", "VP Marketing", pain_points=[_item("pain-1", "Churn", CHURN, CHURN_ELI)])
    fresh = _persona(
        "vp-marketing", "CTO", role="influencer", goals=[_item("goal-1", "F", FORECAST)]
    )
    found = refresh_personas([a, b, c], [merged, fresh], "history/x", WHEN)
    status = {p.persona_id: (p.status, p.merged_into) for p in found.changelog.personas}
    assert status["a"][0] == "updated" and status["b"] == ("merged", "a")
    assert status["c"] == ("removed", None)
    assert status["cto"] == ("new", None)
    assert [p.id for p in found.personas] == ["a", "cto"]
    assert found.changelog.personas[0].merged_from == ["b"]


def test_matching_is_deterministic_and_order_free() -> None:
    one = _persona("one", "VP Marketing", pain_points=[_item("pain-1", "Churn", CHURN)])
    two = _persona("two", "CISO", role="blocker", objections=[_item("objection-1", "S", SECURITY)])
    new = [two.model_copy(update={"id": "z"}), one.model_copy(update={"id": "y"})]
    assert match_personas([one, two], new) == {0: 1, 1: 0}
    first = refresh_personas([one, two], new, "h", WHEN)
    again = refresh_personas([one, two], list(reversed(new)), "h", WHEN)
    assert sorted(p.id for p in first.personas) == sorted(p.id for p in again.personas)
    assert first.changelog == refresh_personas([one, two], new, "h", WHEN).changelog


def test_same_title_matches_without_shared_quotes_other_title_and_role_does_not() -> None:
    before = _persona("cfo", "CFO", pain_points=[_item("pain-1", "Churn", CHURN)])
    same_title = _persona("q", "CFO", role="champion", goals=[_item("goal-1", "F", FORECAST)])
    other = _persona("q", "Data lead", role="champion", goals=[_item("goal-1", "F", FORECAST)])
    assert match_personas([before], [same_title]) == {0: 0}
    assert match_personas([before], [other]) == {}
