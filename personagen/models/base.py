"""Shared model configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A model that rejects unknown fields, so a typo in a user file is an error."""

    # Validators are built on first use, not at import: a command that reads a few of the
    # models (lint, show) does not pay for building all of them.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
