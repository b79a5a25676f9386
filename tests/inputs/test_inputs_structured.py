from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from personagen.errors import InputError
from personagen.inputs import load_model
from personagen.inputs.structured import (
    MAX_MODEL_BYTES,
    parse_yaml_mapping,
    read_text,
)
from personagen.models.icp import ICP
from personagen.models.note import NoteMeta
from tests.helpers import TEST_DATA

FIXTURE = TEST_DATA / "inputs" / "icp.yaml"


def icp_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "mid-saas",
        "name": "Mid SaaS",
        "industries": ["SaaS"],
        "employees": {"min": 200, "max": 1000},
        "revenue": {"min": 20_000_000, "currency": "USD"},
        "geographies": ["US"],
        "technological_maturity": "high",
        "pain_points": ["Slow close"],
        "buying_process": {"cycle_length": "3 months", "stakeholders": ["CFO"]},
    }
    data.update(changes)
    return data


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_error(path: Path, what: str = "ICP") -> str:
    with pytest.raises(InputError) as info:
        load_model(path, ICP, what=what)
    message = str(info.value)
    assert "\n" not in message, "errors must be one line"
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


# --- happy paths ---------------------------------------------------------------


def test_loads_hand_written_yaml_fixture() -> None:
    icp = load_model(FIXTURE, ICP, what="ICP")
    assert icp.id == "mid-saas"
    assert icp.industries == ["SaaS", "Fintech"]
    assert icp.employees.min == 200 and icp.employees.max == 1000
    assert icp.revenue.currency == "EUR" and icp.revenue.max is None
    assert icp.tech_stack.required == ["NetSuite"]
    assert icp.buying_process.stakeholders == ["CFO", "Controller"]


@pytest.mark.parametrize("name", ["icp.yaml", "icp.yml", "ICP.YAML"])
def test_loads_yaml(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, yaml.safe_dump(icp_data()))
    icp = load_model(path, ICP)
    assert icp.name == "Mid SaaS"
    assert icp.technological_maturity == "high"


def test_loads_json(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.json", json.dumps(icp_data(name="From JSON")))
    icp = load_model(path, ICP)
    assert icp.name == "From JSON"
    assert icp.revenue.min == 20_000_000


def test_strips_bom_and_windows_line_endings(tmp_path: Path) -> None:
    text = yaml.safe_dump(icp_data(name="Bommed")).replace("\n", "\r\n")
    path = write(tmp_path, "icp.yaml", b"\xef\xbb\xbf" + text.encode())
    assert load_model(path, ICP).name == "Bommed"
    assert read_text(path, max_bytes=10_000) == text.replace("\r\n", "\n")


# --- reading the file ------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nope.yaml") == "no such file"


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "icp.yaml"
    folder.mkdir()
    assert load_error(folder) == "is a folder, expected a file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 does not stop reads, so fake the OS refusal.
    path = write(tmp_path, "icp.yaml", "id: x\n")
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    assert load_error(path) == "permission denied; cannot read the file"


def test_file_over_five_megabytes(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", b"#" * (MAX_MODEL_BYTES + 1))
    assert load_error(path) == ("file is too large (5,000,001 bytes; the limit is 5,000,000 bytes)")


def test_read_text_limit_is_the_callers(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "x" * 11)
    assert read_text(path, max_bytes=11) == "x" * 11
    with pytest.raises(InputError, match=r"a\.txt: file is too large \(11 bytes; the limit is 10"):
        read_text(path, max_bytes=10)


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", b"id: x\n\x00\x01\x02")
    assert load_error(path) == "looks like a binary file (it contains NUL bytes); expected text"


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "id: x\n".encode("utf-16"))
    assert load_error(path) == (
        "file is UTF-16; re-save it as UTF-8, e.g. `iconv -f utf-16 -t utf-8`"
    )


def test_not_utf8_gives_offset_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "id: x\nname: Caf\u00e9\n".encode("cp1252"))
    assert load_error(path) == (
        "not valid UTF-8 (byte 0xe9 at offset 15, line 2); "
        "re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`"
    )


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.toml", "id = 'x'\n")
    assert load_error(path) == "unsupported file type '.toml'; expected .yaml, .yml or .json"


# --- parsing ---------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "  \n\n", "# just a comment\n# another\n"])
def test_empty_yaml(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "icp.yaml", content)
    assert load_error(path) == (
        "file is empty or has only comments; expected a mapping of ICP fields"
    )


def test_empty_json(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.json", " \n")
    assert load_error(path) == "file is empty; expected a mapping of ICP fields"


def test_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "id: mid-saas\nname: [unclosed\nindustries: []\n")
    message = load_error(path)
    assert message.startswith("malformed YAML at line 3, column 11: ")
    assert "expected ',' or ']'" in message


def test_yaml_tab_indentation_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "employees:\n\tmin: 3\n")
    message = load_error(path)
    assert message.startswith("malformed YAML at line 2, column 1: found character")
    assert message.endswith("(YAML does not allow tabs for indentation)")


