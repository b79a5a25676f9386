"""The door: the only package that talks to a model.

Everything outside `personagen.llm` uses these names; nothing else imports openai,
instructor or httpx2.
"""

from personagen.llm.batch_api import ENDPOINT as BATCH_ENDPOINT
from personagen.llm.batch_api import BatchAPI
from personagen.llm.door import Door, Generated, PreparedCall, Upstream
from personagen.llm.exchange import usage_of
from personagen.llm.meter import Usage
from personagen.llm.pricing import Price, price_for
from personagen.llm.prompts import prompt_version, render
from personagen.llm.tokens import count_tokens
from personagen.llm.upstream import InProcessModel
from personagen.settings import PROVIDER_ENV_VARS, Settings

__all__ = [
    "BATCH_ENDPOINT",
    "PROVIDER_ENV_VARS",
    "BatchAPI",
    "Door",
    "Generated",
    "InProcessModel",
    "PreparedCall",
    "Price",
    "Settings",
    "Upstream",
    "Usage",
    "count_tokens",
    "price_for",
    "prompt_version",
    "render",
    "usage_of",
]
