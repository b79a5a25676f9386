"""How platforms count the characters of copy: once each, or weighted (per channel, from
`data/channels.yaml`'s `counting`).

Google Ads counts double-width characters (Chinese, Japanese, Korean, full-width forms) as
2; X weighs every character outside a few light ranges (CJK, emoji) as 2; the other
platforms count each character once.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal, Protocol

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass

URL = re.compile(r"https?://\S+")
CountingRule = Literal["code_points", "double_width", "x_weighted"]
# X's light characters (weight 1), from twitter-text's configuration v3.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# Below U+1100 no character is East Asian Wide or Fullwidth, and all are light on X: text
# made only of them (any Latin, Greek or Cyrillic copy) counts one per character.
_FIRST_HEAVY = "\u1100"


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Counting:
    """How a platform counts the characters of its fields, and where it says so.

    `code_points`: each character once (after NFC). `double_width`: East Asian Wide and
    Fullwidth characters count as 2 (Google Ads). `x_weighted`: X's weighted length, 1 for
    characters in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037, 2 for every
    other (CJK, emoji); an emoji sequence is counted per character, stricter than X.
    """

    rule: CountingRule
    source: Annotated[str, Field(min_length=1)]


class Measured(Protocol):
    """What `measure` reads of a field's limits (`channels.FieldLimit`)."""

    @property
    def unit(self) -> str:
        """characters or words."""

    @property
    def counts_links_as(self) -> int | None:
        """What each http(s) URL counts as, or None."""

    @property
    def counting(self) -> CountingRule:
        """How the platform counts characters."""


def measure(text: str, field: Measured) -> int:
    """Length of `text` as the channel counts it for `field`.

    Characters are Unicode code points after NFC normalisation, weighted by the channel's
    counting rule (Google Ads counts double-width characters as 2, X weighs CJK and emoji
    as 2); a field with `counts_links_as` counts each http(s) URL as that many characters
    (X's t.co rule). Word fields count whitespace-separated words.
    """
    text = unicodedata.normalize("NFC", text)
    if field.unit == "words":
        return len(text.split())
    links = 0
    if field.counts_links_as is not None:
        links = field.counts_links_as * len(URL.findall(text))
        text = URL.sub("", text)
    if field.counting == "code_points" or not text or max(text) < _FIRST_HEAVY:
        return len(text) + links
    if field.counting == "double_width":
        return len(text) + links + sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    heavy = sum(not any(lo <= ord(c) <= hi for lo, hi in _X_LIGHT) for c in text)  # x_weighted
    return len(text) + links + heavy


def counting_note(rule: CountingRule) -> str | None:
    """The sentence prompts and field descriptions add for a weighted rule, or None."""
    if rule == "code_points":
        return None
    heavy = "double-width" if rule == "double_width" else "CJK or emoji"
    return f"Each {heavy} character counts as 2."
