"""The report's "Why this line?" parts of a channel: its fit to the persona, its evidence.

`ReportChain.add` fills a channel's view with the message–persona fit (`export.fit`) and
the chain of evidence of every line (`export.evidence`). With `rank`, ad variants are
shown best fit first; they keep their numbers, so 'Variant 2' is the same ad in the deck,
the CSVs and the report. E-mails keep their sending order and objection answers the
persona's order: ranking applies to channels whose pieces are variants.
"""

from __future__ import annotations

from collections.abc import Sequence

from personagen.export.evidence import evidence_groups, line_traces
from personagen.export.fit import FitContext
from personagen.export.report_views import ChannelView
from personagen.models.artifacts import CopyArtifact
from personagen.models.brief import Brief
from personagen.models.persona import Persona

RANKED_SHAPES = ("variants",)


class ReportChain:
    """The personas and brief of a report, ready to add fit and evidence to its channels."""

    def __init__(self, personas: Sequence[Persona], brief: Brief | None, rank: bool) -> None:
        self.fits = FitContext(personas)
        self.brief = brief
        self.rank = rank

    def add(self, view: ChannelView, artifact: CopyArtifact) -> ChannelView:
        """`view` with its fit and evidence; its variants by fit when ranking."""
        view.fit = self.fits.of(artifact)
        persona = self.fits.personas.get(artifact.persona_id)
        view.evidence = evidence_groups(line_traces(artifact, persona, self.brief))
        if self.rank and view.fit is not None and view.shape in RANKED_SHAPES:
            score = {p.number: p.score for p in view.fit.pieces}
            view.pieces = sorted(view.pieces, key=lambda piece: -score.get(piece.n, -1))
        return view
