"""Pure checks: limits, tokens, the claims guard, similarity, phrases and reading grade."""

from __future__ import annotations

from decimal import Decimal

import pytest

from personagen.checks.claims import (
    extract_figures,
    find_unsupported_claims,
    named_customers,
    unsupported_figures,
)
from personagen.checks.findings import Finding, errors, warnings
from personagen.checks.limits import check_fields, check_items, check_length
from personagen.checks.phrases import ai_phrases, find_phrases
from personagen.checks.readability import reading_grade
from personagen.checks.similarity import near_duplicates, token_overlap
from personagen.checks.tokens import ALLOWED_TOKENS, token_problems, unknown_tokens

# --- limits -------------------------------------------------------------------------------


def test_length_message_names_field_length_and_limit() -> None:
    [finding] = check_length("google_rsa", "headlines", "x" * 34, index=2)
    assert finding == Finding(
        rule="length-hard-max",
        severity="error",
        field="headlines[2]",
        message="headline 2 is 34 characters; Google RSA headlines may have at most 30",
        fix="cut at least 4 characters",
    )


def test_recommended_overrun_is_a_warning_only() -> None:
    [finding] = check_length("linkedin", "intro_text", "x" * 151, prefix="variants[1].")
    assert finding.severity == "warning"
    assert finding.field == "variants[1].intro_text"
    assert finding.message == (
        "introductory text is 151 characters, over the 150 LinkedIn recommends for "
        "introductory text"
    )
    assert check_length("linkedin", "intro_text", "x" * 150) == []


def test_hard_overrun_does_not_also_warn() -> None:
    findings = check_length("linkedin", "intro_text", "x" * 601)
    assert [f.rule for f in findings] == ["length-hard-max"]


def test_recommended_minimum_warns() -> None:
    [finding] = check_length("email", "preheader", "x" * 39)
    assert (finding.rule, finding.severity) == ("length-recommended-min", "warning")
    assert check_length("email", "preheader", "x" * 40) == []


def test_subject_may_not_be_empty() -> None:
    [finding] = check_fields("email", {"subject": ""})
    assert finding.rule == "length-hard-min"


@pytest.mark.parametrize(("count", "ok"), [(2, False), (3, True), (15, True), (16, False)])
def test_headline_counts(count: int, ok: bool) -> None:
    headlines = [f"Headline {chr(65 + i)}" for i in range(count)]
    findings = errors(check_items("google_rsa", "headlines", headlines))
    assert (findings == []) is ok
    if not ok:
        assert findings[0].message == (f"{count} given; Google RSA needs 3 to 15 headlines")


@pytest.mark.parametrize(("count", "ok"), [(1, False), (2, True), (4, True), (5, False)])
def test_description_counts(count: int, ok: bool) -> None:
    descriptions = [f"Description {chr(65 + i)}" for i in range(count)]
    assert (errors(check_items("google_rsa", "descriptions", descriptions)) == []) is ok


def test_headlines_must_be_unique_ignoring_case_and_spacing() -> None:
    findings = check_items(
        "google_rsa", "headlines", ["Close faster", "Audit ready", "close  FASTER"]
    )
    [duplicate] = findings
    assert duplicate.rule == "duplicate-item"
    assert duplicate.field == "headlines[3]"
    assert "headline 3 repeats headline 1" in duplicate.message


def test_path2_needs_path1() -> None:
    [finding] = check_fields("google_rsa", {"path1": "", "path2": "close"})
    assert finding.rule == "requires-field"
    assert check_fields("google_rsa", {"path1": "finance", "path2": "close"}) == []
    assert check_fields("google_rsa", {"path1": "", "path2": ""}) == []
    assert check_fields("google_rsa", {"path1": "finance", "path2": ""}) == []


def test_findings_split_by_severity() -> None:
    findings = check_length("linkedin", "intro_text", "x" * 151) + check_length(
        "linkedin", "headline", "x" * 201
    )
    assert [f.rule for f in errors(findings)] == ["length-hard-max"]
    assert [f.rule for f in warnings(findings)] == ["length-recommended-max"]


# --- tokens -------------------------------------------------------------------------------


