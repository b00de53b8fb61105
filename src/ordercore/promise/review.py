"""Order review and risk with the engine's answer: promised dates checked with competing orders seen.

The core's promised-date rule [`promised_date_within_capacity`][ordercore.validation.capacity.promised_date_within_capacity]
and its capacity risk factor check each order alone against the whole free capacity, so two
orders of 100 hours against 150 free hours both pass, unless the review context carries a
promise engine. [`PlanPromises`][ordercore.promise.review.PlanPromises] is that engine for an
[`AllocationPlan`][ordercore.promise.allocate.AllocationPlan]: put it in
`ReviewContext.promise` and both read its answer for an order (the same answer object), so
the capacity, stock and material other orders took are seen. An order the plan holds is
judged by its planned delivery day, any other by the promise answer for it on top of the
plan.

For a context without an engine, [`promised_date_within_plan`][ordercore.promise.review.promised_date_within_plan]
is the same verdict as a rule of its own, and the risk factor
[`PROMISE_CAPACITY`][ordercore.promise.review.PROMISE_CAPACITY] scores the business days the
answer's delivery falls after the order's due day, given to `assess` as an extra feature by
[`promise_features`][ordercore.promise.review.promise_features].

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
    >>> from ordercore.validation.capacity import promised_date_within_capacity
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC),
    ...     promise=PlanPromises(plan, location="P1"))
    >>> promised_date_within_capacity()(second, context)[0].message_en
    'promised for 2026-03-04 but the plan can deliver on 2026-03-05 at the earliest: capacity of resource PRESS is booked until 2026-03-05'
    >>> context.promise.answer(second).capacity_needed, context.promise.answer(second).capacity_free
    (Decimal('100'), Decimal('50'))
    >>> promise_features(plan, second, location="P1")
    {'promise_delay_business_days': 1}
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Final

from ordercore._base import ARITHMETIC
from ordercore.context import DeliveryPromise, PromiseSource
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.promise.allocate import AllocationPlan
from ordercore.promise.errors import SnapshotError, UnknownReference
from ordercore.promise.snapshot import OpenOrder
from ordercore.risk.bands import Band, BandFactor
from ordercore.validation.capacity import promise_issues
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from datetime import date

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.promise.constraints import Constraint
    from ordercore.promise.plans import LinePlan
    from ordercore.validation.issues import Issue

__all__ = [
    "PROMISE_CAPACITY",
    "PROMISE_DELAY_FEATURE",
    "PlanPromises",
    "promise_features",
    "promised_date_within_plan",
]

_RULE: Final = "promised_date_within_plan"
_ZERO: Final = Decimal(0)
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


class PlanPromises(PromiseSource):
    """The core's promise port answered from an allocation plan (see `ReviewContext.promise`).

    An order the plan holds is answered by its planned delivery day, any other by the
    promise answer for it on top of the plan, so the capacity, stock and material that
    the plan's orders took are seen. The answer for the last order asked about is kept, so
    review and risk scoring of one order read the same answer object.

    Args:
        plan: The allocation plan of the open orders.
        location: Where the lines of orders not in the plan ship from.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan` or `location` is not a
            non-empty string.
    """

    __slots__ = ("_last", "location", "plan")

    def __init__(self, plan: AllocationPlan, *, location: str) -> None:
        if not isinstance(plan, AllocationPlan):
            raise InvalidArgument(
                "PlanPromises", "plan", f"must be an AllocationPlan, not {type(plan).__name__}"
            )
        if not isinstance(location, str) or not location:
            raise InvalidArgument("PlanPromises", "location", "must be a non-empty string")
        self.plan = plan
        self.location = location
        # (order, answer) of the last order asked about, replaced whole.
        self._last: tuple[Order, DeliveryPromise | None] | None = None

    def answer(self, order: Order) -> DeliveryPromise | None:
        """The plan's answer for `order`; `None` when nothing of it is open.

        Raises:
            ConfigurationError: If the order names a SKU the plan's snapshot has no item for.
        """
        last = self._last
        if last is not None and last[0] is order:
            return last[1]
        found = self._answer(order)
        self._last = (order, found)
        return found

    def _answer(self, order: Order) -> DeliveryPromise | None:
        plan = self.plan
        try:
            planned = plan.order(order.order_id)
        except UnknownReference:
            pass
        else:
            return self._delivery(
                order, planned.delivery_on, planned.binding, planned.lines, planned=True
            )
        try:
            asked = OpenOrder.from_order(
                order, location=self.location, calendar=plan.snapshot.calendar
            )
        except SnapshotError:
            return None  # nothing of the order is open: nothing to promise
        try:
            answer = plan.promise(asked)
        except UnknownReference as error:
            raise ConfigurationError(
                f"order {order.order_id} names {error.kind} {error.key!r}, which the plan's "
                "snapshot has no item for",
                component="PlanPromises",
            ) from error
        return self._delivery(
            order, answer.delivery_on, answer.binding, answer.lines, planned=False
        )

    def _delivery(
        self,
        order: Order,
        delivery: date | None,
        binding: Constraint,
        lines: tuple[LinePlan, ...],
        *,
        planned: bool,
    ) -> DeliveryPromise:
        snapshot = self.plan.snapshot
        calendar = snapshot.calendar
        promised = order.promised_delivery_at
        due_at = promised or order.requested_delivery_at
        promised_on = None if promised is None else calendar.local_date(promised)
        due = None if due_at is None else calendar.local_date(due_at)
        late: int | None = None
        if due is not None:
            end = snapshot.horizon_end if delivery is None else delivery
            late = max(calendar.business_days_between(due, end), 0) + (delivery is None)
        needed, free = self._capacity(lines, due, planned=planned)
        return DeliveryPromise(
            order_id=order.order_id,
            promised_on=promised_on,
            due_on=due,
            delivery_on=delivery,
            late_business_days=late,
            capacity_needed=needed,
            capacity_free=free,
            reason_en=binding.explain("en"),
            reason_zh=binding.explain("zh"),
        )

    def _capacity(
        self, lines: tuple[LinePlan, ...], due: date | None, *, planned: bool
    ) -> tuple[Decimal, Decimal]:
        """Capacity the lines need, and what the plan leaves free to the due day on it.

        A line met in full needs what it books; one that is not, its whole open quantity
        made on its item's resource. Free is the capacity left by the plan on the lines'
        resources from the planning day to the due day (with a planned order's own
        bookings added back).
        """
        plan = self.plan
        items = {item.sku: item for item in plan.snapshot.items}
        needed = _ZERO
        resources: set[str] = set()
        with localcontext(ARITHMETIC):
            for line in lines:
                item = items[line.sku]
                if item.resource is None:
                    continue
                resources.add(item.resource)
                if line.feasible:
                    needed += sum((hours for _, hours in line.bookings), _ZERO)
                else:
                    needed += line.quantity * item.hours_per_unit
            free = needed if planned else _ZERO
            if due is not None and resources:
                as_of = plan.snapshot.as_of
                last = min(due, plan.snapshot.horizon_end)
                days = [as_of + timedelta(days=n) for n in range((last - as_of).days + 1)]
                for resource in sorted(resources):
                    for day in days:
                        free += plan.capacity_left(resource, day)
        return needed, free


def promised_date_within_plan(plan: AllocationPlan, *, location: str) -> Rule:
    """The order's promised date is one the allocation plan can keep.

    The core's default rule with the plan as its promise engine: the same verdict
    ([`promise_issues`][ordercore.validation.capacity.promise_issues]) as
    `promised_date_within_capacity` gives under a `ReviewContext` whose `promise` is
    `PlanPromises(plan, location=location)`, for a context that carries no engine.

    Code: ``promise.date_not_kept`` (error), when the plan (or its promise answer for an
    order it does not hold) delivers after the promised day or cannot deliver in full
    within the horizon. The message names the binding constraint. An order with no promised
    date, or nothing open, passes. The promised timestamp becomes a day in the plan's
    calendar's time zone.

    Args:
        plan: The allocation plan of the open orders.
        location: Where the lines of orders not in the plan ship from.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan`.
        ConfigurationError: If an order names a SKU the plan's snapshot has no item for
            (when the rule runs).
    """
    source = PlanPromises(plan, location=location)

    def check(order: Order, _context: ReviewContext) -> list[Issue]:
        if order.promised_delivery_at is None:
            return []
        return promise_issues(source.answer(order), rule=_RULE)

    return Rule(
        _RULE,
        check,
        params=(("location", location),),
        description="The promised date is one the allocation plan can keep.",
    )


def promise_features(plan: AllocationPlan, order: Order, *, location: str) -> dict[str, int | None]:
    """The extra feature of `PROMISE_CAPACITY` for `order`, to pass to `assess(extra=...)`.

    The answer's `late_business_days` (see `DeliveryPromise`): the due day is the promised
    day, else the requested day (in the plan's calendar); an order the plan cannot deliver
    in full within its horizon counts as late through the horizon's end. `None` when the
    order has no due day or nothing open.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan`.
        ConfigurationError: If the order names a SKU the plan's snapshot has no item for.
    """
    found = PlanPromises(plan, location=location).answer(order)
    return {PROMISE_DELAY_FEATURE: None if found is None else found.late_business_days}
