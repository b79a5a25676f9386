"""Shared model configuration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A model that rejects unknown fields, so a typo in a user file is an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
