"""An in-process fake model for tests and notebooks: no server, no socket.

`FakeModel` answers each request with the next queued answer, or else, like a
constrained decoder, with random data drawn only from what the request's JSON schema
allows (seeded). It keeps every request body in `history`. Pass it as `model=` to the
library functions (`personagen.build_personas`, `write_copy`, `run_campaign`) or as
`upstream=` to `personagen.llm.Door`: cache, replay, budget and metering all run as with
a real server.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from personagen.llm import InProcessModel
from personagen.testing.schema_answers import answer_from_schema, request_schema
from personagen.testing.stub_server import completion, schema_only_usage, tool_name


class FakeModel(InProcessModel):
    """Queued answers first, then schema-only random answers; every request in `history`."""

    def __init__(self, *answers: dict[str, Any], seed: int = 0) -> None:
        super().__init__(self._reply)
        self.queue: deque[dict[str, Any]] = deque(answers)
        self.history: list[dict[str, Any]] = []
        self._rng = random.Random(seed)

    def enqueue(self, *answers: dict[str, Any]) -> None:
        """Answer the next requests with these objects (tool-call arguments), in order."""
        self.queue.extend(answers)

    def tools(self) -> list[str]:
        """The response model each request asked for, in order (e.g. 'XPostDraft')."""
        return [tool_name(body) for body in self.history]

    def _reply(self, body: dict[str, Any]) -> dict[str, Any]:
        self.history.append(body)
        if self.queue:
            answer = self.queue.popleft()
        else:
            answer = answer_from_schema(request_schema(body), self._rng)
        mode = "tools" if body.get("tools") else "json"
        reply = completion(
            answer, mode=mode, name=tool_name(body), usage=schema_only_usage(body, answer)
        )
        assert isinstance(reply.body, dict)
        return reply.body
