"""Small text helpers shared across layers."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """Lower-case ASCII slug: 'VP of Marketing' -> 'vp-of-marketing'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug or fallback


def unique_slug(text: str, taken: set[str]) -> str:
    """A slug not in `taken` (adds -2, -3, ...), recorded in `taken`."""
    base = slugify(text)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
