"""Allocation among competing orders, and promise answers for new orders on top of it.

[`allocate`][ordercore.promise.allocate.allocate] ranks the snapshot's open orders by a
[`PriorityPolicy`][ordercore.promise.policy.PriorityPolicy] and plans their lines one after
the other against the free stock and capacity left by the orders before them. Each line comes
from stock first (on hand, then incoming), then from production (capacity and material) or
procurement, whichever combination makes it ready earliest; it is reserved whole or not at
all. The plan is deterministic: the same snapshot and policy give the same plan.

[`AllocationPlan.promise`][ordercore.promise.allocate.AllocationPlan.promise] answers
available- and capable-to-promise for a new order against what the plan left free, without
moving any planned order and without re-running the allocation: it reads only what the new
order's lines touch.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> from ordercore.promise.snapshot import (Item, OnHand, OpenLine, OpenOrder,
    ...     PromiseSnapshot, Resource)
    >>> def order(order_id, tier, hours):
    ...     return OpenOrder(order_id=order_id, customer_tier=tier,
    ...         received_at=datetime(2026, 3, 1, tzinfo=UTC),
    ...         lines=[OpenLine(line_id="1", sku="GEAR", location="P1", quantity=Decimal(hours))])
    >>> snapshot = PromiseSnapshot(as_of=date(2026, 3, 2),  # a Monday
    ...     items=[Item(sku="GEAR", mode="make_to_order", resource="PRESS",
    ...                 hours_per_unit=Decimal(1))],
    ...     resources=[Resource(resource_id="PRESS", daily_capacity=Decimal(50))],
    ...     orders=[order("SO-1", 2, 100), order("SO-2", 1, 100)])
    >>> plan = allocate(snapshot, PriorityPolicy.of("customer_tier"))
    >>> [(o.order_id, o.ready_on.isoformat()) for o in plan.orders]
    [('SO-2', '2026-03-03'), ('SO-1', '2026-03-05')]
    >>> plan.order("SO-1").explain()
    'order SO-1 (rank 2) delivers on 2026-03-05: capacity of resource PRESS is booked until 2026-03-05'
"""

from __future__ import annotations

from decimal import localcontext
from typing import TYPE_CHECKING, Final

import attrs

from ordercore._base import ARITHMETIC
from ordercore.errors import InvalidArgument
from ordercore.promise._engine import Planner
from ordercore.promise._state import State
from ordercore.promise.errors import UnknownReference
from ordercore.promise.plans import (
    LinePlan,
    LineRow,
    OrderPlan,
    PlannedCommand,
    PromiseAnswer,
    line_plan,
)
from ordercore.promise.policy import DEFAULT_POLICY, PriorityPolicy
from ordercore.promise.snapshot import OpenLine, OpenOrder, PromiseSnapshot

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

__all__ = ["AllocationPlan", "allocate", "promise"]

_ALLOCATE: Final = "allocate"


