"""A CSV lint cannot read is one `error:` line naming the file and the line, exit 2."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import InputError
from personagen.lint import read_csv

runner = CliRunner()
HEADER = b"Persona,Variant,Primary text,Headline\r\n"


def lint_error(path: Path) -> str:
    """The one line `personagen lint` prints for an unreadable file (asserting exit 2)."""
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {path}"), lines[0]
    return lines[0]


# (file bytes, line the message must name)
UNTERMINATED = {
    "open quote in the last row": (HEADER + b'p,1,"Never closed\r\n', 2),
    "open quote with rows after it": (HEADER + b'p,1,ok,fine\r\np,2,"open,x\r\np,3,a,b\r\n', 3),
    "after a closed multi-line field": (
        HEADER + b'p,1,"two\r\nlines",h\r\np,2,a,"open\r\nmore\r\n',
        4,
    ),
    "after escaped quotes": (HEADER + b'p,1,"say ""hi""",h\np,2,"x""y,h\n', 3),
    "LF line endings": (b'a,b\n1,2\n3,"open\n4,5\n', 3),
    "CR line endings": (b'a,b\r1,2\r3,"open\r4,5\r', 3),
    "after a byte order mark": (b"\xef\xbb\xbf" + HEADER + b'p,1,"open', 2),
    "in the header": (b'a,"b\n1,2\n', 1),
    "second field of a row": (HEADER + b'p,"1,x,y\r\n', 2),
    "followed by more than a field can hold": (
        HEADER + b'p,1,ok,h\r\np,2,"open\r\n' + b"p,3,more text,h\r\n" * 20_000,
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(UNTERMINATED))
def test_an_unterminated_quote_names_the_line_it_opens_on(tmp_path: Path, case: str) -> None:
    data, line = UNTERMINATED[case]
    sheet = tmp_path / "meta.csv"
    sheet.write_bytes(data)
    message = lint_error(sheet)
    assert f": line {line}: a quoted field starts here and is never closed" in message


def test_python_csv_alone_would_accept_the_unterminated_quote(tmp_path: Path) -> None:
    # Why lint reads strictly: the lenient reader swallows the rest of the file into a cell.
    data = HEADER + b'p,1,"open\r\np,2,a,b\r\n'
    rows = list(csv.reader(data.decode().splitlines(keepends=True)))
    assert rows[-1][2].startswith("open")
    sheet = tmp_path / "meta.csv"
    sheet.write_bytes(data)
    with pytest.raises(InputError, match="line 2: a quoted field"):
        list(read_csv(sheet).records)


UNREADABLE = {
    "cp1252": (HEADER + b"p,1,Caf\xe9 cr\xe8me,h\r\n", "line 2: not valid UTF-8 (byte 0xe9)"),
    "NUL byte": (HEADER + b"p,1,a\x00b,h\r\n", "line 2: a NUL byte"),
    "UTF-16": ("a,b\n1,2\n".encode("utf-16"), "file is UTF-16"),
    "field over the csv limit": (
        HEADER + b"p,1," + b"x" * (csv.field_size_limit() + 1) + b",h\r\n",
        "line 2: a field is longer than",
    ),
    "text after a closing quote": (HEADER + b'p,1,"a"b,h\r\n', "line 2: malformed CSV"),
    "empty": (b"", "file is empty"),
    "blank lines only": (b"\r\n\r\n  \r\n", "file is empty"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_other_unreadable_csvs_are_one_line_each(tmp_path: Path, case: str) -> None:
    data, expected = UNREADABLE[case]
    sheet = tmp_path / "linkedin.csv"
    sheet.write_bytes(data)
    assert expected in lint_error(sheet)


def test_a_broken_csv_in_a_folder_stops_the_run_with_its_name(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "x.csv").write_bytes(b"Persona,Variant,Post text\r\np,1,fine\r\n")
    broken = exports / "meta.csv"
    broken.write_bytes(HEADER + b'p,1,"open\r\n')
    assert "line 2: a quoted field starts here" in lint_error(tmp_path)
    assert f"{broken}:" in lint_error(tmp_path)


def test_a_cell_keeps_its_carriage_return_and_blank_lines_are_no_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "meta.csv"
    sheet.write_bytes(HEADER + b'\r\np,1,"\rleading CR",h\r\n\r\np,2,b,c\r\n')
    table = read_csv(sheet)
    assert table.header == ["Persona", "Variant", "Primary text", "Headline"]
    assert list(table.records) == [["p", "1", "\rleading CR", "h"], ["p", "2", "b", "c"]]
