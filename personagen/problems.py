"""Why an answer was refused, as one readable sentence per problem.

Validation errors arrive as pydantic's dumps ('2 validation errors for LinkedInAdDraft |
variants.0.addresses | Value error, ...'); people and re-ask messages read better as
'variants[1].addresses: unknown persona item ids ...'. Validators join several problems of
one field with line breaks, so each becomes its own sentence.
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_FRIENDLY = {
    "missing": "is missing",
    "extra_forbidden": "is not a field of this answer",
    "json_invalid": "is not valid JSON",
}


def human_path(loc: tuple[int | str, ...]) -> str:
    """'variants.0.headlines' as people count: 'variants[1].headlines'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe_problems(exc: BaseException) -> list[str]:
    """One sentence per problem of a refused answer."""
    known = getattr(exc, "problems", None)
    if isinstance(known, list) and known:
        return [str(problem) for problem in known]
    if not isinstance(exc, ValidationError):
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return [lines[0][:400]] if lines else [type(exc).__name__]
    problems = [p for error in exc.errors(include_url=False) for p in describe_error(error)]
    return problems or [str(exc).splitlines()[0]]


def describe_error(error: ErrorDetails) -> list[str]:
    """The sentences of one pydantic error, each naming its field as people count."""
    loc = tuple(error["loc"])
    path = human_path(loc)
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in _FRIENDLY:
        detail = _FRIENDLY[kind]
        if kind == "json_invalid":
            detail += f" ({message.removeprefix('Invalid JSON: ')})"
        return [f"{path}: {detail}" if path else f"the answer {detail}"]
    field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    parent = human_path(loc[:-1]) if field else path
    sentences: list[str] = []
    for line in (line.strip() for line in message.splitlines()):
        if not line:
            continue
        if field and line.startswith((f"{field}[", f"{field}:", f"{field} ")):
            sentences.append(f"{parent}.{line}" if parent else line)
        elif path:
            sentences.append(f"{path}: {line}")
        else:
            sentences.append(line)
    return sentences
