from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from _validation_support import RECEIVED, codes, good_order, make_context, make_line
from ordercore import CustomerRef
from ordercore.validation.duplicates import no_duplicate_order

EARLIER = good_order(order_id="SO-0", received_at=RECEIVED - timedelta(days=1))


def _check(order: object, *recent: object) -> list[str]:
    context = make_context(recent_orders=recent)
    return codes(no_duplicate_order()(order, context))  # type: ignore[arg-type]


def test_the_same_lines_from_the_same_customer_within_the_window_are_a_duplicate() -> None:
    assert _check(good_order(), EARLIER) == ["duplicate.same_lines"]


def test_lines_in_another_order_are_still_the_same_lines() -> None:
    lines = [make_line("b", sku="NUT-M8"), make_line("a")]
    assert _check(good_order(lines=lines), EARLIER) == ["duplicate.same_lines"]


def test_a_different_quantity_is_not_a_duplicate() -> None:
    lines = [make_line("1", quantity=Decimal(20)), make_line("2", sku="NUT-M8")]
    assert _check(good_order(lines=lines), EARLIER) == []


def test_another_customer_is_not_a_duplicate() -> None:
    other = good_order(customer=CustomerRef(customer_id="C-2", name="Other"))
    assert _check(other, EARLIER) == []


def test_an_order_outside_the_window_is_not_a_duplicate() -> None:
    old = good_order(order_id="SO-0", received_at=RECEIVED - timedelta(days=3, seconds=1))
    assert _check(good_order(), old) == []


def test_an_order_exactly_at_the_window_is_a_duplicate() -> None:
    old = good_order(order_id="SO-0", received_at=RECEIVED - timedelta(days=3))
    assert _check(good_order(), old) == ["duplicate.same_lines"]


def test_the_order_itself_in_recent_orders_is_not_a_duplicate() -> None:
    assert _check(good_order(), good_order()) == []


def test_different_purchase_orders_make_a_repeat_order_not_a_duplicate() -> None:
    earlier = good_order(order_id="SO-0", customer_po="PO-1")
    assert _check(good_order(customer_po="PO-2"), earlier) == []


def test_the_same_purchase_order_is_a_duplicate_whatever_the_lines() -> None:
    earlier = good_order(
        order_id="SO-0", customer_po="PO-1", received_at=RECEIVED - timedelta(days=60)
    )
    lines = [make_line("1", quantity=Decimal(500))]
    assert _check(good_order(customer_po="PO-1", lines=lines), earlier) == ["duplicate.same_po"]


def test_the_duplicate_issue_names_the_other_order() -> None:
    issue = no_duplicate_order()(good_order(), make_context(recent_orders=(EARLIER,)))[0]
    assert "SO-0" in issue.message_en
    assert "SO-0" in issue.message_zh


def test_a_shorter_window_is_honoured() -> None:
    rule = no_duplicate_order(window=timedelta(hours=12))
    assert rule(good_order(), make_context(recent_orders=(EARLIER,))) == []


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        no_duplicate_order(window=timedelta(days=-1))


@pytest.mark.parametrize(
    ("gap", "expected"), [(timedelta(days=3), 1), (timedelta(days=3, seconds=1), 0)]
)
def test_the_window_reaches_as_far_after_the_order_as_before(gap: timedelta, expected: int) -> None:
    later = good_order(order_id="SO-0", received_at=RECEIVED + gap)
    assert _check(good_order(), later) == ["duplicate.same_lines"] * expected


def test_a_duplicate_between_much_older_and_much_newer_orders_is_found() -> None:
    lines = [make_line("1", quantity=Decimal(20))]
    older = good_order(order_id="SO-0", received_at=RECEIVED - timedelta(days=30), lines=lines)
    newer = good_order(order_id="SO-2", received_at=RECEIVED + timedelta(days=10), lines=lines)
    assert _check(good_order(), older, EARLIER, newer) == ["duplicate.same_lines"]
