"""Token counts without a network: an estimate calibrated on OpenAI's o200k tokenizer.

tiktoken downloads its encoding files on first use, which a machine without network (or a
dry run) cannot do. English prose averages about 4.2 characters per o200k token and JSON
about 3; counting words and punctuation separately follows both closely enough for budgets
and dry-run plans (see bench/README.md for the calibration).
"""

from __future__ import annotations

import re

# A word costs about one token per 4.2 characters (at least one); every other visible
# character (punctuation, braces, quotes) is about one token on its own, and runs of
# whitespace are mostly merged into the next token.
_PIECE = re.compile(r"[^\W_]+|[^\w\s]")
CHARS_PER_WORD_TOKEN = 4.2


def count_tokens(text: str) -> int:
    """Estimated o200k tokens of `text`."""
    total = 0
    for piece in _PIECE.findall(text):
        if piece[0].isalnum():
            total += max(1, round(len(piece) / CHARS_PER_WORD_TOKEN))
        else:
            total += 1
    return total
