"""Copy response models: hard limits, tokens, claims, distinct variants and traceability."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from personagen.channels import channel_ids, get_channel
from personagen.models.brief import Brief
from personagen.models.copy import (
    DRAFT_MODELS,
    BattlecardDraft,
    EmailSequenceDraft,
    EmailStep,
    GoogleRSA,
    GoogleRSADraft,
    LinkedInAd,
    LinkedInAdDraft,
    MetaAd,
    MetaAdDraft,
    ObjectionHandling,
    XPost,
    XPostDraft,
    copy_context,
    copy_warnings,
)

ITEM_IDS = {"pain-1", "pain-2", "goal-1", "objection-1", "objection-2"}

BRIEF_DATA: dict[str, Any] = {
    "id": "q3-close",
    "product": {"name": "Ledgerly", "description": "Month-end close software for controllers."},
    "value_propositions": ["Close the books faster", "Audit-ready by default"],
    "offer": {
        "name": "14-day free trial",
        "call_to_action": "Book a 20-minute demo",
        "url": "https://ledgerly.example/demo",
    },
    "proof_points": [
        {
            "id": "close-time",
            "text": "Acme cut month-end close from 10 days to 4 days, 60% faster.",
            "source": "Acme case study, 2024",
        },
        {
            "id": "audit-fees",
            "text": "Customers saved $2M in audit fees in their first year.",
            "source": "Customer survey",
        },
    ],
    "customers_allowed": ["Acme"],
    "customers_forbidden": ["Initech"],
    "voice": {"tone": "plain, direct", "banned_phrases": ["synergy"]},
    "email_compliance": {
        "sender_name": "Sam Rivera",
        "postal_address": "100 Main St, Suite 400, Springfield, IL 62701",
        "opt_out_text": "Reply STOP to opt out",
    },
}


@pytest.fixture
def brief() -> Brief:
    return Brief.model_validate(BRIEF_DATA)


@pytest.fixture
def context(brief: Brief) -> dict[str, object]:
    return copy_context(brief, ITEM_IDS)


def _words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def rsa(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "headlines": ["Close in 4 days, not 10", "Audit-ready by default", "Book a 20-minute demo"],
        "descriptions": [
            "Controllers close 60% faster with Ledgerly.",
            "Start a 14-day free trial today.",
        ],
        "path1": "finance",
        "path2": "close",
        "addresses": ["pain-1"],
    }
    return data | overrides


def linkedin(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "intro_text": "Month-end close eats your first week. Acme cut it from 10 days to 4.",
        "headline": "Close the books in 4 days",
        "description": "See how controllers close faster",
        "addresses": ["pain-1", "goal-1"],
    }
    return data | overrides


def meta(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "primary_text": "Still closing the books on day 10? Acme closes on day 4.",
        "headline": "Close the books in 4 days",
        "description": "Start a 14-day free trial",
        "addresses": ["pain-2"],
    }
    return data | overrides


def step(day: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "day_offset": day,
        "subject": "Your close on day 10",
        "preheader": "Acme closes on day 4 now. Here is the one change they made to get there.",
        "body": "Hi {{first_name}}, " + _words(60, "close"),
        "call_to_action": "Book a 20-minute demo",
        "addresses": ["pain-1"],
    }
    return data | overrides


def objection(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "objection_id": "objection-1",
        "objection": "We tried 3 tools and none stuck.",
        "buying_stage": "consideration",
        "why_they_raise_it": "A failed rollout cost them a quarter of credibility.",
        "response": {
            "acknowledge": "A rollout that does not stick is expensive.",
            "reframe": "The risk is the rollout, not the tool.",
            "proof": "Acme cut close from 10 days to 4 days.",
            "question": "What made the last rollout stall?",
        },
        "proof_point_ids": ["close-time"],
    }
    return data | overrides


def messages(error: ValidationError) -> str:
    return "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


# --- the registry and the models agree ----------------------------------------------------

SINGLE_MODELS: dict[str, type[BaseModel]] = {
    "google_rsa": GoogleRSA,
    "linkedin": LinkedInAd,
    "meta": MetaAd,
    "x": XPost,
    "email": EmailStep,
    "objections": BattlecardDraft,
}


@pytest.mark.parametrize("channel_id", channel_ids())
def test_every_registry_field_is_a_model_field(channel_id: str) -> None:
    model = SINGLE_MODELS[channel_id]
    assert set(get_channel(channel_id).field_names()) <= set(model.model_fields)
    assert channel_id in DRAFT_MODELS


def test_descriptions_carry_the_registry_limits() -> None:
    headlines = GoogleRSA.model_fields["headlines"].description or ""
    assert "3 to 15" in headlines and "30 characters" in headlines
    assert "23 characters" in (XPost.model_fields["text"].description or "")


# --- valid drafts -------------------------------------------------------------------------


def test_valid_drafts_pass(context: dict[str, object]) -> None:
    GoogleRSADraft.model_validate({"variants": [rsa()]}, context=context)
    LinkedInAdDraft.model_validate({"variants": [linkedin()]}, context=context)
    MetaAdDraft.model_validate({"variants": [meta()]}, context=context)
    XPostDraft.model_validate(
        {
            "variants": [
                {"text": "Close in 4 days. https://ledgerly.example/demo", "addresses": ["goal-1"]}
            ]
        },
        context=context,
    )
    EmailSequenceDraft.model_validate(
        {
            "steps": [
                step(0),
                step(
                    3,
                    subject="Audit fees",
                    preheader="Customers saved $2M in audit fees in their first year with us.",
                    body="{{first_name}}, " + _words(60, "audit"),
                ),
            ]
        },
        context=context,
    )
    BattlecardDraft.model_validate(
        {"talk_track": _words(100), "objections": [objection()]}, context=context
    )


def test_checks_needing_context_are_skipped_without_it() -> None:
    GoogleRSA.model_validate(rsa(headlines=["Save 99% now", "B", "C"], addresses=["nope-1"]))


# --- hard limits at the boundary ----------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "make", "field", "limit"),
    [
        (LinkedInAd, linkedin, "intro_text", 600),
        (LinkedInAd, linkedin, "headline", 200),
        (LinkedInAd, linkedin, "description", 300),
        (MetaAd, meta, "primary_text", 2200),
        (MetaAd, meta, "headline", 255),
        (MetaAd, meta, "description", 255),
        (GoogleRSA, rsa, "path1", 15),
        (GoogleRSA, rsa, "path2", 15),
    ],
)
def test_single_field_boundaries(
    model: type[BaseModel], make: Any, field: str, limit: int, context: dict[str, object]
) -> None:
    model.model_validate(make(**{field: "a" * limit}), context=context)
    with pytest.raises(ValidationError) as caught:
        model.model_validate(make(**{field: "a" * (limit + 1)}), context=context)
    text = messages(caught.value)
    assert text.startswith(f"{field}: Value error, ")
    assert f"is {limit + 1:,} characters" in text and f"at most {limit:,}" in text


@pytest.mark.parametrize(("field", "limit"), [("headlines", 30), ("descriptions", 90)])
def test_rsa_item_boundaries(field: str, limit: int, context: dict[str, object]) -> None:
    items = list(rsa()[field])
    GoogleRSA.model_validate(rsa(**{field: [*items[:-1], "a" * limit]}), context=context)
    with pytest.raises(ValidationError) as caught:
        GoogleRSA.model_validate(rsa(**{field: [*items[:-1], "a" * (limit + 1)]}), context=context)
    position = len(items)
    assert f"{field[:-1]} {position} is {limit + 1} characters" in messages(caught.value)


def test_rsa_counts_uniqueness_and_paths(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="2 given; Google RSA needs 3 to 15 headlines"):
        GoogleRSA.model_validate(rsa(headlines=["One line", "Two line"]), context=context)
    with pytest.raises(ValidationError, match="headline 3 repeats headline 1"):
        GoogleRSA.model_validate(
            rsa(headlines=["Close fast", "Audit ready", "CLOSE FAST"]), context=context
        )
    with pytest.raises(ValidationError, match="path2 is set but path1 is empty"):
        GoogleRSA.model_validate(rsa(path1=""), context=context)
    GoogleRSA.model_validate(rsa(path1="", path2=""), context=context)


def test_x_link_counts_as_23(context: dict[str, object]) -> None:
    link = "https://ledgerly.example/" + "p" * 100
    at_limit = "a" * (280 - 24) + " " + link
    XPost.model_validate({"text": at_limit, "addresses": ["pain-1"]}, context=context)
    with pytest.raises(ValidationError, match=r"281 characters \(each link counts as 23\)"):
        XPost.model_validate({"text": "a" + at_limit, "addresses": ["pain-1"]}, context=context)


@pytest.mark.parametrize(("field", "limit"), [("subject", 100), ("preheader", 150)])
def test_email_boundaries(field: str, limit: int, context: dict[str, object]) -> None:
    EmailStep.model_validate(step(0, **{field: "a" * limit}), context=context)
    with pytest.raises(ValidationError, match=f"{field} is {limit + 1} characters"):
        EmailStep.model_validate(step(0, **{field: "a" * (limit + 1)}), context=context)


def test_talk_track_word_limit(context: dict[str, object]) -> None:
    BattlecardDraft.model_validate(
        {"talk_track": _words(120), "objections": [objection()]}, context=context
    )
    with pytest.raises(ValidationError, match="talk track is 121 words"):
        BattlecardDraft.model_validate(
            {"talk_track": _words(121), "objections": [objection()]}, context=context
        )


def test_empty_required_text_is_rejected(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="headline is empty"):
        LinkedInAd.model_validate(linkedin(headline="   "), context=context)
    with pytest.raises(ValidationError, match=r"headlines\[2\] is empty"):
        GoogleRSA.model_validate(rsa(headlines=["One", "", "Three"]), context=context)


# --- recommended limits are warnings, not errors ------------------------------------------


def test_recommended_overruns_are_warnings(context: dict[str, object]) -> None:
    draft = LinkedInAdDraft.model_validate(
        {"variants": [linkedin(), linkedin(intro_text="b " * 100, headline="Audit-ready " * 7)]},
        context=context,
    )
    found = copy_warnings("linkedin", draft)
    assert [(f.field, f.rule) for f in found] == [
        ("variants[2].intro_text", "length-recommended-max"),
        ("variants[2].headline", "length-recommended-max"),
    ]
    assert all(f.severity == "warning" for f in found)


def test_email_warnings_have_step_paths(context: dict[str, object]) -> None:
    sequence = EmailSequenceDraft.model_validate(
        {"steps": [step(0, subject="s" * 60, preheader="Short one")]}, context=context
    )
    assert [(f.field, f.rule) for f in copy_warnings("email", sequence)] == [
        ("steps[1].subject", "length-recommended-max"),
        ("steps[1].preheader", "length-recommended-min"),
    ]


# --- tokens -------------------------------------------------------------------------------


def test_allowed_tokens_pass(context: dict[str, object]) -> None:
    body = "Hi {{first_name}} at {{company}}, " + _words(55, "close") + " {{sender_name}}"
    EmailStep.model_validate(step(0, body=body), context=context)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hi {{industry}}, " + _words(55), "token '{{industry}}' is not allowed"),
        (
            "Hi {first_name}, " + _words(55),
            "token '{first_name}' is malformed; write '{{first_name}}'",
        ),
        ("Hi {{ First Name }}, " + _words(55), "is malformed; write '{{first_name}}'"),
    ],
)
def test_bad_tokens_are_rejected(body: str, expected: str, context: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        EmailStep.model_validate(step(0, body=body), context=context)
    assert "body: Value error, body: " in messages(caught.value)
    assert expected in messages(caught.value)


# --- claims guard -------------------------------------------------------------------------


def test_proof_and_offer_figures_pass(context: dict[str, object]) -> None:
    LinkedInAd.model_validate(
        linkedin(intro_text="Save $2 million in audit fees. Try it free for 14 days."),
        context=context,
    )


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Close 75% faster", "75%"),
        ("Join 500 controllers", "500"),
        ("Save $3M on audits", "$3M"),
        ("Reconcile 5x more", "5x"),
        ("Live in 3 weeks", "3 weeks"),
    ],
)
def test_invented_figures_are_rejected(text: str, figure: str, context: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        MetaAd.model_validate(meta(headline=text), context=context)
    assert f"headline: Value error, headline: figure '{figure}' does not appear" in messages(
        caught.value
    )


def test_claims_guard_checks_list_items_by_position(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match=r"headlines\[2\]: figure '45%'"):
        GoogleRSA.model_validate(
            rsa(headlines=["Close in 4 days", "Close 45% faster", "Audit-ready"]), context=context
        )


def test_customers(context: dict[str, object]) -> None:
    MetaAd.model_validate(meta(primary_text="Trusted by Acme's finance team."), context=context)
    with pytest.raises(ValidationError, match="names customer 'Globex'"):
        MetaAd.model_validate(meta(primary_text="Trusted by Globex and Acme."), context=context)
    with pytest.raises(ValidationError, match="names 'Initech', which the brief forbids"):
        MetaAd.model_validate(meta(primary_text="Unlike Initech, we stick."), context=context)


def test_tokens_and_urls_are_not_claims(context: dict[str, object]) -> None:
    XPost.model_validate(
        {
            "text": "{{first_name}}, see https://ledgerly.example/s/2024?d=3",
            "addresses": ["pain-1"],
        },
        context=context,
    )


def test_postal_address_in_body_is_not_a_claim(context: dict[str, object]) -> None:
    body = _words(55, "close") + " Ledgerly, 100 Main St, Suite 400, Springfield, IL 62701"
    EmailStep.model_validate(step(0, body=body), context=context)


# --- distinct variants --------------------------------------------------------------------


def test_near_duplicate_variants_are_rejected(context: dict[str, object]) -> None:
    twin = linkedin(description="See how controllers close much faster")
    with pytest.raises(ValidationError) as caught:
        LinkedInAdDraft.model_validate({"variants": [linkedin(), twin]}, context=context)
    text = messages(caught.value)
    assert "variants 1 and 2 share" in text and "limit 60%" in text
    assert "rewrite variant 2 with a different angle" in text


def test_variant_count_must_match_context(brief: Brief) -> None:
    other = meta(
        primary_text="Audit season without the scramble.",
        headline="Audit-ready by default",
        description="Free 14-day trial",
    )
    context = copy_context(brief, ITEM_IDS, variants=3)
    with pytest.raises(ValidationError, match="2 variants given; write exactly 3"):
        MetaAdDraft.model_validate({"variants": [meta(), other]}, context=context)
    MetaAdDraft.model_validate(
        {"variants": [meta(), other]}, context=copy_context(brief, ITEM_IDS, 2)
    )


# --- e-mail sequence ----------------------------------------------------------------------


def test_sequence_starts_at_day_zero(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="step 1 has day_offset 2; the first must be 0"):
        EmailSequenceDraft.model_validate({"steps": [step(2)]}, context=context)


def test_sequence_offsets_strictly_increase(context: dict[str, object]) -> None:
    second = step(0, subject="Audit fees", body="{{first_name}}, " + _words(60, "audit"))
    with pytest.raises(ValidationError, match="step 2 has day_offset 0, not after step 1"):
        EmailSequenceDraft.model_validate({"steps": [step(0), second]}, context=context)


def test_sequence_steps_must_differ(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="steps 1 and 2 share 100% of their words"):
        EmailSequenceDraft.model_validate({"steps": [step(0), step(3)]}, context=context)


# --- traceability -------------------------------------------------------------------------


def test_addresses_must_be_persona_items(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="unknown persona item ids in addresses: 'pain-9'"):
        MetaAd.model_validate(meta(addresses=["pain-1", "pain-9"]), context=context)
    with pytest.raises(ValidationError, match="at least 1 item"):
        MetaAd.model_validate(meta(addresses=[]), context=context)


def test_objection_proof_ids_must_exist(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="proof_point_ids 'made-up' are not in the brief"):
        ObjectionHandling.model_validate(objection(proof_point_ids=["made-up"]), context=context)


def test_objection_id_must_be_a_persona_objection(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="use one of: objection-1, objection-2"):
        ObjectionHandling.model_validate(objection(objection_id="pain-1"), context=context)
    with pytest.raises(ValidationError, match="'objection-9' is not an objection"):
        ObjectionHandling.model_validate(objection(objection_id="objection-9"), context=context)


def test_objection_response_rules(context: dict[str, object]) -> None:
    reply = objection()["response"] | {"question": "Tell me about the last rollout."}
    with pytest.raises(ValidationError, match="does not end with '\\?'"):
        ObjectionHandling.model_validate(objection(response=reply), context=context)
    invented = objection()["response"] | {"proof": "Rollouts take 3 weeks."}
    with pytest.raises(ValidationError, match=r"response\.proof"):
        ObjectionHandling.model_validate(objection(response=invented), context=context)


def test_objection_stage_is_constrained(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="buying_stage"):
        ObjectionHandling.model_validate(objection(buying_stage="negotiation"), context=context)


def test_battlecard_answers_each_objection_once(context: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="objections repeated: objection-1"):
        BattlecardDraft.model_validate(
            {"talk_track": _words(50), "objections": [objection(), objection()]}, context=context
        )


# --- the brief ----------------------------------------------------------------------------


def test_brief_helpers(brief: Brief) -> None:
    assert brief.proof_ids() == {"close-time", "audit-fees"}
    sources = brief.claims_context()
    assert sources["allowed_customers"] == ["Acme"]
    assert sources["known_customers"] == ["Initech"]
    assert sources["own_names"] == ["Ledgerly", "Sam Rivera"]
    assert "14-day free trial" in sources["proof_texts"]
    assert brief.voice.max_reading_grade == 9


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"offer": BRIEF_DATA["offer"] | {"url": "ftp://ledgerly.example"}}, "not an http"),
        (
            {"proof_points": BRIEF_DATA["proof_points"] + [BRIEF_DATA["proof_points"][0]]},
            "proof point ids must be unique; repeated: close-time",
        ),
        ({"customers_forbidden": ["acme"]}, "customers both allowed and forbidden: acme"),
        ({"surprise": True}, "Extra inputs are not permitted"),
    ],
)
def test_brief_rejects(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        Brief.model_validate(BRIEF_DATA | change)
