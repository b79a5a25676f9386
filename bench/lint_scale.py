"""How `personagen lint` scales with the rows of a CSV export, and what it costs to start.

Writes Meta review sheets (`meta.csv`, one persona, so every row is compared with every
other for near duplicates) into a temp folder and times `personagen lint` on each:

- 2,000 rows of distinct copy;
- 1,000 near-duplicate rows (one sentence, one word changed per row);
- 100,000 rows of distinct copy.

The copy is drawn from a Zipf-distributed vocabulary of made-up words plus common English
words, as natural text is, with a fixed seed. Each run is a separate `personagen lint`
process with its output piped (not a terminal), so printing counts as it would in CI. The
script also times `personagen --help` against `personagen lint` on the lint tests' copy of
the example output (without and with the brief), and `personagen lint --help`: what any
subcommand costs typer before it runs. Usage:

    .venv/bin/python bench/lint_scale.py [--timeout 120] [--runs 7] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERSONAGEN = ROOT / ".venv" / "bin" / "personagen"
EXAMPLE_OUT = ROOT / "tests" / "data" / "lint" / "out"
EXAMPLE_BRIEF = ROOT / "tests" / "data" / "lint" / "brief.yaml"
HEADER = [
    "Persona",
    "Variant",
    "Primary text",
    "Primary chars",
    "Headline",
    "Headline chars",
    "Description",
    "Description chars",
    "Website URL",
    "Addresses",
]
COMMON = "your the and to of in for with a on team you our no more every day".split()
SYLLABLES = "ka re lo mi nu ta ser vin dol pra gen tor lu cha bel ost fi ram".split()
NEAR_DUPLICATE = (
    "Renewly flags at-risk accounts an average of 45 days before renewal so the {n} team "
    "can act early"
)


def _vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    words = set(COMMON)
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    # Common words first, so they get the highest Zipf weights.
    return COMMON + sorted(words - set(COMMON))


def _writer(rng: random.Random) -> Callable[[int, int], str]:
    vocabulary = _vocabulary(rng)
    cumulative = list(accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(vocabulary))))

    def words(low: int, high: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(low, high)))

    return words


def _row(number: int, primary: str, headline: str, description: str) -> list[str]:
    return [
        "Payback Paula (chief-financial-officer)",
        str(number),
        primary,
        str(len(primary)),
        headline,
        str(len(headline)),
        description,
        str(len(description)),
        "https://renewly.example/pilot",
        "goal-1",
    ]


def write_sheet(path: Path, rows: int, *, near_duplicates: bool, seed: int = 7) -> None:
    """Write a meta.csv review sheet of `rows` rows."""
    rng = random.Random(seed)
    words = _writer(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(1, rows + 1):
            if near_duplicates:
                primary, headline, description = NEAR_DUPLICATE.format(n=n), "", ""
            else:
                primary = words(10, 18).capitalize() + "."
                headline, description = words(3, 5).title(), words(2, 4).capitalize()
            out.writerow(_row(n, primary, headline, description))


def timed(args: list[str], timeout: float) -> tuple[float | None, float, int | None, int]:
    """(wall seconds or None on timeout, CPU seconds, exit code, lines printed) of one
    command. CPU time (user + system) shows the work even when other processes share the
    cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, 0.0, None, 0
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    lines = done.stdout.count(b"\n") + done.stderr.count(b"\n")
    return wall, cpu, done.returncode, lines


def median_wall(args: list[str], runs: int) -> float:
    """Median wall time of `runs` runs after one warm-up."""
    timed(args, 60)
    walls = [timed(args, 60)[0] or float("inf") for _ in range(runs)]
    return statistics.median(walls)


def main() -> int:
    """Print one table of wall times and the start-up ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per lint run")
    parser.add_argument("--runs", type=int, default=7, help="runs per start-up timing")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lint-scale-"))
    cases = [
        ("2,000 rows", 2_000, False),
        ("1,000 near-duplicate rows", 1_000, True),
        ("100,000 rows", 100_000, False),
    ]
    print("| CSV | size | wall s | CPU s | exit | lines printed |")
    print("|---|---|---|---|---|---|")
    try:
        for label, rows, duplicates in cases:
            sheet = folder / label.split()[0].replace(",", "") / "meta.csv"
            if duplicates:
                sheet = folder / "near-duplicates" / "meta.csv"
            write_sheet(sheet, rows, near_duplicates=duplicates)
            wall, cpu, code, lines = timed([str(PERSONAGEN), "lint", str(sheet)], options.timeout)
            shown = f"{wall:.2f}" if wall is not None else f"> {options.timeout:g} (stopped)"
            size = f"{sheet.stat().st_size / 1e6:.1f} MB"
            exit_code = code if code is not None else "-"
            print(f"| {label} | {size} | {shown} | {cpu:.2f} | {exit_code} | {lines} |")
        help_wall = median_wall([str(PERSONAGEN), "--help"], options.runs)
        sub_wall = median_wall([str(PERSONAGEN), "lint", "--help"], options.runs)
        lint_wall = median_wall([str(PERSONAGEN), "lint", str(EXAMPLE_OUT)], options.runs)
        brief_wall = median_wall(
            [str(PERSONAGEN), "lint", str(EXAMPLE_OUT), "--brief", str(EXAMPLE_BRIEF)],
            options.runs,
        )
        print()
        print(f"personagen --help: median {help_wall:.3f} s over {options.runs} runs")
        print(f"personagen lint --help: {sub_wall:.3f} s ({sub_wall / help_wall:.2f}x)")
        print(f"personagen lint <example output>: {lint_wall:.3f} s ({lint_wall / help_wall:.2f}x)")
        print(
            f"personagen lint <example output> --brief: {brief_wall:.3f} s "
            f"({brief_wall / help_wall:.2f}x)"
        )
    finally:
        if options.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
