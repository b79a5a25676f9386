"""One run at a time per campaign: an identical second run waits and pays for nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest

from personagen.api import PersonasResult, build_personas_async, run_campaign_async
from personagen.run.lock import lock_path, run_lock
from personagen.store import Store
from tests.campaign_stub import script, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel, stub_settings

ONE_RUN = 4  # requests of one run of the stub campaign: extraction, synthesis, two copy jobs


class GatedModel(ScriptedModel):
    """The campaign stub, answering nothing until `gate` opens; `arrived` counts requests."""

    def __init__(self) -> None:
        super().__init__(script)
        self.gate = asyncio.Event()
        self.arrived = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.arrived += 1
        await self.gate.wait()
        return await super().handle_async_request(request)


async def _until(condition: Any, what: str) -> None:
    """Yield to the other tasks until `condition()` holds (a hang is reported, not waited out)."""
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_two_identical_runs_in_one_process_pay_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = write_campaign(tmp_path / "c", FAKE_URL)
    model = GatedModel()
    first = asyncio.create_task(run_campaign_async(campaign, output=tmp_path / "a", model=model))
    await _until(lambda: model.arrived == 1, "the first run's first request")
    second = asyncio.create_task(run_campaign_async(campaign, output=tmp_path / "b", model=model))
    await _until(lambda: "another run" in capsys.readouterr().err, "the second run waiting")
    assert model.arrived == 1  # the second run sent nothing while the first one ran
    model.gate.set()
    reports = await asyncio.gather(first, second)
    assert len(model.requests) == ONE_RUN
    assert [r.count("reused") for r in reports] == [0, 3]
    assert reports[1].usage.network_calls == 0
    assert (tmp_path / "b" / "copy" / "vp-marketing" / "x.json").exists()


async def test_the_waiting_run_names_the_run_it_waits_for(tmp_path: Path) -> None:
    store = Store(tmp_path / "home" / "personagen.sqlite3")
    said: list[str] = []
    async with run_lock(store, "spring", ["campaign.yaml"]):
        waiting = asyncio.create_task(_hold(store, "spring", ["campaign.yaml"], said))
        await _until(lambda: bool(said), "the second holder waiting")
        assert not waiting.done()
    await waiting
    assert said == [
        f"another run of 'spring' is in progress (pid {os.getpid()}); waiting for it to "
        "finish, then reusing what it paid for"
    ]
    store.close()


async def _hold(store: Store, name: str, files: list[str], said: list[str]) -> None:
    async with run_lock(store, name, files, said.append):
        pass


async def test_different_campaigns_run_at_the_same_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = GatedModel()
    runs = [
        asyncio.create_task(
            run_campaign_async(
                write_campaign(tmp_path / name, FAKE_URL, name=name),
                output=tmp_path / name / "out",
                model=model,
            )
        )
        for name in ("spring", "autumn")
    ]
    # Both are in flight at once; had one waited for the other, only one request would be.
    await _until(lambda: model.arrived == 2, "both campaigns sending")
    model.gate.set()
    reports = await asyncio.gather(*runs)
    assert "another run" not in capsys.readouterr().err
    assert all(not r.unfinished() for r in reports)


async def test_personas_into_one_folder_wait_and_into_two_folders_run_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_campaign(tmp_path / "c", FAKE_URL).parent
    model = GatedModel()

    def build(out: Path) -> asyncio.Task[PersonasResult]:
        return asyncio.create_task(
            build_personas_async(
                folder / "icp.yaml",
                folder / "notes",
                count=1,
                output=out,
                settings=stub_settings(FAKE_URL),
                model=model,
            )
        )

    first, second = build(tmp_path / "a"), build(tmp_path / "b")
    await _until(lambda: model.arrived == 2, "two output folders built at once")
    third = build(tmp_path / "a")
    await _until(lambda: "another run of 'personas-" in capsys.readouterr().err, "a wait")
    model.gate.set()
    results = await asyncio.gather(first, second, third)
    assert [r.report.count("reused") for r in results] == [0, 0, 1]
    assert results[2].report.usage.network_calls == 0


def test_the_same_campaign_on_another_store_has_another_lock(tmp_path: Path) -> None:
    one = Store(tmp_path / "one" / "personagen.sqlite3")
    two = Store(tmp_path / "two" / "personagen.sqlite3")
    assert lock_path(one, "c", ["c.yaml"]) != lock_path(two, "c", ["c.yaml"])
    assert lock_path(one, "c", ["c.yaml"]) == lock_path(one, "c", [Path.cwd() / "c.yaml"])
    assert lock_path(one, "c", ["c.yaml"]) != lock_path(one, "d", ["c.yaml"])
    one.close()
    two.close()


HOLDER = """
import asyncio, sys
from pathlib import Path
from personagen.run.lock import run_lock
from personagen.store import Store

async def main() -> None:
    async with run_lock(Store(Path(sys.argv[1])), "spring", ["campaign.yaml"]):
        print("held", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_run_killed_with_sigkill_leaves_no_lock_behind(tmp_path: Path) -> None:
    path = tmp_path / "home" / "personagen.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        store = Store(path)
        said: list[str] = []
        waiting = asyncio.create_task(_hold(store, "spring", ["campaign.yaml"], said))
        await _until(lambda: bool(said), "waiting for the holder")
        assert f"(pid {holder.pid})" in said[0]
        holder.send_signal(signal.SIGKILL)
        await asyncio.wait_for(waiting, timeout=60)  # the kernel dropped the dead run's lock
        store.close()
    finally:
        holder.kill()
        holder.communicate()


async def test_the_lock_files_are_private_and_reusable_whatever_the_umask(tmp_path: Path) -> None:
    store = Store(tmp_path / "home" / "personagen.sqlite3")
    old = os.umask(0o277)
    try:
        for _ in range(2):  # the second run opens the file the first one created
            async with run_lock(store, "spring", ["campaign.yaml"]):
                pass
    finally:
        os.umask(old)
    path = lock_path(store, "spring", ["campaign.yaml"])
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in (path.parent, path)] == [0o700, 0o600]
    store.close()
