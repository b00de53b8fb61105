"""Order review and risk with the engine's answer: promised dates checked with competing orders seen.

The core's review rule [`promised_date_within_capacity`][ordercore.validation.capacity.promised_date_within_capacity]
checks each order alone against the whole free capacity, so two orders of 100 hours against
150 free hours both pass. [`promised_date_within_plan`][ordercore.promise.review.promised_date_within_plan]
asks an [`AllocationPlan`][ordercore.promise.allocate.AllocationPlan] instead: an order the plan
holds is judged by its planned delivery day, any other by the promise answer for it on top of
the plan, so the capacity, stock and material other orders took are seen. The risk factor
[`PROMISE_CAPACITY`][ordercore.promise.review.PROMISE_CAPACITY] scores the same answer: the
business days its delivery falls after the order's due day, given to `assess` as an extra
feature by [`promise_features`][ordercore.promise.review.promise_features].

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order
    >>> from ordercore.context import ReviewContext
    >>> from ordercore.promise import allocate
    >>> from ordercore.promise.snapshot import (Item, OpenLine, OpenOrder, PromiseSnapshot,
    ...     Resource)
    >>> planned = OpenOrder(order_id="SO-1", received_at=datetime(2026, 3, 1, tzinfo=UTC),
    ...     lines=[OpenLine(line_id="1", sku="GEAR", location="P1", quantity=Decimal(100))])
    >>> plan = allocate(PromiseSnapshot(as_of=date(2026, 3, 2),
    ...     items=[Item(sku="GEAR", mode="make_to_order", resource="PRESS",
    ...                 hours_per_unit=Decimal(1))],
    ...     resources=[Resource(resource_id="PRESS", daily_capacity=Decimal(50))],
    ...     orders=[planned]))
    >>> second = Order.model_validate({"order_id": "SO-2", "channel": "web", "currency": "CNY",
    ...     "customer": CustomerRef(customer_id="C-1", name="Acme"),
    ...     "received_at": datetime(2026, 3, 1, 10, tzinfo=UTC),
    ...     "promised_delivery_at": datetime(2026, 3, 4, 12, tzinfo=UTC),
    ...     "lines": [{"line_id": "1", "sku": "GEAR", "quantity": Decimal(100), "uom": "pcs",
    ...                "unit_price": Money.of("5", "CNY")}]})
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC))
    >>> rule = promised_date_within_plan(plan, location="P1")
    >>> rule(second, context)[0].message_en
    'promised for 2026-03-04 but the plan can deliver on 2026-03-05 at the earliest: capacity of resource PRESS is booked until 2026-03-05'
    >>> promise_features(plan, second, location="P1")
    {'promise_delay_business_days': 1}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.promise.allocate import AllocationPlan
from ordercore.promise.errors import SnapshotError, UnknownReference
from ordercore.promise.snapshot import OpenOrder
from ordercore.risk.bands import Band, BandFactor
from ordercore.validation.issues import Issue, IssueSeverity
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from datetime import date

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.promise.constraints import Constraint

__all__ = [
    "PROMISE_CAPACITY",
    "PROMISE_DELAY_FEATURE",
    "promise_features",
    "promised_date_within_plan",
]

_RULE: Final = "promised_date_within_plan"
PROMISE_DELAY_FEATURE: Final = "promise_delay_business_days"
"""The extra feature `PROMISE_CAPACITY` reads: business days the engine's delivery day falls
after the order's due day (0 when on time; `None` when the order has no due day)."""

PROMISE_CAPACITY: Final = BandFactor(
    "promise_capacity",
    PROMISE_DELAY_FEATURE,
    (
        Band(1, 3, "promise_late", en="Plan delivers after the due date", zh="计划交付晚于交期"),
        Band(
            5,
            5,
            "promise_far_late",
            en="Plan delivers a week or more after the due date",
            zh="计划交付晚于交期一周以上",
        ),
    ),
    unit="days",
    unknown_points=0,
    unknown_en="No due date to compare the plan with",
    unknown_zh="无交期可与计划比较",
)
"""Business days the plan delivers after the due day: 1 scores 3, 5 or more score 5 (the
maximum of the built-in capacity factor, which it replaces in a policy)."""


