"""Figures written in words: rewritten as digits, or read as approximate amounts.

`spell_digits` rewrites, in place and without changing the text's length (the digits are
right-aligned in the words' room, so a unit after them still follows them):

- number words: 'forty-five' -> 45, 'two hundred fifty' -> 250, 'a dozen' -> 12, and
  'a'/'an' before a magnitude ('a million dollars' -> 1 million dollars);
- multipliers: 'double'/'doubles'/'doubled'/'doubling' -> 2x (also triple, quadruple), 'twice as'
  -> 2x, 'tenfold'/'10-fold' -> 10x, 'x2' -> 2x;
- fractions: 'a third of' -> 1/3, 'two-thirds' -> 2/3, 'a quarter of' / 'by a quarter'
  -> 1/4, 'in half' / 'by half' / 'halve' / 'half of' / 'half as' -> 1/2;
- 'a'/'an' before a duration after 'in', 'within', 'under' ('in a week' -> in 1 week;
  'under a minute', but not 'in a minute'), and 'within the hour'.

Words that only look like figures stay: 'double-check', 'double data entry', 'twice a
month', 'think twice', 'a third party', 'half the battle', 'once a week'. An ordinal
names a position, not an amount: 'the first week' is not a figure, as '1st' is not.

`vague_amounts` finds amounts without a number: 'thousands of', 'millions in',
'a few hundred', 'dozens of', and durations such as 'in minutes', 'within days' or 'in a
matter of hours'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES: dict[str, int] = (
    {word: i + 1 for i, word in enumerate(_UNITS)}
    | {word: i + 10 for i, word in enumerate(_TEENS)}
    | {word: (i + 2) * 10 for i, word in enumerate(_TENS)}
    | {"zero": 0, "a": 1, "an": 1, "hundred": 100, "dozen": 12}
)
_UNIT = "|".join(_UNITS)
_SMALL = rf"(?:(?:{'|'.join(_TENS)})(?:[-\s](?:{_UNIT}))?|{'|'.join(_TEENS)}|{_UNIT})"
_LEAD = rf"(?:{_SMALL}|an?)"
_NUMBER_WORDS = re.compile(
    rf"\b(?:{_LEAD}\s+hundred(?:\s+(?:and\s+)?{_SMALL})?|{_LEAD}\s+dozen"
    rf"|an?(?=\s+(?:thousand|million|billion|trillion)\b)|{_SMALL}|zero)\b",
    re.IGNORECASE,
)
_MULTIPLIER_VERBS = {"doub": 2, "trip": 3, "quadrup": 4}
_MULTIPLIER_VERB = re.compile(
    r"\b(?P<stem>doub|trip|quadrup)(?P<end>le|les|led|ling)\b(?!-)", re.IGNORECASE
)
# The base form 'double' is a verb only before what is doubled, or at the end of a clause.
_OBJECT_AFTER = re.compile(
    r"\s+(?:your|the|their|our|its|his|her|this|that|these|those|it|them|\{\{)|\s*(?:[.!?,;:)]|$)",
    re.IGNORECASE,
)
_COMPARATIVES = (
    r"as|the|more|faster|quicker|better|cheaper|bigger|larger|higher|greater|sooner|longer"
    r"|lower|smaller|fewer|less"
)
_TWICE = re.compile(rf"\btwice(?=\s+(?:{_COMPARATIVES})\b)", re.IGNORECASE)
_FOLD = re.compile(rf"\b(?P<n>\d+(?:\.\d+)?|{_SMALL}|hundred)(?:[-\s]?)fold\b(?!-)", re.IGNORECASE)
_TIMES_PREFIX = re.compile(r"(?<![\w.])[x×](?P<n>\d+(?:\.\d+)?)(?![\w.])", re.IGNORECASE)
_FRACTIONS = {
    "half": 2, "halve": 2, "third": 3, "quarter": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_FRACTION = re.compile(
    rf"\b(?P<n>an?|{_UNIT}|\d+)[-\s](?P<f>thirds?|quarters?|fifths?|sixths?|sevenths?"
    r"|eighths?|ninths?|tenths?)\b(?!-)",
    re.IGNORECASE,
)
_FRACTION_AFTER = re.compile(
    r"\s+(?:of|less|more|fewer|faster|slower|lower|higher|smaller|larger|cheaper|shorter"
    r"|longer)\b|\s*(?:[.!?,;:)]|$)",
    re.IGNORECASE,
)
_FRACTION_BEFORE = re.compile(
    r"\b(?:by|cut|cuts|cutting|save|saves|saved|saving|reduce|reduces|reduced|reducing|lose"
    r"|drop|drops|dropped|than|nearly|almost|about|roughly|over|under)\s+$",
    re.IGNORECASE,
)
# 'a quarter of' is a fraction before a determiner or a plural: 'a quarter of your budget',
# 'a quarter of teams'; 'a quarter of credibility' is three months' worth.
_QUARTER_OF = re.compile(
    r"\s+of\s+(?:the|all|your|our|their|its|these|those|every|each|(?:[a-z]+\s+)?[a-z]+s)\b",
    re.IGNORECASE,
)
_HALF = re.compile(
    r"\b(?:in|by)\s+half\b|\bhalv(?:e|es|ed|ing)\b"
    r"|\bhalf(?=\s+(?:of|as|the\s+(?:time|cost|costs|price|effort|work|hours|days|spend"
    r"|headcount|errors|steps|team)\b))",
    re.IGNORECASE,
)
# 'in a minute' is a figure of speech; 'under a minute' and 'within the hour' are claims.
_ARTICLE_DURATION = re.compile(
    r"\b(?:in|within|under|inside|than)(?:\s+(?:just|only|about|roughly|under|less\s+than))?"
    r"\s+(?P<a>an?(?:\s+single)?)\s+(?:hour|day|week|month|quarter|year|business\s+day"
    r"|working\s+day)\b"
    r"|\b(?:under|within|inside|less\s+than)\s+(?P<b>an?)\s+(?:second|minute)\b"
    r"|\bwithin\s+(?P<c>the)\s+(?:hour|day|week|month|quarter|year)\b",
    re.IGNORECASE,
)


def words_value(words: str) -> int:
    """The value of a number written in words: 'forty-five' 45, 'a hundred and ten' 110."""
    total = 0
    for word in re.split(r"[-\s]+", words.lower()):
        if word == "and":
            continue
        value = WORD_VALUES[word]
        if word in ("hundred", "dozen"):
            total = max(total, 1) * value
        else:
            total += value
    return total


def _fold_value(raw: str) -> str:
    if raw[0].isdigit():
        return raw
    return str(WORD_VALUES[raw.lower()] if raw.lower() == "hundred" else words_value(raw))


class Rewriter:
    """Replaces spans with right-aligned digits, keeping the text's length and spans apart."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)
        self.taken: list[tuple[int, int]] = []
        self.starts: dict[int, int] = {}  # where the digits start -> where the words started

    @property
    def text(self) -> str:
        """The text as rewritten so far."""
        return "".join(self.chars)

    def put(self, start: int, end: int, digits: str, *, absorb: bool = False) -> None:
        """Write `digits` at the end of `start:end`, blanking the rest of it.

        A span that overlaps one rewritten before is skipped, unless `absorb`: then the
        earlier spans become part of this one ('vierzig' then 'vierzig Prozent'), and the
        figure still starts where the first words began.
        """
        overlapping = [(s, e) for s, e in self.taken if s < end and start < e]
        if overlapping and not absorb:
            return
        start = min([start, *(s for s, _ in overlapping)])
        end = max([end, *(e for _, e in overlapping)])
        if len(digits) > end - start:
            return
        origin = start
        for s, e in overlapping:
            self.taken.remove((s, e))
            for first in [f for f in self.starts if s <= f < e]:
                origin = min(origin, self.starts.pop(first))
        first = end - len(digits)
        self.chars[start:end] = [" "] * (first - start) + list(digits)
        self.taken.append((start, end))
        if digits:  # an empty rewrite only blanks the span
            self.starts[first] = origin


