"""`personagen runs diff A B`: personas, claims and copy that changed, and each run's cost."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from personagen.cli import app
from personagen.paths import home
from personagen.store import Store
from personagen.testing.stub_server import Reply, completion, tool_name
from tests.campaign_stub import X_POSTS, write_campaign
from tests.helpers import FAKE_URL, ScriptedModel
from tests.run.test_refresh_run import ELI, _run
from tests.run.test_refresh_run import script as refresh_script

runner = CliRunner()
NEW_POST = "Churn found at renewal is churn found too late. See the risk a quarter ahead."


def script(body: dict[str, Any], n: int) -> Reply:
    """The refresh script, with other X posts for the persona that has a goal."""
    if tool_name(body) == "XPostDraft" and "goal-1" in json.dumps(body["messages"]):
        posts = json.loads(json.dumps(X_POSTS))
        posts["variants"][0]["text"] = NEW_POST
        return completion(posts, name="XPostDraft")
    return refresh_script(body, n)


def _two_runs(tmp_path: Path) -> tuple[str, str]:
    campaign = write_campaign(
        tmp_path / "c", FAKE_URL, channels=["x", "linkedin", "objections"], update=True
    )
    model = ScriptedModel(script)
    first = _run(campaign, tmp_path / "out", model)
    (tmp_path / "c" / "notes" / "eli.txt").write_text(ELI)
    second = _run(campaign, tmp_path / "out", model)
    return first.run_id, second.run_id


def test_diff_as_json_names_claims_copy_and_costs(tmp_path: Path) -> None:
    a, b = _two_runs(tmp_path)
    # A prefix of a that b does not share (both runs may start in the same second).
    prefix = next(a[:k] for k in range(16, len(a) + 1) if not b.startswith(a[:k]))
    result = runner.invoke(app, ["runs", "diff", prefix, b, "--format", "json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    assert diff["a"]["id"] == a and diff["b"]["id"] == b
    assert (diff["a"]["model_calls"], diff["b"]["model_calls"]) == (5, 3)
    assert diff["b"]["cost_usd"] < diff["a"]["cost_usd"]
    assert diff["personas"]["added"] == diff["personas"]["removed"] == []
    (persona,) = diff["personas"]["changed"]
    assert [c["id"] for c in persona["added"]] == ["goal-1"]
    (strengthened,) = persona["changed"]
    assert strengthened["id"] == "pain-1" and strengthened["notes_after"] == ["dana", "eli"]
    copy = diff["copy"]
    assert copy["unchanged"] == 2 and copy["added"] == copy["removed"] == []
    (changed,) = copy["changed"]
    assert (changed["persona_id"], changed["channel"]) == ("vp-marketing", "x")
    assert changed["lines_added"] == changed["lines_removed"] == 1
    assert changed["diff"][1] == f"+variants[1].text: {NEW_POST}"


def test_diff_as_text(tmp_path: Path) -> None:
    a, b = _two_runs(tmp_path)
    result = runner.invoke(app, ["runs", "diff", a, b])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"A {a}" in text and f"B {b}" in text
    assert "model calls" in text and "$" in text
    assert '+ goal-1 "A forecast the board trusts"' in text
    assert '~ pain-1 "Churn arrives without warning" (notes 1 -> 2)' in text
    assert "copy: 1 changed, 2 unchanged, 0 added, 0 removed" in text
    assert "vp-marketing / x: +1 -1 lines" in text and NEW_POST in text


def test_diff_of_an_unknown_run_is_one_line(tmp_path: Path) -> None:
    a, _ = _two_runs(tmp_path)
    result = runner.invoke(app, ["runs", "diff", a, "nope"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "no single run matches 'nope'" in result.output
    assert "Traceback" not in result.output


def test_a_store_from_before_lineage_opens_and_diffs(tmp_path: Path) -> None:
    a, b = _two_runs(tmp_path)
    db = sqlite3.connect(home() / "personagen.sqlite3")
    db.execute("DROP TABLE lineage")  # as a store written before copy lineage was kept
    db.commit()
    db.close()
    store = Store()
    assert store.get_lineage("anything") is None  # the table is back, empty
    store.close()
    result = runner.invoke(app, ["runs", "diff", a, b, "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["copy"]["unchanged"] == 2
