"""A whole run against the loopback stub: formula-like answers are re-asked, control
characters in notes are dropped with a warning, and nothing printed carries an escape."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.cli.terminal import echo, plain
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.campaign_stub import ANSWERS, NOTE, write_campaign
from tests.helpers import EXAMPLE

runner = CliRunner()
ESCAPES = "\x1b]8;;http://e.vil\x1b\\\x1b[2J\x1b]0;pwn\x07"
# The note with escape sequences inside its sentences: they are dropped, the words stay.
DIRTY_NOTE = NOTE.replace("Churn is", f"Churn{ESCAPES} is").replace("guess.", "guess.\x9b2J")


def _answers() -> dict[str, list[dict[str, Any]]]:
    """First answers that start like formulas; the re-asks get the stub's valid ones."""
    persona: Any = copy.deepcopy(ANSWERS["PersonaSetDraft"])
    persona["personas"][0]["title"] = '=HYPERLINK("//e.vil","Go")'
    posts: Any = copy.deepcopy(ANSWERS["XPostDraft"])
    posts["variants"][0]["text"] = "@SUM(1+1)*cmd|' /C calc'!A0 churn is a surprise"
    return {"PersonaSetDraft": [persona], "XPostDraft": [posts]}


def _reasks(requests: list[dict[str, Any]], name: str) -> list[str]:
    """The last message of each request after the first: the re-ask."""
    return [str(b["messages"][-1]["content"]) for b in requests if tool_name(b) == name][1:]


def test_a_run_reasks_formulas_and_prints_no_escape_sequences(tmp_path: Path) -> None:
    queued = _answers()

    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        answers = queued.get(name)
        answer: Any = answers.pop(0) if answers else ANSWERS[name]
        return completion(answer, name=name)

    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path, stub.base_url)
        note = tmp_path / "notes" / "dana.txt"
        note.write_text(DIRTY_NOTE)
        out = tmp_path / "out"
        result = runner.invoke(app, ["run", str(campaign), "-o", str(out)])
    output = result.output
    assert result.exit_code == 0, output
    assert not any(c in output for c in "\x1b\x9b\x07"), repr(output)
    dropped = len(ESCAPES) + len("\x9b2J")
    assert f"warning: {note}: dropped {dropped} control characters" in output
    (persona_reask,) = _reasks(stub.requests, "PersonaSetDraft")
    assert "title starts with '='" in persona_reask and "formula" in persona_reask
    (post_reask,) = _reasks(stub.requests, "XPostDraft")
    assert "starts with '@'" in post_reask
    sent = "".join(str(m["content"]) for b in stub.requests for m in b["messages"])
    assert "\x1b" not in sent and "e.vil" not in sent  # escapes never reached the model
    card = (out / "personas" / "vp-marketing.md").read_text()
    assert "# Retention Rita: VP Marketing" in card


def test_linked_notes_are_refused_on_request(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path, None)
    secret = tmp_path / "secret.txt"
    secret.write_text("Dana: private words.")
    (tmp_path / "notes" / "linked.txt").symlink_to(secret)
    run = ["run", str(campaign), "-o", str(tmp_path / "out"), "--dry-run"]
    refused = runner.invoke(app, [*run, "--no-follow-symlinks"])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"error: {tmp_path / 'notes' / 'linked.txt'}: is a symbolic link; links to notes are "
        "not followed here (--no-follow-symlinks): name the file itself"
    )
    personas = [
        "personas",
        "--icp",
        str(EXAMPLE / "icp.yaml"),
        "--notes",
        str(tmp_path / "notes"),
        "-o",
        str(tmp_path / "out"),
        "--no-follow-symlinks",
    ]
    refused = runner.invoke(app, personas)
    assert refused.exit_code == 2 and "linked.txt: is a symbolic link" in refused.output
    followed = runner.invoke(app, run)  # the default reads the link's target
    assert followed.exit_code == 0, followed.output


def test_terminal_helpers_print_data_without_escapes_or_markup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    echo(f"warning: dropped pain_points 'Churn{ESCAPES} [bold]x[/bold]'", err=True)
    echo(f"Rita{ESCAPES}\x9b31m Renewal")
    captured = capsys.readouterr()
    assert captured.err == "warning: dropped pain_points 'Churn [bold]x[/bold]'\n"
    assert captured.out == "Rita Renewal\n"
    cell = plain(f"[link=http://e.vil]VP[/link]{ESCAPES}", "bold")
    assert cell.plain == "[link=http://e.vil]VP[/link]" and cell.style == "bold"
