"""The API key never lands in files, output, cassettes, or error text."""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import PersonagenError
from personagen.inputs.settings import resolve_settings
from personagen.llm.masking import mask_body
from personagen.testing.stub_server import Reply, StubServer
from tests.helpers import TEST_DATA
from tests.llm.fake_anthropic import with_text_turns
from tests.llm.test_faults import valid_reply
from tests.llm.test_native_provider import answers as native_answers

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


# A server that echoes the key inside successful answers ----------------------------------

ESCAPED = "".join(f"\\u{ord(c):04x}" for c in SENTINEL)  # the key as JSON \u escapes
# Where the escaped key goes: in the answer's JSON, or in JSON inside one of its strings.
OUTER, INNER = "ESCAPED-KEY-HERE", "ESCAPED-KEY-IN-NESTED-JSON-HERE"


def _with_echo(answer: dict[str, Any], escaped: str) -> dict[str, Any]:
    """A persona-stage answer carrying the key in a written field, raw and escaped."""
    if "insights" in answer:
        answer["insights"][0]["text"] += f" {SENTINEL} {escaped}"
    else:
        persona = answer["personas"][0]
        persona["summary"] = persona["summary"].replace("budget", f"budget {SENTINEL}")
        persona["pain_points"][0]["text"] += f" {escaped}"
    return answer


def _escaped(body: dict[str, Any]) -> bytes:
    """`body` as JSON with the placeholders written as the key's \\u escapes."""
    text = json.dumps(body).replace(INNER, ESCAPED.replace("\\", "\\\\"))
    return text.replace(OUTER, ESCAPED).encode()


def _echoing_openai(body: dict[str, Any], n: int) -> Reply:
    answer = valid_reply(body, n).body
    function = answer["choices"][0]["message"]["tool_calls"][0]["function"]
    function["arguments"] = json.dumps(_with_echo(json.loads(function["arguments"]), INNER))
    answer["id"] = SENTINEL
    answer["usage"]["echo"] = {"key": SENTINEL, "escaped": OUTER}
    return Reply(raw=_escaped(answer))


def _echoing_anthropic(raw: bytes, path: str) -> Reply:
    body = json.loads(raw)
    native = native_answers(with_text_turns(body), 0).body
    native["content"][0]["input"] = _with_echo(native["content"][0]["input"], OUTER)
    native["id"] = SENTINEL
    native["usage"]["echo"] = OUTER
    return Reply(raw=_escaped(native))


def _nowhere(key: str, *roots: Path) -> None:
    for root in roots:
        assert files_containing(root, key) == []
        assert files_containing(root, ESCAPED) == []


def test_a_key_echoed_in_good_answers_is_saved_nowhere(
    key: str, notes: Path, tmp_path: Path
) -> None:
    out, record = tmp_path / "out", tmp_path / "record"
    home = Path(os.environ["PERSONAGEN_HOME"])
    with StubServer(_echoing_openai) as stub:
        result = runner.invoke(app, _args(notes, out, stub.base_url, "--record", str(record)))
    assert result.exit_code == 0, result.output
    assert list((out / "personas").glob("*.json")) and list(record.glob("*.json"))
    assert "***" in "".join(p.read_text() for p in (out / "personas").glob("*.json"))
    _nowhere(key, out, record, home)
    assert key not in result.output


def test_a_key_echoed_by_the_messages_api_is_saved_nowhere(
    monkeypatch: pytest.MonkeyPatch, notes: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SENTINEL)
    out, record = tmp_path / "out", tmp_path / "record"
    home = Path(os.environ["PERSONAGEN_HOME"])
    route = {("POST", "/v1/messages"): _echoing_anthropic}
    with StubServer(lambda body, n: Reply(status=500), extra_routes=route) as stub:
        base = stub.base_url.removesuffix("/v1")
        args = _args(notes, out, base, "--record", str(record), "--provider", "anthropic")
        result = runner.invoke(app, [*args, "--model", "claude-test"])
    assert result.exit_code == 0, result.output
    assert {path for _, path, _, _ in stub.raw_requests} == {"/v1/messages"}
    assert list((out / "personas").glob("*.json")) and list(record.glob("*.json"))
    _nowhere(SENTINEL, out, record, home)


def test_a_key_with_a_line_break_is_stripped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, notes: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", f" {SENTINEL}\r\n")
    with StubServer(valid_reply) as stub:
        result = runner.invoke(app, _args(notes / "cfo.md", tmp_path / "out", stub.base_url))
    assert result.exit_code == 0, result.output
    warning = "warning: OPENAI_API_KEY had whitespace or a line break around the key"
    assert warning in result.stderr and SENTINEL not in result.output
    auth = {
        v for _, _, _, h in stub.raw_requests for k, v in h.items() if k.lower() == "authorization"
    }
    assert auth == {f"Bearer {SENTINEL}"}


ODD_KEY = "sk-proj/a+b=c&d 0123456789"  # characters that URL and JSON encodings change


@pytest.mark.parametrize(
    "written",
    [
        ODD_KEY,
        quote(ODD_KEY, safe=""),
        quote_plus(ODD_KEY),
        json.dumps(ODD_KEY)[1:-1].replace("/", "\\/"),
        "".join(f"\\u{ord(c):04x}" for c in ODD_KEY),
    ],
    ids=["raw", "url", "url-plus", "json-slash", "json-unicode"],
)
def test_every_written_form_of_the_key_is_masked(written: str) -> None:
    body = f'{{"a": "x {written} y", "n": 1}}\n'.encode()
    lines = body + f'{{"line": "{written}"}}\n'.encode()  # JSON lines (Batch API files)
    for masked in (mask_body(body, ODD_KEY), mask_body(lines, ODD_KEY)):
        assert written.encode() not in masked and ODD_KEY.encode() not in masked
        assert b"***" in masked
    assert json.loads(mask_body(body, ODD_KEY))["a"] == "x *** y"


def test_bodies_without_the_key_are_left_as_they_are() -> None:
    body = b'{"a": "\\u0073k-other", "b": [1, 2]}'
    assert mask_body(body, ODD_KEY) is body
    assert mask_body(b"[" * 100_000, ODD_KEY) == b"[" * 100_000
    assert mask_body(body, "short") is body and mask_body(body, None) is body
