"""Prompt templates: `prompts/<task>.md.j2` setting a `system` and a `user` variable.

Templates render with strict undefined variables, and each carries a version: the first
12 hex digits of the SHA-256 of its source and the shared partials, stored with every
output it produced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from personagen.fence import data
from personagen.paths import resource_dir


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt."""

    task: str
    version: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        """Chat messages for the model."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("prompts")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        # Templates ship with the package: checking each one's mtime on every render cost
        # more than rendering some of them.
        auto_reload=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["data"] = data  # every interpolated value: see personagen/fence.py
    return environment


def template_name(task: str) -> str:
    """The template file of a task."""
    return f"{task}.md.j2"


@cache
def prompt_version(task: str) -> str:
    """Content hash of a task's template and the shared partials (`_*.j2`) it may import."""
    folder = resource_dir("prompts")
    digest = hashlib.sha256((folder / template_name(task)).read_bytes())
    for partial in sorted(folder.glob("_*.j2")):
        digest.update(partial.read_bytes())
    return digest.hexdigest()[:12]


def render(task: str, variables: dict[str, Any]) -> Prompt:
    """Render a task's system and user blocks with `variables`."""
    template = _environment().get_template(template_name(task))
    module = template.make_module(dict(variables))
    exported = vars(module)
    system = str(exported["system"]).strip()
    user = str(exported["user"]).strip()
    return Prompt(task=task, version=prompt_version(task), system=system, user=user)
