from __future__ import annotations

from ordercore.testing.factories import make_customer, make_order, make_review_context
from ordercore.validation import review


def test_review_result_rich_display_lists_every_issue_in_both_languages() -> None:
    result = review(make_order(customer=make_customer("C-404")), make_review_context())
    html = result._repr_html_()
    assert "failed" in html
    assert "customer.unknown" in html
    assert "说明" in html
