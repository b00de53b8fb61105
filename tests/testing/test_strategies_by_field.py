"""The entity strategies: registered with hypothesis, and composable field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore import Channel, InvalidArgument, Money, Order, OrderLine
from ordercore.context import CustomerProfile, ReviewContext
from ordercore.orders import CustomerRef
from ordercore.testing.factories import make_customer
from ordercore.testing.strategies import lines, orders

MOMENT = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
EURO_LINES = st.lists(
    lines(currency="EUR"), min_size=1, max_size=3, unique_by=lambda line: line.line_id
)


@pytest.mark.parametrize(
    "entity", [Order, OrderLine, CustomerRef, Money, CustomerProfile, ReviewContext]
)
def test_from_type_draws_a_valid_entity(entity: type[object]) -> None:
    @settings(max_examples=5, deadline=None)
    @given(st.from_type(entity))
    def check(value: object) -> None:
        assert type(value) is entity

    check()


@settings(max_examples=20)
@given(orders(channel=st.just(Channel.FAX)))
def test_a_drawn_channel_is_the_orders_channel(order: Order) -> None:
    assert order.channel is Channel.FAX


@settings(max_examples=20)
@given(orders(channel=st.sampled_from([Channel.PHONE, Channel.FAX])))
def test_a_drawn_phone_or_fax_channel_gets_a_confirmation_reference(order: Order) -> None:
    assert order.confirmation_ref


@settings(max_examples=20)
@given(orders(lines=EURO_LINES))
def test_drawn_lines_set_the_orders_currency(order: Order) -> None:
    assert order.currency == "EUR"


@settings(max_examples=20)
@given(orders(lines=EURO_LINES.map(tuple)))
def test_drawn_lines_are_the_orders_lines(order: Order) -> None:
    assert 1 <= len(order.lines) <= 3
    assert all(line.unit_price.currency == "EUR" for line in order.lines)


@settings(max_examples=20)
@given(orders(received_at=st.just(MOMENT)))
def test_the_requested_delivery_follows_a_drawn_receipt(order: Order) -> None:
    assert order.received_at == MOMENT
    assert order.requested_delivery_at is not None
    assert MOMENT <= order.requested_delivery_at <= MOMENT + timedelta(days=60)


@settings(max_examples=10)
@given(orders(customer=st.just(make_customer("C-900")), currency="JPY"))
def test_a_drawn_customer_and_a_fixed_currency_combine(order: Order) -> None:
    assert order.customer.customer_id == "C-900"
    assert order.currency == "JPY"
    assert {line.unit_price.currency for line in order.lines} == {"JPY"}


@settings(max_examples=20)
@given(lines(quantity=st.just(Decimal(3)), sku=st.sampled_from(["BOLT", "NUT"])))
def test_line_fields_can_be_drawn_too(line: OrderLine) -> None:
    assert line.quantity == 3
    assert line.sku in {"BOLT", "NUT"}


def test_a_name_that_is_no_order_field_is_refused_before_drawing() -> None:
    with pytest.raises(InvalidArgument, match=r"orders\(\): chanel is not a field of Order"):
        orders(chanel=st.just(Channel.WEB))


def test_a_plain_value_instead_of_a_strategy_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidArgument, match=r"for a fixed value pass st\.just\("):
        orders(channel=Channel.WEB)  # type: ignore[arg-type]


def test_a_name_that_is_no_line_field_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"lines\(\): qty is not a field of OrderLine"):
        lines(qty=st.just(Decimal(1)))


@settings(max_examples=20)
@given(orders(currency=st.sampled_from(["USD", "KWD"])))
def test_the_currency_can_be_drawn_from_a_strategy(order: Order) -> None:
    assert order.currency in {"USD", "KWD"}
    assert {line.unit_price.currency for line in order.lines} == {order.currency}
