"""CPU time personagen spends per copy job, with the model's own time taken out.

A campaign of N personas x every channel goes through `personagen.write_copy` (the engine,
the door, instructor's validation, the claims guard, the store, the exported files) with an
in-process model. The model answers each request with a schema-only answer built before the
timer starts (a first run draws them with `FakeModel`), so the timed run pays only for a
dictionary look-up on the model's side (its CPU is taken out as well). Each timed run is a
fresh process with the libraries imported before the timer starts, so nothing one run
computed is at hand in the next. The copy stage's process CPU time (`time.process_time()`)
divided by the jobs is the figure; a cProfile of one more run lists where it goes.

    .venv/bin/python bench/cpu_per_job.py --jobs 1000
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import personagen  # noqa: E402
from personagen.llm import InProcessModel  # noqa: E402
from personagen.models.persona import Persona  # noqa: E402
from personagen.pipeline.copy import parse_channels  # noqa: E402
from personagen.testing import FakeModel  # noqa: E402

EXAMPLE = ROOT / "examples" / "saas-retention"
BRIEF = EXAMPLE / "brief.yaml"


def _key(body: dict[str, Any]) -> str:
    """Which request this is: its messages (a re-ask carries more of them than its first ask)."""
    text = json.dumps(body.get("messages"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RecordingModel(FakeModel):
    """A schema-only fake that keeps each answer under the request that asked for it."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed=seed)
        self.answers: dict[str, dict[str, Any]] = {}

    def _reply(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = super()._reply(body)
        self.answers[_key(body)] = reply
        return reply


class AnsweringModel(InProcessModel):
    """Answers from recorded replies; counts the CPU its look-ups take."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        super().__init__(self._reply)
        self.answers = answers
        self.cpu = 0.0

    def _reply(self, body: dict[str, Any]) -> dict[str, Any]:
        started = time.process_time()
        reply = self.answers[_key(body)]
        self.cpu += time.process_time() - started
        return reply


def _settings(home: Path) -> personagen.Settings:
    os.environ["PERSONAGEN_HOME"] = str(home)
    return personagen.resolve_settings(
        {"base_url": "http://fake.invalid/v1", "model": "gpt-4.1-mini", "concurrency": 16}
    )


def personas_for(jobs: int, channels: Sequence[str], work: Path) -> list[Persona]:
    """Enough personas (copies of fake-built ones, each with its own id) for `jobs` jobs."""
    built = personagen.build_personas(
        EXAMPLE / "icp.yaml",
        EXAMPLE / "notes",
        count=3,
        settings=_settings(work / "home-personas"),
        model=FakeModel(seed=3),
        output=work / "personas",
    ).personas
    wanted = -(-jobs // len(channels))
    # Each copy differs in its id, name and summary, so no two jobs send the same prompt
    # (as in a real campaign; a cache keyed on the prompt gets no free hits here).
    personas = []
    for i in range(wanted):
        base = built[i % len(built)]
        update = {
            "id": f"{base.id}-{i}",
            "name": f"{base.name} {i}",
            "summary": f"{base.summary} (segment {i})",
        }
        personas.append(base.model_copy(update=update))
    return personas


def copy_run(
    personas: list[Persona], model: Any, work: Path, name: str
) -> tuple[float, int, int, int]:
    """(process CPU seconds, of them the event loop's thread, jobs written, jobs failed,
    exchanges) of one copy stage."""
    settings = _settings(work / f"home-{name}")
    started, loop_started = time.process_time(), time.thread_time()
    result = personagen.write_copy(
        personas, work / "brief.yaml", settings=settings, model=model, output=work / f"out-{name}"
    )
    cpu, loop_cpu = time.process_time() - started, time.thread_time() - loop_started
    report = result.report
    return cpu, loop_cpu, len(result.artifacts), report.count("failed"), report.usage.network_calls


def child(work: Path, name: str, top: int) -> dict[str, Any]:
    """One timed copy stage (profiled when `top` > 0) on the saved personas and answers."""
    import instructor.v2.core.retry  # noqa: F401  (imported before the timer, as a run would)
    import openai  # noqa: F401

    saved = json.loads((work / "data.json").read_text())
    personas = [Persona.model_validate(each) for each in saved["personas"]]
    model = AnsweringModel(saved["answers"])
    views = _time_views()
    profiler = cProfile.Profile() if top else None
    if profiler is not None:
        profiler.enable()
    cpu, loop_cpu, written, failed, exchanges = copy_run(personas, model, work, name)
    result: dict[str, Any] = {
        "ms": (cpu - model.cpu) / (written + failed) * 1000,
        # The event loop's own share (requests, validation, store); the rest is file writes
        # on worker threads: each job's JSON and, after the last job, decks and CSVs.
        "loop_ms": (loop_cpu - model.cpu) / (written + failed) * 1000,
        # Of the worker threads' share: the decks, CSVs and evidence.csv after the last job.
        "views_ms": views[0] / (written + failed) * 1000,
        "evidence_rows": _rows(work / f"out-{name}" / "exports" / "evidence.csv"),
        "written": written,
        "failed": failed,
        "exchanges": exchanges,
    }
    if profiler is not None:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        # Cumulative time of personagen's own functions (the event loop's frames say nothing),
        # then every function by its own time.
        stats.sort_stats("cumulative").print_stats(r"/personagen/(?!testing)", top)
        stats.sort_stats("tottime").print_stats(top)
        result["profile"] = out.getvalue()
    return result


def _time_views() -> list[float]:
    """Make OutputFolder.write_views add its thread's CPU seconds to the list returned."""
    from personagen.export.outputs import OutputFolder

    spent = [0.0]
    real = OutputFolder.write_views

    def timed(self: OutputFolder, *args: Any, **kwargs: Any) -> list[Path]:
        started = time.thread_time()
        try:
            return real(self, *args, **kwargs)
        finally:
            spent[0] += time.thread_time() - started

    OutputFolder.write_views = timed  # type: ignore[method-assign]
    return spent


def _rows(path: Path) -> int:
    """Data rows of a CSV file (0 when it is missing)."""
    import csv

    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def in_child(work: Path, name: str, top: int = 0) -> dict[str, Any]:
    """`child` in a fresh Python process."""
    command = [sys.executable, __file__, "--child", str(work), name, "--top", str(top)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    parsed: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return parsed


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print per-job CPU (median of the runs) and the profile."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000, help="copy jobs (rounded up)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is kept")
    parser.add_argument("--top", type=int, default=10, help="profile entries shown (0: none)")
    parser.add_argument("--child", nargs=2, metavar=("WORK", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), args.child[1], args.top)))
        return 0
    channels = parse_channels("all")
    with tempfile.TemporaryDirectory(prefix="personagen-cpu-") as folder:
        work = Path(folder)
        # The example's URLs are reserved placeholder hosts, which a run against a model
        # refuses; the bench's brief names a real-looking one instead.
        (work / "brief.yaml").write_text(BRIEF.read_text().replace(".example/", ".com/"))
        personas = personas_for(args.jobs, channels, work)
        recorder = RecordingModel(seed=7)
        copy_run(personas, recorder, work, "record")
        saved = {
            "personas": [p.model_dump(mode="json") for p in personas],
            "answers": recorder.answers,
        }
        (work / "data.json").write_text(json.dumps(saved))
        runs = [in_child(work, f"run{run}") for run in range(args.runs)]
        per_job = [run["ms"] for run in runs]
        last = runs[-1]
        shape = f"{len(personas)} personas x {len(channels)} channels"
        print(f"jobs: {len(personas) * len(channels)} ({shape})")
        print(
            f"written: {last['written']}, failed: {last['failed']}, exchanges: {last['exchanges']}"
        )
        print("per-job CPU ms (runs): " + ", ".join(f"{ms:.2f}" for ms in per_job))
        print(f"per-job CPU ms (median): {statistics.median(per_job):.2f}")
        loop = [run["loop_ms"] for run in runs]
        print(
            "of which the event loop's thread (median; the rest is file writes on worker "
            f"threads): {statistics.median(loop):.2f}"
        )
        views = [run["views_ms"] for run in runs]
        lines = runs[0]["evidence_rows"]
        print(
            "of which the decks, CSVs and evidence.csv after the last job (median): "
            f"{statistics.median(views):.2f} (evidence.csv: {lines:,} rows, "
            f"{lines / max(1, runs[0]['written']):.0f} per job)"
        )
        if args.top:
            print(in_child(work, "profile", args.top)["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
