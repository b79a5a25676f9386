"""Test isolation: a private PERSONAGEN_HOME, no provider environment, no real network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from personagen.settings import PROVIDER_ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "saas-retention"
LOOPBACK = ("127.0.0.1", "::1", "localhost")

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (
        host in LOOPBACK or host.startswith("127.") or host.startswith("/")
    ):
        return _real_connect(self, address)
    raise RuntimeError(f"tests may not reach the network (tried {address!r})")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point PERSONAGEN_HOME at a temp folder and block every non-loopback connection."""
    monkeypatch.setenv("PERSONAGEN_HOME", str(tmp_path / "home"))
    for var in (*PROVIDER_ENV_VARS, "PERSONAGEN_RAISE_ERRORS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield
