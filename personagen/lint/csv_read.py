"""Reading a CSV export for lint: every way it can be unreadable is one line naming where.

A CSV lint cannot read as a whole (not UTF-8, a NUL byte, a quoted field never closed, a
field past the csv module's size limit) is an `InputError`, as an unreadable copy JSON is:
`personagen lint` then prints `error: <file>: line N: ...` and exits 2. The text is
decoded as it is, with no line-ending folding, so a cell that starts with a carriage
return reaches the formula rule as written.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from personagen.errors import InputError

# Large enough for 100,000 rows of any review sheet or Google Ads Editor file.
MAX_CSV_BYTES = 100_000_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
_QUOTE = re.compile('"')


@dataclass(frozen=True)
class CsvTable:
    """A CSV being read: its header, and its records (lists of cells; blank lines left
    out) read as they are iterated, so a large file is never all in memory. Iterating them
    raises InputError where the rest of the file is broken."""

    header: list[str]
    records: Iterator[list[str]]

    def rows(self) -> Iterator[dict[str, str]]:
        """The records as header -> cell mappings; cells past the header are left out."""
        return (dict(zip(self.header, record, strict=False)) for record in self.records)


def _line_of(text: str, offset: int) -> int:
    """The 1-based line of a character offset, counting CR LF, CR and LF as one break."""
    return len(_LINE_BREAK.findall(text, 0, offset)) + 1


def _read_bytes(path: Path) -> bytes:
    source = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(source, "is not a regular file")
        with path.open("rb") as handle:
            # One byte past the limit tells a file that grew since stat() from one that fits.
            data = handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied; cannot read the file") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the file ({exc.strerror or exc})") from None
    if len(data) > MAX_CSV_BYTES:
        raise InputError(
            source, f"file is too large (over {MAX_CSV_BYTES:,} bytes); split it into smaller CSVs"
        )
    return data


def _check_text(data: bytes, source: str) -> None:
    """InputError unless `data` is UTF-8 text (checked without keeping a decoded copy)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            source, "file is UTF-16; re-save it as UTF-8, e.g. `iconv -f utf-16 -t utf-8`"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = len(_LINE_BREAK_BYTES.findall(data, 0, nul)) + 1
        raise InputError(
            source, f"line {line}: a NUL byte (0x00); a CSV export is text, re-export the file"
        )
    if data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(_LINE_BREAK_BYTES.findall(data, 0, exc.start)) + 1
        raise InputError(
            source,
            f"line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-save the file "
            "as UTF-8, e.g. `iconv -f cp1252 -t utf-8`",
        ) from None


def _open_quote(text: str, start: int) -> int | None:
    """Where a quoted field opens that is never closed, scanning from a record's start to
    the end of the file; None when every quoted field closes.

    A quote opens a field only at the start of a field (after a comma, a line break or the
    record's start); inside a quoted field a quote closes it, unless the next character is
    a quote too ('""' is an escaped quote). Other quotes are text.
    """
    inside, opened, closed = False, start, -2
    for match in _QUOTE.finditer(text, start):
        at = match.start()
        if inside:
            inside, closed = False, at
        elif at == closed + 1:
            inside = True
        elif at == start or text[at - 1] in ",\r\n":
            inside, opened = True, at
    return opened if inside else None


def _record_start(text: str, lines_before: int) -> int:
    """The offset where line `lines_before + 1` starts."""
    if lines_before == 0:
        return 0
    for count, match in enumerate(_LINE_BREAK.finditer(text), start=1):
        if count == lines_before:
            return match.end()
    return len(text)


def _broken(text: str, source: str, exc: csv.Error, done: int, line: int) -> InputError:
    """One line for a csv.Error in the record after the first `done` lines; the reader
    stopped on line `line`."""
    reason = str(exc)
    opened = _open_quote(text, _record_start(text, done))
    # A quote never closed also shows as a field over the size limit when enough follows it.
    if opened is not None and ("unexpected end" in reason or "field larger" in reason):
        return InputError(
            source,
            f"line {_line_of(text, opened)}: a quoted field starts here and is never closed "
            '(unterminated quote); close it with " or remove the stray quote',
        )
    if "field larger than field limit" in reason:
        return InputError(
            source,
            f"line {done + 1}: a field is longer than {csv.field_size_limit():,} characters; "
            "no ad copy is that long, so this is not a CSV export (or a quote is misplaced)",
        )
    return InputError(source, f"line {line}: malformed CSV ({reason})")


def _records(data: bytes, source: str) -> Iterator[list[str]]:
    """The non-blank records of checked CSV bytes, read line by line."""
    # newline="": lines split at CR LF, CR and LF, and every character kept as written.
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    # strict: a quote left open at the end of the file is an error, not one huge last cell.
    reader = csv.reader(lines, strict=True)
    done = 0  # lines read by the records before the current one
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            text = data.decode("utf-8-sig")
            raise _broken(text, source, exc, done, reader.line_num) from None
        # Blank lines are no records (as csv.DictReader skips them).
        if record:
            yield record
        done = reader.line_num


def read_csv(path: Path) -> CsvTable:
    """Open a CSV export: InputError, with the line, for anything that is not a readable CSV
    (for a break after the header, while its records are read)."""
    source = str(path)
    data = _read_bytes(path)
    _check_text(data, source)
    records = _records(data, source)
    header = next(records, None)
    if header is None or not "".join(header).strip():
        raise InputError(source, "file is empty; expected a CSV with a header row")
    return CsvTable(header, records)
