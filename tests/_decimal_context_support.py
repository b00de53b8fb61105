"""Caller decimal contexts, and orders with contexts, for the tests that review and risk ignore them.

Review and risk must give the same results whatever `decimal` context the caller has set.
`CALLERS` are the hostile ones: three digits of precision, alone and with every signal
trapped that a silent rounding or an overflow raises. `cases()` draws an order and a review
context between which every default rule and every risk feature has numbers to work on
(credit, prices off the list, pack sizes, capacity, stated totals, a customer's history);
`large_cases()` are hand-picked orders at the amount limits, with more digits than the
default context's 28.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import strategies as st

from ordercore import MAX_AMOUNT, MAX_QUANTITY, LineLedger, Money, Order
from ordercore.context import CapacityView, Product, ReviewContext
from ordercore.testing.factories import (
    DEFAULT_RECEIVED_AT,
    make_customer_profile,
    make_line,
    make_order,
    make_review_context,
)
from ordercore.testing.strategies import orders, quantities, review_contexts

__all__ = ["CALLERS", "Caller", "cases", "large_cases", "under"]

_TRAPPED = (
    decimal.InvalidOperation,
    decimal.Overflow,
    decimal.Inexact,
    decimal.Rounded,
    decimal.DivisionByZero,
)
_TRAPS = {signal: signal in _TRAPPED for signal in decimal.Context().traps}


def _low_precision() -> AbstractContextManager[decimal.Context]:
    return decimal.localcontext(prec=3)


def _trapping() -> AbstractContextManager[decimal.Context]:
    return decimal.localcontext(prec=3, traps=_TRAPS)


CALLERS = [
    pytest.param(_low_precision, id="prec=3"),
    pytest.param(_trapping, id="prec=3,traps"),
]
"""Caller contexts as `pytest.param`s of context-manager factories."""


_T = TypeVar("_T")
Caller = Callable[[], AbstractContextManager[decimal.Context]]


def under(caller: Caller | None, run: Callable[[], _T]) -> _T:
    """`run()` in the caller's context, or in a fresh default context when `caller` is None."""
    with decimal.localcontext(decimal.Context()) if caller is None else caller():
        return run()


_SKUS = ("BOLT-M8", "NUT-M8", "WASHER-8", "GEAR-40T", "CABLE-2M", "PLUG-EU")
_RATES = st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False)
_PRICES = st.decimals(
    min_value=Decimal("0.00000001"),
    max_value=Decimal(100000),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)
_PACKS = st.sampled_from([Decimal("0.5"), Decimal(3), Decimal("0.000007"), Decimal(10)])
_PAST = st.lists(
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    min_size=0,
    max_size=8,
)


@st.composite
def _factory_order(draw: st.DrawFn) -> Order:
    """An order of the factory customer and products, with long quantities, prices and rates."""
    lines = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        quantity = draw(quantities(Decimal("0.000001"), Decimal(10**6), places=6))
        cancelled = draw(st.sampled_from([Decimal(0), Decimal("0.000001"), quantity]))
        overrides: dict[str, Any] = {
            "quantity": quantity,
            "discount_rate": draw(_RATES),
            "tax_rate": draw(_RATES),
            "ledger": LineLedger(cancelled=cancelled),
        }
        price = draw(st.none() | _PRICES)
        if price is not None:  # otherwise the factory's list price
            overrides["unit_price"] = Money(amount=price, currency="CNY")
        lines.append(make_line(str(n + 1), draw(st.integers(0, 5)), **overrides))
    days = draw(st.integers(min_value=0, max_value=40))
    return make_order(
        order_id="SO-7",
        lines=lines,
        promised_delivery_at=DEFAULT_RECEIVED_AT + timedelta(days=days),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Order, ReviewContext]:
    """An order and a review context (see the module's introduction)."""
    order = draw(st.one_of(_factory_order(), orders()))
    context = draw(review_contexts())
    update: dict[str, Any] = {}
    customers = dict(context.customers)
    profile = customers["C-001"]
    customers["C-001"] = profile.model_copy(update={"past_order_values": tuple(draw(_PAST))})
    update["customers"] = customers
    update["products"] = {
        sku: Product(
            sku=sku,
            uom="pcs",
            lead_time_days=draw(st.integers(0, 10)),
            moq=draw(st.none() | quantities(Decimal(1), Decimal(100))),
            pack_multiple=draw(st.none() | _PACKS),
            max_quantity=draw(st.none() | quantities(Decimal(1), Decimal(10**6))),
            capacity_per_unit=draw(st.sampled_from([Decimal(0), Decimal("0.013"), Decimal(7)])),
        )
        for sku in _SKUS
    }
    stated = draw(st.none() | _PRICES)
    if stated is not None:
        update["stated_totals"] = {order.order_id: Money(amount=stated, currency=order.currency)}
    return order, context.model_copy(update=update)


