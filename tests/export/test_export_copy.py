"""Copy decks (Markdown) and platform CSVs (Google Ads Editor import, review sheets)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from personagen.channels import Export, get_channel
from personagen.errors import InputError, WriteError
from personagen.export.copy_deck import write_decks
from personagen.export.csv_export import (
    GOOGLE_ADS_EDITOR_COLUMNS,
    review_columns,
    write_csvs,
)
from personagen.export.outputs import OutputFolder
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.copy import DRAFT_MODELS, copy_warnings
from personagen.models.persona import BuyingRole, Item, Persona, Provenance

# --- builders (also used by test_show.py) ---------------------------------------------------

BRIEF = Brief.model_validate(
    {
        "id": "q1-retention",
        "product": {"name": "Renewly", "description": "Flags accounts at risk of churn."},
        "value_propositions": ["See churn risk weeks before renewal."],
        "offer": {
            "name": "30-day pilot",
            "call_to_action": "Book a 20-minute walkthrough",
            "url": "https://renewly.example/pilot",
        },
        "proof_points": [
            {
                "id": "early-warning",
                "text": "Customers see at-risk accounts 45 days before renewal.",
                "source": "2025 benchmark",
            }
        ],
        "voice": {"tone": "plain"},
        "email_compliance": {
            "sender_name": "Maya Lind, Renewly",
            "postal_address": "Renewly Inc., 500 Market Street, San Francisco, CA 94105",
            "opt_out_text": "Reply no thanks to stop these emails",
        },
    }
)
FOOTER = (
    "--\nMaya Lind, Renewly\nRenewly Inc., 500 Market Street, San Francisco, CA 94105\n"
    "Reply no thanks to stop these emails"
)
CREATED = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)


def _item(item_id: str, text: str, quote: str, confidence: str = "high") -> Item:
    return Item.model_validate(
        {
            "id": item_id,
            "text": text,
            "evidence": [{"note_id": "interview-1", "quote": quote}],
            "confidence": confidence,
        }
    )


def make_persona(persona_id: str = "revenue-rita", name: str = "Rita Renewal") -> Persona:
    return Persona(
        id=persona_id,
        icp_id="saas-retention",
        name=name,
        title="VP Customer Success",
        seniority="vp",
        department="Customer Success",
        buying_role=BuyingRole.ECONOMIC_BUYER,
        summary="Owns renewals across the mid-market book. Reports retention to the CFO.",
        goals=[_item("goal-1", "Hit 110% net retention", "our target is 110 percent NRR")],
        pain_points=[
            _item("pain-1", "Churn shows up too late", "we find out at the renewal call"),
            _item("pain-2", "Health scores are guesswork", "nobody trusts the health score", "low"),
        ],
        objections=[
            _item(
                "objection-1",
                "Another tool the team will not use",
                "my CSMs will not log into one more tool",
                "medium",
            )
        ],
        provenance=Provenance(
            model="gpt-4.1-mini", prompt_versions={"personas": "2"}, created=CREATED
        ),
    )


EMAIL_DRAFT: dict[str, Any] = {
    "steps": [
        {
            "day_offset": 0,
            "subject": "Renewals you can see coming",
            "preheader": "A read-only check shows which accounts are slipping, weeks early.",
            "body": (
                "Hi {{first_name}},\n\nMost teams learn an account is leaving at the renewal "
                "call, when it is too late to change anything. Renewly reads the data you "
                "already have in Salesforce and flags the accounts drifting away, with the "
                "reasons, while there is still time to act on them.\n\nWould a short walkthrough "
                "on your own accounts be useful?"
            ),
            "call_to_action": "Book a 20-minute walkthrough",
            "addresses": ["pain-1", "goal-1"],
        },
        {
            "day_offset": 3,
            "subject": "No new login for your CSMs",
            "preheader": "Flags live inside Salesforce, where your team already works all day.",
            "body": "Renewly works inside Salesforce. Nobody learns a new tool. Worth a look?",
            "call_to_action": "Reply yes",
            "addresses": ["objection-1"],
        },
    ]
}
RSA_DRAFT: dict[str, Any] = {
    "variants": [
        {
            "headlines": [
                "See Churn Before Renewal",
                "Flags At-Risk Accounts Early",
                "Works Inside Salesforce",
                "Read-Only CRM Connection",
                "Book a 20-Minute Walkthrough",
            ],
            "descriptions": [
                "Renewly flags accounts drifting toward churn, with reasons, weeks before renewal.",
                "No new tool for your CSMs: risk flags show up right inside Salesforce.",
            ],
            "path1": "renewals",
            "path2": "pilot",
            "addresses": ["pain-1", "objection-1"],
        },
        {
            "headlines": [
                "Stop Guessing Health Scores",
                "Risk Reasons You Can Trust",
                "Try Renewly Free",
            ],
            "descriptions": [
                "Replace gut-feel health scores with reasons pulled from usage and support data.",
                "Start a pilot on your own accounts and judge the flags yourself.",
                "Set up with a read-only connection; we never write to your CRM.",
            ],
            "path1": "health",
            "path2": "",
            "addresses": ["pain-2"],
        },
    ]
}
LONG_INTRO = (
    "Your renewal calls should not be where you learn an account is leaving. Renewly reads "
    "Salesforce, product usage and support tickets and flags the accounts drifting away, with "
    "the reasons, while there is still time to act."
)
LINKEDIN_DRAFT: dict[str, Any] = {
    "variants": [
        {
            "intro_text": LONG_INTRO,
            "headline": "See churn risk weeks before renewal",
            "description": "Pilot it on your own Salesforce data.",
            "addresses": ["pain-1"],
        },
        {
            "intro_text": "Your CSMs will not log into one more tool. They do not have to.",
            "headline": "Risk flags inside Salesforce",
            "description": "No new login, no new habit.",
            "addresses": ["objection-1"],
        },
    ]
}
META_DRAFT: dict[str, Any] = {
    "variants": [
        {
            "primary_text": "Know which accounts are slipping before the renewal call.",
            "headline": "Churn flags with reasons",
            "description": "Start a pilot",
            "addresses": ["pain-1", "goal-1"],
        }
    ]
}
X_URL = "https://renewly.example/pilot?utm_source=x&utm_campaign=q1-retention-launch"
X_DRAFT: dict[str, Any] = {
    "variants": [
        {
            "text": f"Renewal calls are a bad place to learn about churn. See it early: {X_URL}",
            "addresses": ["pain-1"],
        },
        {
            "text": "Health scores nobody trusts? Get flags with the reasons attached.",
            "addresses": ["pain-2"],
        },
    ]
}
BATTLECARD_DRAFT: dict[str, Any] = {
    "talk_track": "Most CS leaders we talk to learn about churn at the renewal call. "
    "Renewly shows the accounts at risk weeks earlier, inside Salesforce.",
    "objections": [
        {
            "objection_id": "objection-1",
            "objection": "My CSMs will not log into one more tool.",
            "buying_stage": "consideration",
            "why_they_raise_it": "Past tools went unused and the budget was wasted.",
            "response": {
                "acknowledge": "That is fair; adoption is where most tools fail.",
                "reframe": "Renewly is not another place to log into; flags appear in Salesforce.",
                "proof": "Customers see at-risk accounts 45 days before renewal.",
                "question": "Where do your CSMs spend most of their day today?",
            },
            "proof_point_ids": ["early-warning"],
        }
    ],
}
DRAFTS = {
    "email": EMAIL_DRAFT,
    "google_rsa": RSA_DRAFT,
    "linkedin": LINKEDIN_DRAFT,
    "meta": META_DRAFT,
    "x": X_DRAFT,
    "objections": BATTLECARD_DRAFT,
}
AD_CHANNELS = ("google_rsa", "linkedin", "meta", "x")


def _export(channel_id: str) -> Export:
    export = get_channel(channel_id).export
    assert export is not None
    return export


def make_artifact(channel: str, persona: Persona | None = None) -> CopyArtifact:
    """A stored artifact whose draft went through the channel's model, as the pipeline does."""
    persona = persona or make_persona()
    draft = DRAFT_MODELS[channel].model_validate(DRAFTS[channel])
    return CopyArtifact(
        persona_id=persona.id,
        persona_name=persona.name,
        persona_title=persona.title,
        channel=channel,
        brief_id=BRIEF.id,
        draft=draft.model_dump(mode="json"),
        footer=FOOTER if channel == "email" else None,
        final_url=BRIEF.offer.url if channel in AD_CHANNELS else None,
        warnings=copy_warnings(channel, draft),
        provenance=Provenance(model="gpt-4.1-mini", prompt_versions={"ads": "1"}, created=CREATED),
    )


