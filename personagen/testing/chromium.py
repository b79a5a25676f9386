"""Headless Chromium for the report's browser check and its README screenshot.

The flags keep Chromium off the network entirely: nothing the page or the browser asks for
can leave the machine, and a fresh profile is used every time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--enable-logging=stderr",
    "--v=0",
)


def find_chromium() -> str | None:
    """The first Chromium-like binary on PATH, or None."""
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def run_chromium(page: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Open a local HTML file in headless Chromium with a fresh profile; raise on failure."""
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium binary: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="personagen-chromium-") as profile:
        return subprocess.run(
            [binary, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
