"""Providers whose API is not OpenAI's: one module each, named by `ProviderSpec.wire`.

The door always builds, keys, caches and records requests in OpenAI's chat-completions
form. A provider module turns that form into its own API's request on the way out, and
its answers (and errors and rate-limit headers) back into OpenAI's form on the way in,
as the upstream transport under the door's cache, replay, budget, limiter and retries.
A module exposes `upstream(settings, network) -> httpx2.AsyncBaseTransport`.
"""

from __future__ import annotations

import importlib

import httpx2

from personagen.settings import Settings


def provider_upstream(
    settings: Settings, network: httpx2.AsyncBaseTransport
) -> httpx2.AsyncBaseTransport:
    """What the door sends through: `network` itself, or the provider's translation over it."""
    wire = settings.spec.wire
    if wire == "openai":
        return network
    module = importlib.import_module(f"{__name__}.{wire}")
    transport: httpx2.AsyncBaseTransport = module.upstream(settings, network)
    return transport
