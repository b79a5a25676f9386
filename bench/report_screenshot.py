"""Render the example campaign's HTML report and screenshot it for the README.

    .venv/bin/python bench/report_screenshot.py            # writes docs/report.png
    .venv/bin/python bench/report_screenshot.py --out out/ # an existing output folder

Without --out, the example (examples/saas-retention) is generated offline from the
recorded cassettes: `personagen run` when its cassettes match, else `personagen personas`
then `personagen copy`. The report is rendered with the example brief and screenshotted by
headless Chromium (Debian package `chromium`), which loads nothing from the network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from personagen.testing.chromium import find_chromium, run_chromium

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "saas-retention"
CASSETTES = ROOT / "fixtures" / "cassettes" / "saas-retention"


def personagen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "personagen", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


def build_example(out: Path) -> None:
    """Generate the example's personas and copy into `out`, offline."""
    done = personagen("run", EXAMPLE / "campaign.yaml", "-o", out)
    if done.returncode == 0:
        return
    print("personagen run did not replay; using personas + copy instead", file=sys.stderr)
    shutil.rmtree(out, ignore_errors=True)
    steps = [
        (
            "personas",
            "--icp",
            EXAMPLE / "icp.yaml",
            "--notes",
            EXAMPLE / "notes",
            "--replay",
            CASSETTES,
            "-o",
            out,
        ),
        (
            "copy",
            "--personas",
            out,
            "--brief",
            EXAMPLE / "brief.yaml",
            "--replay",
            CASSETTES,
            "-o",
            out,
        ),
    ]
    for step in steps:
        done = personagen(*step)
        if done.returncode != 0:
            sys.exit(f"personagen {step[0]} failed:\n{done.stderr}")


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    """Screenshot a local HTML file with headless Chromium."""
    if find_chromium() is None:
        sys.exit("no chromium binary: apt-get install chromium")
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(page, f"--screenshot={png}", f"--window-size={width},{height}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="an existing output folder to render")
    parser.add_argument("--brief", type=Path, default=EXAMPLE / "brief.yaml")
    parser.add_argument("-o", "--png", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--html", type=Path, help="also keep the report HTML here")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=3400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="personagen-report-") as tmp:
        out = args.out or Path(tmp) / "out"
        if args.out is None:
            build_example(out)
        page = args.html or Path(tmp) / "report.html"
        done = personagen("report", out, "--brief", args.brief, "-o", page)
        if done.returncode != 0:
            sys.exit(f"personagen report failed:\n{done.stderr}")
        print(done.stdout.strip())
        screenshot(page, args.png, args.width, args.height)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
