"""What the promise engine is told: stock, receipts, capacity, items and open orders, fixed at a day.

A [`PromiseSnapshot`][ordercore.promise.snapshot.PromiseSnapshot] is assembled by the host from
its ERP and handed in; the engine never calls a live service. Every part is a frozen, strict
value, checked when it is built: a bad field, a duplicate key, a reference to a SKU or a
resource the snapshot does not hold, or allocations beyond the stock on hand raise a
[`SnapshotError`][ordercore.promise.errors.SnapshotError] listing every problem with its path.

The parts:

- [`Item`][ordercore.promise.snapshot.Item]: how a SKU is sourced (make-to-stock,
  make-to-order or bought), the resource and hours per unit that make it, its production and
  procurement lead times in business days, and its bill of materials one level deep.
- [`OnHand`][ordercore.promise.snapshot.OnHand] and [`Receipt`][ordercore.promise.snapshot.Receipt]:
  stock by SKU and location, now and incoming on a date.
- [`Resource`][ordercore.promise.snapshot.Resource]: capacity by day, from a daily capacity on
  the business days of a working calendar (the core's
  [`BusinessCalendar`][ordercore.context.BusinessCalendar]) and overrides for single days
  (overtime, a line down).
- [`OpenOrder`][ordercore.promise.snapshot.OpenOrder]: the open orders with what the priority
  policy reads, and each line's open and already allocated quantity.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> snapshot = PromiseSnapshot(
    ...     as_of=date(2026, 3, 2),
    ...     items=[Item(sku="GEAR")],
    ...     on_hand=[OnHand(sku="GEAR", location="WH1", quantity=Decimal(5))],
    ...     orders=[OpenOrder(order_id="SO-1", received_at=datetime(2026, 3, 1, tzinfo=UTC),
    ...         lines=[OpenLine(line_id="1", sku="GEAR", location="WH1", quantity=Decimal(8),
    ...                         allocated=Decimal(6))])])
    Traceback (most recent call last):
    ...
    ordercore.promise.errors.SnapshotError: invalid PromiseSnapshot: orders: lines allocate 6 of GEAR at WH1 but only 5 are on hand
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import Field

from ordercore._base import Id, PositiveQuantity, Quantity, ShortText, Timestamp
from ordercore.context import BusinessCalendar
from ordercore.money import Money
from ordercore.promise._model import SnapshotModel
from ordercore.promise.errors import SnapshotError
from ordercore.risk.policy import RiskLevel

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ordercore.orders import Order

__all__ = [
    "CapacityOverride",
    "Component",
    "Item",
    "OnHand",
    "OpenLine",
    "OpenOrder",
    "PromiseSnapshot",
    "Receipt",
    "Resource",
    "SourcingMode",
]

_ZERO: Final = Decimal(0)
_MAX_HORIZON: Final = 3660  # ten years of days: beyond that a horizon is a data error
# At most 1,000 business days (about four years): a calendar walk of more than ten years is
# refused, and a lead time of years is a data error.
_LeadDays = Annotated[int, Field(ge=0, le=1000)]


class SourcingMode(StrEnum):
    """How a SKU's demand is met."""

    MAKE_TO_STOCK = "make_to_stock"
    """From finished stock first (on hand, then incoming); a shortfall is produced if the item
    has a route (a resource or components), otherwise it waits for stock."""
    MAKE_TO_ORDER = "make_to_order"
    """Produced for the order: finished stock is never used (it belongs to other orders)."""
    BUY = "buy"
    """Bought: from stock first; a shortfall is procured with the item's procurement lead time
    if it has one, otherwise it waits for stock. Components are always bought items."""


class Component(SnapshotModel):
    """One line of a one-level bill of materials.

    Attributes:
        sku: The component (an item with mode `buy`).
        quantity_per: How much of it one unit of the parent consumes.
    """

    sku: Id
    quantity_per: PositiveQuantity


