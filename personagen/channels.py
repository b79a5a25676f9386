"""The channel registry: copy limits per channel, read once from `data/channels.yaml`.

It is the single source for the copy models' validators, `personagen lint`, report counters
and CSV export, so a limit changes in one place, the YAML file.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass

from personagen.counting import URL as URL
from personagen.counting import Counting, CountingRule, counting_note
from personagen.counting import measure as measure
from personagen.data import load_data
from personagen.errors import InputError, PersonagenError
from personagen.text import FORMULA_CONTROLS, FORMULA_TRIGGERS

REGISTRY_FILE = "channels.yaml"

ChannelKind = Literal["email", "ad", "sales"]
# How a channel's draft holds its pieces: e-mails in order, ad variants, or one battlecard.
Shape = Literal["sequence", "variants", "battlecard"]
Unit = Literal["characters", "words"]
Text = Annotated[str, Field(min_length=1)]

# extra="forbid": a misspelt key in the YAML (say `recomended`) must fail loudly, not be ignored.
_STRICT = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=_STRICT)
class HardLimit:
    """A limit the platform (or a house rule) enforces, with where it comes from and why."""

    source: Text
    why: Text
    max: int | None = Field(default=None, ge=1)
    min: int | None = Field(default=None, ge=0)


@dataclass(frozen=True, config=_STRICT)
class Recommendation:
    """A length the platform advises; going past it is a warning, not an error."""

    why: Text
    max: int | None = Field(default=None, ge=1)
    min: int | None = Field(default=None, ge=0)


@dataclass(frozen=True, config=_STRICT)
class ItemCount:
    """How many entries a list field (e.g. RSA headlines) must hold."""

    source: Text
    why: Text
    min: int = Field(default=1, ge=0)
    max: int | None = Field(default=None, ge=1)


@dataclass(frozen=True, config=_STRICT)
class Requirement:
    """A field that may only be set when another field is set."""

    field: str
    source: Text
    why: Text


@dataclass(frozen=True, config=_STRICT)
class FieldLimit:
    """The limits of one copy field; `name` is the copy model's field name."""

    name: str
    label: str
    plural: str
    unit: Unit = "characters"
    hard: HardLimit | None = None
    recommended: Recommendation | None = None
    items: ItemCount | None = None
    unique: bool = False
    requires: Requirement | None = None
    counts_links_as: int | None = Field(default=None, ge=1)
    counting: CountingRule = "code_points"
    csv_aliases: tuple[str, ...] = ()

    @property
    def hard_max(self) -> int | None:
        """Most characters (or words) allowed, or None."""
        return self.hard.max if self.hard else None

    @property
    def hard_min(self) -> int | None:
        """Fewest characters (or words) allowed, or None."""
        return self.hard.min if self.hard else None

    @property
    def recommended_max(self) -> int | None:
        """Most characters (or words) advised, or None."""
        return self.recommended.max if self.recommended else None

    @property
    def recommended_min(self) -> int | None:
        """Fewest characters (or words) advised, or None."""
        return self.recommended.min if self.recommended else None

    @property
    def min_items(self) -> int | None:
        """Fewest entries a list field may hold, or None for a single-text field."""
        return self.items.min if self.items else None

    @property
    def max_items(self) -> int | None:
        """Most entries a list field may hold, or None."""
        return self.items.max if self.items else None


@dataclass(frozen=True, config=_STRICT)
class Export:
    """The CSV a channel's copy is exported to.

    `format` "review" is a review sheet: per field in `columns` (field, header, count
    header) its text and its length as the platform counts it, then the landing page under
    `url_header` when set, and the persona items addressed. "google_ads_editor" is Google
    Ads Editor's import file.
    """

    file: Text
    format: Literal["review", "google_ads_editor"] = "review"
    columns: tuple[tuple[str, str, str], ...] = ()
    url_header: str | None = None


