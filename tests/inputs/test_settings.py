"""One settings type, one precedence: flags > env > campaign > config.yaml > defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import InputError, SettingsError
from personagen.inputs.campaign import load_campaign
from personagen.inputs.settings import resolve_settings
from personagen.models.campaign import ModelSettings, RateLimits
from personagen.run.request import campaign_settings
from personagen.settings import PROVIDER_ENV_VARS, Settings
from tests.helpers import EXAMPLE, ROOT

runner = CliRunner()
CASSETTES = ROOT / "fixtures" / "cassettes" / "saas-retention"
KEY = "sk-test-0123456789abcdef-NEVER-SHOWN"


def config_file(**values: object) -> Path:
    """Write $PERSONAGEN_HOME/config.yaml (a temp folder per test)."""
    home = Path(os.environ["PERSONAGEN_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


def campaign_file(tmp_path: Path, **settings: Any) -> Path:
    """The example campaign with absolute paths and only the given settings keys written."""
    data: dict[str, Any] = {
        "name": "settings-test",
        "icp": str(EXAMPLE / "icp.yaml"),
        "notes": [str(EXAMPLE / "notes")],
        "personas": 1,
        "brief": str(EXAMPLE / "brief.yaml"),
        "channels": ["email"],
        "replay": str(CASSETTES),
    }
    data.update(settings)
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def run_settings(
    tmp_path: Path, flags: dict[str, object] | None = None, **settings: Any
) -> Settings:
    loaded = load_campaign(campaign_file(tmp_path, **settings))
    return campaign_settings(loaded, flags or {}, None, require_key=False)


def error_line(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- precedence --------------------------------------------------------------------------


def test_defaults_without_any_source() -> None:
    settings = resolve_settings({"base_url": "http://127.0.0.1:9/v1"})
    assert settings.concurrency == 8 and settings.reasks == 2 and settings.provider == "compatible"


def test_config_concurrency_reaches_run_when_the_campaign_does_not_set_it(
    tmp_path: Path,
) -> None:
    config_file(concurrency=3, reasks=4, requests_per_minute=60)
    settings = run_settings(tmp_path)
    assert settings.concurrency == 3 and settings.reasks == 4
    assert settings.requests_per_minute == 60 and settings.provider == "replay"


def test_the_campaigns_written_value_wins_over_config(tmp_path: Path) -> None:
    config_file(concurrency=3, reasks=4, tokens_per_minute=1000)
    settings = run_settings(
        tmp_path, concurrency=12, model={"reasks": 1}, rate_limits={"requests_per_minute": 9}
    )
    assert settings.concurrency == 12 and settings.reasks == 1
    assert settings.requests_per_minute == 9 and settings.tokens_per_minute == 1000


def test_env_wins_over_campaign_and_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file(concurrency=3)
    monkeypatch.setenv("PERSONAGEN_CONCURRENCY", "5")
    assert run_settings(tmp_path, concurrency=12).concurrency == 5


def test_a_flag_wins_over_env_campaign_and_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file(concurrency=3)
    monkeypatch.setenv("PERSONAGEN_CONCURRENCY", "5")
    assert run_settings(tmp_path, {"concurrency": 20}, concurrency=12).concurrency == 20


def test_concurrency_from_config_reaches_the_run_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import personagen.run.plan

    seen: list[Settings] = []
    real = personagen.run.plan.plan_campaign

    def spy(request: Any, store: Any) -> Any:
        seen.append(request.settings)
        return real(request, store)

    monkeypatch.setattr(personagen.run.plan, "plan_campaign", spy)
    config_file(concurrency=3)
    campaign = campaign_file(tmp_path)
    args = ["run", str(campaign), "-o", str(tmp_path / "out"), "--dry-run"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, [*args, "--concurrency", "7"]).exit_code == 0
    assert [s.concurrency for s in seen] == [3, 7]


def test_the_example_campaign_still_reads_its_settings() -> None:
    settings = campaign_settings(load_campaign(EXAMPLE / "campaign.yaml"), require_key=False)
    assert settings.concurrency == 8 and settings.requests_per_minute == 500
    assert settings.tokens_per_minute == 200000 and settings.model == "gpt-4.1-mini"


# --- one-line errors that name their source ----------------------------------------------


def test_reasks_two_in_config_is_one_line(tmp_path: Path) -> None:
    path = config_file(reasks="two")
    with pytest.raises(InputError) as caught:
        resolve_settings({"replay_dir": CASSETTES})
    assert str(caught.value) == f"{path}: reasks: expected a whole number, got 'two'"
    line = error_line(["run", str(campaign_file(tmp_path)), "-o", str(tmp_path / "o")])
    assert line == f"error: {path}: reasks: expected a whole number, got 'two'"


def test_reasks_two_in_a_campaign_is_one_line(tmp_path: Path) -> None:
    campaign = campaign_file(tmp_path, model={"reasks": "two"})
    line = error_line(["run", str(campaign), "-o", str(tmp_path / "o")])
    assert line == f"error: {campaign}: model.reasks: expected a whole number, got 'two'"


def test_reasks_two_in_the_environment_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONAGEN_REASKS", "two")
    line = error_line(["run", str(campaign_file(tmp_path)), "-o", str(tmp_path / "o")])
    assert line == "error: PERSONAGEN_REASKS: expected a whole number, got 'two'"


def test_an_out_of_range_flag_names_the_flag(tmp_path: Path) -> None:
    campaign = campaign_file(tmp_path)
    line = error_line(["run", str(campaign), "-o", str(tmp_path / "o"), "--concurrency", "0"])
    assert line == "error: --concurrency: must be at least 1, got 0"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"concurrency": 300}, "concurrency: must be at most 256, got 300"),
        ({"temperature": 2.5}, "temperature: must be at most 2, got 2.5"),
        ({"timeout": 0}, "timeout: must be above 0, got 0"),
        ({"context_tokens": 10}, "context_tokens: must be at least 1000, got 10"),
        ({"max_output_tokens": 8}, "max_output_tokens: must be at least 256, got 8"),
        ({"requests_per_minute": -1}, "requests_per_minute: must be above 0, got -1"),
        ({"reasks": True}, "reasks: expected a whole number, got true"),
        ({"mode": "xml"}, "mode: unknown mode 'xml'; choose from: tools, json, md_json"),
        ({"provider": "acme"}, "provider: unknown provider 'acme'; choose from: openai"),
        ({"strict_schema": "maybe"}, "strict_schema: expected true or false, got 'maybe'"),
    ],
)
def test_bad_config_values_name_the_file_and_field(
    values: dict[str, object], expected: str
) -> None:
    path = config_file(**values)
    with pytest.raises(InputError) as caught:
        resolve_settings({"replay_dir": CASSETTES})
    assert str(caught.value).startswith(f"{path}: {expected}")


def test_unknown_keys_are_errors(tmp_path: Path) -> None:
    path = config_file(reask=3)
    with pytest.raises(InputError, match=r"unknown setting 'reask'; did you mean 'reasks'\?"):
        resolve_settings({"replay_dir": CASSETTES})
    path.write_text("api_key: sk-in-a-file\n")
    with pytest.raises(InputError, match="api_key: keep the key out of files"):
        resolve_settings({"replay_dir": CASSETTES})
    path.unlink()
    campaign = campaign_file(tmp_path, model={"reask": 3})
    line = error_line(["run", str(campaign), "-o", str(tmp_path / "o")])
    assert line.startswith(f"error: {campaign}: model: unknown field 'reask'")
    with pytest.raises(InputError, match="unknown setting 'reask'"):
        resolve_settings({"reask": 3})
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        Settings.model_validate({"reask": 3})


def test_environment_numbers_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONAGEN_REASKS", "4")
    monkeypatch.setenv("PERSONAGEN_TEMPERATURE", "0.7")
    monkeypatch.setenv("PERSONAGEN_STRICT_SCHEMA", "false")
    settings = resolve_settings({"replay_dir": CASSETTES})
    assert (settings.reasks, settings.temperature, settings.strict_schema) == (4, 0.7, False)
    assert "PERSONAGEN_REASKS" in PROVIDER_ENV_VARS  # cleared between tests


# --- one source of rules, and the key --------------------------------------------------


@pytest.mark.parametrize("section", [ModelSettings, RateLimits])
def test_campaign_sections_take_their_rules_from_settings(section: type[BaseModel]) -> None:
    """Each campaign field has the JSON schema of the Settings field, plus null."""
    ours = section.model_json_schema()["properties"]
    theirs = Settings.model_json_schema()["properties"]
    for name, schema in ours.items():
        expected = {k: v for k, v in theirs[name].items() if k not in ("default", "title")}
        allowed = [s for s in schema.get("anyOf", [schema]) if s != {"type": "null"}]
        got = allowed[0] if len(allowed) == 1 else {"anyOf": allowed}
        expected = expected.get("anyOf", [expected])
        expected_one = [s for s in expected if s != {"type": "null"}]
        assert got == (expected_one[0] if len(expected_one) == 1 else {"anyOf": expected_one})


def test_the_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    settings = resolve_settings({"provider": "openai"})
    assert settings.api_key == KEY
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert "api_key" not in settings.model_dump() and KEY not in settings.model_dump_json()
    assert settings.redacted()["api_key"] == "set" and KEY not in str(settings.redacted())


def test_settings_are_frozen_and_copy_with_updates() -> None:
    settings = Settings(provider="replay", replay_dir=CASSETTES)
    with pytest.raises(Exception, match="frozen"):
        settings.concurrency = 3  # type: ignore[misc]
    assert settings.model_copy(update={"cache": False}).cache is False


# --- numbers that are not numbers, keys that are not keys ---------------------------------

FLOAT_SETTINGS = ("temperature", "timeout", "requests_per_minute", "tokens_per_minute")


@pytest.mark.parametrize("name", FLOAT_SETTINGS)
@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e400", " NaN "])
def test_nan_and_infinity_are_refused_from_every_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    var = f"PERSONAGEN_{name.upper()}"
    monkeypatch.setenv(var, text)
    with pytest.raises(InputError, match=f"^{var}: expected a finite number"):
        resolve_settings({"base_url": "http://127.0.0.1:9/v1"})
    monkeypatch.delenv(var)
    config = tmp_path / "c.yaml"
    config.write_text(f"{name}: {float(text)!r}\n".replace("nan", ".nan").replace("inf", ".inf"))
    with pytest.raises(InputError, match=f"c.yaml: {name}: expected a finite number"):
        resolve_settings({"base_url": "http://127.0.0.1:9/v1"}, config)
    with pytest.raises(InputError, match=f"^--{name.replace('_', '-')}: expected a finite"):
        resolve_settings({"base_url": "http://127.0.0.1:9/v1", name: float(text)})


def test_finite_numbers_from_text_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONAGEN_TIMEOUT", " 2.5 ")
    monkeypatch.setenv("PERSONAGEN_TEMPERATURE", "0")
    settings = resolve_settings({"base_url": "http://127.0.0.1:9/v1"})
    assert settings.timeout == 2.5 and settings.temperature == 0.0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"input": float("nan"), "output": 1}, "prices.m.input: expected a finite number"),
        ({"input": 1, "output": float("inf")}, "prices.m.output: expected a finite number"),
        ({"input": -1, "output": 1}, "prices.m.input: must be at least 0, got -1"),
        ({"input": 1}, "prices.m: missing 'output'"),
        ({"input": 1, "output": 1, "cache": 1}, "prices.m: unknown price field 'cache'"),
    ],
)
def test_prices_must_be_complete_finite_and_not_negative(
    tmp_path: Path, row: dict[str, float], expected: str
) -> None:
    config_file(prices={"m": row})
    with pytest.raises(InputError, match=re.escape(expected)):
        resolve_settings({"base_url": "http://127.0.0.1:9/v1"})
    with pytest.raises(InputError, match=re.escape(expected)):
        run_settings(tmp_path, prices={"m": row})


def test_a_key_with_a_line_break_is_stripped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "\r\n")
    assert resolve_settings({}).api_key == KEY
    shown = capsys.readouterr().err
    assert shown.startswith("warning: OPENAI_API_KEY had whitespace") and KEY not in shown
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert resolve_settings({}).api_key == KEY and capsys.readouterr().err == ""


def test_a_key_of_only_whitespace_is_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "\r\n")
    with pytest.raises(SettingsError, match="^no API key: set OPENAI_API_KEY"):
        resolve_settings({})


@pytest.mark.parametrize(
    ("inside", "kind"), [(" ", "a space or a control character"), ("é", "a non-ASCII character")]
)
def test_a_key_no_header_can_carry_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, inside: str, kind: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY[:10] + inside + KEY[10:])
    with pytest.raises(SettingsError) as caught:
        resolve_settings({})
    assert str(caught.value).startswith(f"OPENAI_API_KEY: the key contains {kind}")
    assert KEY[:10] not in str(caught.value)


def test_replay_needs_no_key_whatever_the_provider(tmp_path: Path) -> None:
    settings = resolve_settings({"provider": "openai", "replay_dir": tmp_path})
    assert settings.provider == "openai" and settings.api_key is None


def test_a_budget_that_is_not_a_positive_amount_stops_the_library_too() -> None:
    from personagen.llm.budget import SpendingLimit

    for bad in (float("nan"), float("inf"), 0.0, -1.0):
        with pytest.raises(SettingsError, match="budget: expected a positive number"):
            SpendingLimit(bad)
