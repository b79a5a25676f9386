"""A corpus of bad inputs: each one is a single clear 'error:' line, exit 2, nothing written."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from personagen.cli import app
from personagen.errors import InputError
from personagen.store import Store
from personagen.testing.stub_server import Reply, Script, StubServer
from tests.campaign_stub import script as campaign_script
from tests.campaign_stub import write_campaign
from tests.helpers import TEST_DATA

runner = CliRunner()
ICP_TEXT = (TEST_DATA / "inputs" / "icp.yaml").read_text()
NOTE_TEXT = "We close the books in two weeks and it is always a scramble."


@dataclass
class World:
    """The files of one case: a valid ICP, a valid notes folder, an output folder."""

    root: Path
    stub_url: str = "http://127.0.0.1:9/v1"  # a stub's, in cases that have one
    env: dict[str, str] = field(default_factory=dict)
    kept: dict[Path, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.icp = self.file("icp.yaml", ICP_TEXT)
        self.notes = self.root / "notes"
        self.notes.mkdir()
        self.file("notes/call-1.md", f"---\nrole: CFO\n---\n{NOTE_TEXT}\n")
        self.out = self.root / "out"
        self.replay = self.root / "cassettes"
        self.replay.mkdir()

    def file(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def icp_with(self, **changes: object) -> Path:
        data = yaml.safe_load(ICP_TEXT)
        data.update(changes)
        return self.file("changed-icp.yaml", yaml.safe_dump(data))

    def personas(self, *, icp: Path | None = None, notes: Path | None = None) -> list[str]:
        """The personas command with every path filled in; no network (replay)."""
        return [
            "personas",
            "--icp",
            str(icp or self.icp),
            "--notes",
            str(notes or self.notes),
            "-o",
            str(self.out),
            "--count",
            "1",
        ]

    def offline(self, **kwargs: Path) -> list[str]:
        return [*self.personas(**kwargs), "--replay", str(self.replay)]

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path

    @property
    def store(self) -> Path:
        """The run store's file (PERSONAGEN_HOME is a fresh folder for each test)."""
        return Path(os.environ["PERSONAGEN_HOME"]) / "personagen.sqlite3"

    def keep(self, path: Path) -> Path:
        """Remember `path`'s bytes: the command must leave them exactly as they are."""
        self.kept[path] = path.read_bytes()
        return path

    def with_note(self, name: str, content: str | bytes) -> list[str]:
        """Add a note to the valid folder; the command reads the folder."""
        self.file(f"notes/{name}", content)
        return self.offline()


@dataclass
class Case:
    """How to build the command, and what its one error line must contain."""

    build: Callable[[World], list[str]]
    expect: Callable[[World], list[str]]
    reply: Reply | None = None  # what the stub answers to every model call
    script: Script | None = None  # or how it answers each call (a working model)
    fault: Callable[[World, pytest.MonkeyPatch], None] | None = None  # e.g. a full disk


def _unreachable_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _fast_config(world: World) -> Path:
    return world.file("config.yaml", "transient_retries: 1\ntimeout: 5\n")


def _unreachable(world: World) -> list[str]:
    world.env["url"] = f"http://127.0.0.1:{_unreachable_port()}/v1"
    return [*world.personas(), "--base-url", world.env["url"], "--config", str(_fast_config(world))]


def _not_writable(world: World) -> list[str]:
    locked = world.root / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who can write to a read-only folder (root)")
    world.out = locked / "out"
    return world.offline()


def _output_is_a_file(world: World) -> list[str]:
    world.out = world.file("out.txt", "x")
    return world.offline()


def _no_key(world: World) -> list[str]:
    return [*world.personas(), "--provider", "openai"]


