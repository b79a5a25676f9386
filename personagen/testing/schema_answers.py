"""Random answers that obey a JSON schema and nothing else, like a constrained decoder.

Constrained decoders (strict structured outputs, llama.cpp / vLLM / Ollama grammars) emit
JSON the request's schema allows and may ignore everything said only in prose. This module
plays such a model: `answer_from_schema` draws a random instance from the schema alone.
It honours type, $ref ($defs, definitions), anyOf/oneOf/allOf, enum, const, properties,
required, items, minItems, maxItems, uniqueItems, minLength, maxLength, pattern (checked
with `re.fullmatch`), minimum, maximum and the exclusive bounds; other keywords are ignored.

Text is made of lowercase words from a neutral vocabulary with no digits, number words,
durations, currencies, customer trigger phrases or placeholder characters, so the claims
guard and the token check find nothing in it.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import re
from collections.abc import Mapping
from typing import Any

_VOCABULARY = """
a about above access account accurate action active activity actual adjust admin advice advisor
after agenda agency agile agree aim align allocate analyst analysis and answer approach approval
approve approver archive area arrange aspect assess asset assign audit automate automatic available
aware balance baseline basic batch before behind benefit better board bold brief bright broad
budget build builder business busy calendar calm campaign capable capture card careful catalog
category central change channel chart check checklist choice clarify clarity classic clean clear
close coach code colleague collect combine comment common compare complete compliance component
concise confirm connect consistent consultant context continue contract control coordinate copy
core correct cost course cover create credit critical curious current cycle dashboard data database
deal decide decision deep default define deliver demand deploy describe design designer desk detail
develop digital direct director discover discuss document domain draft drive early easy edit editor
effort email engineer enough entry estimate evaluate event exact example expand expense expert
explain explore export external fair feature feedback field file filter final finish firm fix flag
flexible flow focus folder follow form formal forecast format forward framework fresh friendly full
function gather general gentle goal good grant graph green group grow growth guide habit handbook
handle handoff healthy heavy hidden high highlight honest idea identify impact import improve inbox
index informal initial input insight inspect instant integration interface internal invest invoice
issue item keen key label large launch layout lead leader lean learn ledger lesson level light
limit line link list listen local log logic long loop low main maintain make manage manager manual
map margin market match measure meeting member memo mentor merge message method metric milestone
mobile model modern modest module monitor move narrative narrow neat network new next note notice
notify object observe offer office open operator option order organise outcome outline output
overview owner pace panel partner passive path patient pattern pause peer perform permission person
pilot plain plan planner platform playbook point policy polite portal practical practice precise
prepare present previous primary priority private problem process produce product profile progress
project prompt proof proposal public publish purpose quick quiet raise rank rapid rate reach ready
real record reduce refine region regular release reliable remind remote remove renew repair replace
reply report request require research resolve resource respond result resume review revise rhythm
right risk roadmap role rollout room rough route routine rule safe sample save scale scope screen
search section sector secure segment send senior server service session set shape share sharp shift
ship short sign signal simple simplify skill slot smart smooth solid solve sort sound source space
specialist split sponsor sprint stable staff stage standard start status steady step store story
strategy stream strong structure studio study style subject submit suggest summary supplier support
sure survey sync system table tactic target task teach team template territory test the theme
thorough thoughtful tidy ticket tight tool topic track trade train training trend trial true tune
update upgrade useful valid validate value vendor verify version view visible voice warm watch
weekly whole wide window work workflow workshop workspace writer yes zone daily lane sketch brisk
candid ample prime vivid agreed attach invite evolve orbit pivot relay tailor thread ripple anchor
bridge beacon an on in to of or up go do as so canvas compass harbor ladder lever mosaic prism
summit tandem vector venture wave
"""
WORDS: tuple[str, ...] = tuple(sorted(set(_VOCABULARY.split()), key=lambda w: (len(w), w)))
_LENGTHS = [len(word) for word in WORDS]

_LENGTH_PATTERN = re.compile(r"\^(?:\[\\s\\S\]|\.)(?:\{(\d*),(\d*)\}|\{(\d+)\}|([*+]))(\\\?)?\$")
_WORDS_PATTERN = re.compile(r"\\S\+.*\)\{(\d*)(?:,(\d*))?\}")
_CLASS_PATTERN = re.compile(r"\^\[([^\]^][^\]]*)\](?:\{(\d+)(?:,(\d*))?\}|([*+]))?\$")
_MAX_DEPTH = 8
Schema = Mapping[str, Any]


def request_schema(body: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON schema a chat-completion request asks for (tools or json_schema mode)."""
    tools = body.get("tools") or []
    if tools:
        parameters = tools[0].get("function", {}).get("parameters")
        if isinstance(parameters, Mapping):
            return dict(parameters)
        raise ValueError("tools[0].function.parameters is missing")
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if isinstance(schema, Mapping):
            return dict(schema)
    raise ValueError("the request asks for no JSON schema (neither tools nor json_schema)")


