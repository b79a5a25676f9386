"""Look-alike letters and hidden characters: the skeleton of Unicode TS #39, and plain text.

A name can be disguised so a plain comparison misses it: a soft hyphen or a zero-width
character inside it ('Str\\u00adipe'), a Cyrillic or Greek letter that looks Latin ('Ѕtripe'
with Cyrillic 'Ѕ'), or full-width letters. `skeleton` maps a text to the form TS #39 uses to
decide whether two strings are confusable: NFD, default-ignorable characters removed, each
character replaced by its prototype from Unicode's confusables data (shipped by the
`confusable-homoglyphs` package), NFD again. Compatibility forms and case are folded
first (NFKC, casefold), as copy is compared regardless of either, and accents (combining
marks) are dropped. Two names with equal skeletons look alike; `find_lookalike` also reads
a name spelled out with spaces or dots between its letters ('I n i t e c h').

`plain_text` is for reading copy rather than comparing it: NFKC, hidden characters removed,
and look-alike letters turned into the Latin letters they imitate, but only in words that
already mix them with Latin letters or digits (or consist of look-alikes only), so Russian
or Greek prose is left as it is.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Marks the data wraps around right-to-left glyphs; they are not part of any prototype.
_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")
# Default_Ignorable_Code_Point beyond the format characters (category Cf): the combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation
# selectors, and the tag block.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)
_WORD = re.compile(r"\w+")


def is_ignorable(char: str) -> bool:
    """Whether `char` is invisible by default (soft hyphen, zero-width, joiners, bidi marks)."""
    if unicodedata.category(char) == "Cf":
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE_RANGES)


@functools.lru_cache(maxsize=4096)
def _homoglyphs(char: str) -> tuple[str, ...]:
    """The strings the confusables data links to `char`, in either direction."""
    # Imported on first use: the package loads urllib's HTTP stack, which costs start-up
    # time in every command that never compares a name (`lint` without a brief).
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, greedy=True)
    if not found:
        return ()
    return tuple(glyph["c"].translate(_DIRECTION_MARKS) for glyph in found[0]["homoglyphs"])


@functools.lru_cache(maxsize=4096)
def prototype(char: str) -> str:
    """The prototype `char` maps to in the confusables data; `char` itself when it has none.

    The data links each character to its prototype and each prototype to all its
    characters. A prototype is linked to many, or is a sequence ('rn' for 'm'); a pair
    that only knows each other gets the ASCII one, else the lower code point, as its
    representative, so both map alike.
    """
    linked = _homoglyphs(char)
    if len(linked) != 1:
        return char
    (other,) = linked
    if len(other) > 1 or len(_homoglyphs(other)) > 1:
        return other
    if other.isascii() != char.isascii():
        return other if other.isascii() else char
    return min(other, char)


@functools.lru_cache(maxsize=4096)
def _skeleton_piece(char: str) -> str:
    # Compatibility forms (full width, ligatures) and case are folded first: TS #39 compares
    # what a reader sees, and copy is read without regard to either.
    folded = unicodedata.normalize("NFKC", char).casefold()
    parts = unicodedata.normalize("NFD", folded)
    piece = "".join(prototype(part) for part in parts if not is_ignorable(part))
    # Accents are dropped too: an added accent disguises a name ('Strípe') as well as a
    # look-alike letter does, and a name written without its accents is still the name.
    piece = unicodedata.normalize("NFD", piece).casefold()
    return "".join(part for part in piece if unicodedata.category(part) != "Mn")


class _SkeletonTable(dict[int, str]):
    """`str.translate` table from a code point to its skeleton piece, filled on first use."""

    def __missing__(self, point: int) -> str:
        piece = self[point] = _skeleton_piece(chr(point))
        return piece


# One table for the process: `str.translate` maps a whole text at C speed, and a letter's
# piece is worked out once however many texts and names hold it.
_SKELETON = _SkeletonTable()


def skeleton(text: str) -> str:
    """The TS #39 skeleton of `text`, casefolded: look-alike strings get the same one."""
    return text.translate(_SKELETON)


@functools.lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """What `name` looks like in a skeleton, as a whole word, also spelled out; None if blank."""
    target = skeleton(name)
    if not target.strip():
        return None
    # A name spelled out has a space, dot, hyphen, underscore or asterisk between each two
    # of its letters: 'I n i t e c h', 'S.t.r.i.p.e'.
    letters = [re.escape(char) for char in target if not char.isspace()]
    spaced = "[ ._*\\-]+".join(letters)
    return re.compile(rf"(?<!\w)(?:{re.escape(target)}|{spaced})(?!\w)")


def find_lookalike(name: str, text: str) -> list[str]:
    """Each stretch of `text`, as written, whose skeleton is `name`'s, as a whole word."""
    pattern = _name_pattern(name)
    if pattern is None:
        return []
    matches = list(pattern.finditer(skeleton(text)))
    if not matches:
        return []
    starts: list[int] = []  # where in `text` each character of the skeleton comes from
    for index, char in enumerate(text):
        starts += [index] * len(_SKELETON[ord(char)])
    found: list[str] = []
    for match in matches:
        start, end = starts[match.start()], starts[match.end() - 1] + 1
        found.append(text[start:end])
    return found


def _latin(char: str) -> str | None:
    """The ASCII letter(s) a non-Latin letter imitates, or None."""
    if char.isascii() or not char.isalpha():
        return None
    imitated = prototype(char)
    if not (imitated.isascii() and imitated.isalpha()):
        return None
    if char.isupper() and imitated == "l":
        return "I"  # capital I's prototype is small l; a capital stays a capital
    return imitated


def _foreign(char: str) -> bool:
    """A letter of another script that imitates no Latin letter ('П', 'λ')."""
    if char.isascii() or not char.isalpha() or _latin(char) is not None:
        return False
    return not unicodedata.name(char, "").startswith("LATIN")


def _plain_word(word: str, prose: bool) -> str:
    letters = [_latin(char) for char in word]
    if all(latin is None for latin in letters):
        return word
    mixed = any(char.isascii() and char.isalnum() for char in word)
    if not mixed and (prose or any(latin is None for latin in letters)):
        return word  # a word of another script that happens to hold look-alikes
    return "".join(latin or char for latin, char in zip(letters, word, strict=True))


def plain_text(text: str) -> str:
    """`text` NFKC-normalised, hidden characters removed, look-alike letters made Latin.

    A word of look-alikes only ('ЅТRІРЕ' in Cyrillic) is made Latin in Latin text; where
    the text also holds prose of another script, only words that mix scripts are.
    """
    if text.isascii():
        return text  # ASCII is NFKC already, and holds no hidden or look-alike letter
    normalized = unicodedata.normalize("NFKC", text)
    foreign = {char for char in set(normalized) if not char.isascii()}
    hidden = {char for char in foreign if is_ignorable(char)}
    visible = "".join(c for c in normalized if c not in hidden) if hidden else normalized
    # Words are rewritten one by one only when a look-alike letter is there to rewrite.
    if all(_latin(char) is None for char in foreign - hidden):
        return visible
    prose = any(_foreign(char) for char in foreign - hidden)
    return _WORD.sub(lambda match: _plain_word(match.group(), prose), visible)