@dataclass(frozen=True, config=_STRICT)
class Channel:
    """A channel personagen writes copy for: its limits, and how it is written and shown.

    `title` heads the channel in decks, `show` and the report; `shape` says how the draft
    holds its pieces; `task` is its prompt template; `output_tokens` the typical answer
    size (budgets and dry runs); `reading` the fields whose reading grade is checked.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: str
    title: Text
    kind: ChannelKind
    shape: Shape
    task: Text
    output_tokens: Annotated[int, Field(ge=1)]
    source: str
    fields: tuple[FieldLimit, ...]
    reading: tuple[str, ...] = ()
    export: Export | None = None
    schedule_days: tuple[int, ...] = ()
    counting: Counting | None = None

    def __post_init__(self) -> None:
        # The channel's counting rule reaches every character field, where `measure`,
        # validation, lint, the report and CSV counts read it.
        if self.counting is not None and self.counting.rule != "code_points":
            rule = self.counting.rule
            fields = tuple(
                replace(f, counting=rule) if f.unit == "characters" else f for f in self.fields
            )
            object.__setattr__(self, "fields", fields)

    @property
    def pieces(self) -> tuple[str, str]:
        """Where the draft keeps its pieces and what one is called: ('variants', 'variant')."""
        return _PIECES[self.shape]

    def field(self, name: str) -> FieldLimit:
        """The limits of field `name`; KeyError when the channel has no such field."""
        for limit in self.fields:
            if limit.name == name:
                return limit
        known = ", ".join(f.name for f in self.fields)
        raise KeyError(f"channel '{self.id}' has no field '{name}' (fields: {known})")

    def field_names(self) -> tuple[str, ...]:
        """Names of the fields that have limits."""
        return tuple(f.name for f in self.fields)


_PIECES: dict[str, tuple[str, str]] = {
    "sequence": ("steps", "step"),
    "variants": ("variants", "variant"),
    "battlecard": ("objections", "objection"),
}


@dataclass(frozen=True, config=_STRICT)
class _Registry:
    channels: tuple[Channel, ...]


class UnknownChannel(PersonagenError, KeyError):
    """A channel id that the registry does not define."""

    def __init__(self, channel_id: str) -> None:
        self.channel_id = channel_id
        self.message = f"unknown channel '{channel_id}'; choose from: {', '.join(channel_ids())}"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError would print the message in quotes, as a repr.
        return self.message


def _consistency_problems(channels: tuple[Channel, ...]) -> list[str]:
    """Say what in a well-typed registry still contradicts itself."""
    problems: list[str] = []
    seen: set[str] = set()
    for channel in channels:
        if channel.id in seen:
            problems.append(f"channel '{channel.id}' is defined twice")
        seen.add(channel.id)
        names = channel.field_names()
        for limit in channel.fields:
            where = f"{channel.id}.{limit.name}"
            if names.count(limit.name) > 1:
                problems.append(f"{where} is defined twice")
            hard_max, rec_max = limit.hard_max, limit.recommended_max
            if hard_max is not None and rec_max is not None and rec_max > hard_max:
                problems.append(f"{where}: recommended max {rec_max} is above hard max {hard_max}")
            hard_min, rec_min = limit.hard_min, limit.recommended_min
            if hard_min is not None and rec_min is not None and rec_min < hard_min:
                problems.append(f"{where}: recommended min {rec_min} is below hard min {hard_min}")
            if limit.requires and limit.requires.field not in names:
                problems.append(f"{where} requires unknown field '{limit.requires.field}'")
            if limit.items and limit.items.max is not None and limit.items.max < limit.items.min:
                problems.append(f"{where}: items max is below items min")
        for name in channel.reading:
            if name not in names:
                problems.append(f"{channel.id}.reading names unknown field '{name}'")
        for name, _, _ in channel.export.columns if channel.export else ():
            if name not in names:
                problems.append(f"{channel.id}.export names unknown field '{name}'")
    return problems


_EXTRA: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add a channel at run time (after the YAML's), e.g. a plug-in's or a test's."""
    problems = _consistency_problems((*_registry().values(), channel))
    if problems:
        raise InputError(f"channel '{channel.id}'", "; ".join(problems))
    _EXTRA[channel.id] = channel


def unregister_channel(channel_id: str) -> None:
    """Remove a channel added with `register_channel`."""
    _EXTRA.pop(channel_id, None)


def _all() -> dict[str, Channel]:
    return {**_registry(), **_EXTRA}


@functools.cache
def _registry() -> dict[str, Channel]:
    """Read and check the registry once per process."""
    registry = load_data(_Registry, REGISTRY_FILE)
    problems = _consistency_problems(registry.channels)
    if problems:
        raise InputError(f"personagen/data/{REGISTRY_FILE}", "; ".join(problems))
    return {channel.id: channel for channel in registry.channels}


def channel_ids(kind: ChannelKind | None = None) -> tuple[str, ...]:
    """Ids of the channels in registry order, optionally only those of one kind."""
    return tuple(c.id for c in _all().values() if kind is None or c.kind == kind)


def unknown_channel_hint(name: str, known: tuple[str, ...] | list[str]) -> str:
    """What to write instead of an unknown channel: the closest id, then every valid one."""
    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return f"{guess}valid channels: {', '.join(known)}"


def channels_of_shape(shape: Shape) -> tuple[str, ...]:
    """Ids of the channels whose drafts have this shape, in registry order."""
    return tuple(c.id for c in _all().values() if c.shape == shape)


