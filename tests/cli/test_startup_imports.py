"""Commands import only what they use: `--help` and `lint` never load the model client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import TEST_DATA

# The model client and everything behind the door: only a command that calls a model
# needs them.
MODEL_SIDE = ("openai", "instructor", "httpx2", "tenacity", "personagen.llm", "personagen.pipeline")


def imported(tmp_path: Path, *argv: str) -> set[str]:
    """Modules a fresh `personagen ARGV` process imported (from `python -X importtime`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PERSONAGEN_"))}
    env["PERSONAGEN_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "personagen", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "personagen.cli.app" in modules, done.stderr[-2000:]
    return modules


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def test_help_loads_neither_the_model_client_nor_the_models(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--help")
    assert _loaded(modules, (*MODEL_SIDE, "pydantic", "jinja2", "personagen.models")) == []


def test_lint_loads_no_model_client(tmp_path: Path) -> None:
    modules = imported(tmp_path, "lint", str(TEST_DATA / "lint" / "out"))
    assert "personagen.lint" in modules
    assert _loaded(modules, (*MODEL_SIDE, "textstat", "personagen.run")) == []
    # Loaded only when used: tags other than the common ones, names compared against a
    # brief's, stemming for the fit of copy, the writers of evidence.csv and the changelog.
    lazy = ("langcodes", "confusable_homoglyphs", "snowballstemmer")
    assert _loaded(modules, lazy) == []
    assert _loaded(modules, ("personagen.export.evidence", "personagen.export.changelog")) == []
