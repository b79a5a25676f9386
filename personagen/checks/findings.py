"""A problem a check found in a piece of copy, shared by validators, lint and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in one field of copy.

    `field` is a path to the text, positions counted from 1 as people count them, e.g.
    'variants[2].headlines[3]'; `message` says what is wrong with the exact numbers and
    `fix` says what to do about it.
    """

    rule: str
    severity: Severity
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.field}: {self.message} ({self.fix})"


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that must block the copy."""
    return [f for f in findings if f.severity == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    """The findings that are advice only."""
    return [f for f in findings if f.severity == "warning"]