def _answer(
    plan: AllocationPlan, order: Order, location: str, function: str
) -> tuple[date | None, Constraint] | None:
    """The plan's delivery day for `order` and the constraint behind it (None: nothing open)."""
    if not isinstance(plan, AllocationPlan):
        raise InvalidArgument(
            function, "plan", f"must be an AllocationPlan, not {type(plan).__name__}"
        )
    try:
        planned = plan.order(order.order_id)
    except UnknownReference:
        pass
    else:
        return planned.delivery_on, planned.binding
    try:
        asked = OpenOrder.from_order(order, location=location, calendar=plan.snapshot.calendar)
    except SnapshotError:
        return None  # nothing of the order is open: nothing to promise
    try:
        answer = plan.promise(asked)
    except UnknownReference as error:
        raise ConfigurationError(
            f"order {order.order_id} names {error.kind} {error.key!r}, which the plan's snapshot "
            "has no item for",
            component=function,
        ) from error
    return answer.delivery_on, answer.binding


def promised_date_within_plan(plan: AllocationPlan, *, location: str) -> Rule:
    """The order's promised date is one the allocation plan can keep.

    Code: ``promise.date_not_kept`` (error), when the plan (or its promise answer for an
    order it does not hold) delivers after the promised day or cannot deliver in full
    within the horizon. The message names the binding constraint. An order with no promised
    date, or nothing open, passes. The promised timestamp becomes a day in the plan's
    calendar's time zone.

    Args:
        plan: The allocation plan of the open orders.
        location: Where the lines of orders not in the plan ship from.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan` (when the rule runs).
        ConfigurationError: If an order names a SKU the plan's snapshot has no item for.
    """

    def check(order: Order, _context: ReviewContext) -> list[Issue]:
        promised = order.promised_delivery_at
        if promised is None:
            return []
        found = _answer(plan, order, location, _RULE)
        if found is None:
            return []
        delivery, binding = found
        day = plan.snapshot.calendar.local_date(promised)
        if delivery is not None and delivery <= day:
            return []
        if delivery is None:
            en = f"promised for {day} but the plan cannot deliver in full within its horizon"
            zh = f"承诺交期 {day}，计划期内无法全部交付"
        else:
            en = f"promised for {day} but the plan can deliver on {delivery} at the earliest"
            zh = f"承诺交期 {day}，计划最早 {delivery} 交付"
        return [
            Issue(
                code="promise.date_not_kept",
                severity=IssueSeverity.ERROR,
                path="promised_delivery_at",
                observed=day,
                expected=delivery,
                message_en=f"{en}: {binding.explain('en')}",
                message_zh=f"{zh}：{binding.explain('zh')}",
                rule=_RULE,
            )
        ]

    return Rule(
        _RULE,
        check,
        params=(("location", location),),
        description="The promised date is one the allocation plan can keep.",
    )


def promise_features(plan: AllocationPlan, order: Order, *, location: str) -> dict[str, int | None]:
    """The extra feature of `PROMISE_CAPACITY` for `order`, to pass to `assess(extra=...)`.

    The due day is the promised day, else the requested day (in the plan's calendar). An
    order the plan cannot deliver in full within its horizon counts as late through the
    horizon's end. `None` when the order has no due day or nothing open.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan`.
        ConfigurationError: If the order names a SKU the plan's snapshot has no item for.
    """
    due_at = order.promised_delivery_at or order.requested_delivery_at
    found = _answer(plan, order, location, "promise_features")
    if due_at is None or found is None:
        return {PROMISE_DELAY_FEATURE: None}
    calendar = plan.snapshot.calendar
    due = calendar.local_date(due_at)
    delivery = found[0]
    if delivery is None:
        late = max(calendar.business_days_between(due, plan.snapshot.horizon_end), 0) + 1
    else:
        late = max(calendar.business_days_between(due, delivery), 0)
    return {PROMISE_DELAY_FEATURE: late}
