"""Lint reads a well-formed copy JSON itself and anything else through the input readers:
either way the artifact, or the one-line error, is the one `inputs.load_model` gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from personagen.errors import InputError
from personagen.inputs import load_model
from personagen.lint import files as lint_files
from personagen.lint import load_artifact
from personagen.models.artifacts import CopyArtifact
from tests.helpers import TEST_DATA

SOURCE = TEST_DATA / "lint" / "out" / "copy" / "chief-financial-officer" / "x.json"


def _variants(tmp_path: Path) -> dict[str, bytes]:
    raw = SOURCE.read_bytes()
    data = json.loads(raw)
    padded = dict(data, persona_name="  Fran  ", channel=" x ")  # str fields are stripped
    big = dict(data, footer="f" * 1_100_000)  # past the quick read, within the readers' limit
    return {
        "as written": raw,
        "byte order mark": b"\xef\xbb\xbf" + raw,
        "CR LF": raw.replace(b"\n", b"\r\n"),
        "padded fields": json.dumps(padded).encode(),
        "large": json.dumps(big).encode(),
        "malformed": raw[:-20],
        "empty": b"",
        "a list": b"[1, 2]",
        "UTF-16": "\ufeff".encode("utf-16-le") + raw.decode().encode("utf-16-le"),
        "NUL byte": raw.replace(b'"x"', b'"x\x00"', 1),
        "not UTF-8": raw.replace(b"Paula", b"Pa\xe9la", 1),
        "missing field": json.dumps({k: v for k, v in data.items() if k != "draft"}).encode(),
        "unknown field": json.dumps(dict(data, extra=1)).encode(),
        "bad language": json.dumps(dict(data, language="klingon!")).encode(),
        "bad date": json.dumps(dict(data, provenance={"model": "m", "created": "x"})).encode(),
    }


def _outcome(read: Callable[[Path], object], path: Path) -> CopyArtifact | str:
    try:
        artifact = read(path)
    except InputError as error:
        return f"error: {error}"
    assert isinstance(artifact, CopyArtifact)
    return artifact


@pytest.mark.parametrize("case", sorted(_variants(Path()).keys()))
def test_lint_reads_a_copy_json_as_the_input_readers_do(tmp_path: Path, case: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(_variants(tmp_path)[case])
    expected = _outcome(lambda p: load_model(p, CopyArtifact, what="copy artifact"), path)
    assert _outcome(load_artifact, path) == expected


def test_only_well_formed_files_skip_the_input_readers(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    for case, content in _variants(tmp_path).items():
        path.write_bytes(content)
        quick = lint_files._well_formed(path)
        if case in ("as written", "CR LF", "padded fields"):
            assert quick == load_model(path, CopyArtifact), case
        else:
            assert quick is None, case
