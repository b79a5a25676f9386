"""The CLI through typer's CliRunner, plus one real subprocess for start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.cli.schema import PUBLIC_MODELS

runner = CliRunner()


def test_help_lists_commands_and_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "personas" in result.output and "Example:" in result.output


@pytest.mark.parametrize(
    "command", ["personas", "copy", "run", "lint", "report", "show", "schema", "runs"]
)
def test_every_command_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Example: personagen {command}" in result.output


def test_schema_prints_the_persona_json_schema() -> None:
    result = runner.invoke(app, ["schema", "persona"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Persona"
    assert {"pain_points", "buying_role", "icp_id"} <= set(schema["properties"])


def test_schema_of_an_unknown_model_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["schema", "nonsense"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: schema: unknown model 'nonsense'")


def test_help_does_not_import_the_model_client() -> None:
    code = (
        "import sys\n"
        "from personagen.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('openai', 'instructor', 'httpx2') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


@pytest.mark.parametrize("model", sorted(PUBLIC_MODELS))
def test_every_public_model_has_a_schema(model: str) -> None:
    result = runner.invoke(app, ["schema", model])
    assert result.exit_code == 0, result.output
    assert "properties" in json.loads(result.output)
