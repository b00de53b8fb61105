"""Snapshots refuse bad and inconsistent data with a SnapshotError naming every problem."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordercore import CustomerRef, Money, Order
from ordercore.context import BusinessCalendar
from ordercore.ledger import LineLedger
from ordercore.promise import (
    Component,
    Item,
    OnHand,
    OpenLine,
    OpenOrder,
    PromiseSnapshot,
    Resource,
    SnapshotError,
)
from promise._builders import MONDAY, day, order, press, receipt, snapshot, stock

BOLT = Item(sku="BOLT", mode="buy")


def _problems(error: pytest.ExceptionInfo[SnapshotError]) -> list[tuple[str, str]]:
    return list(error.value.problems)


def test_a_float_quantity_is_refused_with_its_field() -> None:
    with pytest.raises(SnapshotError, match=r"invalid OnHand: quantity: Input should be a Decimal"):
        OnHand(sku="BOLT", location="P1", quantity=1.5)  # type: ignore[arg-type]


def test_a_line_naming_an_unknown_sku_is_refused_with_its_path() -> None:
    with pytest.raises(SnapshotError) as error:
        snapshot([BOLT], [order("SO-1", ("BOLT", 1), ("NUT", 2))])
    assert _problems(error) == [("orders[0].lines[1].sku", "unknown SKU 'NUT'")]


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(SnapshotError) as error:
        snapshot(
            [BOLT, BOLT],
            on_hand=[stock("NUT", 1)],
            receipts=[receipt("PO-1", "BOLT", 1, 0), receipt("PO-1", "BOLT", 1, 1)],
        )
    assert _problems(error) == [
        ("items", "SKU BOLT is listed 2 times"),
        ("receipts", "receipt PO-1 is listed 2 times"),
        ("on_hand[0].sku", "unknown SKU 'NUT'"),
    ]


def test_a_receipt_before_the_snapshot_day_is_refused() -> None:
    early = receipt("PO-1", "BOLT", 1, -1)
    with pytest.raises(SnapshotError, match="receipt PO-1 arrives on 2026-03-01, before as_of"):
        snapshot([BOLT], receipts=[early])


def test_allocations_beyond_the_stock_on_hand_are_refused() -> None:
    with pytest.raises(
        SnapshotError, match="lines allocate 4 of BOLT at P1 but only 3 are on hand"
    ):
        snapshot(
            [BOLT],
            [order("SO-1", ("BOLT", 2, 2)), order("SO-2", ("BOLT", 2, 2))],
            on_hand=[stock("BOLT", 3)],
        )


def test_a_line_cannot_allocate_more_than_it_has_open() -> None:
    with pytest.raises(SnapshotError, match="allocated 3 is more than the open quantity 2"):
        OpenLine(line_id="1", sku="BOLT", location="P1", quantity=Decimal(2), allocated=Decimal(3))


def test_an_item_needs_a_resource_for_its_hours_and_hours_for_its_resource() -> None:
    with pytest.raises(SnapshotError, match="hours per unit need a resource"):
        Item(sku="GEAR", hours_per_unit=Decimal(1))
    with pytest.raises(SnapshotError, match="an item made on PRESS needs hours per unit > 0"):
        Item(sku="GEAR", resource="PRESS")


def test_a_component_must_be_a_known_bought_item_listed_once() -> None:
    steel = Component(sku="STEEL", quantity_per=Decimal(1))
    with pytest.raises(SnapshotError, match="component STEEL is listed 2 times"):
        Item(sku="GEAR", components=[steel, steel])
    gear = Item(sku="GEAR", components=[steel])
    with pytest.raises(SnapshotError) as error:
        snapshot([gear, Item(sku="STEEL")])
    assert _problems(error) == [
        ("items[0].components[0].sku", "component STEEL must be a bought item (one level)")
    ]
    with pytest.raises(SnapshotError, match="unknown SKU 'STEEL'"):
        snapshot([gear])


def test_an_item_naming_an_unknown_resource_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"items\[0\].resource: unknown resource 'PRESS'"):
        snapshot([Item(sku="GEAR", resource="PRESS", hours_per_unit=Decimal(1))])


def test_order_values_in_two_currencies_are_refused() -> None:
    with pytest.raises(SnapshotError, match="order values mix currencies CNY, EUR"):
        snapshot(
            [BOLT],
            [
                order("SO-1", ("BOLT", 1), value=Money.of("1", "CNY")),
                order("SO-2", ("BOLT", 1), value=Money.of("1", "EUR")),
            ],
        )


def test_a_resource_day_overridden_twice_is_refused() -> None:
    override = {"day": MONDAY, "capacity": Decimal(1)}
    with pytest.raises(SnapshotError, match="2026-03-02 is overridden 2 times"):
        Resource(resource_id="PRESS", daily_capacity=Decimal(8), overrides=[override, override])


def test_json_input_is_checked_the_same_way() -> None:
    made = snapshot([BOLT], [order("SO-1", ("BOLT", 1))], on_hand=[stock("BOLT", 1)])
    assert PromiseSnapshot.model_validate_json(made.model_dump_json()) == made
    broken = made.model_dump_json().replace('"on_hand":[{"sku":"BOLT"', '"on_hand":[{"sku":"NUT"')
    with pytest.raises(SnapshotError, match=r"on_hand\[0\].sku: unknown SKU 'NUT'"):
        PromiseSnapshot.model_validate_json(broken)


def test_a_horizon_of_no_days_is_refused() -> None:
    with pytest.raises(
        SnapshotError, match="horizon_days: Input should be greater than or equal to 1"
    ):
        snapshot([BOLT], horizon_days=0)


def test_the_horizon_ends_on_its_last_day() -> None:
    assert snapshot([BOLT], horizon_days=3, resources=[press()]).horizon_end == day(2)


def _order(**ledger: Decimal) -> Order:
    line = {"uom": "pcs", "unit_price": Money.of("2", "CNY")}
    return Order.model_validate(
        {
            "order_id": "SO-1",
            "customer": CustomerRef(customer_id="C-1", name="Acme"),
            "channel": "web",
            "currency": "CNY",
            "received_at": datetime(2026, 3, 1, tzinfo=UTC),
            "promised_delivery_at": datetime(2026, 3, 9, 23, tzinfo=UTC),
            "lines": [
                {
                    **line,
                    "line_id": "1",
                    "sku": "BOLT",
                    "quantity": Decimal(10),
                    "ledger": LineLedger(**ledger),
                },
                {
                    **line,
                    "line_id": "2",
                    "sku": "NUT",
                    "quantity": Decimal(1),
                    "ledger": LineLedger(cancelled=Decimal(1)),
                },
            ],
        }
    )


def test_an_open_order_reads_open_and_allocated_quantities_from_the_ledger() -> None:
    calendar = BusinessCalendar(timezone="Asia/Shanghai")
    ledger = {
        "allocated": Decimal(6),
        "packed": Decimal(4),
        "shipped": Decimal(4),
    }
    opened = OpenOrder.from_order(
        _order(**ledger), location="P1", calendar=calendar, customer_tier=1
    )
    assert [(line.line_id, line.quantity, line.allocated) for line in opened.lines] == [
        ("1", Decimal(6), Decimal(2))
    ]
    assert opened.promised_on == date(2026, 3, 10)  # 23:00 UTC is the next day in Shanghai
    assert opened.value is not None
    assert opened.value.amount == 20  # the cancelled line is worth nothing


def test_an_order_with_nothing_open_is_refused() -> None:
    done = {"allocated": Decimal(10), "packed": Decimal(10), "shipped": Decimal(10)}
    with pytest.raises(SnapshotError, match="order SO-1 has no open quantity"):
        OpenOrder.from_order(_order(**done), location="P1", calendar=BusinessCalendar())


def test_a_lead_time_of_years_is_refused() -> None:
    with pytest.raises(
        SnapshotError, match="production_days: Input should be less than or equal to 1000"
    ):
        Item(sku="GEAR", production_days=1001)
