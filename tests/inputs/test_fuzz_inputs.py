"""Fuzzing the loaders: any input gives a valid object or an InputError, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personagen.errors import InputError
from personagen.inputs import load_model, load_notes
from personagen.models.icp import ICP
from personagen.models.note import Note
from tests.helpers import TEST_DATA

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return path


def one_line(message: str) -> bool:
    return "\n" not in message


def check_model(path: Path) -> None:
    try:
        icp = load_model(path, ICP)
    except InputError as error:
        assert str(error).startswith(str(path)) and one_line(str(error))
    else:
        assert isinstance(icp, ICP)


def check_notes(path: Path) -> None:
    heard: list[str] = []
    try:
        notes = load_notes([path], warn=heard.append)
    except InputError as error:
        assert str(error).startswith(str(path)) and one_line(str(error))
    else:
        assert [type(n) for n in notes] == [Note] and notes[0].text.strip()
        # Control characters never survive loading; dropping them is one warning line.
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", notes[0].text)
        assert all(line.startswith(str(path)) and one_line(line) for line in heard)


# Strategies --------------------------------------------------------------------------------

ICP_KEYS = [*ICP.model_fields, "industry", "min", "max", "currency", "required", "cycle_length"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["ten million", "medium", "USD", "eur", "3-6 months", "", "~", "null"]),
    st.dates().map(str),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(ICP_KEYS), st.text(max_size=8)), inner, max_size=6
        ),
    ),
    max_leaves=25,
)
VALID_ICP = (TEST_DATA / "inputs" / "icp.yaml").read_text()


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """YAML that is mostly well formed, then maybe cut, spliced or mangled."""
    flow = draw(st.booleans())
    base = draw(
        st.one_of(
            st.just(VALID_ICP),
            structures.map(lambda data: yaml.safe_dump(data, allow_unicode=True)),
            st.dictionaries(st.sampled_from(ICP_KEYS), structures, max_size=8).map(
                lambda data: yaml.safe_dump(data, default_flow_style=flow)
            ),
        )
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(base)))
        edit = draw(st.sampled_from(["cut", "insert", "delete"]))
        if edit == "cut":
            base = base[:at]
        elif edit == "insert":
            junk = draw(
                st.sampled_from([":", "-", "\t", "'", '"', "[", "{", "}", "&a", "*a", "\n  "])
            )
            base = base[:at] + junk + base[at:]
        else:
            base = base[:at] + base[at + draw(st.integers(1, 10)) :]
    return base


TIMING = st.sampled_from(
    [
        "00:00:01.000 --> 00:00:04.000",
        "00:01,000 --> 00:02,500",
        "1:02:03.4 --> 1:02:05.000 align:start",
        "00:00:01.000 -> 00:00:04.000",
        "00:00:xx --> 00:00:04",
        "-->",
        "12:34",
    ]
)
SPOKEN = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "<v Dana Cho>We close in two weeks.</v>",
            "Priya Shah: our forecast is a guess",
            "<v.loud>Hi</v> <i>there</i> &amp; &bogus; {\\an8}",
            "NOTE this is a comment",
            "WEBVTT",
            "STYLE",
            "<v",
            "::cue { color: red }",
        ]
    ),
)


@st.composite
def transcriptish(draw: st.DrawFn) -> str:
    blocks = []
    if draw(st.booleans()):
        blocks.append("WEBVTT" + draw(st.sampled_from(["", " - title", "\nKind: captions"])))
    for number in range(draw(st.integers(0, 6))):
        lines = []
        if draw(st.booleans()):
            lines.append(str(number + 1))
        if draw(st.integers(0, 9)):
            lines.append(draw(TIMING))
        lines += draw(st.lists(SPOKEN, max_size=3))
        blocks.append("\n".join(lines))
    separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n"]))
    return separator.join(blocks)


@st.composite
def markdown_note(draw: st.DrawFn) -> str:
    meta = draw(
        st.one_of(
            st.just("interviewee: Dana Cho\nrole: CFO\ndate: 2024-05-31\ntags: [a, b]"),
            st.dictionaries(
                st.sampled_from(["interviewee", "role", "company", "date", "tags", "tag"]),
                structures,
                max_size=5,
            ).map(yaml.safe_dump),
            yamlish(),
        )
    )
    opener = draw(st.sampled_from(["---\n", "---\r\n", "--- \n", "", "----\n"]))
    closer = draw(st.sampled_from(["\n---\n", "\n---", "\n", "\n...\n"]))
    body = draw(st.one_of(st.text(max_size=80), transcriptish()))
    return opener + meta + closer + body


# Tests -------------------------------------------------------------------------------------


@FUZZ
@given(text=st.text(max_size=300), suffix=st.sampled_from([".yaml", ".yml", ".json"]))
def test_model_loader_on_random_text(folder: Path, text: str, suffix: str) -> None:
    check_model(write(folder, "icp" + suffix, text))


@FUZZ
@given(text=yamlish())
def test_model_loader_on_yamlish_text(folder: Path, text: str) -> None:
    check_model(write(folder, "icp.yaml", text))


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_model_loader_on_random_bytes(folder: Path, data: bytes, suffix: str) -> None:
    check_model(write(folder, "icp" + suffix, data))


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".md", ".txt", ".vtt", ".srt"]))
def test_note_loader_on_random_bytes(folder: Path, data: bytes, suffix: str) -> None:
    check_notes(write(folder, "note" + suffix, data))


@FUZZ
@given(text=transcriptish(), suffix=st.sampled_from([".vtt", ".srt", ".txt"]))
def test_note_loader_on_transcriptish_text(folder: Path, text: str, suffix: str) -> None:
    check_notes(write(folder, "call-1" + suffix, text))


@FUZZ
@given(text=markdown_note())
def test_note_loader_on_markdown_with_front_matter(folder: Path, text: str) -> None:
    check_notes(write(folder, "n1.md", text))


def test_known_valid_inputs_still_load(folder: Path) -> None:
    check_model(write(folder, "icp.yaml", VALID_ICP))
    notes = load_notes([write(folder, "n1.md", "---\nrole: CFO\n---\nWe close late.")])
    assert notes[0].meta.role == "CFO"
