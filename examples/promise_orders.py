"""Promise a new order, allocate a week's orders, and handle a supplier failure.

A small plant makes gears on a press (from bought steel) and brackets on a lathe, and resells
bolts. It plans the week's open orders by promised date, customer tier and arrival, answers a
customer who asks when 40 gears can come, and then hears that a steel delivery is cancelled.

Run: python examples/promise_orders.py
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ordercore.context import BusinessCalendar
from ordercore.promise import (
    CapacityOverride,
    Component,
    Item,
    OnHand,
    OpenLine,
    OpenOrder,
    PriorityPolicy,
    PromiseSnapshot,
    Receipt,
    ReceiptCancelled,
    Resource,
    allocate,
    respond,
)

MONDAY = date(2026, 3, 2)
CALENDAR = BusinessCalendar(holidays=frozenset({date(2026, 3, 13)}), timezone="Asia/Shanghai")
POLICY = PriorityPolicy.of("promised_date", "customer_tier", "first_come", name="week plan")


def _items() -> list[Item]:
    return [
        Item(
            sku="GEAR-40",
            resource="PRESS",
            hours_per_unit=Decimal("0.5"),
            production_days=1,
            components=[Component(sku="STEEL", quantity_per=Decimal(2))],
        ),
        Item(
            sku="BRACKET",
            mode="make_to_order",
            resource="LATHE",
            hours_per_unit=Decimal("0.25"),
            components=[Component(sku="STEEL", quantity_per=Decimal(1))],
        ),
        Item(sku="STEEL", mode="buy", procurement_days=8),
        Item(sku="BOLT-M8", mode="buy", procurement_days=3),
    ]


def _order(order_id: str, day: int, tier: int, promised: int, *lines: tuple[str, int]) -> OpenOrder:
    return OpenOrder(
        order_id=order_id,
        received_at=datetime(2026, 2, 23, 9, tzinfo=UTC) + timedelta(days=day),
        customer_tier=tier,
        promised_on=MONDAY + timedelta(days=promised),
        lines=[
            OpenLine(line_id=str(n), sku=sku, location="SZ", quantity=Decimal(quantity))
            for n, (sku, quantity) in enumerate(lines, 1)
        ],
    )


def _snapshot() -> PromiseSnapshot:
    return PromiseSnapshot(
        as_of=MONDAY,
        horizon_days=30,
        calendar=CALENDAR,
        delivery_days=1,
        items=_items(),
        on_hand=[
            OnHand(sku="GEAR-40", location="SZ", quantity=Decimal(30)),
            OnHand(sku="STEEL", location="SZ", quantity=Decimal(120)),
            OnHand(sku="BOLT-M8", location="SZ", quantity=Decimal(500)),
        ],
        receipts=[
            Receipt(
                receipt_id="PO-STEEL-1",
                sku="STEEL",
                location="SZ",
                quantity=Decimal(200),
                arrives_on=date(2026, 3, 4),
                supplier="Baosteel",
            )
        ],
        resources=[
            Resource(
                resource_id="PRESS",
                daily_capacity=Decimal(16),
                overrides=[CapacityOverride(day=date(2026, 3, 7), capacity=Decimal(8))],
            ),
            Resource(resource_id="LATHE", daily_capacity=Decimal(8)),
        ],
        orders=[
            _order("SO-101", 0, 2, 4, ("GEAR-40", 50), ("BOLT-M8", 200)),
            _order("SO-102", 1, 1, 5, ("GEAR-40", 60)),
            _order("SO-103", 2, 3, 5, ("BRACKET", 40), ("BOLT-M8", 250)),
            _order("SO-104", 3, 1, 9, ("GEAR-40", 40), ("BRACKET", 24)),
            _order("SO-105", 4, 2, 10, ("BOLT-M8", 120)),
        ],
    )


def main() -> None:
    """Plan the week, answer a customer, and respond to a cancelled steel delivery."""
    snapshot = _snapshot()
    plan = allocate(snapshot, POLICY)
    print(f"Allocation of {len(snapshot.orders)} orders ({POLICY.name}):")
    for order in plan.orders:
        flag = " LATE" if order.late else ""
        print(f"  {order.explain()}{flag}")
        print(f"    {order.explain('zh')}")
    print("\nCommands to apply:")
    for planned in plan.commands(correlation_id="WEEK-10"):
        fields = planned.command.model_dump(include={"line_id", "quantity"})
        print(f"  {planned.order_id}: {type(planned.command).__name__} {fields}")

    asked = _order("Q-900", 7, 2, 12, ("GEAR-40", 40))
    answer = plan.promise(asked)
    print(f"\nA customer asks for 40 GEAR-40: {answer.explain()}")
    for step in answer.lines[0].availability:  # ready days; delivery takes one more
        print(f"  ready by {step.day}: {step.quantity}")

    response = respond(plan, ReceiptCancelled(receipt_id="PO-STEEL-1"))
    print(f"\nSupplier failure: {response.event.describe()} ({response.event.describe('zh')})")
    if not response.affected:
        print("  no order is affected")
    for affected in response.affected:
        print(f"  {affected.explain()}")
        print(f"    {affected.explain('zh')}")
    print("Proposed for approval:")
    for planned in response.commands(correlation_id="INC-STEEL-1"):
        print(f"  {planned.order_id}: {type(planned.command).__name__}")


if __name__ == "__main__":
    main()
