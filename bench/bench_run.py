#!/usr/bin/env python
"""Batch-throughput benchmark: naive loop, unthrottled gather, a hand-written gather +
semaphore loop, and `personagen run`.

Every approach sends N chat completions to its own fresh loopback stub (no network) that
adds `--latency` seconds per answer and answers 429 + retry-after beyond `--rpm` requests
in a sliding 60 s window. A second personagen pass on the same store and output folder
must make 0 calls.
Start-up of `personagen --help` is timed against `python -c "import openai"`.

Run from the repo root:  .venv/bin/python bench/bench_run.py
See bench/README.md for what each column means.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import logging
import math
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
# First on the path, for tests.campaign_stub (the maintained stub answers): the venv's
# site-packages holds an unrelated top-level `tests` package that would shadow ours.
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from personagen.settings import PROVIDER_ENV_VARS  # noqa: E402
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name  # noqa: E402
from tests.campaign_stub import ANSWERS, BRIEF, NOTE, PERSONAS  # noqa: E402

MODEL = "gpt-4.1-mini"
CHANNELS = ["x", "objections"]  # the two copy tasks tests/campaign_stub.py answers
COPY_TOOLS = {"XPostDraft", "BattlecardDraft"}
PARTS = ("startup", "naive", "gather", "semaphore", "personagen")
# `--suite`: the sizes and limits of the README's table, (N, R per minute, L seconds), C = 16.
SUITE = ((1000, 6000.0, 0.1), (3000, 6000.0, 0.1), (300, 200.0, 0.5))
# What `personagen run` imports before its first model call (Door.client loads the rest).
RUN_IMPORTS = "import personagen.cli.run, personagen.run.engine, instructor; instructor.from_openai"


# --------------------------------------------------------------------------- stub


class Recorder:
    """The stub script: valid answers for every task, and when each accepted call arrived."""

    def __init__(self, personas: int = 1) -> None:
        template = PERSONAS["personas"][0]
        drafts = []
        for i in range(max(1, personas)):
            draft = copy.deepcopy(template)
            draft["name"] = f"{template['name']} {i + 1:03d}"
            drafts.append(draft)  # same title: ids become vp-marketing, vp-marketing-2, ...
        self.persona_set: dict[str, Any] = {"personas": drafts}
        self.arrivals: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any], number: int) -> Reply:
        name = tool_name(body)
        with self._lock:
            self.arrivals.append((time.perf_counter(), name))
        if name == "PersonaSetDraft":
            return completion(self.persona_set, name=name)
        answer = cast("dict[str, Any] | None", ANSWERS.get(name))
        if answer is not None:
            return completion(answer, name=name)
        return completion("Churn should never be a surprise.", mode="json")  # plain chat


def unique_bodies(stub: StubServer) -> int:
    """Distinct request bodies among the accepted (billable) requests."""
    return len({json.dumps(body, sort_keys=True) for body in stub.requests})


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    """One line of the results table."""

    name: str
    wall: float | None
    minimum: float | None
    rate_limited: int | str
    failed: int | str
    accepted: int | str
    duplicates: int | str
    notes: list[str] = field(default_factory=list)

    @classmethod
    def at_stub(
        cls, name: str, wall: float, minimum: float, stub: StubServer, failed: int, notes: list[str]
    ) -> Row:
        """A row whose 429s, billable and duplicate calls are what `stub` saw."""
        duplicates = stub.accepted - unique_bodies(stub)
        return cls(name, wall, minimum, stub.rate_limited, failed, stub.accepted, duplicates, notes)


def theoretical_minimum(jobs: int, latency: float, concurrency: int, rpm: float) -> float:
    """max(N*L/C, 60*N/R): the floor for C workers under an evenly spaced R/min."""
    return max(jobs * latency / concurrency, 60.0 * jobs / rpm)


def _messages(i: int) -> Any:  # the openai client's message TypedDicts
    return [
        {"role": "system", "content": "You write short B2B ad copy."},
        {"role": "user", "content": f"Job {i}: one X post about churn risk for persona {i}."},
    ]


# --------------------------------------------------------------------------- calibration


async def round_trip(stub: StubServer, requests: int = 20) -> float:
    """Median seconds of one openai-client round trip to a stub with no added latency."""
    import openai

    client = openai.AsyncOpenAI(base_url=stub.base_url, api_key="bench", max_retries=0)
    times = []
    async with client:
        for i in range(requests):
            started = time.perf_counter()
            await client.chat.completions.create(model=MODEL, messages=_messages(i))
            times.append(time.perf_counter() - started)
    return statistics.median(times)


# --------------------------------------------------------------------------- 1. naive loop


async def naive_loop(stub: StubServer, jobs: int) -> tuple[float, int]:
    """One job after another; openai retries OFF, our loop sleeps retry-after on a 429."""
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
                    await asyncio.sleep(float(error.response.headers.get("retry-after") or 1.0))
                except openai.APIError:
                    failed += 1
                    break
            else:
                failed += 1
    return time.perf_counter() - started, failed


# --------------------------------------------------------------------------- 2. gather


class RetryCauses(logging.Handler):
    """Counts why the openai client retried, from its debug log: HTTP status or exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: dict[str, int] = {}
        self._logger = logging.getLogger("openai")

    async def __aenter__(self) -> RetryCauses:
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        """Count 'Encountered ...' records by their exception."""
        if not record.getMessage().startswith("Encountered") or not record.exc_info:
            return
        error = record.exc_info[1]
        response = getattr(error, "response", None)
        if response is not None:
            cause = f"HTTP {response.status_code}"
        else:
            cause = type(error).__name__
        self.counts[cause] = self.counts.get(cause, 0) + 1


