from __future__ import annotations

import pytest

from _lifecycle_support import AT, CLERK
from _validation_support import good_order, make_context, profile
from ordercore import GuardRejected, Order, OrderStatus
from ordercore.lifecycle import Approve, StartReview, Submit, apply, create
from ordercore.validation import review


def _under_review(order: Order) -> Order:
    order, _ = create(order, at=AT, actor=CLERK)
    order, _ = apply(order, Submit(), at=AT, actor=CLERK)
    order, _ = apply(order, StartReview(), at=AT, actor=CLERK)
    return order


def test_a_passing_review_result_approves_the_order() -> None:
    order = _under_review(good_order())
    approved, _ = apply(order, Approve(verdict=review(order, make_context())), at=AT, actor=CLERK)
    assert approved.status is OrderStatus.APPROVED


def test_a_failing_review_result_is_refused_with_its_reasons() -> None:
    order = _under_review(good_order())
    context = make_context(customers={"C-1": profile(blocked=True)})
    with pytest.raises(GuardRejected, match=r"customer C-1 is blocked .*\[credit\.blocked\]"):
        apply(order, Approve(verdict=review(order, context)), at=AT, actor=CLERK)


def test_a_review_of_an_older_version_cannot_approve_a_changed_order() -> None:
    draft = good_order()
    verdict = review(draft, make_context())
    order = _under_review(draft.model_copy(update={"version": 5, "content_version": 5}))
    with pytest.raises(GuardRejected, match="review it again"):
        apply(order, Approve(verdict=verdict), at=AT, actor=CLERK)
