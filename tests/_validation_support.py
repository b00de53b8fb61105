"""Builders for the validation tests: a context in which the standard test order passes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from _support import RECEIVED, make_line, make_order
from ordercore import Address, Contact, Money, Order
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)

if TYPE_CHECKING:
    from ordercore.validation import Issue

__all__ = [
    "RECEIVED",
    "codes",
    "good_order",
    "make_context",
    "make_line",
    "product",
    "profile",
]

SHIP_TO = Address(name="Acme Receiving", line1="1 Harbour Road", city="Suzhou", country="CN")
CONTACT = Contact(name="Wang Fang", phone="+86 512 0000 0000")


def good_order(**overrides: Any) -> Order:
    """The standard test order (2 lines of 10 pcs at 2.50 CNY) with everything review wants."""
    values: dict[str, Any] = {
        "ship_to": SHIP_TO,
        "contact": CONTACT,
        "requested_delivery_at": RECEIVED + timedelta(days=14),
        "promised_delivery_at": RECEIVED + timedelta(days=14),
    }
    values.update(overrides)
    return make_order(**values)


def profile(**overrides: Any) -> CustomerProfile:
    values: dict[str, Any] = {
        "customer_id": "C-1",
        "currency": "CNY",
        "credit_limit": Money.of("1000", "CNY"),
        "open_exposure": Money.of("0", "CNY"),
        "overdue_amount": Money.of("0", "CNY"),
        "overdue_days": 0,
    }
    values.update(overrides)
    return CustomerProfile(**values)


def product(sku: str, **overrides: Any) -> Product:
    values: dict[str, Any] = {"sku": sku, "uom": "pcs", "lead_time_days": 3}
    values.update(overrides)
    return Product(**values)


def make_context(**overrides: Any) -> ReviewContext:
    """A context in which `good_order()` passes every default rule."""
    values: dict[str, Any] = {
        "as_of": RECEIVED,
        "customers": {"C-1": profile()},
        "products": {"BOLT-M8": product("BOLT-M8"), "NUT-M8": product("NUT-M8")},
        "price_list": PriceList(
            currency="CNY",
            prices={"BOLT-M8": Money.of("2.50", "CNY"), "NUT-M8": Money.of("2.50", "CNY")},
        ),
        "calendar": BusinessCalendar(),
        "capacity": CapacityView(
            free={date(2026, 3, 1) + timedelta(days=d): Decimal(8) for d in range(60)}
        ),
    }
    values.update(overrides)
    return ReviewContext(**values)


def codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]
