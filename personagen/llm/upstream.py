"""A model server inside this process: a function from request body to response body.

The door sends to it exactly as to a real server, so cache, replay, budget, retries and
metering all run; only the socket is missing. Tests, notebooks and benchmarks use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

Answer = Callable[[dict[str, Any]], dict[str, Any]]


class InProcessModel(httpx2.AsyncBaseTransport):
    """Answers every chat completion with `answer(request body)` (an OpenAI response body)."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Serve one request."""
        await request.aread()
        body = json.loads(request.content or b"{}")
        return httpx2.Response(200, json=self._answer(body), request=request)
