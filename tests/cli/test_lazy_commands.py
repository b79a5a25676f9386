"""Commands are imported when they are looked up: the table of their modules stays true."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from personagen.cli import app
from personagen.cli.app import COMMAND_MODULES

runner = CliRunner()

# In a fresh process: import each command module in turn and list the commands it adds.
_ADDED_BY_EACH = """
import importlib, json, typer
from personagen.cli.app import COMMAND_MODULES, app
seen, added = set(), {}
for module in dict.fromkeys(COMMAND_MODULES.values()):
    importlib.import_module(f"personagen.cli.{module}")
    names = set(typer.main.get_group(app).commands)
    added[module] = sorted(names - seen)
    seen |= names
print(json.dumps(added))
"""


def test_each_command_is_defined_by_the_module_the_table_names() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ADDED_BY_EACH], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    added: dict[str, list[str]] = json.loads(done.stdout)
    expected: dict[str, list[str]] = {}
    for name, module in COMMAND_MODULES.items():
        expected.setdefault(module, []).append(name)
    assert added == {module: sorted(names) for module, names in expected.items()}


def test_help_lists_every_command_in_the_tables_order() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    rows = result.output.split("Commands:")[1].strip().splitlines()
    assert [row.split()[0] for row in rows] == list(COMMAND_MODULES)


def test_a_misspelt_command_still_gets_a_suggestion() -> None:
    result = runner.invoke(app, ["lnt"])
    assert result.exit_code == 2
    assert "No such command 'lnt'. Did you mean 'lint'?" in result.output
