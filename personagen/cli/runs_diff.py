"""`personagen runs diff A B`: personas, claims and copy that changed, and what each run cost."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from personagen.cli.app import user_errors
from personagen.cli.terminal import echo

DIFF_LINES = 12  # changed lines shown per piece of copy in the text form (JSON has them all)


class DiffFormat(StrEnum):
    """How `runs diff` prints."""

    TEXT = "text"
    JSON = "json"


def _cost(label: str, key: str, a: dict[str, Any], b: dict[str, Any]) -> str:
    def shown(value: Any) -> str:
        if value is None:
            return "-"
        return f"${value:.4f}" if key == "cost_usd" else f"{value:,}"

    return f"  {label:<14} {shown(a.get(key)):>14} {shown(b.get(key)):>14}"


def _quoted(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return f'"{line if len(line) <= limit else line[: limit - 1] + "…"}"'


def _where(entry: dict[str, Any]) -> str:
    return " / ".join(str(entry[k]) for k in ("persona_id", "stage", "channel") if entry.get(k))


def render_text(diff: dict[str, Any]) -> list[str]:
    """The comparison as plain lines (the caller makes them terminal-safe)."""
    a, b = diff["a"], diff["b"]
    lines = [
        f"A {a['id']} ({a['name']}, {a['model']}, {a['status']}, started {a['started']})",
        f"B {b['id']} ({b['name']}, {b['model']}, {b['status']}, started {b['started']})",
        f"  {'':<14} {'A':>14} {'B':>14}",
    ]
    for label, key in (
        ("jobs", "jobs"),
        ("model calls", "model_calls"),
        ("input tokens", "input_tokens"),
        ("output tokens", "output_tokens"),
        ("cost", "cost_usd"),
    ):
        lines.append(_cost(label, key, a, b))
    personas = diff["personas"]
    lines.append(
        f"personas: {len(personas['added'])} added, {len(personas['removed'])} removed, "
        f"{len(personas['changed'])} with changed claims"
    )
    lines += [f"  + {p['id']} ({p['name']}, {p['title']})" for p in personas["added"]]
    lines += [f"  - {p['id']} ({p['name']}, {p['title']})" for p in personas["removed"]]
    for change in personas["changed"]:
        lines.append(
            f"  {change['id']}: claims {len(change['added'])} added, {len(change['removed'])} "
            f"removed, {len(change['changed'])} changed (wording or supporting notes)"
        )
        lines += [f"    + {c['id']} {_quoted(c['text'])}" for c in change["added"]]
        lines += [f"    - {c['id']} {_quoted(c['text'])}" for c in change["removed"]]
        lines += [
            f"    ~ {c['id']} {_quoted(c['after'])} "
            f"(notes {len(c['notes_before'])} -> {len(c['notes_after'])})"
            for c in change["changed"]
        ]
    copy = diff["copy"]
    lines.append(
        f"copy: {len(copy['changed'])} changed, {copy['unchanged']} unchanged, "
        f"{len(copy['added'])} added, {len(copy['removed'])} removed"
    )
    lines += [f"  + {_where(c)}" for c in copy["added"]]
    lines += [f"  - {_where(c)}" for c in copy["removed"]]
    for change in copy["changed"]:
        lines.append(
            f"  {_where(change)}: +{change['lines_added']} -{change['lines_removed']} lines"
        )
        shown = change["diff"][:DIFF_LINES]
        lines += [f"    {line[:1]} {_quoted(line[1:], 120)[1:-1]}" for line in shown]
        if len(change["diff"]) > DIFF_LINES:
            lines.append(f"    ... {len(change['diff']) - DIFF_LINES} more (--format json)")
    return lines


@user_errors
def runs_diff(
    a: Annotated[str, typer.Argument(metavar="A", help="Earlier run id (or a unique prefix).")],
    b: Annotated[str, typer.Argument(metavar="B", help="Later run id (or a unique prefix).")],
    output_format: Annotated[
        DiffFormat, typer.Option("--format", help="text or json.")
    ] = DiffFormat.TEXT,
) -> None:
    """Compare two runs: personas and claims added or removed, copy changed per persona,
    channel and stage (with the changed lines), and the calls, tokens and cost of each.

    Example: personagen runs diff 20261201-0930 20261203-1015
    """
    from personagen.run.compare import diff_runs, load_run
    from personagen.store import open_store

    with open_store() as store:
        diff = diff_runs(load_run(store, a), load_run(store, b))
    if output_format is DiffFormat.JSON:
        echo(json.dumps(diff, indent=2, ensure_ascii=False))
        return
    for line in render_text(diff):
        echo(line)
