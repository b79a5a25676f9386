"""Redaction finds contacts and names as people write them, and leaves ordinary text alone."""

from __future__ import annotations

from typing import Any

import pytest

from personagen.models.note import Note, NoteMeta
from personagen.redact import redact_notes
from personagen.redact_contacts import find_emails, find_phones


def one(text: str, **meta: Any) -> str:
    note = Note(id="n1", text=text, meta=NoteMeta(**meta), source_format="md")
    (redacted,), _ = redact_notes([note])
    return redacted.text


# Phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "same_as"),
    [
        ("(+44) 20 7946 0958", "020 7946 0958"),
        ("+44 (0)20 7946 0958", "020 7946 0958"),
        ("+49 (0)30 1234567", "030 1234567"),
        ("030/1234567", "+49 30 1234567"),
        ("0049 30 1234567", "+49 30 1234567"),
        ("415–555–0142", "415-555-0142"),
        ("415/555-0142", "415-555-0142"),
        ("(415)\u00a0555\u20130142", "415-555-0142"),
        (
            "\uff0b\uff14\uff14 \uff12\uff10 \uff17\uff19\uff14\uff16 \uff10\uff19\uff15\uff18",
            "020 7946 0958",
        ),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+34 612 34 56 78", "+34 612345678"),
        ("415-555-0142 ext. 12", "415-555-0142"),
    ],
)
def test_phone_layouts_are_one_number(phone: str, same_as: str) -> None:
    text = f"Call {phone}; or {same_as}."
    assert one(text) == "Call [PHONE-1]; or [PHONE-1]."


def test_a_national_number_is_read_as_a_number_of_the_notes_own_country() -> None:
    # '06 12 34 56 78' is French; with a French number anywhere in the note it is that one.
    text = (
        "Bureau +33 1 23 45 67 89.\n" + "Nous parlons du budget. " * 50 + "Portable 06 12 34 56 78."
    )
    [first, second] = find_phones(text)
    assert (first.key, second.key) == ("+33123456789", "+33612345678")
    [alone] = find_phones("Mobile 0151 23456789.")
    assert alone.key == "+4915123456789"


@pytest.mark.parametrize(
    "text",
    [
        "Our NRR dropped from 112 to 98 percent in 2024.",
        "We process 20 invoices a day and $10M–$50M in spend.",
        "We met on 2024-10-03, on 03.11.2024 and on 12/03/2024 at 10:30.",
        "Budget 1234567 and 12345678 items; PO 4500012345.",
        "99.9% uptime, 365 days, 24/7, 12 345 seats and 1 000 000 rows.",
        "Revenue is $30,000,000 and ARR grew 1.5x to 4,200,000.",
        "Version 10.2.3 shipped between 2019-2024; invoice 2024-0001-7 is open.",
        "We are 200-1000 employees; a seed round of €2.5M in 2021; 3 of 12 reps; Q2 2024.",
        "ISBN 978-3-16-148410-0 and ticket 12-3456.",
        "Churn fell 40% → 25% from 2022/2023 to 2024/2025.",
        "The timestamp 00:01:02,500 --> 00:01:04,000 is not a phone.",
        "Email me @ the office, or ping @dana on Slack.",
        "Jorge and Jordan are different people.",
        "Mark the date: Will signs on Friday.",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert one(text, interviewee="Jörg Müller") == text


def test_a_long_note_is_read_in_reasonable_steps() -> None:
    # Only stretches with enough digits go to the phone matcher; prose is skipped.
    text = "We reconcile 20 invoices a day at 10:30. " * 5000 + "Call 020 7946 0958."
    [phone] = find_phones(text)
    assert text[phone.start : phone.end] == "020 7946 0958"


# E-mail addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("_ops@acme.io", "_ops@acme.io"),
        ("jörg@müller.de", "jörg@müller.de"),
        ("jane\uff20example.com", "jane@example.com"),
        ("jane [at] example [dot] com", "jane@example.com"),
        ("jane (at) example (dot) co (dot) uk", "jane@example.co.uk"),
        ("Jane.Doe{at}Example.com", "jane.doe@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_email_spellings(written: str, key: str) -> None:
    [found] = find_emails(f"Write to {written}, please.")
    assert found.key == key
    assert one(f"Write to {written}, please.") == "Write to [EMAIL-1], please."


def test_spelled_and_plain_email_share_a_placeholder() -> None:
    text = "jane [at] example [dot] com or JANE@example.com"
    assert one(text) == "[EMAIL-1] or [EMAIL-1]"


# Names as written -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interviewee", "written"),
    [
        ("Jörg Müller", "Jorg Muller"),
        ("Jörg Müller", "Joerg Mueller"),
        ("Jörg Müller", "JÖRG MÜLLER"),
        ("Joerg Mueller", "Jörg Müller"),
        ("Jose Garcia", "José García"),
        ("José García", "Jose Garcia"),
        ("Jean-Luc Picard", "Jean Luc Picard"),
        ("Jean-Luc Picard", "jean-luc picard"),
        ("Jean Luc Picard", "Jean-Luc Picard"),
        ("Siobhán O’Brien", "Siobhan O'Brien"),
        ("Siobhan O'Brien", "Siobhán O’Brien"),
        ("Siobhan O'Brien", "Siobhan O Brien"),
        ("Łukasz Wałęsa", "Lukasz Walesa"),
        ("Søren Kierkegaard", "Soren Kierkegaard"),
        ("Heinz Groß", "Heinz Gross"),
        ("Zoë Martín", "Zoe\u0308 Marti\u0301n"),  # decomposed accents in the note
    ],
)
def test_full_names_in_other_spellings(interviewee: str, written: str) -> None:
    assert one(f"Interview with {written} today.", interviewee=interviewee) == (
        "Interview with [PERSON-1] today."
    )


@pytest.mark.parametrize(
    ("interviewee", "written"),
    [
        ("Jörg Müller", "Jorg"),
        ("Jörg Müller", "Mueller"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("Siobhán O’Brien", "OBrien"),
        ("François Dupont", "Francois"),
    ],
)
def test_name_parts_in_other_spellings(interviewee: str, written: str) -> None:
    assert one(f"As {written} said, it works.", interviewee=interviewee) == (
        "As [PERSON-1] said, it works."
    )


def test_names_in_scripts_without_spaces_are_found_inside_text() -> None:
    assert one("我是王小明。小明说价格太高。", interviewee="王小明") == (
        "我是[PERSON-1]。[PERSON-1]说价格太高。"
    )
    assert one("田中太郎です。太郎は部長、田中さんです。", interviewee="田中 太郎") == (
        "[PERSON-1]です。[PERSON-1]は部長、[PERSON-1]さんです。"
    )
    assert (
        one("김민수는 CFO입니다. 민수 씨", interviewee="김민수")
        == "[PERSON-1]는 CFO입니다. [PERSON-1] 씨"
    )


def test_latin_names_still_need_whole_words() -> None:
    text = "Annabelle and Danny talked; Ann and Dan did not."
    assert (
        one(text, interviewee="Ann Dan")
        == "Annabelle and Danny talked; [PERSON-1] and [PERSON-1] did not."
    )
