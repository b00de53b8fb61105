"""The planning state and the line planner behind allocation and promise answers.

Days are indexes from the snapshot's `as_of` (0). Stock of each SKU at each location is a
step function of *cumulative free supply* over its breakpoints (day 0 and the receipt days):
a draw of q on day d is feasible when every breakpoint from d on keeps at least q free, so
available-to-promise on day d is the minimum of the free supply over the breakpoints from d
on. Capacity is free capacity per resource per day within the horizon. Everything is exact
(`Decimal` under `ARITHMETIC`); nothing here is public.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Final

from ordercore._base import ROUNDING
from ordercore.promise.constraints import Constraint, ConstraintKind
from ordercore.promise.plans import NOTHING, Availability, CapacityUse, LinePlan
from ordercore.promise.snapshot import Item, SourcingMode

if TYPE_CHECKING:
    from ordercore.promise.snapshot import OpenLine, PromiseSnapshot

_ZERO: Final = Decimal(0)
_PLACES: Final = Decimal("0.000001")  # a Quantity's six places
_ONE: Final = Decimal(1)


class Timeline:
    """Cumulative free supply of one SKU at one location, at its breakpoints."""

    __slots__ = ("days", "free", "receipts")

    def __init__(
        self, days: list[int], free: list[Decimal], receipts: list[tuple[str, ...]]
    ) -> None:
        self.days = days
        self.free = free
        self.receipts = receipts

    def copy(self) -> Timeline:
        return Timeline(self.days, self.free.copy(), self.receipts)

    def suffix(self) -> list[Decimal]:
        """Available-to-promise at each breakpoint: the least free supply from it on."""
        free = self.free
        out = free.copy()
        for k in range(len(out) - 2, -1, -1):
            out[k] = min(out[k], out[k + 1])
        return out

    def last_at_or_before(self, day: int) -> int:
        k = 0
        for j, d in enumerate(self.days):
            if d <= day:
                k = j
        return k

    def reserve(self, k: int, quantity: Decimal) -> None:
        free = self.free
        for j in range(k, len(free)):
            free[j] -= quantity


class Capacity:
    """Free capacity of one resource per horizon day, and the first day with any left."""

    __slots__ = ("first", "free", "resource")

    def __init__(self, resource: str, free: list[Decimal], first: int) -> None:
        self.resource = resource
        self.free = free
        self.first = first

    def copy(self) -> Capacity:
        return Capacity(self.resource, self.free.copy(), self.first)

    def book(self, uses: list[tuple[int, Decimal]]) -> None:
        free = self.free
        for day, hours in uses:
            free[day] -= hours
        first, end = self.first, len(free)
        while first < end and not free[first]:
            first += 1
        self.first = first


_EMPTY: Final = Timeline([0], [_ZERO], [()])


class State:
    """Free stock and capacity after what has been planned so far; `fork` copies on write."""

    def __init__(self, snapshot: PromiseSnapshot) -> None:
        self.snapshot = snapshot
        self.as_of = snapshot.as_of
        self.horizon = snapshot.horizon_days
        self.calendar = snapshot.calendar
        self._parent: State | None = None
        self._business: dict[tuple[int, int], int] = {}
        self._dates: list[date] = [self.as_of + timedelta(days=d) for d in range(self.horizon)]
        self.items: dict[str, Item] = {item.sku: item for item in snapshot.items}
        self.timelines: dict[tuple[str, str], Timeline] = _timelines(snapshot)
        self.capacities: dict[str, Capacity] = {}
        # Cumulative nominal capacity (its daily capacity on its working days, no overrides,
        # nothing booked; totals[r][d] = capacity of the days before d): the finish a run
        # would have on the resource as it normally is, to tell capacity taken by other
        # orders or by a day down from the size of the run itself.
        self.totals: dict[str, list[Decimal]] = {}
        for resource in snapshot.resources:
            free = [resource.capacity_on(day, self.calendar) for day in self._dates]
            first = next((d for d, f in enumerate(free) if f), self.horizon)
            self.capacities[resource.resource_id] = Capacity(resource.resource_id, free, first)
            own = resource.calendar or self.calendar
            nominal = [
                resource.daily_capacity if own.is_business_day(day) else _ZERO
                for day in self._dates
            ]
            self.totals[resource.resource_id] = list(accumulate(nominal, initial=_ZERO))

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
            base = self._parent.timeline(sku, location) if self._parent else _EMPTY
            found = self.timelines[key] = base.copy()
        return found

    def peek(self, sku: str, location: str) -> Timeline:
        """The timeline without copying it (for reading only)."""
        found = self.timelines.get((sku, location))
        if found is not None:
            return found
        return self._parent.peek(sku, location) if self._parent else _EMPTY

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
            return self._dates[index]
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


class _Route:
    """A tentative production or purchase of a shortfall: read-only until committed."""

    __slots__ = (
        "constraints",
        "day",
        "draws",
        "materials",
        "outputs",
        "procured",
        "produced",
        "resource",
        "unmet",
        "uses",
    )

    def __init__(self) -> None:
        self.day: int | None = None
        self.produced = _ZERO
        self.procured = _ZERO
        self.draws: list[tuple[str, int, Decimal]] = []  # component, breakpoint, quantity
        self.outputs: list[tuple[int, Decimal]] = []  # day, cumulative quantity ready
        self.uses: list[tuple[int, Decimal]] = []
        self.resource: str | None = None
        self.constraints: list[Constraint] = []  # binding first
        self.unmet: Constraint | None = None
        self.materials: list[tuple[str, Decimal]] = []


class _Choice:
    """How a line is met: the stock timeline read, the stock drawn at breakpoint `k`, the route."""

    __slots__ = ("atp", "day", "k", "route", "stock", "timeline")

    def __init__(  # noqa: PLR0917 - a record of six parts
        self,
        timeline: Timeline,
        atp: list[Decimal],
        k: int,
        stock: Decimal,
        route: _Route | None,
        day: int,
    ) -> None:
        self.timeline = timeline
        self.atp = atp
        self.k = k
        self.stock = stock
        self.route = route
        self.day = day


class Planner:
    """Plans one line at a time against a state, committing what it plans."""

    def __init__(self, state: State) -> None:
        self.state = state

    def plan(self, order_id: str, line: OpenLine, *, profile: bool) -> LinePlan:
        state = self.state
        item = state.items[line.sku]
        quantity = line.unallocated
        if not quantity:
            return LinePlan(
                order_id,
                line.line_id,
                line.sku,
                line.location,
                _ZERO,
                line.allocated,
                _ZERO,
                None,
                _ZERO,
                _ZERO,
                (),
                (),
                state.as_of,
                self._delivery(0),
                NOTHING,
                (),
            )
        stocked = item.mode is not SourcingMode.MAKE_TO_ORDER
        routed = item.has_route or (
            item.mode is SourcingMode.BUY and item.procurement_days is not None
        )
        timeline = state.peek(line.sku, line.location) if stocked else _EMPTY
        atp = timeline.suffix() if stocked else [_ZERO]
        choice = self._choose(item, line, timeline, atp, routed=routed)
        if choice.day < 0:
            return self._unmet(order_id, line, item, choice, routed=routed, profile=profile)
        plan = self._made(order_id, line, choice, profile=profile)
        self._commit(line, choice)
        return plan

    def _choose(
        self, item: Item, line: OpenLine, timeline: Timeline, atp: list[Decimal], *, routed: bool
    ) -> _Choice:
        """The best way to meet the line; `day` is -1 when none meets it within the horizon.

        Candidates: all from stock at a breakpoint; what stock has by a breakpoint and the
        rest produced or bought; all produced or bought. The earliest day wins, then more
        stock (less capacity and material used), then the earlier breakpoint.
        """
        quantity = line.unallocated
        best: tuple[int, Decimal, int, _Route | None] | None = None  # day, -stock, k, route
        for k, available in enumerate(atp):
            day = timeline.days[k]
            if best is not None and day >= best[0]:
                break
            if available >= quantity:
                best = _better(best, (day, -quantity, k, None))
                break
            if available > 0 and routed:
                route = self._route(item, line.location, quantity - available)
                if route.day is not None:
                    best = _better(best, (max(day, route.day), -available, k, route))
        if routed and (best is None or best[0] > 0):
            route = self._route(item, line.location, quantity)
            if route.day is not None:
                best = _better(best, (route.day, _ZERO, -1, route))
        if best is None:
            return _Choice(timeline, atp, len(atp) - 1, _ZERO, None, -1)
        day, minus_stock, k, chosen = best
        return _Choice(timeline, atp, k, -minus_stock, chosen, day)

    def _delivery(self, index: int) -> date:
        return self.state.day(
            self.state.after_business_days(index, self.state.snapshot.delivery_days)
        )

    def _route(self, item: Item, location: str, shortfall: Decimal) -> _Route:
        state = self.state
        route = _Route()
        if item.mode is SourcingMode.BUY:
            assert item.procurement_days is not None  # noqa: S101 - routed only so
            day = state.after_business_days(0, item.procurement_days)
            route.day = day
            route.procured = shortfall
            route.outputs = [(day, shortfall)]
            route.constraints = [
                Constraint(
                    ConstraintKind.SUPPLIER_LEAD_TIME,
                    day=state.day(day),
                    sku=item.sku,
                    days=item.procurement_days,
                )
            ]
            return route
        start, feasible, waits = self._materials(item, location, shortfall, route)
        producible = shortfall if feasible else self._producible(item, location, route)
        route.produced = shortfall
        finish: int | None = start
        if item.resource is None:
            if producible:
                ready = state.after_business_days(start, item.production_days)
                route.outputs = [(ready, producible)]
        else:
            capacity = state.peek_capacity(item.resource)
            route.resource = item.resource
            finish = self._book(capacity, start, producible * item.hours_per_unit, route)
            if feasible and finish is None:
                route.unmet = Constraint(ConstraintKind.CAPACITY, resource=item.resource)
        if not feasible or finish is None:
            return route
        ready = state.after_business_days(finish, item.production_days)
        capacity_wait = None
        if finish > start:
            capacity_wait = Constraint(
                ConstraintKind.CAPACITY, day=state.day(finish), resource=item.resource
            )
        lead = None
        if item.production_days:
            lead = Constraint(
                ConstraintKind.PRODUCTION_LEAD_TIME,
                day=state.day(ready),
                sku=item.sku,
                days=item.production_days,
            )
        # Binding: capacity that other orders' bookings or days down pushed; else the
        # material that set the start; else the resource's own capacity (the run spans days
        # on the resource as it normally is too); else the lead time. The rest follow in the order they occur.
        competing = capacity_wait is not None and finish > self._unloaded(
            item, start, shortfall * item.hours_per_unit
        )
        if competing or (capacity_wait is not None and not start):
            ordered = [c for c in (capacity_wait, *waits, lead) if c is not None]
        elif start:
            ordered = [c for c in (*waits, capacity_wait, lead) if c is not None]
        else:
            ordered = [lead] if lead is not None else []
        route.constraints = ordered
        route.day = ready
        return route

    def _unloaded(self, item: Item, start: int, hours: Decimal) -> int:
        """The day a run from `start` would finish on the resource at nominal capacity."""
        assert item.resource is not None  # noqa: S101 - only asked of produced items
        totals = self.state.totals[item.resource]
        return bisect_left(totals, totals[start] + hours) - 1

    def _materials(
        self, item: Item, location: str, quantity: Decimal, route: _Route
    ) -> tuple[int, bool, list[Constraint]]:
        """The day all components are there, whether they can be, and the waits, latest first."""
        state = self.state
        start = 0
        waits: list[tuple[int, Constraint]] = []
        feasible = True
        for component in item.components:
            need = quantity * component.quantity_per
            timeline = state.peek(component.sku, location)
            atp = timeline.suffix()
            k = next((j for j, a in enumerate(atp) if a >= need), None)
            bought = state.items[component.sku].procurement_days
            buy_day = None if bought is None else state.after_business_days(0, bought)
            if k is not None and (buy_day is None or timeline.days[k] <= buy_day):
                day = timeline.days[k]
                route.draws.append((component.sku, k, need))
                if day:
                    waits.append(
                        (
                            day,
                            Constraint(
                                ConstraintKind.MATERIAL,
                                day=state.day(day),
                                sku=component.sku,
                                location=location,
                                receipts=timeline.receipts[k],
                            ),
                        )
                    )
            elif buy_day is not None:
                j = timeline.last_at_or_before(buy_day)
                taken = min(need, max(atp[j], _ZERO))
                if taken:
                    route.draws.append((component.sku, j, taken))
                route.materials.append((component.sku, need - taken))
                day = buy_day
                waits.append(
                    (
                        day,
                        Constraint(
                            ConstraintKind.SUPPLIER_LEAD_TIME,
                            day=state.day(day),
                            sku=component.sku,
                            days=bought,
                        ),
                    )
                )
            else:
                feasible = False
                if route.unmet is None:
                    route.unmet = Constraint(
                        ConstraintKind.MATERIAL, sku=component.sku, location=location
                    )
                continue
            start = max(start, day)
        waits.sort(key=lambda pair: -pair[0])  # the latest (binding) first; stable
        return start, feasible, [c for _, c in waits]

    def _producible(self, item: Item, location: str, route: _Route) -> Decimal:
        """How much the components on hand and incoming allow (for partial answers)."""
        route.draws.clear()
        route.materials.clear()
        most: Decimal | None = None
        for component in item.components:
            available = max(self.state.peek(component.sku, location).suffix()[0], _ZERO)
            if self.state.items[component.sku].procurement_days is not None:
                continue
            can = _floor(ROUNDING.divide(available, component.quantity_per))
            most = can if most is None else min(most, can)
        return most or _ZERO

    def _book(self, capacity: Capacity, start: int, hours: Decimal, route: _Route) -> int | None:
        """Book `hours` from day `start` on (tentatively); the finish day, None if it runs out."""
        free = capacity.free
        end = len(free)
        day = max(start, capacity.first)
        remaining = hours
        uses = route.uses
        while remaining and day < end:
            left = free[day]
            if left:
                take = min(remaining, left)
                uses.append((day, take))
                remaining -= take
            day += 1
        if remaining:
            return None
        return uses[-1][0] if uses else start

    def _outputs(self, route: _Route, item: Item) -> None:
        """Cumulative quantities ready by day from the capacity booked (partial answers)."""
        if route.resource is None or not route.uses:
            return
        done = _ZERO
        per = item.hours_per_unit
        for day, hours in route.uses:
            done += hours
            units = _floor(ROUNDING.divide(done, per))
            route.outputs.append(
                (
                    self.state.after_business_days(day, item.production_days),
                    min(units, route.produced),
                )
            )

    def _availability(self, choice: _Choice, item: Item) -> tuple[Availability, ...]:
        """Cumulative quantities by day: stock by its breakpoints, then the route's output."""
        timeline, atp, stock, route = choice.timeline, choice.atp, choice.stock, choice.route
        stock_by: list[tuple[int, Decimal]] = []
        if stock:
            stock_by = [
                (timeline.days[j], min(max(atp[j], _ZERO), stock)) for j in range(choice.k + 1)
            ]
        route_by: list[tuple[int, Decimal]] = []
        if route is not None:
            self._outputs(route, item)
            route_by = route.outputs
        out: list[Availability] = []
        last = _ZERO
        for day in sorted({d for d, _ in stock_by} | {d for d, _ in route_by}):
            total = _at(stock_by, day) + _at(route_by, day)
            if total > last:
                out.append(Availability(self.state.day(day), total))
                last = total
        return tuple(out)

    def _made(self, order_id: str, line: OpenLine, choice: _Choice, *, profile: bool) -> LinePlan:
        state = self.state
        route, stock = choice.route, choice.stock
        stock_day = choice.timeline.days[choice.k] if stock else None
        route_waits = route.constraints if route is not None else []
        waited = list(route_waits)
        if stock_day:
            stock_wait = Constraint(
                ConstraintKind.STOCK,
                day=state.day(stock_day),
                sku=line.sku,
                location=line.location,
                receipts=choice.timeline.receipts[choice.k],
            )
            if route is None or stock_day >= (route.day or 0):
                waited.insert(0, stock_wait)
            else:
                waited.append(stock_wait)
        day = choice.day
        binding = waited[0] if waited and day else Constraint(ConstraintKind.NONE, day=state.day(0))
        capacity: tuple[CapacityUse, ...] = ()
        if route is not None and route.resource is not None:
            capacity = tuple(CapacityUse(route.resource, state.day(d), h) for d, h in route.uses)
        return LinePlan(
            order_id,
            line.line_id,
            line.sku,
            line.location,
            line.unallocated,
            line.allocated,
            stock,
            None if stock_day is None else state.day(stock_day),
            route.produced if route is not None else _ZERO,
            route.procured if route is not None else _ZERO,
            tuple(route.materials) if route is not None else (),
            capacity,
            state.day(day),
            self._delivery(day),
            binding,
            tuple(waited),
            self._availability(choice, state.items[line.sku]) if profile else (),
        )

    def _unmet(
        self,
        order_id: str,
        line: OpenLine,
        item: Item,
        choice: _Choice,
        *,
        routed: bool,
        profile: bool,
    ) -> LinePlan:
        """A line not met in full: nothing reserved; what is available by when, for answers."""
        quantity = line.unallocated
        stock = _ZERO
        if item.mode is not SourcingMode.MAKE_TO_ORDER:
            stock = min(max(choice.atp[choice.k], _ZERO), quantity)
        route = self._route(item, line.location, quantity - stock) if routed else None
        if route is not None and route.unmet is not None:
            binding = route.unmet
        else:
            binding = Constraint(ConstraintKind.STOCK, sku=line.sku, location=line.location)
        partial = _Choice(choice.timeline, choice.atp, choice.k, stock, route, -1)
        return LinePlan(
            order_id,
            line.line_id,
            line.sku,
            line.location,
            quantity,
            line.allocated,
            _ZERO,
            None,
            _ZERO,
            _ZERO,
            (),
            (),
            None,
            None,
            binding,
            (binding,),
            self._availability(partial, item) if profile else (),
        )

    def _commit(self, line: OpenLine, choice: _Choice) -> None:
        state = self.state
        if choice.stock:
            state.timeline(line.sku, line.location).reserve(choice.k, choice.stock)
        route = choice.route
        if route is None:
            return
        for sku, j, quantity in route.draws:
            state.timeline(sku, line.location).reserve(j, quantity)
        if route.resource is not None and route.uses:
            state.capacity(route.resource).book(route.uses)


_Candidate = tuple[int, Decimal, int, "_Route | None"]


def _better(best: _Candidate | None, candidate: _Candidate) -> _Candidate:
    """The better of two candidates: earlier day, then more stock, then earlier breakpoint."""
    return candidate if best is None or candidate[:3] < best[:3] else best


def _floor(value: Decimal) -> Decimal:
    """`value` rounded down to a quantity's six places, without trailing zeros."""
    floored = value.quantize(_PLACES, rounding=ROUND_FLOOR, context=ROUNDING)
    if floored == floored.to_integral_value():
        return floored.quantize(_ONE, context=ROUNDING)
    return floored.normalize(ROUNDING)


def _at(steps: list[tuple[int, Decimal]], day: int) -> Decimal:
    """The cumulative quantity of a step list on `day` (0 before its first step)."""
    found = _ZERO
    for d, quantity in steps:
        if d <= day:
            found = quantity
        else:
            break
    return found
