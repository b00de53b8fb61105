"""What the engine answers: line plans, order plans, promise answers and the commands they imply.

A [`LinePlan`][ordercore.promise.plans.LinePlan] says how much of a line comes from stock, from
production and from procurement, the day it is ready (`None` when it cannot be met in full
within the horizon), the partial quantities available by date, the binding constraint and
everything it waited for. An [`OrderPlan`][ordercore.promise.plans.OrderPlan] gathers an order's
lines with its rank; a [`PromiseAnswer`][ordercore.promise.plans.PromiseAnswer] is the same for a
new order that was only asked about. The lifecycle commands a plan implies come out as
[`PlannedCommand`][ordercore.promise.plans.PlannedCommand] values, pairs of an order id and a
command, for the host to apply (the engine never applies them).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from ordercore.lifecycle.commands import (
    Allocate,
    PlanProduction,
    Procure,
    ReleaseAllocation,
    Repromise,
)
from ordercore.promise.constraints import Constraint, ConstraintKind

if TYPE_CHECKING:
    from ordercore.labels import Language
    from ordercore.promise.policy import PriorityPolicy, RankFactor
    from ordercore.promise.snapshot import OpenOrder

__all__ = [
    "Availability",
    "CapacityUse",
    "LinePlan",
    "OrderPlan",
    "PlannedCommand",
    "PromiseAnswer",
]

_ZERO: Final = Decimal(0)

PlanCommand = Allocate | PlanProduction | Procure | ReleaseAllocation | Repromise

Wait = tuple[
    str,
    date | None,
    str | None,
    str | None,
    str | None,
    int | None,
    tuple[str, ...],
]
"""A constraint's fields in `Constraint`'s order: kind (its value), day, sku, location,
resource, days, receipts. Plans keep these plain tuples and build `Constraint` values when
they are read."""


@attrs.frozen
class Availability:
    """How much of a line is available by a day (cumulative).

    Attributes:
        day: The day.
        quantity: The quantity available by then, in the line's unit.
    """

    day: date
    quantity: Decimal


@attrs.frozen
class CapacityUse:
    """Capacity a line books on one resource on one day.

    Attributes:
        resource: The resource.
        day: The day.
        hours: The capacity booked (in the resource's unit).
    """

    resource: str
    day: date
    hours: Decimal


LineRow = tuple[
    str,
    str,
    str,
    str,
    Decimal,
    Decimal,
    Decimal,
    date | None,
    Decimal,
    Decimal,
    tuple[str | Decimal, ...],
    str | None,
    tuple[date | Decimal, ...],
    date | None,
    date | None,
    tuple[Any, ...],
    tuple[Availability, ...],
]
"""A line plan as an order plan keeps it: `LinePlan`'s fields in its order, with the pairs
of `materials_procured` and `bookings` and the seven fields of each wait laid out one
after the other in a single flat tuple each.

Everything in a row is then a string, a number, a date or a plain tuple of them, one
level deep, so the garbage collector stops tracking it by its second collection (it never
stops tracking a named tuple, nor a tuple of tuples before its inner ones): an allocation
of 100,000 lines keeps 100,000 rows without every later collection walking them, nor
the collections of the oldest objects running for them."""


def line_plan(row: LineRow) -> LinePlan:
    """The `LinePlan` of a row (see `LineRow`)."""
    materials, bookings, waits = row[10], row[12], row[15]
    return LinePlan(
        *row[:10],
        tuple(zip(materials[::2], materials[1::2], strict=True)),  # type: ignore[arg-type]
        row[11],
        tuple(zip(bookings[::2], bookings[1::2], strict=True)),  # type: ignore[arg-type]
        row[13],
        row[14],
        tuple(zip(*[iter(waits)] * 7, strict=True)),
        row[16],
    )


class LinePlan(NamedTuple):
    """How one line is met: sources, day, partial availability, and what it waited for.

    An immutable named tuple rather than an attrs class like the other plan values: it is
    built in a tenth of the time. An order plan keeps its lines as flat rows (`LineRow`) and
    builds these from them when `OrderPlan.lines` is read; two reads give equal values.

    Attributes:
        order_id: The order.
        line_id: The line.
        sku: The product.
        location: Where it ships from.
        quantity: The quantity planned (the line's open quantity less what was allocated).
        allocated_before: What was allocated before the plan (kept, not planned again).
        from_stock: Planned from finished stock (on hand or incoming).
        stock_day: The day that stock is available (`None` without stock).
        produced: Planned from production.
        procured: Planned from buying the item itself.
        materials_procured: Component quantities bought for the production, by SKU.
        resource: The resource the production books (`None` without one).
        bookings: The capacity booked on it, as (day, hours) pairs (see `capacity`).
        ready_on: The day the whole quantity is ready; `None` when it cannot be met in full
            within the horizon (then nothing is reserved for it).
        delivery_on: `ready_on` plus the snapshot's delivery days.
        waits: The fields of every constraint waited for, binding first, as `waited_for`
            gives them (kept as plain tuples: a plan of 100,000 lines builds no constraint
            it is not asked for).
        availability: Partial quantities by day, cumulative (filled in for promise answers;
            empty in allocation plans, which reserve the whole line or nothing).
    """

    order_id: str
    line_id: str
    sku: str
    location: str
    quantity: Decimal
    allocated_before: Decimal
    from_stock: Decimal
    stock_day: date | None
    produced: Decimal
    procured: Decimal
    materials_procured: tuple[tuple[str, Decimal], ...]
    resource: str | None
    bookings: tuple[tuple[date, Decimal], ...]
    ready_on: date | None
    delivery_on: date | None
    waits: tuple[Wait, ...]
    availability: tuple[Availability, ...] = ()

    @property
    def capacity(self) -> tuple[CapacityUse, ...]:
        """The capacity the production books, day by day."""
        resource = self.resource
        if resource is None:
            return ()
        return tuple(CapacityUse(resource, day, hours) for day, hours in self.bookings)

    @property
    def binding(self) -> Constraint:
        """The constraint that set `ready_on` (or, when it is `None`, the one not met)."""
        if self.waits:
            return _constraint(self.waits[0])
        return Constraint(ConstraintKind.NONE, day=self.ready_on)

    @property
    def waited_for(self) -> tuple[Constraint, ...]:
        """Every constraint met after the planning day (or not met), the binding one first."""
        return tuple(_constraint(wait) for wait in self.waits)

    @property
    def feasible(self) -> bool:
        """Whether the whole quantity is met within the horizon."""
        return self.ready_on is not None

    def explain(self, lang: Language | str = "en") -> str:
        """One sentence: the line, its day (or that it cannot be met), and why."""
        reason = self.binding.explain(lang)
        if lang == "zh":
            if self.ready_on is None:
                return f"{self.order_id}/{self.line_id} {self.sku} 无法在计划期内全部满足：{reason}"
            return f"{self.order_id}/{self.line_id} {self.sku} {self.ready_on} 可全部就绪：{reason}"
        if self.ready_on is None:
            return f"{self.order_id}/{self.line_id} {self.sku} cannot be met in full: {reason}"
        return (
            f"{self.order_id}/{self.line_id} {self.sku} ready in full on {self.ready_on}: {reason}"
        )

    def commands(self, reason: str, correlation_id: str | None) -> list[PlannedCommand]:
        """The `Allocate`, `PlanProduction` and `Procure` commands this line's plan implies."""
        if self.ready_on is None or not self.quantity:
            return []
        found = [
            PlannedCommand(
                self.order_id,
                Allocate(
                    line_id=self.line_id,
                    quantity=self.quantity,
                    reason=reason,
                    correlation_id=correlation_id,
                ),
            )
        ]
        if self.produced:
            found.append(
                PlannedCommand(
                    self.order_id,
                    PlanProduction(
                        line_id=self.line_id,
                        quantity=self.produced,
                        reason=reason,
                        correlation_id=correlation_id,
                    ),
                )
            )
        procured = self.procured + (self.produced if self.materials_procured else _ZERO)
        if procured:
            found.append(
                PlannedCommand(
                    self.order_id,
                    Procure(
                        line_id=self.line_id,
                        quantity=procured,
                        reason=reason,
                        correlation_id=correlation_id,
                    ),
                )
            )
        return found


def _constraint(wait: Wait) -> Constraint:
    kind, day, sku, location, resource, days, receipts = wait
    return Constraint(ConstraintKind(kind), day, sku, location, resource, days, receipts)


def _latest(lines: tuple[LinePlan, ...]) -> tuple[date | None, Constraint]:
    """An order's ready day (None if a line is not met) and the binding constraint behind it."""
    unmet = [line for line in lines if line.ready_on is None]
    if unmet:
        return None, unmet[0].binding
    latest = max(lines, key=lambda line: line.ready_on or date.min)
    return latest.ready_on, latest.binding


def _last_delivery(lines: tuple[LinePlan, ...]) -> date | None:
    """The latest line delivery day; None if a line cannot be delivered in full."""
    days = [line.delivery_on for line in lines]
    if any(day is None for day in days):
        return None
    return max(day for day in days if day is not None)


@attrs.frozen
class OrderPlan:
    """An order's place in the allocation and the plans of its lines.

    Its lines are kept as plain tuples (see `lines`), so that a plan of many orders holds
    no object per line that the garbage collector has to walk.

    Attributes:
        order_id: The order.
        rank: Its position in the policy's ranking, from 1.
        rows: Its line plans, in line order, each as a `LineRow`.
        order: The open order planned.
        policy: The policy that ranked it.
    """

    order_id: str
    rank: int
    rows: tuple[LineRow, ...] = attrs.field(repr=False)
    order: OpenOrder = attrs.field(repr=False)
    policy: PriorityPolicy = attrs.field(repr=False)

    @property
    def lines(self) -> tuple[LinePlan, ...]:
        """Its line plans, in line order."""
        return tuple(map(line_plan, self.rows))

    @property
    def ranked_by(self) -> tuple[RankFactor, ...]:
        """What the ranking read of the order, key by key."""
        return self.policy.factors(self.order)

    @property
    def due_on(self) -> date | None:
        """Its promised day (else requested day), if any."""
        return self.order.due_on

    @property
    def ready_on(self) -> date | None:
        """The day every line is ready; `None` when a line cannot be met in full."""
        return _latest(self.lines)[0]

    @property
    def delivery_on(self) -> date | None:
        """The latest line delivery day; `None` when a line cannot be met in full."""
        return _last_delivery(self.lines)

    @property
    def binding(self) -> Constraint:
        """The constraint of the line that is ready last (or of the first line not met)."""
        return _latest(self.lines)[1]

    @property
    def late(self) -> bool | None:
        """Whether delivery falls after the due day (`None` without a due day); unmet is late."""
        if self.due_on is None:
            return None
        delivery = self.delivery_on
        return delivery is None or delivery > self.due_on

    def explain(self, lang: Language | str = "en") -> str:
        """The order's day and what it waited for, in one sentence."""
        reason = self.binding.explain(lang)
        day = self.delivery_on
        if lang == "zh":
            if day is None:
                return f"订单 {self.order_id}（第 {self.rank} 位）无法在计划期内全部满足：{reason}"
            return f"订单 {self.order_id}（第 {self.rank} 位）{day} 交付：{reason}"
        if day is None:
            return f"order {self.order_id} (rank {self.rank}) cannot be met in full: {reason}"
        return f"order {self.order_id} (rank {self.rank}) delivers on {day}: {reason}"


@attrs.frozen
class PromiseAnswer:
    """What can be promised for a new order without moving any order already planned.

    Attributes:
        order_id: The order asked about.
        lines: One plan per line, with partial quantities by day in `availability`.
    """

    order_id: str
    lines: tuple[LinePlan, ...]

    @property
    def ready_on(self) -> date | None:
        """The earliest day every line is ready in full; `None` if one cannot be."""
        return _latest(self.lines)[0]

    @property
    def delivery_on(self) -> date | None:
        """The earliest day every line can be delivered in full; `None` if one cannot be."""
        return _last_delivery(self.lines)

    @property
    def binding(self) -> Constraint:
        """The constraint behind the answer's day (that of the latest or first unmet line)."""
        return _latest(self.lines)[1]

    def explain(self, lang: Language | str = "en") -> str:
        """The answer in one sentence, naming the binding constraint."""
        reason = self.binding.explain(lang)
        day = self.delivery_on
        if lang == "zh":
            if day is None:
                return f"订单 {self.order_id} 无法在计划期内全部满足：{reason}"
            return f"订单 {self.order_id} 最早 {day} 全部交付：{reason}"
        if day is None:
            return f"order {self.order_id} cannot be met in full within the horizon: {reason}"
        return f"order {self.order_id} can be delivered in full on {day}: {reason}"


@attrs.frozen
class PlannedCommand:
    """A lifecycle command the engine proposes, with the order it is for.

    Attributes:
        order_id: The order to apply it to.
        command: The command (`Allocate`, `PlanProduction`, `Procure`, `ReleaseAllocation` or
            `Repromise`).
    """

    order_id: str
    command: PlanCommand
