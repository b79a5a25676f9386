"""Small text helpers shared across layers: slugs, formula triggers, control characters."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Slugs name files and folders: short enough for any file system (255 bytes a name) with
# room for an extension and a '-2' suffix.
MAX_SLUG = 80
# The longest id that names a file (hand-written ids may be longer than slugs).
MAX_NAME = 100
_DIGEST = 6
# Names Windows reserves for devices, whatever the extension ('con.json' too).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, 'CSV
# Injection'), also after leading whitespace; full-width forms count in some locales.
FORMULA_TRIGGERS = "=+-@＝＋－＠"
# Control characters that start a formula cell only as the very first character.
FORMULA_CONTROLS = "\t\r\n"

# Terminal escape sequences (ECMA-48): CSI (ESC [ or 0x9b) with parameters and a final
# byte; strings (OSC, DCS, SOS, PM, APC) up to BEL or ST; then any other ESC sequence.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# C0 and C1 controls and DEL, except tab and newline.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: they reorder what a terminal shows.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST]


def slugify(text: str, fallback: str = "item", max_length: int = MAX_SLUG) -> str:
    """A lower-case ASCII slug that is safe as a file name: 'VP of Marketing' -> 'vp-of-marketing'.

    Accents are transliterated and other characters dropped. A slug never is empty, longer
    than `max_length`, '.' or '..', or a name Windows reserves: a text with no ASCII
    letters or digits becomes `fallback` and a long one is cut at a word boundary; both
    (and reserved names) end in a short hash of `text`, so distinct texts stay distinct.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    room = max_length - _DIGEST - 1
    if not slug:
        named = _NON_SLUG.sub("-", fallback.lower()).strip("-")[:room].strip("-")
        return f"{named or 'item'}-{_digest(text)}"
    if len(slug) > max_length:
        cut = slug[: room + 1]
        # Cut at the last hyphen (a word boundary) unless that leaves too little.
        boundary = cut.rfind("-")
        cut = cut[:boundary] if boundary > room // 2 else cut[:room]
        return f"{cut.strip('-')}-{_digest(text)}"
    if slug in _RESERVED:
        return f"{slug}-{_digest(text)}"
    return slug


def unique_slug(text: str, taken: set[str], fallback: str = "item") -> str:
    """A slug of `text` not in `taken` (adds -2, -3, ... in call order), recorded in `taken`."""
    base = slugify(text, fallback)
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = f"{base[: MAX_SLUG - len(suffix)].rstrip('-')}{suffix}", n + 1
    taken.add(slug)
    return slug


def formula_trigger(text: str) -> str | None:
    """The character that makes a spreadsheet read `text` as a formula, or None.

    '=', '+', '-', '@' (and full-width forms) first or after leading whitespace; a tab,
    carriage return or line feed first.
    """
    if text[:1] and text[0] in FORMULA_CONTROLS:
        return text[0]
    first = text.lstrip()[:1]
    return first if first and first in FORMULA_TRIGGERS else None


def strip_controls(text: str) -> tuple[str, int]:
    """`text` without terminal escape sequences and C0/C1 controls (tab and newline stay),
    with how many characters were removed."""
    cleaned = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return cleaned, len(text) - len(cleaned)


def terminal_safe(text: str) -> str:
    """`text` as plain text a terminal shows as it is: no escape sequences, control or
    bidirectional-override characters; tabs and newlines stay (CR LF becomes LF)."""
    cleaned, _ = strip_controls(text.replace("\r\n", "\n"))
    return _BIDI.sub("", cleaned)
