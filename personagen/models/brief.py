"""The campaign brief: what copy may say about the product, and how it must sound."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Self
from urllib.parse import urlparse

from pydantic import Field, field_validator, model_validator

from personagen.languages import LanguageTag
from personagen.models.base import StrictModel
from personagen.models.stages import StageOverride, check_overrides
from personagen.models.utm import UtmTags

if TYPE_CHECKING:  # the claims guard loads when claims are checked, not with every brief
    from personagen.checks.claims import ClaimSources


def _web_url(url: str) -> str:
    """Return `url` when it is an absolute http(s) URL; raise ValueError otherwise."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    return url


class Product(StrictModel):
    """The product the campaign sells."""

    name: str = Field(min_length=1, description="Product name as it appears in copy.")
    description: str = Field(min_length=1, description="What it does, in a sentence or two.")


class Offer(StrictModel):
    """What the reader is asked to do."""

    name: str = Field(min_length=1, description="The offer, e.g. '14-day free trial'.")
    call_to_action: str = Field(min_length=1, description="The ask, e.g. 'Book a 20-minute demo'.")
    url: str = Field(description="Landing page (http or https).")

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        return _web_url(url)


class ProofPoint(StrictModel):
    """A fact copy may cite: the only place figures and results may come from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable id, e.g. 'close-time'.")
    text: str = Field(min_length=1, description="The fact, with its figures, e.g. 'Cut close 40%'.")
    source: str = Field(min_length=1, description="Where it comes from (case study, report).")


class Voice(StrictModel):
    """How the copy must sound."""

    tone: str = Field(min_length=1, description="e.g. 'plain, direct, no hype'.")
    max_reading_grade: float = Field(
        default=9,
        gt=0,
        description="Highest school grade the copy may read at, by the formula of its "
        "language (en Flesch-Kincaid, de Wiener Sachtextformel, fr Kandel-Moles, es Fernández "
        "Huerta; ease scores are read as grades).",
    )
    formality: Literal["formal", "informal"] | None = Field(
        default=None,
        description="How copy addresses the reader: formal (Sie, vous, usted) or informal (du, "
        "tu, tú); in English it sets the tone only. Default: the language's usual B2B form.",
    )
    banned_phrases: list[str] = Field(default_factory=list, description="Phrases never to use.")
    required_terms: list[str] = Field(
        default_factory=list, description="Terms the copy must use (e.g. the product category)."
    )


class EmailCompliance(StrictModel):
    """What every commercial e-mail must carry (CAN-SPAM, GDPR/PECR)."""

    sender_name: str = Field(min_length=1, description="The real person or company sending.")
    postal_address: str = Field(min_length=1, description="The sender's physical postal address.")
    opt_out_text: str = Field(min_length=1, description="How to unsubscribe, e.g. 'Reply STOP'.")
    opt_out_url: str | None = Field(default=None, description="Unsubscribe link (http or https).")

    @field_validator("opt_out_url")
    @classmethod
    def _http(cls, url: str | None) -> str | None:
        return None if url is None else _web_url(url)


class Brief(StrictModel):
    """A campaign brief: the product, offer, proof and voice every piece of copy must follow."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short slug, e.g. 'q3-close'.")
    product: Product
    value_propositions: list[str] = Field(min_length=1, description="Why buyers choose us.")
    offer: Offer
    proof_points: list[ProofPoint] = Field(
        default_factory=list, description="Facts copy may cite; no other figures are allowed."
    )
    customers_allowed: list[str] = Field(
        default_factory=list, description="Customers copy may name (with their permission)."
    )
    customers_forbidden: list[str] = Field(
        default_factory=list,
        description="Customers and competitors copy must never name.",
    )
    voice: Voice
    email_compliance: EmailCompliance | None = Field(
        default=None, description="Sender details; needed to write e-mail sequences."
    )
    language: LanguageTag | None = Field(
        default=None,
        description="Language of the copy, a BCP 47 tag (en, en-GB, de, de-AT, fr, es); the "
        "campaign's language and --language win over it. Default: en.",
    )
    stages: dict[str, StageOverride] = Field(
        default_factory=dict, description="Goal or call to action per journey stage."
    )
    utm: UtmTags | None = Field(default=None, description="Tracking tags for landing pages.")

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, stages: dict[str, StageOverride]) -> dict[str, StageOverride]:
        return check_overrides(stages)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [p.id for p in self.proof_points]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"proof point ids must be unique; repeated: {', '.join(repeated)}")
        allowed = {name.casefold() for name in self.customers_allowed}
        both = [name for name in self.customers_forbidden if name.casefold() in allowed]
        if both:
            raise ValueError(
                f"customers both allowed and forbidden: {', '.join(both)}; keep each in one list"
            )
        return self

    def proof_ids(self) -> set[str]:
        """Ids of the proof points."""
        return {p.id for p in self.proof_points}

    def claims_context(self) -> ClaimSources:
        """Keyword arguments for `find_unsupported_claims`: where copy may take claims from.

        Figures may come from the proof points, and also from the offer (a '14-day trial'
        is ours to state). The compliance footer backs no figure ('Suite 300' is no '300
        teams'); copy that repeats it is not held to its numbers.
        """
        texts = [p.text for p in self.proof_points] + [self.offer.name, self.offer.call_to_action]
        texts += [s.call_to_action for s in self.stages.values() if s.call_to_action]
        own = [self.product.name]
        footer: list[str] = []
        if self.email_compliance is not None:
            compliance = self.email_compliance
            footer = [compliance.sender_name, compliance.postal_address, compliance.opt_out_text]
            own.append(compliance.sender_name)
        sources: ClaimSources = {
            "proof_texts": texts,
            "allowed_customers": list(self.customers_allowed),
            "known_customers": list(self.customers_forbidden),
            "own_names": own,
            "footer_texts": footer,
            "language": self.language,
        }
        return sources

    def in_language(self, language: str | None) -> Brief:
        """This brief with its copy in `language` (a campaign's or a flag's), when given."""
        return self if language is None else self.model_copy(update={"language": language})
