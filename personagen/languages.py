"""Languages: BCP 47 tags, and the lint data of each language (`data/languages/<code>.yaml`).

A tag is checked and written in its standard form with `langcodes` ('EN-gb' -> 'en-GB',
'de_AT' -> 'de-AT'). Any valid tag may be asked for; lint has rules for the languages that
ship a data file (`lint_languages()`), keyed by the tag's language ('de-AT' uses `de.yaml`).
For another language lint falls back to its language-neutral checks (digits, percent
signs, currency symbols, limits, tokens) and says so once.

Base data like `channels.py`: it imports nothing of personagen but `errors`.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from personagen.data import load_data
from personagen.errors import InputError

DEFAULT_LANGUAGE = "en"
Tag = str | None  # a BCP 47 language tag; None: the default, English
_FOLDER = "languages"
# Built when a language file is first read, not at import (lint of English copy reads none).
_STRICT = ConfigDict(extra="forbid", frozen=True, defer_build=True)
# What an amount without a number stands for (`checks.figure_words`' vague amounts).
VagueAmount = Literal[
    "dozen", "hundred", "thousand", "million", "billion", "minutes", "hours", "days", "weeks"
]


# Tags valid and already in standard form (a test checks each against langcodes): the
# ones almost every file records need no look-up in langcodes' data, whose import costs
# `lint` and `report` about a third of their start-up.
COMMON_TAGS = frozenset(
    {"en", "en-US", "en-GB", "de", "de-DE", "de-AT", "de-CH", "fr", "fr-FR", "fr-CA"}
    | {"es", "es-ES", "es-MX"}
)


@functools.lru_cache(maxsize=256)
def standard_tag(tag: str) -> str:
    """`tag` in its standard BCP 47 form; ValueError naming examples when it is not one."""
    cleaned = tag.strip()
    if cleaned in COMMON_TAGS:
        return cleaned
    import langcodes

    if not cleaned or not langcodes.tag_is_valid(cleaned):
        raise ValueError(
            f"{tag!r} is not a BCP 47 language tag; write one like en, en-GB, de, de-AT, fr, es"
        )
    return str(langcodes.standardize_tag(cleaned))


def _checked(tag: str) -> str:
    return standard_tag(tag)


# A language tag in a file, flag or variable: checked, and kept in its standard form.
LanguageTag = Annotated[str, AfterValidator(_checked)]


def base_language(tag: str) -> str:
    """The language part of a tag: 'de-AT' -> 'de', 'zh-Hant-TW' -> 'zh'."""
    return standard_tag(tag).split("-")[0].lower()


class Readability(BaseModel):
    """How the reading grade of copy in a language is measured (textstat formulas).

    `formula` is the textstat function: a grade formula gives a school grade; an ease
    formula (0-100, higher is easier) is turned into a grade by `grades`, points of
    (ease, grade) read by straight lines between them, so `voice.max_reading_grade` means
    the same school year in every language.
    """

    model_config = _STRICT

    formula: Literal[
        "flesch_kincaid_grade", "wiener_sachtextformel", "flesch_reading_ease", "fernandez_huerta"
    ]
    locale: str = Field(min_length=2)
    name: str = Field(min_length=1)
    grades: tuple[tuple[float, float], ...] = ()


class Phrase(BaseModel):
    """An AI-sounding phrase of a language: `phrase` (plain words) or `pattern` (a regex)."""

    model_config = _STRICT

    phrase: str | None = None
    pattern: str | None = None
    label: str | None = None
    suggestion: str = Field(min_length=1)


class Figures(BaseModel):
    """Figures written in words in a language, rewritten to what the figure reader knows.

    `numbers` maps number words to values; `hundreds` the words of whole hundreds;
    `joiners` the words between parts of one number ('und', 'y'); `thousand_words` words
    that multiply the number before them by 1,000, also glued ('zweitausend'); after a word
    of `not_after` a number word is part of a unit ('pour cent'). `units` maps
    the reader's unit ('%', 'm', 'x', 'day') to words written after a figure; `suffixes`
    the same for endings glued to a number word ('zehnfach'); `phrases` whole expressions
    ('die Hälfte' -> '1/2'); `idioms` look like figures but state none ('mille mercis');
    `vague` amounts without a number ('Tausende', 'en quelques
    minutes'), by the English amount they stand for. `decimal_comma`: '1,5' is one and a
    half, '1.200' is 1200; `group_space`: '1 200' (a space between digit groups) is 1200.
    """

    model_config = _STRICT

    decimal_comma: bool = False
    group_space: bool = False
    numbers: dict[str, int] = Field(default_factory=dict)
    hundreds: dict[str, int] = Field(default_factory=dict)
    joiners: tuple[str, ...] = ()
    thousand_words: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    units: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    suffixes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    phrases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    idioms: tuple[str, ...] = ()
    vague: dict[VagueAmount, tuple[str, ...]] = Field(default_factory=dict)


class Customers(BaseModel):
    """How copy in a language presents a name as a customer (regex pieces, lower case).

    `leads` come before a name or a list of names ('Kunden wie'); `verbs` after a name, about
    us or a result ('vertrauen uns'), where `{us}` stands for the product or sender or one of
    the words of `us` ('uns', 'la solution'); `results` after a name, a result ('spart'),
    which counts only for a name with a legal form or without an article; `articles` may
    stand before a name ('die Müller GmbH') and `adverbs` between a name and its verb
    ('bereits'); `not_names` are capitalised words that name no
    company (German capitalises every noun); `legal_forms` end a company name ('GmbH').
    """

    model_config = _STRICT

    leads: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    adverbs: tuple[str, ...] = ()
    us: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    not_names: tuple[str, ...] = ()
    legal_forms: tuple[str, ...] = ()


class LanguageData(BaseModel):
    """Everything lint knows about one language."""

    model_config = _STRICT

    code: str
    name: str
    readability: Readability
    formality: dict[str, str] = Field(default_factory=dict)
    spelling: tuple[tuple[str, ...], ...] = ()
    fold_accents: bool = False
    figures: Figures = Field(default_factory=Figures)
    customers: Customers = Field(default_factory=Customers)
    ai_phrases: tuple[Phrase, ...] = ()
    # Function words the fit score leaves out (`checks/fit.py`), separated by spaces.
    stop_words: str = ""


@functools.cache
def lint_languages() -> tuple[str, ...]:
    """The languages that ship lint data, sorted: ('de', 'en', 'es', 'fr')."""
    folder = resources.files("personagen.data").joinpath(_FOLDER)
    names = (p.name for p in folder.iterdir())
    return tuple(sorted(n.removesuffix(".yaml") for n in names if n.endswith(".yaml")))


@functools.cache
def _load(code: str) -> LanguageData:
    data = load_data(LanguageData, _FOLDER, f"{code}.yaml")
    if data.code != code:
        raise InputError(
            f"personagen/data/{_FOLDER}/{code}.yaml",
            f"code '{data.code}' does not match the file name",
        )
    return data


@functools.lru_cache(maxsize=256)
def language_data(tag: str | None) -> LanguageData | None:
    """The lint data of `tag`'s language (no tag: English); None when it ships none."""
    code = base_language(tag or DEFAULT_LANGUAGE)
    return _load(code) if code in lint_languages() else None


def lint_fallback(tag: str | None) -> str | None:
    """The one warning for a language without lint data; None when lint knows it."""
    if base_language(tag or DEFAULT_LANGUAGE) in lint_languages():  # its file is not read
        return None
    known = ", ".join(lint_languages())
    return (
        f"language '{tag}' has no lint data (known: {known}); its copy is written in it, "
        "but lint uses only language-neutral checks (digits, % and currency signs, limits)"
    )


def prompt_language(tag: str | None) -> str | None:
    """How prompts name the language of the answer; None for none given (English)."""
    return language_label(tag) if tag else None


def language_label(tag: str | None) -> str:
    """How prompts name a language: 'German (de-AT)', or the tag when no data names it."""
    tag = standard_tag(tag or DEFAULT_LANGUAGE)
    data = language_data(tag)
    return f"{data.name} ({tag})" if data is not None else f"the language with BCP 47 tag {tag}"


def formality_rule(tag: str | None, formality: str | None) -> str | None:
    """The instruction for formal or informal address in `tag`'s language, or None."""
    if formality is None:
        return None
    data = language_data(tag)
    if data is not None and formality in data.formality:
        return data.formality[formality]
    form = "polite" if formality == "formal" else "familiar"
    return f"Address the reader {formality}ly, with the {form} form of address, throughout."
