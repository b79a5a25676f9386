"""Copy per journey stage and tracked links in every export: paths, decks, CSVs, report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from personagen.channels import get_channel
from personagen.errors import InputError
from personagen.export.copy_deck import count, deck_markdown, write_decks
from personagen.export.csv_export import csv_files, write_csvs
from personagen.export.outputs import OutputFolder
from personagen.export.report import load_output, render_report
from personagen.lint import lint_artifact
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.pipeline.copy import tracked_links
from tests.export.test_export_copy import BRIEF, make_artifact, make_persona, read_csv

TAGGED = Brief.model_validate(
    {
        **BRIEF.model_dump(mode="json"),
        "utm": {"source": "{channel}", "medium": "paid-social", "campaign": "q1"},
    }
)


def staged(channel: str, stage: str | None, brief: Brief = TAGGED) -> CopyArtifact:
    """An artifact of a stage, with the brief's tracked links (as the pipeline writes it)."""
    artifact = make_artifact(channel).model_copy(update={"stage": stage})
    return artifact.model_copy(update={"tracked_urls": tracked_links(artifact, brief)})


def test_staged_copy_lives_under_its_stage_and_is_read_back_in_journey_order(
    tmp_path: Path,
) -> None:
    folder = OutputFolder(tmp_path)
    folder.write_persona(make_persona())
    for artifact in (staged("meta", "decision"), staged("meta", "awareness"), staged("x", None)):
        folder.write_artifact(artifact)
    assert (tmp_path / "copy/revenue-rita/awareness/meta.json").is_file()
    assert (tmp_path / "copy/revenue-rita/x.json").is_file()
    _, artifacts = load_output(tmp_path)
    assert [(a.stage, a.channel) for a in artifacts] == [
        (None, "x"),
        ("awareness", "meta"),
        ("decision", "meta"),
    ]


def test_a_stage_that_is_not_a_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="stage '../x'"):
        OutputFolder(tmp_path).write_artifact(staged("meta", "../x"))


def test_a_deck_groups_copy_by_stage_and_lists_tracked_links(tmp_path: Path) -> None:
    deck = deck_markdown(
        [staged("email", "decision"), staged("linkedin", "awareness"), staged("x", "awareness")]
    )
    headings = re.findall(r"^## (.*)$", deck, re.M)
    assert headings == [
        "Awareness: LinkedIn ads",
        "Awareness: X promoted posts",
        "Decision: Email sequence",
    ]
    assert "**Stages:** Awareness, Decision" in deck
    assert "- Variant 2: <https://renewly.example/pilot?utm_source=linkedin&" in deck
    assert "utm_content=revenue-rita-awareness-2>" in deck
    assert "- Email 1: <https://renewly.example/pilot?utm_source=email&" in deck
    (path,) = write_decks(tmp_path, [staged("x", "awareness")])
    assert path == tmp_path / "revenue-rita.md"


def test_a_stage_less_deck_has_no_stage_or_link_lines() -> None:
    deck = deck_markdown([make_artifact("linkedin"), make_artifact("email")])
    assert "Stages" not in deck and "Tracked links" not in deck
    assert re.findall(r"^## (.*)$", deck, re.M) == ["Email sequence", "LinkedIn ads"]


def test_review_sheets_get_a_stage_column_and_each_variants_tracked_link(tmp_path: Path) -> None:
    write_csvs(tmp_path, [staged("linkedin", "awareness"), staged("linkedin", "decision")], TAGGED)
    header, rows = read_csv(tmp_path / "linkedin.csv")
    assert header[:3] == ["Persona", "Stage", "Variant"]
    assert [(r["Stage"], r["Variant"]) for r in rows] == [
        ("Awareness", "1"),
        ("Awareness", "2"),
        ("Decision", "1"),
        ("Decision", "2"),
    ]
    assert rows[3]["Destination URL"].endswith("utm_content=revenue-rita-decision-2")
    write_csvs(tmp_path, [make_artifact("linkedin")], BRIEF)
    header, rows = read_csv(tmp_path / "linkedin.csv")
    assert "Stage" not in header and rows[0]["Destination URL"] == BRIEF.offer.url


def test_the_link_in_a_post_is_the_tracked_link_and_counts_as_x_counts_it(tmp_path: Path) -> None:
    artifact = staged("x", "awareness").model_copy(
        update={
            "draft": {
                "variants": [{"text": f"See it: {BRIEF.offer.url}.", "addresses": ["pain-1"]}]
            }
        }
    )
    artifact = artifact.model_copy(update={"tracked_urls": tracked_links(artifact, TAGGED)})
    write_csvs(tmp_path, [artifact], TAGGED)
    _, (row,) = read_csv(tmp_path / "x.csv")
    (link,) = artifact.tracked_urls or []
    assert row["Post text"] == f"See it: {link}."
    # X counts every link as 23 characters: the tags leave the post's length as drafted.
    assert row["Weighted chars"] == str(count("x", "text", f"See it: {BRIEF.offer.url}.").used)


def test_google_ads_editor_has_one_ad_group_per_persona_and_stage(tmp_path: Path) -> None:
    artifacts = [staged("google_rsa", "consideration"), staged("google_rsa", "decision")]
    write_csvs(tmp_path, artifacts, TAGGED)
    _, rows = read_csv(tmp_path / "google_ads_editor.csv")
    groups = [r["Ad group"] for r in rows]
    assert (
        groups
        == ["VP Customer Success (revenue-rita) - Consideration"] * 2
        + ["VP Customer Success (revenue-rita) - Decision"] * 2
    )
    assert [r["Final URL"].rsplit("=", 1)[1] for r in rows] == [
        "revenue-rita-consideration-1",
        "revenue-rita-consideration-2",
        "revenue-rita-decision-1",
        "revenue-rita-decision-2",
    ]


def test_a_final_url_over_google_ads_limit_refuses_the_import_file(tmp_path: Path) -> None:
    long = Brief.model_validate(
        {
            **TAGGED.model_dump(mode="json"),
            "utm": {"source": "g", "medium": "cpc", "campaign": "c" * 2100},
        }
    )
    artifact = staged("google_rsa", "decision", long)
    with pytest.raises(InputError, match=r"tracked_urls\[1\]: the final URL is \d+ characters"):
        csv_files([artifact], long)
    assert not (tmp_path / "google_ads_editor.csv").exists()
    (finding, *_) = lint_artifact(artifact, long)[-2:]
    assert finding.rule == "final-url-length" and finding.severity == "error"


def test_the_report_groups_copy_by_stage_and_lists_tracked_links() -> None:
    persona = make_persona()
    artifacts = [staged("meta", "decision"), staged("email", "awareness"), staged("x", "awareness")]
    page = render_report([persona], artifacts, TAGGED)
    heads = re.findall(r'class="stage-head" id="([^"]+)">([^<]+)<', page)
    assert heads == [
        ("persona-revenue-rita-awareness", "Awareness"),
        ("persona-revenue-rita-decision", "Decision"),
    ]
    assert page.index("Awareness</h3>") < page.index('id="persona-revenue-rita-awareness-email"')
    assert page.index('id="persona-revenue-rita-decision-meta"') > page.index("Decision</h3>")
    assert ">Awareness: X promoted posts</a>" in page
    assert "utm_content=revenue-rita-decision-1" in page
    plain = render_report([persona], [make_artifact("meta")], BRIEF)
    assert 'class="stage-head"' not in plain and 'class="tracked-links"' not in plain
    assert get_channel("meta").title in plain
