"""Recordings are safe: --rekey never rewrites the --replay folder unless told so by name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import ReplayMissError
from personagen.llm.cassettes import Cassette, CassetteBook
from personagen.testing.stub_server import StubServer
from tests.campaign_stub import script, write_campaign
from tests.helpers import EXAMPLE, ROOT

runner = CliRunner()
SHIPPED = ROOT / "fixtures" / "cassettes" / "saas-retention"


def _digest(folder: Path) -> str:
    """One hash of every file's path and bytes in `folder`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    # Cassettes recorded from the stub (an OpenAI-compatible server) replay in its dialect.
    env = {"PERSONAGEN_HOME": str(home), "PERSONAGEN_STRICT_SCHEMA": "false"}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    """The stub campaign recorded into a cassette folder, then its brief changed: every copy
    request differs from its recording, the persona requests do not."""
    with StubServer(script) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, _, err = _run(
            tmp_path / "h0", "run", str(campaign), "-o", str(tmp_path / "o0"), "--record",
            str(tmp_path / "tape"),
        )  # fmt: skip
        assert code == 0, err
    brief = yaml.safe_load((campaign.parent / "brief.yaml").read_text())
    brief["value_propositions"] = ["Know churn risk a quarter ahead."]
    (campaign.parent / "brief.yaml").write_text(yaml.safe_dump(brief))
    return campaign, tmp_path / "tape"


def test_rekey_without_a_record_folder_is_refused_and_changes_nothing(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    campaign, tape = recorded
    before = _digest(tape)
    out = tmp_path / "out"
    code, _, err = _run(
        tmp_path / "h", "run", str(campaign), "-o", str(out), "--replay", str(tape), "--rekey"
    )
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
    assert "--record NEW_DIR" in err and "--rekey-in-place" in err and str(tape) in err
    assert _digest(tape) == before and not out.exists()


def test_rekey_writes_every_answer_to_the_record_folder_and_leaves_the_replay_folder(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    campaign, tape = recorded
    before, count = _digest(tape), len(list(tape.glob("*.json")))
    new = tmp_path / "new-tape"
    code, out, err = _run(
        tmp_path / "h1", "run", str(campaign), "-o", str(tmp_path / "o1"), "--replay", str(tape),
        "--rekey", "--record", str(new),
    )  # fmt: skip
    assert code == 0, err
    assert _digest(tape) == before
    assert f"2 answer(s) carried over to changed requests: written to {new}" in err
    assert f"{tape} is unchanged" in err and "stale" not in err
    assert len(list(new.glob("*.json"))) == count  # a complete folder: it replays alone
    carried = [json.loads(p.read_text()) for p in new.glob("copy_*.json")]
    assert all(c["carried_over"] for c in carried) and len(carried) == 2
    code, out, err = _run(
        tmp_path / "h2", "run", str(campaign), "-o", str(tmp_path / "o2"), "--replay", str(new)
    )
    assert code == 0, err
    assert "stale" not in err and "4 replayed" in out


def test_rekey_in_place_says_so_first_and_replaces_the_old_cassettes(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    campaign, tape = recorded
    count = len(list(tape.glob("*.json")))
    code, _, err = _run(
        tmp_path / "h1", "run", str(campaign), "-o", str(tmp_path / "o1"), "--replay", str(tape),
        "--rekey-in-place",
    )  # fmt: skip
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0].startswith("--rekey-in-place: answers carried over") and str(tape) in lines[0]
    assert f"2 answer(s) carried over to changed requests: {tape} rewritten in place (2 old" in err
    assert len(list(tape.glob("*.json"))) == count
    code, _, err = _run(
        tmp_path / "h2", "run", str(campaign), "-o", str(tmp_path / "o2"), "--replay", str(tape)
    )
    assert code == 0, err


@pytest.mark.parametrize(
    "flags", [["--record", "{tape}"], ["--rekey", "--record", "{tape}/."]], ids=["plain", "rekey"]
)
def test_recording_into_the_replay_folder_is_refused(
    recorded: tuple[Path, Path], tmp_path: Path, flags: list[str]
) -> None:
    campaign, tape = recorded
    before = _digest(tape)
    args = [f.format(tape=tape) for f in flags]
    code, _, err = _run(
        tmp_path / "h", "run", str(campaign), "-o", str(tmp_path / "o"), "--replay", str(tape),
        *args,
    )  # fmt: skip
    assert code == 2 and "is the --replay folder" in err and err.startswith("error: ")
    assert _digest(tape) == before


def test_rekey_needs_a_replay_folder(tmp_path: Path) -> None:
    campaign = write_campaign(tmp_path / "c", "http://127.0.0.1:9/v1")
    code, _, err = _run(tmp_path / "h", "run", str(campaign), "-o", str(tmp_path / "o"), "--rekey")
    assert code == 2 and "--rekey needs --replay DIR" in err


def test_the_hints_never_suggest_a_rewrite_in_place() -> None:
    hint = str(ReplayMissError("email_sequence", "abc", "tapes"))
    assert "--rekey --record NEW_DIR" in hint and "left as it is" in hint


def test_the_documented_commands_leave_the_shipped_cassettes_unchanged(tmp_path: Path) -> None:
    before = _digest(SHIPPED)
    campaign = str(EXAMPLE / "campaign.yaml")
    _run(tmp_path / "h1", "run", campaign, "-o", str(tmp_path / "o1"))
    _run(tmp_path / "h2", "run", campaign, "-o", str(tmp_path / "o2"), "--rekey")
    _run(
        tmp_path / "h3", "run", campaign, "-o", str(tmp_path / "o3"), "--rekey", "--record",
        str(tmp_path / "tape"),
    )  # fmt: skip
    _run(
        tmp_path / "h4", "copy", "--personas", str(tmp_path / "o3"), "--brief",
        str(EXAMPLE / "brief.yaml"), "-o", str(tmp_path / "o4"), "--replay", str(SHIPPED),
        "--rekey",
    )  # fmt: skip
    assert _digest(SHIPPED) == before


def _cassette(label: str, key: str) -> Cassette:
    return Cassette(
        key=key, task="x_posts", label=label, source="recorded", request={}, response={}
    )


def test_a_cassette_whose_job_the_store_answered_is_not_stale(tmp_path: Path) -> None:
    book = CassetteBook(tmp_path)
    for label, key in (("copy/a/x#1", "k-a"), ("copy/b/x#1", "k-b")):
        book.add(_cassette(label, key))
    book = CassetteBook(tmp_path)
    assert book.get("k-a-changed", "x_posts", "copy/a/x#1") is None  # asked, input changed
    # copy/b/x was answered by the run store: never asked, so its cassette is not stale.
    assert [c.key for c in book.stale()] == ["k-a"]
