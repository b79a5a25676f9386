"""OpenAI's Batch API through the door's transport: upload, create, poll, download.

A thin helper over the door's own client, so every call passes the same transport
(metered, refused in replay) and errors become one readable ProviderError. What to send
(the prepared calls' bodies) and what the answers mean stay with the caller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from personagen.errors import ProviderError, SettingsError
from personagen.llm.door import Door

ENDPOINT = "/v1/chat/completions"


class BatchAPI:
    """The Batch API of the door's server."""

    def __init__(self, door: Door) -> None:
        if not door.settings.spec.batch_api:
            raise SettingsError(
                f"provider '{door.settings.provider}' has no Batch API; run without --batch-api"
            )
        self._door = door
        self._client = door.openai_client()

    @asynccontextmanager
    async def _errors(self) -> AsyncIterator[None]:
        import openai

        try:
            yield
        except openai.APIStatusError as error:
            message = getattr(error, "message", "") or str(error)
            raise ProviderError(
                f"the Batch API at {self._door.base_url} answered "
                f"{error.status_code}: {message.splitlines()[0] if message else ''}"
            ) from None
        except openai.APIConnectionError:
            raise ProviderError(f"cannot reach the Batch API at {self._door.base_url}") from None

    async def submit(self, name: str, jsonl: bytes, metadata: dict[str, str]) -> Any:
        """Upload the request lines and create a batch over them (24 h window)."""
        async with self._errors():
            uploaded = await self._client.files.create(
                file=(f"personagen-{name}.jsonl", jsonl, "application/jsonl"), purpose="batch"
            )
            return await self._client.batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata=metadata,
            )

    async def retrieve(self, batch_id: str) -> Any | None:
        """A batch by id, or None when the server no longer knows it."""
        import openai

        async with self._errors():
            try:
                return await self._client.batches.retrieve(batch_id)
            except openai.NotFoundError:
                return None

    async def records(self, file_id: str | None) -> list[dict[str, Any]]:
        """The JSON lines of a batch's output or error file (none without a file)."""
        if not file_id:
            return []
        async with self._errors():
            content = await self._client.files.content(file_id)
            text = (await content.aread()).decode("utf-8")
        records: list[dict[str, Any]] = []
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records
