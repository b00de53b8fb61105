"""Properties on random snapshots: allocation never exceeds stock or capacity, and more."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore.promise import (
    AllocationPlan,
    Component,
    Item,
    OnHand,
    OpenOrder,
    PriorityPolicy,
    PromiseSnapshot,
    Receipt,
    ReceiptCancelled,
    Resource,
    allocate,
    respond,
)
from promise._builders import MONDAY, day, order

SKUS = ("MADE", "ORDERED", "PART", "TRADED")
POLICY = PriorityPolicy.of("customer_tier", "first_come")


@st.composite
def snapshots(draw: st.DrawFn) -> PromiseSnapshot:
    """Small snapshots: a made-to-stock item and a made-to-order one sharing a bought part."""
    per = Decimal(draw(st.integers(1, 3)))
    part_lead = draw(st.none() | st.integers(0, 8))
    items = [
        Item(
            sku="MADE",
            resource="R1",
            hours_per_unit=Decimal(draw(st.integers(1, 3))),
            production_days=draw(st.integers(0, 2)),
            components=[Component(sku="PART", quantity_per=per)],
        ),
        Item(
            sku="ORDERED",
            mode="make_to_order",
            resource=draw(st.sampled_from(["R1", "R2"])),
            hours_per_unit=Decimal(draw(st.integers(1, 2))),
        ),
        Item(sku="PART", mode="buy", procurement_days=part_lead),
        Item(sku="TRADED", mode="buy", procurement_days=draw(st.none() | st.integers(1, 5))),
    ]
    on_hand = [
        OnHand(sku=sku, location="P1", quantity=Decimal(draw(st.integers(0, 30)))) for sku in SKUS
    ]
    receipts = [
        Receipt(
            receipt_id=f"PO-{n}",
            sku=draw(st.sampled_from(SKUS)),
            location="P1",
            quantity=Decimal(draw(st.integers(1, 20))),
            arrives_on=day(draw(st.integers(0, 12))),
        )
        for n in range(draw(st.integers(0, 4)))
    ]
    resources = [
        Resource(
            resource_id=resource_id,
            daily_capacity=Decimal(draw(st.integers(0, 10))),
        )
        for resource_id in ("R1", "R2")
    ]
    orders = []
    for n in range(draw(st.integers(1, 7))):
        lines = [
            (draw(st.sampled_from(SKUS)), draw(st.integers(1, 20)))
            for _ in range(draw(st.integers(1, 3)))
        ]
        orders.append(
            order(
                f"SO-{n}",
                *lines,
                customer_tier=draw(st.integers(1, 3)),
                received_minutes=draw(st.integers(0, 100)),
            )
        )
    return PromiseSnapshot(
        as_of=MONDAY,
        horizon_days=draw(st.integers(3, 15)),
        items=items,
        on_hand=on_hand,
        receipts=receipts,
        resources=resources,
        orders=orders,
    )


def _supply_by(snapshot: PromiseSnapshot, sku: str, offset: int) -> Decimal:
    found = sum((s.quantity for s in snapshot.on_hand if s.sku == sku), Decimal(0))
    last = MONDAY + timedelta(days=offset)
    return found + sum(
        (r.quantity for r in snapshot.receipts if r.sku == sku and r.arrives_on <= last),
        Decimal(0),
    )


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_allocation_never_books_more_capacity_than_a_day_has(snapshot: PromiseSnapshot) -> None:
    plan = allocate(snapshot, POLICY)
    booked: defaultdict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for line in plan.lines:
        for use in line.capacity:
            assert use.hours > 0
            booked[use.resource, use.day] += use.hours
    resources = {r.resource_id: r for r in snapshot.resources}
    for (resource, when), hours in booked.items():
        assert hours <= resources[resource].capacity_on(when, snapshot.calendar)
        assert when <= snapshot.horizon_end


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_stock_drawn_by_any_day_never_exceeds_the_supply_by_that_day(
    snapshot: PromiseSnapshot,
) -> None:
    plan = allocate(snapshot, POLICY)
    for sku in ("MADE", "TRADED"):
        draws = [(line.stock_day, line.from_stock) for line in plan.lines if line.sku == sku]
        for offset in range(40):
            when = MONDAY + timedelta(days=offset)
            drawn = sum((q for d, q in draws if d is not None and d <= when), Decimal(0))
            assert drawn <= _supply_by(snapshot, sku, offset)


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_components_used_from_stock_never_exceed_the_stock_there_is(
    snapshot: PromiseSnapshot,
) -> None:
    plan = allocate(snapshot, POLICY)
    per = snapshot.items[0].components[0].quantity_per
    used = Decimal(0)
    for line in plan.lines:
        if line.sku == "MADE" and line.produced:
            bought = dict(line.materials_procured).get("PART", Decimal(0))
            used += line.produced * per - bought
    direct = sum((line.from_stock for line in plan.lines if line.sku == "PART"), Decimal(0))
    assert used + direct <= _supply_by(snapshot, "PART", 10_000)


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_a_line_met_is_met_in_full_and_a_line_not_met_reserves_nothing(
    snapshot: PromiseSnapshot,
) -> None:
    for line in allocate(snapshot, POLICY).lines:
        if line.feasible:
            assert line.from_stock + line.produced + line.procured == line.quantity
        else:
            assert line.from_stock + line.produced + line.procured == Decimal(0)
            assert line.capacity == ()


def _without_last(snapshot: PromiseSnapshot, plan: AllocationPlan) -> tuple[PromiseSnapshot, str]:
    last = plan.orders[-1].order_id
    fields = {name: getattr(snapshot, name) for name in type(snapshot).model_fields}
    fields["orders"] = tuple(o for o in snapshot.orders if o.order_id != last)
    return PromiseSnapshot.model_validate(fields), last


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_an_order_never_moves_an_order_ranked_before_it(snapshot: PromiseSnapshot) -> None:
    plan = allocate(snapshot, POLICY)
    fewer, _ = _without_last(snapshot, plan)
    assert allocate(fewer, POLICY).orders == plan.orders[:-1]


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_the_promise_answer_equals_the_full_allocation_of_an_order_ranked_last(
    snapshot: PromiseSnapshot,
) -> None:
    plan = allocate(snapshot, POLICY)
    fewer, last = _without_last(snapshot, plan)
    asked: OpenOrder = next(o for o in snapshot.orders if o.order_id == last)
    answer = allocate(fewer, POLICY).promise(asked)
    planned = plan.orders[-1].lines
    assert [
        (a.ready_on, a.from_stock, a.produced, a.procured, a.binding) for a in answer.lines
    ] == [(p.ready_on, p.from_stock, p.produced, p.procured, p.binding) for p in planned]


def _involves(snapshot: PromiseSnapshot, order: OpenOrder, sku: str) -> bool:
    items = {item.sku: item for item in snapshot.items}
    return any(
        line.sku == sku or any(c.sku == sku for c in items[line.sku].components)
        for line in order.lines
    )


@settings(max_examples=100, deadline=None)
@given(snapshots())
def test_a_cancelled_receipt_never_moves_an_order_ranked_before_any_that_needs_its_sku(
    snapshot: PromiseSnapshot,
) -> None:
    if not snapshot.receipts:
        return
    cancelled = snapshot.receipts[0]
    plan = allocate(snapshot, POLICY)
    affected = {
        a.order_id
        for a in respond(plan, ReceiptCancelled(receipt_id=cancelled.receipt_id)).affected
    }
    ranked = [next(o for o in snapshot.orders if o.order_id == p.order_id) for p in plan.orders]
    for earlier in ranked:
        if _involves(snapshot, earlier, cancelled.sku):
            break
        assert earlier.order_id not in affected
