"""Data in prompts: text from users, notes or models that can neither open nor close a block.

Prompts wrap data in tags the tool writes with ASCII `<` and `>` (`<interview_note>`,
`<persona>`, ...). Every value a template interpolates passes through `data` (the `| data`
filter), which leaves no character in it that a reader could take for one of those
brackets, so no spelling of a closing tag can survive inside data:

- invisible characters (format characters such as zero-width spaces, bidi controls and
  Unicode tag characters, variation selectors, other control characters) are removed, so
  none can hide inside a tag or smuggle text;
- a bracket written encoded (HTML entities, also nested as `&amp;lt;`; percent-encoding;
  backslash escapes; full-width forms of any of these) becomes a visible stand-in;
- every `<`/`>` look-alike (ASCII, full-width, small forms, angle brackets of every
  script and symbol block) becomes `‹` or `›`, which the prompt's rules name as the
  stand-ins;
- line breaks and runs of white space become one space: a value stays on its own line of
  the prompt and cannot start a new line that looks like the prompt's own structure.

Prompts are deterministic (no random delimiter) so identical requests keep their cache
keys. What the model sees may differ from the source text; nothing is quoted from it:
quotes are cited by sentence number or insight id and the tool attaches the source words.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from functools import lru_cache

LEFT = "\u2039"  # ‹ stands in for every opening angle bracket inside data
RIGHT = "\u203a"  # › stands in for every closing one

# Characters that are letters of a script but look exactly like < and >.
_SHAPED_LIKE = {
    "CANADIAN SYLLABICS PA": LEFT,
    "CANADIAN SYLLABICS PO": RIGHT,
    "MODIFIER LETTER LEFT ARROWHEAD": LEFT,
    "MODIFIER LETTER RIGHT ARROWHEAD": RIGHT,
    "MODIFIER LETTER LOW LEFT ARROWHEAD": LEFT,
    "MODIFIER LETTER LOW RIGHT ARROWHEAD": RIGHT,
}
# Unicode planes that hold every format character and every bracket (checked by a test
# against the whole code space); scanning only these keeps the first call fast.
SCANNED = (range(0x20000), range(0xE0000, 0xE0200))
# A bracket encoded: HTML entities (named, decimal, hex; nested through `&amp;`),
# percent-encoding (nested through `%25`) and backslash escapes.
_ENCODED = re.compile(
    r"&(?:amp;)*(?:#x(?P<hex>[0-9a-f]{1,6})|#(?P<dec>[0-9]{1,7})|(?P<name>[a-z][a-z0-9]{1,31}));?"
    r"|(?P<percent>(?:%(?:25)*[0-9a-f]{2})+)"
    r"|\\+(?:u\{?(?P<u>[0-9a-f]{1,6})\}?|U(?P<wide>[0-9a-f]{8})|x(?P<x>[0-9a-f]{2})"
    r"|(?P<octal>[0-7]{3}))",
    re.IGNORECASE,
)
# Full-width ASCII (U+FF01 to U+FF5E) read as ASCII, one character for one, so an encoding
# spelled in full-width characters is found at the same position.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def bracket_side(char: str) -> str | None:
    """`LEFT` or `RIGHT` when `char` can be read as an angle bracket, else None."""
    if char in (LEFT, RIGHT):
        return None
    folded = unicodedata.normalize("NFKC", char)
    if folded in ("<", ">"):
        return LEFT if folded == "<" else RIGHT
    name = unicodedata.name(char, "")
    if name in _SHAPED_LIKE:
        return _SHAPED_LIKE[name]
    angled = "ANGLE BRACKET" in name or "ANGLE QUOTATION MARK ORNAMENT" in name
    angled |= "BRACKET" in name and ("LESS-THAN" in name or "GREATER-THAN" in name)
    angled |= name.endswith(("LESS-THAN SIGN", "GREATER-THAN SIGN"))
    if not angled:
        return None
    if "LEFT" in name:
        return LEFT
    if "RIGHT" in name:
        return RIGHT
    return LEFT if "LESS-THAN" in name else RIGHT


def invisible(char: str) -> bool:
    """Whether `char` shows nothing and is not white space: format and control
    characters, variation selectors, the combining grapheme joiner, Hangul fillers."""
    category = unicodedata.category(char)
    if category in ("Cf", "Cs") or (category == "Cc" and not char.isspace()):
        return True
    name = unicodedata.name(char, "")
    return name.startswith(("VARIATION SELECTOR", "MONGOLIAN FREE VARIATION SELECTOR")) or name in (
        "COMBINING GRAPHEME JOINER",
        "HANGUL CHOSEONG FILLER",
        "HANGUL JUNGSEONG FILLER",
        "HANGUL FILLER",
        "HALFWIDTH HANGUL FILLER",
    )


class _Translation(dict[int, str | None]):
    """The translation of every look-alike bracket and every invisible character in the
    SCANNED blocks, worked out for each character the first time a text holds it (all of
    them up front would cost every process about half a second)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        found: str | None = char
        if any(code in block for block in SCANNED):
            found = None if invisible(char) else (bracket_side(char) or char)
        self[code] = found
        return found


_TRANSLATION = _Translation()


def _decoded(match: re.Match[str]) -> str:
    """What an encoded piece of text stands for, as far as a reader would decode it."""
    groups = match.groupdict()
    if groups["percent"] is not None:
        hexes = re.findall(r"%(?:25)*([0-9a-f]{2})", groups["percent"], re.IGNORECASE)
        return bytes.fromhex("".join(hexes)).decode("utf-8", errors="replace")
    if groups["name"] is not None:
        entities = html.entities.html5
        name = groups["name"]
        found = entities.get(f"{name};") or entities.get(name) or entities.get(name.lower())
        if found is None and name[:2].lower() in ("lt", "gt"):
            # `&ltfoo` still reads as `<foo`, as browsers decode it
            found = ("<" if name[:2].lower() == "lt" else ">") + name[2:]
        return found or ""
    for key, base in (("hex", 16), ("dec", 10), ("u", 16), ("wide", 16), ("x", 16), ("octal", 8)):
        if groups[key] is not None:
            code = int(groups[key], base)
            return chr(code) if code < 0x110000 else ""
    return ""


def _neutralize_encoded(text: str) -> str:
    """Replace encoded brackets with their stand-ins; other encodings stay as written."""
    probe = text.translate(_NARROW)
    pieces: list[str] = []
    end = 0
    for match in _ENCODED.finditer(probe):
        decoded = _decoded(match)
        if any(bracket_side(char) for char in decoded):
            pieces += [text[end : match.start()], decoded.translate(_TRANSLATION)]
            end = match.end()
    return "".join([*pieces, text[end:]])


def data(value: object) -> str:
    """`value` as one line of prompt data that no reading can turn into a tag."""
    return _data_text(str(value))


@lru_cache(maxsize=8192)
def _data_text(text: str) -> str:
    # Cached: a campaign's prompts repeat the brief's and each persona's values job after job.
    return " ".join(_neutralize_encoded(text.translate(_TRANSLATION)).split())