def all_artifacts(persona: Persona | None = None) -> list[CopyArtifact]:
    # Deliberately out of deck order: the deck sorts channels itself.
    return [
        make_artifact(c, persona)
        for c in ("objections", "x", "meta", "linkedin", "google_rsa", "email")
    ]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


# --- Google Ads Editor CSV ------------------------------------------------------------------

EXPECTED_EDITOR_COLUMNS = (
    ["Campaign", "Ad group", "Ad type", "Status"]
    + [f"Headline {n}" for n in range(1, 16)]
    + [f"Description {n}" for n in range(1, 5)]
    + ["Path 1", "Path 2", "Final URL"]
)


def test_google_ads_editor_csv_parses_back_with_the_known_values(tmp_path: Path) -> None:
    other = make_persona("ops-oscar", "Ops Oscar")
    artifacts = [make_artifact("google_rsa"), make_artifact("google_rsa", other)]
    paths = write_csvs(tmp_path, artifacts, BRIEF)
    assert paths == [tmp_path / "google_ads_editor.csv"]
    columns, rows = read_csv(paths[0])
    assert columns == EXPECTED_EDITOR_COLUMNS == list(GOOGLE_ADS_EDITOR_COLUMNS)
    assert len(rows) == 4  # one row per RSA variant: two personas x two variants
    first, second = rows[0], rows[1]
    assert first["Campaign"] == "q1-retention"
    assert first["Ad group"] == "VP Customer Success (revenue-rita)"
    assert rows[2]["Ad group"] == "VP Customer Success (ops-oscar)"
    assert {r["Ad type"] for r in rows} == {"Responsive search ad"}
    assert {r["Status"] for r in rows} == {"Paused"}
    variant = RSA_DRAFT["variants"][0]
    assert [first[f"Headline {n}"] for n in range(1, 6)] == variant["headlines"]
    assert all(first[f"Headline {n}"] == "" for n in range(6, 16))
    assert [first["Description 1"], first["Description 2"]] == variant["descriptions"]
    assert first["Description 3"] == first["Description 4"] == ""
    assert (first["Path 1"], first["Path 2"]) == ("renewals", "pilot")
    assert (second["Path 1"], second["Path 2"]) == ("health", "")
    assert second["Description 3"] == RSA_DRAFT["variants"][1]["descriptions"][2]
    assert {r["Final URL"] for r in rows} == {"https://renewly.example/pilot"}
    headline_max = get_channel("google_rsa").field("headlines").hard_max
    description_max = get_channel("google_rsa").field("descriptions").hard_max
    assert headline_max == 30 and description_max == 90
    for row in rows:
        assert all(len(row[f"Headline {n}"]) <= headline_max for n in range(1, 16))
        assert all(len(row[f"Description {n}"]) <= description_max for n in range(1, 5))


