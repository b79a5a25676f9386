"""Placeholders a real run must not publish, and real values that are not placeholders."""

from __future__ import annotations

import pytest

from personagen.checks.placeholders import find_placeholder


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("TODO: our postal address", "TODO"),
        ("tbd", "tbd"),
        ("To be announced (TBA)", "TBA"),
        ("FIXME before launch", "FIXME"),
        ("Suite XXX, 1 Main Street", "XXX"),
        ("Lorem ipsum dolor sit amet", "Lorem ipsum"),
        ("Your Company Name", "Your Company"),
        ("<your postal address>", "<your postal address>"),
        ("Unsubscribe at [LINK]", "[LINK]"),
        ("https://www.example.com/unsubscribe", "www.example.com"),
        ("https://example.org/u", "example.org"),
        ("write to optout@example.net", "example.net"),
        ("Musterfirma GmbH, Musterstraße 1, 12345 Berlin", "Musterfirma"),
        ("Max Mustermann, Musterstr. 1", "Mustermann"),
        ("Ihre Anschrift", "Ihre Anschrift"),
        ("Adresse à définir", "à définir"),
        ("Dirección: por definir", "por definir"),
    ],
)
def test_placeholders_are_found(text: str, found: str) -> None:
    assert find_placeholder(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Renewly Inc., 500 Market Street, Suite 300, San Francisco, CA 94105, USA",
        "Müller GmbH, Hauptstraße 5, 10115 Berlin",
        'Not relevant? Reply "no thanks" and we will not email you again',
        "Maya Lind, Renewly",
        "[unsubscribe](https://renewly.com/unsubscribe)",
        "<https://renewly.com/unsubscribe>",
        "https://www.example.community/u",
        # a fictional company's reserved top-level domain, as in the shipped example
        "https://renewly.example/unsubscribe",
        "Reply STOP to opt out",
        "Todos los derechos reservados",
        "Renewly GmbH, Hauptstraße 5, 1010 Wien",
        "Pour ne plus recevoir nos e-mails, répondez STOP",
        "Renewly erkennt Muster in Kündigungen 45 Tage früher",
        "Max Muster AG, Seestrasse 3, 8002 Zürich",
    ],
)
def test_real_values_are_not_placeholders(text: str) -> None:
    assert find_placeholder(text) is None
