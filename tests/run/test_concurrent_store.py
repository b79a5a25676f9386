"""Two processes sharing one run store at the same time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import yaml

from personagen.store import Store
from personagen.testing.stub_server import Reply, StubServer
from tests.campaign_stub import script, write_campaign


def test_two_runs_share_the_store_and_both_finish(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "PERSONAGEN_HOME": str(home)}
    with StubServer(script, latency=0.2) as stub:
        campaigns = []
        for name in ("first", "second"):
            path = write_campaign(tmp_path / name, stub.base_url)
            data = yaml.safe_load(path.read_text())
            data["name"] = name
            data["variants"] = 2
            path.write_text(yaml.safe_dump(data))
            campaigns.append(path)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "personagen", "run", str(c), "-o", str(c.parent / "out")],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for c in campaigns
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    db = home / "personagen.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(db)
    runs = store.runs()
    assert sorted(r["name"] for r in runs) == ["first", "second"]
    assert all(r["status"] == "done" for r in runs)
    for run in runs:
        states = [job.state for job in store.jobs(run["id"])]
        assert len(states) == 3 and set(states) <= {"done", "reused"}
    store.close()
    for campaign in campaigns:
        assert (campaign.parent / "out" / "run.json").exists()


def _run(campaign: Path, out: Path, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "personagen", "run", str(campaign), "-o", str(out)],
        env={**os.environ, "PERSONAGEN_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(stream: IO[str], into: list[str]) -> threading.Thread:
    """Collect a child's output lines as they come (a thread, so nothing blocks on a pipe)."""
    thread = threading.Thread(target=lambda: into.extend(stream), daemon=True)
    thread.start()
    return thread


def _until(condition: Any, what: str) -> None:
    """Wait until `condition()` holds; a hang is reported rather than waited out."""
    for _ in range(6000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_the_same_campaign_started_twice_at_once_pays_once(tmp_path: Path) -> None:
    gate = threading.Event()

    def gated(body: dict[str, Any], n: int) -> Reply:
        gate.wait(timeout=120)  # every answer is held until both runs are under way
        return script(body, n)

    home = tmp_path / "home"
    with StubServer(gated) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url)
        first = _run(campaign, tmp_path / "out", home)
        _until(lambda: stub.accepted == 1, "the first run's first request")
        second = _run(campaign, tmp_path / "out", home)
        assert second.stderr is not None
        said: list[str] = []
        reader = _lines(second.stderr, said)
        # The second run either waits (and says so) or sends a request of its own.
        _until(lambda: said or stub.accepted > 1, "the second run waiting or sending")
        gate.set()
        _, first_err = first.communicate(timeout=120)
        assert second.stdout is not None
        second_out = second.stdout.read()
        second.wait(timeout=120)
        reader.join()
        second.stdout.close()
        second.stderr.close()
    assert first.returncode == 0, first_err
    assert second.returncode == 0, "".join(said)
    assert len(stub.requests) == 4  # what one run sends: extraction, synthesis, two copy jobs
    assert said[0] == (
        f"another run of 'test-campaign' is in progress (pid {first.pid}); waiting for it "
        "to finish, then reusing what it paid for\n"
    )
    assert "all 3 jobs were already done in run " in second_out
    assert "nothing to pay" in second_out and "model calls" not in second_out
