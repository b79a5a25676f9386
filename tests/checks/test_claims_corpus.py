"""The claims guard on a corpus of hostile and benign copy, and the parts it is built from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from personagen.checks.claims import extract_figures, find_unsupported_claims, named_customers
from personagen.checks.confusables import find_lookalike, plain_text, skeleton
from personagen.checks.figure_words import spell_digits, vague_amounts
from personagen.models.brief import Brief
from tests.checks.claims_corpus import ALLOWED, BENIGN, FOOTER, FORBIDDEN, HOSTILE, OWN, PROOFS


def _problems(text: str) -> list[str]:
    return find_unsupported_claims(text, PROOFS, ALLOWED, FORBIDDEN, OWN, footer_texts=FOOTER)


def test_the_corpus_is_big_enough() -> None:
    assert len(HOSTILE) >= 60 and len(BENIGN) >= 40
    assert len(set(BENIGN)) == len(BENIGN)


@pytest.mark.parametrize(("text", "quoted"), HOSTILE)
def test_hostile_copy_is_flagged_for_its_claim(text: str, quoted: str) -> None:
    problems = _problems(text)
    assert any(f"'{quoted}'" in p or f"'{quoted} " in p for p in problems), problems


@pytest.mark.parametrize("text", BENIGN)
def test_benign_copy_passes(text: str) -> None:
    assert _problems(text) == []


# --- look-alike letters and hidden characters ---------------------------------------------


@pytest.mark.parametrize(
    "disguised",
    [
        "\u0405tripe",  # Cyrillic Dze
        "Str\u0456pe",  # Cyrillic i
        "Str\u00adipe",  # soft hyphen
        "Str\u200bipe",  # zero-width space
        "Str\u200dipe",  # zero-width joiner
        "Str\ufeffipe",  # byte order mark
        "\uff33\uff54\uff52\uff49\uff50\uff45",  # full width
        "\U0001d412\U0001d42d\U0001d42b\U0001d422\U0001d429\U0001d41e",  # mathematical bold
        "STRIPE",
        "Strípe",  # an added accent
        "S t r i p e",
        "S.t.r.i.p.e",
    ],
)
def test_skeleton_sees_through_disguises(disguised: str) -> None:
    assert find_lookalike("Stripe", f"Unlike {disguised}, we are simple.") == [disguised]


def test_skeleton_keeps_different_names_apart() -> None:
    assert skeleton("Stripe") != skeleton("Stride")
    assert find_lookalike("Stripe", "Stripes and striped shirts, pinstripe") == []
    assert find_lookalike("Ramp", "r a m b l e, ra mp") == []


def test_disguised_forbidden_name_says_so() -> None:
    [problem] = find_unsupported_claims("Unlike Ini\u200btech, we ship.", [], [], ["Initech"])
    assert problem == (
        "names 'Initech' (written with look-alike letters or hidden characters), which the "
        "brief forbids; remove it"
    )


def test_plain_text_leaves_other_scripts_alone() -> None:
    assert plain_text("Привет, мир. Γειά σου.") == "Привет, мир. Γειά σου."
    assert plain_text("\u0405tripe 5\u0445 \u0406nitech") == "Stripe 5x Initech"
    # a word of look-alikes only: made Latin in Latin text, kept in Greek prose
    assert plain_text("Trusted by \u0405\u0422R\u0406\u0420\u0415") == "Trusted by STRIPE"
    assert plain_text("\u0391\u0392\u0393") == "\u0391\u0392\u0393"


def test_a_disguised_unknown_customer_is_still_a_customer() -> None:
    assert named_customers("Trusted by \u0397oo\u200bli.") == ["Hooli"]


# --- figures in words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("a million dollars", "money", Decimal(10**6)),
        ("five thousand dollars", "money", Decimal(5000)),
        ("two hundred and fifty teams", "number", Decimal(250)),
        ("forty-five percent", "percent", Decimal(45)),
        ("tenfold", "multiplier", Decimal(10)),
        ("a 4-fold return", "multiplier", Decimal(4)),
        ("x2 the output", "multiplier", Decimal(2)),
        ("double your pipeline", "multiplier", Decimal(2)),
        ("revenue tripled", "multiplier", Decimal(3)),
        ("twice as fast", "multiplier", Decimal(2)),
        ("cut it in half", "ratio", Decimal("0.5")),
        ("halve the work", "ratio", Decimal("0.5")),
        ("two-thirds of teams", "ratio", Decimal(2) / Decimal(3)),
        ("by a quarter", "ratio", Decimal("0.25")),
        ("one in five", "ratio", Decimal("0.2")),
        ("in a week", "duration", Decimal(604800)),
        ("within an hour", "duration", Decimal(3600)),
        ("USD5,000", "money", Decimal(5000)),
        ("€5k", "money", Decimal(5000)),
        ("the number one tool", "rank", Decimal(1)),
    ],
)
def test_figures_in_words(text: str, kind: str, value: Decimal) -> None:
    [figure] = extract_figures(text)
    assert (figure.kind, figure.low) == (kind, value)


@pytest.mark.parametrize(
    "text",
    [
        "Double-check the numbers",
        "no more double data entry",
        "Think twice before you hire",
        "twice a month",
        "a third party",
        "Half the battle",
        "a quarter of credibility",
        "one of the teams",
        "once a week",
        "in the first week",
        "24/7 support",
        "SOC 2 Type II and ISO 27001",
        "a one-on-one call",
    ],
)
def test_words_that_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_spelled_digits_keep_the_text_length_and_the_quote() -> None:
    text = "Save five thousand dollars in half the time"
    spelled, starts = spell_digits(text)
    assert len(spelled) == len(text)
    assert "5 thousand dollars" in spelled and "1/2 the time" in spelled
    assert text[starts[spelled.index("5")] :].startswith("five")
    assert [f.text for f in extract_figures(text)] == ["five thousand dollars", "in half"]


def test_vague_amounts_are_backed_by_a_figure_in_their_range() -> None:
    [thousands] = vague_amounts("thousands of teams")
    assert (thousands.low, thousands.high) == (2000, 999_999)
    assert find_unsupported_claims("Thousands of teams", ["2,400 teams use it"]) == []
    assert find_unsupported_claims("Set up in minutes", ["Setup takes 20 minutes"]) == []
    [problem] = find_unsupported_claims("Set up in minutes", ["Setup takes 2 hours"])
    assert "'minutes'" in problem
    # the words back themselves, but never a number
    assert find_unsupported_claims("in minutes", ["live in minutes"]) == []
    assert find_unsupported_claims("60 seconds", ["live in minutes"]) != []


def test_fractions_and_percentages_back_each_other() -> None:
    assert find_unsupported_claims("Cut close in half", ["Close time fell 50%"]) == []
    assert find_unsupported_claims("A third of teams", ["33% of teams"]) == []
    assert find_unsupported_claims("50% faster", ["cut in half"]) == []
    assert find_unsupported_claims("A third of teams", ["25% of teams"]) != []


# --- the footer is no proof ----------------------------------------------------------------


def test_footer_numbers_back_no_claim_but_may_be_repeated() -> None:
    [problem] = find_unsupported_claims("Used by 300 SaaS teams.", [], footer_texts=FOOTER)
    assert "'300'" in problem
    footer = "Ledgerly Inc.,  500 Market Street,\nSuite 300, San Francisco, CA 94105"
    assert find_unsupported_claims(footer, [], footer_texts=FOOTER) == []
    assert find_unsupported_claims("Visit us at Suite 300.", [], footer_texts=FOOTER) == []


def test_the_brief_keeps_its_footer_out_of_the_proofs() -> None:
    brief = Brief.model_validate(
        {
            "id": "q3",
            "product": {"name": "Ledgerly", "description": "Close software."},
            "value_propositions": ["Close faster."],
            "offer": {
                "name": "14-day free trial",
                "call_to_action": "Book a demo",
                "url": "https://x.io",
            },
            "proof_points": [{"id": "p", "text": "Close in 4 days.", "source": "case study"}],
            "voice": {"tone": "plain"},
            "email_compliance": {
                "sender_name": "Sam Rivera, Ledgerly",
                "postal_address": "500 Market Street, Suite 300, San Francisco, CA 94105",
                "opt_out_text": "Reply STOP to opt out",
            },
        }
    )
    sources = brief.claims_context()
    assert all("Suite 300" not in text for text in sources["proof_texts"])
    [problem] = find_unsupported_claims("Used by 300 SaaS teams.", **sources)
    assert "'300'" in problem
    assert find_unsupported_claims("Start your 14-day free trial.", **sources) == []
