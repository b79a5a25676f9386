"""Message–persona fit: the documented formula on hand-computed cases, decks and --rank."""

from __future__ import annotations

import math
import re
from pathlib import Path

from typer.testing import CliRunner

from personagen.checks.fit import (
    Claim,
    copy_fit,
    language_of,
    percent,
    piece_fit,
    terms,
    vocabularies,
    words,
)
from personagen.cli import app
from personagen.export.copy_deck import deck_markdown
from personagen.export.fit import FitContext
from personagen.export.report import load_output, render_report
from tests.export.test_export_copy import all_artifacts, make_artifact, make_persona
from tests.helpers import TEST_DATA

runner = CliRunner()
OUT = TEST_DATA / "lint" / "out"
CLAIMS = [
    Claim("pain-1", "Late invoices", "pain_points", "high"),
    Claim("pain-2", "Manual reports", "pain_points", "high"),
    Claim("goal-1", "Faster payback", "goals", "medium"),
    Claim("objection-1", "No budget", "objections", "low"),
    Claim("motivation-1", "Board pressure", "motivations", "high"),
]
QUOTES = {"cfo": ["Board payback matters."], "revops": ["Board churn hurts."]}


def test_a_piece_fit_is_the_documented_formula_computed_by_hand() -> None:
    vocabulary = vocabularies(QUOTES)["cfo"]
    # N = 2 personas; 'board' is said by both (df 2), 'payback' and 'matter' by one.
    assert vocabulary.weights == {
        "board": math.log(2),
        "payback": math.log(3),
        "matter": math.log(3),
    }
    fit = piece_fit(
        1, ["pain-1", "motivation-1"], "Payback for the board, fast.", CLAIMS, vocabulary
    )
    # aim: pain-1 is the only pain/goal/objection addressed, high = 1.
    assert fit.addressed == ("pain-1",) and fit.other == ("motivation-1",)
    assert fit.aim == 1.0
    # words: payback ln3 + board ln2 over those plus 'fast', foreign, at ln(1 + 2) = ln3.
    assert math.isclose(fit.words, math.log(6) / math.log(18))
    assert fit.used == ("payback", "board")  # most distinctive first
    assert fit.score == 81  # 100 * (1 + 0.6199) / 2 = 80.99


def test_a_copy_set_fit_counts_coverage_and_names_uncovered_high_items() -> None:
    vocabulary = vocabularies(QUOTES)["cfo"]
    pieces = [
        (["pain-1", "motivation-1"], "Payback for the board, fast."),
        (["goal-1", "unknown-9"], "Churn hurts."),  # the other persona's words only
    ]
    fit = copy_fit(pieces, CLAIMS, vocabulary)
    second = fit.pieces[1]
    assert second.aim == 2 / 3 and second.words == 0.0 and second.score == 33
    assert second.other == ("unknown-9",)
    # Targets weigh 1 + 1 + 2/3 + 1/3 = 3; pain-1 and goal-1 are covered: 5/3 of 3.
    assert fit.targets == 4 and fit.covered == ("pain-1", "goal-1")
    assert math.isclose(fit.coverage, 5 / 9)
    assert [c.id for c in fit.uncovered_high] == ["pain-2"]  # objection-1 is low
    # 100 * (5/9 + (81 + 33) / 200) / 2 = 56.28
    assert fit.score == 56
    assert [p.number for p in fit.ranked()] == [1, 2]


def test_no_pains_goals_or_objections_addressed_means_no_aim() -> None:
    vocabulary = vocabularies(QUOTES)["cfo"]
    fit = piece_fit(3, ["motivation-1"], "", CLAIMS, vocabulary)
    assert (fit.aim, fit.words, fit.score, fit.number) == (0.0, 0.0, 0, 3)
    empty = copy_fit([], [], vocabulary)
    assert (empty.coverage, empty.score, empty.pieces) == (0.0, 0, ())


def test_scores_round_half_up() -> None:
    assert [percent(0.625), percent(0.624), percent(0.005), percent(1.0)] == [63, 62, 1, 100]


def test_distinctive_words_count_more_than_words_every_persona_says() -> None:
    vocabulary = vocabularies(QUOTES)["cfo"]
    shared = piece_fit(1, [], "Board alignment.", CLAIMS, vocabulary)
    distinctive = piece_fit(1, [], "Payback alignment.", CLAIMS, vocabulary)
    assert distinctive.words > shared.words > 0


def test_terms_leave_out_stop_words_tokens_links_and_figures_and_are_stemmed() -> None:
    text = "Hi {{first_name}}, our invoices aren't paid: see https://x.example/a 45 days. Invoice!"
    assert words(text) == [
        ("hi", "hi"),
        ("invoic", "invoices"),
        ("paid", "paid"),
        ("see", "see"),
        ("day", "days"),
        ("invoic", "invoice"),
    ]
    assert terms("The CFO's board's") == {"cfo", "board"}
    assert terms("“Payback” — PAYBACK’s") == {"payback"}


