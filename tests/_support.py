"""Small builders shared by the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ordercore import Channel, CustomerRef, Money, Order, OrderLine

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def make_line(line_id: str = "1", **overrides: Any) -> OrderLine:
    values: dict[str, Any] = {
        "line_id": line_id,
        "sku": "BOLT-M8",
        "quantity": Decimal(10),
        "uom": "pcs",
        "unit_price": Money.of("2.50", "CNY"),
    }
    values.update(overrides)
    return OrderLine(**values)


def make_order(**overrides: Any) -> Order:
    values: dict[str, Any] = {
        "order_id": "SO-1",
        "customer": CustomerRef(customer_id="C-1", name="Acme"),
        "channel": Channel.WEB,
        "currency": "CNY",
        "received_at": RECEIVED,
        "lines": [make_line("1"), make_line("2", sku="NUT-M8")],
    }
    values.update(overrides)
    return Order(**values)
