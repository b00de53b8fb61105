"""Available- and capable-to-promise for a new order against what the plan left free."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordercore.errors import InvalidArgument
from ordercore.promise import (
    Availability,
    Component,
    ConstraintKind,
    Item,
    OpenLine,
    PriorityPolicy,
    UnknownReference,
    allocate,
    promise,
)
from promise._builders import day, order, press, receipt, snapshot, stock

GEAR = Item(
    sku="GEAR",
    resource="PRESS",
    hours_per_unit=Decimal(2),
    production_days=1,
    components=[Component(sku="STEEL", quantity_per=Decimal(3))],
)
STEEL = Item(sku="STEEL", mode="buy", procurement_days=10)
BOLT = Item(sku="BOLT", mode="buy")


def test_a_new_order_gets_partial_quantities_by_date_and_its_earliest_full_date() -> None:
    plan = allocate(
        snapshot(
            [BOLT],
            [order("SO-1", ("BOLT", 4))],
            on_hand=[stock("BOLT", 5)],
            receipts=[receipt("PO-2", "BOLT", 10, 7)],
        )
    )
    answer = plan.promise(order("NEW", ("BOLT", 10)))
    line = answer.lines[0]
    assert line.availability == (
        Availability(day(0), Decimal(1)),
        Availability(day(7), Decimal(10)),
    )
    assert answer.ready_on == day(7)
    assert answer.explain() == (
        "order NEW can be delivered in full on 2026-03-09: stock of BOLT at P1 is available "
        "from 2026-03-09 (receipt PO-2)"
    )


def test_capable_to_promise_produces_with_material_bought_after_its_lead_time() -> None:
    # After SO-1 (10 from stock, 2 made from 6 steel), 24 steel are on hand and 60 arrive
    # on Thursday: 10 gears need 30, so production waits for the receipt (buying would take
    # ten business days).
    plan = allocate(
        snapshot(
            [GEAR, STEEL],
            [order("SO-1", ("GEAR", 12))],
            on_hand=[stock("GEAR", 10), stock("STEEL", 30)],
            receipts=[receipt("PO-1", "STEEL", 60, 3)],
            resources=[press()],
        )
    )
    answer = plan.promise(order("NEW", ("GEAR", 10)))
    line = answer.lines[0]
    # Production from Thursday: 8 h Thu (4), 8 h Fri (8), 4 h Mon (10); +1 business day.
    assert [(a.day, a.quantity) for a in line.availability] == [
        (day(4), Decimal(4)),
        (day(7), Decimal(8)),
        (day(8), Decimal(10)),
    ]
    assert answer.ready_on == day(8)
    assert line.binding.kind is ConstraintKind.MATERIAL
    assert line.binding.receipts == ("PO-1",)


def test_without_a_receipt_the_supplier_lead_time_of_the_component_binds() -> None:
    plan = allocate(
        snapshot(
            [GEAR, STEEL],
            [order("SO-1", ("GEAR", 12))],
            on_hand=[stock("GEAR", 10), stock("STEEL", 30)],
            resources=[press()],
        )
    )
    line = plan.promise(order("NEW", ("GEAR", 10))).lines[0]
    assert line.binding.explain() == (
        "supplier lead time of STEEL (10 business day(s)) ends on 2026-03-16"
    )
    assert line.materials_procured == (("STEEL", Decimal(6)),)  # 24 on hand, 30 needed
    assert line.ready_on == day(17)  # Mon 16 .. Wed 18 on the press, +1: Thursday 19


def test_an_unmet_line_shows_what_is_available_by_when_and_why_not_more() -> None:
    plan = allocate(
        snapshot([BOLT], on_hand=[stock("BOLT", 3)], receipts=[receipt("PO-1", "BOLT", 2, 2)])
    )
    answer = plan.promise(order("NEW", ("BOLT", 9)))
    assert answer.ready_on is None
    assert [(a.day, a.quantity) for a in answer.lines[0].availability] == [
        (day(0), Decimal(3)),
        (day(2), Decimal(5)),
    ]
    assert (
        answer.explain("zh")
        == "订单 NEW 无法在计划期内全部满足：仓位 P1 的 BOLT 库存在计划期内不足"
    )


def test_two_lines_of_one_sku_do_not_count_the_same_stock_twice() -> None:
    plan = allocate(snapshot([BOLT], on_hand=[stock("BOLT", 5)]))
    answer = plan.promise(order("NEW", ("BOLT", 3), ("BOLT", 3)))
    assert [line.ready_on for line in answer.lines] == [day(0), None]


def test_asking_changes_nothing_in_the_plan() -> None:
    plan = allocate(snapshot([BOLT], on_hand=[stock("BOLT", 5)]))
    first = plan.promise(order("NEW", ("BOLT", 5)))
    assert plan.promise(order("NEW", ("BOLT", 5))) == first
    assert plan.stock_left("BOLT", "P1", day(0)) == 5


def test_the_answer_equals_a_full_allocation_when_the_new_order_ranks_last() -> None:
    made = snapshot(
        [GEAR, STEEL, BOLT],
        [order("SO-1", ("GEAR", 12)), order("SO-2", ("BOLT", 4), received_minutes=1)],
        on_hand=[stock("GEAR", 10), stock("STEEL", 30), stock("BOLT", 5)],
        receipts=[receipt("PO-1", "STEEL", 60, 3)],
        resources=[press()],
    )
    new = order("NEW", ("GEAR", 7), ("BOLT", 1), received_minutes=60)
    answer = allocate(made, PriorityPolicy.of("first_come")).promise(new)
    full = allocate(
        snapshot(
            list(made.items),
            [*made.orders, new],
            on_hand=list(made.on_hand),
            receipts=list(made.receipts),
            resources=list(made.resources),
        ),
        PriorityPolicy.of("first_come"),
    ).order("NEW")
    assert [(line.ready_on, line.binding) for line in answer.lines] == [
        (line.ready_on, line.binding) for line in full.lines
    ]


def test_a_single_line_can_be_asked_about() -> None:
    plan = allocate(snapshot([BOLT], on_hand=[stock("BOLT", 5)]))
    line = OpenLine(line_id="1", sku="BOLT", location="P1", quantity=Decimal(2))
    answer = plan.promise(line, order_id="QUOTE-7")
    assert (answer.order_id, answer.ready_on) == ("QUOTE-7", day(0))
    assert answer.binding.explain() == "available on 2026-03-02"


def test_the_one_call_form_allocates_then_answers() -> None:
    made = snapshot([BOLT], [order("SO-1", ("BOLT", 4))], on_hand=[stock("BOLT", 5)])
    assert promise(made, order("NEW", ("BOLT", 2))).ready_on is None


def test_asking_about_an_order_already_planned_is_refused() -> None:
    plan = allocate(snapshot([BOLT], [order("SO-1", ("BOLT", 1))], on_hand=[stock("BOLT", 5)]))
    with pytest.raises(InvalidArgument, match="SO-1 is already in the plan"):
        plan.promise(order("SO-1", ("BOLT", 1)))


def test_asking_about_an_unknown_sku_names_it() -> None:
    plan = allocate(snapshot([BOLT]))
    with pytest.raises(UnknownReference, match="no SKU 'NUT' in the snapshot"):
        plan.promise(order("NEW", ("NUT", 1)))


def test_asking_with_something_else_is_refused() -> None:
    plan = allocate(snapshot([BOLT]))
    with pytest.raises(InvalidArgument, match="must be an OpenOrder or OpenLine, not dict"):
        plan.promise({"order_id": "NEW"})  # type: ignore[arg-type]


def test_fractional_production_is_floored_to_six_places_in_partials() -> None:
    gear = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(3))
    plan = allocate(snapshot([gear], resources=[press()]))
    line = plan.promise(order("NEW", ("GEAR", 4))).lines[0]
    assert [(a.day, a.quantity) for a in line.availability] == [
        (day(0), Decimal("2.666666")),
        (day(1), Decimal(4)),
    ]
