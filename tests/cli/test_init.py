"""`personagen init`: commented templates that run as written, the example, no overwrites."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from personagen.cli import app
from personagen.inputs.notes import load_notes
from personagen.models.brief import Brief
from personagen.models.campaign import Campaign
from personagen.models.icp import ICP
from personagen.paths import resource_dir

runner = CliRunner()
TEMPLATES = {"icp.yaml": ICP, "brief.yaml": Brief, "campaign.yaml": Campaign}
# A field line, written or commented out: "  key: value  # (required) what it is".
FIELD = re.compile(r"^(?P<indent>\s*)(?P<item>- )?(?P<key>[a-z_]+):(?:\s|$)")


def _nested(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested(arg)
        if found is not None:
            return found
    return None


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field of `model` and of the sections inside it, as dotted paths ('*' stands
    for a key of the user's choice, as in `stages: {decision: {goal: ...}}`)."""
    paths: list[str] = []
    for name, field in model.model_fields.items():
        paths.append(prefix + name)
        nested = _nested(field.annotation)
        if nested is not None:
            keyed = get_origin(field.annotation) is dict
            paths += field_paths(nested, f"{prefix}{name}.{'*.' if keyed else ''}")
    return paths


def comment_for(path: str, comments: dict[str, str]) -> str | None:
    """The comment of the line for `path` ('*' matching any one key), None without one."""
    pattern = re.compile(re.escape(path).replace(r"\*", r"[a-z_]+") + "$")
    found = [comment for written, comment in comments.items() if pattern.match(written)]
    return found[0] if found else None


def commented_fields(text: str) -> dict[str, str]:
    """Dotted path -> comment of each field line (commented-out lines count; '# ' dropped)."""
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = re.sub(r"^(\s*)# ", r"\1", raw, count=1)  # a commented-out field counts
        match = FIELD.match(line)
        if match is None:
            continue
        indent = len(match["indent"]) + (2 if match["item"] else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([*(key for _, key in stack), match["key"]])
        stack.append((indent, match["key"]))
        comment = line.split("  # ", 1)[1] if "  # " in line else ""
        found[path] = comment
    return found


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_field_of_the_model_has_a_commented_line_in_its_template(name: str) -> None:
    text = (resource_dir("data") / "init" / name).read_text()
    comments = commented_fields(text)
    for path in field_paths(TEMPLATES[name]):
        comment = comment_for(path, comments)
        assert comment is not None, f"{name}: no line for the field '{path}'"
        assert re.match(r"\((required|optional)", comment), f"{name}: '{path}' says neither"
        assert len(comment) > len("(optional) ") + 10, f"{name}: '{path}' says too little"


def test_the_template_check_finds_a_missing_comment() -> None:
    text = "id: mid-saas  # (required) Short slug\nname: Mid SaaS\n"
    assert commented_fields(text) == {"id": "(required) Short slug", "name": ""}
    nested = "a:  # (optional) A\n  # b:  # (optional) B\n  c:\n    d: 1  # (required) D\n"
    comments = commented_fields(nested)
    assert comments == {
        "a": "(optional) A",
        "a.b": "(optional) B",
        "a.c": "",
        "a.c.d": "(required) D",
    }
    assert comment_for("a.*.d", comments) == "(required) D"
    assert comment_for("a.*.e", comments) is None


def test_init_then_dry_run_works_without_edits(tmp_path: Path) -> None:
    folder = tmp_path / "camp"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert "personagen run" in result.stdout and "--dry-run" in result.stdout
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "brief.yaml",
        "campaign.yaml",
        "icp.yaml",
        "notes/_how-to-write-notes.md",
        "notes/sample-vp-marketing.md",
    ]
    run = runner.invoke(
        app, ["run", str(folder / "campaign.yaml"), "--dry-run", "-o", str(tmp_path / "out")]
    )
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("dry run: ") and run.stderr == ""


def test_the_notes_guide_is_not_read_as_a_note_and_causes_no_warning(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    warned: list[str] = []
    notes = load_notes([tmp_path / "notes"], warn=warned.append)
    assert [n.id for n in notes] == ["sample-vp-marketing"] and warned == []
    assert notes[0].meta.tags == ["sample"]


def test_the_classic_template_values_are_in_the_templates() -> None:
    icp = yaml.safe_load((resource_dir("data") / "init" / "icp.yaml").read_text())
    assert icp["employees"] == {"min": 200, "max": 500}
    assert icp["revenue"]["min"] == 10_000_000 and icp["revenue"]["max"] == 50_000_000
    assert icp["tech_stack"]["required"] == ["Salesforce"]
    assert set(icp["geographies"]) == {"United States", "Canada"}


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "icp.yaml").write_text("mine\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {tmp_path}: icp.yaml already exists; choose another folder, or pass "
        "--force to overwrite them\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["icp.yaml"]
    assert (tmp_path / "icp.yaml").read_text() == "mine\n"


def test_init_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "icp.yaml").write_text("mine\n")
    result = runner.invoke(app, ["init", str(tmp_path), "--force"])
    assert result.exit_code == 0, result.output
    ICP.model_validate(yaml.safe_load((tmp_path / "icp.yaml").read_text()))


def test_init_example_copies_the_example_and_its_answers(tmp_path: Path) -> None:
    folder = tmp_path / "ex"
    result = runner.invoke(app, ["init", "--example", str(folder)])
    assert result.exit_code == 0, result.output
    example = resource_dir("examples") / "saas-retention"
    shipped = {p.relative_to(example) for p in example.rglob("*") if p.is_file()}
    assert shipped <= {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}
    assert yaml.safe_load((folder / "campaign.yaml").read_text())["replay"] == "cassettes"
    cassettes = resource_dir("fixtures") / "cassettes" / "saas-retention"
    assert sorted(p.name for p in (folder / "cassettes").iterdir()) == sorted(
        p.name for p in cassettes.iterdir()
    )


def test_init_example_runs_offline_where_it_lands(tmp_path: Path) -> None:
    folder = tmp_path / "ex"
    runner.invoke(app, ["init", "--example", str(folder)])
    run = runner.invoke(app, ["run", str(folder / "campaign.yaml"), "-o", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "out" / "run.json").exists()


def test_init_into_a_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert (
        result.stderr == f"error: {target}: is a file; name a folder to write the campaign into\n"
    )