async def unthrottled_gather(
    stub: StubServer, jobs: int
) -> tuple[float, dict[str, int], dict[str, int]]:
    """All N at once through one AsyncOpenAI client with its default retries (2)."""
    import openai

    client = openai.AsyncOpenAI(base_url=stub.base_url, api_key="bench")  # max_retries=2
    started = time.perf_counter()
    async with client, RetryCauses() as causes:
        results = await asyncio.gather(
            *(
                client.chat.completions.create(model=MODEL, messages=_messages(i))
                for i in range(jobs)
            ),
            return_exceptions=True,
        )
    wall = time.perf_counter() - started
    errors: dict[str, int] = {}
    for result in results:
        if isinstance(result, BaseException):
            errors[type(result).__name__] = errors.get(type(result).__name__, 0) + 1
    return wall, errors, causes.counts


async def semaphore_gather(
    stub: StubServer, jobs: int, concurrency: int, rpm: float
) -> tuple[float, int]:
    """The hand-written baseline: asyncio.gather of N tasks, at most C in flight (a
    semaphore), starts spaced 60/R apart, a 429 retried after its retry-after; each answer's
    tool call decoded. It asks the stub for the same copy tools personagen does, so it gets
    the same recorded answers."""
    import openai

    client = openai.AsyncOpenAI(base_url=stub.base_url, api_key="bench", max_retries=0)
    gate, gap = asyncio.Semaphore(concurrency), 60.0 / rpm
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def one(i: int) -> Any:
        name = sorted(COPY_TOOLS)[i % len(COPY_TOOLS)]
        tool: Any = {"type": "function", "function": {"name": name, "parameters": {}}}
        async with gate:
            await asyncio.sleep(max(0.0, began + i * gap - loop.time()))
            for _ in range(10):
                try:
                    answer = await client.chat.completions.create(
                        model=MODEL,
                        messages=_messages(i),
                        tools=[tool],
                        tool_choice={"type": "function", "function": {"name": name}},
                    )
                except openai.RateLimitError as error:
                    await asyncio.sleep(float(error.response.headers.get("retry-after", "1")))
                    continue
                calls = answer.choices[0].message.tool_calls or []
                return json.loads(calls[0].function.arguments)
            raise RuntimeError("still rate-limited after 10 attempts")

    started = time.perf_counter()
    async with client:
        results = await asyncio.gather(*(one(i) for i in range(jobs)), return_exceptions=True)
    wall = time.perf_counter() - started
    return wall, sum(1 for result in results if isinstance(result, BaseException))


# --------------------------------------------------------------------------- 3. personagen