def get_channel(channel_id: str) -> Channel:
    """The channel with this id; UnknownChannel lists the valid ids."""
    try:
        return _all()[channel_id]
    except KeyError:
        raise UnknownChannel(channel_id) from None


def _class_char(char: str) -> str:
    return {"-": r"\-", "\t": r"\t", "\r": r"\r", "\n": r"\n"}.get(char, char)


# The first character of copy: no formula trigger (a spreadsheet would run the cell) and
# no whitespace (the validators trim it, which could expose a trigger behind it).
LEAD = "[^" + "".join(_class_char(c) for c in FORMULA_TRIGGERS + FORMULA_CONTROLS) + " ]"
# Any character, written so every grammar builder reads it (llama.cpp rejects `[\s\S]`).
ANY = r"[^\x00]"


def copy_pattern(low: int = 1, high: int | None = None, *, words: bool = False) -> str:
    """A pattern for copy of `low` to `high` characters (or at most `high` words) whose first
    character is not a formula trigger, in one regular expression without lookaheads.

    A grammar-based server (llama.cpp) turns a string's pattern into its grammar and ignores
    `minLength`/`maxLength` beside it, so the pattern carries the lengths too. Plain groups
    and character classes only: grammar builders reject `(?:`, `\\s` and lookarounds;
    ECMA, OpenAI and Python read it alike. Words are separated by spaces, as before.
    """
    if words:
        most = "*" if high is None else f"{{0,{high - 1}}}"
        body = rf"{LEAD}[^ ]*( +[^ ]+){most} *"
    else:
        rest, most = max(low - 1, 0), "" if high is None else str(high - 1)
        count = "*" if rest == 0 and high is None else f"{{{rest},{most}}}"
        body = f"{LEAD}{ANY}{count}"
    return f"^{body}$" if low >= 1 else f"^({body})?$"


def schema_keywords(channel_id: str, field: str, *, required: bool = True) -> dict[str, Any]:
    """The JSON Schema keywords of a field's hard limits, for the response contract.

    Character limits become `minLength`/`maxLength`, and a `pattern` (`copy_pattern`) says
    the same lengths (or the word limit) and that copy never starts with a formula trigger;
    item counts become `minItems`/`maxItems`, and unique entries `uniqueItems`. A field
    another field depends on is asked for (`minLength` 1), so the dependency holds by
    construction. X's 23-character links cannot be said in a
    schema: the raw length is capped, which is stricter, and the validator counts as X does.
    """
    channel = get_channel(channel_id)
    limit = channel.field(field)
    needed = any(f.requires and f.requires.field == field for f in channel.fields)
    text: dict[str, Any] = {"type": "string"}
    low = limit.hard_min if limit.hard_min is not None else (1 if required or needed else 0)
    if limit.unit == "words":
        text["minLength"] = max(low, 1 if required else 0)
        words = limit.hard_max is not None
        text["pattern"] = copy_pattern(text["minLength"], limit.hard_max, words=words)
    else:
        text["minLength"] = low
        if limit.hard_max is not None:
            text["maxLength"] = limit.hard_max
        text["pattern"] = copy_pattern(low, limit.hard_max)
    if limit.items is None:
        return text
    keywords: dict[str, Any] = {"items": text, "minItems": limit.items.min}
    if limit.items.max is not None:
        keywords["maxItems"] = limit.items.max
    if limit.unique:
        keywords["uniqueItems"] = True
    return keywords


def limit_text(channel_id: str, field: str) -> str:
    """A field's limits in words, for prompts and model descriptions."""
    limit = get_channel(channel_id).field(field)
    unit = limit.unit
    notes: list[str] = []
    if limit.items is not None:
        most = f" to {limit.items.max}" if limit.items.max else " or more"
        notes.append(f"Write {limit.items.min}{most}, all different.")
    lengths: list[str] = []
    low, high = limit.recommended_min, limit.recommended_max
    if low is not None and high is not None:
        lengths.append(f"aim for {low} to {high} {unit}")
    elif high is not None:
        lengths.append(f"aim for at most {high} {unit}")
    elif low is not None:
        lengths.append(f"aim for at least {low} {unit}")
    if limit.hard_max is not None:
        lengths.append(f"never more than {limit.hard_max} {unit}")
    if lengths:
        sentence = "; ".join(lengths) + "."
        notes.append(("Each: " + sentence) if limit.items else sentence.capitalize())
    if limit.counts_links_as:
        notes.append(f"Each link counts as {limit.counts_links_as} characters.")
    weighted = counting_note(limit.counting)
    if weighted:
        notes.append(weighted)
    if limit.requires:
        notes.append(f"Only with {limit.requires.field}.")
    return " ".join(notes)
