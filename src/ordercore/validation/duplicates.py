"""The duplicate-order rule: the same order entered twice.

An order is flagged when one of the context's `recent_orders` is a possible duplicate of it
in the sense risk's ``duplicate_orders`` feature counts too
([`is_possible_duplicate`][ordercore.validation.duplicates.is_possible_duplicate]): the same
customer and either the same customer purchase-order number (at any distance in time), or
the same lines — the same multiset of (SKU, quantity, unit) — received within a window of
each other, unless both carry purchase-order numbers and those differ (a genuine repeat
order). An order with the same id as the one under review is itself, not a duplicate.
Orders in the same `review_many` batch are not compared with each other: put them into
`recent_orders` to do that.

Examples:
    >>> from datetime import UTC, datetime, timedelta
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> def fax(order_id, hour):
    ...     return Order(order_id=order_id, customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...         channel="fax", currency="CNY", received_at=datetime(2026, 3, 2, hour, tzinfo=UTC),
    ...         lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                          unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, 12, tzinfo=UTC),
    ...                         recent_orders=[fax("SO-1", 9)])
    >>> [issue.code for issue in no_duplicate_order()(fax("SO-2", 11), context)]
    ['duplicate.same_lines']
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from ordercore._duplicates import (
    DEFAULT_DUPLICATE_WINDOW,
    DuplicateKey,
    DuplicateKind,
    duplicate_key,
    duplicate_kind,
    is_possible_duplicate,
)
from ordercore._durations import duration_text
from ordercore.validation._prepared import Prepared, prepared
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["DEFAULT_DUPLICATE_WINDOW", "is_possible_duplicate", "no_duplicate_order"]

_NAME: Final = "no_duplicate_order"


def no_duplicate_order(*, window: timedelta = DEFAULT_DUPLICATE_WINDOW) -> Rule:
    """The order is not a second entry of a recent order.

    Codes: ``duplicate.same_po`` (same customer, same purchase-order number) and
    ``duplicate.same_lines`` (same customer, same lines, received within `window`;
    a gap of exactly `window` still counts).

    Args:
        window: How far apart two orders with the same lines may be received.

    Raises:
        ValueError: If `window` is negative.
    """
    if window < timedelta(0):
        raise ValueError(f"window must not be negative, got {window}")

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        if not context.recent_orders:
            return []
        found = _find(order, prepared(context), window)
        if found is None:
            return []
        kind, other = found
        if kind == "same_po":
            return [
                make_issue(
                    "duplicate.same_po",
                    rule=_NAME,
                    path="customer_po",
                    observed=order.customer_po,
                    expected="a purchase order not used before",
                    other=other.order_id,
                )
            ]
        return [
            make_issue(
                "duplicate.same_lines",
                rule=_NAME,
                path="lines",
                observed=other.received_at.isoformat(),
                expected=duration_text(window),
                other=other.order_id,
                window=duration_text(window),
                window_zh=duration_text(window, "zh"),
            )
        ]

    return Rule(_NAME, check, (("window", window),), "The order is not entered twice.")


def _find(
    order: Order, helper: Prepared, window: timedelta
) -> tuple[DuplicateKind, DuplicateKey] | None:
    """The first recent order that is a possible duplicate (same purchase order first).

    The indexes only narrow down the candidates to those `duplicate_kind` can accept: a
    same-PO duplicate carries the order's purchase-order number, a same-lines one has its
    set of SKUs and was received within `window` of it. `duplicate_kind` decides.
    """
    customer_id = order.customer.customer_id
    own: DuplicateKey | None = None
    po = order.customer_po
    if po:
        candidates = helper.recent_same_po(customer_id, po)
        if candidates:
            own = duplicate_key(order)
            for other in candidates:
                kind = duplicate_kind(own, other, window)
                if kind is not None:
                    return kind, other
    if not helper.recent_within(customer_id, order.received_at, window):
        return None  # no recent order of the customer is near enough to have the same lines
    candidates = helper.recent_same_skus(order)
    if not candidates:
        return None
    if own is None:
        own = duplicate_key(order)
    for other in candidates:
        kind = duplicate_kind(own, other, window)
        if kind is not None:
            return kind, other
    return None
