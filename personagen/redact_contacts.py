"""Finding e-mail addresses and phone numbers in interview notes, as people write them.

E-mail addresses: any letters in the local part and the domain (``jörg@müller.de``), a
leading underscore (``_ops@x.io``), a full-width or small at sign (``jane＠x.io``), and
the bracketed spelling ``jane [at] example [dot] com`` (also with parentheses or braces).

Phone numbers come from Google's libphonenumber (the `phonenumbers` package) at its VALID
leniency: a candidate must be a number the numbering plan of its country allows, in any
common layout (``(+44) 20 7946 0958``, ``+49 (0)30 1234567``, ``030/1234567``,
``415–555–0142``, full-width digits, an extension). Numbers in international form are
found in any note; a national number (``020 7946 0958``) is read as a number of the
note's own countries first (those of the numbers it writes in international form), then
of `REGIONS`.
Years, counts, amounts, ranges, percentages, versions and dates are not numbers of any
plan, and a candidate that reads as a date is dropped.

Each finding carries a key that is the same for every spelling of one address or number
(the address in lower case; the number in E.164, without its extension).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

# National numbers are tried as numbers of these countries, in this order.
REGIONS = ("US", "GB", "DE", "FR", "ES", "NL", "AU")

_LOCAL = r"[\w%+'\-](?:[\w.%+'\-]*[\w%+'\-])?"
_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*\.[^\W\d_]{{2,}}"
EMAIL = re.compile(rf"(?<![\w.%+'\-])({_LOCAL})[@＠﹫]({_DOMAIN})(?![\w\-])")
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.%+'\-])({_LOCAL})\s*{_OPEN}\s*at\s*{_CLOSE}\s*({_LABEL}"
    rf"(?:\s*(?:{_OPEN}\s*dot\s*{_CLOSE}|\.)\s*{_LABEL})+)(?![\w\-])",
    re.IGNORECASE,
)
_SPELLED_DOT = re.compile(rf"\s*(?:{_OPEN}\s*dot\s*{_CLOSE}|\.)\s*", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?!\d)")
# Digits with the separators numbers are written with; a phone number has at least 6
# digits (libphonenumber knows none shorter with an area code), and 'ext. 123' or a
# leading '+' sits within the context kept around each run.
_DIGIT_RUN = re.compile(r"[\d＋+(（][\d \t\u00a0().\-‐‑–—/（）]*\d")
_MIN_DIGITS = 6
_CONTEXT = 24


@dataclass(frozen=True)
class Found:
    """A span of a note to replace, and the key its placeholder is numbered by."""

    start: int
    end: int
    key: str


def find_emails(text: str) -> list[Found]:
    """E-mail addresses in `text`, written plainly or spelled out with [at] and [dot]."""
    found: list[Found] = []
    for match in EMAIL.finditer(text):
        address = f"{match.group(1)}@{match.group(2)}"
        found.append(Found(match.start(), match.end(), _email_key(address)))
    for match in _SPELLED_EMAIL.finditer(text):
        domain = _SPELLED_DOT.sub(".", match.group(2))
        if re.search(r"\.[^\W\d_]{2,}$", domain):
            found.append(
                Found(match.start(), match.end(), _email_key(f"{match.group(1)}@{domain}"))
            )
    return sorted(found, key=lambda f: f.start)


def _email_key(address: str) -> str:
    return unicodedata.normalize("NFKC", address).casefold()


def _international_regions(text: str) -> list[str]:
    """The countries of the numbers written in international form in `text`."""
    regions: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(
        text, "ZZ", leniency=phonenumbers.Leniency.VALID, max_tries=len(text) + 1
    ):
        region = phonenumbers.region_code_for_number(match.number)
        if region and region not in regions:
            regions.append(region)
    return regions


def _enough_digits(run: str) -> bool:
    return sum(char.isdigit() for char in run) >= _MIN_DIGITS


def _windows(text: str) -> list[tuple[int, int]]:
    """The stretches of `text` that may hold a phone number, with some context each side."""
    windows: list[tuple[int, int]] = []
    for run in _DIGIT_RUN.finditer(text):
        if not _enough_digits(run.group()):
            continue
        start, end = max(0, run.start() - _CONTEXT), min(len(text), run.end() + _CONTEXT)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def find_phones(text: str) -> list[Found]:
    """Phone numbers in `text`, longest first where two candidates overlap, in order."""
    # The matcher reads only stretches with enough digits: it is slow on long prose.
    windows = [(start, text[start:end]) for start, end in _windows(text)]
    own = [region for _, window in windows for region in _international_regions(window)]
    regions = list(dict.fromkeys([*own, *REGIONS]))
    candidates: list[Found] = []
    for start, window in windows:
        candidates += _phones_in(window, start, regions)
    return _apart(candidates)


def _phones_in(text: str, offset: int, regions: Sequence[str]) -> list[Found]:
    """The numbers of one stretch, tried as numbers of `regions` in turn."""
    runs = [run.span() for run in _DIGIT_RUN.finditer(text) if _enough_digits(run.group())]
    candidates: list[Found] = []
    for region in regions:
        if runs and all(
            any(f.start - offset <= a and b <= f.end - offset for f in candidates) for a, b in runs
        ):
            break  # every run of digits is a number already: later countries add nothing
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID, max_tries=len(text) + 1
        )
        for match in matcher:
            if _DATE_LIKE.fullmatch(match.raw_string.strip("()+ ")):
                continue  # 03.11.2024 is a valid Italian number, and a date
            number = phonenumbers.PhoneNumber(
                country_code=match.number.country_code,
                national_number=match.number.national_number,
                italian_leading_zero=match.number.italian_leading_zero,
                number_of_leading_zeros=match.number.number_of_leading_zeros,
            )
            key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            candidates.append(Found(offset + match.start, offset + match.end, key))
    return candidates


def _apart(candidates: Sequence[Found]) -> list[Found]:
    """The candidates that overlap no earlier-found or longer one, in text order."""
    taken: list[Found] = []
    for each in sorted(candidates, key=lambda f: -(f.end - f.start)):
        if all(each.end <= other.start or other.end <= each.start for other in taken):
            taken.append(each)
    return sorted(taken, key=lambda f: f.start)