def test_google_ads_editor_csv_is_utf8_without_bom_with_crlf_rows(tmp_path: Path) -> None:
    draft = {
        "variants": [
            {
                "headlines": ["Café Owners Love It", "Renewals — Sorted", "Flags With Reasons"],
                "descriptions": ["Plain, direct, specific.", 'Say "yes" to a pilot, today.'],
                "addresses": ["pain-1"],
            }
        ]
    }
    artifact = make_artifact("google_rsa").model_copy(
        update={"draft": DRAFT_MODELS["google_rsa"].model_validate(draft).model_dump(mode="json")}
    )
    (path,) = write_csvs(tmp_path, [artifact], BRIEF)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8")
    assert '"Say ""yes"" to a pilot, today."' in text  # QUOTE_MINIMAL quoting of , and "
    assert "Renewals — Sorted" in text and ",Café Owners Love It," in text
    _, rows = read_csv(path)
    assert rows[0]["Description 2"] == 'Say "yes" to a pilot, today.'


# --- review sheets --------------------------------------------------------------------------


def test_review_csvs_have_their_columns_counts_and_addresses(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, all_artifacts(), BRIEF)
    names = [p.name for p in paths]
    assert names == ["google_ads_editor.csv", "linkedin.csv", "meta.csv", "x.csv"]

    columns, rows = read_csv(tmp_path / "linkedin.csv")
    assert columns == list(review_columns(_export('linkedin'))) == [
        "Persona", "Variant", "Introductory text", "Intro chars", "Headline", "Headline chars",
        "Description", "Description chars", "Destination URL", "Addresses",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[0]["Persona"] == "Rita Renewal (revenue-rita)"
    assert rows[0]["Variant"] == "1" and rows[1]["Variant"] == "2"
    assert rows[0]["Introductory text"] == LONG_INTRO
    assert rows[0]["Intro chars"] == str(len(LONG_INTRO))
    assert rows[1]["Headline chars"] == str(len("Risk flags inside Salesforce"))
    assert rows[0]["Destination URL"] == "https://renewly.example/pilot"
    assert rows[1]["Addresses"] == "objection-1"

    columns, rows = read_csv(tmp_path / "meta.csv")
    assert columns == list(review_columns(_export('meta'))) == [
        "Persona", "Variant", "Primary text", "Primary chars", "Headline", "Headline chars",
        "Description", "Description chars", "Website URL", "Addresses",
    ]  # fmt: skip
    assert len(rows) == 1
    meta = META_DRAFT["variants"][0]
    assert rows[0]["Primary chars"] == str(len(meta["primary_text"]))
    assert rows[0]["Description chars"] == str(len(meta["description"]))
    assert rows[0]["Website URL"] == "https://renewly.example/pilot"
    assert rows[0]["Addresses"] == "pain-1, goal-1"

    columns, rows = read_csv(tmp_path / "x.csv")
    assert columns == list(review_columns(_export('x'))) == [
        "Persona", "Variant", "Post text", "Weighted chars", "Addresses"
    ]  # fmt: skip
    assert len(rows) == 2
    with_link = X_DRAFT["variants"][0]["text"]
    assert len(X_URL) > 23
    assert rows[0]["Weighted chars"] == str(len(with_link) - len(X_URL) + 23)
    assert rows[1]["Weighted chars"] == str(len(X_DRAFT["variants"][1]["text"]))


def test_csvs_are_written_only_for_channels_present(tmp_path: Path) -> None:
    assert (
        write_csvs(tmp_path / "a", [make_artifact("email"), make_artifact("objections")], BRIEF)
        == []
    )
    assert not (tmp_path / "a").exists()
    paths = write_csvs(tmp_path / "b", [make_artifact("meta")], BRIEF)
    assert paths == [tmp_path / "b" / "meta.csv"]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["meta.csv"]


def test_an_invalid_stored_draft_is_a_one_line_input_error(tmp_path: Path) -> None:
    artifact = make_artifact("google_rsa")
    broken = artifact.model_copy(deep=True)
    broken.draft["variants"][0]["headlines"][0] = "A headline far longer than thirty characters"
    with pytest.raises(InputError) as error:
        write_csvs(tmp_path, [broken], BRIEF)
    message = str(error.value)
    assert "copy/revenue-rita/google_rsa" in message and "30" in message
    assert "\n" not in message


# --- decks ----------------------------------------------------------------------------------


def test_deck_lays_out_every_channel_for_a_reviewer(tmp_path: Path) -> None:
    paths = write_decks(tmp_path, all_artifacts())
    assert paths == [tmp_path / "revenue-rita.md"]
    deck = paths[0].read_text(encoding="utf-8")
    assert deck.startswith("# Copy deck: Rita Renewal, VP Customer Success\n")
    # Channels in the fixed order, whatever order the artifacts came in.
    titles = [
        "## Email sequence",
        "## Google responsive search ads",
        "## LinkedIn ads",
        "## Meta ads",
        "## X promoted posts",
        "## Objection handling",
    ]
    positions = [deck.index(title) for title in titles]
    assert positions == sorted(positions)
    # Emails: day, subject, preheader, body, CTA, addresses and the footer.
    assert "### Email 1 · day 0" in deck and "### Email 2 · day 3" in deck
    assert "**Subject (27/100, aim ≤50):** Renewals you can see coming" in deck
    assert "No new login for your CSMs" in deck
    assert "Preheader (" in deck
    assert "> Hi {{first_name}},\n>\n> Most teams learn" in deck  # line breaks kept
    assert "**Call to action:** Book a 20-minute walkthrough" in deck
    assert "**Addresses:** pain-1, goal-1" in deck
    assert "### Footer (appended to every email)" in deck
    for line in FOOTER.splitlines():
        assert line in deck
    # Ads: each field with its count against the registry's limits.
    assert (
        f"**Headline 1 ({len('See Churn Before Renewal')}/30):** See Churn Before Renewal" in deck
    )
    assert "**Description 1 (" in deck and "/90):**" in deck
    assert "**Path 1 (8/15):** renewals" in deck
    assert f"**Introductory text ({len(LONG_INTRO)}/600, aim ≤150) ⚠:**" in deck
    assert "**Headline (24/255, aim ≤40):** Churn flags with reasons" in deck
    with_link = X_DRAFT["variants"][0]["text"]
    assert f"**Post ({len(with_link) - len(X_URL) + 23}/280, links as 23):**" in deck
    assert "**Post (65/280):** Health scores" in deck
    assert "\n\n\n" not in deck
    assert "**Addresses:** pain-1, objection-1" in deck
    assert "**Final URL:** <https://renewly.example/pilot>" in deck  # an autolink
    # Warnings from the artifact, next to the piece they belong to.
    assert "`variants[1].intro_text`" in deck
    assert "`steps[2].body`" in deck
    assert deck.index("`steps[2].body`") < deck.index("## Google responsive search ads")
    # Objection handling: acknowledge, reframe, proof (with proof point ids), question.
    assert "### Objection 1: “My CSMs will not log into one more tool.”" in deck
    for part in ("Acknowledge", "Reframe", "Proof", "Question"):
        assert f"- **{part}:**" in deck
    assert "(proof points: `early-warning`)" in deck
    assert "**Addresses:** objection-1" in deck
    assert "**Talk track (" in deck and "/120 words):**" in deck


def test_one_deck_per_persona(tmp_path: Path) -> None:
    oscar = make_persona("ops-oscar", "Ops Oscar")
    artifacts = [make_artifact("email"), make_artifact("x", oscar), make_artifact("meta")]
    paths = write_decks(tmp_path, artifacts)
    assert paths == [tmp_path / "revenue-rita.md", tmp_path / "ops-oscar.md"]
    oscar_deck = paths[1].read_text(encoding="utf-8")
    assert oscar_deck.startswith("# Copy deck: Ops Oscar, VP Customer Success")
    assert "## X promoted posts" in oscar_deck and "## Email sequence" not in oscar_deck
    assert write_decks(tmp_path / "none", []) == []


def test_a_persona_id_that_is_not_a_file_name_is_refused(tmp_path: Path) -> None:
    artifact = make_artifact("x").model_copy(update={"persona_id": "../escape"})
    with pytest.raises(InputError, match="persona_id"):
        write_decks(tmp_path / "copy", [artifact])
    assert not any(tmp_path.rglob("*.md"))


# --- atomic writes --------------------------------------------------------------------------


def test_writes_leave_no_temp_files(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    artifacts = all_artifacts()
    for artifact in artifacts:
        folder.write_artifact(artifact)
    written = [folder.artifact_path(a.persona_id, a.channel) for a in artifacts]
    written += folder.write_views(artifacts, BRIEF)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(tmp_path)) for p in written)
    assert "copy/revenue-rita.md" in files and "exports/google_ads_editor.csv" in files
    assert not [f for f in files if f.endswith(".tmp") or Path(f).name.startswith(".")]


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = write_csvs(tmp_path, [make_artifact("x")], BRIEF)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("personagen.atomic.os.replace", broken_replace)
    with pytest.raises(WriteError, match="disk full"):
        write_csvs(tmp_path, [make_artifact("x", make_persona("ops-oscar", "Ops Oscar"))], BRIEF)
    with pytest.raises(WriteError, match="disk full"):
        write_decks(tmp_path, [make_artifact("x")])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_csv_text_round_trips_multiline_cells(tmp_path: Path) -> None:
    draft = {
        "variants": [
            {
                "intro_text": "Line one of the intro.\nLine two, with a comma.",
                "headline": "Two-line intro",
                "description": "Check the quoting.",
                "addresses": ["pain-1"],
            }
        ]
    }
    artifact = make_artifact("linkedin").model_copy(
        update={"draft": DRAFT_MODELS["linkedin"].model_validate(draft).model_dump(mode="json")}
    )
    (path,) = write_csvs(tmp_path, [artifact], BRIEF)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2
    assert rows[1][2] == "Line one of the intro.\nLine two, with a comma."
