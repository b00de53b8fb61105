"""Small builders of promise snapshots for the tests (Monday 2 March 2026 is day 0)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ordercore import CustomerRef, Money, Order
from ordercore.promise import (
    Item,
    OnHand,
    OpenLine,
    OpenOrder,
    PromiseSnapshot,
    Receipt,
    Resource,
)

MONDAY = date(2026, 3, 2)
RECEIVED = datetime(2026, 3, 1, 9, tzinfo=UTC)


def day(offset: int) -> date:
    """The day `offset` calendar days after Monday 2 March 2026."""
    return MONDAY + timedelta(days=offset)


def order(
    order_id: str,
    *lines: tuple[str, int | Decimal] | tuple[str, int | Decimal, int | Decimal],
    location: str = "P1",
    received_minutes: int = 0,
    **fields: Any,
) -> OpenOrder:
    """An open order with lines (sku, quantity[, allocated]) numbered 1, 2, ..."""
    built = []
    for n, spec in enumerate(lines, 1):
        allocated = Decimal(spec[2]) if len(spec) == 3 else Decimal(0)
        built.append(
            OpenLine(
                line_id=str(n),
                sku=spec[0],
                location=location,
                quantity=Decimal(spec[1]),
                allocated=allocated,
            )
        )
    return OpenOrder(
        order_id=order_id,
        received_at=RECEIVED + timedelta(minutes=received_minutes),
        lines=built,
        **fields,
    )


def stock(sku: str, quantity: int | Decimal, location: str = "P1") -> OnHand:
    """Stock on hand."""
    return OnHand(sku=sku, location=location, quantity=Decimal(quantity))


def receipt(
    receipt_id: str, sku: str, quantity: int | Decimal, offset: int, location: str = "P1"
) -> Receipt:
    """A receipt arriving `offset` days after day 0."""
    return Receipt(
        receipt_id=receipt_id,
        sku=sku,
        location=location,
        quantity=Decimal(quantity),
        arrives_on=day(offset),
    )


def press(daily: int = 8, resource_id: str = "PRESS", **fields: Any) -> Resource:
    """A resource with `daily` hours on weekdays."""
    return Resource(resource_id=resource_id, daily_capacity=Decimal(daily), **fields)


def snapshot(
    items: list[Item],
    orders: list[OpenOrder] | None = None,
    **fields: Any,
) -> PromiseSnapshot:
    """A snapshot on day 0."""
    return PromiseSnapshot(as_of=MONDAY, items=items, orders=orders or [], **fields)


def sales_order(
    order_id: str,
    promised: date | None,
    *,
    sku: str = "GEAR",
    hours: int = 100,
    requested: bool = False,
    **ledger: Any,
) -> Order:
    """A one-line order of `hours` units of `sku` promised for `promised` (requested too)."""
    moment = None if promised is None else datetime.combine(promised, datetime.min.time(), UTC)
    return Order.model_validate(
        {
            "order_id": order_id,
            "customer": CustomerRef(customer_id="C-1", name="Acme"),
            "channel": "web",
            "currency": "CNY",
            "received_at": datetime(2026, 3, 1, 10, tzinfo=UTC),
            "requested_delivery_at": moment if requested else None,
            "promised_delivery_at": moment,
            "lines": [
                {
                    "line_id": "1",
                    "sku": sku,
                    "quantity": Decimal(hours),
                    "uom": "pcs",
                    "unit_price": Money.of("5", "CNY"),
                    **ledger,
                }
            ],
        }
    )