@attrs.frozen
class AllocationPlan:
    """The plan of every open order, in rank order, and the free stock and capacity it leaves.

    Attributes:
        snapshot: The snapshot planned.
        policy: The priority policy that ranked the orders.
        orders: One plan per open order, first ranked first.
    """

    snapshot: PromiseSnapshot
    policy: PriorityPolicy
    orders: tuple[OrderPlan, ...]
    _state: State = attrs.field(alias="state", eq=False, repr=False)
    # The order plans by id, made on first use (a race at worst makes it twice).
    _by_id: dict[str, OrderPlan] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    def _plans_by_id(self) -> dict[str, OrderPlan]:
        by_id = self._by_id
        if not by_id and self.orders:
            by_id.update((found.order_id, found) for found in self.orders)
        return by_id

    def order(self, order_id: str) -> OrderPlan:
        """The plan of one order.

        Raises:
            UnknownReference: If the plan has no such order.
        """
        found = self._plans_by_id().get(order_id)
        if found is None:
            raise UnknownReference("order", order_id, len(self.orders))
        return found

    @property
    def lines(self) -> tuple[LinePlan, ...]:
        """Every line plan, in the order they were planned."""
        return tuple(line for order in self.orders for line in order.lines)

    def capacity_left(self, resource: str, day: date) -> Decimal:
        """Free capacity of `resource` on `day` after the plan (0 outside the horizon).

        Raises:
            UnknownReference: If the snapshot has no such resource.
        """
        capacities = self._state.capacities
        if resource not in capacities:
            raise UnknownReference("resource", resource, len(capacities))
        index = (day - self.snapshot.as_of).days
        free = capacities[resource].free
        return free[index] if 0 <= index < len(free) else ARITHMETIC.create_decimal(0)

    def stock_left(self, sku: str, location: str, day: date) -> Decimal:
        """Stock of `sku` at `location` still free to promise on `day` after the plan."""
        timeline = self._state.peek(sku, location)
        index = (day - self.snapshot.as_of).days
        if index < 0:
            return ARITHMETIC.create_decimal(0)
        return timeline.suffix()[timeline.last_at_or_before(index)]

    def commands(self, *, correlation_id: str | None = None) -> tuple[PlannedCommand, ...]:
        """The `Allocate`, `PlanProduction` and `Procure` commands of every line met in full.

        Each command's reason names the line's ready day and binding constraint. Lines that
        cannot be met in full get no command.
        """
        found: list[PlannedCommand] = []
        for order in self.orders:
            for line in order.lines:
                reason = f"promise plan: {line.explain('en')}"
                found.extend(line.commands(reason, correlation_id))
        return tuple(found)

    def promise(self, order: OpenOrder | OpenLine, *, order_id: str = "NEW") -> PromiseAnswer:
        """Available- and capable-to-promise for a new order (or line) after this plan.

        The answer is what can be promised without moving any planned order: per line, the
        earliest day it is ready in full, the partial quantities available by day, and the
        binding constraint. Lines of the order are answered one after the other, so two
        lines of one SKU do not count the same stock twice. Nothing in the plan changes.

        Args:
            order: The new order, or a single line (then named `order_id`).
            order_id: The id of a single line's order, in the answer.

        Raises:
            InvalidArgument: If `order` is not an `OpenOrder` or `OpenLine`, or is an order
                the plan already holds.
            UnknownReference: If a line names a SKU the snapshot has no item for.
        """
        lines: tuple[OpenLine, ...]
        if isinstance(order, OpenLine):
            lines, name = (order,), order_id
        elif isinstance(order, OpenOrder):
            lines, name = order.lines, order.order_id
            if name in self._plans_by_id():
                raise InvalidArgument(
                    "promise",
                    "order",
                    f"{name} is already in the plan; allocate again to move it",
                )
        else:
            raise InvalidArgument(
                "promise", "order", f"must be an OpenOrder or OpenLine, not {type(order).__name__}"
            )
        items = self._state.items
        for line in lines:
            if line.sku not in items:
                raise UnknownReference("SKU", line.sku, len(items))
        planner = Planner(self._state.fork())
        with localcontext(ARITHMETIC):
            planned = tuple([line_plan(planner.plan(name, line, profile=True)) for line in lines])
        return PromiseAnswer(name, planned)


def allocate(snapshot: PromiseSnapshot, policy: PriorityPolicy = DEFAULT_POLICY) -> AllocationPlan:
    """Plan every open order of `snapshot` in the order `policy` ranks them.

    Args:
        snapshot: Stock, receipts, capacity, items and open orders.
        policy: Which order goes first (promised date, tier, first come by default).

    Returns:
        The plan: each order's lines with their sources, days and binding constraints.

    Raises:
        InvalidArgument: If `snapshot` or `policy` is not what it should be.
    """
    if not isinstance(snapshot, PromiseSnapshot):
        raise InvalidArgument(
            _ALLOCATE, "snapshot", f"must be a PromiseSnapshot, not {type(snapshot).__name__}"
        )
    if not isinstance(policy, PriorityPolicy):
        raise InvalidArgument(
            _ALLOCATE, "policy", f"must be a PriorityPolicy, not {type(policy).__name__}"
        )
    state = State(snapshot)
    plan_line = Planner(state).plan
    ranked = policy.rank(snapshot.orders)
    # Every row goes into one list as it is planned, and the order plans are built from it
    # at the end: a row reached straight from a long-lived list is one the collector stops
    # tracking by its second pass, where one reached only through a new order plan is still
    # tracked when it is moved to the oldest generation (and makes a full collection due).
    rows: list[LineRow] = []
    add = rows.append
    with localcontext(ARITHMETIC):
        for order in ranked:
            order_id = order.order_id
            for line in order.lines:
                add(plan_line(order_id, line, profile=False))
    plans = []
    start = 0
    for rank, order in enumerate(ranked, 1):
        stop = start + len(order.lines)
        plans.append(OrderPlan(order.order_id, rank, tuple(rows[start:stop]), order, policy))
        start = stop
    return AllocationPlan(snapshot, policy, tuple(plans), state=state)


def promise(
    snapshot: PromiseSnapshot,
    order: OpenOrder | OpenLine,
    policy: PriorityPolicy = DEFAULT_POLICY,
) -> PromiseAnswer:
    """Allocate the snapshot's open orders, then answer for a new order on top of them.

    For many questions against one snapshot, call [`allocate`][ordercore.promise.allocate.allocate]
    once and ask [`AllocationPlan.promise`][ordercore.promise.allocate.AllocationPlan.promise].

    Raises:
        InvalidArgument: As `allocate` and `AllocationPlan.promise` do.
        UnknownReference: If a line names a SKU the snapshot has no item for.
    """
    return allocate(snapshot, policy).promise(order)
