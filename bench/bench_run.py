#!/usr/bin/env python
"""Batch-throughput benchmark: naive loop vs unthrottled gather vs `personagen run`.

Every approach sends N chat completions to a fresh loopback stub (no network) that adds
`--latency` seconds per answer and answers 429 + retry-after beyond `--rpm` requests in a
sliding 60 s window. Then a second personagen pass on the same store must make 0 calls.
Finally, start-up time of `personagen --help` vs `python -c "import openai"`.

Run from the repo root:  .venv/bin/python bench/bench_run.py
See bench/README.md for the meaning of each column.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import math
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# First on the path: for tests.campaign_stub (the maintained stub answers); the venv's
# site-packages holds an unrelated top-level `tests` package that would shadow it.
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from personagen.testing.stub_server import Reply, StubServer, completion, tool_name  # noqa: E402
from tests.campaign_stub import ANSWERS, BRIEF, NOTE, PERSONAS  # noqa: E402

MODEL = "gpt-4.1-mini"
CHANNELS = ["x", "objections"]  # the two copy tasks tests/campaign_stub.py answers
COPY_TOOLS = {"XPostDraft", "BattlecardDraft"}


# --------------------------------------------------------------------------- stub


class Recorder:
    """The stub script: valid answers for every task, plus arrival times of accepted calls."""

    def __init__(self, personas: int) -> None:
        template = PERSONAS["personas"][0]
        drafts = []
        for i in range(max(1, personas)):
            draft = copy.deepcopy(template)
            draft["name"] = f"{template['name']} {i + 1:03d}"
            drafts.append(draft)  # same title: ids become vp-marketing, vp-marketing-2, ...
        self.persona_set = {"personas": drafts}
        self.arrivals: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any], number: int) -> Reply:
        name = tool_name(body)
        with self._lock:
            self.arrivals.append((time.perf_counter(), name))
        if name == "PersonaSetDraft":
            return completion(self.persona_set, name=name)
        if name in ANSWERS:
            return completion(ANSWERS[name], name=name)
        return completion("Churn should never be a surprise.", mode="json")  # plain chat


def unique_bodies(stub: StubServer) -> int:
    """Distinct request bodies among the accepted (billable) requests."""
    return len({json.dumps(body, sort_keys=True) for body in stub.requests})


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    """One line of the results table."""

    name: str
    wall: float
    minimum: float
    rate_limited: int
    failed: int
    accepted: int
    unique: int
    notes: list[str] = field(default_factory=list)
    ratio_shown: bool = True

    @property
    def duplicates(self) -> int:
        """Billable calls whose exact body had already been paid for."""
        return self.accepted - self.unique


def theoretical_minimum(jobs: int, latency: float, concurrency: int, rpm: float) -> float:
    """max(N*L/C, 60*N/R): the floor for C workers under an evenly spaced R/min."""
    return max(jobs * latency / concurrency, 60.0 * jobs / rpm)


# --------------------------------------------------------------------------- 1. naive loop


def _messages(i: int) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You write short B2B ad copy."},
        {"role": "user", "content": f"Job {i}: one X post about churn risk for persona {i}."},
    ]


async def naive_loop(stub: StubServer, jobs: int) -> tuple[float, int]:
    """One job after another; openai retries OFF, our loop sleeps retry-after on 429."""
    import openai

    client = openai.AsyncOpenAI(base_url=stub.base_url, api_key="bench", max_retries=0)
    failed = 0
    started = time.perf_counter()
    async with client:
        for i in range(jobs):
            for _attempt in range(10):
                try:
                    await client.chat.completions.create(model=MODEL, messages=_messages(i))
                    break
                except openai.RateLimitError as error:
                    wait = float(error.response.headers.get("retry-after") or 1.0)
                    await asyncio.sleep(wait)
                except openai.APIError:
                    failed += 1
                    break
            else:
                failed += 1
    return time.perf_counter() - started, failed


# --------------------------------------------------------------------------- 2. gather


async def unthrottled_gather(stub: StubServer, jobs: int) -> tuple[float, int, dict[str, int]]:
    """All N at once through one AsyncOpenAI client with its default retries (2)."""
    import openai

    client = openai.AsyncOpenAI(base_url=stub.base_url, api_key="bench")  # max_retries=2
    started = time.perf_counter()
    async with client:
        results = await asyncio.gather(
            *(client.chat.completions.create(model=MODEL, messages=_messages(i)) for i in range(jobs)),
            return_exceptions=True,
        )
    wall = time.perf_counter() - started
    kinds: dict[str, int] = {}
    for result in results:
        if isinstance(result, BaseException):
            kinds[type(result).__name__] = kinds.get(type(result).__name__, 0) + 1
    return wall, sum(kinds.values()), kinds


# --------------------------------------------------------------------------- 3. personagen


def write_campaign(folder: Path, base_url: str, rpm: float, concurrency: int) -> Path:
    """A campaign file like tests/campaign_stub.py's, with the benchmark's limits."""
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "notes" / "dana.txt").write_text(NOTE)
    (folder / "icp.yaml").write_text((ROOT / "examples" / "saas-retention" / "icp.yaml").read_text())
    (folder / "brief.yaml").write_text(yaml.safe_dump(BRIEF))
    campaign = {
        "name": "bench-campaign",
        "icp": "icp.yaml",
        "notes": ["notes"],
        "personas": 1,  # overridden below: the file format caps a segment at 12
        "brief": "brief.yaml",
        "channels": CHANNELS,
        "variants": 2,
        "model": {"model": MODEL, "base_url": base_url},
        "concurrency": concurrency,
        "rate_limits": {"requests_per_minute": rpm},
    }
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(campaign))
    return path


@dataclass
class PassResult:
    """What one `personagen run` pass did."""

    wall: float
    copy_wall: float
    summary: dict[str, Any]
    stored_results: int


async def personagen_pass(campaign: Path, personas: int, output: Path) -> PassResult:
    """`personagen run` as the CLI does it (same settings path), with N/len(channels) personas."""
    from personagen.cli.run import _settings
    from personagen.engine import SegmentInput, run_campaign
    from personagen.inputs.campaign import load_campaign
    from personagen.store import Store

    started = time.perf_counter()
    loaded = load_campaign(campaign)
    spec = loaded.campaign
    settings = _settings(loaded, {}, None)
    segments = [SegmentInput(s.icp, s.notes, personas) for s in loaded.segments]
    marks: dict[str, float] = {}

    def progress(outcome: Any) -> None:
        now = time.perf_counter()
        if outcome.job_id.startswith("personas/"):
            marks["personas"] = now
        else:
            marks["last_copy"] = now

    report = await run_campaign(
        settings,
        segments,
        loaded.brief,
        list(spec.channels),
        variants=spec.variants,
        steps=spec.steps,
        output=output,
        name=spec.name,
        source=str(campaign),
        progress=progress,
    )
    wall = time.perf_counter() - started
    copy_wall = marks.get("last_copy", 0.0) - marks.get("personas", started)
    store = Store()
    try:
        with sqlite3.connect(store.path) as db:
            stored = int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    finally:
        store.close()
    return PassResult(wall, copy_wall, report.to_json(), stored)


# --------------------------------------------------------------------------- start-up


def startup_times(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median and p90 (nearest rank) wall time of `runs` runs, after one warm-up run."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[math.ceil(0.9 * runs) - 1]


# --------------------------------------------------------------------------- report


def fmt_table(rows: list[Row]) -> str:
    """The Markdown table."""
    head = (
        "| approach | wall s | min s | ratio to min | 429s | failed jobs | billable calls "
        "| duplicate calls | notes |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    for r in rows:
        ratio = f"{r.wall / r.minimum:.3f}" if r.ratio_shown and r.minimum else "—"
        lines.append(
            f"| {r.name} | {r.wall:.2f} | {r.minimum:.2f} | {ratio} | {r.rate_limited} | "
            f"{r.failed} | {r.accepted} | {r.duplicates} | {'; '.join(r.notes)} |"
        )
    return "\n".join(lines)


def arrival_stats(arrivals: list[float], rpm: float) -> str:
    """How evenly the accepted requests arrived at the stub."""
    if len(arrivals) < 3:
        return "too few requests"
    arrivals = sorted(arrivals)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    span = arrivals[-1] - arrivals[0]
    rate = 60.0 * (len(arrivals) - 1) / span if span else float("inf")
    gaps.sort()
    return (
        f"accepted-request rate {rate:.1f}/min (limit {rpm:g}), gap median "
        f"{statistics.median(gaps) * 1000:.1f} ms, p99 {gaps[int(0.99 * (len(gaps) - 1))] * 1000:.1f} ms, "
        f"max {gaps[-1] * 1000:.1f} ms (target {60000 / rpm:.1f} ms)"
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="N jobs per approach (300)")
    parser.add_argument("--latency", type=float, default=0.5, help="stub seconds per answer (0.5)")
    parser.add_argument("--rpm", type=float, default=600, help="stub + personagen requests/min (600)")
    parser.add_argument("--concurrency", type=int, default=16, help="personagen concurrency (16)")
    parser.add_argument("--startup-runs", type=int, default=15, help="runs per start-up timing (15)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma list of parts to skip: naive,gather,personagen,startup (for quick checks)",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results" / "latest.md", help="report file"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every part and print + write the report."""
    args = parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    personas = math.ceil(args.jobs / len(CHANNELS))
    jobs = personas * len(CHANNELS)
    if jobs != args.jobs:
        print(f"note: rounding N up to {jobs} ({personas} personas x {len(CHANNELS)} channels)")
    minimum = theoretical_minimum(jobs, args.latency, args.concurrency, args.rpm)
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    rows: list[Row] = []
    extra: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="personagen-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PERSONAGEN_"))}
    env["PERSONAGEN_HOME"] = str(work / "home")
    os.environ.pop("OPENAI_API_KEY", None)
    os.environ.pop("OPENAI_BASE_URL", None)
    os.environ["PERSONAGEN_HOME"] = str(work / "home")
    bench_started = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - bench_started:6.1f}s] {text}", flush=True)

    startup: list[str] = []
    if "startup" not in skip:
        venv_bin = Path(sys.executable).parent
        personagen = str(venv_bin / "personagen")
        for label, cmd in (
            ("`personagen --help`", [personagen, "--help"]),
            ('`python -c "import openai"`', [sys.executable, "-c", "import openai"]),
            ('`python -c "pass"` (interpreter floor)', [sys.executable, "-c", "pass"]),
        ):
            median, p90 = startup_times(cmd, args.startup_runs, env)
            startup.append(f"| {label} | {median * 1000:.0f} | {p90 * 1000:.0f} |")
            log(f"start-up {label}: median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")

    if "naive" not in skip:
        log(f"1. naive sequential loop, {jobs} jobs (expect ~{jobs * args.latency:.0f} s)")
        recorder = Recorder(personas)
        with StubServer(recorder, latency=args.latency, requests_per_minute=args.rpm) as stub:
            wall, failed = asyncio.run(naive_loop(stub, jobs))
            rows.append(
                Row(
                    "1. naive sequential loop (openai client, max_retries=0 + own sleep-retry-after loop)",
                    wall, minimum, stub.rate_limited, failed, stub.accepted, unique_bodies(stub),
                    [f"own minimum N·L = {jobs * args.latency:.1f} s, ratio to it "
                     f"{wall / (jobs * args.latency):.3f}"],
                )
            )
        log(f"   done in {wall:.1f} s")

    if "gather" not in skip:
        log(f"2. unthrottled asyncio.gather of {jobs}")
        recorder = Recorder(personas)
        with StubServer(recorder, latency=args.latency, requests_per_minute=args.rpm) as stub:
            wall, failed, kinds = asyncio.run(unthrottled_gather(stub, jobs))
            notes = [f"errors: {kinds}"] if kinds else []
            if jobs <= args.rpm:
                notes.append(
                    f"N ≤ R: the stub's sliding 60 s window admits a burst of {args.rpm:g}, "
                    "so nothing is throttled and the even-spacing minimum does not bind"
                )
            rows.append(
                Row(
                    "2. unthrottled asyncio.gather (openai client, default max_retries=2)",
                    wall, minimum, stub.rate_limited, failed, stub.accepted, unique_bodies(stub),
                    notes,
                )
            )
        log(f"   done in {wall:.1f} s, 429s {rows[-1].rate_limited}, failed {failed}")

    if "personagen" not in skip:
        log(f"3. personagen run engine: {personas} personas x {CHANNELS} = {jobs} copy jobs")
        recorder = Recorder(personas)
        with StubServer(recorder, latency=args.latency, requests_per_minute=args.rpm) as stub:
            campaign = write_campaign(work / "campaign", stub.base_url, args.rpm, args.concurrency)
            first = asyncio.run(personagen_pass(campaign, personas, work / "out1"))
            s = first.summary
            persona_calls = stub.accepted - jobs
            copy_min = minimum
            rows.append(
                Row(
                    f"3. `personagen run` engine (C={args.concurrency}, requests_per_minute={args.rpm:g})",
                    first.wall, minimum, stub.rate_limited, s["failed"], stub.accepted,
                    unique_bodies(stub),
                    [
                        f"{jobs} copy + {persona_calls} persona-stage calls; copy phase alone "
                        f"{first.copy_wall:.2f} s = {first.copy_wall / copy_min:.3f} × min",
                        f"{first.stored_results} results stored, {s['done']} done",
                    ],
                )
            )
            log(f"   done in {first.wall:.1f} s ({s['done']} done, {s['failed']} failed)")
            copy_arrivals = [t for t, name in recorder.arrivals if name in COPY_TOOLS]
            extra.append("personagen pass 1, copy calls: " + arrival_stats(copy_arrivals, args.rpm))
            before_raw = len(stub.raw_requests)
            before_accepted, before_429 = stub.accepted, stub.rate_limited
            second = asyncio.run(personagen_pass(campaign, personas, work / "out2"))
            calls = len(stub.raw_requests) - before_raw
            s2 = second.summary
            rows.append(
                Row(
                    "3b. `personagen run` again on the same store",
                    second.wall, minimum, stub.rate_limited - before_429, s2["failed"],
                    stub.accepted - before_accepted, stub.accepted - before_accepted,
                    [f"calls made: {calls} (run.json model_calls {s2['model_calls']}, "
                     f"reused {s2['reused']} of {s2['jobs']} jobs)"],
                    ratio_shown=False,
                )
            )
            log(f"   re-run in {second.wall:.1f} s, {calls} calls")

    total = time.perf_counter() - bench_started
    report = [
        "# personagen batch benchmark",
        "",
        "```",
        command,
        "```",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; N = {jobs} jobs, stub latency L = {args.latency:g} s, "
        f"R = {args.rpm:g} requests/min (sliding 60 s window), personagen concurrency "
        f"C = {args.concurrency}; theoretical minimum max(N·L/C, 60·N/R) = "
        f"max({jobs * args.latency / args.concurrency:.2f}, {60 * jobs / args.rpm:.2f}) = "
        f"{minimum:.2f} s. Benchmark took {total:.0f} s.",
        "",
        fmt_table(rows),
        "",
    ]
    if extra:
        report += [f"- {line}" for line in extra] + [""]
    if startup:
        report += [
            f"Start-up ({args.startup_runs} runs each after one warm-up, wall time via subprocess):",
            "",
            "| command | median ms | p90 ms |",
            "|---|---:|---:|",
            *startup,
            "",
        ]
    text = "\n".join(report)
    print()
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {os.path.relpath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