class Item(SnapshotModel):
    """How a SKU is sourced: mode, route, lead times and bill of materials.

    Attributes:
        sku: The product code.
        mode: Make-to-stock (default), make-to-order or buy.
        resource: The resource that makes it (`None`: its production needs no modelled
            capacity, only its lead time).
        hours_per_unit: Capacity one unit consumes on `resource` (greater than zero exactly
            when there is a resource).
        production_days: Business days from the end of production to availability (curing,
            inspection, transfer to the warehouse).
        procurement_days: Business days from ordering to receipt when bought from the supplier
            (`None`: it cannot be bought at short notice, only received as listed).
        components: Its bill of materials, one level deep, each a bought item, each SKU once.

    Examples:
        >>> Item(sku="GEAR", mode="buy", resource="PRESS", hours_per_unit=Decimal(1))
        Traceback (most recent call last):
        ...
        ordercore.promise.errors.SnapshotError: invalid Item: resource: a bought item is not produced: give it no resource, hours, production days or components
    """

    sku: Id
    mode: SourcingMode = Field(default=SourcingMode.MAKE_TO_STOCK, strict=False)
    resource: Id | None = None
    hours_per_unit: Quantity = _ZERO
    production_days: _LeadDays = 0
    procurement_days: _LeadDays | None = None
    components: tuple[Component, ...] = Field(default=(), strict=False, max_length=100)

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        if self.mode is SourcingMode.BUY:
            if self.resource or self.hours_per_unit or self.production_days or self.components:
                yield (
                    "resource",
                    (
                        "a bought item is not produced: give it no resource, hours, production "
                        "days or components"
                    ),
                )
            return
        if self.resource is None and self.hours_per_unit:
            yield ("hours_per_unit", "hours per unit need a resource to be spent on")
        if self.resource is not None and not self.hours_per_unit:
            yield ("hours_per_unit", f"an item made on {self.resource} needs hours per unit > 0")
        for sku, count in Counter(c.sku for c in self.components).items():
            if count > 1:
                yield ("components", f"component {sku} is listed {count} times")
            if sku == self.sku:
                yield ("components", f"{sku} cannot be a component of itself")

    @property
    def has_route(self) -> bool:
        """Whether a shortfall can be produced (make-to-order always; make-to-stock with a route)."""
        if self.mode is SourcingMode.MAKE_TO_ORDER:
            return True
        return self.mode is SourcingMode.MAKE_TO_STOCK and (
            self.resource is not None or bool(self.components)
        )


class OnHand(SnapshotModel):
    """Physical stock of a SKU at a location on the snapshot day (allocated stock included).

    Attributes:
        sku: The product code.
        location: The warehouse or plant.
        quantity: How much is there.
    """

    sku: Id
    location: Id
    quantity: Quantity


class Receipt(SnapshotModel):
    """Stock expected to arrive: a purchase order, a transfer, a production order.

    Attributes:
        receipt_id: Its id (contingency events name it).
        sku: The product code.
        location: Where it arrives.
        quantity: How much.
        arrives_on: The day it is available (not before the snapshot day).
        supplier: Who delivers it, for the explanations.
    """

    receipt_id: Id
    sku: Id
    location: Id
    quantity: PositiveQuantity
    arrives_on: date
    supplier: Id | None = None


class CapacityOverride(SnapshotModel):
    """The capacity of one resource on one day, in place of its calendar's.

    Attributes:
        day: The day.
        capacity: Its capacity that day (0: down; more than usual: overtime).
    """

    day: date
    capacity: Quantity


class Resource(SnapshotModel):
    """A machine, line or work centre whose capacity limits production.

    Its capacity on a day is `daily_capacity` on the business days of its calendar (or the
    snapshot's, when it has none) and nothing on other days, unless an override gives that
    day's capacity. Capacity is free capacity: what firm commitments outside the snapshot's
    open orders already use is taken off by the host.

    Attributes:
        resource_id: Its id.
        daily_capacity: Capacity on a working day, in `unit`.
        unit: What capacity is measured in.
        calendar: Its own working calendar (a plant with other shifts or holidays).
        overrides: Days whose capacity differs, each day once.

    Examples:
        >>> press = Resource(resource_id="PRESS", daily_capacity=Decimal(8),
        ...     overrides=[CapacityOverride(day=date(2026, 3, 7), capacity=Decimal(4))])
        >>> calendar = BusinessCalendar()
        >>> [press.capacity_on(date(2026, 3, d), calendar) for d in (6, 7, 8)]
        [Decimal('8'), Decimal('4'), Decimal('0')]
    """

    resource_id: Id
    daily_capacity: Quantity
    unit: ShortText = "hours"
    calendar: BusinessCalendar | None = None
    overrides: tuple[CapacityOverride, ...] = Field(default=(), strict=False, max_length=10000)

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        for day, count in Counter(o.day for o in self.overrides).items():
            if count > 1:
                yield ("overrides", f"{day} is overridden {count} times")

    def capacity_on(self, day: date, calendar: BusinessCalendar) -> Decimal:
        """The capacity on `day`; `calendar` is used when the resource has none of its own."""
        for override in self.overrides:
            if override.day == day:
                return override.capacity
        working = (self.calendar or calendar).is_business_day(day)
        return self.daily_capacity if working else _ZERO


