"""Factories: a valid order, line or customer with one call, any field overridable.

Values are realistic and deterministic: the same arguments always build the same entity,
so tests that compare orders stay stable.

Examples:
    >>> order = make_order(order_id="SO-9", lines=3)
    >>> order.order_id, len(order.lines), str(order.total)
    ('SO-9', 3, '20.45 CNY')
    >>> make_order(channel="fax").confirmation_ref
    'CONF-SO-1'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.money import Money
from ordercore.orders import Address, Contact, CustomerRef, Order, OrderLine, SalesOwner
from ordercore.status import Channel

__all__ = [
    "DEFAULT_RECEIVED_AT",
    "make_customer",
    "make_customer_profile",
    "make_line",
    "make_order",
    "make_review_context",
]

DEFAULT_RECEIVED_AT: Final = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
"""When factory orders are received unless told otherwise (09:30 in Shanghai)."""

_SKUS: Final = ("BOLT-M8", "NUT-M8", "WASHER-8", "GEAR-40T", "CABLE-2M", "PLUG-EU")
_PRICES: Final = ("0.85", "0.30", "0.12", "149.00", "12.50", "3.20")


def make_customer(customer_id: str = "C-001", **overrides: Any) -> CustomerRef:
    """Build a customer reference."""
    values: dict[str, Any] = {"customer_id": customer_id, "name": f"Customer {customer_id}"}
    values.update(overrides)
    return CustomerRef(**values)


def make_line(line_id: str = "1", index: int = 0, **overrides: Any) -> OrderLine:
    """Build an order line; `index` picks a realistic product and price.

    Args:
        line_id: The line id.
        index: Which of the built-in products to use (wraps around).
        **overrides: Any `OrderLine` field; `currency` sets the price's currency.
    """
    currency = overrides.pop("currency", "CNY")
    pick = index % len(_SKUS)
    values: dict[str, Any] = {
        "line_id": line_id,
        "sku": _SKUS[pick],
        "quantity": Decimal(10 * (pick + 1)),
        "uom": "pcs",
        "unit_price": Money.of(_PRICES[pick], currency),
        "tax_rate": Decimal("0.13"),
    }
    values.update(overrides)
    return OrderLine(**values)


def make_order(order_id: str = "SO-1", lines: int | list[OrderLine] = 2, **overrides: Any) -> Order:
    """Build a valid order in status DRAFT.

    Args:
        order_id: The order id.
        lines: How many lines to build, or the lines themselves.
        **overrides: Any `Order` field. A phone or fax order gets a confirmation
            reference unless one is given.
    """
    currency = overrides.get("currency", "CNY")
    built = (
        [make_line(str(n + 1), n, currency=currency) for n in range(lines)]
        if isinstance(lines, int)
        else lines
    )
    received = overrides.get("received_at", DEFAULT_RECEIVED_AT)
    values: dict[str, Any] = {
        "order_id": order_id,
        "customer": make_customer(),
        "channel": Channel.WEB,
        "currency": currency,
        "received_at": received,
        "requested_delivery_at": received + timedelta(days=14),
        "owner": SalesOwner(staff_id="S-01", name="Order desk 1", team="East"),
        "ship_to": Address(
            name="Receiving dock", line1="88 Harbour Road", city="Shanghai", country="CN"
        ),
        "contact": Contact(name="Li Wei", phone="+86 21 5555 0101", email="li.wei@example.com"),
        "lines": built,
    }
    values.update(overrides)
    if Channel(values["channel"]) in (Channel.PHONE, Channel.FAX):
        values.setdefault("confirmation_ref", f"CONF-{order_id}")
    return Order(**values)


def make_customer_profile(customer_id: str = "C-001", **overrides: Any) -> CustomerProfile:
    """A customer in good standing: 100,000 CNY limit, 12,000 exposure, nothing overdue."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "currency": "CNY",
        "credit_limit": Money.of("100000", "CNY"),
        "open_exposure": Money.of("12000", "CNY"),
        "overdue_amount": Money.of("0", "CNY"),
        "overdue_days": 0,
        "first_order_at": DEFAULT_RECEIVED_AT - timedelta(days=800),
        "order_count": 42,
        "past_order_values": tuple(Decimal(v) for v in ("850", "1200", "990", "1430", "1100")),
        "payment_terms": "NET30",
    }
    values.update(overrides)
    return CustomerProfile(**values)


def make_review_context(
    as_of: datetime | None = None, customers: int = 1, **overrides: Any
) -> ReviewContext:
    """A review context that the factory orders pass.

    It knows the factory customers ``C-001`` .. (`customers` of them), every factory product
    (sellable, no MOQ, lead time 3 business days), a price list with the factory prices, a
    Monday-to-Friday calendar in Asia/Shanghai, and ample capacity for 60 days.
    """
    moment = as_of or DEFAULT_RECEIVED_AT
    calendar = BusinessCalendar(timezone="Asia/Shanghai", name="Mon-Fri")
    start = calendar.local_date(moment)
    values: dict[str, Any] = {
        "as_of": moment,
        "customers": {
            f"C-{n:03d}": make_customer_profile(f"C-{n:03d}") for n in range(1, customers + 1)
        },
        "products": {
            sku: Product(sku=sku, uom="pcs", lead_time_days=3, capacity_per_unit=Decimal("0.01"))
            for sku in _SKUS
        },
        "price_list": PriceList(
            currency="CNY",
            prices={sku: Money.of(price, "CNY") for sku, price in zip(_SKUS, _PRICES, strict=True)},
            tolerance=Decimal("0.02"),
            max_discount_rate=Decimal("0.2"),
        ),
        "calendar": calendar,
        "capacity": CapacityView(
            unit="hours", free={start + timedelta(days=d): Decimal(80) for d in range(60)}
        ),
    }
    values.update(overrides)
    return ReviewContext(**values)