def spell_digits(
    text: str, language: Callable[[Rewriter], None] | None = None
) -> tuple[str, dict[int, int]]:
    """`text` with figures in words written as digits (same length), and where each began.

    The map goes from the index of the first digit written to the index where the words
    it replaces began, so a figure can be quoted as the copy wrote it. `language` rewrites
    another language's figure words first (see `checks.figure_languages`); the English
    rules then read what it leaves (digits, '%' and English words alike).
    """
    out = Rewriter(text)
    if language is not None:
        language(out)
        text = out.text
    for match in _HALF.finditer(text):
        out.put(match.start(), match.end(), "1/2")
    for match in _FRACTION.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        quarter = match.group("f").lower().startswith("quarter")
        if quarter and not (_QUARTER_OF.match(after) or before.endswith("by ")):
            continue  # 'in a quarter' is three months, 'a quarter of credibility' too
        if not (_FRACTION_AFTER.match(after) or _FRACTION_BEFORE.search(before)):
            continue  # 'a third party'
        whole = _FRACTIONS[match.group("f").lower().rstrip("s")]
        part = match.group("n")
        out.put(match.start(), match.end(), f"{_fold_value(part)}/{whole}")
    for match in _MULTIPLIER_VERB.finditer(text):
        stem = match.group("stem").lower()
        base = match.group("end").lower() == "le"
        if base and not _OBJECT_AFTER.match(text, match.end()):
            continue  # 'double data entry', 'a triple win'
        out.put(match.start(), match.end(), f"{_MULTIPLIER_VERBS[stem]}x")
    for match in _TWICE.finditer(text):
        out.put(match.start(), match.end(), "2x")
    for match in _FOLD.finditer(text):
        out.put(match.start(), match.end(), f"{_fold_value(match.group('n'))}x")
    for match in _TIMES_PREFIX.finditer(text):
        out.put(match.start(), match.end(), f"{match.group('n')}x")
    for match in _ARTICLE_DURATION.finditer(text):
        group = next(name for name in ("a", "b", "c") if match.group(name))
        out.put(match.start(group), match.end(group), "1")
    for match in _NUMBER_WORDS.finditer(text):
        out.put(match.start(), match.end(), str(words_value(match.group())))
    return out.text, out.starts


