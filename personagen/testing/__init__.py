"""Test helpers shipped with personagen: fake models and a loopback OpenAI-compatible stub."""

from personagen.testing.fake_model import FakeModel
from personagen.testing.schema_answers import answer_from_schema, request_schema
from personagen.testing.stub_server import StubServer, schema_only_script

__all__ = ["FakeModel", "StubServer", "answer_from_schema", "request_schema", "schema_only_script"]
