"""Token counts without a network: an estimate calibrated on OpenAI's o200k tokenizer.

tiktoken downloads its encoding files on first use, which a machine without network (or a
dry run) cannot do. Most English words are one o200k token; longer ones split into pieces
of about six characters; runs of punctuation merge about three characters a token. On the
example campaign's 26 requests this counts 1.6% over o200k on prompt text and 1.4% over
on JSON (schemas and answers); `bench/README.md` says how it was measured.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_PIECE = re.compile(r"[^\W_]+|[^\w\s]+|_+")
CHARS_PER_WORD_TOKEN = 6
CHARS_PER_PUNCTUATION_TOKEN = 3


def count_tokens(text: str) -> int:
    """Estimated o200k tokens of `text`."""
    total = 0
    # Each distinct piece is priced once: a prompt repeats its words and JSON punctuation.
    for piece, times in Counter(_PIECE.findall(text)).items():
        if piece[0].isalnum():
            total += times * max(1, round(len(piece) / CHARS_PER_WORD_TOKEN))
        else:
            total += times * math.ceil(len(piece) / CHARS_PER_PUNCTUATION_TOKEN)
    return total
