"""Start-up: `personagen --help` and `personagen lint` against importing openai.

Each command runs in a fresh process, interleaved (one of each per round, so the machine's
other load falls on all alike), after one warm-up round; the median wall time of the rounds
is kept. Printed: the medians, `--help` / `import openai` (goal ≤ 0.2), `lint` on the
example's output / `--help` (goal ≤ 3), piped and in a terminal (a pseudo-terminal: lint
then draws its table with rich), and the imports a `personagen run` process makes before
its first model call, with the heaviest modules by `python -X importtime`.

Python's bytecode is cached in a temporary folder (the warm-up round writes it), as for an
installed package, whose installer compiles it; `--no-bytecode-cache` makes every process
compile every module it imports from source (`PYTHONDONTWRITEBYTECODE`), as a checkout does
where writing bytecode is turned off.

    .venv/bin/python bench/startup.py [--runs 15] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LINT_OUT = ROOT / "tests" / "data" / "lint" / "out"
# What `personagen run` has imported when it sends its first request (the door imports
# instructor's retry loop on its first call).
RUN_IMPORTS = (
    "import personagen.cli.app, personagen.cli.run, personagen.run.engine, instructor.v2.core.retry"
)
LINT = "personagen lint <example output>"
LINT_TTY = "personagen lint <example output>, in a terminal"
COMMANDS = {
    "personagen --help": [str(BIN / "personagen"), "--help"],
    'python -c "import openai"': [sys.executable, "-c", "import openai"],
    LINT: [str(BIN / "personagen"), "lint", str(LINT_OUT)],
    LINT_TTY: [str(BIN / "personagen"), "lint", str(LINT_OUT)],
    "imports before run's first request": [sys.executable, "-c", RUN_IMPORTS],
    'python -c "pass"': [sys.executable, "-c", "pass"],
}


def timed(argv: list[str], env: dict[str, str], terminal: bool = False) -> float:
    """Wall seconds of one process, its output discarded or, with `terminal`, read from a
    pseudo-terminal (the exit code is not checked: lint exits 1 on findings)."""
    if not terminal:
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started
    main_fd, child_fd = pty.openpty()
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=child_fd, stderr=child_fd)
    os.close(child_fd)
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while os.read(main_fd, 65536):
            pass
    process.wait()
    seconds = time.perf_counter() - started
    os.close(main_fd)
    return seconds


def heaviest_imports(code: str, env: dict[str, str], top: int) -> list[tuple[int, str]]:
    """The `top` modules with the largest cumulative import time (µs) for `code`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: Sequence[str] | None = None) -> int:
    """Time the commands and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed rounds (15)")
    parser.add_argument("--top", type=int, default=12, help="heaviest imports shown (12)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module from source in every process",
    )
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PERSONAGEN_"))}
    env["PERSONAGEN_HOME"] = tempfile.mkdtemp(prefix="personagen-startup-")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="personagen-bytecode-")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for round_number in range(args.runs + 1):
        for name, command in COMMANDS.items():
            seconds = timed(command, env, terminal=name == LINT_TTY)
            if round_number:  # the first round warms the file cache (and writes bytecode)
                times[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    load = os.getloadavg()[0]
    print(f"median of {args.runs} interleaved runs, {cache}, load average {load:.2f}")
    for name, seconds in median.items():
        print(f"  {seconds * 1000:7.0f} ms  {name}")
    help_s = median["personagen --help"]
    openai_s = median['python -c "import openai"']
    print(f"--help / import openai: {help_s / openai_s:.2f} (≤ 0.2)")
    print(f"lint / --help: {median[LINT] / help_s:.2f} (≤ 3)")
    print(f"lint in a terminal / --help: {median[LINT_TTY] / help_s:.2f}")
    print("heaviest imports before run's first request (cumulative ms):")
    for micros, module in heaviest_imports(RUN_IMPORTS, env, args.top):
        print(f"  {micros / 1000:7.1f}  {module}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
