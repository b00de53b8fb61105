"""The promise engine: incremental ATP, and full allocation against a plain greedy allocation.

1. Available-to-promise for one new order against 10,000 open orders and 1,000 SKUs:
   `AllocationPlan.promise` on the plan already made, against re-running the whole allocation
   with the new order in it. The bar: at least 100x faster (incremental / full <= 0.01).
2. Allocation of 100,000 order lines over 90 days of capacity: `allocate`, against a
   straightforward greedy allocation written here with the same feasibility checks (stock
   on hand and incoming, cumulative by day; capacity day by day; components from stock or
   bought after their lead time; business days) and the same sourcing rule, so that both
   give every line the same day (checked in the run). The bar: at most 2x the greedy one.

Both are measured in the same run; the figures are medians.
"""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from benchmarks._harness import Report, collector_off, median_time
from ordercore._base import ARITHMETIC
from ordercore.promise import (
    Component,
    Item,
    OnHand,
    OpenLine,
    OpenOrder,
    PriorityPolicy,
    PromiseSnapshot,
    Receipt,
    Resource,
    SourcingMode,
    allocate,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ordercore.promise.snapshot import Item as ItemType

AS_OF = date(2026, 3, 2)
RECEIVED = datetime(2026, 2, 1, tzinfo=UTC)
POLICY = PriorityPolicy.of("promised_date", "customer_tier", "first_come")
ZERO = Decimal(0)


def _items(rng: random.Random, skus: int, parts: int, resources: int) -> list[Item]:
    items = [
        Item(sku=f"PART-{n}", mode="buy", procurement_days=rng.randint(3, 15)) for n in range(parts)
    ]
    for n in range(skus):
        kind = n % 5
        resource = f"R-{n % resources}"
        component = [Component(sku=f"PART-{n % parts}", quantity_per=Decimal(rng.randint(1, 3)))]
        if kind < 3:
            items.append(
                Item(
                    sku=f"SKU-{n}",
                    resource=resource,
                    hours_per_unit=Decimal("0.5"),
                    production_days=rng.randint(0, 2),
                    components=component,
                )
            )
        elif kind == 3:
            items.append(
                Item(
                    sku=f"SKU-{n}",
                    mode="make_to_order",
                    resource=resource,
                    hours_per_unit=Decimal(1),
                    production_days=1,
                    components=component,
                )
            )
        else:
            items.append(Item(sku=f"SKU-{n}", mode="buy", procurement_days=rng.randint(2, 10)))
    return items


def _snapshot(
    *,
    seed: int,
    skus: int,
    orders: int,
    lines_of: Callable[[int], int],
    daily: int,
    resources: int = 20,
) -> PromiseSnapshot:
    rng = random.Random(seed)
    parts = max(1, skus // 20)
    items = _items(rng, skus, parts, resources)
    on_hand = [
        OnHand(sku=item.sku, location="P1", quantity=Decimal(rng.randint(0, 400)))
        for item in items
        if item.mode is not SourcingMode.MAKE_TO_ORDER
    ]
    receipts = [
        Receipt(
            receipt_id=f"PO-{n}",
            sku=item.sku,
            location="P1",
            quantity=Decimal(rng.randint(50, 500)),
            arrives_on=AS_OF + timedelta(days=rng.randint(1, 40)),
        )
        for n, item in enumerate(items)
        if rng.random() < 0.6
    ]
    capacity = [
        Resource(resource_id=f"R-{n}", daily_capacity=Decimal(daily)) for n in range(resources)
    ]
    open_orders = []
    for n in range(orders):
        lines = [
            OpenLine(
                line_id=str(m + 1),
                sku=f"SKU-{rng.randrange(skus)}",
                location="P1",
                quantity=Decimal(rng.randint(1, 40)),
            )
            for m in range(lines_of(n))
        ]
        open_orders.append(
            OpenOrder(
                order_id=f"SO-{n}",
                received_at=RECEIVED + timedelta(minutes=n),
                promised_on=AS_OF + timedelta(days=rng.randint(3, 60)),
                customer_tier=rng.randint(1, 4),
                lines=lines,
            )
        )
    return PromiseSnapshot(
        as_of=AS_OF,
        horizon_days=90,
        items=items,
        on_hand=on_hand,
        receipts=receipts,
        resources=capacity,
        orders=open_orders,
    )


_Made = tuple[int, list[tuple[str, int, Decimal]], list[tuple[int, Decimal]]]
_Candidate = tuple[int, Decimal, int, _Made | None]  # day, -stock, breakpoint, made


def _routed(item: ItemType) -> bool:
    if item.mode is SourcingMode.BUY:
        return item.procurement_days is not None
    return item.mode is SourcingMode.MAKE_TO_ORDER or bool(item.resource or item.components)


def _better(best: _Candidate | None, candidate: _Candidate) -> _Candidate:
    return candidate if best is None or candidate[:3] < best[:3] else best


class _Greedy:
    """A plain greedy allocation: the engine's feasibility checks and sourcing rule, nothing else.

    Lines in priority order. Each is met the earliest way among: all from stock at the first
    breakpoint whose free stock (cumulative, by day) covers it; what stock has free by an
    earlier breakpoint and the rest made (components from stock or bought after their lead
    time, then capacity day by day) or bought; all made or bought when nothing is in stock
    today. Ties go to more stock. No policy object, no explanations, no plan objects: the
    result is (order, line, ready day) and the books are plain lists.
    """

    def __init__(self, snapshot: PromiseSnapshot) -> None:
        self.snapshot = snapshot
        self.items: dict[str, ItemType] = {i.sku: i for i in snapshot.items}
        self.calendar = snapshot.calendar
        self.stock: dict[str, tuple[list[int], list[Decimal]]] = {}
        arrivals: dict[str, list[tuple[int, Decimal]]] = {}
        for r in snapshot.receipts:
            arrivals.setdefault(r.sku, []).append(((r.arrives_on - AS_OF).days, r.quantity))
        on_hand = {s.sku: s.quantity for s in snapshot.on_hand}
        for sku in self.items:
            days, free = [0], [on_hand.get(sku, ZERO)]
            for day, quantity in sorted(arrivals.get(sku, [])):
                if day == 0:
                    free[0] += quantity
                else:
                    days.append(day)
                    free.append(free[-1] + quantity)
            self.stock[sku] = (days, free)
        self.capacity = {
            r.resource_id: [
                r.capacity_on(AS_OF + timedelta(days=d), self.calendar) for d in range(90)
            ]
            for r in snapshot.resources
        }
        self.business: dict[tuple[int, int], int] = {}

    def _after(self, day: int, count: int) -> int:
        key = (day, count)
        if key not in self.business:
            moved = self.calendar.add_business_days(AS_OF + timedelta(days=day), count)
            self.business[key] = (moved - AS_OF).days
        return self.business[key]

    def _atp(self, sku: str) -> list[Decimal]:
        free = self.stock[sku][1]
        out = list(free)
        for k in range(len(out) - 2, -1, -1):
            out[k] = min(out[k], out[k + 1])
        return out

    def _take(self, sku: str, k: int, quantity: Decimal) -> None:
        free = self.stock[sku][1]
        for j in range(k, len(free)):
            free[j] -= quantity

    def _route(self, item: ItemType, quantity: Decimal) -> _Made | None:
        """(ready day, component draws, capacity uses) of making or buying `quantity`."""
        if item.mode is SourcingMode.BUY:
            return (self._after(0, item.procurement_days or 0), [], [])
        start = 0
        draws: list[tuple[str, int, Decimal]] = []
        for component in item.components:
            need = quantity * component.quantity_per
            days = self.stock[component.sku][0]
            atp = self._atp(component.sku)
            k = next((j for j, a in enumerate(atp) if a >= need), None)
            lead = self.items[component.sku].procurement_days
            bought = None if lead is None else self._after(0, lead)
            if k is not None and (bought is None or days[k] <= bought):
                draws.append((component.sku, k, need))
                start = max(start, days[k])
            elif bought is not None:
                j = max(n for n, d in enumerate(days) if d <= bought)
                taken = min(need, max(atp[j], ZERO))
                if taken:
                    draws.append((component.sku, j, taken))
                start = max(start, bought)
            else:
                return None
        uses: list[tuple[int, Decimal]] = []
        finish = start
        if item.resource is not None:
            free = self.capacity[item.resource]
            remaining = quantity * item.hours_per_unit
            day = start
            while remaining and day < len(free):
                if free[day]:
                    take = min(free[day], remaining)
                    uses.append((day, take))
                    remaining -= take
                day += 1
            if remaining:
                return None
            finish = uses[-1][0] if uses else start
        return (self._after(finish, item.production_days), draws, uses)

    def _best(self, item: ItemType, quantity: Decimal) -> _Candidate | None:
        stocked = item.mode is not SourcingMode.MAKE_TO_ORDER
        days, atp = (self.stock[item.sku][0], self._atp(item.sku)) if stocked else ([0], [ZERO])
        best: _Candidate | None = None
        full = next((k for k, a in enumerate(atp) if a >= quantity), len(atp))
        if full < len(atp):
            best = (days[full], -quantity, full, None)
        if not _routed(item):
            return best
        for k in range(full):
            if best is not None and days[k] >= best[0]:
                break
            if atp[k] > 0:
                made = self._route(item, quantity - atp[k])
                if made is not None:
                    best = _better(best, (max(days[k], made[0]), -atp[k], k, made))
        if atp[0] <= 0 and (best is None or best[0] > 0):
            made = self._route(item, quantity)
            if made is not None:
                best = _better(best, (made[0], ZERO, -1, made))
        return best

    def _line(self, item: ItemType, quantity: Decimal) -> int | None:
        best = self._best(item, quantity)
        if best is None:
            return None
        day, minus_stock, k, made = best
        if minus_stock:
            self._take(item.sku, k, -minus_stock)
        if made is not None:
            for sku, j, need in made[1]:
                self._take(sku, j, need)
            if item.resource is not None:
                free = self.capacity[item.resource]
                for d, hours in made[2]:
                    free[d] -= hours
        return day

    def run(self) -> list[tuple[str, str, int | None]]:
        return [
            (order.order_id, line.line_id, self._line(self.items[line.sku], line.unallocated))
            for order in sorted(self.snapshot.orders, key=POLICY.sort_key)
            for line in order.lines
        ]


def _greedy(snapshot: PromiseSnapshot) -> list[tuple[str, str, int | None]]:
    with localcontext(ARITHMETIC):
        return _Greedy(snapshot).run()


def _atp(report: Report) -> None:
    snapshot = _snapshot(seed=1, skus=1000, orders=10_000, lines_of=lambda _: 2, daily=400)
    new = OpenOrder(
        order_id="NEW",
        received_at=RECEIVED + timedelta(days=20),
        lines=[
            OpenLine(line_id=str(n), sku=f"SKU-{n * 37}", location="P1", quantity=Decimal(25))
            for n in range(1, 6)
        ],
    )
    plan = allocate(snapshot, POLICY)
    answer = plan.promise(new)
    print(f"promise: {new.order_id} against {len(snapshot.orders)} open orders: {answer.explain()}")
    fields = {name: getattr(snapshot, name) for name in type(snapshot).model_fields}
    fields["orders"] = (*snapshot.orders, new)
    with_new = PromiseSnapshot.model_validate(fields)
    report.add(
        "ATP: full allocation with the new order (10,000 orders)",
        median_time(lambda: allocate(with_new, POLICY), 3),
    )
    report.add(
        "ATP: incremental promise of the new order", median_time(lambda: plan.promise(new), 101)
    )
    report.ratio(
        "incremental / full (bar: at least 100x faster)",
        "ATP: incremental promise of the new order",
        "ATP: full allocation with the new order (10,000 orders)",
        bar=0.01,
    )


def _allocation(report: Report) -> None:
    # 100,000 lines: 40,000 one-line orders and 30,000 two-line ones.
    snapshot = _snapshot(
        seed=2, skus=1000, orders=70_000, lines_of=lambda n: 2 if n % 7 < 3 else 1, daily=800
    )
    lines = sum(len(o.lines) for o in snapshot.orders)
    plan = allocate(snapshot, POLICY)
    engine = [
        (
            line.order_id,
            line.line_id,
            None if line.ready_on is None else (line.ready_on - AS_OF).days,
        )
        for line in plan.lines
    ]
    greedy = _greedy(snapshot)
    met = sum(1 for line in plan.lines if line.feasible)
    print(
        f"promise: {lines} lines over {snapshot.horizon_days} days: {met} met in full; "
        f"the greedy baseline gives every line the same day: {engine == greedy}"
    )
    del plan, engine, greedy  # kept alive, their objects would be traversed by every collection
    baseline, engine_time = _interleaved(
        lambda: _greedy(snapshot), lambda: allocate(snapshot, POLICY), repeat=5
    )
    report.add("allocation: greedy baseline (100,000 lines)", baseline)
    report.add("allocation: allocate (100,000 lines)", engine_time)
    with collector_off():
        baseline, engine_time = _interleaved(
            lambda: _greedy(snapshot), lambda: allocate(snapshot, POLICY), repeat=5
        )
    report.add("allocation: greedy baseline, collector off", baseline)
    report.add("allocation: allocate, collector off", engine_time)
    report.ratio(
        "allocate / greedy baseline",
        "allocation: allocate (100,000 lines)",
        "allocation: greedy baseline (100,000 lines)",
        bar=2.0,
    )
    report.ratio(
        "allocate / greedy baseline, collector off (timeit's convention)",
        "allocation: allocate, collector off",
        "allocation: greedy baseline, collector off",
        bar=2.0,
    )


def _interleaved(
    first: Callable[[], object], second: Callable[[], object], *, repeat: int
) -> tuple[float, float]:
    """Medians of `first` and `second` timed in turn, so that a busy machine slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, found in zip((first, second), times, strict=True):
            found.append(median_time(fn, 1))
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    """Measure and print."""
    report = Report("promise")
    _atp(report)
    _allocation(report)


if __name__ == "__main__":
    main()
