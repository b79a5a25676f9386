"""Revenue is optional in an ICP: a profile without it loads and its prompts say nothing of it."""

from __future__ import annotations

from personagen.inputs.citable import citable_note
from personagen.llm import render
from personagen.pipeline.personas import extraction_variables, note_parts
from tests.helpers import example_icp, note


def _extraction_prompt(with_revenue: bool) -> str:
    icp = example_icp()
    if not with_revenue:
        icp = icp.model_validate(icp.model_dump(exclude={"revenue"}))
    dana = note("dana", "Interviewer: Why?\n\nDana: Churn is always a surprise for us.")
    citable = citable_note(dana)
    (part,) = note_parts(citable, 10_000)
    return render("extract_insights", extraction_variables(icp, dana, citable, part, 1)).user


def test_an_icp_without_revenue_is_valid_and_its_prompt_leaves_revenue_out() -> None:
    assert (
        example_icp().model_validate(example_icp().model_dump(exclude={"revenue"})).revenue is None
    )
    without = _extraction_prompt(with_revenue=False)
    assert "- Employees: 200-500\n" in without and "annual revenue" not in without


def test_an_icp_with_revenue_still_names_it() -> None:
    assert "- Employees: 200-500; annual revenue: 10,000,000-50,000,000 USD" in (
        _extraction_prompt(with_revenue=True)
    )