_HUGE_PRICE = Money.of("99999.99999999", "CNY")
_LONG_QUANTITY = Decimal("999999.999999")  # x the price: 19 + 13 digits, more than 28


def large_cases() -> list[Any]:
    """Hand-picked orders at the amount limits, each with a context, as `pytest.param`s."""
    at = DEFAULT_RECEIVED_AT
    start = date(2026, 3, 2)
    profile = make_customer_profile(
        credit_limit=Money(amount=MAX_AMOUNT, currency="CNY"),
        open_exposure=Money.of("12345678901234.56789012", "CNY"),
        overdue_amount=Money.of("98765432109876.54321098", "CNY"),
        overdue_days=45,
        past_order_values=tuple(
            Decimal(v)
            for v in (
                "12345678901234.12345678",
                "98765432109876.87654321",
                "55555555555555.55555555",
                "1.00000001",
                "77777777777777.7777",
                "33333333333333.3333",
            )
        ),
    )
    context = make_review_context(
        customers=1,
        products={
            sku: Product(
                sku=sku,
                uom="pcs",
                lead_time_days=3,
                pack_multiple=Decimal("0.000007"),
                max_quantity=Decimal("999999999.999999"),
                capacity_per_unit=Decimal("999.123457"),
            )
            for sku in _SKUS
        },
        capacity=CapacityView(
            free={start + timedelta(days=d): Decimal("999999999.999999") for d in range(60)}
        ),
    )
    context = context.model_copy(update={"customers": {"C-001": profile}})
    at_limit = make_order(
        "SO-MAX",
        lines=[
            make_line(
                "1",
                quantity=MAX_QUANTITY,
                unit_price=Money.of("100000", "CNY"),
                tax_rate=Decimal(0),
            )
        ],
        promised_delivery_at=at + timedelta(days=20),
    )
    long_digits = make_order(
        "SO-LONG",
        lines=[
            make_line(
                str(n + 1),
                n,
                quantity=_LONG_QUANTITY,
                unit_price=_HUGE_PRICE,
                discount_rate=Decimal("0.123457"),
                tax_rate=Decimal("0.130001"),
                ledger=LineLedger(cancelled=Decimal("0.000001")),
            )
            for n in range(4)
        ],
        promised_delivery_at=at + timedelta(days=3),
    )
    off_list = make_order(
        "SO-OFF",
        lines=[
            make_line("1", 0, quantity=Decimal("123456.654321"), unit_price=_HUGE_PRICE),
            make_line("2", 3, quantity=Decimal(7), unit_price=Money.of("149.00000001", "CNY")),
        ],
        promised_delivery_at=at + timedelta(days=10),
    )
    stated = context.model_copy(
        update={"stated_totals": {"SO-OFF": Money.of("12345678901234.99999999", "CNY")}}
    )
    return [
        pytest.param(at_limit, context, id="gross-at-max-amount"),
        pytest.param(long_digits, context, id="products-beyond-28-digits"),
        pytest.param(off_list, stated, id="off-list-with-stated-total"),
    ]
