"""`personagen run --batch-api` against the loopback stub with a fake Files/Batches API."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import SettingsError
from personagen.inputs.campaign import load_campaign
from personagen.llm.pricing import price_for
from personagen.run.batch import POLL_ENV, poll_seconds, run_campaign_batch
from personagen.run.outcomes import JobOutcome
from personagen.run.request import campaign_request
from personagen.settings import Settings
from personagen.store import Store
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.campaign_stub import ANSWERS, BATTLECARD, X_POSTS, script, write_campaign
from tests.helpers import stub_settings

runner = CliRunner()
X_JOB, OBJECTIONS_JOB = "copy/vp-marketing/x", "copy/vp-marketing/objections"
BATCH_USAGE = (1000, 500)  # tokens of each batch answer, distinct from the live (100, 50)

# What the fake batch does with one input line: a chat-completion body, or an error status.
Outcome = Callable[[dict[str, Any]], dict[str, Any] | int]


def valid_answer(line: dict[str, Any]) -> dict[str, Any] | int:
    name = tool_name(line["body"])
    answer = cast(dict[str, Any], ANSWERS[name])
    body: dict[str, Any] = completion(answer, name=name, usage=BATCH_USAGE).body
    return body


def _multipart(raw: bytes) -> dict[str, bytes]:
    boundary = raw.split(b"\r\n", 1)[0]
    fields: dict[str, bytes] = {}
    for part in raw.split(boundary)[1:]:
        head, _, content = part.partition(b"\r\n\r\n")
        marker = b'name="'
        if marker not in head:
            continue
        name = head.split(marker, 1)[1].split(b'"', 1)[0].decode()
        fields[name] = content.removesuffix(b"\r\n")
    return fields


class FakeBatchAPI:
    """Files and Batches endpoints: uploads, batch objects, output and error files."""

    def __init__(self, outcome: Outcome = valid_answer, *, hold: bool = False) -> None:
        self.outcome = outcome
        self.hold = hold  # keep every batch in_progress
        self.files: dict[str, bytes] = {}
        self.uploads: list[dict[str, bytes]] = []
        self.created: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def routes(self) -> dict[tuple[str, str], Callable[[bytes, str], Reply]]:
        return {
            ("POST", "/v1/files"): self.upload,
            ("GET", "/v1/files/*"): self.content,
            ("POST", "/v1/batches"): self.create,
            ("GET", "/v1/batches/*"): self.retrieve,
        }

    def _file(self, content: bytes, name: str, purpose: str) -> dict[str, Any]:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = content
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": 0,
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }

    def upload(self, raw: bytes, path: str) -> Reply:
        with self._lock:
            fields = _multipart(raw)
            self.uploads.append(fields)
            return Reply(body=self._file(fields["file"], "input.jsonl", fields["purpose"].decode()))

    def content(self, raw: bytes, path: str) -> Reply:
        file_id = path.split("/")[3]
        if not path.endswith("/content") or file_id not in self.files:
            return Reply(status=404, body={"error": {"message": f"no file {file_id}"}})
        return Reply(raw=self.files[file_id])

    def create(self, raw: bytes, path: str) -> Reply:
        with self._lock:
            request = json.loads(raw)
            self.created.append(request)
            batch_id = f"batch_{next(self._ids)}"
            total = len(self.files[request["input_file_id"]].splitlines())
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": request["endpoint"],
                "input_file_id": request["input_file_id"],
                "completion_window": request["completion_window"],
                "status": "validating",
                "created_at": 0,
                "metadata": request.get("metadata"),
                "output_file_id": None,
                "error_file_id": None,
                "request_counts": {"total": total, "completed": 0, "failed": 0},
            }
            return Reply(body=self.batches[batch_id])

    def retrieve(self, raw: bytes, path: str) -> Reply:
        with self._lock:
            batch = self.batches.get(path.rsplit("/", 1)[-1])
            if batch is None:
                return Reply(status=404, body={"error": {"message": "no such batch"}})
            self.polls += 1
            if batch["status"] in ("validating", "in_progress"):
                if self.hold:
                    batch["status"] = "in_progress"
                else:
                    self._complete(batch)
            return Reply(body=batch)

    def _complete(self, batch: dict[str, Any]) -> None:
        outputs: list[str] = []
        errors: list[str] = []
        for number, text in enumerate(self.files[batch["input_file_id"]].splitlines()):
            line = json.loads(text)
            answer = self.outcome(line)
            status, body = (200, answer) if isinstance(answer, dict) else (answer, None)
            record = {
                "id": f"batch_req_{number}",
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": status,
                    "request_id": f"req_{number}",
                    "body": body or {"error": {"message": "server error", "type": "server"}},
                },
                "error": None,
            }
            (outputs if status == 200 else errors).append(json.dumps(record))
        batch["status"] = "completed"
        batch["request_counts"].update(completed=len(outputs), failed=len(errors))
        for kind, records in (("output_file_id", outputs), ("error_file_id", errors)):
            if records:
                content = ("\n".join(records) + "\n").encode()
                batch[kind] = self._file(content, "output.jsonl", "batch_output")["id"]

    def input_lines(self, number: int = 0) -> list[dict[str, Any]]:
        """The JSONL lines of the `number`th upload."""
        return [json.loads(t) for t in self.uploads[number]["file"].decode().splitlines()]


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POLL_ENV, "0.05")


def _run(campaign: Path, out: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["run", str(campaign), "-o", str(out), "--batch-api"])
    return result.exit_code, result.output


def _tools(requests: list[dict[str, Any]]) -> list[str]:
    return [tool_name(r) for r in requests]


def _batches(kind: str) -> list[str]:
    store = Store()
    try:
        return store.batches(kind)
    finally:
        store.close()


def _cost(tokens: tuple[int, int], factor: float = 1.0) -> float:
    price = price_for("gpt-4.1-mini")
    assert price is not None
    return price.cost(*tokens) * factor


def test_batch_answers_every_copy_job_at_half_price(tmp_path: Path) -> None:
    fake = FakeBatchAPI()
    with StubServer(script, extra_routes=fake.routes()) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, output = _run(campaign, tmp_path / "out")
        assert code == 0, output
        # Only the persona stage talked to the chat endpoint: the copy went by batch.
        assert _tools(stub.requests) == ["NoteInsights", "PersonaSetDraft"]
        code, output = _run(campaign, tmp_path / "out2")  # everything is reused now
        assert code == 0, output
        assert len(stub.requests) == 2
    assert len(fake.uploads) == 1 and len(fake.created) == 1
    assert fake.uploads[0]["purpose"] == b"batch"
    created = fake.created[0]
    assert created["endpoint"] == "/v1/chat/completions"
    assert created["completion_window"] == "24h"
    lines = fake.input_lines()
    assert sorted(line["custom_id"] for line in lines) == sorted([X_JOB, OBJECTIONS_JOB])
    for line in lines:
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert line["body"]["model"] == "gpt-4.1-mini"
    assert sorted(_tools([line["body"] for line in lines])) == ["BattlecardDraft", "XPostDraft"]
    x_copy = json.loads((tmp_path / "out" / "copy" / "vp-marketing" / "x.json").read_text())
    assert [v["text"] for v in x_copy["draft"]["variants"]] == [
        v["text"] for v in X_POSTS["variants"]
    ]
    assert (tmp_path / "out" / "copy" / "vp-marketing" / "objections.json").exists()
    summary = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary["done"] == 3 and summary["failed"] == 0
    assert summary["model_calls"] == 4  # two live persona calls and two batch lines
    assert summary["cache_hits"] == 0
    assert summary["input_tokens"] == 2 * 100 + 2 * BATCH_USAGE[0]
    expected = 2 * _cost((100, 50)) + 2 * _cost(BATCH_USAGE, 0.5)
    assert summary["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert summary["batch"]["answered"] == 2 and summary["batch"]["errors"] == {}
    assert _batches("copy:test-campaign") == [summary["batch"]["id"]]
    again = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert again["reused"] == 3 and again["model_calls"] == 0 and again["batch"] is None


def test_failed_and_invalid_batch_answers_go_live(tmp_path: Path) -> None:
    objections = list(cast(list[dict[str, Any]], BATTLECARD["objections"]))
    # Answers the persona's one objection twice.
    invalid = {**BATTLECARD, "objections": objections * 2}

    def outcome(line: dict[str, Any]) -> dict[str, Any] | int:
        if line["custom_id"] == X_JOB:
            return 500  # lands in the error file
        body: dict[str, Any] = completion(invalid, name="BattlecardDraft", usage=BATCH_USAGE).body
        return body

    fake = FakeBatchAPI(outcome)
    with StubServer(script, extra_routes=fake.routes()) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        code, output = _run(campaign, tmp_path / "out")
        assert code == 0, output
    sent = stub.requests[2:]  # after the two persona calls
    assert sorted(_tools(sent)) == ["BattlecardDraft", "XPostDraft"]
    batch_bodies = {line["custom_id"]: line["body"] for line in fake.input_lines()}
    (x_live,) = [r for r in sent if tool_name(r) == "XPostDraft"]
    assert x_live == batch_bodies[X_JOB]  # the live call is exactly the captured request
    (reask,) = [r for r in sent if tool_name(r) == "BattlecardDraft"]
    first = batch_bodies[OBJECTIONS_JOB]["messages"]
    assert len(reask["messages"]) > len(first) and reask["messages"][: len(first)] == first
    reask_text = json.dumps(reask["messages"][len(first) :])
    summary = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary["done"] == 3 and summary["failed"] == 0
    # persona calls 2, live X 1, the objections batch line 1 and its live re-ask 1
    assert summary["model_calls"] == 5 and summary["cache_hits"] == 0
    expected = 4 * _cost((100, 50)) + _cost(BATCH_USAGE, 0.5)
    assert summary["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert summary["batch"]["answered"] == 1
    assert list(summary["batch"]["errors"]) == [X_JOB]
    battlecard = json.loads(
        (tmp_path / "out" / "copy" / "vp-marketing" / "objections.json").read_text()
    )
    assert len(battlecard["draft"]["objections"]) == 1
    assert battlecard["draft"]["objections"][0]["objection_id"] == "objection-1"  # by the tool
    # The re-ask names the problem the model can fix: one entry per persona objection (the
    # objection ids are the tool's, not part of the answer's schema).
    assert "answer each of the 1 once" in reask_text, reask_text


def _invoke_directly(campaign: Path, out: Path, settings: Settings, progress: Any) -> None:
    request = campaign_request(load_campaign(campaign), settings, out)  # as `personagen run`
    asyncio.run(run_campaign_batch(request, progress=progress))


def test_an_interrupted_wait_resumes_the_same_batch(tmp_path: Path) -> None:
    fake = FakeBatchAPI(hold=True)
    statuses: list[str] = []

    def progress(outcome: JobOutcome) -> None:
        if outcome.state == "waiting":
            statuses.append(outcome.job_id)
            if "in_progress" in outcome.job_id:
                raise KeyboardInterrupt  # the user gives up waiting

    with StubServer(script, extra_routes=fake.routes()) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        with pytest.raises(KeyboardInterrupt):
            _invoke_directly(campaign, tmp_path / "out1", stub_settings(stub.base_url), progress)
        assert fake.polls == 1 and len(fake.created) == 1
        (batch_id,) = fake.batches
        assert _batches("copy:test-campaign") == [batch_id]
        assert not (tmp_path / "out1" / "run.json").exists()
        persona_calls = len(stub.requests)
        fake.hold = False  # the batch finishes while nobody waits
        code, output = _run(campaign, tmp_path / "out2")
        assert code == 0, output
        assert len(stub.requests) == persona_calls == 2  # no live copy calls either
    assert len(fake.created) == 1 and len(fake.uploads) == 1
    assert any("sent 2 copy jobs" in s for s in statuses)
    summary = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert summary["batch"]["id"] == batch_id and summary["batch"]["resumed"] is True
    assert summary["reused"] == 1 and summary["done"] == 2
    assert summary["model_calls"] == 2
    assert (tmp_path / "out2" / "copy" / "vp-marketing" / "x.json").exists()


def test_replay_settings_are_refused(tmp_path: Path) -> None:
    replay = tmp_path / "cassettes"
    replay.mkdir()
    settings = Settings(provider="replay", replay_dir=replay)
    with pytest.raises(SettingsError, match="--replay"):
        _invoke_directly(
            write_campaign(tmp_path / "c", None), tmp_path / "out", settings, progress=None
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("value", "seconds"), [("", 30.0), ("0.05", 0.05), ("2", 2.0)])
def test_poll_interval_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, seconds: float
) -> None:
    monkeypatch.setenv(POLL_ENV, value)
    assert poll_seconds() == seconds


@pytest.mark.parametrize("value", ["soon", "0", "-1"])
def test_bad_poll_interval_is_a_settings_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(POLL_ENV, value)
    with pytest.raises(SettingsError, match=POLL_ENV):
        poll_seconds()
