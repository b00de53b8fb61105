"""The capacity rule: a promised date the free capacity can meet.

The capacity an order needs is the sum over its lines of open quantity ×
`Product.capacity_per_unit`; the capacity available is the free capacity of
`ReviewContext.capacity` summed over the days from the review day to the promised day, both
included (a day not listed has none). Each order is checked alone against the whole free
capacity: sharing capacity between orders is the planning step's job, not review's.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import BusinessCalendar, CapacityView, Product, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="web", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     promised_delivery_at=datetime(2026, 3, 3, 12, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="GEAR", quantity=Decimal(10), uom="pcs",
    ...                      unit_price=Money.of("12", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC),
    ...     calendar=BusinessCalendar(),
    ...     products={"GEAR": Product(sku="GEAR", uom="pcs", capacity_per_unit=Decimal(2))},
    ...     capacity=CapacityView(free={date(2026, 3, 2): Decimal(8), date(2026, 3, 3): Decimal(8)}))
    >>> promised_date_within_capacity()(order, context)[0].message_en
    'promised for 2026-03-03 but the order needs 20 hours of capacity and only 16 hours are free until then'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.validation._prepared import order_facts, prepared
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule, missing_piece

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["promised_date_within_capacity"]

_NAME: Final = "promised_date_within_capacity"


def promised_date_within_capacity() -> Rule:
    """The order's promised date is feasible against the free capacity until then.

    Code: ``capacity.insufficient`` (needed > available; exactly enough passes). An order
    with no promised date, or needing no capacity, passes. Needs `ReviewContext.capacity`
    and `ReviewContext.calendar` (whose time zone turns timestamps into days).
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        capacity = context.capacity
        if capacity is None:
            raise missing_piece("capacity", _NAME)
        if context.calendar is None:
            raise missing_piece("calendar", _NAME)
        promised = order.promised_delivery_at
        if promised is None:
            return []
        facts = order_facts(order, context)
        needed = facts.capacity
        if not needed:
            return []
        helper = prepared(context)
        end = helper.order_days(order)[2]
        assert end is not None  # noqa: S101 - promised is set, checked above
        free = helper.free_until(capacity, end)
        if needed <= free:
            return []
        return [
            make_issue(
                "capacity.insufficient",
                rule=_NAME,
                path="promised_delivery_at",
                observed=needed,
                expected=free,
                date=end,
                unit=capacity.unit,
            )
        ]

    return Rule(_NAME, check, description="The promised date fits the free capacity.")
