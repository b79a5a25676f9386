"""Tracking links: a brief's `utm:` tags added to every landing page copy links to.

Which URLs are tagged: the final URL of every ad variant (one per variant, since
`utm_content` tells the variants apart) and the call-to-action link of every e-mail of a
sequence. They are stored in the copy artifact (`tracked_urls`, in variant or e-mail
order), so every export (JSON, decks, CSVs, the report) shows the same links without the
brief. The unsubscribe link and the untagged `final_url` are left as they are.

How a URL is tagged (`tag_url`): the existing query string and fragment are kept as
written; our `utm_*` parameters replace any of the same name (tagging twice gives the same
URL) and are appended percent-encoded (`urllib.parse.quote`, so a space is '%20').

How a tagged URL is counted: as the platform counts its final URL field, every character
of the encoded URL, against `FINAL_URL_LIMITS`. The display URL is another field: Google
shows the domain and the display paths (counted as `path1`/`path2`), and X counts every
link in a post as 23 characters whatever its length, so tags never lengthen what is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from pydantic import Field, field_validator

from personagen.checks.findings import Finding
from personagen.models.base import StrictModel

PLACEHOLDERS = ("persona", "stage", "channel", "variant")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DEFAULT_CONTENT = "{persona}-{stage}-{variant}"
# Characters that join placeholders; one goes with a placeholder that is empty (no stage).
_JOINERS = "-_./ "


@dataclass(frozen=True)
class UrlLimit:
    """The longest final URL a platform accepts, and where that comes from."""

    max: int
    source: str


FINAL_URL_LIMITS = {
    "google_rsa": UrlLimit(
        2048,
        "Google Ads Help, 'Final URL' (support.google.com/google-ads/answer/2404246): "
        "up to 2,048 characters",
    ),
    "linkedin": UrlLimit(
        2000,
        "LinkedIn Help, 'Single image ads advertising specifications': destination URL "
        "up to 2,000 characters",
    ),
}


PerChannel = str | dict[str, str]


class UtmTags(StrictModel):
    """The brief's `utm:` section. Values may use {persona}, {stage}, {channel}, {variant};
    `source` and `medium` may also be a mapping of channel id to value, with a `default`."""

    source: PerChannel = Field(description="utm_source, e.g. '{channel}' or 'linkedin'.")
    medium: PerChannel = Field(
        description="utm_medium, e.g. {email: email, google_rsa: cpc, default: paid-social}."
    )
    campaign: str = Field(min_length=1, description="utm_campaign, e.g. 'q1-retention'.")
    content: str = Field(
        default=DEFAULT_CONTENT,
        min_length=1,
        description="utm_content; tells ads apart (default: persona, stage and variant).",
    )
    term: str | None = Field(default=None, min_length=1, description="utm_term (optional).")

    @field_validator("source", "medium", "campaign", "content", "term")
    @classmethod
    def _placeholders(cls, value: PerChannel | None) -> PerChannel | None:
        if value is None:
            return None
        if isinstance(value, dict) and "default" not in value:
            raise ValueError("a mapping by channel needs a 'default' value for other channels")
        texts = list(value.values()) if isinstance(value, dict) else [value]
        for text in texts:
            if not text.strip():
                raise ValueError("values must not be empty")
            for name in _PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    raise ValueError(
                        f"unknown placeholder '{{{name}}}'; use "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    )
        return value

    def values(
        self, persona: str, stage: str | None, channel: str, variant: int
    ) -> list[tuple[str, str]]:
        """The `utm_*` names and values for one ad variant or e-mail."""
        fill = {"persona": persona, "stage": stage or "", "channel": channel, "variant": variant}
        pairs = [
            ("utm_source", _for_channel(self.source, channel)),
            ("utm_medium", _for_channel(self.medium, channel)),
            ("utm_campaign", self.campaign),
            ("utm_content", self.content),
            ("utm_term", self.term),
        ]
        return [(name, _filled(text, fill)) for name, text in pairs if text is not None]


def _for_channel(value: PerChannel, channel: str) -> str:
    """A value for this channel: the mapping's entry for it, else its default."""
    return value if isinstance(value, str) else value.get(channel, value["default"])


def _filled(template: str, values: dict[str, object]) -> str:
    """The template with its placeholders filled; an empty one takes a joiner with it."""
    text = template
    for name, value in values.items():
        if str(value):
            text = text.replace("{" + name + "}", str(value))
        else:
            mark = re.escape("{" + name + "}")
            joiner = f"[{re.escape(_JOINERS)}]"
            text = re.sub(f"{joiner}{mark}|{mark}{joiner}?", "", text)
    return text


def tag_url(url: str, params: list[tuple[str, str]]) -> str:
    """`url` with these query parameters set (replacing any of the same name)."""
    names = {name for name, _ in params}
    parts = urlsplit(url)
    kept = [
        segment
        for segment in parts.query.split("&")
        if segment and unquote_plus(segment.split("=", 1)[0]) not in names
    ]
    ours = [f"{name}={quote(value, safe='')}" for name, value in params]
    return urlunsplit(parts._replace(query="&".join(kept + ours)))


def tracked_urls(
    url: str, tags: UtmTags, persona: str, stage: str | None, channel: str, count: int
) -> list[str]:
    """The tagged landing page of each of `count` variants or e-mails, in order."""
    return [
        tag_url(url, tags.values(persona, stage, channel, number)) for number in range(1, count + 1)
    ]


def url_findings(channel: str, urls: list[str] | None) -> list[Finding]:
    """An error for each tracked URL longer than the channel's final URL field accepts."""
    limit = FINAL_URL_LIMITS.get(channel)
    if limit is None or not urls:
        return []
    return [
        Finding(
            rule="final-url-length",
            severity="error",
            field=f"tracked_urls[{number}]",
            message=f"the final URL is {len(url)} characters; the platform accepts at most "
            f"{limit.max} ({limit.source})",
            fix="shorten the landing page or the brief's utm values",
        )
        for number, url in enumerate(urls, start=1)
        if len(url) > limit.max
    ]