def test_allowed_tokens_pass() -> None:
    text = " ".join("{{" + name + "}}" for name in ALLOWED_TOKENS)
    assert unknown_tokens(text) == []
    assert token_problems(text) == []


def test_unknown_token_is_reported() -> None:
    assert unknown_tokens("Hi {{first_name}} from {{industry}}") == ["{{industry}}"]
    [problem] = token_problems("Hi {{industry}}")
    assert problem.startswith("token '{{industry}}' is not allowed; use only {{first_name}}")


@pytest.mark.parametrize(
    "raw",
    ["{first_name}", "{{ First Name }}", "{{FIRST_NAME}}", "{{first_name}", "[First Name]"],
)
def test_malformed_tokens_get_the_canonical_form(raw: str) -> None:
    assert unknown_tokens(f"Hi {raw}, quick one") == [raw]
    assert token_problems(f"Hi {raw}") == [
        f"token {raw!r} is malformed; write '{{{{first_name}}}}'"
    ]


def test_other_merge_syntaxes_are_caught() -> None:
    assert unknown_tokens("Hi *|FNAME|* and %FIRSTNAME%") == ["*|FNAME|*", "%FIRSTNAME%"]


def test_markdown_links_and_percentages_are_not_tokens() -> None:
    assert unknown_tokens("See [the case study](https://x.io) for 40% and 50% wins") == []


# --- claims guard -------------------------------------------------------------------------

PROOFS = [
    "Acme cut month-end close from 10 days to 4 days, 60% faster.",
    "Globex saved $2M in audit fees in the first year.",
    "Teams reconcile 3x more accounts per analyst; onboarding takes 2 weeks.",
    "9 out of 10 controllers renewed.",
]


def _keys(text: str) -> list[tuple[str, str, Decimal, Decimal]]:
    return [f.key for f in extract_figures(text)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("40%", "40 percent"),
        ("40%", "40 per cent"),
        ("$2M", "$2 million"),
        ("$2M", "$2,000,000"),
        ("$2M", "USD 2M"),
        ("$2M", "2 million dollars"),
        ("€300k", "€300,000"),
        ("1.5 million", "1,500,000"),
        ("1.5M", "1.5 million"),
        ("3x", "3×"),
        ("3x", "3 times"),
        ("3x", "three times"),
        ("48 hours", "2 days"),
        ("48-hour", "48 hours"),
        ("2 weeks", "14 days"),
        ("two weeks", "2 weeks"),
        ("1 year", "12 months"),
        ("9/10", "9 out of 10"),
        ("20-30%", "20 to 30 percent"),
        ("$1-2M", "$1M–$2M"),
    ],
)
def test_figures_normalise(a: str, b: str) -> None:
    assert _keys(a) == _keys(b)
    assert len(_keys(a)) == 1


@pytest.mark.parametrize(("a", "b"), [("40", "40%"), ("2 million", "$2M"), ("$2M", "€2M")])
def test_figure_kinds_differ(a: str, b: str) -> None:
    assert _keys(a) != _keys(b)


@pytest.mark.parametrize(
    "text",
    [
        "Hi {{first_name}}, see https://ledgerly.example/demo?step=2&day=3",
        "www.ledgerly.example/2024 or ana@ledgerly2.example",
        "B2B teams plan Q3 on G2 with 2FA",
        "Your 1st and 2nd reminders",
        "Free for a 1:1 or a 1-on-1 at 3pm or 10:30?",
        "one of the teams we know",
        "v1.5 of the product",
    ],
)
def test_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_figure_from_a_proof_point_is_allowed() -> None:
    assert find_unsupported_claims("Close 60% faster, in 4 days.", PROOFS) == []
    assert find_unsupported_claims("Save $2 million in audit fees", PROOFS) == []
    assert find_unsupported_claims("Reconcile three times more accounts", PROOFS) == []
    assert find_unsupported_claims("Live in 14 days", PROOFS) == []
    assert find_unsupported_claims("Nine in ten? 9 out of 10 renew.", PROOFS) == []


def test_bare_number_may_restate_a_proof_figure() -> None:
    assert find_unsupported_claims("Still closing on day 10?", PROOFS) == []
    [problem] = find_unsupported_claims("Still closing on day 12?", PROOFS)
    assert "'12'" in problem
    # with a unit, the kind must match: 60% is in the proofs, 60 days is not
    [problem] = find_unsupported_claims("Close within 60 days", PROOFS)
    assert "'60 days'" in problem


