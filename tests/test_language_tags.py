"""The tags `standard_tag` knows without langcodes are exactly what langcodes makes of them."""

from __future__ import annotations

import langcodes
import pytest

from personagen.languages import COMMON_TAGS, standard_tag


@pytest.mark.parametrize("tag", sorted(COMMON_TAGS))
def test_each_common_tag_is_valid_and_already_standard(tag: str) -> None:
    assert langcodes.tag_is_valid(tag)
    assert langcodes.standardize_tag(tag) == tag
    assert standard_tag(f" {tag} ") == tag


@pytest.mark.parametrize(("written", "standard"), [("EN", "en"), ("de_at", "de-AT")])
def test_other_spellings_of_common_tags_still_go_through_langcodes(
    written: str, standard: str
) -> None:
    assert standard_tag(written) == standard