class OpenLine(SnapshotModel):
    """An open order line: what is still to be delivered, and how much of it is allocated.

    Attributes:
        line_id: The line's id in its order.
        sku: The product.
        location: The location it ships from (stock is drawn and production runs there).
        quantity: The open quantity (ordered, less cancelled and shipped).
        allocated: The part of it already allocated from stock on hand (a firm commitment
            the engine keeps; it plans the rest).
    """

    line_id: Id
    sku: Id
    location: Id
    quantity: PositiveQuantity
    allocated: Quantity = _ZERO

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        if self.allocated > self.quantity:
            yield (
                "allocated",
                f"allocated {self.allocated} is more than the open quantity {self.quantity}",
            )

    @property
    def unallocated(self) -> Decimal:
        """The quantity the engine plans: open less allocated."""
        return self.quantity - self.allocated


_RISK_ORDER: Final = tuple(RiskLevel)


class OpenOrder(SnapshotModel):
    """An open order as the engine sees it: its lines and what the priority policy reads.

    Attributes:
        order_id: The order.
        received_at: When it was received (first come, first served).
        lines: Its open lines, each line id once.
        requested_on: The day the customer asked for.
        promised_on: The day promised to the customer, if one was.
        customer_tier: The customer's tier, 1 the most important.
        value: The order's value (all orders of a snapshot in one currency).
        risk_level: Its assessed risk level.

    Examples:
        >>> from datetime import UTC, datetime
        >>> OpenOrder(order_id="SO-1", received_at=datetime(2026, 3, 1, tzinfo=UTC),
        ...     lines=[OpenLine(line_id="1", sku="A", location="WH", quantity=Decimal(1)),
        ...            OpenLine(line_id="1", sku="B", location="WH", quantity=Decimal(1))])
        Traceback (most recent call last):
        ...
        ordercore.promise.errors.SnapshotError: invalid OpenOrder: lines: line 1 is listed 2 times
    """

    order_id: Id
    received_at: Timestamp
    lines: tuple[OpenLine, ...] = Field(strict=False, min_length=1, max_length=10000)
    requested_on: date | None = None
    promised_on: date | None = None
    customer_tier: Annotated[int, Field(ge=1, le=99)] | None = None
    value: Money | None = None
    risk_level: RiskLevel | None = Field(default=None, strict=False)

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        for line_id, count in Counter(line.line_id for line in self.lines).items():
            if count > 1:
                yield ("lines", f"line {line_id} is listed {count} times")

    @property
    def due_on(self) -> date | None:
        """The day the order is measured against: promised, else requested."""
        return self.promised_on or self.requested_on

    @classmethod
    def from_order(
        cls,
        order: Order,
        *,
        location: str,
        calendar: BusinessCalendar,
        customer_tier: int | None = None,
        risk_level: RiskLevel | str | None = None,
    ) -> OpenOrder:
        """The open part of an `Order`, read from its lines' ledgers.

        A line's open quantity is ordered less cancelled and shipped; its allocated quantity
        is allocated less shipped. Fully shipped or cancelled lines are left out. Dates are
        the order's timestamps as days in the calendar's time zone.

        Args:
            order: The order.
            location: Where its lines ship from.
            calendar: Turns the order's timestamps into days.
            customer_tier: The customer's tier, 1 the most important.
            risk_level: The order's risk level.

        Raises:
            SnapshotError: If nothing of the order is open, or a value is refused.
        """
        lines = []
        for line in order.lines:
            ledger = line.ledger
            open_quantity = line.quantity - ledger.cancelled - ledger.shipped
            if open_quantity <= 0:
                continue
            allocated = max(_ZERO, ledger.allocated - ledger.shipped)
            lines.append(
                {
                    "line_id": line.line_id,
                    "sku": line.sku,
                    "location": location,
                    "quantity": open_quantity,
                    "allocated": min(allocated, open_quantity),
                }
            )
        if not lines:
            raise SnapshotError(
                cls.__name__, [("lines", f"order {order.order_id} has no open quantity")]
            )
        return cls.model_validate(
            {
                "order_id": order.order_id,
                "received_at": order.received_at,
                "lines": lines,
                "requested_on": _day(order.requested_delivery_at, calendar),
                "promised_on": _day(order.promised_delivery_at, calendar),
                "customer_tier": customer_tier,
                "value": order.net_total,
                "risk_level": risk_level,
            }
        )


def _day(moment: Any, calendar: BusinessCalendar) -> date | None:
    return None if moment is None else calendar.local_date(moment)


