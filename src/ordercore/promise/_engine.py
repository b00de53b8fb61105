"""The line planner behind allocation and promise answers.

A line is met the earliest way among: all from stock on the first day stock covers it; what
stock has by an earlier day and the rest made or bought; all made or bought (when nothing is
in stock today). Ties go to more stock. Each way is weighed against the state read-only and
only the chosen one is committed. Everything is exact (`Decimal` under `ARITHMETIC`); nothing
here is public.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import ROUND_FLOOR, Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from ordercore._base import ROUNDING
from ordercore.promise._state import EMPTY, NONE_FREE
from ordercore.promise.constraints import ConstraintKind
from ordercore.promise.plans import Availability, LineRow, Wait
from ordercore.promise.snapshot import Item, SourcingMode

if TYPE_CHECKING:
    from datetime import date

    from ordercore.promise._state import Capacity, State, Timeline
    from ordercore.promise.snapshot import OpenLine

_ZERO: Final = Decimal(0)
_PLACES: Final = Decimal("0.000001")  # a Quantity's six places
_ONE: Final = Decimal(1)
# The kinds as plain strings: a tuple of strings, dates and numbers is one the garbage
# collector stops tracking, and a plan keeps one such tuple per constraint waited for.
_STOCK: Final = ConstraintKind.STOCK.value
_CAPACITY: Final = ConstraintKind.CAPACITY.value
_MATERIAL: Final = ConstraintKind.MATERIAL.value
_LEAD: Final = ConstraintKind.SUPPLIER_LEAD_TIME.value
_MAKING: Final = ConstraintKind.PRODUCTION_LEAD_TIME.value


_NO_LIST: Final[list[Any]] = []  # read only: an empty list no route ever appends to


class _Route:
    """A tentative production or purchase of a shortfall: read-only until committed.

    Every field defaults on the class (the lists to one shared empty list that nothing
    appends to) and is set on the instance only when it differs: a plan weighs tens of
    thousands of routes and keeps one per line.
    """

    day: int | None = None
    produced: Decimal = _ZERO
    procured: Decimal = _ZERO
    resource: str | None = None
    unmet: Wait | None = None
    draws: list[tuple[str, int, Decimal]] = _NO_LIST  # component, breakpoint, quantity
    materials: list[tuple[str, Decimal]] = _NO_LIST  # component, quantity bought
    outputs: list[tuple[int, Decimal]] = _NO_LIST  # day, cumulative quantity ready
    uses: list[tuple[int, Decimal]] = _NO_LIST  # day, hours
    constraints: list[Wait] = _NO_LIST  # binding first


class _Choice(NamedTuple):
    """How a line is met: the stock timeline read, the stock drawn at breakpoint `k`, the route."""

    timeline: Timeline
    atp: list[Decimal]
    k: int
    stock: Decimal
    route: _Route | None
    day: int


class Planner:
    """Plans one line at a time against a state, committing what it plans."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._transit = state.snapshot.delivery_days

    def plan(self, order_id: str, line: OpenLine, *, profile: bool) -> LineRow:
        state = self.state
        sku, location = line.sku, line.location
        item, stocked, routed = state.sourcing[sku]
        quantity = line.quantity - line.allocated
        if not quantity:
            return (
                order_id,
                line.line_id,
                sku,
                location,
                _ZERO,
                line.allocated,
                _ZERO,
                None,
                _ZERO,
                _ZERO,
                (),
                None,
                (),
                state.as_of,
                self._delivery(0),
                (),
                (),
            )
        if stocked:
            timeline = state.peek(sku, location)
            atp = timeline.atp
        else:
            timeline, atp = EMPTY, NONE_FREE
        if atp[0] >= quantity and not profile:
            # In stock today, the common case: drawn at once, nothing else to weigh.
            state.timeline(sku, location).reserve(0, quantity)
            today = state.as_of
            return (
                order_id,
                line.line_id,
                sku,
                location,
                quantity,
                line.allocated,
                quantity,
                today,
                _ZERO,
                _ZERO,
                (),
                None,
                (),
                today,
                self._delivery(0) if self._transit else today,
                (),
                (),
            )
        choice = self._choose(item, location, timeline, atp, quantity, routed=routed)
        if choice.day < 0:
            return self._unmet(order_id, line, item, choice, routed=routed, profile=profile)
        made = self._made(order_id, line, choice, profile=profile)
        if choice.stock:
            state.timeline(sku, location).reserve(choice.k, choice.stock)
        route = choice.route
        if route is not None:
            for component, j, need in route.draws:
                state.timeline(component, location).reserve(j, need)
            if route.uses and route.resource is not None:
                state.capacity(route.resource).book(route.uses)
        return made

    def _choose(
        self,
        item: Item,
        location: str,
        timeline: Timeline,
        atp: list[Decimal],
        quantity: Decimal,
        *,
        routed: bool,
    ) -> _Choice:
        """The best way to meet the line; `day` is -1 when none meets it within the horizon.

        Candidates: all from stock at a breakpoint; what stock has by a breakpoint and the
        rest produced or bought; all produced or bought. The earliest day wins, then more
        stock (less capacity and material used), then the earlier breakpoint.
        """
        best: tuple[int, Decimal, int, _Route | None] | None = None  # day, -stock, k, route
        full = 0 if atp[0] >= quantity else _covering(atp, quantity) if len(atp) > 1 else None
        if full is None:
            full = len(atp)
        else:
            best = (timeline.days[full], -quantity, full, None)
        # A shortfall made or bought is ready no sooner than the route's floor: when that is
        # not before the day stock covers the line, no split can beat the stock.
        if not routed or (best is not None and self._floor(item) >= best[0]):
            if best is None:
                return _Choice(timeline, atp, len(atp) - 1, _ZERO, None, -1)
            return _Choice(timeline, atp, best[2], quantity, None, best[0])
        for k in range(full):
            day, available = timeline.days[k], atp[k]
            if best is not None and day >= best[0]:
                break
            if available > 0:
                route = self._route(item, location, quantity - available)
                if route.day is not None:
                    best = _better(best, (max(day, route.day), -available, k, route))
        # All made or bought: only when stock has nothing today. Otherwise the split at the
        # first breakpoint makes less from the same start, so it is never later.
        if atp[0] <= 0 and (best is None or best[0] > 0):
            route = self._route(item, location, quantity)
            if route.day is not None:
                best = _better(best, (route.day, _ZERO, -1, route))
        return _choice(timeline, atp, best)

    def _floor(self, item: Item) -> int:
        """A day before which no shortfall of `item` can be made or bought."""
        state = self.state
        if item.mode is SourcingMode.BUY:
            return state.buying[item.sku][1] or 0
        start = 0 if item.resource is None else state.peek_capacity(item.resource).first
        return state.after_business_days(start, item.production_days)

    def _delivery(self, index: int) -> date:
        state = self.state
        if not self._transit:
            return state.day(index)
        return state.day(state.after_business_days(index, self._transit))

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
                (
                    _LEAD,
                    state.day(day),
                    item.sku,
                    None,
                    None,
                    item.procurement_days,
                    (),
                )
            ]
            return route
        start, feasible, waits = self._materials(item, location, shortfall, route)
        producible = shortfall if feasible else self._producible(item, location, route)
        route.produced = shortfall
        finish: int | None = start
        hours = _ZERO
        if item.resource is None:
            if producible:
                ready = state.after_business_days(start, item.production_days)
                route.outputs = [(ready, producible)]
        else:
            capacity = state.peek_capacity(item.resource)
            route.resource = item.resource
            hours = producible * item.hours_per_unit  # the shortfall's, when feasible
            finish = self._book(capacity, start, hours, route)
            if feasible and finish is None:
                route.unmet = (_CAPACITY, None, None, None, item.resource, None, ())
        if not feasible or finish is None:
            return route
        ready = state.after_business_days(finish, item.production_days)
        if finish > start or item.production_days:
            route.constraints = self._waits(item, start, finish, ready, hours, waits)
        elif start:  # the material that set the start is all it waited for
            route.constraints = waits
        route.day = ready
        return route

    def _waits(  # noqa: PLR0917 - the run's facts, read once by the caller
        self, item: Item, start: int, finish: int, ready: int, hours: Decimal, waits: list[Wait]
    ) -> list[Wait]:
        """A run's waits, binding first.

        Binding: capacity that other orders' bookings or days down pushed; else the material
        that set the start; else the resource's own capacity (the run spans days on the
        resource as it normally is too); else the lead time. The rest follow in the order
        they occur.
        """
        state = self.state
        ordered: list[Wait]
        if finish > start:
            day = state.dates[finish] if finish < state.horizon else state.day(finish)
            capacity: Wait = (_CAPACITY, day, None, None, item.resource, None, ())
            if not start or finish > self._unloaded(item, start, hours):
                ordered = [capacity, *waits]
            else:
                ordered = [*waits, capacity]
        else:
            ordered = waits if start else []
        if item.production_days:
            ordered.append(
                (_MAKING, state.day(ready), item.sku, None, None, item.production_days, ())
            )
        return ordered

    def _unloaded(self, item: Item, start: int, hours: Decimal) -> int:
        """The day a run from `start` would finish on the resource at nominal capacity."""
        assert item.resource is not None  # noqa: S101 - only asked of produced items
        totals = self.state.totals[item.resource]
        return bisect_left(totals, totals[start] + hours) - 1

    def _materials(
        self, item: Item, location: str, quantity: Decimal, route: _Route
    ) -> tuple[int, bool, list[Wait]]:
        """The day all components are there, whether they can be, and the waits, latest first."""
        state = self.state
        start = 0
        waits: list[tuple[int, Wait]] = []
        feasible = True
        draws: list[tuple[str, int, Decimal]] = []
        route.draws = draws
        dates, horizon = state.dates, state.horizon
        for sku, per, bought, buy_day in state.recipes[item.sku]:
            need = quantity * per
            timeline = state.peek(sku, location)
            atp = timeline.atp
            k = _covering(atp, need)
            if k is not None and (buy_day is None or timeline.days[k] <= buy_day):
                day = timeline.days[k]
                draws.append((sku, k, need))
                if day:
                    wait = (
                        _MATERIAL,
                        dates[day] if day < horizon else state.day(day),
                        sku,
                        location,
                        None,
                        None,
                        timeline.receipts[k],
                    )
                    waits.append((day, wait))
            elif buy_day is not None:
                j = timeline.last_at_or_before(buy_day)
                taken = min(need, max(atp[j], _ZERO))
                if taken:
                    draws.append((sku, j, taken))
                if not route.materials:
                    route.materials = []
                route.materials.append((sku, need - taken))
                day = buy_day
                waits.append((day, (_LEAD, state.day(day), sku, None, None, bought, ())))
            else:
                feasible = False
                if route.unmet is None:
                    route.unmet = (_MATERIAL, None, sku, location, None, None, ())
                continue
            start = max(start, day)
        if not waits:
            return start, feasible, []
        if len(waits) == 1:
            return start, feasible, [waits[0][1]]
        waits.sort(key=lambda pair: -pair[0])  # the latest (binding) first; stable
        return start, feasible, [wait for _, wait in waits]

    def _producible(self, item: Item, location: str, route: _Route) -> Decimal:
        """How much the components on hand and incoming allow (for partial answers)."""
        route.draws = _NO_LIST
        route.materials = _NO_LIST
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
        day = capacity.open_from(start) if start < end else end
        remaining = hours
        uses: list[tuple[int, Decimal]] = []
        route.uses = uses
        while remaining and day < end:
            left = free[day]  # some left: open_from skips the days with none
            if left < remaining:
                uses.append((day, left))
                remaining -= left
                day += 1
                if day < end and not free[day]:
                    day = capacity.open_from(day)
            else:
                uses.append((day, remaining))
                remaining = _ZERO
        if remaining:
            return None
        return uses[-1][0] if uses else start

    def _outputs(self, route: _Route, item: Item) -> None:
        """Cumulative quantities ready by day from the capacity booked (partial answers)."""
        if route.resource is None or not route.uses:
            return
        done = _ZERO
        per = item.hours_per_unit
        outputs: list[tuple[int, Decimal]] = []
        route.outputs = outputs
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

    def _made(self, order_id: str, line: OpenLine, choice: _Choice, *, profile: bool) -> LineRow:
        state = self.state
        route, stock, day = choice.route, choice.stock, choice.day
        stock_day = choice.timeline.days[choice.k] if stock else None
        dates, horizon = state.dates, state.horizon
        if stock_day is None:
            stock_date = None
        else:
            stock_date = dates[stock_day] if stock_day < horizon else state.day(stock_day)
        waited = route.constraints if route is not None else []
        if stock_day:
            stock_wait = (
                _STOCK,
                stock_date,
                line.sku,
                line.location,
                None,
                None,
                choice.timeline.receipts[choice.k],
            )
            if route is None or stock_day >= (route.day or 0):
                waited = [stock_wait, *waited]
            else:
                waited = [*waited, stock_wait]
        ready = dates[day] if day < horizon else state.day(day)
        if route is None:
            return (
                order_id,
                line.line_id,
                line.sku,
                line.location,
                stock,
                line.allocated,
                stock,
                stock_date,
                _ZERO,
                _ZERO,
                (),
                None,
                (),
                ready,
                self._delivery(day) if self._transit else ready,
                _flat(waited) if day else (),
                self._availability(choice, state.items[line.sku]) if profile else (),
            )
        bookings: tuple[date | Decimal, ...] = ()
        if route.resource is not None:
            uses = route.uses
            if len(uses) == 1:  # most runs fit one day: no comprehension to call
                bookings = (dates[uses[0][0]], uses[0][1])
            else:
                bookings = tuple([x for d, h in uses for x in (dates[d], h)])
        return (
            order_id,
            line.line_id,
            line.sku,
            line.location,
            line.quantity - line.allocated,
            line.allocated,
            stock,
            stock_date,
            route.produced,
            route.procured,
            _flat(route.materials),
            route.resource,
            bookings,
            ready,
            self._delivery(day) if self._transit else ready,
            _flat(waited) if day else (),
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
    ) -> LineRow:
        """A line not met in full: nothing reserved; what is available by when, for answers."""
        quantity = line.unallocated
        stock = _ZERO
        if item.mode is not SourcingMode.MAKE_TO_ORDER:
            stock = min(max(choice.atp[choice.k], _ZERO), quantity)
        route = self._route(item, line.location, quantity - stock) if routed else None
        if route is not None and route.unmet is not None:
            binding = route.unmet
        else:
            binding = (_STOCK, None, line.sku, line.location, None, None, ())
        partial = _Choice(choice.timeline, choice.atp, choice.k, stock, route, -1)
        return (
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
            None,
            (),
            None,
            None,
            binding,  # one wait: its fields are the flat form
            self._availability(partial, item) if profile else (),
        )


_Candidate = tuple[int, Decimal, int, "_Route | None"]


def _flat(pairs: list[Wait] | list[tuple[str, Decimal]]) -> tuple[Any, ...]:
    """Tuples' fields one after the other: the form a line row keeps them in (see `LineRow`)."""
    if not pairs:
        return ()
    if len(pairs) == 1:
        return pairs[0]
    return tuple(chain.from_iterable(pairs))


def _covering(atp: list[Decimal], quantity: Decimal) -> int | None:
    """The first breakpoint whose available-to-promise covers `quantity`, if any."""
    if atp[0] >= quantity:
        return 0
    if len(atp) == 1:
        return None
    for k in range(1, len(atp)):
        if atp[k] >= quantity:
            return k
    return None


def _choice(timeline: Timeline, atp: list[Decimal], best: _Candidate | None) -> _Choice:
    if best is None:
        return _Choice(timeline, atp, len(atp) - 1, _ZERO, None, -1)
    day, minus_stock, k, route = best
    return _Choice(timeline, atp, k, -minus_stock, route, day)


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