def test_each_language_has_its_stop_words_and_stemmer_and_english_is_the_fallback() -> None:
    assert [language_of(t) for t in ("de-AT", "fr", "es_MX", "EN", "pt-BR", None, "")] == [
        "de", "fr", "es", "en", "en", "en", "en",
    ]  # fmt: skip
    assert terms("Die Rechnungen und die Rechnung", "de-AT") == {"rechnung"}
    assert terms("Les factures et la facture", "fr") == {"factur"}
    assert terms("Las facturas y la factura", "es") == {"factur"}
    # Read as English, German function words are words.
    assert "und" in terms("Die Rechnungen und die Rechnung", None)


def test_the_same_personas_and_copy_always_give_the_same_fit() -> None:
    personas = [make_persona(), make_persona("cfo-carl", "Carl Cash")]
    artifacts = all_artifacts()
    first = [FitContext(personas).of(a) for a in artifacts]
    again = [FitContext(list(reversed(personas))).of(a) for a in artifacts]
    assert first == again and all(f is not None for f in first)


def test_the_deck_shows_the_fit_ranked_and_keeps_the_copy_in_its_order() -> None:
    persona = make_persona()
    deck = deck_markdown(all_artifacts(persona), FitContext([persona]))
    assert deck.count("**Fit with the persona:**") == 6
    rsa = deck[deck.index("## Google responsive search ads") : deck.index("## LinkedIn")]
    assert rsa.index("### Variant 1") < rsa.index("### Variant 2")
    rows = re.findall(r"^\| (\d+) \| (\d+) \|", rsa, re.MULTILINE)
    scores = [int(score) for _, score in rows]
    assert len(rows) == 2 and scores == sorted(scores, reverse=True)
    assert "| Email | Fit |" in deck and "| Objection | Fit |" in deck
    # Without personas the deck is as before.
    assert "Fit with the persona" not in deck_markdown(all_artifacts(persona))


def test_copy_of_an_unknown_persona_says_its_fit_was_not_measured() -> None:
    block = FitContext([make_persona("someone-else")])(make_artifact("x"))
    assert block == ["**Fit with the persona:** not measured (no persona file for this copy)."]


def _variant_order(page: str, anchor: str) -> list[int]:
    start = page.index(f'id="{anchor}"')
    section = page[start : page.index("</section>", start)]
    return [int(n) for n in re.findall(r'<div class="variant-head">Variant (\d+)', section)]


def test_the_report_ranks_variants_by_fit_only_when_asked() -> None:
    personas, artifacts = load_output(OUT)
    plain = render_report(personas, artifacts)
    ranked = render_report(personas, artifacts, rank=True)
    context = FitContext(personas)
    moved = 0
    for artifact in artifacts:
        fit = context.of(artifact)
        if artifact.channel not in ("google_rsa", "linkedin", "meta", "x") or fit is None:
            continue
        anchor = f"persona-{artifact.persona_id}-{artifact.channel.replace('_', '-')}"
        assert _variant_order(plain, anchor) == [p.number for p in fit.pieces]
        assert _variant_order(ranked, anchor) == [p.number for p in fit.ranked()]
        moved += [p.number for p in fit.ranked()] != [p.number for p in fit.pieces]
    assert moved > 0  # the data has variants that ranking reorders
    assert plain.count('<details class="fit"') == len(artifacts)


def test_personagen_report_takes_rank(tmp_path: Path) -> None:
    dest = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(OUT), "-o", str(dest), "--rank"])
    assert result.exit_code == 0, result.output
    assert "Fit with the persona" in dest.read_text("utf-8")


def test_the_fit_reads_copy_and_quotes_in_the_language_the_artifact_records() -> None:
    persona = make_persona()
    quote = (
        persona.pain_points[0]
        .evidence[0]
        .model_copy(update={"quote": "Die Rechnung kommt zu spät."})
    )
    item = persona.pain_points[0].model_copy(update={"evidence": [quote]})
    persona = persona.model_copy(update={"pain_points": [item], "goals": [], "objections": []})
    draft = {"variants": [{"text": "Rechnungen und Zahlungen.", "addresses": ["pain-1"]}]}
    german = make_artifact("x", persona).model_copy(update={"draft": draft, "language": "de-AT"})
    english = german.model_copy(update={"language": None})
    context = FitContext([persona])
    in_german, as_english = context.of(german), context.of(english)
    assert in_german is not None and as_english is not None
    # German: 'und' is a stop word, 'Rechnungen' is the quote's 'Rechnung'; 1 of 2 terms.
    assert in_german.pieces[0].used == ("rechnung",) and in_german.pieces[0].words == 0.5
    # Read as English, no word of the copy is one the persona said.
    assert as_english.pieces[0].used == () and as_english.pieces[0].words == 0.0
