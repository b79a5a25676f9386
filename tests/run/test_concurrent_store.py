"""Two processes sharing one run store at the same time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from personagen.store import Store
from personagen.testing.stub_server import StubServer
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