def answer_from_schema(schema: Mapping[str, Any], rng: random.Random) -> Any:
    """A random instance that satisfies `schema` (the JSON Schema subset the module names)."""
    return _answer(schema, schema, rng, 0)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow `$ref` and single-element `allOf`, keeping sibling keywords."""
    for _ in range(32):
        if "$ref" in schema:
            ref = str(schema["$ref"])
            if not ref.startswith("#"):
                raise ValueError(f"cannot resolve $ref {ref!r}")
            target: Any = root
            for part in ref[1:].split("/")[1:]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            merged = dict(target)
            merged.update({k: v for k, v in schema.items() if k != "$ref"})
            schema = merged
        elif isinstance(schema.get("allOf"), list) and schema["allOf"]:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged.update(_resolve(part, root))
            schema = merged
        else:
            return schema
    raise ValueError("$ref chain too deep")


def _answer(schema: Schema, root: Schema, rng: random.Random, depth: int) -> Any:
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            if depth >= _MAX_DEPTH:  # keep recursive schemas finite: prefer a null branch
                nulls = [b for b in branches if _resolve(b, root).get("type") == "null"]
                branches = nulls or branches
            rest = {k: v for k, v in schema.items() if k != key}
            return _answer({**rest, **_resolve(rng.choice(branches), root)}, root, rng, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = rng.choice(kind) if kind else None
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        return _object(schema, root, rng, depth)
    if kind == "array":
        return _array(schema, root, rng, depth)
    if kind == "integer":
        return _integer(schema, rng)
    if kind == "number":
        return _number(schema, rng)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


def _object(schema: Schema, root: Schema, rng: random.Random, depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    answer: dict[str, Any] = {}
    for name, sub in properties.items():
        if name in required or (depth < _MAX_DEPTH and rng.random() < 0.5):
            answer[name] = _answer(sub, root, rng, depth + 1)
    return answer


def _array(schema: Schema, root: Schema, rng: random.Random, depth: int) -> list[Any]:
    low = int(schema.get("minItems") or 0)
    high = schema.get("maxItems")
    high = int(high) if high is not None else low + (3 if depth < _MAX_DEPTH else 0)
    count = rng.randint(low, max(low, high))
    prefix = schema.get("prefixItems") or (
        schema["items"] if isinstance(schema.get("items"), list) else []
    )
    items = schema.get("items")
    item_schema = _resolve(items if isinstance(items, Mapping) else {}, root)
    unique = bool(schema.get("uniqueItems"))
    if unique and "const" in item_schema:
        count = min(count, 1)
    elif unique and isinstance(item_schema.get("enum"), list):
        return rng.sample(list(item_schema["enum"]), min(count, len(item_schema["enum"])))
    answer: list[Any] = []
    seen: set[str] = set()
    for index in range(count):
        sub = prefix[index] if index < len(prefix) else item_schema
        for _ in range(50):
            value = _answer(sub, root, rng, depth + 1)
            key = json.dumps(value, sort_keys=True)
            if not unique or key not in seen:
                break
        else:
            break  # no more distinct values (a boolean, a tiny range)
        seen.add(key)
        answer.append(value)
    return answer


def _bounds(schema: Mapping[str, Any]) -> tuple[float | None, bool, float | None, bool]:
    """(low, low is exclusive, high, high is exclusive), draft 4 and later styles."""
    low, high = schema.get("minimum"), schema.get("maximum")
    low_x = high_x = False
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(ex_low, bool):
        low_x = ex_low
    elif isinstance(ex_low, int | float) and (low is None or ex_low >= low):
        low, low_x = ex_low, True
    if isinstance(ex_high, bool):
        high_x = ex_high
    elif isinstance(ex_high, int | float) and (high is None or ex_high <= high):
        high, high_x = ex_high, True
    return low, low_x, high, high_x


def _integer(schema: Mapping[str, Any], rng: random.Random) -> int:
    low, low_x, high, high_x = _bounds(schema)
    lo = None if low is None else (math.floor(low) + 1 if low_x else math.ceil(low))
    hi = None if high is None else (math.ceil(high) - 1 if high_x else math.floor(high))
    if lo is None:
        lo = 0 if hi is None else min(0, hi)
    if hi is None:
        hi = max(lo, 0) + 100
    if hi < lo:
        raise ValueError(f"no integer satisfies {dict(schema)!r}")
    return rng.randint(lo, hi)


def _number(schema: Mapping[str, Any], rng: random.Random) -> float:
    low, low_x, high, high_x = _bounds(schema)
    lo = float(low) if low is not None else (float(high) - 100 if high is not None else 0.0)
    hi = float(high) if high is not None else lo + 100
    for _ in range(20):
        value = round(rng.uniform(lo, hi), 2)
        if (value > lo or not low_x) and (value < hi or not high_x) and lo <= value <= hi:
            return value
    return (lo + hi) / 2


def _string(schema: Mapping[str, Any], rng: random.Random) -> str:
    min_len = int(schema.get("minLength") or 0)
    max_len = None if schema.get("maxLength") is None else int(schema["maxLength"])
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        return _matching(pattern, rng, min_len, max_len)
    return _text(rng, min_len, max_len)


def _text(
    rng: random.Random,
    min_len: int,
    max_len: int | None,
    *,
    min_words: int = 0,
    max_words: int | None = None,
    question: bool = False,
) -> str:
    """Random words, min_len..max_len code points, at most max_words words, maybe ending '?'."""
    suffix = "?" if question else ""
    lo = max(0, min_len - len(suffix))
    cap = 10**6 if max_words is None else max_words
    if max_len is None:
        limit = goal = max(lo, 120)
        count = min(cap, max(min_words, rng.randint(3, 20)))
    else:
        limit = max_len - len(suffix)
        if limit < lo or limit < 0:
            raise ValueError(f"no text fits minLength {min_len} and maxLength {max_len}")
        goal = rng.randint(lo, max(lo, min(limit, 120)))
        count = cap
    if limit < _LENGTHS[0]:
        return "".join(rng.choice(WORDS[-1]) for _ in range(limit)) + suffix
    parts: list[str] = []
    size = 0
    while True:
        needed = size < lo or len(parts) < min_words
        if not needed and (len(parts) >= count or size >= goal or len(parts) >= cap):
            break
        glue = len(parts) >= cap
        if glue and not parts:
            raise ValueError(f"no text of at most {max_words} words reaches {min_len} characters")
        sep = 1 if parts else 0
        room = (limit if needed else goal) - size - sep
        word = _pick(rng, room, size + sep, lo if needed else 0, limit)
        if word is None:
            break
        if glue:
            parts[-1] += "-" + word
        else:
            parts.append(word)
        size += sep + len(word)
    return " ".join(parts) + suffix


def _pick(rng: random.Random, room: int, base: int, lo: int, limit: int) -> str | None:
    """A word of at most `room` letters that leaves the text at `lo` or 2+ short of `limit`."""

    def ok(size: int) -> bool:
        return size >= lo or limit - size >= 2

    fitting = WORDS[: bisect.bisect_right(_LENGTHS, room)]
    if not fitting:
        return None
    for _ in range(20):
        word = rng.choice(fitting)
        if ok(base + len(word)):
            return word
    good = [w for w in fitting if ok(base + len(w))]
    return rng.choice(good) if good else None


def _hints(pattern: str) -> dict[str, Any]:
    """What a recognised pattern asks for: lengths, word counts, a trailing question mark."""
    hints: dict[str, Any] = {"question": pattern.endswith(r"\?$")}
    length = _LENGTH_PATTERN.fullmatch(pattern)
    if length:
        low, high, exact, star = length.group(1, 2, 3, 4)
        extra = 1 if length.group(5) else 0
        if exact:
            hints["min_len"] = hints["max_len"] = int(exact) + extra
        elif star:
            hints["min_len"] = (1 if star == "+" else 0) + extra
        else:
            hints["min_len"] = int(low or 0) + extra
            if high:
                hints["max_len"] = int(high) + extra
    words = _WORDS_PATTERN.search(pattern)
    if words:
        low_words, high_words = words.group(1), words.group(2)
        hints["min_words"] = int(low_words or 0)
        if high_words is None:
            hints["max_words"] = int(low_words or 0)
        elif high_words:
            hints["max_words"] = int(high_words)
    return hints


def _class_text(pattern: str, rng: random.Random, min_len: int, max_len: int | None) -> str | None:
    """Text for a single character class pattern such as '^[A-Z]{3}$', or None."""
    match = _CLASS_PATTERN.fullmatch(pattern)
    if not match:
        return None
    body, low, high, star = match.group(1, 2, 3, 4)
    chars = {chr(c) for a, b in re.findall(r"(\w)-(\w)", body) for c in range(ord(a), ord(b) + 1)}
    chars |= set(re.sub(r"\w-\w|\\.", "", body))
    letters = sorted(c for c in chars if c.isalpha()) or sorted(chars)
    if not letters:
        return None
    if star:
        lo, hi = (0 if star == "*" else 1), 12
    elif low is None:
        lo = hi = 1
    else:
        lo = int(low)
        hi = lo if high is None else int(high) if high else lo + 12
    lo, hi = max(lo, min_len), min(hi, max_len if max_len is not None else hi)
    if hi < lo:
        return None
    size = rng.randint(lo, hi)
    upper = all(c.isupper() for c in letters)
    source = "".join(rng.choice(WORDS) for _ in range(size + 1))
    source = source.upper() if upper else source
    picked = [c if c in chars else rng.choice(letters) for c in source[:size]]
    return "".join(picked)


def _matching(pattern: str, rng: random.Random, min_len: int, max_len: int | None) -> str:
    """Random text that satisfies the length limits and `re.fullmatch`es `pattern`."""
    compiled = re.compile(pattern)
    hints = _hints(pattern)
    lo: int = max(min_len, hints.get("min_len", 0))
    caps = [c for c in (max_len, hints.get("max_len")) if c is not None]
    hi = min(caps) if caps else None

    def fits(text: str) -> bool:
        return lo <= len(text) <= (hi if hi is not None else len(text))

    for attempt in range(50):
        style = attempt % 5
        if style == 0:
            words = hints.get("max_words")
            if attempt >= 10 and words is None:
                words = rng.randint(1, 3)  # shorter texts, for limits the hints missed
            text = _text(
                rng,
                lo,
                hi,
                min_words=hints.get("min_words", 0),
                max_words=words,
                question=hints["question"] or attempt % 10 == 5,
            )
        elif style == 1:
            text = _class_text(pattern, rng, lo, hi) or ""
        else:
            count = rng.randint(1, 4)
            joined = ("-", "", "_")[style - 2].join(rng.choice(WORDS) for _ in range(count))
            text = joined if attempt % 2 else joined.upper()
            if hi is not None:
                text = text[:hi]
        if fits(text) and compiled.fullmatch(text):
            return text
    raise ValueError(f"cannot produce a string matching pattern '{pattern}'")
