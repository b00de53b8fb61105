"""One definition of a possible duplicate: review's rule and risk's feature find the same orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support import RECEIVED, make_line, make_order
from ordercore import CustomerRef, Order
from ordercore._duplicates import DEFAULT_DUPLICATE_WINDOW, duplicate_key, duplicate_kind
from ordercore.context import ReviewContext
from ordercore.risk.features import features_of
from ordercore.validation.duplicates import is_possible_duplicate, no_duplicate_order

WINDOW = DEFAULT_DUPLICATE_WINDOW
TICK = timedelta(microseconds=1)
LINES = [make_line("1"), make_line("2", sku="NUT-M8")]  # the lines of `make_order()`


def _other(**overrides: Any) -> Order:
    values: dict[str, Any] = {"order_id": "SO-0"}
    values.update(overrides)
    return make_order(**values)


def _with_po(po: str, **overrides: Any) -> Order:
    return make_order(customer_po=po, **overrides)


# (order under review, a recent order, whether the recent order is a possible duplicate)
CASES: dict[str, tuple[Order, Order, bool]] = {
    "same lines, received exactly the window before": (
        make_order(),
        _other(received_at=RECEIVED - WINDOW),
        True,
    ),
    "same lines, received exactly the window after": (
        make_order(),
        _other(received_at=RECEIVED + WINDOW),
        True,
    ),
    "same lines, one microsecond past the window before": (
        make_order(),
        _other(received_at=RECEIVED - WINDOW - TICK),
        False,
    ),
    "same lines, one microsecond past the window after": (
        make_order(),
        _other(received_at=RECEIVED + WINDOW + TICK),
        False,
    ),
    "same lines in another order": (make_order(), _other(lines=LINES[::-1]), True),
    "same quantity written with more decimals": (
        make_order(),
        _other(lines=[make_line("1", quantity=Decimal("10.00")), LINES[1]]),
        True,
    ),
    "same SKU in another unit": (
        make_order(),
        _other(lines=[make_line("1", uom="box"), LINES[1]]),
        False,
    ),
    "same SKU in another quantity": (
        make_order(),
        _other(lines=[make_line("1", quantity=Decimal(11)), LINES[1]]),
        False,
    ),
    "one line more": (
        make_order(),
        _other(lines=[*LINES, make_line("3", sku="WASHER-8")]),
        False,
    ),
    "the same SKU on two lines instead of one": (
        make_order(),
        _other(lines=[*LINES, make_line("3")]),
        False,
    ),
    "another customer": (
        make_order(),
        _other(customer=CustomerRef(customer_id="C-2", name="Other")),
        False,
    ),
    "the order itself": (make_order(), make_order(), False),
    "the same purchase order, other lines, long ago": (
        _with_po("PO-1"),
        _other(
            customer_po="PO-1",
            received_at=RECEIVED - timedelta(days=400),
            lines=[make_line("1", quantity=Decimal(500))],
        ),
        True,
    ),
    "the same purchase order from another customer": (
        _with_po("PO-1"),
        _other(customer_po="PO-1", customer=CustomerRef(customer_id="C-2", name="Other")),
        False,
    ),
    "same lines under different purchase orders": (
        _with_po("PO-1"),
        _other(customer_po="PO-2"),
        False,
    ),
    "same lines, only the order under review has a purchase order": (
        _with_po("PO-1"),
        _other(),
        True,
    ),
    "same lines, only the recent order has a purchase order": (
        make_order(),
        _other(customer_po="PO-2"),
        True,
    ),
    "same lines, an empty purchase order counts as none": (
        _with_po(""),
        _other(customer_po="PO-2"),
        True,
    ),
}


def _review_flags(order: Order, recent: tuple[Order, ...], window: timedelta = WINDOW) -> bool:
    context = ReviewContext(as_of=RECEIVED, recent_orders=recent)
    return bool(no_duplicate_order(window=window)(order, context))


def _risk_counts(order: Order, recent: tuple[Order, ...]) -> int | None:
    context = ReviewContext(as_of=RECEIVED, recent_orders=recent)
    return features_of(order, context, as_of=RECEIVED).duplicate_orders


@pytest.mark.parametrize(("order", "other", "expected"), CASES.values(), ids=list(CASES))
def test_review_and_risk_agree_on_the_edge_cases(
    order: Order, other: Order, expected: bool
) -> None:
    assert _review_flags(order, (other,)) is expected
    assert _risk_counts(order, (other,)) == int(expected)
    assert is_possible_duplicate(order, other) is expected


def test_risk_counts_every_recent_order_review_would_flag() -> None:
    base = make_order()
    recent = tuple(
        other.model_copy(update={"order_id": f"SO-{index + 100}"})
        for index, (order, other, _) in enumerate(CASES.values())
        if order == base and other.order_id != base.order_id
    )
    flagged = [other for other in recent if _review_flags(base, (other,))]
    assert len(flagged) == 5
    assert _risk_counts(base, recent) == len(flagged)


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window must not be negative"):
        is_possible_duplicate(make_order(), _other(), window=-TICK)


def test_same_lines_are_a_duplicate_of_kind_same_lines() -> None:
    assert duplicate_kind(duplicate_key(make_order()), duplicate_key(_other())) == "same_lines"


def test_the_same_purchase_order_is_a_duplicate_of_kind_same_po() -> None:
    kind = duplicate_kind(
        duplicate_key(_with_po("PO-1")), duplicate_key(_other(customer_po="PO-1"))
    )
    assert kind == "same_po"


def test_a_key_holds_the_lines_as_a_sorted_multiset() -> None:
    lines = [make_line("1", sku="NUT-M8"), make_line("2"), make_line("3", sku="NUT-M8")]
    assert duplicate_key(make_order(lines=lines)).lines == (
        ("BOLT-M8", Decimal(10), "pcs"),
        ("NUT-M8", Decimal(10), "pcs"),
        ("NUT-M8", Decimal(10), "pcs"),
    )


def test_a_key_works_out_its_lines_only_when_a_comparison_gets_that_far() -> None:
    own = duplicate_key(make_order())
    elsewhere = duplicate_key(_other(customer=CustomerRef(customer_id="C-2", name="Other")))
    assert duplicate_kind(own, elsewhere) is None
    assert (own._lines, elsewhere._lines) == (None, None)


def test_a_key_keeps_its_lines_once_worked_out() -> None:
    key = duplicate_key(make_order())
    assert key.lines is key.lines


# --- the same in general -----------------------------------------------------------------

_LINE_SETS = [
    LINES,
    LINES[::-1],
    [make_line("1", uom="box"), LINES[1]],
    [make_line("1", quantity=Decimal(20)), LINES[1]],
    LINES[:1],
]
_OFFSETS = [
    timedelta(0),
    WINDOW,
    -WINDOW,
    WINDOW + TICK,
    -WINDOW - TICK,
    timedelta(hours=1),
    timedelta(days=-60),
]


@st.composite
def _orders(draw: st.DrawFn) -> Order:
    return make_order(
        order_id=draw(st.sampled_from(["SO-1", "SO-2", "SO-3", "SO-4"])),
        customer=CustomerRef(customer_id=draw(st.sampled_from(["C-1", "C-2"])), name="x"),
        customer_po=draw(st.sampled_from([None, "", "PO-1", "PO-2"])),
        received_at=RECEIVED + draw(st.sampled_from(_OFFSETS)),
        lines=draw(st.sampled_from(_LINE_SETS)),
    )


@given(_orders(), st.lists(_orders(), max_size=5).map(tuple))
def test_risk_counts_the_recent_orders_that_are_possible_duplicates(
    order: Order, recent: tuple[Order, ...]
) -> None:
    assert _risk_counts(order, recent) == sum(is_possible_duplicate(order, o) for o in recent)


@given(_orders(), st.lists(_orders(), max_size=5).map(tuple))
def test_review_flags_an_order_exactly_when_risk_counts_a_duplicate(
    order: Order, recent: tuple[Order, ...]
) -> None:
    assert _review_flags(order, recent) == bool(_risk_counts(order, recent))


@given(_orders(), st.lists(_orders(), max_size=5).map(tuple))
def test_the_order_review_names_is_a_possible_duplicate(
    order: Order, recent: tuple[Order, ...]
) -> None:
    context = ReviewContext(as_of=RECEIVED, recent_orders=recent)
    for issue in no_duplicate_order()(order, context):
        named = [o for o in recent if issue.message_en.startswith(f"order {o.order_id} ")]
        assert any(is_possible_duplicate(order, o) for o in named)


@given(_orders(), _orders(), st.sampled_from([timedelta(0), timedelta(hours=1), WINDOW]))
def test_review_with_any_window_flags_what_the_definition_says(
    order: Order, other: Order, window: timedelta
) -> None:
    expected = is_possible_duplicate(order, other, window=window)
    assert _review_flags(order, (other,), window) is expected


@given(_orders(), _orders())
def test_being_a_possible_duplicate_is_symmetric(first: Order, second: Order) -> None:
    assert is_possible_duplicate(first, second) is is_possible_duplicate(second, first)
