"""`personagen schema MODEL --format yaml`: a commented skeleton derived from the models."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.cli.schema import PUBLIC_MODELS
from personagen.cli.schema_yaml import yaml_skeleton
from personagen.models.icp import ICP
from tests.cli.test_init import TEMPLATES, comment_for, commented_fields, field_paths

runner = CliRunner()


@pytest.mark.parametrize("name", ["icp", "brief", "campaign"])
def test_the_skeleton_comments_every_field_of_the_model(name: str) -> None:
    result = runner.invoke(app, ["schema", name, "--format", "yaml"])
    assert result.exit_code == 0, result.output
    yaml.safe_load(result.stdout)  # valid YAML, as printed
    comments = commented_fields(result.stdout)
    model = TEMPLATES[f"{name}.yaml"]
    for path in field_paths(model):
        if "*" in path:
            continue  # a mapping of the user's keys is described on its own line
        comment = comment_for(path, comments)
        assert comment is not None, f"{name}: no line for '{path}'"
        assert "(required;" in comment or "(optional" in comment, comment


def test_the_skeleton_says_what_is_required_and_what_each_value_is() -> None:
    lines = runner.invoke(app, ["schema", "icp", "--format", "yaml"]).stdout.splitlines()
    by_key = {line.split(":", 1)[0]: line for line in lines if not line.startswith("#")}
    assert by_key["id"] == (
        "id:  # Short slug naming this ICP, e.g. 'mid-saas'. (required; slug: lowercase "
        "letters, digits and '-')"
    )
    assert "(optional;" in by_key["revenue"] and "(required;" in by_key["employees"]
    assert "one of: low, medium, high" in by_key["technological_maturity"]
    assert "list of text, at least 1" in by_key["industries"]
    assert '  currency: "USD"  # ISO 4217 code' in lines[by_key_index(lines, "revenue") + 3]


def by_key_index(lines: list[str], key: str) -> int:
    return next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))


def test_a_list_of_sections_shows_one_item() -> None:
    text = yaml_skeleton(runner_schema("brief"))
    assert "proof_points:  # " in text
    assert "\n  - id:  # Stable id" in text and "\n    text:  # The fact" in text


def runner_schema(name: str) -> dict[str, object]:
    result = runner.invoke(app, ["schema", name])
    schema: dict[str, object] = json.loads(result.stdout)
    return schema


def test_json_stays_the_default_and_every_public_model_has_a_skeleton() -> None:
    assert json.loads(runner.invoke(app, ["schema", "icp"]).stdout)["title"] == "ICP"
    for name in PUBLIC_MODELS:
        result = runner.invoke(app, ["schema", name, "--format", "yaml"])
        assert result.exit_code == 0, (name, result.output)
        assert result.stdout.startswith("# "), name


def test_the_skeleton_follows_the_model_not_a_copy() -> None:
    schema = ICP.model_json_schema()
    schema["properties"]["fresh_field"] = {"type": "string", "description": "Added today."}
    assert "fresh_field:  # Added today. (optional; text)" in yaml_skeleton(schema)
