"""Checks that follow the copy's language: claims (figure words, customer phrasing),
AI-sounding and banned phrases, and the reading-grade formula."""

from __future__ import annotations

from decimal import Decimal

import pytest

from personagen.checks.claims import extract_figures, find_unsupported_claims
from personagen.checks.phrases import find_phrases
from personagen.checks.readability import ease_to_grade, formula_name, reading_grade
from personagen.languages import language_data, lint_languages
from tests.checks.language_corpus import ALLOWED, BENIGN, FORBIDDEN, HOSTILE, OWN, PROOFS

LANGUAGES = ("de", "fr", "es")


def _problems(text: str, language: str) -> list[str]:
    return find_unsupported_claims(
        text, PROOFS[language], ALLOWED, FORBIDDEN, OWN, language=language
    )


def test_each_language_has_a_corpus_big_enough() -> None:
    for language in LANGUAGES:
        assert len(HOSTILE[language]) >= 15 and len(BENIGN[language]) >= 15
        assert len(set(BENIGN[language])) == len(BENIGN[language])


@pytest.mark.parametrize(
    ("language", "text", "quoted"),
    [(lang, text, quoted) for lang in LANGUAGES for text, quoted in HOSTILE[lang]],
)
def test_hostile_copy_is_flagged_naming_the_whole_figure(
    language: str, text: str, quoted: str
) -> None:
    problems = _problems(text, language)
    assert any(f"'{quoted}'" in p for p in problems), problems


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang in LANGUAGES for text in BENIGN[lang]]
)
def test_benign_copy_passes(language: str, text: str) -> None:
    assert _problems(text, language) == []


def test_english_rules_alone_miss_what_the_language_rules_catch() -> None:
    # Read as English, '40 Prozent' is a bare 40 and the customer goes unseen.
    english = find_unsupported_claims(
        "Kunden wie die Müller GmbH sparen 40 Prozent.", PROOFS["de"], ALLOWED, FORBIDDEN, OWN
    )
    assert not any("Müller" in p or "40 Prozent" in p for p in english)
    german = _problems("Kunden wie die Müller GmbH sparen 40 Prozent.", "de")
    assert any("'Müller GmbH'" in p for p in german)
    assert any("'40 Prozent'" in p for p in german)


@pytest.mark.parametrize(
    ("language", "text", "kind", "value"),
    [
        ("de", "um 40 Prozent", "percent", "40"),
        ("de", "zehnfach", "multiplier", "10"),
        ("de", "1,5 Mio. €", "money", "1500000"),
        ("de", "1.200 Belege", "number", "1200"),
        ("de", "zweitausend Belege", "number", "2000"),
        ("fr", "quatre-vingt-dix pour cent", "percent", "90"),
        ("fr", "1 200 équipes", "number", "1200"),
        ("fr", "en 3 mois", "duration", "3"),
        ("es", "cincuenta y cinco por ciento", "percent", "55"),
        ("es", "2 millones de dólares", "money", "2000000"),
        ("es", "en 4 semanas", "duration", "2419200"),
    ],
)
def test_figures_are_read_in_the_language(language: str, text: str, kind: str, value: str) -> None:
    (figure,) = extract_figures(text, language)
    assert (figure.kind, figure.low) == (kind, Decimal(value))


def test_an_english_proof_backs_copy_in_another_language() -> None:
    proofs = ["Acme closed the month 40% faster and saved $2M."]
    assert find_unsupported_claims("Vierzig Prozent schneller.", proofs, language="de") == []
    assert find_unsupported_claims("2 millones de dólares.", proofs, language="es") == []


def test_german_articles_are_not_numbers() -> None:
    assert extract_figures("Eine Woche lang, ein Team, einfach.", "de") == []


# --- phrases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("de", "Unsere nahtlose Integration", "nahtlos"),
        ("de", "Bringen Sie Ihr Team auf das nächste Level.", "auf das nächste Level"),
        ("de", "Eine bahnbrechende Lösung", "bahnbrechend"),
        ("fr", "Une solution révolutionnaire", "révolutionner"),
        ("fr", "Passez au niveau supérieur", "passer au niveau supérieur"),
        ("es", "Una solución a medida", "solución a medida"),
        ("es", "Cambiar las reglas del juego", "cambiar las reglas del juego"),
        ("de", "Ein echter Game-Changer", "game-changer"),  # English phrases count everywhere
    ],
)
def test_ai_phrases_of_the_language_are_found(language: str, text: str, label: str) -> None:
    found = find_phrases(text, [], language=language)
    assert [f.rule for f in found] == ["ai-phrase"]
    assert label.casefold() in found[0].message.casefold()


def test_language_phrases_stay_out_of_english_copy() -> None:
    assert find_phrases("Eine nahtlose Integration", []) == []


@pytest.mark.parametrize(
    ("language", "banned", "text"),
    [
        ("de", "für alle", "Das ist fuer alle Teams."),
        ("de", "fuer alle", "Das ist für alle Teams."),
        ("de", "Straße", "Die STRASSE zum Erfolg"),
        ("fr", "état de l'art", "Un ETAT DE L'ART inégalé"),
        ("fr", "révolutionnaire", "Une offre revolutionnaire"),
        ("es", "revolucionário", "Un producto revolucionario"),
        ("es", "solución", "La SOLUCION completa"),
    ],
)
def test_banned_phrases_follow_the_language_spelling(language: str, banned: str, text: str) -> None:
    found = [f for f in find_phrases(text, [banned], language=language) if f.rule != "ai-phrase"]
    assert [f.rule for f in found] == ["banned-phrase"]


def test_accents_matter_where_the_language_keeps_them() -> None:
    # German umlauts are letters of their own: 'schon' (already) is not 'schön' (nice).
    assert find_phrases("Das ist schon gut", ["schön"], language="de") == []


# --- reading grade ---------------------------------------------------------------------

GERMAN = (
    "Die Implementierung unserer cloudbasierten Finanzkonsolidierungsplattform "
    "ermöglicht Unternehmen eine vollständig automatisierte Rechnungsverarbeitung, "
    "wodurch Verwaltungsaufwände erheblich reduziert werden."
)


def test_each_language_is_graded_by_its_own_formula() -> None:
    assert formula_name("de") == "Wiener Sachtextformel"
    assert formula_name("fr").startswith("Kandel")
    assert formula_name("es").startswith("Fernández Huerta")
    assert formula_name(None) == formula_name("en") == "Flesch-Kincaid grade"
    assert reading_grade(GERMAN, "de") != reading_grade(GERMAN)


def test_a_hard_german_sentence_reads_above_an_easy_one() -> None:
    easy = "Wir helfen Ihnen. Das geht schnell. Sie sparen Zeit."
    assert reading_grade(easy, "de-AT") < 8 < reading_grade(GERMAN, "de-AT")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_ease_scores_become_school_grades(language: str) -> None:
    data = language_data(language)
    assert data is not None
    points = data.readability.grades
    grades = [ease_to_grade(ease, points) for ease in range(100, -1, -10)]
    assert grades == sorted(grades) and grades[0] == 4 and grades[-1] == 18
    assert ease_to_grade(65, points) == pytest.approx(7.75)
    assert ease_to_grade(120, points) == 4 and ease_to_grade(-20, points) == 18


def test_unknown_languages_are_graded_as_english() -> None:
    text = "We help finance teams close the month. It takes minutes."
    assert reading_grade(text, "ja") == reading_grade(text)


def test_lint_data_ships_for_the_documented_languages() -> None:
    assert set(lint_languages()) >= {"en", "de", "fr", "es"}
