"""A run killed in the middle resumes without paying again for finished work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from personagen.testing.stub_server import StubServer
from tests.campaign_stub import script, write_campaign


def _start(campaign: Path, out: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PERSONAGEN_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "personagen", "run", str(campaign), "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_run_resumes_without_repaying(tmp_path: Path, sig: signal.Signals) -> None:
    home, out = tmp_path / "home", tmp_path / "out"
    with StubServer(script, latency=0.6) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url, concurrency=1)
        first = _start(campaign, out, home)
        deadline = time.monotonic() + 30
        while stub.accepted < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # request 3 (a copy job) is in flight; 1 and 2 are answered
        first.send_signal(sig)
        first.communicate(timeout=30)
        assert first.returncode != 0
        finished = [json.dumps(body, sort_keys=True) for body in stub.requests[:2]]
        assert (out / "personas" / "vp-marketing.json").exists()  # written before the kill

        second = _start(campaign, out, home)
        _, stderr = second.communicate(timeout=60)
        assert second.returncode == 0, stderr.decode()
    sent = [json.dumps(body, sort_keys=True) for body in stub.requests]
    assert all(sent.count(body) == 1 for body in finished)  # finished work never re-paid
    assert len(sent) - len(set(sent)) <= 1  # at most the exchange that was in flight
    summary = json.loads((out / "run.json").read_text())
    assert summary["failed"] == 0 and summary["reused"] >= 1
    assert (out / "copy" / "vp-marketing" / "x.json").exists()
    assert (out / "copy" / "vp-marketing" / "objections.json").exists()
