"""Channel limits: lengths, item counts, uniqueness and field dependencies, from the registry.

Hard limits give 'error' findings (the copy is invalid); recommended limits give 'warning'
findings. Messages name the field, its length and the limit, so a model re-ask or a lint
report says exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from personagen.channels import URL, Channel, FieldLimit, get_channel, measure
from personagen.checks.findings import Finding
from personagen.counting import counting_note


def _amount(n: int, unit: str) -> str:
    return f"{n:,} {unit[:-1] if n == 1 else unit}"


def _limit(n: int, limit: FieldLimit) -> str:
    # Characters are the default unit, so the message stays short: "may have at most 30".
    return f"{n:,}" if limit.unit == "characters" else _amount(n, limit.unit)


def _path(prefix: str, field: str, index: int | None) -> str:
    return f"{prefix}{field}" if index is None else f"{prefix}{field}[{index}]"


def _length_findings(
    channel: Channel, limit: FieldLimit, text: str, index: int | None, prefix: str
) -> list[Finding]:
    n = measure(text, limit)
    where = limit.label if index is None else f"{limit.label} {index}"
    size = _amount(n, limit.unit)
    if limit.counts_links_as is not None and URL.search(text):
        size += f" (each link counts as {limit.counts_links_as})"
    weighted = counting_note(limit.counting)
    if weighted and limit.unit == "characters" and n > len(text):
        size += f" ({weighted[0].lower()}{weighted[1:].rstrip('.')})"
    path = _path(prefix, limit.name, index)
    findings: list[Finding] = []
    if limit.hard_max is not None and n > limit.hard_max:
        findings.append(
            Finding(
                rule="length-hard-max",
                severity="error",
                field=path,
                message=f"{where} is {size}; {channel.name} {limit.plural} may have at most "
                f"{_limit(limit.hard_max, limit)}",
                fix=f"cut at least {_amount(n - limit.hard_max, limit.unit)}",
            )
        )
    if limit.hard_min is not None and n < limit.hard_min:
        findings.append(
            Finding(
                rule="length-hard-min",
                severity="error",
                field=path,
                message=f"{where} is {size}; {channel.name} {limit.plural} need at least "
                f"{_limit(limit.hard_min, limit)}",
                fix=f"write at least {_amount(limit.hard_min - n, limit.unit)} more",
            )
        )
    if findings or limit.recommended is None:
        return findings
    advice = limit.recommended
    if advice.max is not None and n > advice.max:
        findings.append(
            Finding(
                rule="length-recommended-max",
                severity="warning",
                field=path,
                message=f"{where} is {size}, over the {_limit(advice.max, limit)} "
                f"{channel.name} recommends for {limit.plural}",
                fix=f"shorten it to {_amount(advice.max, limit.unit)} or fewer: {advice.why}",
            )
        )
    if advice.min is not None and n < advice.min:
        findings.append(
            Finding(
                rule="length-recommended-min",
                severity="warning",
                field=path,
                message=f"{where} is {size}, under the {_limit(advice.min, limit)} "
                f"{channel.name} recommends for {limit.plural}",
                fix=f"lengthen it to at least {_amount(advice.min, limit.unit)}: {advice.why}",
            )
        )
    return findings


def check_length(
    channel_id: str, field: str, text: str, index: int | None = None, prefix: str = ""
) -> list[Finding]:
    """Check one text against its field's hard and recommended length limits.

    `index` is the text's 1-based position in a list field (e.g. headline 2); `prefix` is
    prepended to the finding's field path (e.g. 'variants[1].').
    """
    channel = get_channel(channel_id)
    return _length_findings(channel, channel.field(field), text, index, prefix)


def _same(text: str) -> str:
    return " ".join(text.casefold().split())


def check_items(
    channel_id: str, field: str, items: Sequence[str], prefix: str = ""
) -> list[Finding]:
    """Check a list field: how many entries, each entry's length, and repeated entries."""
    channel = get_channel(channel_id)
    limit = channel.field(field)
    findings: list[Finding] = []
    count = limit.items
    if count is not None and (len(items) < count.min or (count.max and len(items) > count.max)):
        wanted = f"{count.min} to {count.max}" if count.max else f"at least {count.min}"
        findings.append(
            Finding(
                rule="item-count",
                severity="error",
                field=f"{prefix}{field}",
                message=f"{len(items)} given; {channel.name} needs {wanted} {limit.plural}",
                fix=f"write {wanted} {limit.plural}",
            )
        )
    for index, text in enumerate(items, start=1):
        findings += _length_findings(channel, limit, text, index, prefix)
    if limit.unique:
        first_seen: dict[str, int] = {}
        for index, text in enumerate(items, start=1):
            earlier = first_seen.setdefault(_same(text), index)
            if earlier != index:
                findings.append(
                    Finding(
                        rule="duplicate-item",
                        severity="error",
                        field=_path(prefix, field, index),
                        message=f"{limit.label} {index} repeats {limit.label} {earlier} "
                        f"({text!r}); {channel.name} {limit.plural} must be unique, "
                        "ignoring case",
                        fix=f"rewrite {limit.label} {index} with a different message",
                    )
                )
    return findings


def _is_set(value: object) -> bool:
    return value is not None and value != "" and value != []


def check_fields(channel_id: str, values: Mapping[str, object], prefix: str = "") -> list[Finding]:
    """Check every registry field present in `values` (a copy object as a dict).

    Strings get length checks, lists of strings get `check_items`, and a field that
    `requires` another is an error when set without it. Fields the registry does not
    know, and optional fields left empty, are not checked.
    """
    channel = get_channel(channel_id)
    findings: list[Finding] = []
    for limit in channel.fields:
        if limit.name not in values:
            continue
        value = values[limit.name]
        if isinstance(value, str):
            if value or limit.hard_min is not None:
                findings += _length_findings(channel, limit, value, None, prefix)
        elif isinstance(value, list | tuple):
            findings += check_items(channel_id, limit.name, [str(v) for v in value], prefix)
        required = limit.requires
        if required and _is_set(value) and not _is_set(values.get(required.field)):
            findings.append(
                Finding(
                    rule="requires-field",
                    severity="error",
                    field=f"{prefix}{limit.name}",
                    message=f"{limit.label} is set but {required.field} is empty; "
                    f"{channel.name} allows {limit.label} only with {required.field}",
                    fix=f"fill {required.field} or clear {limit.label}",
                )
            )
    return findings
