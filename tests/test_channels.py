"""The channel registry: adopted limits, sources, lookup errors and how length is measured."""

from __future__ import annotations

import pytest

from personagen.channels import (
    Channel,
    FieldLimit,
    HardLimit,
    Recommendation,
    UnknownChannel,
    _consistency_problems,
    channel_ids,
    get_channel,
    measure,
)
from personagen.checks.limits import check_length
from personagen.errors import PersonagenError

# The limits this project adopts; a change to the YAML must be a deliberate change here too.
HARD_MAX = [
    ("google_rsa", "headlines", 30),
    ("google_rsa", "descriptions", 90),
    ("google_rsa", "path1", 15),
    ("google_rsa", "path2", 15),
    ("linkedin", "intro_text", 600),
    ("linkedin", "headline", 200),
    ("linkedin", "description", 300),
    ("meta", "primary_text", 2200),
    ("meta", "headline", 255),
    ("meta", "description", 255),
    ("x", "text", 280),
    ("email", "subject", 100),
    ("email", "preheader", 150),
]
RECOMMENDED_MAX = [
    ("linkedin", "intro_text", 150),
    ("linkedin", "headline", 70),
    ("linkedin", "description", 100),
    ("meta", "primary_text", 125),
    ("meta", "headline", 40),
    ("meta", "description", 30),
    ("email", "subject", 50),
    ("email", "preheader", 100),
]


def test_channel_ids_in_registry_order() -> None:
    # One order everywhere: decks, show, the report and `--channels all`.
    assert channel_ids() == ("email", "google_rsa", "linkedin", "meta", "x", "objections")
    assert channel_ids("ad") == ("google_rsa", "linkedin", "meta", "x")
    assert channel_ids("email") == ("email",)


def test_unknown_channel_lists_choices() -> None:
    with pytest.raises(UnknownChannel) as caught:
        get_channel("foo")
    assert str(caught.value) == (
        "unknown channel 'foo'; choose from: email, google_rsa, linkedin, meta, x, objections"
    )
    assert isinstance(caught.value, PersonagenError)
    assert isinstance(caught.value, KeyError)


def test_unknown_field_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no field 'title'"):
        get_channel("x").field("title")


@pytest.mark.parametrize(("channel_id", "field", "limit"), HARD_MAX)
def test_adopted_hard_limits(channel_id: str, field: str, limit: int) -> None:
    assert get_channel(channel_id).field(field).hard_max == limit


@pytest.mark.parametrize(("channel_id", "field", "limit"), RECOMMENDED_MAX)
def test_adopted_recommended_limits(channel_id: str, field: str, limit: int) -> None:
    assert get_channel(channel_id).field(field).recommended_max == limit


def test_item_counts_and_flags() -> None:
    rsa = get_channel("google_rsa")
    assert (rsa.field("headlines").min_items, rsa.field("headlines").max_items) == (3, 15)
    assert (rsa.field("descriptions").min_items, rsa.field("descriptions").max_items) == (2, 4)
    assert rsa.field("headlines").unique and rsa.field("descriptions").unique
    requires = rsa.field("path2").requires
    assert requires is not None and requires.field == "path1"
    assert get_channel("x").field("text").counts_links_as == 23
    assert get_channel("email").field("preheader").recommended_min == 40
    body = get_channel("email").field("body")
    assert (body.unit, body.hard_max, body.recommended_min, body.recommended_max) == (
        "words",
        None,
        50,
        125,
    )
    talk = get_channel("objections").field("talk_track")
    assert (talk.unit, talk.hard_max) == ("words", 120)


def test_every_hard_limit_has_source_and_why() -> None:
    for channel_id in channel_ids():
        channel = get_channel(channel_id)
        assert channel.source
        for limit in channel.fields:
            for rule in (limit.hard, limit.items, limit.requires):
                if rule is not None:
                    assert rule.source.strip() and rule.why.strip(), (channel_id, limit.name)
            if limit.recommended is not None:
                assert limit.recommended.why.strip()


@pytest.mark.parametrize(("channel_id", "field", "limit"), HARD_MAX)
def test_boundary_at_limit_passes_one_over_fails(channel_id: str, field: str, limit: int) -> None:
    index = 1 if get_channel(channel_id).field(field).items else None
    at_limit = check_length(channel_id, field, "a" * limit, index)
    assert [f for f in at_limit if f.severity == "error"] == []
    over = [
        f
        for f in check_length(channel_id, field, "a" * (limit + 1), index)
        if f.severity == "error"
    ]
    assert len(over) == 1
    assert f"is {limit + 1:,} characters" in over[0].message
    assert f"at most {limit:,}" in over[0].message


def test_word_limits_count_words() -> None:
    assert check_length("objections", "talk_track", " ".join(["word"] * 120)) == []
    over = check_length("objections", "talk_track", " ".join(["word"] * 121))
    assert over[0].message == (
        "talk track is 121 words; objection handling talk tracks may have at most 120 words"
    )


def test_measure_counts_each_x_link_as_23() -> None:
    text_field = get_channel("x").field("text")
    long_link = "https://example.com/" + "p" * 200
    assert measure(f"Read {long_link} now", text_field) == len("Read  now") + 23
    assert measure("a http://b.co b https://c.io/x", text_field) == len("a  b ") + 46
    # other channels count links literally
    headline = get_channel("linkedin").field("headline")
    assert measure(long_link, headline) == len(long_link)


def test_x_boundary_with_a_link() -> None:
    link = "https://example.com/" + "x" * 80
    at_limit = "a" * (280 - 23 - 1) + " " + link
    assert measure(at_limit, get_channel("x").field("text")) == 280
    assert check_length("x", "text", at_limit) == []
    over = check_length("x", "text", "a" + at_limit)
    assert over[0].message == (
        "text is 281 characters (each link counts as 23); X posts may have at most 280"
    )


def test_measure_normalises_to_nfc() -> None:
    decomposed = "cafe\u0301"  # e + combining acute accent: one character on every platform
    assert measure(decomposed, get_channel("google_rsa").field("headlines")) == 4


def test_consistency_problems_are_reported() -> None:
    bad = Channel(
        id="bad",
        name="Bad",
        title="Bad ads",
        kind="ad",
        shape="variants",
        task="ads",
        output_tokens=100,
        source="test",
        fields=(
            FieldLimit(
                name="headline",
                label="headline",
                plural="headlines",
                hard=HardLimit(source="s", why="w", max=10),
                recommended=Recommendation(why="w", max=20),
            ),
        ),
    )
    assert _consistency_problems((bad, bad)) == [
        "bad.headline: recommended max 20 is above hard max 10",
        "channel 'bad' is defined twice",
        "bad.headline: recommended max 20 is above hard max 10",
    ]


def test_hard_limit_without_source_is_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        HardLimit(source="", why="because", max=10)
