"""Command-line interface: a thin shell over the library."""

from __future__ import annotations

from personagen.cli.app import app


def main() -> None:
    """Entry point of the `personagen` command."""
    app()


__all__ = ["app", "main"]