def test_malformed_json_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.json", '{\n  "id": "x",\n  "name": \n}\n')
    assert load_error(path) == "malformed JSON at line 4, column 1: Expecting value"


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("icp.yaml", "- id: a\n- id: b\n", "a list"),
        ("icp.yaml", "just some words\n", "text"),
        ("icp.json", "[1, 2]", "a list"),
        ("icp.json", "null", "null"),
        ("icp.json", "42", "a number"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, name: str, content: str, found: str) -> None:
    path = write(tmp_path, name, content)
    assert load_error(path) == f"expected a mapping of ICP fields, found {found}"


def test_mapping_message_without_what(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "- a\n")
    assert load_error(path, what="") == "expected a mapping of fields, found a list"


def test_non_text_field_names(tmp_path: Path) -> None:
    path = write(tmp_path, "icp.yaml", "id: x\n42: y\n")
    assert load_error(path) == "field names must be text, found 42"


# --- validation ------------------------------------------------------------------


def write_icp(tmp_path: Path, **changes: object) -> Path:
    data = icp_data(**changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    return write(tmp_path, "icp.yaml", yaml.safe_dump(data))


def test_wrong_type_names_dotted_path_and_value(tmp_path: Path) -> None:
    path = write_icp(tmp_path, employees={"min": "ten million"})
    assert load_error(path) == "employees.min: expected a number, got 'ten million'"


def test_counts_further_problems(tmp_path: Path) -> None:
    path = write_icp(tmp_path, employees={"min": "ten million"}, name=None, pain_points=[])
    assert load_error(path) == "missing required field 'name' (and 2 more problems)"


def test_one_more_problem_is_singular(tmp_path: Path) -> None:
    path = write_icp(tmp_path, name=None, geographies=None)
    assert load_error(path) == "missing required field 'name' (and 1 more problem)"


def test_missing_nested_field(tmp_path: Path) -> None:
    path = write_icp(tmp_path, buying_process={"stakeholders": ["CFO"]})
    assert load_error(path) == "buying_process: missing required field 'cycle_length'"


def test_unknown_field_suggests_closest_name(tmp_path: Path) -> None:
    data = icp_data()
    data["industy"] = data.pop("industries")
    path = write(tmp_path, "icp.yaml", yaml.safe_dump(data))
    # The misspelt key is reported before the "missing industries" it causes.
    assert load_error(path) == (
        "unknown field 'industy'; did you mean 'industries'? (and 1 more problem)"
    )


def test_unknown_nested_field_suggests_from_its_own_level(tmp_path: Path) -> None:
    path = write_icp(tmp_path, employees={"min": 1, "maxx": 5})
    assert load_error(path) == "employees: unknown field 'maxx'; did you mean 'max'?"


def test_unknown_field_without_close_match_lists_valid_names(tmp_path: Path) -> None:
    path = write_icp(tmp_path, tech_stack={"zzz": []})
    assert load_error(path) == (
        "tech_stack: unknown field 'zzz'; expected one of: required, nice_to_have"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"technological_maturity": "mid"},
            "technological_maturity: expected 'low', 'medium' or 'high', got 'mid'",
        ),
        ({"pain_points": []}, "pain_points: needs at least 1 item(s), got 0"),
        ({"industries": ["SaaS", 42]}, "industries[1]: expected text, got 42"),
        ({"industries": "SaaS"}, "industries: expected a list, got 'SaaS'"),
        ({"employees": {"min": -5}}, "employees.min: must be at least 0, got -5"),
        ({"employees": {"min": 10, "max": 5}}, "employees: min (10) is above max (5)"),
        ({"employees": 300}, "employees: expected a mapping of fields, got 300"),
        ({"name": None}, "missing required field 'name'"),
        ({"name": []}, "name: expected text, got a list"),
        (
            {"id": "Mid SaaS"},
            "id: 'Mid SaaS' is not a slug (lowercase letters, digits and '-'); use 'mid-saas'",
        ),
        ({"id": "日本"}, "id: '日本' is not a slug (lowercase letters, digits and '-')"),
        (
            {"revenue": {"min": 1, "currency": "usd"}},
            "revenue.currency: 'usd' does not match the required pattern ^[A-Z]{3}$; use 'USD'",
        ),
    ],
)
def test_validation_causes_in_plain_words(
    tmp_path: Path, changes: dict[str, object], expected: str
) -> None:
    path = write_icp(tmp_path, **changes)
    assert load_error(path) == expected


def test_empty_yaml_value_is_named(tmp_path: Path) -> None:
    text = yaml.safe_dump(icp_data()).replace("name: Mid SaaS", "name:")
    path = write(tmp_path, "icp.yaml", text)
    assert load_error(path) == "name: expected text, got an empty value"


# --- parse_yaml_mapping ----------------------------------------------------------


def test_parse_yaml_mapping_offsets_line_numbers() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml_mapping("role: CFO\ndate: [\n", "note.md (front matter)", first_line=2)
    assert str(info.value).startswith("note.md (front matter): malformed YAML at line 4, column 1")


def test_parse_yaml_mapping_empty_is_empty_mapping() -> None:
    assert parse_yaml_mapping("# nothing\n", "x") == {}
    assert parse_yaml_mapping("role: CFO", "x") == {"role": "CFO"}


def test_load_model_works_for_other_models(tmp_path: Path) -> None:
    path = write(tmp_path, "meta.yaml", "role: CFO\ndate: 2024-05-31\n")
    meta = load_model(path, NoteMeta)
    assert meta.role == "CFO"
    assert str(meta.date) == "2024-05-31"
