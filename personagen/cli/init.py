"""`personagen init`: a campaign folder to fill in, or a copy of the shipped example.

The templates are package data (`personagen/data/init/`): a commented `icp.yaml`,
`brief.yaml` and `campaign.yaml`, a guide to interview notes and one sample note, so
that `personagen run DIR/campaign.yaml --dry-run -o out` works before any edit. The
example (`--example`) is the quickstart campaign with its recorded answers; its campaign
file is pointed at the copied `cassettes/` folder so it runs offline wherever it lands.
Nothing is written when any file would be overwritten (unless `--force`).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Annotated

import typer

from personagen.cli.app import app, user_errors
from personagen.errors import InputError

EXAMPLE = "saas-retention"
CASSETTES = "cassettes"
_REPLAY_LINE = re.compile(r"^replay:.*$", re.MULTILINE)


@app.command()
@user_errors
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder to write into (created when missing).")
    ] = Path("."),
    example: Annotated[
        bool,
        typer.Option(
            "--example",
            help="Copy the shipped example campaign, with its recorded answers, instead of "
            "the commented templates.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Start a campaign: commented icp.yaml, brief.yaml, campaign.yaml and a notes/ folder.

    Example: personagen init my-campaign
    """
    from personagen.atomic import write_bytes_atomic

    files = example_files() if example else template_files()
    if folder.exists() and not folder.is_dir():
        raise InputError(str(folder), "is a file; name a folder to write the campaign into")
    taken = [name for name in files if (folder / name).exists() or (folder / name).is_symlink()]
    if taken and not force:
        shown = ", ".join(taken[:6]) + (f" and {len(taken) - 6} more" if len(taken) > 6 else "")
        raise InputError(
            str(folder),
            f"{shown} already exist{'s' * (len(taken) == 1)}; choose another folder, or pass "
            "--force to overwrite them",
        )
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
    campaign = shlex.quote(str(folder / "campaign.yaml"))
    if example:
        notes = sum(1 for name in files if name.startswith("notes/"))
        answers = sum(1 for name in files if name.startswith(f"{CASSETTES}/"))
        typer.echo(
            f"wrote the {EXAMPLE} example to {folder}: campaign.yaml, icp.yaml, brief.yaml, "
            f"{notes} notes and {answers} recorded answers in {CASSETTES}/\n"
            f"next: personagen run {campaign} -o out   (offline: answers from {CASSETTES}/)"
        )
        return
    typer.echo(
        f"wrote {folder}: campaign.yaml, icp.yaml, brief.yaml and notes/ (a guide to "
        "interview notes and a sample note)\n"
        "next: fill in icp.yaml and brief.yaml (every field is commented; TODO values must "
        "be replaced before a real run), put your interview notes in notes/, then\n"
        f"  personagen run {campaign} --dry-run -o out"
    )


def template_files() -> dict[str, bytes]:
    """The commented templates by relative path (package data under data/init/)."""
    from personagen.paths import resource_dir

    return _tree(resource_dir("data") / "init")


def example_files() -> dict[str, bytes]:
    """The shipped example by relative path, its recorded answers under cassettes/."""
    from personagen.paths import resource_dir

    files = _tree(resource_dir("examples") / EXAMPLE)
    cassettes = _tree(resource_dir("fixtures") / "cassettes" / EXAMPLE)
    files |= {f"{CASSETTES}/{name}": data for name, data in cassettes.items()}
    text = files["campaign.yaml"].decode("utf-8")
    # The shipped file points into the source tree; the copy answers from its own folder.
    pointed, count = _REPLAY_LINE.subn(f"replay: {CASSETTES}", text)
    if count != 1:
        raise InputError("campaign.yaml", "the shipped example has no replay: line to point")
    files["campaign.yaml"] = pointed.encode("utf-8")
    return files


def _tree(root: Path) -> dict[str, bytes]:
    """Every visible file under `root`, by its '/'-separated path relative to `root`."""
    if not root.is_dir():
        raise InputError(str(root), "is missing from the installation; reinstall personagen")
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        # Hidden files and Python's own (__pycache__, __init__.py) are not campaign files.
        if path.is_file() and not any(part.startswith((".", "__")) for part in parts):
            files["/".join(parts)] = path.read_bytes()
    return files
