"""First-attempt validity against a model that obeys only the schema.

The in-process `FakeModel` answers every request with random data drawn only from what the
request's JSON schema allows (a constrained decoder that ignores the prose). Over N seeds,
this runs the persona stage and copy for all six channels of the test campaign and counts,
per channel, the jobs whose first answer was valid (one request, no re-ask), and whether
every persona claim's quotes occur verbatim in the interviewee's text. Usage:

    .venv/bin/python bench/first_attempt.py [SEEDS]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import personagen  # noqa: E402
from personagen.models.copy import draft_model_for  # noqa: E402
from personagen.testing import FakeModel  # noqa: E402
from tests.campaign_stub import write_campaign  # noqa: E402

CHANNELS = ["email", "google_rsa", "linkedin", "meta", "x", "objections"]
# The response model each request asks for, by the job it belongs to.
TOOL_OF = {draft_model_for(c).__name__: c for c in CHANNELS} | {
    "NoteInsights": "personas",
    "PersonaSetDraft": "personas",
}


def main(seeds: int) -> None:
    """Print first-attempt validity per channel over `seeds` runs."""
    jobs: Counter[str] = Counter()
    first: Counter[str] = Counter()
    grounded = claims = 0
    for seed in range(seeds):
        os.environ["PERSONAGEN_HOME"] = tempfile.mkdtemp()  # a fresh store: nothing reused
        folder = Path(tempfile.mkdtemp())
        campaign = write_campaign(folder, "http://fake.invalid/v1", channels=CHANNELS)
        fake = FakeModel(seed=seed)
        out = folder / "out"
        report = personagen.run_campaign(campaign, output=out, model=fake)
        requests = Counter(TOOL_OF[tool] for tool in fake.tools())
        for outcome in report.outcomes:
            channel = (
                outcome.job_id.split("/")[-1] if outcome.job_id.startswith("copy/") else "personas"
            )
            jobs[channel] += 1
            expected = 2 if channel == "personas" else 1  # one extraction, one synthesis
            first[channel] += outcome.state == "done" and requests[channel] == expected
        said = " ".join((folder / "notes" / "dana.txt").read_text().split())
        for path in (out / "personas").glob("*.json"):
            persona = personagen.Persona.model_validate_json(path.read_text())
            for items in persona.items().values():
                for item in items:
                    claims += 1
                    grounded += all(e.quote in said for e in item.evidence)
    print(f"{seeds} seeds; first-attempt validity (jobs valid with no re-ask):\n")
    print("| job | valid on the first attempt |")
    print("|---|---:|")
    for channel in ["personas", *CHANNELS]:
        share = first[channel] / jobs[channel]
        print(f"| {channel} | {first[channel]}/{jobs[channel]} ({share:.0%}) |")
    print(f"\npersona claims whose every quote is verbatim in the note: {grounded}/{claims}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
