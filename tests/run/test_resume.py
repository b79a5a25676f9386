"""A run killed in the middle resumes without paying again for finished work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from personagen.testing.stub_server import Reply, StubServer
from tests.campaign_stub import script, write_campaign

GUARD = 120.0  # seconds: only a failure guard; every wait ends on an event first


# `python -m personagen` with Ctrl-C restored: a test run started in the background (by a
# non-interactive shell, nohup or a CI runner) passes on SIGINT ignored, which would make
# the signal a no-op in the child and the run never stop.
CHILD = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('personagen', run_name='__main__', alter_sys=True)"
)


def _start(campaign: Path, out: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PERSONAGEN_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, "run", str(campaign), "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_run_resumes_without_repaying(tmp_path: Path, sig: signal.Signals) -> None:
    home, out = tmp_path / "home", tmp_path / "out"
    # The stub holds request 3 (the first copy job) until the run is stopped: the signal
    # always lands with 1 and 2 answered and 3 in flight, however loaded the machine.
    in_flight, release = threading.Event(), threading.Event()

    def held(body: dict[str, Any], number: int) -> Reply:
        if number == 2:
            in_flight.set()
            release.wait(GUARD)
        return script(body, number)

    with StubServer(held) as stub:
        campaign = write_campaign(tmp_path / "c", stub.base_url, concurrency=1)
        first = _start(campaign, out, home)
        try:
            assert in_flight.wait(GUARD), "the first run never sent its third request"
            first.send_signal(sig)
            first.communicate(timeout=GUARD)
        finally:
            release.set()
            if first.poll() is None:
                first.kill()
                first.communicate()
        assert first.returncode != 0
        finished = [json.dumps(body, sort_keys=True) for body in stub.requests[:2]]
        assert len(stub.requests) == 3
        assert (out / "personas" / "vp-marketing.json").exists()  # written before the kill

        second = _start(campaign, out, home)
        _, stderr = second.communicate(timeout=GUARD)
        assert second.returncode == 0, stderr.decode()
    sent = [json.dumps(body, sort_keys=True) for body in stub.requests]
    assert all(sent.count(body) == 1 for body in finished)  # finished work never re-paid
    assert len(sent) - len(set(sent)) == 1  # only the exchange that was in flight, again
    summary = json.loads((out / "run.json").read_text())
    assert summary["failed"] == 0 and summary["reused"] == 1 and summary["written"] == 2
    assert (out / "copy" / "vp-marketing" / "x.json").exists()
    assert (out / "copy" / "vp-marketing" / "objections.json").exists()
