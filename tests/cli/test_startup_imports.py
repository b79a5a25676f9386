"""Commands import only what they use: `--help` and `lint` never load the model client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from personagen.cli.app import COMMAND_MODULES
from tests.helpers import TEST_DATA

# The model client and everything behind the door: only a command that calls a model
# needs them.
MODEL_SIDE = ("openai", "instructor", "httpx2", "tenacity", "personagen.llm", "personagen.pipeline")


# `python -m personagen ARGV`, writing the name of every module loaded (sys.modules, which
# also holds what importlib.import_module loaded) to a file as the process exits.
_RUN = """
import atexit, runpy, sys
names = sys.argv.pop(1)
atexit.register(lambda: open(names, "w").write("\\n".join(sorted(sys.modules))))
runpy.run_module("personagen", run_name="__main__", alter_sys=True)
"""


def imported(tmp_path: Path, *argv: str) -> set[str]:
    """Modules a fresh `personagen ARGV` process loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PERSONAGEN_"))}
    env["PERSONAGEN_HOME"] = str(tmp_path / "home")
    names = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(names), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = set(names.read_text().splitlines()) if names.exists() else set()
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
    # Without a brief no claim is checked; a well-formed copy JSON needs no input reader;
    # piped output is plain text (rich draws the table in a terminal only); the other
    # commands are not imported.
    assert _loaded(modules, ("personagen.checks.claims", "personagen.inputs", "rich")) == []
    others = {f"personagen.cli.{m}" for m in COMMAND_MODULES.values()} - {"personagen.cli.lint"}
    assert sorted(modules & others) == []


def test_help_loads_every_command(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--help")
    assert {f"personagen.cli.{m}" for m in COMMAND_MODULES.values()} <= modules


def test_a_commands_help_loads_that_command_alone(tmp_path: Path) -> None:
    commands = {f"personagen.cli.{m}" for m in COMMAND_MODULES.values()}
    assert imported(tmp_path, "show", "--help") & commands == {"personagen.cli.show"}
    assert imported(tmp_path, "lint", "--help") & commands == {"personagen.cli.lint"}
