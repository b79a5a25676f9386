"""The Ideal Customer Profile: which companies to target."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from personagen.models.base import StrictModel


class Range(StrictModel):
    """An inclusive numeric range; `max` may be omitted for open-ended ranges."""

    min: float = Field(ge=0, description="Lower bound, inclusive.")
    max: float | None = Field(default=None, ge=0, description="Upper bound, inclusive.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self

    def label(self) -> str:
        """Human-readable form, e.g. '200-500'."""
        top = "+" if self.max is None else f"-{self.max:,.0f}"
        return f"{self.min:,.0f}{top}"


class RevenueRange(Range):
    """Annual revenue range with its currency."""

    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD."
    )


class TechStack(StrictModel):
    """Technology the target company uses."""

    required: list[str] = Field(default_factory=list, description="Tools the company must use.")
    nice_to_have: list[str] = Field(default_factory=list, description="Tools that help fit.")


class BuyingProcess(StrictModel):
    """How the target company buys."""

    cycle_length: str = Field(description="Typical sales cycle, e.g. '3-6 months'.")
    stakeholders: list[str] = Field(
        default_factory=list, description="Roles involved in the purchase decision."
    )
    notes: str | None = Field(default=None, description="Anything else about how they buy.")


class ICP(StrictModel):
    """Ideal Customer Profile: the companies a campaign targets."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short slug naming this ICP, e.g. 'mid-saas'."
    )
    name: str = Field(description="Human-readable name of the segment.")
    industries: list[str] = Field(min_length=1, description="Target industries.")
    employees: Range = Field(description="Employee count range.")
    revenue: RevenueRange | None = Field(
        default=None, description="Annual revenue range; leave it out when unknown."
    )
    geographies: list[str] = Field(min_length=1, description="Regions or countries.")
    tech_stack: TechStack = Field(default_factory=TechStack)
    technological_maturity: Literal["low", "medium", "high"] = Field(
        description="How advanced the company's tooling and processes are."
    )
    pain_points: list[str] = Field(min_length=1, description="Company-level problems we solve.")
    buying_process: BuyingProcess
    disqualifiers: list[str] = Field(
        default_factory=list, description="Traits that rule a company out."
    )
