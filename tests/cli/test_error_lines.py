"""Error lines echo user data: they reach the terminal without its escape sequences."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app

runner = CliRunner()

HOSTILE = [
    "\x1b[2J",  # clear screen
    "\x1b]0;pwned\x07",  # window title
    "\x1b]8;;http://e.vil\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 link
    "\x9b31m",  # C1 CSI
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_an_error_naming_a_hostile_path_prints_no_escape_sequence(
    payload: str, tmp_path: Path
) -> None:
    missing = tmp_path / f"icp{payload}.yaml"
    result = runner.invoke(
        app, ["personas", "--icp", str(missing), "--notes", str(tmp_path), "-o", "out"]
    )
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "\x1b" not in result.output
    assert "\x9b" not in result.output
    assert "\x07" not in result.output
