"""Contingency: a supplier's delivery late or cancelled, a resource down; who is hurt, and what to do.

[`respond`][ordercore.promise.contingency.respond] applies a supply or capacity event to the
snapshot of an allocation plan, plans again with the same policy, and compares: every order
whose delivery day or sources changed is listed as an
[`AffectedOrder`][ordercore.promise.contingency.AffectedOrder] with its day before and after and
the constraint now binding. Orders that did not change are not listed. `commands` proposes,
for approval, the `ReleaseAllocation`, `Allocate`, `PlanProduction`, `Procure` and `Repromise`
commands that take the old plan (as if its commands were applied) to the new one.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> from ordercore.promise import allocate
    >>> from ordercore.promise.snapshot import (Item, OnHand, OpenLine, OpenOrder,
    ...     PromiseSnapshot, Receipt)
    >>> def order(order_id, quantity):
    ...     return OpenOrder(order_id=order_id, received_at=datetime(2026, 3, 1, tzinfo=UTC),
    ...         promised_on=date(2026, 3, 9),
    ...         lines=[OpenLine(line_id="1", sku="BOLT", location="WH", quantity=Decimal(quantity))])
    >>> snapshot = PromiseSnapshot(as_of=date(2026, 3, 2),
    ...     items=[Item(sku="BOLT", mode="buy", procurement_days=15)],
    ...     on_hand=[OnHand(sku="BOLT", location="WH", quantity=Decimal(10))],
    ...     receipts=[Receipt(receipt_id="PO-7", sku="BOLT", location="WH",
    ...                       quantity=Decimal(50), arrives_on=date(2026, 3, 6))],
    ...     orders=[order("SO-1", 10), order("SO-2", 40)])
    >>> response = respond(allocate(snapshot), ReceiptCancelled(receipt_id="PO-7"))
    >>> [(a.order_id, str(a.before), str(a.after)) for a in response.affected]
    [('SO-2', '2026-03-06', '2026-03-23')]
    >>> [type(c.command).__name__ for c in response.commands()]
    ['Procure', 'Repromise']
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from ordercore._base import Id, Quantity, normalise_timestamp
from ordercore.errors import InvalidArgument
from ordercore.events import Party
from ordercore.lifecycle.commands import (
    PlanProduction,
    Procure,
    ReleaseAllocation,
    Repromise,
)
from ordercore.promise._model import SnapshotModel
from ordercore.promise.allocate import AllocationPlan, allocate
from ordercore.promise.errors import SnapshotError, UnknownReference
from ordercore.promise.plans import LinePlan, OrderPlan, PlannedCommand
from ordercore.promise.snapshot import (
    CapacityOverride,
    PromiseSnapshot,
    Receipt,
    Resource,
)

if TYPE_CHECKING:
    from ordercore.labels import Language
    from ordercore.promise.constraints import Constraint

__all__ = [
    "AffectedOrder",
    "ContingencyPlan",
    "LineChange",
    "ReceiptCancelled",
    "ReceiptDelayed",
    "ResourceDown",
    "SupplyEvent",
    "apply_event",
    "respond",
]

_MAX_DOWN_DAYS: Final = 3660
_ZERO: Final = Decimal(0)


class ReceiptDelayed(SnapshotModel):
    """A receipt (a supplier's delivery) now arrives on another day.

    Attributes:
        receipt_id: The receipt.
        arrives_on: Its new day (not before the snapshot day).
    """

    receipt_id: Id
    arrives_on: date

    def describe(self, lang: Language | str = "en") -> str:
        """``"receipt PO-7 delayed to 2026-03-20"``."""
        if lang == "zh":
            return f"到货单 {self.receipt_id} 延期至 {self.arrives_on}"
        return f"receipt {self.receipt_id} delayed to {self.arrives_on}"


class ReceiptCancelled(SnapshotModel):
    """A receipt will not arrive at all.

    Attributes:
        receipt_id: The receipt.
    """

    receipt_id: Id

    def describe(self, lang: Language | str = "en") -> str:
        """``"receipt PO-7 cancelled"``."""
        if lang == "zh":
            return f"到货单 {self.receipt_id} 取消"
        return f"receipt {self.receipt_id} cancelled"


class ResourceDown(SnapshotModel):
    """A resource has less capacity (none, by default) from one day to another, both included.

    Attributes:
        resource_id: The resource.
        first_day: The first day down.
        last_day: The last day down (not before `first_day`).
        capacity: Its capacity on those days (0: down).
    """

    resource_id: Id
    first_day: date
    last_day: date
    capacity: Quantity = _ZERO

    def _inconsistencies(self) -> list[tuple[str, str]]:
        span = (self.last_day - self.first_day).days
        if span < 0:
            return [("last_day", f"last_day {self.last_day} is before first_day {self.first_day}")]
        if span >= _MAX_DOWN_DAYS:
            return [("last_day", "a resource down for more than ten years is a data error")]
        return []

    def describe(self, lang: Language | str = "en") -> str:
        """``"resource PRESS down 2026-03-03..2026-03-04"``."""
        if lang == "zh":
            return f"资源 {self.resource_id} 于 {self.first_day}..{self.last_day} 停机"
        return f"resource {self.resource_id} down {self.first_day}..{self.last_day}"


SupplyEvent = ReceiptDelayed | ReceiptCancelled | ResourceDown
"""A supply or capacity event: `ReceiptDelayed`, `ReceiptCancelled` or `ResourceDown`."""


def apply_event(snapshot: PromiseSnapshot, event: SupplyEvent) -> PromiseSnapshot:
    """The snapshot as it is after `event`.

    Raises:
        UnknownReference: If the event names a receipt or resource the snapshot has not.
        SnapshotError: If the result is not a valid snapshot (a receipt moved before as_of).
        InvalidArgument: If `event` is not a supply event.
    """
    if not isinstance(snapshot, PromiseSnapshot):
        raise InvalidArgument(
            "apply_event", "snapshot", f"must be a PromiseSnapshot, got {type(snapshot).__name__}"
        )
    fields = {name: getattr(snapshot, name) for name in type(snapshot).model_fields}
    if isinstance(event, ReceiptDelayed | ReceiptCancelled):
        receipts = snapshot.receipts
        index = next((n for n, r in enumerate(receipts) if r.receipt_id == event.receipt_id), None)
        if index is None:
            raise UnknownReference("receipt", event.receipt_id, len(receipts))
        if isinstance(event, ReceiptCancelled):
            fields["receipts"] = receipts[:index] + receipts[index + 1 :]
        else:
            moved = Receipt.model_validate(
                {**receipts[index].model_dump(), "arrives_on": event.arrives_on}
            )
            fields["receipts"] = (*receipts[:index], moved, *receipts[index + 1 :])
    elif isinstance(event, ResourceDown):
        resources = snapshot.resources
        index = next(
            (n for n, r in enumerate(resources) if r.resource_id == event.resource_id), None
        )
        if index is None:
            raise UnknownReference("resource", event.resource_id, len(resources))
        fields["resources"] = (
            *resources[:index],
            _down(resources[index], event),
            *resources[index + 1 :],
        )
    else:
        raise InvalidArgument(
            "apply_event",
            "event",
            f"must be ReceiptDelayed, ReceiptCancelled or ResourceDown, not {type(event).__name__}",
        )
    try:
        return PromiseSnapshot.model_validate(fields)
    except SnapshotError as error:
        raise SnapshotError(type(event).__name__, error.problems) from None


def _down(resource: Resource, event: ResourceDown) -> Resource:
    first, last = event.first_day.toordinal(), event.last_day.toordinal()
    days = {date.fromordinal(d) for d in range(first, last + 1)}
    kept = [o for o in resource.overrides if o.day not in days]
    added = [CapacityOverride(day=day, capacity=event.capacity) for day in sorted(days)]
    return Resource.model_validate(
        {
            "resource_id": resource.resource_id,
            "daily_capacity": resource.daily_capacity,
            "unit": resource.unit,
            "calendar": resource.calendar,
            "overrides": (*kept, *added),
        }
    )


def _procured(line: LinePlan) -> Decimal:
    return line.procured + (line.produced if line.materials_procured else _ZERO)


@attrs.frozen
class LineChange:
    """One line's plan before and after the event.

    Attributes:
        before: The line's plan before.
        after: Its plan after.
    """

    before: LinePlan
    after: LinePlan

    @property
    def line_id(self) -> str:
        """The line."""
        return self.after.line_id

    @property
    def lost(self) -> bool:
        """Whether the line was met in full before and is not now."""
        return self.before.feasible and not self.after.feasible


def _changed(before: LinePlan, after: LinePlan) -> bool:
    return (
        before.delivery_on != after.delivery_on
        or before.from_stock != after.from_stock
        or before.stock_day != after.stock_day
        or before.produced != after.produced
        or before.procured != after.procured
        or before.materials_procured != after.materials_procured
    )


@attrs.frozen
class AffectedOrder:
    """An order whose plan the event changed.

    Attributes:
        order_id: The order.
        rank: Its rank (the same before and after: the policy reads no supply).
        before: Its delivery day before (`None` if it was not met in full).
        after: Its delivery day now (`None` if it cannot be met in full).
        promised_on: The day promised to the customer, if any.
        lines: The lines that changed.
        binding: The constraint that now sets its day (or cannot be met).
    """

    order_id: str
    rank: int
    before: date | None
    after: date | None
    promised_on: date | None
    lines: tuple[LineChange, ...]
    binding: Constraint

    @property
    def needs_repromise(self) -> bool:
        """Whether the new day is later than the promise (or than the old plan's day)."""
        reference = self.promised_on or self.before
        return self.after is not None and reference is not None and self.after > reference

    def explain(self, lang: Language | str = "en") -> str:
        """What happened to the order and why, in one sentence."""
        reason = self.binding.explain(lang)
        if lang == "zh":
            after = "无法在计划期内全部满足" if self.after is None else f"改为 {self.after} 交付"
            return f"订单 {self.order_id}（原 {self.before or '未满足'}）{after}：{reason}"
        after = "cannot be met in full" if self.after is None else f"now delivers on {self.after}"
        return f"order {self.order_id} (was {self.before or 'unmet'}) {after}: {reason}"


@attrs.frozen
class ContingencyPlan:
    """The response to one event: the plans before and after, and the orders it affects.

    Attributes:
        event: The event.
        before: The allocation plan before.
        after: The allocation plan with the event applied (same policy).
        affected: The orders whose plan changed, in rank order.
    """

    event: SupplyEvent
    before: AllocationPlan
    after: AllocationPlan
    affected: tuple[AffectedOrder, ...]

    def commands(self, *, correlation_id: str | None = None) -> tuple[PlannedCommand, ...]:
        """The commands that take the old plan, as if applied, to the new one, for approval.

        Per changed line: `ReleaseAllocation` of a line no longer met in full, `Allocate` of
        one met now and not before, `PlanProduction` and `Procure` of the increase in
        production and procurement. Per order: `Repromise` (by the seller) to the new
        delivery day when it is later than the promise, at midnight in the calendar's time
        zone. A decrease in production or procurement has no command (the ledger only
        records them); it shows in `affected`.
        """
        calendar = self.after.snapshot.calendar
        found: list[PlannedCommand] = []
        for order in self.affected:
            reason = f"{self.event.describe('en')}: {order.explain('en')}"
            for change in order.lines:
                found.extend(_line_commands(order.order_id, change, reason, correlation_id))
            if order.needs_repromise:
                assert order.after is not None  # noqa: S101 - needs_repromise says so
                moment = datetime.combine(order.after, time(), tzinfo=calendar.tz)
                found.append(
                    PlannedCommand(
                        order.order_id,
                        Repromise(
                            promised_delivery_at=normalise_timestamp(moment),
                            requested_by=Party.SELLER,
                            reason=reason,
                            correlation_id=correlation_id,
                        ),
                    )
                )
        return tuple(found)


def _line_commands(
    order_id: str, change: LineChange, reason: str, correlation_id: str | None
) -> list[PlannedCommand]:
    before, after = change.before, change.after
    if change.lost:
        return [
            PlannedCommand(
                order_id,
                ReleaseAllocation(
                    line_id=after.line_id,
                    quantity=before.quantity,
                    reason=reason,
                    correlation_id=correlation_id,
                ),
            )
        ]
    if not after.feasible:
        return []
    if not before.feasible:
        return after.commands(reason, correlation_id)
    found = []
    more_production = after.produced - before.produced
    if more_production > 0:
        command = PlanProduction(
            line_id=after.line_id,
            quantity=more_production,
            reason=reason,
            correlation_id=correlation_id,
        )
        found.append(PlannedCommand(order_id, command))
    more_procured = _procured(after) - _procured(before)
    if more_procured > 0:
        command2 = Procure(
            line_id=after.line_id,
            quantity=more_procured,
            reason=reason,
            correlation_id=correlation_id,
        )
        found.append(PlannedCommand(order_id, command2))
    return found


def respond(plan: AllocationPlan, event: SupplyEvent) -> ContingencyPlan:
    """Plan again after `event` with the plan's policy, and list the orders it affects.

    Args:
        plan: The allocation plan in force.
        event: What happened.

    Raises:
        InvalidArgument: If `plan` is not an `AllocationPlan` or `event` not a supply event.
        UnknownReference: If the event names a receipt or resource the snapshot has not.
        SnapshotError: If the event makes the snapshot invalid (a receipt moved before
            as_of).
    """
    if not isinstance(plan, AllocationPlan):
        raise InvalidArgument(
            "respond", "plan", f"must be an AllocationPlan, not {type(plan).__name__}"
        )
    after_plan = allocate(apply_event(plan.snapshot, event), plan.policy)
    promised = {o.order_id: o.promised_on for o in plan.snapshot.orders}
    before_orders = {o.order_id: o for o in plan.orders}
    affected = []
    for order in after_plan.orders:
        old: OrderPlan = before_orders[order.order_id]
        changes = tuple(
            LineChange(b, a) for b, a in zip(old.lines, order.lines, strict=True) if _changed(b, a)
        )
        if changes:
            affected.append(
                AffectedOrder(
                    order.order_id,
                    order.rank,
                    old.delivery_on,
                    order.delivery_on,
                    promised[order.order_id],
                    changes,
                    order.binding,
                )
            )
    return ContingencyPlan(event, plan, after_plan, tuple(affected))