@dataclass(frozen=True)
class Vague:
    """An amount stated without a number: its span, and the range of values it implies."""

    start: int
    end: int
    kind: str  # number | duration
    unit: str  # duration base ('s', 'mo'), or ''
    low: Decimal
    high: Decimal


# Each vague amount's order of magnitude, and the magnitude of the next word up.
VAGUE_SCALES = {
    "dozen": (12, 100), "hundred": (100, 1000), "thousand": (1000, 10**6),
    "million": (10**6, 10**9), "billion": (10**9, 10**12),
}  # fmt: skip
_VAGUE_NUMBER = re.compile(
    r"\b(?:(?P<times>tens|hundreds)\s+of\s+)?(?P<plural>dozen|hundred|thousand|million"
    r"|billion)s\b|\b(?:a\s+few|several|many)\s+(?P<single>dozen|hundred|thousand|million"
    r"|billion)\b",
    re.IGNORECASE,
)
# Each vague duration as (base unit, lowest value, value of the next unit up).
VAGUE_DURATIONS = {
    "seconds": ("s", 1, 60), "minutes": ("s", 60, 3600), "hours": ("s", 3600, 86400),
    "days": ("s", 86400, 604800), "weeks": ("s", 604800, 2419200), "months": ("mo", 1, 12),
}  # fmt: skip
_VAGUE_DURATION = re.compile(
    r"\b(?:in|within|under|inside|takes|take|took)\s+(?:just\s+|only\s+|mere\s+)?"
    r"(?:a\s+(?:few|couple\s+of|matter\s+of)\s+)?"
    r"(?P<unit>seconds|minutes|hours|days|weeks|months)\b(?!\s+(?:of|ago|later|before|after))",
    re.IGNORECASE,
)


def vague_amounts(text: str) -> list[Vague]:
    """Amounts and durations stated without a number, in order of appearance."""
    found: list[Vague] = []
    for match in _VAGUE_NUMBER.finditer(text):
        magnitude, above = VAGUE_SCALES[(match.group("plural") or match.group("single")).lower()]
        if match.group("times"):  # 'tens of thousands': 10,000 to 99,999
            magnitude *= 10 if match.group("times").lower() == "tens" else 100
            above = magnitude * 10
        elif match.group("single"):  # 'a few hundred': 200 to 999
            above = magnitude * 10
        low, high = Decimal(2 * magnitude), Decimal(above - 1)
        found.append(Vague(match.start(), match.end(), "number", "", low, high))
    for match in _VAGUE_DURATION.finditer(text):
        base, first, above = VAGUE_DURATIONS[match.group("unit").lower()]
        found.append(
            Vague(
                match.start("unit"),
                match.end("unit"),
                "duration",
                base,
                Decimal(first),
                Decimal(above - 1),
            )
        )
    return sorted(found, key=lambda v: v.start)
