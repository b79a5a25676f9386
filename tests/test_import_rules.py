"""The import rules of docs/architecture.md, checked on the source (function-level imports too)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "personagen"
CLIENT_LIBRARIES = ("openai", "instructor", "httpx", "httpx2")
# The layers, lowest first (docs/architecture.md): a layer may import only the ones before
# it. `settings` and `channels` are base data; orchestration (`run/`, the store, the
# library face `api`) and the CLI sit on top and are not listed.
LAYERS = (
    ("personagen/settings.py", "personagen.settings"),
    ("personagen/channels.py", "personagen.channels"),
    ("personagen/checks", "personagen.checks"),
    ("personagen/models", "personagen.models"),
    ("personagen/inputs", "personagen.inputs"),
    ("personagen/llm", "personagen.llm"),
    ("personagen/pipeline", "personagen.pipeline"),
    ("personagen/export", "personagen.export"),
)
TOP = ("personagen.run.engine", "personagen.store", "personagen.cli", "personagen.api")
# Independent layers that still may not reach each other (the door knows no domain).
APART = {
    "personagen/llm": ("personagen.models", "personagen.checks", "personagen.inputs"),
    "personagen/export": ("personagen.llm", "personagen.pipeline"),
}
FORBIDDEN = {
    where: tuple(module for _, module in LAYERS[index + 1 :]) + TOP + APART.get(where, ())
    for index, (where, _) in enumerate(LAYERS)
}
# channels and checks are pure: not even the settings.
FORBIDDEN["personagen/checks"] += ("personagen.settings",)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_the_door_imports_model_clients() -> None:
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _sources()
        if not _relative(path).startswith("personagen/llm/")
        for name in _imports(path)
        if name.split(".")[0] in CLIENT_LIBRARIES
    ]
    assert offenders == []


def test_the_door_is_used_through_its_public_face() -> None:
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _sources()
        if not _relative(path).startswith("personagen/llm/")
        for name in _imports(path)
        if name.startswith("personagen.llm.")
    ]
    assert offenders == []


def test_layers_import_only_downwards() -> None:
    offenders = []
    for path in _sources():
        where = _relative(path)
        for layer, forbidden in FORBIDDEN.items():
            if where == layer or where.startswith(layer + "/"):
                offenders += [
                    f"{where} imports {n}" for n in _imports(path) if n.startswith(forbidden)
                ]
    assert offenders == []


def test_no_module_is_over_400_lines() -> None:
    long = {
        _relative(path): n
        for path in _sources()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