def write_campaign(folder: Path, base_url: str, rpm: float, concurrency: int) -> Path:
    """A campaign file like tests/campaign_stub.py's, with the benchmark's limits."""
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "notes" / "dana.txt").write_text(NOTE)
    icp = (ROOT / "examples" / "saas-retention" / "icp.yaml").read_text()
    (folder / "icp.yaml").write_text(icp)
    # A run against a model refuses reserved placeholder hosts (.example) in what it publishes.
    (folder / "brief.yaml").write_text(yaml.safe_dump(BRIEF).replace(".example/", ".com/"))
    campaign = {
        "name": "bench-campaign",
        "icp": "icp.yaml",
        "notes": ["notes"],
        "personas": 1,  # the file format caps a segment at 12: the count is set in code
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
    """What one `personagen run` pass did, with the times of its phases."""

    started: float
    ended: float
    summary: dict[str, Any]
    stored_results: int
    retries: int
    cpu: float
    personas_done: float | None = None
    last_copy_done: float | None = None

    @property
    def wall(self) -> float:
        """Seconds from loading the campaign to run_campaign returning."""
        return self.ended - self.started


async def personagen_pass(campaign: Path, personas: int, output: Path) -> PassResult:
    """`personagen run` as its CLI command does it, with N/len(channels) personas."""
    from dataclasses import replace

    from personagen.inputs.campaign import load_campaign
    from personagen.run.engine import run_campaign
    from personagen.run.request import SegmentInput, campaign_request, campaign_settings
    from personagen.store import Store

    started, cpu = time.perf_counter(), time.process_time()
    loaded = load_campaign(campaign)
    marks: dict[str, float] = {}

    def progress(outcome: Any) -> None:
        kind = "personas_done" if outcome.job_id.startswith("personas/") else "last_copy_done"
        marks[kind] = time.perf_counter()

    request = campaign_request(loaded, campaign_settings(loaded), output)
    segments = [SegmentInput(s.icp, s.notes, personas, s.speakers) for s in request.segments]
    request = replace(request, segments=segments)
    report = await run_campaign(request, progress=progress)
    ended, cpu = time.perf_counter(), time.process_time() - cpu
    store = Store()
    try:
        with sqlite3.connect(store.path) as db:
            stored = int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    finally:
        store.close()
    summary = report.to_json()
    return PassResult(started, ended, summary, stored, report.usage.retries, cpu, **marks)


def phase_breakdown(result: PassResult, arrivals: list[tuple[float, str]], latency: float) -> str:
    """Where pass 1's wall time went, from stub arrival times and progress callbacks."""
    first = arrivals[0][0] if arrivals else result.started
    copies = [t for t, name in arrivals if name in COPY_TOOLS]
    if not copies or result.personas_done is None or result.last_copy_done is None:
        return "phase breakdown unavailable"
    parts = [
        ("setup to first request (campaign, store, model client)", first - result.started),
        (
            "persona stage (2 sequential calls) until its job is recorded",
            result.personas_done - first,
        ),
        (
            "persona files + preparing every copy job, until the first copy request arrives",
            copies[0] - result.personas_done,
        ),
        (f"copy requests arriving ({len(copies)} requests, first to last)", copies[-1] - copies[0]),
        ("last copy request answered and recorded", result.last_copy_done - copies[-1]),
        ("writing decks/CSVs/run.json after the last job", result.ended - result.last_copy_done),
    ]
    text = "; ".join(f"{label} {seconds:.2f} s" for label, seconds in parts)
    jobs = len(copies)
    return (
        f"personagen pass 1 phases: {text}. CPU of the whole process (engine and the stub's "
        f"threads) {result.cpu:.1f} s = {1000 * result.cpu / max(1, jobs):.1f} ms per job"
    )


def arrival_stats(arrivals: list[float], rpm: float) -> str:
    """How evenly the accepted copy requests reached the stub."""
    if len(arrivals) < 3:
        return "too few requests"
    arrivals = sorted(arrivals)
    gaps = sorted(b - a for a, b in zip(arrivals, arrivals[1:], strict=False))
    span = arrivals[-1] - arrivals[0]
    rate = 60.0 * (len(arrivals) - 1) / span if span else float("inf")
    p99 = gaps[int(0.99 * (len(gaps) - 1))]
    target = 60.0 / rpm
    late = sum(max(0.0, gap - target) for gap in gaps)
    early = sum(max(0.0, target - gap) for gap in gaps)
    window = max(sum(1 for b in arrivals if a <= b < a + 60.0) for a in arrivals)
    return (
        f"personagen pass 1 copy requests at the stub: mean rate {rate:.1f}/min "
        f"(limit {rpm:g}), most in any 60 s window {window}, gap median "
        f"{statistics.median(gaps) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max "
        f"{gaps[-1] * 1000:.1f} ms (limiter target {target * 1000:.1f} ms); time lost to gaps "
        f"above the target {late:.2f} s, gained by gaps below it {early:.2f} s"
    )


def window_edge(arrivals: list[float], sends: list[float], rpm: float) -> str:
    """How close pass 1 came to a 429: the tightest R+1 arrivals, and send → arrival delays."""
    arrivals, most = sorted(arrivals), int(rpm)
    parts = []
    if len(arrivals) > most:
        tightest = min(b - a for a, b in zip(arrivals, arrivals[most:], strict=False))
        parts.append(
            f"the tightest {most + 1} consecutive arrivals (persona stage included) span "
            f"{tightest:.3f} s (the stub answers 429 under 60 s)"
        )
    if sends and len(sends) == len(arrivals):  # no 429s: the k-th send is the k-th arrival
        delays = sorted(b - a for a, b in zip(sorted(sends), arrivals, strict=True))
        parts.append(
            f"limiter release → stub arrival: median {statistics.median(delays) * 1000:.1f} ms, "
            f"max {delays[-1] * 1000:.1f} ms (the limiter's slack covers this)"
        )
    return "personagen pass 1 window edge: " + ("; ".join(parts) or "too few requests")


class SendTimes:
    """When the rate limiter let each request go (`perf_counter`, the stub's clock)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __enter__(self) -> SendTimes:
        from personagen.llm.limiter import RateLimiter

        self._original = original = RateLimiter.acquire
        times = self.times

        async def acquire(limiter: RateLimiter, tokens: int = 0) -> None:
            await original(limiter, tokens)
            times.append(time.perf_counter())

        RateLimiter.acquire = acquire  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from personagen.llm.limiter import RateLimiter

        RateLimiter.acquire = self._original  # type: ignore[method-assign]


# --------------------------------------------------------------------------- start-up


def startup_times(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median and p90 (nearest rank) wall seconds of `runs` runs, after one warm-up run."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[math.ceil(0.9 * runs) - 1]


# --------------------------------------------------------------------------- report


def _cell(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_table(rows: list[Row], minimum: float) -> str:
    """The Markdown results table."""
    lines = [
        "| approach | wall s | ratio to min | 429s | failed jobs | billable calls "
        "| duplicate billable calls | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = None if r.wall is None or r.minimum is None else r.wall / r.minimum
        lines.append(
            f"| {r.name} | {_cell(r.wall)} | {_cell(ratio, 3)} | {r.rate_limited} | {r.failed} "
            f"| {r.accepted} | {r.duplicates} | {'; '.join(r.notes)} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="N jobs per approach (300)")
    parser.add_argument(
        "--latency", type=float, default=0.5, help="stub seconds added per answer (0.5)"
    )
    parser.add_argument(
        "--rpm", type=float, default=200, help="stub limit = personagen requests_per_minute (200)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="personagen concurrency (16)")
    parser.add_argument(
        "--startup-runs", type=int, default=15, help="runs per start-up timing (15)"
    )
    parser.add_argument(
        "--skip", default="", help=f"comma list of parts to leave out: {','.join(PARTS)}"
    )
    parser.add_argument(
        "--suite",
        action="store_true",
        help="the README's table: the hand-written loop and personagen at "
        + ", ".join(f"N={n} R={r:g} L={lat:g}" for n, r, lat in SUITE)
        + " (C from --concurrency), one summary table",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (stores, outputs) afterwards"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "results" / "latest.md",
        help="where the Markdown report goes (bench/results/latest.md)",
    )
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) to skip: {', '.join(sorted(unknown))}")
    return args


class Bench:
    """Runs the parts in order, keeping going when one of them breaks."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.personas = math.ceil(args.jobs / len(CHANNELS))
        self.jobs = self.personas * len(CHANNELS)
        self.minimum = theoretical_minimum(self.jobs, args.latency, args.concurrency, args.rpm)
        self.rows: list[Row] = []
        self.findings: list[str] = []
        self.startup: list[str] = []
        self.errors: list[str] = []
        self.cold_imports: float | None = None
        self.work = Path(tempfile.mkdtemp(prefix="personagen-bench-"))
        self.began = time.perf_counter()

    def log(self, text: str) -> None:
        """Progress on stdout."""
        print(f"[{time.perf_counter() - self.began:6.1f}s] {text}", flush=True)

    def stub(self, personas: int = 1, latency: float | None = None) -> tuple[StubServer, Recorder]:
        """A fresh stub with the benchmark's latency and limit."""
        recorder = Recorder(personas)
        stub = StubServer(
            recorder,
            latency=self.args.latency if latency is None else latency,
            requests_per_minute=self.args.rpm,
        )
        return stub, recorder

    def guarded(self, name: str, part: Callable[[], None]) -> None:
        """Run one part; a crash becomes a line of the report instead of ending the run."""
        try:
            part()
        except Exception as error:  # a benchmark reports breakage, it does not hide it
            traceback.print_exc()
            self.errors.append(f"{name} crashed: {type(error).__name__}: {error}")
            self.rows.append(
                Row(
                    f"{name} (crashed)",
                    None,
                    None,
                    "—",
                    "—",
                    "—",
                    "—",
                    [f"{type(error).__name__}: {error}"[:300]],
                )
            )

    # ----------------------------------------------------------------- parts

    def calibrate(self) -> None:
        """Round trip of one request to a stub that adds no latency."""
        stub, _ = self.stub(latency=0.0)
        with stub:
            seconds = asyncio.run(round_trip(stub))
        self.findings.append(
            f"stub round trip with no added latency (openai client, sequential): "
            f"{seconds * 1000:.1f} ms per request, added to every --latency"
        )
        self.log(f"calibration: {seconds * 1000:.1f} ms per round trip at latency 0")

    def run_startup(self) -> None:
        """`personagen --help` vs importing openai, in fresh processes."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PERSONAGEN_"))}
        env["PERSONAGEN_HOME"] = str(self.work / "startup-home")
        bindir = Path(sys.executable).parent
        runs = self.args.startup_runs
        for label, argv, count in (
            ("`.venv/bin/personagen --help`", [str(bindir / "personagen"), "--help"], runs),
            ('`python -c "import openai"`', [sys.executable, "-c", "import openai"], runs),
            ('`python -c "pass"` (interpreter floor)', [sys.executable, "-c", "pass"], runs),
            (
                f"imports a `personagen run` process needs before its first call "
                f"(`{RUN_IMPORTS}`, {min(runs, 5)} runs)",
                [sys.executable, "-c", RUN_IMPORTS],
                min(runs, 5),
            ),
        ):
            median, p90 = startup_times(argv, count, env)
            self.startup.append(f"| {label} | {median * 1000:.0f} | {p90 * 1000:.0f} |")
            self.log(f"start-up {label}: median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")
        self.cold_imports = median

    def run_naive(self) -> None:
        """1. One job after another."""
        jobs, latency = self.jobs, self.args.latency
        self.log(f"1. naive sequential loop, {jobs} jobs (about {jobs * latency:.0f} s)")
        stub, _ = self.stub()
        with stub:
            wall, failed = asyncio.run(naive_loop(stub, jobs))
        own = jobs * latency
        self.rows.append(
            Row.at_stub(
                "1. naive sequential loop (AsyncOpenAI max_retries=0; our loop sleeps "
                "retry-after on 429)",
                wall,
                self.minimum,
                stub,
                failed,
                [f"C=1: own minimum N·L = {own:.1f} s, ratio to it {wall / own:.3f}"],
            )
        )
        self.log(f"   {wall:.1f} s")

    def run_gather(self) -> None:
        """2. Everything at once."""
        jobs = self.jobs
        self.log(f"2. unthrottled asyncio.gather of {jobs} requests")
        stub, _ = self.stub()
        with stub:
            wall, errors, causes = asyncio.run(unthrottled_gather(stub, jobs))
        notes = [f"failures: {errors}"] if errors else []
        if causes:
            notes.append(f"attempts that failed (retried while retries were left): {causes}")
        if any(not cause.startswith("HTTP") for cause in causes):
            notes.append(
                "connection errors come from the stub's listen backlog (socketserver default "
                "5) overflowing under a burst of N new connections"
            )
        if jobs <= self.args.rpm:
            notes.append(
                f"N ≤ R: the stub's sliding 60 s window admits a burst of {self.args.rpm:g}, "
                "so nothing is throttled and the even-spacing minimum does not bind"
            )
        self.rows.append(
            Row.at_stub(
                "2. unthrottled asyncio.gather (AsyncOpenAI, its default max_retries=2)",
                wall,
                self.minimum,
                stub,
                sum(errors.values()),
                notes,
            )
        )
        self.log(f"   {wall:.1f} s, {stub.rate_limited} 429s, {sum(errors.values())} failed")

    def run_semaphore(self) -> None:
        """2b. The hand-written gather + semaphore loop at the same limits."""
        args, jobs = self.args, self.jobs
        self.log(f"2b. asyncio.gather + semaphore ({args.concurrency}) + 60/R spacing, {jobs} jobs")
        stub, _ = self.stub()
        with stub:
            wall, failed = asyncio.run(semaphore_gather(stub, jobs, args.concurrency, args.rpm))
        self.rows.append(
            Row.at_stub(
                f"2b. hand-written asyncio.gather + semaphore (C={args.concurrency}, starts "
                f"60/R apart, 429s retried after retry-after)",
                wall,
                self.minimum,
                stub,
                failed,
                ["same copy tools, so the same recorded answers; tool calls decoded"],
            )
        )
        self.log(f"   {wall:.1f} s, {stub.rate_limited} 429s, {failed} failed")

    def run_personagen(self) -> None:
        """3. The engine, twice on one store."""
        args, jobs = self.args, self.jobs
        os.environ["PERSONAGEN_HOME"] = str(self.work / "home")
        for var in PROVIDER_ENV_VARS:
            os.environ.pop(var, None)
        # Imports are not part of the timed region, as for rows 1-2 (start-up is its own table).
        started = time.perf_counter()
        import instructor  # noqa: F401
        import openai  # noqa: F401

        import personagen.run.engine  # noqa: F401

        imported = time.perf_counter() - started
        self.log(
            f"3. personagen run engine: {self.personas} personas x {len(CHANNELS)} channels = "
            f"{jobs} copy jobs (imports took {imported:.2f} s, not timed)"
        )
        stub, recorder = self.stub(self.personas)
        with stub:
            campaign = write_campaign(
                self.work / "campaign", stub.base_url, args.rpm, args.concurrency
            )
            with SendTimes() as sends:
                first = asyncio.run(personagen_pass(campaign, self.personas, self.work / "out1"))
            s = first.summary
            copy_calls = sum(1 for _, name in recorder.arrivals if name in COPY_TOOLS)
            persona_calls = len(recorder.arrivals) - copy_calls
            copy_wall = (
                first.last_copy_done - first.personas_done
                if first.last_copy_done and first.personas_done
                else float("nan")
            )
            self.rows.append(
                Row.at_stub(
                    f"3. `personagen run` engine (C={args.concurrency}, "
                    f"requests_per_minute={args.rpm:g})",
                    first.wall,
                    self.minimum,
                    stub,
                    s["failed"],
                    [
                        f"{copy_calls} copy + {persona_calls} persona-stage calls",
                        f"copy phase alone (persona job recorded → last copy job recorded) "
                        f"{copy_wall:.2f} s = {copy_wall / self.minimum:.3f} × min",
                        f"transport retries {first.retries}",
                        f"{first.stored_results} results in the store",
                    ],
                )
            )
            if self.cold_imports is not None:
                cold = first.wall + self.cold_imports
                self.rows[-1].notes.append(
                    f"a cold `personagen run` process also pays its imports "
                    f"({self.cold_imports:.2f} s, start-up table): {cold:.2f} s = "
                    f"{cold / self.minimum:.3f} × min"
                )
            self.log(f"   {first.wall:.1f} s, {s['done']} done, {s['failed']} failed")
            self.findings.append(phase_breakdown(first, recorder.arrivals, args.latency))
            copies = [t for t, name in recorder.arrivals if name in COPY_TOOLS]
            self.findings.append(arrival_stats(copies, args.rpm))
            every = [t for t, _ in recorder.arrivals]
            self.findings.append(window_edge(every, sends.times, args.rpm))

            before = (len(stub.raw_requests), stub.accepted, stub.rate_limited)
            # A re-run: the same campaign into the same folder, as a user runs it again.
            second = asyncio.run(personagen_pass(campaign, self.personas, self.work / "out1"))
            calls = len(stub.raw_requests) - before[0]
            s2 = second.summary
            self.rows.append(
                Row(
                    "3b. `personagen run` again, same store and output folder",
                    second.wall,
                    None,
                    stub.rate_limited - before[2],
                    s2["failed"],
                    stub.accepted - before[1],
                    stub.accepted - before[1],
                    [
                        f"**calls made: {calls}** (run.json model_calls {s2['model_calls']}, "
                        f"reused {s2['reused']} of {s2['jobs']} jobs)"
                    ],
                )
            )
            self.log(f"   second pass {second.wall:.1f} s, {calls} calls")

    # ----------------------------------------------------------------- report

    def report(self) -> str:
        """The Markdown report."""
        args, jobs = self.args, self.jobs
        command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
        lines = [
            "# personagen batch benchmark",
            "",
            "```",
            command,
            "```",
            "",
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
            f"{os.cpu_count()} cores. N = {jobs} jobs, stub latency L = {args.latency:g} s, "
            f"limit R = {args.rpm:g} requests/min (sliding 60 s window, 429 + retry-after), "
            f"personagen concurrency C = {args.concurrency}. Theoretical minimum "
            f"max(N·L/C, 60·N/R) = max({jobs * args.latency / args.concurrency:.2f}, "
            f"{60 * jobs / args.rpm:.2f}) = **{self.minimum:.2f} s**. "
            f"The benchmark took {time.perf_counter() - self.began:.0f} s.",
            "",
            fmt_table(self.rows, self.minimum),
            "",
        ]
        lines += [f"- {text}" for text in self.findings + self.errors]
        if self.startup:
            lines += [
                "",
                f"Start-up, {args.startup_runs} runs each after one warm-up (wall time of the "
                "subprocess):",
                "",
                "| command | median ms | p90 ms |",
                "|---|---:|---:|",
                *self.startup,
            ]
        return "\n".join(lines) + "\n"


def suite_row(bench: Bench) -> str:
    """One line of the suite's summary table: the limits, the minimum, both approaches."""
    args, rows = bench.args, {row.name[:3]: row for row in bench.rows}

    def cell(key: str) -> str:
        row = rows.get(key)
        if row is None or row.wall is None:
            return "crashed | —"
        return f"{row.wall:.2f} ({row.wall / bench.minimum:.3f}×) | {row.rate_limited}"

    limits = f"{args.rpm:g}/min, {args.latency * 1000:g} ms, {args.concurrency}"
    return f"| {bench.jobs:,} | {limits} | {bench.minimum:.2f} | {cell('3. ')} | {cell('2b.')} |"


def run_suite(args: argparse.Namespace) -> int:
    """The README's table: each size and limit of SUITE, both approaches, one table."""
    lines = [
        "| copy jobs | R / L / C | minimum s | personagen wall s (ratio) | 429s "
        "| hand-written gather + semaphore wall s (ratio) | 429s |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    details, failed = [], False
    for jobs, rpm, latency in SUITE:
        sub = argparse.Namespace(**{**vars(args), "jobs": jobs, "rpm": rpm, "latency": latency})
        bench = Bench(sub)
        bench.guarded("2b. semaphore", bench.run_semaphore)
        bench.guarded("3. personagen", bench.run_personagen)
        lines.append(suite_row(bench))
        details.append(bench.report())
        failed = failed or bool(bench.errors)
        shutil.rmtree(bench.work, ignore_errors=True)
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    text = "\n".join(
        [
            "# personagen batch benchmark: suite",
            "",
            f"```\n{command}\n```",
            "",
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; "
            "minimum = max(N·L/C, 60·N/R) for the copy jobs; personagen also makes the "
            "persona stage's 2 calls and its wall time includes them.",
            "",
            *lines,
            "",
            *details,
        ]
    )
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Run every part not skipped, then print and write the report."""
    args = parse_args(argv)
    if args.suite:
        return run_suite(args)
    bench = Bench(args)
    if bench.jobs != args.jobs:
        bench.log(f"N rounded up to {bench.jobs} ({bench.personas} personas x {len(CHANNELS)})")
    bench.guarded("calibration", bench.calibrate)
    if "startup" not in args.skip:
        bench.guarded("start-up", bench.run_startup)
    if "naive" not in args.skip:
        bench.guarded("1. naive loop", bench.run_naive)
    if "gather" not in args.skip:
        bench.guarded("2. gather", bench.run_gather)
    if "semaphore" not in args.skip:
        bench.guarded("2b. semaphore", bench.run_semaphore)
    if "personagen" not in args.skip:
        bench.guarded("3. personagen", bench.run_personagen)
    text = bench.report()
    print()
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {os.path.relpath(args.output)}")
    if args.keep:
        print(f"stores and outputs kept in {bench.work}")
    else:
        shutil.rmtree(bench.work, ignore_errors=True)
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())
