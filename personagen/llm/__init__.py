"""The door: the only package that talks to a model.

Everything outside `personagen.llm` uses these names; nothing else imports openai,
instructor or httpx2.
"""

from personagen.llm.door import Door, Generated, PreparedCall
from personagen.llm.meter import Usage
from personagen.llm.pricing import Price, price_for
from personagen.llm.settings import Settings, resolve_settings
from personagen.llm.tokens import count_tokens

__all__ = [
    "Door",
    "Generated",
    "PreparedCall",
    "Price",
    "Settings",
    "Usage",
    "count_tokens",
    "price_for",
    "resolve_settings",
]
