"""Contingency: a receipt late or cancelled, a resource down; exactly the orders hurt move."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ordercore.context import BusinessCalendar
from ordercore.errors import InvalidArgument
from ordercore.events import Party
from ordercore.lifecycle.commands import Procure, ReleaseAllocation, Repromise
from ordercore.promise import (
    AllocationPlan,
    Component,
    ConstraintKind,
    Item,
    PriorityPolicy,
    ReceiptCancelled,
    ReceiptDelayed,
    ResourceDown,
    SnapshotError,
    UnknownReference,
    allocate,
    apply_event,
    respond,
)
from promise._builders import day, order, press, receipt, snapshot, stock

GEAR = Item(
    sku="GEAR",
    mode="make_to_order",
    resource="PRESS",
    hours_per_unit=Decimal(1),
    components=[Component(sku="STEEL", quantity_per=Decimal(3))],
)
STEEL = Item(sku="STEEL", mode="buy", procurement_days=10)
BOLT = Item(sku="BOLT", mode="buy")


def _plan(**fields: object) -> AllocationPlan:
    # SO-A (first) makes 10 gears from the 30 steel on hand: Mon 8 h, Tue 2 h.
    # SO-B makes 10 gears from receipt PO-1 (Thursday): Thu 8 h, Fri 2 h.
    # SO-C takes bolts from stock.
    return allocate(
        snapshot(
            [GEAR, STEEL, BOLT],
            [
                order("SO-A", ("GEAR", 10)),
                order("SO-B", ("GEAR", 10), received_minutes=1, promised_on=day(4)),
                order("SO-C", ("BOLT", 5), received_minutes=2),
            ],
            on_hand=[stock("STEEL", 30), stock("BOLT", 5)],
            receipts=[receipt("PO-1", "STEEL", 30, 3)],
            resources=[press()],
            **fields,
        ),
        PriorityPolicy.of("first_come"),
    )


def test_the_plan_before_the_event_is_as_computed_by_hand() -> None:
    plan = _plan()
    assert [o.ready_on for o in plan.orders] == [day(1), day(4), day(0)]
    assert plan.order("SO-B").binding.receipts == ("PO-1",)


def test_a_cancelled_material_receipt_moves_exactly_the_order_that_needs_it() -> None:
    response = respond(_plan(), ReceiptCancelled(receipt_id="PO-1"))
    assert [a.order_id for a in response.affected] == ["SO-B"]
    moved = response.affected[0]
    # Steel bought now arrives ten business days later, Monday 16 March: Mon 8 h, Tue 2 h.
    assert (moved.before, moved.after) == (day(4), day(15))
    assert moved.binding.kind is ConstraintKind.SUPPLIER_LEAD_TIME
    assert moved.explain() == (
        "order SO-B (was 2026-03-06) now delivers on 2026-03-17: supplier lead time of STEEL "
        "(10 business day(s)) ends on 2026-03-16"
    )


def test_the_response_proposes_procurement_and_a_new_promise_date() -> None:
    commands = respond(_plan(), ReceiptCancelled(receipt_id="PO-1")).commands(
        correlation_id="INC-1"
    )
    assert [(c.order_id, type(c.command)) for c in commands] == [
        ("SO-B", Procure),
        ("SO-B", Repromise),
    ]
    procure, repromise = commands[0].command, commands[1].command
    assert isinstance(procure, Procure)
    assert procure.quantity == 10
    assert isinstance(repromise, Repromise)
    assert repromise.promised_delivery_at.date() == day(15)
    assert repromise.requested_by is Party.SELLER
    assert repromise.correlation_id == "INC-1"
    assert repromise.reason.startswith("receipt PO-1 cancelled: order SO-B")


def test_repromise_times_are_midnight_in_the_calendar_zone() -> None:
    zone = "Asia/Shanghai"
    response = respond(
        _plan(calendar=BusinessCalendar(timezone=zone)), ReceiptCancelled(receipt_id="PO-1")
    )
    repromise = response.commands()[-1].command
    assert isinstance(repromise, Repromise)
    assert repromise.promised_delivery_at == datetime.combine(day(15), time(), ZoneInfo(zone))


def test_a_delay_within_the_promise_moves_the_order_without_a_repromise() -> None:
    response = respond(_plan(), ReceiptDelayed(receipt_id="PO-1", arrives_on=day(4)))
    assert [(a.order_id, a.after) for a in response.affected] == [("SO-B", day(7))]
    assert response.affected[0].needs_repromise  # promised Friday, now Monday
    early = respond(_plan(), ReceiptDelayed(receipt_id="PO-1", arrives_on=day(2)))
    assert [(a.order_id, a.after, a.needs_repromise) for a in early.affected] == [
        ("SO-B", day(3), False)
    ]
    assert early.commands() == ()


def test_a_resource_down_moves_the_orders_on_it_and_names_the_capacity() -> None:
    response = respond(
        _plan(), ResourceDown(resource_id="PRESS", first_day=day(3), last_day=day(4))
    )
    assert [a.order_id for a in response.affected] == ["SO-B"]
    moved = response.affected[0]
    assert moved.after == day(8)  # Mon 8 h, Tue 2 h
    assert moved.binding.kind is ConstraintKind.CAPACITY
    assert moved.explain("zh") == (
        "订单 SO-B（原 2026-03-06）改为 2026-03-10 交付：资源 PRESS 的产能已排满至 2026-03-10"
    )


def test_a_line_no_longer_met_is_released() -> None:
    plan = allocate(
        snapshot(
            [BOLT],
            [order("SO-1", ("BOLT", 5)), order("SO-2", ("BOLT", 5), received_minutes=1)],
            on_hand=[stock("BOLT", 5)],
            receipts=[receipt("PO-1", "BOLT", 5, 1)],
        ),
        PriorityPolicy.of("first_come"),
    )
    response = respond(plan, ReceiptCancelled(receipt_id="PO-1"))
    assert [(a.order_id, a.after, a.lines[0].lost) for a in response.affected] == [
        ("SO-2", None, True)
    ]
    assert [(type(c.command), c.command.quantity) for c in response.commands()] == [  # type: ignore[union-attr]
        (ReleaseAllocation, 5)
    ]
    assert "cannot be met in full" in response.affected[0].explain()


def test_capacity_freed_by_an_order_that_lost_its_material_goes_to_the_next() -> None:
    widget = Item(
        sku="WIDGET",
        mode="make_to_order",
        resource="PRESS",
        hours_per_unit=Decimal(1),
        components=[Component(sku="COIL", quantity_per=Decimal(1))],
    )
    nut = Item(sku="NUT", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))
    coil = Item(sku="COIL", mode="buy")  # not bought at short notice
    plan = allocate(
        snapshot(
            [widget, nut, coil],
            [order("SO-1", ("WIDGET", 10)), order("SO-2", ("NUT", 10), received_minutes=1)],
            receipts=[receipt("PO-1", "COIL", 10, 0)],
            resources=[press()],
            horizon_days=2,  # 16 hours: SO-1 takes 10, SO-2 needs 10
        ),
        PriorityPolicy.of("first_come"),
    )
    assert [o.ready_on for o in plan.orders] == [day(1), None]
    response = respond(plan, ReceiptCancelled(receipt_id="PO-1"))
    assert [(a.order_id, a.after) for a in response.affected] == [("SO-1", None), ("SO-2", day(1))]
    assert [
        (c.order_id, type(c.command).__name__, getattr(c.command, "quantity", None))
        for c in response.commands()
    ] == [
        ("SO-1", "ReleaseAllocation", Decimal(10)),
        ("SO-2", "Allocate", Decimal(10)),
        ("SO-2", "PlanProduction", Decimal(10)),
    ]
    assert response.affected[0].binding.explain() == (
        "component COIL at P1 is short and cannot be bought in time"
    )


def test_unknown_receipts_and_resources_are_named() -> None:
    with pytest.raises(UnknownReference, match=r"no receipt 'PO-9' in the snapshot \(1 receipt"):
        respond(_plan(), ReceiptCancelled(receipt_id="PO-9"))
    with pytest.raises(UnknownReference, match="no resource 'LATHE'"):
        respond(_plan(), ResourceDown(resource_id="LATHE", first_day=day(0), last_day=day(0)))


def test_a_delay_to_before_the_snapshot_day_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"invalid ReceiptDelayed: receipts\[0\]\.arrives_on"):
        respond(_plan(), ReceiptDelayed(receipt_id="PO-1", arrives_on=day(-1)))


def test_a_resource_down_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(SnapshotError, match="last_day 2026-03-01 is before first_day 2026-03-02"):
        ResourceDown(resource_id="PRESS", first_day=day(0), last_day=day(-1))


def test_apply_event_and_respond_refuse_what_is_not_an_event_or_a_plan() -> None:
    plan = _plan()
    with pytest.raises(
        InvalidArgument, match="must be ReceiptDelayed, ReceiptCancelled or ResourceDown, not str"
    ):
        apply_event(plan.snapshot, "PO-1")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidArgument, match="plan must be an AllocationPlan, not PromiseSnapshot"
    ):
        respond(plan.snapshot, ReceiptCancelled(receipt_id="PO-1"))  # type: ignore[arg-type]


def test_a_resource_down_keeps_its_other_overrides() -> None:
    plan = _plan()
    down = apply_event(
        plan.snapshot,
        ResourceDown(resource_id="PRESS", first_day=day(5), last_day=day(5), capacity=Decimal(2)),
    )
    assert down.resources[0].capacity_on(day(5), down.calendar) == 2
    assert down.resources[0].capacity_on(day(6), down.calendar) == 0