def _big_transcript(world: World) -> list[str]:
    cue = "00:00:01.000 --> 00:00:02.000\nDana: We close late every single month.\n\n"
    return world.with_note("long-call.vtt", "WEBVTT\n\n" + cue * (10_000_000 // len(cue)))


def _deep(opening: str, closing: str) -> str:
    return "id: " + opening * 5000 + closing * 5000 + "\n"


LINT_DATA = TEST_DATA / "lint"


def _copy(world: World, *extra: str, brief: Path | None = None) -> list[str]:
    """The copy command on valid personas and brief, offline, with `extra` flags."""
    return [
        "copy",
        "--personas",
        str(LINT_DATA / "out"),
        "--brief",
        str(brief or LINT_DATA / "brief.yaml"),
        "-o",
        str(world.out),
        "--replay",
        str(world.replay),
        *extra,
    ]


def _brief_without_proof(world: World) -> list[str]:
    data = yaml.safe_load((LINT_DATA / "brief.yaml").read_text())
    data["proof_points"] = []
    return _copy(world, brief=world.file("brief.yaml", yaml.safe_dump(data)))


def _campaign(world: World, **changes: object) -> list[str]:
    data: dict[str, object] = {
        "name": "bad",
        "icp": str(world.icp),
        "notes": [str(world.notes)],
        "brief": str(LINT_DATA / "brief.yaml"),
        "replay": str(world.replay),
    }
    data.update(changes)
    return ["run", str(world.file("campaign.yaml", yaml.safe_dump(data))), "-o", str(world.out)]


def _email_without_compliance(world: World) -> list[str]:
    data = yaml.safe_load((LINT_DATA / "brief.yaml").read_text())
    del data["email_compliance"]
    brief = world.file("brief.yaml", yaml.safe_dump(data))
    return _campaign(world, brief=str(brief), channels=["email", "linkedin"])


def _live_campaign(world: World, proof: str = "", **compliance: str) -> list[str]:
    """A campaign pointed at a live model (an address never dialled: the check comes first)."""
    data = yaml.safe_load((LINT_DATA / "brief.yaml").read_text())
    data["email_compliance"].update(compliance)
    if proof:
        data["proof_points"][0]["text"] = proof
    brief = world.file("brief.yaml", yaml.safe_dump(data))
    args = _campaign(world, brief=str(brief), replay=None, channels=["email", "linkedin"])
    return [*args, "--base-url", "http://127.0.0.1:9/v1"]


def _init_twice(world: World) -> list[str]:
    runner.invoke(app, ["init", str(world.root / "camp")])
    world.keep(world.root / "camp" / "brief.yaml")
    return ["init", str(world.root / "camp")]


CASES: dict[str, Case] = {
    "missing notes folder": Case(
        lambda w: w.offline(notes=w.root / "no-such-notes"),
        lambda w: [f"{w.root / 'no-such-notes'}: no such file or folder"],
    ),
    "empty notes folder": Case(
        lambda w: w.offline(notes=w.folder("empty")),
        lambda w: [f"{w.root / 'empty'}: folder has no note files (it is empty)"],
    ),
    "folder of other files": Case(
        lambda w: w.offline(notes=w.file("docs/a.pdf", "x").parent),
        lambda w: [f"{w.root / 'docs'}: folder has no note files (it has only 1 entry (a.pdf))"],
    ),
    "empty note file": Case(
        lambda w: w.with_note("call-2.txt", ""),
        lambda w: [f"{w.notes / 'call-2.txt'}: file is empty"],
    ),
    "binary note file": Case(
        lambda w: w.with_note("call-2.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR"),
        lambda w: [f"{w.notes / 'call-2.txt'}: looks like a binary file", "NUL bytes"],
    ),
    "non-UTF-8 note": Case(
        lambda w: w.with_note("call-2.txt", b"Line one\ncaf\xe9 au lait is 5\x80"),
        lambda w: [f"{w.notes / 'call-2.txt'}: not valid UTF-8", "0xe9", "line 2", "iconv"],
    ),
    "UTF-16 note": Case(
        lambda w: w.with_note("call-2.txt", "hello".encode("utf-16")),
        lambda w: [f"{w.notes / 'call-2.txt'}: file is UTF-16", "UTF-8"],
    ),
    "transcript over the size limit": Case(
        _big_transcript,
        lambda w: [f"{w.notes / 'long-call.vtt'}: file is too large", "the limit is 2,000,000"],
    ),
    "malformed transcript timing": Case(
        lambda w: w.with_note("call-2.vtt", "WEBVTT\n\n00:00:01 --> soon\nHi there.\n"),
        lambda w: [f"{w.notes / 'call-2.vtt'}: line 3: malformed cue timing", "00:00:01 --> soon"],
    ),
    "front matter never closed": Case(
        lambda w: w.with_note("call-2.md", "---\nrole: CFO\nWe close late.\n"),
        lambda w: [f"{w.notes / 'call-2.md'}: front matter opened with '---' on line 1"],
    ),
    "front matter unknown field": Case(
        lambda w: w.with_note("call-2.md", "---\nintervewee: Dana\n---\nWe close late.\n"),
        lambda w: [
            f"{w.notes / 'call-2.md'} (front matter): unknown field 'intervewee'",
            "did you mean 'interviewee'?",
        ],
    ),
    "unsupported note type": Case(
        lambda w: w.offline(notes=w.file("call.pages", "x")),
        lambda w: [f"{w.root / 'call.pages'}: unsupported note type '.pages'", ".docx"],
    ),
    "a .docx note that is not a Word file": Case(
        lambda w: w.with_note("call-2.docx", "plain text saved as .docx"),
        lambda w: [f"{w.notes / 'call-2.docx'}: is not a Word .docx file (not a zip archive)"],
    ),
    "duplicate note ids": Case(
        lambda w: w.with_note("call-1.txt", NOTE_TEXT),
        lambda w: [f"{w.notes}/call-1.", "note id 'call-1' is also used by", "rename one"],
    ),
    "missing ICP file": Case(
        lambda w: w.offline(icp=w.root / "nope.yaml"),
        lambda w: [f"{w.root / 'nope.yaml'}: no such file"],
    ),
    "ICP of an unsupported type": Case(
        lambda w: w.offline(icp=w.file("icp.txt", ICP_TEXT)),
        lambda w: [f"{w.root / 'icp.txt'}: unsupported file type '.txt'"],
    ),
    "malformed YAML": Case(
        lambda w: w.offline(
            icp=w.file("bad.yaml", "id: mid-saas\nname: [unclosed\nindustries: x\n")
        ),
        lambda w: [f"{w.root / 'bad.yaml'}: malformed YAML at line 3, column"],
    ),
    "YAML with tab indentation": Case(
        lambda w: w.offline(icp=w.file("bad.yaml", "id: x\nemployees:\n\tmin: 1\n")),
        lambda w: [f"{w.root / 'bad.yaml'}: malformed YAML at line 3", "tabs"],
    ),
    "YAML that is a list": Case(
        lambda w: w.offline(icp=w.file("list.yaml", "- id: mid-saas\n- name: Segment\n")),
        lambda w: [f"{w.root / 'list.yaml'}: expected a mapping of fields, found a list"],
    ),
    "empty ICP": Case(
        lambda w: w.offline(icp=w.file("empty.yaml", "# nothing yet\n")),
        lambda w: [f"{w.root / 'empty.yaml'}: file is empty or has only comments"],
    ),
    "malformed JSON ICP": Case(
        lambda w: w.offline(icp=w.file("icp.json", '{"id": "x",\n "name": }')),
        lambda w: [f"{w.root / 'icp.json'}: malformed JSON at line 2, column"],
    ),
    "unknown field with suggestion": Case(
        lambda w: w.offline(icp=w.icp_with(industry=["SaaS"])),
        lambda w: [
            f"{w.root / 'changed-icp.yaml'}: unknown field 'industry'",
            "did you mean 'industries'?",
        ],
    ),
    "wrong type": Case(
        lambda w: w.offline(icp=w.icp_with(revenue={"min": "ten million"})),
        lambda w: [
            f"{w.root / 'changed-icp.yaml'}: revenue.min: expected a number, got 'ten million'"
        ],
    ),
    "range min above max": Case(
        lambda w: w.offline(icp=w.icp_with(employees={"min": 1000, "max": 200})),
        lambda w: [f"{w.root / 'changed-icp.yaml'}: employees: min (1000) is above max (200)"],
    ),
    "value not among the choices": Case(
        lambda w: w.offline(icp=w.icp_with(technological_maturity="extreme")),
        lambda w: [f"{w.root / 'changed-icp.yaml'}: technological_maturity: expected", "extreme"],
    ),
    "output path is a file": Case(
        _output_is_a_file,
        lambda w: [f"{w.root / 'out.txt'}: output path is a file, not a folder"],
    ),
    "output folder not writable": Case(
        _not_writable,
        lambda w: [f"{w.out}: output folder is not writable"],
    ),
    "replay folder missing": Case(
        lambda w: [*w.personas(), "--replay", str(w.root / "no-cassettes")],
        lambda w: [f"{w.root / 'no-cassettes'}: replay folder does not exist"],
    ),
    "replay miss": Case(
        lambda w: w.offline(),
        lambda w: [f"{w.replay}: no cassette answers task 'extract_insights'", "--record"],
    ),
    "no API key and no base URL": Case(
        _no_key,
        lambda w: ["no API key: set OPENAI_API_KEY", "--base-url", "--replay"],
    ),
    "unknown provider": Case(
        lambda w: [*w.personas(), "--provider", "acme"],
        lambda w: ["unknown provider 'acme'; choose from: openai, compatible, replay"],
    ),
    "unknown setting in the config file": Case(
        lambda w: [*w.offline(), "--config", str(w.file("c.yaml", "timeot: 3\n"))],
        lambda w: [f"{w.root / 'c.yaml'}: unknown setting 'timeot'"],
    ),
    "unreachable base URL": Case(
        _unreachable,
        lambda w: [f"cannot reach the model server at {w.env['url']}"],
    ),
    "model the server does not know": Case(
        lambda w: [*w.personas(), "--base-url", w.stub_url, "--model", "gpt-nope"],
        lambda w: ["model 'gpt-nope' is not known to the server", "(404)", "--model"],
        reply=Reply(status=404, body={"error": {"message": "model not found"}}),
    ),
    "redact-company with no-redact": Case(
        lambda w: [*w.offline(), "--no-redact", "--redact-company"],
        lambda w: ["--redact-company: needs redaction, but --no-redact was given"],
    ),
    "brief without proof points": Case(
        _brief_without_proof,
        lambda w: [f"{w.root / 'brief.yaml'}: proof_points is empty"],
    ),
    "unknown channel": Case(
        lambda w: _copy(w, "--channels", "email,fax"),
        lambda w: ["--channels: unknown channel 'fax'", "valid channels: email"],
    ),
    "misspelt channel flag": Case(
        lambda w: _copy(w, "--channels", "email,linkedin_ads"),
        lambda w: ["--channels: unknown channel 'linkedin_ads'; did you mean 'linkedin'?"],
    ),
    "zero variants": Case(
        lambda w: _copy(w, "--variants", "0"),
        lambda w: ["--variants: 0 is not between 1 and 10"],
    ),
    "absurdly many variants": Case(
        lambda w: _copy(w, "--variants", "5000"),
        lambda w: ["--variants: 5000 is not between 1 and 10"],
    ),
    "campaign referring to a missing ICP": Case(
        lambda w: _campaign(w, icp=str(w.root / "gone.yaml")),
        lambda w: [f"{w.root / 'campaign.yaml'}: icp: {w.root / 'gone.yaml'} does not exist"],
    ),
    "campaign referring to a missing brief": Case(
        lambda w: _campaign(w, brief="missing-brief.yaml"),
        lambda w: [f"{w.root / 'campaign.yaml'}: brief:", "missing-brief.yaml does not exist"],
    ),
    "campaign with an unknown channel": Case(
        lambda w: _campaign(w, channels=["email", "tiktok"]),
        lambda w: [
            f"{w.root / 'campaign.yaml'}: channels[1]: unknown channel 'tiktok'; "
            "valid channels: email, google_rsa"
        ],
    ),
    "campaign with a misspelt channel": Case(
        lambda w: _campaign(w, channels=["email", "google"]),
        lambda w: [
            f"{w.root / 'campaign.yaml'}: channels[1]: unknown channel 'google'; "
            "did you mean 'google_rsa'?"
        ],
    ),
    "campaign name that is not a slug": Case(
        lambda w: _campaign(w, name="DACH Manufacturing"),
        lambda w: [
            f"{w.root / 'campaign.yaml'}: name: 'DACH Manufacturing' is not a slug",
            "use 'dach-manufacturing'",
        ],
    ),
    "ICP id that is not a slug": Case(
        lambda w: w.offline(icp=w.icp_with(id="Mid-Market SaaS (NA)")),
        lambda w: ["id: 'Mid-Market SaaS (NA)' is not a slug", "use 'mid-market-saas-na'"],
    ),
    "email without email_compliance": Case(
        _email_without_compliance,
        lambda w: [
            f"{w.root / 'brief.yaml'}: email_compliance is missing, and email needs it",
            "email_compliance: {sender_name: <who sends>, postal_address: <your postal address>, "
            "opt_out_text: <how to unsubscribe>}",
            "leave email out (channels: [linkedin] in the campaign file, --channels linkedin)",
        ],
    ),
    "placeholder postal address in a real run": Case(
        lambda w: _live_campaign(w, postal_address="TODO: our office address"),
        lambda w: [
            f"{w.root / 'brief.yaml'}: email_compliance.postal_address: 'TODO: our office "
            "address' holds the placeholder 'TODO'",
            "a --dry-run or a --replay run keeps placeholders",
        ],
    ),
    "template marker in the opt-out text of a real run": Case(
        lambda w: _live_campaign(w, opt_out_text="Unsubscribe at [LINK]"),
        lambda w: ["email_compliance.opt_out_text:", "holds the placeholder '[LINK]'"],
    ),
    "example.com unsubscribe link in a real run": Case(
        lambda w: _live_campaign(w, opt_out_url="https://www.example.com/unsubscribe"),
        lambda w: ["email_compliance.opt_out_url:", "holds the placeholder 'www.example.com'"],
    ),
    "placeholder proof point in a real run": Case(
        lambda w: _live_campaign(w, proof="TBD: our best figure"),
        lambda w: ["proof_points[0].text: 'TBD: our best figure' holds the placeholder 'TBD'"],
    ),
    "init into a folder that has the files": Case(
        _init_twice,
        lambda w: [
            f"{w.root / 'camp'}: brief.yaml, campaign.yaml, icp.yaml",
            "already exist; choose another folder, or pass --force to overwrite them",
        ],
    ),
    "show a Markdown file with no JSON beside it": Case(
        lambda w: ["show", str(w.file("cards/dana.md", "# Dana\n"))],
        lambda w: [
            f"{w.root / 'cards/dana.md'}: is Markdown written for reading; pass the "
            f".json beside it ({w.root / 'cards/dana.json'}, not found)"
        ],
    ),
    "campaign with both icp and segments": Case(
        lambda w: _campaign(w, segments=[{"icp": "a.yaml", "notes": ["n"]}]),
        lambda w: [f"{w.root / 'campaign.yaml'}", "either 'icp' and 'notes' or 'segments'"],
    ),
    "schema nonsense": Case(
        lambda w: ["schema", "nonsense"],
        lambda w: ["schema: unknown model 'nonsense'; choose from: icp, note, persona"],
    ),
}

# Inputs that once escaped the loaders with a traceback (PyYAML constructor errors,
# deep nesting, a field name with a line break).
CASES.update(
    {
        "impossible date in front matter": Case(
            lambda w: w.with_note("call-2.md", "---\ndate: 2024-02-30\n---\nWe close late.\n"),
            lambda w: [f"{w.notes / 'call-2.md'} (front matter)", "line 2", "2024-02-30"],
        ),
        "explicit tag with a bad value": Case(
            lambda w: w.offline(
                icp=w.file("tag.yaml", ICP_TEXT.replace("min: 200", "min: !!int ten"))
            ),
            lambda w: [f"{w.root / 'tag.yaml'}", "ten"],
        ),
        "unknown field whose name has a line break": Case(
            lambda w: w.offline(icp=w.file("nl.yaml", ICP_TEXT + '"geo\\nregions": [EU]\n')),
            lambda w: [f"{w.root / 'nl.yaml'}: unknown field", "geo"],
        ),
        "deeply nested YAML": Case(
            lambda w: w.offline(icp=w.file("deep.yaml", _deep("[", "]"))),
            lambda w: [f"{w.root / 'deep.yaml'}", "nest"],
        ),
        "deeply nested JSON": Case(
            lambda w: w.offline(icp=w.file("deep.json", '{"id": ' + "[" * 5000 + "]" * 5000 + "}")),
            lambda w: [f"{w.root / 'deep.json'}", "nest"],
        ),
    }
)
# Settings and flag values that once went through silently (nan, infinity, a negative
# budget) and replay cassettes that once read as an unreachable server.
CASES.update(
    {
        "negative budget": Case(
            lambda w: [*_campaign(w), "--budget", "-1"],
            lambda w: ["--budget: expected a positive number of US dollars, got -1"],
        ),
        "nan budget": Case(
            lambda w: [*_campaign(w), "--budget", "nan"],
            lambda w: ["--budget: expected a positive number of US dollars, got nan"],
        ),
        "infinite budget": Case(
            lambda w: [*_campaign(w), "--budget", "inf"],
            lambda w: ["--budget: expected a positive number of US dollars, got inf"],
        ),
        "nan budget in the campaign": Case(
            lambda w: _campaign(w, budget_usd=float("nan")),
            lambda w: [f"{w.root / 'campaign.yaml'}: budget_usd: expected a finite number"],
        ),
        "negative concurrency": Case(
            lambda w: [*w.offline(), "--concurrency", "-5"],
            lambda w: ["--concurrency: must be at least 1, got -5"],
        ),
        "negative timeout in the config file": Case(
            lambda w: [*w.offline(), "--config", str(w.file("c.yaml", "timeout: -1\n"))],
            lambda w: [f"{w.root / 'c.yaml'}: timeout: must be above 0, got -1"],
        ),
        "infinite timeout in the campaign": Case(
            lambda w: _campaign(w, model={"timeout": float("inf")}),
            lambda w: [f"{w.root / 'campaign.yaml'}: model.timeout: expected a finite number"],
        ),
        "nan temperature in the config file": Case(
            lambda w: [*w.offline(), "--config", str(w.file("c.yaml", "temperature: .nan\n"))],
            lambda w: [f"{w.root / 'c.yaml'}: temperature: expected a finite number, got nan"],
        ),
        "infinite rate limit in the config file": Case(
            lambda w: [
                *w.offline(),
                "--config",
                str(w.file("c.yaml", "tokens_per_minute: 1e400\n")),
            ],
            lambda w: [f"{w.root / 'c.yaml'}: tokens_per_minute: expected a finite number"],
        ),
        "nan price": Case(
            lambda w: [
                *w.offline(),
                *("--config", str(w.file("c.yaml", "prices: {m: {input: .nan, output: 1}}\n"))),
            ],
            lambda w: [f"{w.root / 'c.yaml'}: prices.m.input: expected a finite number"],
        ),
        "price without an output price": Case(
            lambda w: [
                *w.offline(),
                "--config",
                str(w.file("c.yaml", "prices: {m: {input: 1}}\n")),
            ],
            lambda w: [f"{w.root / 'c.yaml'}: prices.m: missing 'output'"],
        ),
        "cassette whose response is text": Case(
            lambda w: (
                w.file("cassettes/x.json", '{"key": "k", "task": "t", "response": "hello"}'),
                w.offline(),
            )[1],
            lambda w: [
                f"{w.replay / 'x.json'}: not a valid cassette",
                "'response' must be an object, found str",
            ],
        ),
        "deeply nested cassette": Case(
            lambda w: (
                w.file("cassettes/x.json", '{"key": ' + "[" * 100_000 + "]" * 100_000 + "}"),
                w.offline(),
            )[1],
            lambda w: [f"{w.replay / 'x.json'}: not a valid cassette (nested too deeply)"],
        ),
    }
)


# The machine rather than the files: a run store that is damaged, another program's or
# in the way, a full disk under the store or the output, a file system that refuses a file.
def _filled_store(world: World) -> Path:
    store = Store(world.store)
    for n in range(100):
        store.put_response(f"k{n}", "task", b"x" * 3000)
    store.start_run("spring", "campaign.yaml", "gpt-4.1-mini")
    store.close()
    return world.store


def _store_of(world: World, content: bytes) -> Path:
    world.store.parent.mkdir(parents=True, exist_ok=True)
    world.store.write_bytes(content)
    return world.keep(world.store)


def _truncated_store(world: World) -> Path:
    data = _filled_store(world).read_bytes()
    return _store_of(world, data[: len(data) // 2])


def _overwritten_store(world: World) -> Path:
    data = bytearray(_filled_store(world).read_bytes())
    for offset in range(4096, len(data), 4096):  # every page but the header's
        data[offset : offset + 300] = bytes(range(256)) + bytes(44)
    return _store_of(world, bytes(data))


def _foreign_store(world: World) -> Path:
    world.store.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(world.store) as db:
        db.execute("CREATE TABLE contacts (name TEXT, email TEXT)")
    db.close()
    return world.keep(world.store)


def _disk_full(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file written (atomically) meets a full disk when it is synced: ENOSPC."""

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def _store_disk_full(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store may not grow past the pages it has: SQLite's 'database or disk is full'."""
    connect = sqlite3.connect

    def full(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = connect(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return db

    monkeypatch.setattr(sqlite3, "connect", full)


def _output_mkdir_fails(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating the output folder meets a full disk (an OSError no layer words itself)."""
    mkdir = Path.mkdir

    def failing(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == world.out:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", failing)


def _stub_campaign(world: World) -> list[str]:
    """A campaign on the stub, which answers every call well (tests.campaign_stub)."""
    campaign = write_campaign(world.root / "campaign", world.stub_url)
    return ["run", str(campaign), "-o", str(world.out)]


DAMAGED = "not a personagen run store, or a damaged one"
ASIDE = "move it aside"
CASES.update(
    {
        "run store of random bytes": Case(
            lambda w: (_store_of(w, bytes(range(256)) * 20), ["runs"])[1],
            lambda w: [f"{w.store}: {DAMAGED} (file is not a database)", ASIDE],
        ),
        "truncated run store": Case(
            lambda w: (_truncated_store(w), w.offline())[1],
            lambda w: [
                f"{w.store}: {DAMAGED} (database disk image is malformed)",
                "PERSONAGEN_HOME",
            ],
        ),
        "run store with overwritten pages": Case(
            lambda w: (_overwritten_store(w), _copy(w))[1],
            lambda w: [f"{w.store}: {DAMAGED} (database disk image is malformed)", ASIDE],
        ),
        "another program's database as the run store": Case(
            lambda w: (_foreign_store(w), ["runs", "show", "2024"])[1],
            lambda w: [f"{w.store}: an SQLite database, but not a personagen run store", ASIDE],
        ),
        "folder at the run store's path": Case(
            lambda w: (w.store.mkdir(parents=True), _campaign(w))[1],
            lambda w: [f"{w.store}: is a folder, not a personagen run store", ASIDE],
        ),
        "file at the run store's folder": Case(
            lambda w: (w.keep(w.file("home", "not a folder")), ["runs"])[1],
            lambda w: [f"{w.store.parent}: the run store's folder is a file", "PERSONAGEN_HOME"],
        ),
        "full disk under a new run store": Case(
            lambda w: w.offline(),
            lambda w: [f"{w.store}: cannot write the run store: the disk is full", "free some"],
            fault=_store_disk_full,
        ),
        "run store filling up mid-run": Case(
            _stub_campaign,
            lambda w: [f"{w.store}: cannot write the run store: the disk is full"],
            script=campaign_script,
            fault=lambda w, m: (_filled_store(w), _store_disk_full(w, m))[1],
        ),
        "full disk under the output folder": Case(
            _stub_campaign,
            lambda w: [
                f"{w.out / 'personas' / 'vp-marketing.json'}: cannot write it: "
                "no space left on the device (the disk is full)"
            ],
            script=campaign_script,
            fault=_disk_full,
        ),
        "full disk under the report": Case(
            lambda w: ["report", str(LINT_DATA / "out"), "-o", str(w.root / "report.html")],
            lambda w: [f"{w.root / 'report.html'}: cannot write it: no space left on the device"],
            fault=_disk_full,
        ),
        "report written into /proc": Case(
            lambda w: ["report", str(LINT_DATA / "out"), "-o", "/proc/version"],
            lambda w: ["/proc/version: cannot create a file in /proc"],
        ),
        "full disk creating the output folder": Case(
            lambda w: w.offline(),
            lambda w: [f"{w.out}: no space left on the device (the disk is full)"],
            fault=_output_mkdir_fails,
        ),
    }
)
PARAMS = [pytest.param(case, id=name) for name, case in CASES.items()]


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input_is_one_clear_line(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with contextlib.ExitStack() as stack:
        reply = case.reply
        answers = case.script or (None if reply is None else lambda body, n: reply)
        stub = stack.enter_context(StubServer(answers)) if answers else None
        world = World(tmp_path, stub.base_url) if stub else World(tmp_path)
        args = case.build(world)
        if case.fault is not None:
            case.fault(world, monkeypatch)
        result = runner.invoke(app, args)
    shown = "".join(traceback.format_exception(result.exception)) if result.exception else ""
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}{shown}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for expected in case.expect(world):
        assert expected in lines[0], f"{expected!r} not in {lines[0]!r}"
    assert result.stdout == ""
    personas = world.out / "personas"
    assert not personas.exists() or not any(personas.iterdir())
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"
    for path, content in world.kept.items():
        assert path.read_bytes() == content, f"{path} was changed"
    if stub is not None and reply is not None:
        assert len(stub.requests) == 1  # a non-transient error is not retried


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 70


def test_raise_errors_env_shows_the_traceback(tmp_path: Path) -> None:
    world = World(tmp_path)
    args = world.offline(notes=tmp_path / "no-such-notes")
    result = runner.invoke(app, args, env={"PERSONAGEN_RAISE_ERRORS": "1"})
    assert isinstance(result.exception, InputError)
    assert result.exit_code == 1
    assert "error:" not in result.output
    shown = "".join(traceback.format_exception(result.exception))
    assert shown.startswith("Traceback") and "no such file or folder" in shown


def test_raise_errors_env_shows_the_traceback_of_an_os_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(tmp_path)
    _output_mkdir_fails(world, monkeypatch)
    result = runner.invoke(app, world.offline(), env={"PERSONAGEN_RAISE_ERRORS": "1"})
    assert isinstance(result.exception, OSError)
    assert result.exception.errno == errno.ENOSPC
    assert "error:" not in result.output
