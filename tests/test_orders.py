from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from _support import RECEIVED, make_line, make_order
from ordercore import Dimension, LedgerField, Money, Order, OrderLine, OrderStatus, Progress


def _locations(error: pydantic.ValidationError) -> list[tuple[int | str, ...]]:
    return [tuple(e["loc"]) for e in error.errors()]


def test_totals_are_derived_from_rounded_lines() -> None:
    order = make_order(
        lines=[
            make_line("1", quantity=Decimal(3), unit_price=Money.of("0.335", "CNY")),
            make_line("2", quantity=Decimal(1), unit_price=Money.of("0.005", "CNY")),
        ]
    )
    # 1.005 -> 1.00 and 0.005 -> 0.00 (half-even), so the order totals 1.00
    assert order.net_total == Money.of("1.00", "CNY")


def test_tax_is_rounded_per_line() -> None:
    line = make_line(
        quantity=Decimal(1), unit_price=Money.of("0.25", "CNY"), tax_rate=Decimal("0.1")
    )
    assert line.tax_amount == Money.of("0.02", "CNY")
    assert line.gross_amount == Money.of("0.27", "CNY")


def test_discount_reduces_the_net_amount() -> None:
    line = make_line(quantity=Decimal(10), discount_rate=Decimal("0.2"))
    assert line.net_amount == Money.of("20.00", "CNY")


def test_cancelled_quantity_leaves_the_open_amount() -> None:
    line = make_line(quantity=Decimal(10)).with_movement(LedgerField.CANCELLED, Decimal(4))
    assert line.net_amount == Money.of("15.00", "CNY")
    assert line.ordered_net == Money.of("25.00", "CNY")


def test_progress_is_partial_when_one_of_two_lines_is_shipped() -> None:
    first = make_line("1")
    for field in (LedgerField.ALLOCATED, LedgerField.PACKED, LedgerField.SHIPPED):
        first = first.with_movement(field, Decimal(10))
    order = make_order(lines=[first, make_line("2")])
    assert order.progress(Dimension.SHIPPING) is Progress.PARTIAL
    assert order.progress(Dimension.ALLOCATION) is Progress.PARTIAL
    assert order.progress(Dimension.FULFILMENT) is Progress.NONE


def test_fully_cancelled_lines_do_not_count_towards_progress() -> None:
    shipped = make_line("1")
    for field in (LedgerField.ALLOCATED, LedgerField.PACKED, LedgerField.SHIPPED):
        shipped = shipped.with_movement(field, Decimal(10))
    cancelled = make_line("2").with_movement(LedgerField.CANCELLED, Decimal(10))
    order = make_order(lines=[shipped, cancelled])
    assert order.progress(Dimension.SHIPPING) is Progress.FULL


def test_new_orders_start_as_draft_at_version_zero() -> None:
    order = make_order()
    assert (order.status, order.version, order.archived) == (OrderStatus.DRAFT, 0, False)


def test_line_lookup_names_the_known_lines_when_missing() -> None:
    with pytest.raises(KeyError, match="lines: 1, 2"):
        make_order().line("9")


def test_json_round_trip_rebuilds_the_same_order() -> None:
    order = make_order(notes="第一行\n第二行", customer_po="PO-77")
    assert Order.model_validate_json(order.model_dump_json()) == order


def test_orders_are_hashable_values() -> None:
    assert make_order() == make_order()
    assert len({make_order(), make_order()}) == 1


# ---- bad input: each names the field, and no order is built --------------------------


