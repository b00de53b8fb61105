"""ordercore quickstart: a few orders from different channels, their totals, ledger and status.

Run with `make demo`. Each later capability (lifecycle, review, risk, KPIs) adds its part.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from ordercore import (
    Channel,
    CustomerRef,
    Dimension,
    LedgerField,
    Money,
    Order,
    OrderLine,
    SalesOwner,
    label,
)

CST = timezone(timedelta(hours=8), "CST")
RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=CST)


def build_orders() -> list[Order]:
    """Three orders as they arrive by phone, fax and web."""

    def line(line_id: str, sku: str, qty: int, price: str, tax: str = "0.13") -> OrderLine:
        return OrderLine(
            line_id=line_id,
            sku=sku,
            quantity=Decimal(qty),
            uom="pcs",
            unit_price=Money.of(price, "CNY"),
            tax_rate=Decimal(tax),
        )

    return [
        Order(
            order_id="SO-2026-0001",
            customer=CustomerRef(customer_id="C-001", name="华东机械有限公司"),
            channel=Channel.PHONE,
            currency="CNY",
            received_at=RECEIVED,
            requested_delivery_at=RECEIVED + timedelta(days=10),
            confirmation_ref="TEL-0302-01",
            owner=SalesOwner(staff_id="S-01", name="Sales desk 1"),
            lines=[line("1", "BOLT-M8", 500, "0.85"), line("2", "NUT-M8", 500, "0.30")],
        ),
        Order(
            order_id="SO-2026-0002",
            customer=CustomerRef(customer_id="C-002", name="Nordic Tools AB"),
            channel=Channel.FAX,
            currency="CNY",
            received_at=RECEIVED + timedelta(hours=2),
            confirmation_ref="FAX-0302-07",
            lines=[line("1", "GEAR-40T", 12, "149.00")],
        ),
        Order(
            order_id="SO-2026-0003",
            customer=CustomerRef(customer_id="C-003", name="深圳电子科技"),
            channel=Channel.WEB,
            currency="CNY",
            received_at=RECEIVED + timedelta(hours=5),
            lines=[line("A", "CABLE-2M", 40, "12.50"), line("B", "PLUG-EU", 40, "3.20", "0.06")],
        ),
    ]


def show(order: Order) -> None:
    """Print one order: header, totals, ledger and derived progress."""
    channel = f"{label(order.channel)} / {label(order.channel, 'zh')}"
    print(f"{order.order_id}  {order.customer.name}  via {channel}")
    print(f"  net {order.net_total}  tax {order.tax_total}  total {order.total}")
    for line in order.lines:
        ledger = ", ".join(
            f"{field.value}={line.ledger.get(field)}"
            for field in LedgerField
            if line.ledger.get(field)
        )
        print(f"  line {line.line_id} {line.sku} x{line.quantity} {line.uom}: {ledger or '-'}")
    progress = ", ".join(f"{d.value}={order.progress(d).value}" for d in Dimension)
    print(f"  status {label(order.status)} ({label(order.status, 'zh')}); {progress}")


def main() -> None:
    """Build, move and round-trip the demo orders."""
    orders = build_orders()
    print("== orders as entered ==")
    for order in orders:
        show(order)

    # Part of the phone order is allocated, packed and shipped. The lifecycle does this with
    # commands and events; here the ledger is moved directly to show the invariants at work.
    phone = orders[0]
    first = phone.line("1")
    for field in (LedgerField.ALLOCATED, LedgerField.PACKED, LedgerField.SHIPPED):
        first = first.with_movement(field, Decimal(200))
    phone = phone.model_copy(update={"lines": (first, phone.lines[1])})
    print("\n== after shipping 200 of line 1 ==")
    show(phone)

    print("\n== JSON round trip ==")
    text = phone.model_dump_json()
    as_strings = '"unit_price":{"amount":"0.85"' in text
    print(f"  {len(text)} bytes; amounts written as strings: {as_strings}")
    print(f"  rebuilt equal: {Order.model_validate_json(text) == phone}")


if __name__ == "__main__":
    main()
