"""Hypothesis strategies for ordercore's values.

Decimal strategies are explicit (finite, bounded, with the places the entities accept), so
generated values are always valid and shrink to small, readable examples: a failing test
ends up showing an order of one line of quantity 1 at price 0.01, not a 40-digit number.

Examples:
    >>> from hypothesis import given
    >>> @given(orders())
    ... def test_total_is_never_negative(order):
    ...     assert order.total.amount >= 0
    >>> test_total_is_never_negative()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

from ordercore.money import Money
from ordercore.orders import CustomerRef, Order, OrderLine
from ordercore.status import Channel

__all__ = [
    "currencies",
    "customers",
    "ids",
    "lines",
    "money",
    "orders",
    "prices",
    "quantities",
    "timestamps",
]

_EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
_COMMON_CURRENCIES: Final = ("CNY", "USD", "EUR", "JPY", "GBP", "KWD")


def ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Valid identifiers: printable, 1 to 64 characters, no surrounding space."""
    body = st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N"), include_characters="-_/."),
        min_size=1,
        max_size=64 - len(prefix),
    )
    return body.map(lambda text: prefix + text)


def currencies() -> st.SearchStrategy[str]:
    """A few common ISO 4217 codes, including zero- and three-decimal ones (JPY, KWD)."""
    return st.sampled_from(_COMMON_CURRENCIES)


def quantities(
    min_value: Decimal = Decimal(1), max_value: Decimal = Decimal(10000), places: int = 0
) -> st.SearchStrategy[Decimal]:
    """Finite decimal quantities between the bounds, with at most `places` decimals."""
    return st.decimals(
        min_value=min_value,
        max_value=max_value,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def prices(max_value: Decimal = Decimal(100000)) -> st.SearchStrategy[Decimal]:
    """Positive unit prices with two decimals, 0.01 to `max_value` (no prices in the billions)."""
    return st.decimals(
        min_value=Decimal("0.01"),
        max_value=max_value,
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )


def money(currency: str | None = None) -> st.SearchStrategy[Money]:
    """Positive amounts in `currency` (or a common currency)."""
    codes = st.just(currency) if currency else currencies()
    return st.builds(lambda amount, code: Money(amount=amount, currency=code), prices(), codes)


def timestamps(
    start: datetime = _EPOCH, span: timedelta = timedelta(days=730)
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes within `span` after `start`, to the second."""
    return st.integers(min_value=0, max_value=int(span.total_seconds())).map(
        lambda seconds: start + timedelta(seconds=seconds)
    )


def customers() -> st.SearchStrategy[CustomerRef]:
    """Customer references with short ids and names (Latin or CJK)."""
    names = (
        st.text(
            alphabet=st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ华东机械电子科技有限公司 "),
            min_size=1,
            max_size=30,
        )
        .map(str.strip)
        .filter(bool)
    )
    return st.builds(
        lambda number, name: CustomerRef(customer_id=f"C-{number}", name=name),
        st.integers(min_value=1, max_value=9999),
        names,
    )


@st.composite
def lines(draw: st.DrawFn, currency: str = "CNY", line_id: str | None = None) -> OrderLine:
    """Valid order lines in `currency`."""
    return OrderLine(
        line_id=line_id or str(draw(st.integers(min_value=1, max_value=999))),
        sku=f"SKU-{draw(st.integers(min_value=1, max_value=500))}",
        quantity=draw(quantities()),
        uom="pcs",
        unit_price=Money(amount=draw(prices()), currency=currency),
        discount_rate=draw(st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.1")])),
        tax_rate=draw(st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.13")])),
    )


@st.composite
def orders(draw: st.DrawFn, max_lines: int = 5, currency: str | None = None) -> Order:
    """Valid draft orders with 1 to `max_lines` lines in one currency."""
    code = currency or draw(currencies())
    count = draw(st.integers(min_value=1, max_value=max_lines))
    received = draw(timestamps())
    channel = draw(st.sampled_from(list(Channel)))
    return Order(
        order_id=f"SO-{draw(st.integers(min_value=1, max_value=10**6))}",
        customer=draw(customers()),
        channel=channel,
        currency=code,
        received_at=received,
        requested_delivery_at=received
        + timedelta(days=draw(st.integers(min_value=0, max_value=60))),
        confirmation_ref="CONF-1" if channel in (Channel.PHONE, Channel.FAX) else None,
        lines=tuple(draw(lines(currency=code, line_id=str(n + 1))) for n in range(count)),
    )
