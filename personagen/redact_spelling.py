"""The ways a known name is written in notes: one regex for all its spellings.

A name from front matter is found in the text when it is written

- with or without its accents, either way round ('Jörg' / 'Jorg', 'Jose' / 'José'),
  with an umlaut spelled out ('Müller' / 'Mueller', 'Mueller' / 'Müller'), 'ß' as 'ss',
  and letters without a decomposition by their usual stand-ins ('Łukasz' / 'Lukasz',
  'Søren' / 'Soren' / 'Soeren');
- with a hyphen, a space or neither between its parts ('Jean-Luc' / 'Jean Luc');
- with a straight, curly or no apostrophe, or a space for it ("O'Brien" / 'O’Brien' /
  'OBrien' / 'O Brien').

Names in scripts written without spaces between words (Chinese, Japanese, Thai), and
Korean names, which particles follow without a space, are found inside a run of text, with
no word boundary around them; other names only as whole words.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters whose plain form is not their decomposition, and their usual stand-ins.
_STAND_INS = {
    "ß": ("ss",), "ẞ": ("SS",), "ł": ("l",), "Ł": ("L",), "ø": ("o", "oe"), "Ø": ("O", "OE"),
    "đ": ("d",), "Đ": ("D",), "æ": ("ae",), "Æ": ("AE",), "œ": ("oe",), "Œ": ("OE",),
    "ı": ("i",), "þ": ("th",), "Þ": ("TH",), "ð": ("d",), "Ð": ("D",),
}  # fmt: skip
_UMLAUTS = frozenset("äöüÄÖÜ")
_APOSTROPHES = "'’‘`´ʼ"
_JOINERS = " \t\u00a0-\u2010\u2011\u2013"
# Scripts written without spaces between words (Thai, Lao, Burmese, Khmer, Japanese kana,
# Chinese characters), and Korean, whose particles join the name ('김민수는').
_UNSPACED = re.compile(
    r"[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff\uff66-\uff9f\uac00-\ud7af]"
)
_CJK_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def _plain(char: str) -> str:
    """`char` without its accents ('é' -> 'e'); letters like 'ł' by their stand-in."""
    if char in _STAND_INS:
        return _STAND_INS[char][0]
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def _accented() -> dict[str, str]:
    """Every precomposed Latin letter, by the plain letter it is written on."""
    table: dict[str, list[str]] = {}
    for point in range(0xC0, 0x250):
        char = chr(point)
        base = _plain(char)
        if char.isalpha() and len(base) == 1 and base.isascii() and base != char:
            table.setdefault(base, []).append(char)
    return {base: "".join(chars) for base, chars in table.items()}


def _letter(char: str) -> str:
    """A regex for one letter of a name: itself, plain or accented, and its stand-ins."""
    base = _plain(char)
    options = [re.escape(char)]
    if len(base) == 1 and base.isascii():
        options = [f"[{re.escape(base)}{_accented().get(base, '')}]"]
    options += [re.escape(s) for s in _STAND_INS.get(char, ())]
    if char in _UMLAUTS:
        options.append(re.escape(base) + ("e" if char.islower() else "[Ee]"))
    # A decomposed accent in the text ('u' + U+0308) follows its letter.
    return f"(?:{'|'.join(options)})[\u0300-\u036f]*"


def spelling_pattern(name: str) -> str:
    """A regex (no flags, no boundaries) for `name` in any of the spellings above."""
    pieces: list[str] = []
    index = 0
    while index < len(name):
        char = name[index]
        pair = name[index : index + 2]
        if char in _JOINERS or char.isspace():
            while index < len(name) and (name[index] in _JOINERS or name[index].isspace()):
                index += 1
            pieces.append(f"[{re.escape(_JOINERS)}]*")
            continue
        if char in _APOSTROPHES:
            pieces.append(f"[{_APOSTROPHES}\\s]?")  # O'Brien, O’Brien, OBrien, O Brien
        elif len(pair) == 2 and pair[0] in "aouAOU" and pair[1] in "eE":
            # 'ue' may stand for 'ü' in the text: 'Mueller' finds 'Müller'.
            umlaut = {"a": "ä", "o": "ö", "u": "ü"}[pair[0].lower()]
            umlaut = umlaut.upper() if pair[0].isupper() else umlaut
            pieces.append(f"(?:{_letter(pair[0])}{_letter(pair[1])}|{re.escape(umlaut)})")
            index += 2
            continue
        else:
            pieces.append(_letter(char))
        index += 1
    return "".join(pieces)


def given_names(word: str) -> list[str]:
    """The parts of a Chinese, Japanese or Korean name written without a space.

    By the usual pattern, three characters are a one-character family name and a given
    name ('王小明': '小明'), four are two and two ('田中太郎': '田中', '太郎'). A single
    character is never a part: it would match inside too many other words.
    """
    if not _CJK_NAME.fullmatch(word):
        return []
    if len(word) == 3:
        return [word[1:]]
    if len(word) == 4:
        return [word[:2], word[2:]]
    return []


def bounded(name: str, pattern: str) -> str:
    """`pattern` with word boundaries, unless `name` is in a script written without spaces."""
    if _UNSPACED.search(name):
        return pattern
    return rf"(?<!\w){pattern}(?!\w)"
