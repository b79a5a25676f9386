"""Copy jobs against the loopback stub: re-asks for limits and claims, the email footer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.testing.stub_server import Reply, StubServer, completion, tool_name
from tests.campaign_stub import ANSWERS, BRIEF, NOTE
from tests.helpers import EXAMPLE

runner = CliRunner()

GOOD_RSA = {
    "headlines": ["Churn, seen before renewal", "Stop guessing renewals", "Risk flags in your CRM"],
    "descriptions": [
        "See which accounts are at risk before the renewal date.",
        "Customers see risk 45 days before renewal.",
    ],
    "path1": "churn",
    "path2": "pilot",
    "addresses": ["pain-1"],
}
BAD_RSA = {
    **GOOD_RSA,
    "headlines": ["Cut churn 80% with our new early warning", *GOOD_RSA["headlines"][1:]],
}
EMAIL = {
    "steps": [
        {
            "day_offset": 0,
            "subject": "Churn you hear about too late",
            "preheader": "A way to see at-risk accounts before the renewal date arrives.",
            "body": "Hi {{first_name}}, churn should never be a surprise. We flag accounts at risk "
            "before renewal. Customers see risk 45 days before renewal. Worth a look?",
            "call_to_action": "Book a walkthrough",
            "addresses": ["pain-1"],
        },
    ]
}


def _setup(tmp_path: Path, base_url: str) -> tuple[Path, Path]:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "dana.txt").write_text(NOTE)
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(BRIEF))
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "personas",
            "--icp",
            str(EXAMPLE / "icp.yaml"),
            "--notes",
            str(tmp_path / "notes"),
            "--count",
            "1",
            "-o",
            str(out),
            "--base-url",
            base_url,
        ],
    )
    assert result.exit_code == 0, result.output
    return out, tmp_path / "brief.yaml"


def test_an_overlong_headline_and_an_invented_figure_are_reasked(tmp_path: Path) -> None:
    rsa_answers = [BAD_RSA, GOOD_RSA]

    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        if name == "GoogleRSADraft":
            return completion({"variants": [rsa_answers.pop(0)]}, name=name)
        return completion(ANSWERS[name], name=name)

    with StubServer(script) as stub:
        out, brief = _setup(tmp_path, stub.base_url)
        result = runner.invoke(
            app,
            [
                "copy",
                "--personas",
                str(out),
                "--brief",
                str(brief),
                "--channels",
                "google_rsa",
                "--variants",
                "1",
                "-o",
                str(out),
                "--base-url",
                stub.base_url,
            ],
        )
        assert result.exit_code == 0, result.output
    rsa = [b for b in stub.requests if tool_name(b) == "GoogleRSADraft"]
    assert len(rsa) == 2
    reask = rsa[1]["messages"][-1]["content"]
    assert "40 characters" in reask and "at most 30" in reask
    assert "'80%'" in reask
    artifact = json.loads((out / "copy" / "vp-marketing" / "google_rsa.json").read_text())
    assert artifact["draft"]["variants"][0]["headlines"] == GOOD_RSA["headlines"]
    assert artifact["final_url"] == BRIEF["offer"]["url"]


def test_the_email_footer_comes_from_the_brief_not_the_model(tmp_path: Path) -> None:
    def script(body: dict[str, Any], n: int) -> Reply:
        name = tool_name(body)
        return completion(EMAIL if name == "EmailSequenceDraft" else ANSWERS[name], name=name)

    with StubServer(script) as stub:
        out, brief = _setup(tmp_path, stub.base_url)
        result = runner.invoke(
            app,
            [
                "copy",
                "--personas",
                str(out),
                "--brief",
                str(brief),
                "--channels",
                "email",
                "--steps",
                "1",
                "-o",
                str(out),
                "--base-url",
                stub.base_url,
            ],
        )
        assert result.exit_code == 0, result.output
    (request,) = [b for b in stub.requests if tool_name(b) == "EmailSequenceDraft"]
    prompt = json.dumps(request["messages"])
    assert "500 Market Street" not in prompt  # the model never writes the footer
    artifact = json.loads((out / "copy" / "vp-marketing" / "email.json").read_text())
    compliance = BRIEF["email_compliance"]
    assert compliance["postal_address"] in artifact["footer"]
    assert compliance["opt_out_text"] in artifact["footer"]
    assert compliance["postal_address"] not in artifact["draft"]["steps"][0]["body"]
    deck = (out / "copy" / "vp-marketing.md").read_text()
    assert compliance["postal_address"] in deck
