"""Shared test builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import yaml

from personagen.channels import Channel, Export, FieldLimit, HardLimit
from personagen.inputs.settings import resolve_settings
from personagen.llm import InProcessModel
from personagen.models.icp import ICP
from personagen.models.note import Note
from personagen.settings import Settings
from personagen.testing.stub_server import Script

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "examples" / "saas-retention"


def example_icp() -> ICP:
    return ICP.model_validate(yaml.safe_load((EXAMPLE / "icp.yaml").read_text()))


def note(note_id: str, text: str) -> Note:
    return Note(id=note_id, text=text, source_format="txt")


def stub_settings(base_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"base_url": base_url, "model": "gpt-4.1-mini"}
    values.update(extra)
    return resolve_settings(values)


def tiktok_channel() -> Channel:
    """A 'tiktok' ad channel for tests that register one at run time: one caption field,
    at most 100 characters, exported to a tiktok.csv review sheet."""
    return Channel(
        id="tiktok",
        name="TikTok",
        title="TikTok ads",
        kind="ad",
        shape="variants",
        task="ads",
        output_tokens=300,
        source="a test",
        fields=(
            FieldLimit(
                name="caption",
                label="caption",
                plural="captions",
                hard=HardLimit(source="a test", why="a test", max=100),
                csv_aliases=("caption",),
            ),
        ),
        reading=("caption",),
        export=Export(file="tiktok.csv", columns=(("caption", "Caption", "Caption chars"),)),
    )


# A model server address the in-process models stand in for; nothing is ever sent there.
FAKE_URL = "http://fake.invalid/v1"  # never dialled: the model answers in process


class ScriptedModel(InProcessModel):
    """A `StubServer` script answered in process, recording what the stub records.

    `requests` (decoded bodies), `raw_requests` ((method, path, bytes, headers) as sent)
    and the usage totals of the replies have the stub's shape; the script gets the same
    body and sequence number. Only 200 replies with a JSON body can be served this way.
    """

    def __init__(self, script: Script) -> None:
        super().__init__(self._answer)
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.raw_requests: list[tuple[str, str, bytes, dict[str, str]]] = []
        self.prompt_tokens_total = 0
        self.completion_tokens_total = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        raw = await request.aread()
        self.raw_requests.append((request.method, request.url.path, raw, dict(request.headers)))
        return await super().handle_async_request(request)

    def _answer(self, body: dict[str, Any]) -> dict[str, Any]:
        number = len(self.requests)
        self.requests.append(body)
        reply = self.script(body, number)
        assert reply.status == 200 and isinstance(reply.body, dict), reply
        usage = reply.body.get("usage") or {}
        self.prompt_tokens_total += usage.get("prompt_tokens", 0)
        self.completion_tokens_total += usage.get("completion_tokens", 0)
        return reply.body