def test_naive_received_at_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(received_at=datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001 - the point of the test
    assert _locations(caught.value) == [("received_at",)]
    assert "timezone" in str(caught.value)


def test_naive_line_delivery_date_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(
            lines=[{**make_line().model_dump(), "requested_delivery_at": datetime(2026, 4, 1)}]  # noqa: DTZ001
        )
    assert _locations(caught.value) == [("lines", 0, "requested_delivery_at")]


@pytest.mark.parametrize(
    "quantity",
    [
        Decimal(-1),
        Decimal(0),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1e12"),
        Decimal("0.0000001"),
    ],
)
def test_bad_quantities_are_refused(quantity: Decimal) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_line(quantity=quantity)
    assert _locations(caught.value) == [("quantity",)]


@pytest.mark.parametrize("price", ["0", "-1", "1e20"])
def test_bad_prices_are_refused(price: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_line(unit_price={"amount": Decimal(price), "currency": "CNY"})
    assert "unit_price" in str(caught.value)


def test_float_price_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_line(unit_price={"amount": 2.5, "currency": "CNY"})
    assert _locations(caught.value) == [("unit_price", "amount")]


def test_float_quantity_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_line(quantity=2.0)
    assert _locations(caught.value) == [("quantity",)]


@pytest.mark.parametrize("currency", ["cny", "ABC"])
def test_unknown_order_currency_is_refused(currency: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(currency=currency)
    assert _locations(caught.value) == [("currency",)]


def test_mixed_currencies_across_lines_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"lines\[1\].unit_price is in USD"):
        make_order(lines=[make_line("1"), make_line("2", unit_price=Money.of("1", "USD"))])


def test_duplicate_line_ids_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"lines\[1\].line_id '1' is used twice"):
        make_order(lines=[make_line("1"), make_line("1")])


def test_an_order_with_no_lines_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(lines=[])
    assert _locations(caught.value) == [("lines",)]


@pytest.mark.parametrize("bad_id", ["SO\x001", "SO\n1", " SO-1", "SO-1 ", "", "X" * 65, "SO\x7f"])
def test_ids_with_control_characters_or_bad_length_are_refused(bad_id: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(order_id=bad_id)
    assert _locations(caught.value) == [("order_id",)]


@pytest.mark.parametrize("good_id", ["SO/2026/0001", "订单-1", "'; DROP TABLE orders; --"])
def test_ids_allow_any_printable_text(good_id: str) -> None:
    assert make_order(order_id=good_id).order_id == good_id


def test_requested_delivery_before_receipt_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"requested_delivery_at .* is before"):
        make_order(requested_delivery_at=RECEIVED - timedelta(days=1))


def test_promised_delivery_before_receipt_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"promised_delivery_at .* is before"):
        make_order(promised_delivery_at=RECEIVED - timedelta(minutes=1))


@pytest.mark.parametrize(
    ("field", "value", "location"),
    [
        ("order_id", 17, ("order_id",)),
        ("version", "3", ("version",)),
        ("customer", ["C-1", "Acme"], ("customer",)),
        ("lines", {"line_id": "1"}, ("lines",)),
        ("archived", "yes", ("archived",)),
        ("channel", "carrier pigeon", ("channel",)),
    ],
)
def test_wrong_types_are_refused_naming_the_field(
    field: str, value: Any, location: tuple[str]
) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(**{field: value})
    assert location in _locations(caught.value)


def test_string_quantity_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_line(quantity="10")
    assert _locations(caught.value) == [("quantity",)]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(discount="10%")
    assert _locations(caught.value) == [("discount",)]


def test_inconsistent_stored_ledger_is_refused_when_parsing() -> None:
    line = make_line().model_dump(mode="json")
    line["ledger"]["shipped"] = "5"
    order = make_order().model_dump(mode="json")
    order["lines"] = [line]
    with pytest.raises(pydantic.ValidationError, match="shipped would become 5, more than packed"):
        Order.model_validate_json(__import__("json").dumps(order))


def test_entities_are_frozen() -> None:
    order = make_order()
    with pytest.raises(pydantic.ValidationError):
        order.status = OrderStatus.CLOSED  # type: ignore[misc]


def test_lines_accept_a_list_and_store_a_tuple() -> None:
    order = make_order(lines=[make_line()])
    assert isinstance(order.lines, tuple)


def test_too_many_lines_are_refused() -> None:
    lines = [OrderLine.model_construct(**make_line(str(i)).__dict__) for i in range(5001)]
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(lines=lines)
    assert _locations(caught.value) == [("lines",)]


def test_rich_display_of_an_order_escapes_every_value() -> None:
    html = make_order(customer={"customer_id": "C-1", "name": "<script>x</script>"})._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "SO-1" in html
