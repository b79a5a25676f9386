"""The API key never lands in files, output, cassettes, or error text."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import PersonagenError
from personagen.inputs.settings import resolve_settings
from personagen.testing.stub_server import Reply, StubServer
from tests.helpers import TEST_DATA
from tests.llm.test_faults import valid_reply

SENTINEL = "sk-SENTINEL-0123456789abcdefghijklmnopqrstuvwxyz"
runner = CliRunner()
ICP = TEST_DATA / "inputs" / "icp.yaml"


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    return SENTINEL


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "cfo.md").write_text(
        "---\nrole: CFO\n---\nChurn is always a surprise for us, and payback matters most."
    )
    (folder / "cs.txt").write_text("Our renewal forecast is basically a guess every quarter.")
    return folder


def files_containing(root: Path, secret: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and secret.encode() in path.read_bytes():
            found.append(path)
    return found


def _args(notes: Path, out: Path, base_url: str, *extra: str) -> list[str]:
    return [
        "personas",
        "--icp",
        str(ICP),
        "--notes",
        str(notes),
        "-o",
        str(out),
        "--count",
        "1",
        "--base-url",
        base_url,
        *extra,
    ]


def test_the_key_is_sent_to_the_server_and_written_nowhere(
    key: str, notes: Path, tmp_path: Path
) -> None:
    out, record = tmp_path / "out", tmp_path / "record"
    home = Path(os.environ["PERSONAGEN_HOME"])
    with StubServer(valid_reply) as stub:
        result = runner.invoke(app, _args(notes, out, stub.base_url, "--record", str(record)))
    assert result.exit_code == 0, result.output
    # The sentinel really was in play: the server got it, as a bearer token only.
    auth = {
        value
        for _, _, _, headers in stub.raw_requests
        for name, value in headers.items()
        if name.lower() == "authorization"
    }
    assert auth == {f"Bearer {key}"}
    assert not any(key.encode() in raw for _, _, raw, _ in stub.raw_requests)
    assert list((out / "personas").glob("*.json")) and list(record.glob("*.json"))
    for root in (out, record, home, notes):
        assert files_containing(root, key) == [] if root.exists() else True
    assert key not in result.output and key not in result.stderr
    for cassette in record.glob("*.json"):
        assert "authorization" not in cassette.read_text().lower()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=401, body={"error": {"message": "Incorrect API key provided"}}),
        Reply(status=500, body={"error": {"message": "internal error"}}),
        Reply(status=400, body={"error": {"message": "bad request"}}),
    ],
    ids=["401", "500", "400"],
)
def test_failures_do_not_show_the_key(
    key: str, notes: Path, tmp_path: Path, reply: Reply, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("transient_retries: 1\n")
    monkeypatch.setenv("PERSONAGEN_RAISE_ERRORS", "1")
    out = tmp_path / "out"
    one_note = notes / "cfo.md"  # one call in flight, so the stub never writes to a gone client
    with StubServer(lambda body, n: reply) as stub:
        result = runner.invoke(app, _args(one_note, out, stub.base_url, "--config", str(config)))
    assert isinstance(result.exception, PersonagenError), result.exception
    shown = "".join(traceback.format_exception(result.exception))
    assert shown.startswith("Traceback")
    assert key not in shown and key not in result.output
    assert key not in repr(result.exception.args)
    # Without the variable, the same failure is one line without the key either.
    monkeypatch.delenv("PERSONAGEN_RAISE_ERRORS")
    with StubServer(lambda body, n: reply) as stub:
        plain = runner.invoke(app, _args(one_note, out, stub.base_url, "--config", str(config)))
    assert plain.stderr.startswith("error: ") and key not in plain.output
    assert files_containing(tmp_path, key) == []


def test_settings_never_show_the_key(key: str) -> None:
    settings = resolve_settings({"base_url": "http://127.0.0.1:9/v1"})
    assert settings.api_key == key
    shown: dict[str, Any] = settings.redacted()
    assert key not in repr(settings) and key not in str(shown)
    assert shown["api_key"] == "set"


def test_a_server_echoing_the_key_does_not_get_it_shown(
    key: str, notes: Path, tmp_path: Path
) -> None:
    echo = Reply(status=400, body={"error": {"message": f"key {SENTINEL} is not allowed"}})
    with StubServer(lambda body, n: echo) as stub:
        result = runner.invoke(app, _args(notes / "cfo.md", tmp_path / "out", stub.base_url))
    assert result.stderr.startswith("error: ")
    assert key not in result.output
