"""The HTML report in a real browser: headless Chromium renders it offline, without errors.

Skipped only when no Chromium binary exists; `.ci/run` installs Debian's `chromium`, so CI
runs it. The screenshot lands in tests/.artifacts/report.png for a person to look at.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.export.report import load_output
from personagen.testing.chromium import find_chromium, run_chromium
from tests.helpers import ROOT, TEST_DATA

DATA = TEST_DATA / "lint"
OUT = DATA / "out"
BRIEF = DATA / "brief.yaml"
ARTIFACTS = ROOT / "tests" / ".artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        find_chromium() is None, reason="no chromium binary (apt-get install chromium)"
    ),
]


def page_problems(stderr: str) -> list[str]:
    """Lines where the page logged to the console or threw, or a load failed."""
    return [
        line
        for line in stderr.splitlines()
        if ":CONSOLE" in line or "Uncaught" in line or "net::ERR_" in line
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", str(OUT), "--brief", str(BRIEF), "-o", str(page)])
    assert result.exit_code == 0, result.output
    return page


def test_the_report_renders_with_its_content_and_no_console_errors(rendered: Path) -> None:
    done = run_chromium(rendered, "--dump-dom")
    dom = done.stdout
    personas = load_output(OUT)[0]
    for persona in personas:
        assert persona.name in dom
        assert f'id="persona-{persona.id}"' in dom
    for preview in ("google-ad", "linkedin-post", "meta-post", "x-post", "email-open"):
        assert f'class="preview {preview}"' in dom
    assert len(re.findall(r'<span class="count (?:ok|warn|over)"[^>]*>\d+/\d+', dom)) > 20
    assert "<script" not in dom.lower()
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*https?:""", dom, re.IGNORECASE)
    assert page_problems(done.stderr) == []


def test_the_console_scan_catches_a_page_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<p>x</p><script>console.error('boom'); missing();</script>")
    done = run_chromium(bad, "--dump-dom")
    problems = page_problems(done.stderr)
    assert any("boom" in line for line in problems)
    assert any("Uncaught" in line for line in problems)


def test_a_screenshot_of_the_report(rendered: Path) -> None:
    png = ARTIFACTS / "report.png"
    ARTIFACTS.mkdir(exist_ok=True)
    png.unlink(missing_ok=True)
    done = run_chromium(rendered, f"--screenshot={png}", "--window-size=1280,2000")
    assert page_problems(done.stderr) == []
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 100_000  # a rendered page, not a blank one
