"""Allocation among competing orders: hand-computed plans (day 0 is Monday 2 March 2026)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordercore.context import BusinessCalendar
from ordercore.errors import InvalidArgument
from ordercore.lifecycle.commands import Allocate, PlanProduction, Procure
from ordercore.promise import (
    CapacityOverride,
    Component,
    ConstraintKind,
    Item,
    PriorityPolicy,
    UnknownReference,
    allocate,
)
from promise._builders import day, order, press, receipt, snapshot, stock

GEAR_MTO = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))


def _two_orders_of_100_hours() -> list[object]:
    return [
        order("SO-1", ("GEAR", 100), customer_tier=2),
        order("SO-2", ("GEAR", 100), customer_tier=1, received_minutes=5),
    ]


def test_the_higher_tier_gets_the_first_capacity() -> None:
    plan = allocate(
        snapshot([GEAR_MTO], _two_orders_of_100_hours(), resources=[press(50)]),  # type: ignore[arg-type]
        PriorityPolicy.of("customer_tier"),
    )
    assert [(o.order_id, o.ready_on) for o in plan.orders] == [
        ("SO-2", day(1)),  # Mon 50 h + Tue 50 h
        ("SO-1", day(3)),  # Wed 50 h + Thu 50 h
    ]


def test_first_come_reverses_the_dates_of_the_same_two_orders() -> None:
    plan = allocate(
        snapshot([GEAR_MTO], _two_orders_of_100_hours(), resources=[press(50)]),  # type: ignore[arg-type]
        PriorityPolicy.of("first_come"),
    )
    assert [(o.order_id, o.ready_on) for o in plan.orders] == [("SO-1", day(1)), ("SO-2", day(3))]


def test_two_orders_of_100_hours_against_150_free_hours_do_not_both_fit() -> None:
    plan = allocate(
        snapshot(
            [GEAR_MTO],
            _two_orders_of_100_hours(),  # type: ignore[arg-type]
            resources=[press(50)],
            horizon_days=3,
        ),
        PriorityPolicy.of("customer_tier"),
    )
    second = plan.order("SO-1")
    assert second.ready_on is None
    assert second.binding.kind is ConstraintKind.CAPACITY
    assert second.binding.resource == "PRESS"
    assert plan.capacity_left("PRESS", day(2)) == 50  # nothing reserved for the unmet line


def test_the_later_order_names_the_capacity_that_made_it_wait() -> None:
    plan = allocate(
        snapshot([GEAR_MTO], _two_orders_of_100_hours(), resources=[press(50)]),  # type: ignore[arg-type]
        PriorityPolicy.of("customer_tier"),
    )
    assert plan.order("SO-1").explain() == (
        "order SO-1 (rank 2) delivers on 2026-03-05: capacity of resource PRESS is booked "
        "until 2026-03-05"
    )
    assert plan.order("SO-1").explain("zh") == (
        "订单 SO-1（第 2 位）2026-03-05 交付：资源 PRESS 的产能已排满至 2026-03-05"
    )


def test_the_first_order_is_not_said_to_wait_for_capacity_it_fills_alone() -> None:
    # 100 hours at 50 a day take two days on an empty press: nothing else pushed it.
    plan = allocate(
        snapshot([GEAR_MTO], _two_orders_of_100_hours(), resources=[press(50)]),  # type: ignore[arg-type]
        PriorityPolicy.of("customer_tier"),
    )
    binding = plan.order("SO-2").binding
    assert (binding.kind, binding.day) == (ConstraintKind.CAPACITY, day(1))


def test_stock_first_then_production_for_the_shortfall() -> None:
    gear = Item(sku="GEAR", resource="PRESS", hours_per_unit=Decimal(2))
    plan = allocate(
        snapshot(
            [gear], [order("SO-1", ("GEAR", 12))], on_hand=[stock("GEAR", 10)], resources=[press()]
        )
    )
    line = plan.order("SO-1").lines[0]
    assert (line.from_stock, line.produced, line.ready_on) == (Decimal(10), Decimal(2), day(0))
    assert [(use.day, use.hours) for use in line.capacity] == [(day(0), Decimal(4))]


def test_stock_is_cumulative_a_receipt_for_one_order_leaves_earlier_stock_to_another() -> None:
    # 5 on hand, 10 arriving Thursday. SO-1 (8) waits for Thursday; SO-2 (5) still gets
    # the 5 on hand today; SO-3 (3) would need stock that is all promised.
    bolt = Item(sku="BOLT", mode="buy")
    plan = allocate(
        snapshot(
            [bolt],
            [
                order("SO-1", ("BOLT", 8)),
                order("SO-2", ("BOLT", 5), received_minutes=1),
                order("SO-3", ("BOLT", 3), received_minutes=2),
            ],
            on_hand=[stock("BOLT", 5)],
            receipts=[receipt("PO-1", "BOLT", 10, 3)],
        ),
        PriorityPolicy.of("first_come"),
    )
    assert [o.ready_on for o in plan.orders] == [day(3), day(0), None]
    first = plan.order("SO-1")
    assert first.binding.kind is ConstraintKind.STOCK
    assert first.binding.receipts == ("PO-1",)
    assert first.explain() == (
        "order SO-1 (rank 1) delivers on 2026-03-05: stock of BOLT at P1 is available from "
        "2026-03-05 (receipt PO-1)"
    )
    assert plan.order("SO-3").binding.explain() == "stock of BOLT at P1 is short within the horizon"


def test_allocated_quantities_are_kept_and_only_the_rest_is_planned() -> None:
    bolt = Item(sku="BOLT", mode="buy")
    plan = allocate(
        snapshot(
            [bolt],
            [
                order("SO-1", ("BOLT", 6, 4), customer_tier=3),
                order("SO-2", ("BOLT", 2), customer_tier=1),
            ],
            on_hand=[stock("BOLT", 5)],
        ),
        PriorityPolicy.of("customer_tier"),
    )
    # 5 on hand, 4 of them allocated to SO-1: 1 is free, and SO-2 (first) needs 2: unmet.
    assert plan.order("SO-2").ready_on is None
    kept = plan.order("SO-1").lines[0]
    assert (kept.allocated_before, kept.quantity, kept.ready_on) == (Decimal(4), Decimal(2), None)


def test_a_fully_allocated_line_is_ready_today_with_nothing_to_plan() -> None:
    plan = allocate(
        snapshot(
            [Item(sku="BOLT", mode="buy")],
            [order("SO-1", ("BOLT", 3, 3))],
            on_hand=[stock("BOLT", 3)],
        )
    )
    line = plan.order("SO-1").lines[0]
    assert (line.quantity, line.ready_on, line.binding.kind) == (
        Decimal(0),
        day(0),
        ConstraintKind.NONE,
    )
    assert plan.commands() == ()


def test_make_to_order_never_takes_finished_stock() -> None:
    plan = allocate(
        snapshot(
            [GEAR_MTO],
            [order("SO-1", ("GEAR", 4))],
            on_hand=[stock("GEAR", 10)],
            resources=[press()],
        )
    )
    line = plan.order("SO-1").lines[0]
    assert (line.from_stock, line.produced) == (Decimal(0), Decimal(4))


def test_a_bought_shortfall_waits_for_the_supplier_lead_time_in_business_days() -> None:
    bolt = Item(sku="BOLT", mode="buy", procurement_days=5)
    plan = allocate(snapshot([bolt], [order("SO-1", ("BOLT", 9))], on_hand=[stock("BOLT", 4)]))
    line = plan.order("SO-1").lines[0]
    assert (line.from_stock, line.procured, line.ready_on) == (
        Decimal(4),
        Decimal(5),
        day(7),
    )  # next Monday
    assert line.binding.explain() == (
        "supplier lead time of BOLT (5 business day(s)) ends on 2026-03-09"
    )


def test_material_waits_for_its_receipt_and_production_follows() -> None:
    gear = Item(
        sku="GEAR",
        mode="make_to_order",
        resource="PRESS",
        hours_per_unit=Decimal(1),
        production_days=1,
        components=[Component(sku="STEEL", quantity_per=Decimal(3))],
    )
    steel = Item(sku="STEEL", mode="buy")
    plan = allocate(
        snapshot(
            [gear, steel],
            [order("SO-1", ("GEAR", 10))],
            resources=[press()],
            receipts=[receipt("PO-9", "STEEL", 30, 2)],
        )
    )
    line = plan.order("SO-1").lines[0]
    # Steel on Wednesday; 8 h Wed + 2 h Thu; one business day after: Friday.
    assert line.ready_on == day(4)
    assert [c.kind for c in line.waited_for] == [
        ConstraintKind.MATERIAL,
        ConstraintKind.CAPACITY,
        ConstraintKind.PRODUCTION_LEAD_TIME,
    ]
    assert line.binding.explain("zh") == "仓位 P1 的物料 STEEL 自 2026-03-04 起可用（到货单 PO-9）"


def test_production_skips_holidays_of_the_resource_calendar_and_takes_overtime() -> None:
    calendar = BusinessCalendar(holidays=frozenset({day(1)}))  # Tuesday off
    resource = press(
        8, calendar=calendar, overrides=[CapacityOverride(day=day(5), capacity=Decimal(4))]
    )
    gear = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))
    plan = allocate(snapshot([gear], [order("SO-1", ("GEAR", 36))], resources=[resource]))
    line = plan.order("SO-1").lines[0]
    assert [(u.day, u.hours) for u in line.capacity] == [
        (day(0), Decimal(8)),
        (day(2), Decimal(8)),
        (day(3), Decimal(8)),
        (day(4), Decimal(8)),
        (day(5), Decimal(4)),  # Saturday overtime
    ]
    assert line.ready_on == day(5)


def test_delivery_days_are_added_on_business_days() -> None:
    plan = allocate(
        snapshot(
            [Item(sku="BOLT", mode="buy")],
            [order("SO-1", ("BOLT", 1))],
            on_hand=[stock("BOLT", 1)],
            delivery_days=5,
        )
    )
    assert plan.order("SO-1").delivery_on == day(7)


def test_an_order_is_late_when_it_delivers_after_its_promise() -> None:
    plan = allocate(
        snapshot([GEAR_MTO], [order("SO-1", ("GEAR", 16), promised_on=day(0))], resources=[press()])
    )
    assert plan.order("SO-1").late is True


def test_commands_allocate_plan_and_procure_what_the_plan_needs() -> None:
    gear = Item(
        sku="GEAR",
        resource="PRESS",
        hours_per_unit=Decimal(1),
        components=[Component(sku="STEEL", quantity_per=Decimal(1))],
    )
    steel = Item(sku="STEEL", mode="buy", procurement_days=2)
    plan = allocate(
        snapshot(
            [gear, steel],
            [order("SO-1", ("GEAR", 5))],
            on_hand=[stock("GEAR", 2), stock("STEEL", 1)],
            resources=[press()],
        )
    )
    commands = plan.commands(correlation_id="PLAN-1")
    assert [(c.order_id, type(c.command), c.command.quantity) for c in commands] == [  # type: ignore[union-attr]
        ("SO-1", Allocate, 5),
        ("SO-1", PlanProduction, 3),
        ("SO-1", Procure, 3),
    ]
    assert plan.order("SO-1").lines[0].materials_procured == (("STEEL", Decimal(2)),)
    assert all(c.command.correlation_id == "PLAN-1" for c in commands)
    assert commands[0].command.reason.startswith("promise plan: SO-1/1 GEAR ready in full on")


def test_the_same_snapshot_and_policy_give_the_same_plan() -> None:
    made = snapshot([GEAR_MTO], _two_orders_of_100_hours(), resources=[press(50)])  # type: ignore[arg-type]
    assert allocate(made).orders == allocate(made).orders


def test_allocate_refuses_what_is_not_a_snapshot_or_a_policy() -> None:
    with pytest.raises(InvalidArgument, match="snapshot must be a PromiseSnapshot, not dict"):
        allocate({})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="policy must be a PriorityPolicy, not str"):
        allocate(snapshot([GEAR_MTO], resources=[press()]), "tier")  # type: ignore[arg-type]


def test_asking_the_plan_for_an_order_or_resource_it_has_not_names_it() -> None:
    plan = allocate(snapshot([GEAR_MTO], resources=[press()]))
    with pytest.raises(UnknownReference, match="no order 'SO-9' in the snapshot"):
        plan.order("SO-9")
    with pytest.raises(UnknownReference, match="no resource 'LATHE'"):
        plan.capacity_left("LATHE", date(2026, 3, 2))


def test_stock_left_reads_the_free_stock_on_a_day() -> None:
    bolt = Item(sku="BOLT", mode="buy")
    plan = allocate(
        snapshot(
            [bolt],
            [order("SO-1", ("BOLT", 8))],
            on_hand=[stock("BOLT", 5)],
            receipts=[receipt("PO-1", "BOLT", 10, 3)],
        )
    )
    assert [plan.stock_left("BOLT", "P1", day(d)) for d in (0, 3)] == [5, 7]
    assert plan.stock_left("NUT", "P1", day(0)) == 0


def test_an_order_plan_gives_the_same_line_plans_on_every_read() -> None:
    plan = allocate(
        snapshot(
            [Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))],
            [order("SO-1", ("GEAR", 12), ("GEAR", 3))],
            resources=[press(8)],
        )
    )
    planned = plan.order("SO-1")
    assert planned.lines == planned.lines
    assert [type(line).__name__ for line in planned.lines] == ["LinePlan", "LinePlan"]
    first, second = planned.lines
    # 12 hours: Monday's 8 and 4 of Tuesday; the second line the other 3 of Tuesday.
    assert first.bookings == ((day(0), Decimal(8)), (day(1), Decimal(4)))
    assert second.bookings == ((day(1), Decimal(3)),)
    assert plan.lines == (first, second)
