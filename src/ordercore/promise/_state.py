"""The planning state: free stock by SKU and location, free capacity by resource and day.

Days are indexes from the snapshot's `as_of` (0). Stock of each SKU at each location is a
step function of *cumulative free supply* over its breakpoints (day 0 and the receipt days):
a draw of q on day d is feasible when every breakpoint from d on keeps at least q free, so
available-to-promise on day d is the minimum of the free supply over the breakpoints from d
on. Capacity is free capacity per resource per day within the horizon. A `State` forks into
a copy-on-write child for promise answers. Nothing here is public.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Final

from ordercore.promise.snapshot import Item, SourcingMode

if TYPE_CHECKING:
    from ordercore.promise.snapshot import PromiseSnapshot

_ZERO: Final = Decimal(0)


class Timeline:
    """Cumulative free supply of one SKU at one location at its breakpoints, and its ATP.

    `atp` is kept with `free` as draws are reserved, so reading available-to-promise costs
    no copy: a draw of q from breakpoint k lowers the free supply, and so the least free
    supply, of every breakpoint from k on by exactly q; before k it is the minimum with
    the lowered value, recomputed back to the first breakpoint it does not change.
    """

    __slots__ = ("atp", "days", "free", "receipts")

    def __init__(
        self,
        days: list[int],
        free: list[Decimal],
        receipts: list[tuple[str, ...]],
        atp: list[Decimal] | None = None,
    ) -> None:
        self.days = days
        self.free = free
        self.receipts = receipts
        self.atp = _least_from(free) if atp is None else atp

    def copy(self) -> Timeline:
        return Timeline(self.days, self.free.copy(), self.receipts, self.atp.copy())

    def suffix(self) -> list[Decimal]:
        """Available-to-promise at each breakpoint: the least free supply from it on (read only)."""
        return self.atp

    def last_at_or_before(self, day: int) -> int:
        return bisect_right(self.days, day) - 1 if day >= 0 else 0

    def reserve(self, k: int, quantity: Decimal) -> None:
        free, atp = self.free, self.atp
        for j in range(k, len(free)):
            free[j] -= quantity
            atp[j] -= quantity
        j = k - 1
        while j >= 0:
            low = min(free[j], atp[j + 1])
            if low == atp[j]:
                break
            atp[j] = low
            j -= 1


def _least_from(free: list[Decimal]) -> list[Decimal]:
    out = free.copy()
    for k in range(len(out) - 2, -1, -1):
        out[k] = min(out[k], out[k + 1])
    return out


class Capacity:
    """Free capacity of one resource per horizon day, and where the days with some left are.

    `skip[d]` points at a day no later than the first day from `d` on with capacity left
    (`len(free)` when none is): every day in between has none. A booking that uses a day
    up points it at the next, and `open_from` follows and shortens the pointers, so a run
    steps over booked-out days without reading them one by one.
    """

    __slots__ = ("first", "free", "resource", "skip")

    def __init__(
        self, resource: str, free: list[Decimal], first: int, skip: list[int] | None = None
    ) -> None:
        self.resource = resource
        self.free = free
        self.first = first
        if skip is None:
            skip = [d if f else d + 1 for d, f in enumerate(free)]
            skip.append(len(free))
        self.skip = skip

    def copy(self) -> Capacity:
        return Capacity(self.resource, self.free.copy(), self.first, self.skip.copy())

    def open_from(self, day: int) -> int:
        """The first day from `day` on with capacity left (`len(free)` when none is)."""
        skip = self.skip
        found = day
        while skip[found] != found:
            found = skip[found]
        while day != found:  # every pointer read now points at the day found
            skip[day], day = found, skip[day]
        return found

    def book(self, uses: list[tuple[int, Decimal]]) -> None:
        free, skip = self.free, self.skip
        for day, hours in uses:
            left = free[day] - hours
            free[day] = left
            if not left:
                skip[day] = day + 1
        self.first = self.open_from(self.first)


EMPTY: Final = Timeline([0], [_ZERO], [()])
NONE_FREE: Final = [_ZERO]  # read only: the free stock of a SKU served by no stock


class State:
    """Free stock and capacity after what has been planned so far; `fork` copies on write."""

    def __init__(self, snapshot: PromiseSnapshot) -> None:
        self.snapshot = snapshot
        self.as_of = snapshot.as_of
        self.horizon = snapshot.horizon_days
        self.calendar = snapshot.calendar
        self._parent: State | None = None
        self._business: dict[tuple[int, int], int] = {}
        self.dates: list[date] = [self.as_of + timedelta(days=d) for d in range(self.horizon)]
        self.items: dict[str, Item] = {item.sku: item for item in snapshot.items}
        # Per SKU: its item, whether finished stock serves it, whether a shortfall can be
        # made or bought; its procurement lead time and the day an order placed today arrives.
        self.sourcing: dict[str, tuple[Item, bool, bool]] = {
            item.sku: (
                item,
                item.mode is not SourcingMode.MAKE_TO_ORDER,
                item.has_route
                or (item.mode is SourcingMode.BUY and item.procurement_days is not None),
            )
            for item in snapshot.items
        }
        self.buying: dict[str, tuple[int | None, int | None]] = {}
        self.timelines: dict[tuple[str, str], Timeline] = _timelines(snapshot)
        self.capacities: dict[str, Capacity] = {}
        # Cumulative nominal capacity (its daily capacity on its working days, no overrides,
        # nothing booked; totals[r][d] = capacity of the days before d): the finish a run
        # would have on the resource as it normally is, to tell capacity taken by other
        # orders or by a day down from the size of the run itself.
        self.totals: dict[str, list[Decimal]] = {}
        for resource in snapshot.resources:
            free = [resource.capacity_on(day, self.calendar) for day in self.dates]
            first = next((d for d, f in enumerate(free) if f), self.horizon)
            self.capacities[resource.resource_id] = Capacity(resource.resource_id, free, first)
            own = resource.calendar or self.calendar
            nominal = [
                resource.daily_capacity if own.is_business_day(day) else _ZERO for day in self.dates
            ]
            self.totals[resource.resource_id] = list(accumulate(nominal, initial=_ZERO))
        self._fill_buying()
        # Per SKU, its bill of materials as plain tuples: component, quantity per unit, its
        # procurement lead time and the day an order for it placed today arrives.
        self.recipes: dict[str, tuple[tuple[str, Decimal, int | None, int | None], ...]] = {
            item.sku: tuple((c.sku, c.quantity_per, *self.buying[c.sku]) for c in item.components)
            for item in snapshot.items
        }

    def _fill_buying(self) -> None:
        for item in self.items.values():
            days = item.procurement_days
            self.buying[item.sku] = (
                days,
                None if days is None else self.after_business_days(0, days),
            )

    def fork(self) -> State:
        """A state that reads this one and copies what it changes."""
        child = object.__new__(State)
        child.__dict__.update(self.__dict__)
        child.timelines = {}
        child.capacities = {}
        child._parent = self
        return child

    def timeline(self, sku: str, location: str) -> Timeline:
        key = (sku, location)
        found = self.timelines.get(key)
        if found is None:
            base = self._parent.timeline(sku, location) if self._parent else EMPTY
            found = self.timelines[key] = base.copy()
        return found

    def peek(self, sku: str, location: str) -> Timeline:
        """The timeline without copying it (for reading only)."""
        found = self.timelines.get((sku, location))
        if found is None:
            parent = self._parent
            return EMPTY if parent is None else parent.peek(sku, location)
        return found

    def capacity(self, resource: str) -> Capacity:
        found = self.capacities.get(resource)
        if found is None:
            assert self._parent is not None  # noqa: S101 - every resource is in the root
            found = self.capacities[resource] = self._parent.capacity(resource).copy()
        return found

    def peek_capacity(self, resource: str) -> Capacity:
        found = self.capacities.get(resource)
        if found is not None:
            return found
        assert self._parent is not None  # noqa: S101 - every resource is in the root
        return self._parent.peek_capacity(resource)

    def day(self, index: int) -> date:
        if 0 <= index < self.horizon:
            return self.dates[index]
        return self.as_of + timedelta(days=index)

    def after_business_days(self, index: int, count: int) -> int:
        """The day index `count` business days after day `index` (itself when 0)."""
        if not count:
            return index
        key = (index, count)
        found = self._business.get(key)
        if found is None:
            found = (self.calendar.add_business_days(self.day(index), count) - self.as_of).days
            self._business[key] = found
        return found


def _timelines(snapshot: PromiseSnapshot) -> dict[tuple[str, str], Timeline]:
    free_now: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for stock in snapshot.on_hand:
        free_now[stock.sku, stock.location] += stock.quantity
    for order in snapshot.orders:
        for line in order.lines:
            if line.allocated:
                free_now[line.sku, line.location] -= line.allocated
    arrivals: defaultdict[tuple[str, str], dict[int, tuple[Decimal, tuple[str, ...]]]]
    arrivals = defaultdict(dict)
    for receipt in snapshot.receipts:
        key = (receipt.sku, receipt.location)
        day = (receipt.arrives_on - snapshot.as_of).days
        quantity, ids = arrivals[key].get(day, (_ZERO, ()))
        arrivals[key][day] = (quantity + receipt.quantity, (*ids, receipt.receipt_id))
    result = {}
    for key in free_now.keys() | arrivals.keys():
        days, free = [0], [free_now.get(key, _ZERO)]
        receipts: list[tuple[str, ...]] = [()]
        total = free[0]
        for day, (quantity, ids) in sorted(arrivals.get(key, {}).items()):
            total += quantity
            if day == 0:
                free[0], receipts[0] = total, ids
            else:
                days.append(day)
                free.append(total)
                receipts.append(ids)
        result[key] = Timeline(days, free, receipts)
    return result
