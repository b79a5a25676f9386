"""Message–persona fit of stored copy: `checks.fit` fed from personas and artifacts.

The formula is in `personagen.checks.fit`. The vocabulary of each persona is weighed
against the other personas of the same run (the personas given here), in the language
the artifact records (`language`; English when it records none). The deck shows a
fit block per channel (`fit_markdown`); the report shows the same numbers per piece.
"""

from __future__ import annotations

from collections.abc import Sequence

from personagen.channels import get_channel
from personagen.checks.fit import Claim, Fit, Vocabulary, copy_fit, language_of, vocabularies
from personagen.export.lines import PIECE_NOUNS, piece_texts
from personagen.export.markdown import md_code, md_inline
from personagen.models.artifacts import CopyArtifact
from personagen.models.persona import Persona

__all__ = ["Fit", "FitContext", "fit_markdown", "persona_claims"]

# How many of the persona's words a piece uses are named, most distinctive first.
SHOWN_WORDS = 5


def persona_claims(persona: Persona) -> list[Claim]:
    """The persona's items as plain claims."""
    return [
        Claim(item.id, item.text, section, item.confidence)
        for section, items in persona.items().items()
        for item in items
    ]


def persona_quotes(persona: Persona) -> list[str]:
    """Every distinct evidence quote of the persona, in order."""
    quotes = (e.quote for items in persona.items().values() for i in items for e in i.evidence)
    return list(dict.fromkeys(quotes))


class FitContext:
    """The personas of a run, ready to measure the fit of any of their copy."""

    def __init__(self, personas: Sequence[Persona]) -> None:
        self.personas = {p.id: p for p in personas}
        self._quotes = {pid: persona_quotes(p) for pid, p in self.personas.items()}
        self._vocabularies: dict[str, dict[str, Vocabulary]] = {}

    def vocabulary(self, persona_id: str, language: str | None) -> Vocabulary:
        """The persona's vocabulary in a language (computed once per language)."""
        lang = language_of(language)
        if lang not in self._vocabularies:
            self._vocabularies[lang] = vocabularies(self._quotes, lang)
        return self._vocabularies[lang][persona_id]

    def of(self, artifact: CopyArtifact) -> Fit | None:
        """The artifact's fit; None when its persona is not among the personas."""
        persona = self.personas.get(artifact.persona_id)
        if persona is None:
            return None
        language = artifact.language
        vocabulary = self.vocabulary(persona.id, language)
        return copy_fit(piece_texts(artifact), persona_claims(persona), vocabulary, language)

    def __call__(self, artifact: CopyArtifact) -> list[str]:
        """The artifact's fit block for its deck (`fit_markdown`)."""
        shape = get_channel(artifact.channel).shape
        return fit_markdown(self.of(artifact), PIECE_NOUNS.get(shape, "piece"))


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(md_code(i) for i in ids) or "none"


def fit_markdown(fit: Fit | None, noun: str) -> list[str]:
    """The deck's fit block of one channel: the copy set's score, what no piece addresses,
    and a table of the pieces by fit, best first (the copy above keeps its order)."""
    if fit is None:
        return ["**Fit with the persona:** not measured (no persona file for this copy)."]
    lines = [
        f"**Fit with the persona:** {fit.score}/100 · addresses {len(fit.covered)} of "
        f"{fit.targets} pains, goals and objections ({fit.coverage:.0%} weighted by "
        "confidence)",
        "",
    ]
    if fit.uncovered_high:
        missed = "; ".join(f"{md_code(c.id)} {md_inline(c.text)}" for c in fit.uncovered_high)
        lines += [f"High-confidence items no {noun} addresses: {missed}", ""]
    lines += [
        f"| {noun.capitalize()} | Fit | Pains, goals, objections | Aim | Persona words |",
        "|---:|---:|---|---:|---|",
    ]
    for piece in fit.ranked():
        used = ", ".join(piece.used[:SHOWN_WORDS])
        words = f"{piece.words:.0%}" + (f": {md_inline(used)}" if used else "")
        lines.append(
            f"| {piece.number} | {piece.score} | {_ids(piece.addressed)} | "
            f"{piece.aim:.2f} | {words} |"
        )
    return lines
