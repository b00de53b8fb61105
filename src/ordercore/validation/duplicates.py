"""The duplicate-order rule: the same order entered twice.

Two orders are duplicates when they come from the same customer and either carry the same
customer purchase-order number (at any distance in time), or have the same lines — the same
multiset of (SKU, quantity, unit) — and were received within a window of each other, unless
both carry purchase-order numbers and those differ (a genuine repeat order). Candidates are
the context's `recent_orders`; an order with the same id as the one under review is itself,
not a duplicate. Orders in the same `review_many` batch are not compared with each other:
put them into `recent_orders` to do that.

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

from ordercore.validation._prepared import Prepared, RecentEntry, prepared, signature
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["DEFAULT_DUPLICATE_WINDOW", "no_duplicate_order"]

_NAME: Final = "no_duplicate_order"

DEFAULT_DUPLICATE_WINDOW: Final = timedelta(days=3)
"""Orders with the same lines received within three days of each other are duplicates."""


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
        kind, (other_id, other_received, _, _) = found
        if kind == "po":
            return [
                make_issue(
                    "duplicate.same_po",
                    rule=_NAME,
                    path="customer_po",
                    observed=order.customer_po,
                    expected="a purchase order not used before",
                    other=other_id,
                )
            ]
        return [
            make_issue(
                "duplicate.same_lines",
                rule=_NAME,
                path="lines",
                observed=other_received.isoformat(),
                expected=str(window),
                other=other_id,
            )
        ]

    return Rule(_NAME, check, (("window", window),), "The order is not entered twice.")


def _find(order: Order, helper: Prepared, window: timedelta) -> tuple[str, RecentEntry] | None:
    own_po = order.customer_po
    if own_po:
        for entry in helper.recent_same_po(order.customer.customer_id, own_po):
            if entry[0] != order.order_id:
                return ("po", entry)
    if not helper.recent_within(order.customer.customer_id, order.received_at, window):
        return None  # no recent order of the customer is near enough to have the same lines
    same_lines = _same_lines(order, helper.recent_same_skus(order), window)
    return None if same_lines is None else ("lines", same_lines)


def _same_lines(
    order: Order, candidates: list[RecentEntry], window: timedelta
) -> RecentEntry | None:
    """The first candidate with the order's lines, received within `window`, not a repeat."""
    own_id = order.order_id
    own_po = order.customer_po
    received = order.received_at
    own_lines = None
    for entry in candidates:
        other_id, other_received, other_lines, other_po = entry
        if other_id == own_id or (own_po and other_po):
            continue  # itself, or a repeat order under another purchase order
        if abs(received - other_received) > window:
            continue
        if own_lines is None:
            own_lines = signature(order)
        if own_lines == other_lines:
            return entry
    return None
