"""Lint grows with the rows, not their square: bounded comparisons, one finding per
repeated row, and the table capped per rule with a count of the rest (no timing here)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personagen.checks.findings import Finding
from personagen.checks.similarity import (
    EXACT_UP_TO,
    MAX_CANDIDATES,
    near_duplicates,
    repeats,
    token_overlap,
)
from personagen.cli import app
from personagen.lint import LintFinding, LintResult

runner = CliRunner()
VOCABULARY = [f"w{n}" for n in range(400)] + ["your", "the", "and", "team", "renewly"]
SENTENCE = "Renewly flags at-risk accounts an average of 45 days before renewal so the {} team acts"


def random_texts(rng: random.Random, count: int, low: int, high: int) -> list[str]:
    return [" ".join(rng.choices(VOCABULARY, k=rng.randint(low, high))) for _ in range(count)]


def brute_force(texts: list[str], threshold: float) -> list[tuple[int, int, float]]:
    return [
        (i, j, token_overlap(texts[i], texts[j]))
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if token_overlap(texts[i], texts[j]) >= threshold
    ]


@pytest.mark.parametrize("seed", range(40))
def test_the_indexed_search_finds_exactly_what_comparing_every_pair_finds(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = VOCABULARY[: rng.randint(3, 12)]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(0, 9))) for _ in range(30)]
    threshold = rng.choice([0.3, 0.5, 0.6, 2 / 3, 0.75, 1.0])
    expected = brute_force(texts, threshold)
    assert near_duplicates(texts, threshold) == expected
    first = {j: min(i for i, k, _ in expected if k == j) for _, j, _ in expected}
    found = repeats(texts, threshold).pairs
    assert [(i, j) for i, j, _ in found] == sorted((i, j) for j, i in first.items())


def test_near_duplicates_refuses_a_threshold_that_would_match_everything() -> None:
    with pytest.raises(ValueError, match="above 0"):
        near_duplicates(["a", "b"], 0)


def test_many_texts_cost_a_bounded_number_of_comparisons() -> None:
    texts = random_texts(random.Random(1), 6_000, 6, 20)
    found = repeats(texts)
    assert len(texts) > EXACT_UP_TO
    # Every pair would be 18 million comparisons.
    assert found.comparisons <= len(texts) * MAX_CANDIDATES


def test_a_file_of_near_duplicates_costs_one_comparison_a_row() -> None:
    texts = [SENTENCE.format(n) for n in range(3_000)]
    found = repeats(texts)
    assert [(i, j) for i, j, _ in found.pairs] == [(0, j) for j in range(1, 3_000)]
    assert found.comparisons == 2_999


def test_the_keyed_search_finds_what_the_exact_one_finds_in_short_texts() -> None:
    rng = random.Random(7)
    texts = random_texts(rng, 1_500, 2, 9)
    for n in range(60):  # reworded copies of earlier texts, one word changed
        j, i = rng.randrange(750, 1_500), rng.randrange(0, 750)
        words = texts[i].split()
        words[rng.randrange(len(words))] = f"new{n}"
        texts[j] = " ".join(words)
    exact = repeats(texts, exact_up_to=len(texts))
    keyed = repeats(texts, exact_up_to=0)
    assert {j for _, j, _ in keyed.pairs} == {j for _, j, _ in exact.pairs}
    assert keyed.comparisons < exact.comparisons


def write_near_duplicates(path: Path, rows: int) -> Path:
    header = ["Persona", "Variant", "Primary text", "Primary chars", "Headline"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for n in range(1, rows + 1):
            text = SENTENCE.format(n)
            out.writerow(["p", n, text, len(text), "Renewal risk early"])
    return path


def test_1000_near_duplicate_rows_give_one_finding_per_row(tmp_path: Path) -> None:
    sheet = write_near_duplicates(tmp_path / "meta.csv", 1_000)
    result = runner.invoke(app, ["lint", str(sheet), "--format", "json"])
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "near-duplicate"]
    assert len(found) == 999  # not 499,500 pairs
    assert found[0]["field"] == "row 3" and found[-1]["field"] == "row 1001"
    assert found[-1]["message"].startswith("rows 2 and 1001 share")


def test_the_table_lists_20_findings_per_rule_and_counts_the_rest(tmp_path: Path) -> None:
    sheet = write_near_duplicates(tmp_path / "meta.csv", 1_000)
    result = runner.invoke(app, ["lint", str(sheet)])
    assert result.exit_code == 1
    rows = [line for line in result.stdout.splitlines() if "near-duplicate" in line]
    assert len(rows) == 21  # 20 table rows and the count line
    assert f"… and 979 more near-duplicate findings in {sheet}" in result.stdout
    assert "999 errors, 1 warning in 1 file" in result.stdout

    result = runner.invoke(app, ["lint", str(sheet), "--max-per-rule", "0"])
    assert sum("near-duplicate" in line for line in result.stdout.splitlines()) == 999
    assert "more near-duplicate" not in result.stdout
    result = runner.invoke(app, ["lint", str(sheet), "--max-per-rule", "3"])
    assert "… and 996 more near-duplicate findings" in result.stdout


def test_capped_keeps_order_and_counts_per_rule_and_file() -> None:
    def finding(file: str, rule: str, n: int) -> LintFinding:
        return LintFinding(file, Finding(rule, "error", f"row {n}", "m", "f"))

    items = [finding("a.csv", "near-duplicate", n) for n in range(5)]
    items += [finding("b.csv", "near-duplicate", n) for n in range(2)]
    items += [finding("a.csv", "formula-cell", n) for n in range(4)]
    result = LintResult(findings=items)
    shown, more = result.capped(3)
    assert shown == items[:3] + items[5:7] + items[7:10]
    assert more == [("a.csv", "near-duplicate", 2), ("a.csv", "formula-cell", 1)]
    assert result.capped(0) == (items, [])
