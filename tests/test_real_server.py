"""`personagen personas` against a real OpenAI-compatible server (llama_cpp.server).

Skipped unless PERSONAGEN_LLAMA_SERVER_URL names a loopback server, for example one started
by hand as `bench/llama_server.py` does:

    /work/llama/venv/bin/python -m llama_cpp.server --model SmolLM2-135M-Instruct.Q4_1.gguf \
        --model_alias smollm2 --host 127.0.0.1 --port 8000 --n_ctx 8192 --chat_format chatml
    PERSONAGEN_LLAMA_SERVER_URL=http://127.0.0.1:8000/v1 .venv/bin/pytest tests/test_real_server.py

Optional: PERSONAGEN_LLAMA_SERVER_MODEL (default smollm2), PERSONAGEN_LLAMA_SERVER_NOTES
(use the first N example notes; default all), PERSONAGEN_LLAMA_SERVER_CONTEXT (the server's
n_ctx, default 8192), PERSONAGEN_LLAMA_SERVER_TIMEOUT (seconds, default 1800) and
PERSONAGEN_LLAMA_SERVER_CONFIG (a personagen settings file passed as --config, e.g.
`{"timeout": 300, "max_output_tokens": 1024}` for a slow CPU).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from personagen.checks.grounding import normalize, strip_outer_quotes
from personagen.inputs import load_notes
from tests.helpers import EXAMPLE, ROOT

URL = os.environ.get("PERSONAGEN_LLAMA_SERVER_URL", "")
SECTIONS = ("responsibilities", "goals", "pain_points", "channels", "objections", "motivations")

pytestmark = [
    pytest.mark.real_server,
    pytest.mark.skipif(not URL, reason="set PERSONAGEN_LLAMA_SERVER_URL to a loopback server"),
]


def base_url() -> str:
    """The server's OpenAI base URL (`/v1` added when missing); loopback only."""
    host = urlsplit(URL).hostname or ""
    assert host in ("127.0.0.1", "::1", "localhost") or host.startswith("127."), (
        f"PERSONAGEN_LLAMA_SERVER_URL must be a loopback URL, not {URL!r}"
    )
    url = URL.rstrip("/")
    return url if url.endswith("/v1") else f"{url}/v1"


def test_personas_against_the_server_are_grounded(tmp_path: Path) -> None:
    notes = load_notes([EXAMPLE / "notes"])
    first = os.environ.get("PERSONAGEN_LLAMA_SERVER_NOTES")
    notes = notes[: int(first)] if first else notes
    out = tmp_path / "out"
    command = [
        *(sys.executable, "-m", "personagen", "personas", "--icp", str(EXAMPLE / "icp.yaml")),
        *(arg for note in notes for arg in ("--notes", str(note.path))),
        *("--count", "2", "-o", str(out), "--base-url", base_url(), "--mode", "tools"),
        *("--model", os.environ.get("PERSONAGEN_LLAMA_SERVER_MODEL", "smollm2")),
        *("--context-tokens", os.environ.get("PERSONAGEN_LLAMA_SERVER_CONTEXT", "8192")),
        *("--concurrency", "1"),  # llama_cpp.server answers one request at a time
    ]
    config = os.environ.get("PERSONAGEN_LLAMA_SERVER_CONFIG")
    command += ["--config", config] if config else []
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    # PERSONAGEN_HOME is the fixture's fresh tmp folder: no response cache is reused.
    assert env["PERSONAGEN_HOME"].startswith(str(tmp_path))
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=float(os.environ.get("PERSONAGEN_LLAMA_SERVER_TIMEOUT", "1800")),
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"

    texts = {note.id: normalize(note.text) for note in notes}
    grounded = 0
    missing: list[str] = []
    files = sorted((out / "personas").glob("*.json"))
    assert files, f"no persona JSON written; stdout:\n{result.stdout}"
    for path in files:
        persona = json.loads(path.read_text())
        for section in SECTIONS:
            for item in persona.get(section) or []:
                evidence = item.get("evidence") or []
                grounded += bool(evidence)
                for quote in evidence:
                    note_id, text = quote["note_id"], quote["quote"]
                    # personagen's own rule: verbatim up to case, whitespace and quote marks.
                    if normalize(strip_outer_quotes(text)) not in texts.get(note_id, "\0"):
                        missing.append(f"{path.stem}/{item.get('id')}: {text!r} ({note_id})")
    assert grounded >= 1, f"no persona item has evidence; stdout:\n{result.stdout}"
    assert not missing, "quotes not found in their note:\n" + "\n".join(missing)
