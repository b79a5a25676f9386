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
- near-duplicate variants or sequence steps within a set, and rows of one ad group (error);
- cells and copy that a spreadsheet would run as a formula (error);
- e-mail footers without the brief's opt-out line or postal address (error).

Copy is read in its language (`--language`, else the one a copy JSON records, else the
brief's, else English): the reading-grade formula, figure words, customer phrasing, AI
phrases and banned-phrase spelling follow it (`personagen.languages`); a language without
lint data gets the language-neutral checks and one warning.

Modules: `rules` (rules on one text), `phrase_screen` (skipping phrase regexes that cannot
match), `drafts` (walking a stored draft by its channel's shape), `csv_read` (reading a
CSV, one error line for a broken one), `csv_channels` (which channel a CSV holds),
`csv_files` (rules on CSV exports) and `files` (collecting files, `lint_paths`, the
result and its per-rule cap for the table). Every
channel table comes from the channel registry (`personagen.channels`) and the draft models
(`personagen.models.copy`), so a channel registered at run time is linted too. Everything
is pure except `lint_paths` and the loaders, which read files and raise `InputError` for
anything unreadable. Without a brief, the brief-dependent rules are skipped and one
warning says so.
"""

from personagen.lint.csv_channels import csv_channel, csv_columns, csv_names
from personagen.lint.csv_files import lint_csv, lint_csv_rows, load_csv
from personagen.lint.csv_read import MAX_CSV_BYTES, CsvTable, read_csv
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
    formula_finding,
    grade_finding,
    problem_finding,
    text_findings,
)
from personagen.models.copy_base import NOT_COPY

__all__ = [
    "BRIEF_MISSING",
    "MAX_CSV_BYTES",
    "NOT_COPY",
    "CsvTable",
    "LintFinding",
    "LintResult",
    "collect_files",
    "csv_channel",
    "csv_columns",
    "csv_names",
    "duplicate_findings",
    "footer_findings",
    "formula_finding",
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
    "read_csv",
    "shape_findings",
    "text_findings",
    "walk_texts",
]
