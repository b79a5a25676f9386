"""The `personagen lint` engine: hold stored or hand-edited copy to the generation rules.

The rules are the `checks` functions the copy models validate with, applied to the raw JSON
(so a hand edit that breaks a hard limit is reported, not refused on load) and to the
ad-platform CSV exports:

- limits: hard limits (error) and recommended limits (warning) from the channel registry,
  item counts and repeated entries (`checks.limits.check_fields`);
- banned phrases from the brief (error) and AI-sounding phrases (warning);
- the claims guard: figures and customer names the brief's proof points do not back (error);
- unknown or malformed personalisation tokens (error);
- reading grade above the brief's `voice.max_reading_grade` (warning), per piece of copy;
- near-duplicate variants or sequence steps within a set (error);
- e-mail footers without the brief's opt-out line or postal address (error).

Modules: `rules` (rules on one text), `drafts` (walking a stored draft by its channel's
shape), `csv_files` (CSV exports) and `files` (collecting files, `lint_paths`). Every
channel table comes from the channel registry (`personagen.channels`) and the draft models
(`personagen.models.copy`), so a channel registered at run time is linted too. Everything
is pure except `lint_paths` and the loaders, which read files and raise `InputError` for
anything unreadable. Without a brief, the brief-dependent rules are skipped and one
warning says so.
"""

from personagen.lint.csv_files import (
    MAX_CSV_BYTES,
    csv_channel,
    csv_columns,
    csv_names,
    lint_csv,
    lint_csv_rows,
    load_csv,
)
from personagen.lint.drafts import lint_artifact, lint_draft, shape_findings, walk_texts
from personagen.lint.files import (
    BRIEF_MISSING,
    LintFinding,
    LintResult,
    collect_files,
    lint_file,
    lint_paths,
    load_artifact,
)
from personagen.lint.rules import (
    duplicate_findings,
    footer_findings,
    grade_finding,
    problem_finding,
    text_findings,
)
from personagen.models.copy_base import NOT_COPY

__all__ = [
    "BRIEF_MISSING",
    "MAX_CSV_BYTES",
    "NOT_COPY",
    "LintFinding",
    "LintResult",
    "collect_files",
    "csv_channel",
    "csv_columns",
    "csv_names",
    "duplicate_findings",
    "footer_findings",
    "grade_finding",
    "lint_artifact",
    "lint_csv",
    "lint_csv_rows",
    "lint_draft",
    "lint_file",
    "lint_paths",
    "load_artifact",
    "load_csv",
    "problem_finding",
    "shape_findings",
    "text_findings",
    "walk_texts",
]
