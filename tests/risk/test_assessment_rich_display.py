from __future__ import annotations

from ordercore.risk import RiskContext, assess
from ordercore.testing.factories import make_customer, make_order, make_review_context


def test_risk_assessment_rich_display_shows_score_and_reasons() -> None:
    context = make_review_context()
    assessment = assess(
        make_order(customer=make_customer("C-404")), RiskContext.of(context), as_of=context.as_of
    )
    html = assessment._repr_html_()
    assert f"{assessment.score} / 100" in html
    assert "unknown" in html
    assert "<script" not in html