def test_invented_figure_is_flagged() -> None:
    [problem] = find_unsupported_claims("Trusted by 500 finance teams", PROOFS)
    assert problem.startswith("figure '500' does not appear in any proof point")


def test_invented_percentage_is_flagged() -> None:
    [problem] = find_unsupported_claims("Close 45% faster", PROOFS)
    assert "'45%'" in problem


def test_invented_currency_and_multiplier_are_flagged() -> None:
    problems = find_unsupported_claims("Save €2M and work 5x faster", PROOFS)
    assert [p.split("'")[1] for p in problems] == ["€2M", "5x"]


def test_invented_time_claim_is_flagged() -> None:
    [problem] = find_unsupported_claims("Go live in 3 weeks", PROOFS)
    assert "'3 weeks'" in problem
    assert find_unsupported_claims("Go live in 2 weeks", PROOFS) == []


def test_ranges() -> None:
    # both ends stated in the proofs
    assert unsupported_figures("Close in 4-10 days", PROOFS) == []
    # a single figure may be one end of a proof range
    assert unsupported_figures("Teams take 20%", ["Teams save 20-30%"]) == []
    assert [f.text for f in unsupported_figures("Save 20-40%", ["Teams save 20-30%"])] == ["20-40%"]


def test_tokens_and_urls_are_not_claims() -> None:
    text = "Hi {{first_name}}, book here: https://ledgerly.example/demo/step-2?day=14"
    assert find_unsupported_claims(text, PROOFS) == []


def test_each_unsupported_figure_is_reported_once() -> None:
    assert len(find_unsupported_claims("50% here, 50% there", PROOFS)) == 1


def test_allowed_customer_passes_unknown_customer_is_flagged() -> None:
    allowed = ["Acme", "Bank of America"]
    assert find_unsupported_claims("Trusted by Acme.", [], allowed) == []
    assert find_unsupported_claims("Companies like Bank of America", [], allowed) == []
    assert find_unsupported_claims("Teams like Acme Corp close faster", [], allowed) == []
    [problem] = find_unsupported_claims("Trusted by Acme and Stripe.", [], allowed)
    assert problem == (
        "names customer 'Stripe', who is not in the brief's customers_allowed "
        "(Acme, Bank of America); name only allowed customers, or none"
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Trusted by Stripe, Notion and Ramp.", ["Stripe", "Notion", "Ramp"]),
        ("Companies like Stripe close in days", ["Stripe"]),
        ("Teams such as Ramp and Brex", ["Ramp", "Brex"]),
        ("We helped Initech cut close time", ["Initech"]),
        ("Globex uses Ledgerly every day", ["Globex"]),
        ("Stripe's finance team closed faster", ["Stripe"]),
        ("Finance uses Ledgerly; Ledgerly's team helps", []),
        ("Companies like yours close faster", []),
        ("Used by finance teams on Monday's close", []),
        ("Hi {{first_name}}, we help {{company}} close", []),
    ],
)
def test_named_customer_detection(text: str, names: list[str]) -> None:
    assert named_customers(text, own_names=["Ledgerly"]) == names


def test_forbidden_customers_are_flagged_anywhere() -> None:
    [problem] = find_unsupported_claims(
        "Unlike Initech, we show our work", [], ["Acme"], known_customers=["Initech"]
    )
    assert problem == "names 'Initech', which the brief forbids; remove it"
    # in a URL it is not a claim
    assert find_unsupported_claims("https://initech.example", [], [], ["Initech"]) == []


def test_product_and_sender_are_not_customers() -> None:
    text = "Trusted by Ledgerly customers. Ask Sam Rivera."
    assert find_unsupported_claims(text, [], [], own_names=["Ledgerly", "Sam Rivera"]) == []


# --- similarity ---------------------------------------------------------------------------


def test_token_overlap() -> None:
    assert token_overlap("Close the books faster", "close the BOOKS faster") == 1.0
    assert token_overlap("Close the books", "Audit trail ready") == 0.0
    # {close, books, faster} & {close, books, sooner}: 2 shared of 4
    assert token_overlap("Close books faster", "Close books sooner") == 0.5
    assert token_overlap("", "") == 1.0
    assert token_overlap("", "words") == 0.0


