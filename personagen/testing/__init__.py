"""Test helpers shipped with the package: a loopback OpenAI-compatible stub server."""
