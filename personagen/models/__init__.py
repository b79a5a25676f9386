"""Pydantic domain models; their validators carry the rules."""
