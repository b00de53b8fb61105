"""Review a handful of orders from several channels and print their verdicts.

Five orders arrive on Monday 2 March 2026 (phone, fax, web, EDI, e-mail). The review checks
them against the customer profiles, the product master, the price list, China's business
calendar and the free capacity, and prints each verdict in English and Chinese.
Run it: `python examples/review_orders.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ordercore import Address, Channel, Contact, CustomerRef, Money, Order, OrderLine
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.validation import review_many

RECEIVED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
SHIP_TO = Address(name="收货部", line1="工业园区 8 号", city="苏州", country="CN")
CONTACT = Contact(name="王芳", phone="+86 512 6666 0000")


def context() -> ReviewContext:
    """The snapshot a host ERP would assemble before the review."""
    customers = {
        "C-7": CustomerProfile(
            customer_id="C-7",
            currency="CNY",
            credit_limit=Money.of("50000", "CNY"),
            open_exposure=Money.of("12000", "CNY"),
            overdue_days=0,
        ),
        "C-9": CustomerProfile(
            customer_id="C-9",
            currency="CNY",
            credit_limit=Money.of("20000", "CNY"),
            open_exposure=Money.of("19500", "CNY"),
            overdue_amount=Money.of("3000", "CNY"),
            overdue_days=45,
        ),
    }
    products = {
        "BOLT-M8": Product(sku="BOLT-M8", uom="pcs", moq=Decimal(500), pack_multiple=Decimal(100)),
        "GEAR-40": Product(
            sku="GEAR-40", uom="pcs", lead_time_days=10, capacity_per_unit=Decimal("0.05")
        ),
    }
    prices = PriceList(
        currency="CNY",
        prices={"BOLT-M8": Money.of("0.85", "CNY"), "GEAR-40": Money.of("48.00", "CNY")},
        tolerance=Decimal("0.02"),
        max_discount_rate=Decimal("0.10"),
    )
    calendar = BusinessCalendar.from_holidays("CN", [2026], timezone="Asia/Shanghai")
    capacity = CapacityView(
        free={date(2026, 3, 2) + timedelta(days=d): Decimal(6) for d in range(60)}
    )
    return ReviewContext(
        as_of=RECEIVED + timedelta(hours=1),
        customers=customers,
        products=products,
        price_list=prices,
        calendar=calendar,
        capacity=capacity,
    )


def order(
    order_id: str, channel: Channel, customer: str, *lines: OrderLine, **extra: object
) -> Order:
    """An order received on Monday morning, wanted in three weeks."""
    values: dict[str, object] = {
        "order_id": order_id,
        "customer": CustomerRef(customer_id=customer, name=f"Customer {customer}"),
        "channel": channel,
        "currency": "CNY",
        "received_at": RECEIVED,
        "requested_delivery_at": RECEIVED + timedelta(days=21),
        "ship_to": SHIP_TO,
        "contact": CONTACT,
        "lines": lines,
    }
    values.update(extra)
    return Order.model_validate(values)


def line(line_id: str, sku: str, quantity: int, price: str, **extra: object) -> OrderLine:
    """One order line in pieces."""
    return OrderLine.model_validate(
        {
            "line_id": line_id,
            "sku": sku,
            "quantity": Decimal(quantity),
            "uom": "pcs",
            "unit_price": Money.of(price, "CNY"),
            **extra,
        }
    )


def orders() -> list[Order]:
    """Five orders: two pass, three fail for different reasons."""
    return [
        order("SO-101", Channel.WEB, "C-7", line("1", "BOLT-M8", 1000, "0.85")),
        order(
            "SO-102",
            Channel.FAX,
            "C-7",
            line("1", "GEAR-40", 80, "48.00"),
            confirmation_ref="FAX-CF-0302-1",
            promised_delivery_at=RECEIVED + timedelta(days=21),
        ),
        order("SO-103", Channel.PHONE, "C-7", line("1", "BOLT-M8", 250, "0.80")),
        order(
            "SO-104",
            Channel.EDI,
            "C-9",
            line("1", "GEAR-40", 20, "48.00"),
            requested_delivery_at=RECEIVED + timedelta(days=3),
        ),
        order(
            "SO-105",
            Channel.EMAIL,
            "C-7",
            line("1", "BOLT-M8", 600, "0.85", discount_rate=Decimal("0.15")),
            contact=None,
        ),
    ]


def main() -> None:
    """Review the orders and print each verdict with its issues."""
    for result in review_many(orders(), context()):
        print(result.summary())
        print("  " + result.summary("zh"))
        for issue in result.issues:
            print(f"  - {issue.severity.value:7} {issue.code}: {issue.path}")
            print(f"      {issue.message_en}")
            print(f"      {issue.message_zh}")


if __name__ == "__main__":
    main()