def test_token_overlap_folds_curly_quotes() -> None:
    assert token_overlap("Don\u2019t wait", "don't wait") == 1.0


def test_near_duplicates_at_and_above_threshold() -> None:
    texts = [
        "Close your books in four days",
        "Close your books in four short days",
        "Audit trails your controller will love",
    ]
    [(i, j, overlap)] = near_duplicates(texts)
    assert (i, j) == (0, 1)
    assert overlap == pytest.approx(6 / 7)
    assert near_duplicates(texts, threshold=0.9) == []
    assert near_duplicates(["a b c", "a b d e"], threshold=0.4) == [(0, 1, 0.4)]


# --- phrases ------------------------------------------------------------------------------


def test_ai_phrase_list_is_maintained() -> None:
    phrases = ai_phrases()
    assert len(phrases) >= 25
    assert all(p.suggestion for p in phrases)


@pytest.mark.parametrize(
    "text",
    [
        "In today\u2019s fast-paced world, close faster.",
        "Unlock the power of reconciliation.",
        "A real game changer for controllers.",
        "Here\u2019s the thing: close is slow.",
        "Let us delve into your close.",
        "Elevate your finance team.",
        "Sync seamlessly with your ERP.",
        "We are revolutionizing month-end.",
        "Cutting-edge matching.",
        "Look no further.",
        "In the ever-evolving world of finance...",
        "We navigate the complexities of close.",
        "It's not just a tool, it's a partner.",
        "It is not only about speed — it is about trust.",
    ],
)
def test_ai_phrases_found(text: str) -> None:
    findings = find_phrases(text, [], field="variants[1].primary_text")
    assert [f.rule for f in findings] == ["ai-phrase"]
    assert findings[0].severity == "warning"
    assert findings[0].field == "variants[1].primary_text"
    assert findings[0].fix


def test_plain_copy_has_no_phrases() -> None:
    text = "Your controllers close in 4 days instead of 10. Book a 20-minute demo."
    assert find_phrases(text, ["synergy", "best-in-class"]) == []


def test_banned_phrases_are_errors_case_and_quote_insensitive() -> None:
    findings = find_phrases("Our Best In Class close", ["best-in-class"])
    # 'best-in-class' is on the AI list too: one error from the brief, one warning
    assert [(f.rule, f.severity) for f in findings] == [
        ("banned-phrase", "error"),
        ("ai-phrase", "warning"),
    ]
    finding = findings[0]
    assert finding.message == "'best in class' is a phrase the brief's voice bans"
    [finding] = find_phrases("We don\u2019t do hype", ["don't do"])
    assert finding.rule == "banned-phrase"


def test_phrases_match_whole_words_only() -> None:
    assert find_phrases("He said the close was fine", ["AI"]) == []
    assert find_phrases("Seamlessness is a word", []) == []


# --- readability --------------------------------------------------------------------------


def test_reading_grade_orders_simple_below_complex() -> None:
    simple = reading_grade("Close your books in four days. Your team goes home on time.")
    complex_ = reading_grade(
        "Our comprehensive reconciliation infrastructure operationalizes organizational "
        "interoperability across heterogeneous enterprise resource planning environments."
    )
    assert 0.0 <= simple < 9.0 < complex_


def test_reading_grade_ignores_tokens_and_urls() -> None:
    plain = reading_grade("Hi there. Close your books in four days.")
    tokens = reading_grade(
        "Hi {{first_name}}. Close your books in four days. https://ledgerly.example/demo"
    )
    assert tokens == plain


def test_reading_grade_of_empty_text_is_zero() -> None:
    assert reading_grade("") == 0.0
    assert reading_grade("{{first_name}}") == 0.0


def test_reading_grade_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("reading_grade tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", no_network)
    assert reading_grade("A brand new sentence that nobody graded before today.") > 0


def test_a_customer_name_stops_at_the_end_of_its_sentence() -> None:
    from personagen.checks.claims import named_customers

    assert named_customers("Trusted by Acme Corp. Hi {{first_name}}, quick question.") == [
        "Acme Corp"
    ]
