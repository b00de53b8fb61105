"""The capacity rule: a promised date the free capacity can meet.

The capacity an order needs is the sum over its lines of open quantity ×
`Product.capacity_per_unit`; the capacity available is the free capacity of
`ReviewContext.capacity` summed over the days from the review day to the promised day, both
included (a day not listed has none). Each order is checked alone against the whole free
capacity: two orders of 100 hours against 150 free hours both pass.

When the context carries a promise engine (`ReviewContext.promise`), the rule asks it
instead, so the capacity, stock and material that competing orders take are seen: the
order passes when the engine can deliver it in full by the promised day, and otherwise
gets ``promise.date_not_kept`` naming the binding constraint (`promise_issues`). Risk's
capacity factor reads the same answer.

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
    from ordercore.context import DeliveryPromise, ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["promise_issues", "promised_date_within_capacity"]

_NAME: Final = "promised_date_within_capacity"


def promise_issues(answer: DeliveryPromise | None, *, rule: str) -> list[Issue]:
    """The verdict on a promise engine's answer: ``promise.date_not_kept`` unless it is kept.

    The one definition of a promised date checked against an engine, read by the default
    rule and by `ordercore.promise.review.promised_date_within_plan`. No answer (nothing
    open) or no promised day passes; so does a delivery on the promised day itself.

    Args:
        answer: The engine's answer for the order.
        rule: The name of the rule reporting the issue.
    """
    if answer is None or answer.promised_on is None or answer.kept:
        return []
    delivery = answer.delivery_on
    if delivery is None:
        outcome = "cannot deliver in full within its horizon"
        outcome_zh = "计划期内无法全部交付"
    else:
        outcome = f"can deliver on {delivery} at the earliest"
        outcome_zh = f"计划最早 {delivery} 交付"
    return [
        make_issue(
            "promise.date_not_kept",
            rule=rule,
            path="promised_delivery_at",
            observed=answer.promised_on,
            expected=delivery,
            outcome=outcome,
            outcome_zh=outcome_zh,
            reason=answer.reason_en,
            reason_zh=answer.reason_zh,
        )
    ]


def promised_date_within_capacity() -> Rule:
    """The order's promised date is feasible against the free capacity until then.

    With a promise engine in `ReviewContext.promise`: the engine's answer decides, with
    competing orders seen (``promise.date_not_kept``, see `promise_issues`); the context's
    `capacity` and `calendar` are then not read. Without one: code
    ``capacity.insufficient`` (needed > available; exactly enough passes), the order alone
    against the free capacity. An order with no promised date, or needing no capacity,
    passes. Needs `ReviewContext.capacity` and `ReviewContext.calendar` (whose time zone
    turns timestamps into days) when there is no engine.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        source = context.promise
        if source is not None:
            if order.promised_delivery_at is None:
                return []
            return promise_issues(source.answer(order), rule=_NAME)
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
