"""Rules on one text: phrases, tokens, claims, reading grade, near-duplicates, formula cells,
e-mail footer.

Every function here is pure and returns `Finding`s, the one result type of every check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from personagen.checks.findings import Finding, Severity
from personagen.checks.readability import formula_name, reading_grade
from personagen.checks.similarity import DEFAULT_THRESHOLD, repeats
from personagen.checks.tokens import token_problems
from personagen.lint.screens import screened_phrases, tokens_may_match
from personagen.text import formula_trigger

if TYPE_CHECKING:  # a brief is only passed through here; its model loads with it
    from personagen.models.brief import Brief

DEFAULT_FIX = "rewrite it"


def problem_finding(rule: str, severity: Severity, field: str, problem: str) -> Finding:
    """A check's 'what is wrong; what to do' sentence as a Finding.

    `token_problems` and `find_unsupported_claims` end every message with '; ' and a fix
    the tool writes itself (an allowed token, a constant instruction), which never holds
    '; '. The part before may quote the copy or the brief (a token, a customer list), which
    can, so the split is at the LAST '; '.
    """
    message, sep, fix = problem.rpartition("; ")
    if not sep:
        return Finding(rule, severity, field, problem, DEFAULT_FIX)
    return Finding(rule, severity, field, message, fix or DEFAULT_FIX)


def token_findings(text: str, field: str) -> list[Finding]:
    """Errors for malformed or unknown merge tokens in `text`."""
    if not tokens_may_match(text):
        return []
    return [problem_finding("token", "error", field, p) for p in token_problems(text)]


def claim_findings(
    text: str, field: str, brief: Brief, language: str | None = None
) -> list[Finding]:
    """Errors for figures and customer names in `text` that the brief does not back, read
    in `language` (None: the brief's)."""
    # Imported with the first brief: a lint without one never loads the claims guard.
    from personagen.checks.claims import find_unsupported_claims

    context = brief.claims_context()
    if language is not None:
        context["language"] = language
    problems = find_unsupported_claims(text, **context)
    return [problem_finding("unsupported-claim", "error", field, p) for p in problems]


def text_findings(
    text: str,
    field: str,
    brief: Brief | None,
    folded: str | None = None,
    language: str | None = None,
) -> list[Finding]:
    """Phrase, token and (with a brief) claims findings for one reader-facing text in
    `language` (None: the brief's, else English); `folded` is `lint.screens.fold(text)`
    when the caller has it already."""
    banned = brief.voice.banned_phrases if brief is not None else ()
    language = language or (brief.language if brief is not None else None)
    findings = screened_phrases(text, banned, field, folded, language)
    findings += token_findings(text, field)
    if brief is not None:
        findings += claim_findings(text, field, brief, language)
    return findings


def grade_finding(
    text: str, field: str, brief: Brief | None, language: str | None = None
) -> Finding | None:
    """A warning when `text` reads above the brief's maximum grade, measured by the
    formula of `language` (None: the brief's, else English)."""
    if brief is None or not text.strip():
        return None
    language = language or brief.language
    grade = reading_grade(text, language)
    limit = brief.voice.max_reading_grade
    if grade <= limit:
        return None
    return Finding(
        "reading-grade",
        "warning",
        field,
        f"reads at grade {grade:g} ({formula_name(language)}); the brief's voice allows at "
        f"most grade {limit:g}",
        "use shorter sentences and everyday words",
    )


def duplicate_findings(texts: Sequence[str], prefix: str, noun: str) -> list[Finding]:
    """An error for each piece that rewords an earlier piece of its set (`prefix[i]` names
    piece i), naming the first such earlier piece."""
    findings: list[Finding] = []
    for i, j, overlap in repeats(texts, DEFAULT_THRESHOLD).pairs:
        findings.append(
            Finding(
                "near-duplicate",
                "error",
                f"{prefix}[{j + 1}]",
                f"{noun}s {i + 1} and {j + 1} share {overlap:.0%} of their words "
                f"(limit {DEFAULT_THRESHOLD:.0%})",
                f"rewrite {noun} {j + 1} with a different angle",
            )
        )
    return findings


def formula_finding(text: str, field: str, import_file: bool = False) -> Finding | None:
    """An error when a spreadsheet would read `text` as a formula (CSV injection, OWASP).

    A cell starting with '=', '+', '-', '@' (or their full-width forms, also after leading
    spaces), a tab, a carriage return or a line feed runs as a formula when the CSV is
    opened in a spreadsheet. A leading single quote makes it text, so a review sheet cell
    written as "'=..." is fine; an import file must carry the ad text unchanged, so there
    the text itself has to change.
    """
    trigger = formula_trigger(text)
    if trigger is None:
        return None
    shown = repr(trigger) if trigger.isspace() else f"'{trigger}'"
    where = "starts with" if text.startswith(trigger) else "starts, after spaces, with"
    fix = f"start the text with a word or a figure instead of {shown}"
    if not import_file:
        fix += ", or put a single quote (') before it so spreadsheets show it as text"
    return Finding(
        "formula-cell",
        "error",
        field,
        f"{where} {shown}, so a spreadsheet would run it as a formula (CSV injection)",
        fix,
    )


def footer_findings(footer: str | None, brief: Brief | None) -> list[Finding]:
    """Errors when an e-mail footer lacks the brief's opt-out line or postal address."""

    def folded(text: str) -> str:
        return " ".join(text.casefold().split())

    compliance = brief.email_compliance if brief is not None else None
    if brief is not None and compliance is None:
        return [
            Finding(
                "email-compliance-unchecked",
                "warning",
                "footer",
                "the brief has no email_compliance, so the footer's opt-out and postal "
                "address were not checked",
                "add email_compliance (sender_name, postal_address, opt_out_text) to the brief",
            )
        ]
    if compliance is None:
        if footer and footer.strip():
            return []
        return [
            Finding(
                "email-footer",
                "error",
                "footer",
                "the emails have no footer; commercial email must carry the sender's postal "
                "address and a way to opt out (CAN-SPAM, GDPR/PECR)",
                "restore the footer with the sender, postal address and opt-out line",
            )
        ]
    text = folded(footer or "")
    lacks = "the footer lacks" if text else "the emails have no footer, so they lack"
    findings: list[Finding] = []
    if folded(compliance.opt_out_text) not in text:
        findings.append(
            Finding(
                "email-opt-out",
                "error",
                "footer",
                f"{lacks} the brief's opt-out line "
                f"({compliance.opt_out_text!r}); every commercial email must offer one",
                "restore the opt-out line from the brief's email_compliance.opt_out_text",
            )
        )
    if folded(compliance.postal_address) not in text:
        findings.append(
            Finding(
                "email-postal-address",
                "error",
                "footer",
                f"{lacks} the sender's postal address "
                f"({compliance.postal_address!r}); CAN-SPAM requires it",
                "restore the postal address from the brief's email_compliance.postal_address",
            )
        )
    return findings
