"""The copy's language end to end: tags, where the language comes from, prompts, what
artifacts record, lint following it, platform character counting and the report's lang."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from personagen.channels import get_channel, limit_text, measure, schema_keywords
from personagen.checks.limits import check_fields
from personagen.cli import app
from personagen.export.report import render_report
from personagen.inputs.campaign import load_campaign
from personagen.languages import language_label, lint_fallback, standard_tag
from personagen.lint import lint_paths
from personagen.llm import Door
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona
from personagen.pipeline.copy import CopyJob, prepare_copy
from personagen.run.request import campaign_request, campaign_settings
from personagen.settings import Settings
from tests.helpers import EXAMPLE, TEST_DATA

runner = CliRunner()
ARTIFACT = TEST_DATA / "lint" / "out" / "copy" / "chief-financial-officer" / "linkedin.json"
BRIEF = TEST_DATA / "lint" / "brief.yaml"


def _brief(**update: Any) -> Brief:
    data = yaml.safe_load(BRIEF.read_text())
    data.update(update)
    return Brief.model_validate(data)


def _artifact(intro: str, language: str | None = None) -> dict[str, Any]:
    data = json.loads(ARTIFACT.read_text())
    data["draft"]["variants"] = data["draft"]["variants"][:1]
    data["draft"]["variants"][0]["intro_text"] = intro
    if language is not None:
        data["language"] = language
    return data


# --- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("en", "en"),
        ("EN-gb", "en-GB"),
        ("de_AT", "de-AT"),
        ("fr-ca", "fr-CA"),
        ("es-419", "es-419"),
    ],
)
def test_tags_are_kept_in_standard_form(written: str, standard: str) -> None:
    assert standard_tag(written) == standard
    assert Settings(language=written).language == standard


@pytest.mark.parametrize("bad", ["", "german", "xx-yy-zz-1", "de--AT", "12"])
def test_bad_tags_are_refused_with_examples(bad: str) -> None:
    with pytest.raises(ValueError, match="BCP 47 language tag; write one like en, en-GB, de"):
        standard_tag(bad)
    with pytest.raises(ValidationError):
        Brief.model_validate({**yaml.safe_load(BRIEF.read_text()), "language": bad})


def test_a_run_in_a_language_without_lint_data_says_so_once(tmp_path: Path) -> None:
    said: list[str] = []
    folder = tmp_path / "c"
    folder.mkdir()
    data = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text())
    data.update(icp=str(EXAMPLE / "icp.yaml"), notes=[str(EXAMPLE / "notes")], language="ja")
    data.update(brief=str(EXAMPLE / "brief.yaml"), replay=str(tmp_path))
    (folder / "campaign.yaml").write_text(yaml.safe_dump(data))
    loaded = load_campaign(folder / "campaign.yaml")
    settings = campaign_settings(loaded, {}, None, require_key=False)
    request = campaign_request(loaded, settings, tmp_path / "out", say=said.append, dry_run=True)
    assert request.brief.language == "ja"
    assert len([line for line in said if "no lint data" in line]) == 1


def test_a_language_without_lint_data_is_allowed_with_one_warning() -> None:
    assert lint_fallback("de-AT") is None and lint_fallback(None) is None
    warning = lint_fallback("ja")
    assert warning is not None and "language-neutral" in warning and "de, en, es, fr" in warning
    assert language_label("ja") == "the language with BCP 47 tag ja"
    assert language_label("de-CH") == "German (de-CH)"


# --- where the language comes from ------------------------------------------------------


def _request(tmp_path: Path, campaign_language: str | None, flag: str | None) -> Any:
    folder = tmp_path / "campaign"
    folder.mkdir()
    data = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text())
    data.update(icp=str(EXAMPLE / "icp.yaml"), notes=[str(EXAMPLE / "notes")])
    data.update(brief=str(tmp_path / "brief.yaml"), replay=str(tmp_path))
    if campaign_language:
        data["language"] = campaign_language
    brief = yaml.safe_load((EXAMPLE / "brief.yaml").read_text())
    brief["language"] = "fr"
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(brief))
    (folder / "campaign.yaml").write_text(yaml.safe_dump(data))
    loaded = load_campaign(folder / "campaign.yaml")
    flags = {"language": flag} if flag else {}
    settings = campaign_settings(loaded, flags, None, require_key=False)
    return campaign_request(loaded, settings, tmp_path / "out", dry_run=True)


@pytest.mark.parametrize(
    ("campaign", "flag", "expected"),
    [(None, None, "fr"), ("de", None, "de"), ("de", "es-MX", "es-MX"), (None, "de-AT", "de-AT")],
)
def test_flag_wins_over_campaign_which_wins_over_brief(
    tmp_path: Path, campaign: str | None, flag: str | None, expected: str
) -> None:
    request = _request(tmp_path, campaign, flag)
    assert request.brief.language == expected
    assert request.settings.language == expected  # the persona stage writes in it too


def test_an_english_brief_gives_english_prompts_as_before(tmp_path: Path) -> None:
    persona = Persona.model_validate(json.loads(_persona_json()))
    door = Door(Settings(provider="replay", replay_dir=tmp_path))
    english = prepare_copy(door, CopyJob(persona, "linkedin"), _brief())
    system = english.body["messages"][0]["content"]
    assert "Language:" not in system
    german = prepare_copy(
        door,
        CopyJob(persona, "linkedin"),
        _brief(language="de", voice={**_brief().voice.model_dump(), "formality": "informal"}),
    )
    system = german.body["messages"][0]["content"]
    assert "write all copy in German (de)" in system and "'du'" in system
    assert german.key != english.key


def _persona_json() -> str:
    return (TEST_DATA / "lint" / "out" / "personas" / "chief-financial-officer.json").read_text()


# --- artifacts record their language; old ones still load ---------------------------------


def test_old_outputs_without_a_language_still_load() -> None:
    data = json.loads(ARTIFACT.read_text())
    assert "language" not in data
    assert CopyArtifact.model_validate(data).language is None
    persona = json.loads(_persona_json())
    persona.pop("language", None)
    assert Persona.model_validate(persona).language is None


# --- lint follows the language -------------------------------------------------------------


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "copy" / "p" / "linkedin.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def _messages(result: Any) -> list[str]:
    return [f.finding.message for f in result.findings]


def test_lint_reads_copy_in_the_language_it_records(tmp_path: Path) -> None:
    text = "Kunden wie die Müller GmbH sparen 40 Prozent beim Abschluss."
    path = _write(tmp_path, _artifact(text, language="de"))
    messages = " ".join(_messages(lint_paths([path], _brief())))
    assert "'Müller GmbH'" in messages and "'40 Prozent'" in messages


def test_the_language_flag_overrides_the_artifact(tmp_path: Path) -> None:
    text = "Kunden wie die Müller GmbH sparen 40 Prozent beim Abschluss."
    path = _write(tmp_path, _artifact(text))  # no language recorded: English
    assert "'Müller GmbH'" not in " ".join(_messages(lint_paths([path], _brief())))
    flagged = " ".join(_messages(lint_paths([path], _brief(), "de")))
    assert "'Müller GmbH'" in flagged
    # The brief's language applies to copy that records none.
    by_brief = " ".join(_messages(lint_paths([path], _brief(language="de"))))
    assert "'40 Prozent'" in by_brief


def test_lint_warns_once_for_a_language_without_data(tmp_path: Path) -> None:
    first = _write(tmp_path, _artifact("新しい方法で月次決算を締めましょう。", language="ja"))
    second = tmp_path / "copy" / "q" / "linkedin.json"
    second.parent.mkdir(parents=True)
    second.write_text(first.read_text())
    result = lint_paths([first, second], _brief())
    warned = [f for f in result.findings if f.finding.rule == "language"]
    assert len(warned) == 1 and "language-neutral" in warned[0].finding.message


def test_lint_cli_refuses_a_bad_language(tmp_path: Path) -> None:
    path = _write(tmp_path, _artifact("Book a demo."))
    result = runner.invoke(app, ["lint", str(path), "--language", "deutsch"])
    assert result.exit_code == 2
    assert "--language: 'deutsch' is not a BCP 47 language tag" in result.output


def test_reading_grade_uses_the_language_formula(tmp_path: Path) -> None:
    hard = (
        "Die Implementierung unserer cloudbasierten Finanzkonsolidierungsplattform ermöglicht "
        "Unternehmen vollständig automatisierte Rechnungsverarbeitungsprozesse."
    )
    path = _write(tmp_path, _artifact(hard, language="de"))
    grades = [f.finding for f in lint_paths([path], _brief()).findings]
    graded = [f for f in grades if f.rule == "reading-grade"]
    assert graded and "Wiener Sachtextformel" in graded[0].message


# --- platforms count characters their way --------------------------------------------------


def test_google_ads_counts_double_width_characters_twice() -> None:
    headline = get_channel("google_rsa").field("headlines")
    assert measure("月次決算", headline) == 8
    assert measure("Ｆｉｎａｎｃｅ", headline) == 14  # full-width Latin
    assert measure("Café crème", headline) == 10
    # 20 characters: within the schema's maxLength, over Google's 30.
    cjk = "月次決算を自動化しましょう今すぐ無料で試す"
    assert schema_keywords("google_rsa", "headlines")["items"]["maxLength"] == 30
    assert len(cjk) <= 30 < measure(cjk, headline)
    values = {"headlines": [cjk, "Close faster", "Book a demo"]}
    (finding,) = [f for f in check_fields("google_rsa", values) if f.rule == "length-hard-max"]
    assert "headline 1 is 42 characters (each double-width character counts as 2)" in (
        finding.message
    )
    assert "double-width character" in limit_text("google_rsa", "headlines")


def test_other_platforms_count_as_documented() -> None:
    assert measure("月次決算", get_channel("linkedin").field("headline")) == 4
    assert measure("月次決算 🚀", get_channel("x").field("text")) == 11  # X weighs CJK, emoji
    for channel in ("email", "google_rsa", "linkedin", "meta", "x", "objections"):
        counting = get_channel(channel).counting
        assert counting is not None and counting.source


def test_a_registered_channel_counts_characters_once(tmp_path: Path) -> None:
    from tests.helpers import tiktok_channel

    channel = tiktok_channel()
    assert all(f.counting == "code_points" for f in channel.fields)


# --- the report carries lang ---------------------------------------------------------------


def test_report_sets_lang_on_the_page_and_on_blocks_that_differ() -> None:
    base = _artifact("Book a 20-minute walkthrough.")
    german = CopyArtifact.model_validate({**copy.deepcopy(base), "language": "de"})
    english = CopyArtifact.model_validate({**copy.deepcopy(base), "channel": "linkedin"})
    page = render_report([], [german], _brief(language="de"))
    assert '<html lang="de">' in page and 'lang="en"' not in page
    page = render_report([], [english, german], _brief())
    assert '<html lang="en">' in page
    assert page.count('lang="de"') == 1
    persona = Persona.model_validate({**json.loads(_persona_json()), "language": "fr"})
    page = render_report([persona], [], _brief())
    assert page.count('lang="fr"') == 1


# --- personas are written in the language; quotes stay as spoken ---------------------------


def test_personas_record_their_language_and_prompts_ask_for_it(tmp_path: Path) -> None:
    import personagen
    from tests.campaign_stub import NOTE, script
    from tests.helpers import FAKE_URL, ScriptedModel, example_icp, stub_settings

    note = tmp_path / "dana.md"
    note.write_text(f"---\nrole: VP Marketing\nlanguage: en-US\n---\n{NOTE}\n")
    model = ScriptedModel(script)
    settings = stub_settings(FAKE_URL).model_copy(update={"language": "de-AT"})
    result = personagen.build_personas(
        example_icp(), [note], count=1, settings=settings, model=model, output=tmp_path / "out"
    )
    (persona,) = result.personas
    assert persona.language == "de-AT"
    extract, synthesize = (m["messages"][0]["content"] for m in model.requests)
    assert "write each insight's text in German (de-AT)" in extract
    assert "The interviewee speaks English (en-US)" in extract
    assert "personas' own text" in synthesize and "German (de-AT)" in synthesize
    english = personagen.build_personas(
        example_icp(),
        [note],
        count=1,
        settings=stub_settings(FAKE_URL),
        model=ScriptedModel(script),
        output=tmp_path / "en",
    )
    assert english.personas[0].language == "en"


@pytest.mark.parametrize("command", ["run", "personas", "copy"])
def test_commands_take_a_language_flag(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert "--language" in result.output and "BCP 47" in result.output


def test_a_bad_language_flag_is_one_error_line(tmp_path: Path) -> None:
    args = ["run", str(EXAMPLE / "campaign.yaml"), "-o", str(tmp_path / "o"), "--dry-run"]
    result = runner.invoke(app, [*args, "--language", "klingon"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --language: 'klingon' is not a BCP 47 language tag; write one like en, "
        "en-GB, de, de-AT, fr, es"
    ]


def test_a_hand_edited_bad_language_in_copy_is_one_error_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _artifact("Book a demo.", language="deutsch"))
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 2
    assert "language" in result.output and "BCP 47" in result.output
    assert "Traceback" not in result.output