class PromiseSnapshot(SnapshotModel):
    """Everything the engine plans with, fixed on the day `as_of`.

    Attributes:
        as_of: The planning day: day 0 of the horizon; stock on hand is available that day.
        horizon_days: How many days, from `as_of`, capacity is known (90 by default).
        calendar: The working calendar of lead times and of resources without their own.
        delivery_days: Business days from ready to delivered (transit), added to every
            ready day to give the delivery day.
        items: How each SKU is sourced, each SKU once; every SKU named anywhere needs one.
        on_hand: Stock on hand, each SKU and location once.
        receipts: Incoming stock, each receipt id once, none before `as_of`.
        resources: The resources, each id once.
        orders: The open orders, each order id once; their values in one currency.
    """

    as_of: date
    horizon_days: Annotated[int, Field(ge=1, le=_MAX_HORIZON)] = 90
    calendar: BusinessCalendar = Field(default_factory=BusinessCalendar)
    delivery_days: _LeadDays = 0
    items: tuple[Item, ...] = Field(strict=False)
    on_hand: tuple[OnHand, ...] = Field(default=(), strict=False)
    receipts: tuple[Receipt, ...] = Field(default=(), strict=False)
    resources: tuple[Resource, ...] = Field(default=(), strict=False)
    orders: tuple[OpenOrder, ...] = Field(default=(), strict=False)

    @property
    def horizon_end(self) -> date:
        """The last day of the horizon (capacity is known through it)."""
        return self.as_of + timedelta(days=self.horizon_days - 1)

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        items = {item.sku: item for item in self.items}
        yield from _duplicates("items", (item.sku for item in self.items), "SKU")
        yield from _duplicates(
            "on_hand", (f"{s.sku} at {s.location}" for s in self.on_hand), "stock record"
        )
        yield from _duplicates("receipts", (r.receipt_id for r in self.receipts), "receipt")
        yield from _duplicates("resources", (r.resource_id for r in self.resources), "resource")
        yield from _duplicates("orders", (o.order_id for o in self.orders), "order")
        yield from self._item_problems(items)
        for n, stock in enumerate(self.on_hand):
            if stock.sku not in items:
                yield (f"on_hand[{n}].sku", f"unknown SKU {stock.sku!r}")
        for n, receipt in enumerate(self.receipts):
            if receipt.sku not in items:
                yield (f"receipts[{n}].sku", f"unknown SKU {receipt.sku!r}")
            if receipt.arrives_on < self.as_of:
                yield (
                    f"receipts[{n}].arrives_on",
                    (
                        f"receipt {receipt.receipt_id} arrives on {receipt.arrives_on}, before "
                        f"as_of {self.as_of}: count it as on hand or give its new date"
                    ),
                )
        yield from self._order_problems(items)

    def _item_problems(self, items: dict[str, Item]) -> Iterable[tuple[str, str]]:
        resources = {r.resource_id for r in self.resources}
        for n, item in enumerate(self.items):
            if item.resource is not None and item.resource not in resources:
                yield (f"items[{n}].resource", f"unknown resource {item.resource!r}")
            for c, component in enumerate(item.components):
                found = items.get(component.sku)
                where = f"items[{n}].components[{c}].sku"
                if found is None:
                    yield (where, f"unknown SKU {component.sku!r}")
                elif found.mode is not SourcingMode.BUY:
                    yield (where, f"component {component.sku} must be a bought item (one level)")

    def _order_problems(self, items: dict[str, Item]) -> Iterable[tuple[str, str]]:
        allocated: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
        currencies: set[str] = set()
        for n, order in enumerate(self.orders):
            if order.value is not None:
                currencies.add(order.value.currency)
            for m, line in enumerate(order.lines):
                if line.sku not in items:
                    yield (f"orders[{n}].lines[{m}].sku", f"unknown SKU {line.sku!r}")
                if line.allocated:
                    allocated[line.sku, line.location] += line.allocated
        if len(currencies) > 1:
            yield ("orders", f"order values mix currencies {', '.join(sorted(currencies))}")
        stock = {(s.sku, s.location): s.quantity for s in self.on_hand}
        for (sku, location), quantity in sorted(allocated.items()):
            there = stock.get((sku, location), _ZERO)
            if quantity > there:
                yield (
                    "orders",
                    f"lines allocate {quantity} of {sku} at {location} but only {there} are on hand",
                )


def _duplicates(field: str, keys: Iterable[str], what: str) -> Iterable[tuple[str, str]]:
    for key, count in Counter(keys).items():
        if count > 1:
            yield (field, f"{what} {key} is listed {count} times")
