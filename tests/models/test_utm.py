"""Tracking links: utm tags added to landing pages, encoded, never doubled, within limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from personagen.models.utm import UtmTags, tag_url, tracked_urls, url_findings

TAGS = UtmTags(source="{channel}", medium="paid-social", campaign="q1 retention & more")


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_tags_keep_the_query_string_and_fragment_and_are_encoded() -> None:
    (url,) = tracked_urls(
        "https://r.example/pilot?ref=a+b&x=%2F#pricing", TAGS, "cfo", "awareness", "meta", 1
    )
    assert url.startswith("https://r.example/pilot?ref=a+b&x=%2F&utm_source=meta&")
    assert url.endswith("#pricing")
    assert "utm_campaign=q1%20retention%20%26%20more" in url
    query = _query(url)
    assert query["utm_campaign"] == ["q1 retention & more"]
    assert query["utm_content"] == ["cfo-awareness-1"]
    assert query["ref"] == ["a b"]


def test_tagging_twice_gives_the_same_url_and_replaces_old_tags() -> None:
    once = tag_url("https://r.example/p?utm_source=old&a=1", TAGS.values("cfo", None, "x", 2))
    assert tag_url(once, TAGS.values("cfo", None, "x", 2)) == once
    query = _query(once)
    assert query["utm_source"] == ["x"] and query["a"] == ["1"]
    assert all(len(values) == 1 for values in query.values())


def test_content_tells_variants_apart_with_or_without_a_stage() -> None:
    urls = tracked_urls("https://r.example/p", TAGS, "vp-of-marketing", None, "linkedin", 3)
    assert [_query(u)["utm_content"] for u in urls] == [
        ["vp-of-marketing-1"],
        ["vp-of-marketing-2"],
        ["vp-of-marketing-3"],
    ]
    staged = tracked_urls("https://r.example/p", TAGS, "cfo", "decision", "email", 1)
    assert _query(staged[0])["utm_content"] == ["cfo-decision-1"]
    assert "utm_term" not in _query(staged[0])


def test_source_and_medium_may_differ_per_channel() -> None:
    tags = UtmTags(
        source={"google_rsa": "google", "default": "{channel}"},
        medium={"email": "email", "google_rsa": "cpc", "default": "paid-social"},
        campaign="q1",
        content="{stage}_{variant}",
        term="churn",
    )
    query = _query(
        tracked_urls("https://r.example/p", tags, "cfo", "awareness", "google_rsa", 1)[0]
    )
    assert (query["utm_source"], query["utm_medium"]) == (["google"], ["cpc"])
    assert query["utm_content"] == ["awareness_1"] and query["utm_term"] == ["churn"]
    query = _query(tracked_urls("https://r.example/p", tags, "cfo", None, "meta", 1)[0])
    assert (query["utm_source"], query["utm_medium"]) == (["meta"], ["paid-social"])
    assert query["utm_content"] == ["1"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "{persona}-{audience}", "unknown placeholder '{audience}'"),
        ("medium", {"email": "email"}, "needs a 'default' value"),
        ("source", " ", "must not be empty"),
    ],
)
def test_bad_tags_say_what_is_wrong(field: str, value: Any, message: str) -> None:
    values: dict[str, Any] = {"source": "x", "medium": "m", "campaign": "c", field: value}
    with pytest.raises(ValidationError, match=message):
        UtmTags.model_validate(values)


def test_a_final_url_over_the_platform_limit_is_an_error_finding() -> None:
    long_campaign = UtmTags(source="google", medium="cpc", campaign="c" * 2000)
    urls = tracked_urls("https://r.example/p", long_campaign, "cfo", None, "google_rsa", 2)
    (first, second) = url_findings("google_rsa", urls)
    assert first.severity == "error" and first.field == "tracked_urls[1]"
    assert "at most 2048" in first.message and second.field == "tracked_urls[2]"
    assert url_findings("linkedin", urls)  # LinkedIn accepts 2,000 characters
    # A platform that documents no final URL limit, and a short URL, raise nothing.
    assert url_findings("meta", urls) == []
    assert (
        url_findings("google_rsa", tracked_urls("https://r.example/p", TAGS, "c", None, "x", 1))
        == []
    )
