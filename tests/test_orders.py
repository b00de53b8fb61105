from __future__ import annotations

import decimal
import json
from datetime import datetime, timedelta
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING, Any

import pydantic
import pytest

from _support import RECEIVED, make_line, make_order
from ordercore import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    Dimension,
    LedgerField,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Progress,
)
from ordercore.errors import AmountOutOfRange
from ordercore.ledger import LineLedger
from ordercore.milestones import Milestones
from ordercore.money import minor_units
from ordercore.orders import (
    check_amounts,
    line_net,
    line_sums,
    line_tax,
    order_totals,
    same_sums,
)
from ordercore.totals import TOTAL_FIELDS, OrderTotals
from ordercore.validation._prepared import line_net as review_line_net
from ordercore.validation._prepared import order_gross, quantum

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager


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


# ------------------------------------------------- the line money formula, by hand


# (quantity, unit price, discount, tax rate, currency, net, tax): every figure by hand
_LINE_TABLE = [
    ("1", "0.125", "0", "0", "CNY", "0.12", "0.00"),  # a tie goes to the even cent
    ("1", "0.135", "0", "0", "CNY", "0.14", "0.00"),
    ("1", "0.145", "0", "0", "CNY", "0.14", "0.00"),
    ("3", "0.335", "0", "0", "CNY", "1.00", "0.00"),  # 1.005
    ("1", "0.1251", "0", "0", "CNY", "0.13", "0.00"),  # not a tie
    ("10", "2.50", "0.2", "0.13", "CNY", "20.00", "2.60"),
    ("1", "0.25", "0", "0.1", "CNY", "0.25", "0.02"),  # tax 0.025 -> 0.02
    ("1", "0.35", "0", "0.1", "CNY", "0.35", "0.04"),  # tax 0.035 -> 0.04
    ("7", "0.15", "0.5", "0", "CNY", "0.52", "0.00"),  # 0.525
    ("1", "2.5", "0", "0", "JPY", "2", "0"),
    ("1", "3.5", "0", "0", "JPY", "4", "0"),
    ("3", "333.5", "0", "0.1", "JPY", "1000", "100"),  # 1000.5 -> 1000, tax 100.0
    ("1", "1.0005", "0", "0", "KWD", "1.000", "0.000"),
    ("1", "1.0015", "0", "0", "KWD", "1.002", "0.000"),
    ("2", "0.25025", "0", "0.05", "BHD", "0.500", "0.025"),  # 0.5005 -> 0.500
    ("1", "9.99", "1", "0.13", "CNY", "0.00", "0.00"),  # a free line
]


_Row = tuple[str, str, str, str, str, str, str]


@pytest.mark.parametrize("row", _LINE_TABLE)
def test_line_amounts_match_the_hand_computed_table(row: _Row) -> None:
    quantity, price, discount, tax_rate, currency, net, tax = row
    quantum = Decimal(1).scaleb(-minor_units(currency))
    got_net = line_net(Decimal(quantity), Decimal(price), Decimal(discount), quantum)
    got_tax = line_tax(got_net, Decimal(tax_rate), quantum)
    assert (str(got_net), str(got_tax)) == (net, tax)


@pytest.mark.parametrize("row", _LINE_TABLE)
def test_order_lines_compute_the_table_amounts(row: _Row) -> None:
    quantity, price, discount, tax_rate, currency, net, tax = row
    line = make_line(
        quantity=Decimal(quantity),
        unit_price=Money.of(price, currency),
        discount_rate=Decimal(discount),
        tax_rate=Decimal(tax_rate),
    )
    assert (str(line.net_amount.amount), str(line.tax_amount.amount)) == (net, tax)
    assert line.gross_amount.amount == Decimal(net) + Decimal(tax)


def test_the_net_is_rounded_once_from_the_exact_product() -> None:
    # q × p × (1 − d) = 123456793.12500000000000000001...: 28 digits (the default context)
    # would round it to a tie first, and the tie would go to .12.
    line = make_line(
        quantity=Decimal("3.031639"),
        unit_price=Money.of("40722788275582.94374759", "CNY"),
        discount_rate=Decimal("0.999999"),
    )
    assert line.net_amount.amount == Decimal("123456793.13")


def test_review_computes_the_same_line_amounts_as_the_order() -> None:
    yuan = [row for row in _LINE_TABLE if row[4] == "CNY"]
    order = make_order(
        lines=[
            make_line(
                str(number),
                quantity=Decimal(quantity),
                unit_price=Money.of(price, "CNY"),
                discount_rate=Decimal(discount),
                tax_rate=Decimal(tax_rate),
            )
            for number, (quantity, price, discount, tax_rate, *_) in enumerate(yuan, start=1)
        ]
    )
    step = quantum(order.currency)
    assert [review_line_net(line, step) for line in order.lines] == [
        line.net_amount.amount for line in order.lines
    ]
    assert order_gross(order) == order.total.amount


# ------------------------------------------------------------- the caller's context


def _amounts(order: Order) -> list[tuple[str, ...]]:
    return [
        (
            str(line.net_amount),
            str(line.tax_amount),
            str(line.gross_amount),
            str(line.open_quantity),
        )
        for line in order.lines
    ] + [(str(order.net_total), str(order.total), str(order.total_quantity()))]


def _big_order() -> Order:
    cancelled = make_line(
        "2",
        quantity=Decimal("123456.123456"),
        unit_price=Money.of("98765.43210987", "CNY"),
        discount_rate=Decimal("0.123457"),
        tax_rate=Decimal("0.13"),
    ).with_movement(LedgerField.CANCELLED, Decimal("0.000001"))
    return make_order(
        lines=[
            make_line(
                "1",
                quantity=MAX_QUANTITY,
                unit_price=Money.of("33333.33333333", "CNY"),
                tax_rate=Decimal("0.5"),
            ),
            cancelled,
        ]
    )


def _strict_traps() -> decimal.Context:
    context = decimal.Context()
    for signal in (decimal.Inexact, decimal.Rounded, decimal.Subnormal, decimal.Underflow):
        context.traps[signal] = True
    return context


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param(lambda: decimal.localcontext(prec=6), id="prec=6"),
        pytest.param(lambda: decimal.localcontext(prec=3, rounding=ROUND_UP), id="prec=3,up"),
        pytest.param(lambda: decimal.localcontext(_strict_traps()), id="all-traps"),
    ],
)
def test_line_and_order_amounts_ignore_the_callers_decimal_context(
    caller: Callable[[], AbstractContextManager[decimal.Context]],
) -> None:
    expected = _amounts(_big_order())
    with caller():
        assert _amounts(_big_order()) == expected


def test_the_big_order_amounts_are_exact() -> None:
    assert _amounts(_big_order())[-1] == (
        "33344021195140.74 CNY",
        "50012077283841.14 CNY",
        "1000123456.123456",
    )


# ------------------------------------------------------------------ the amount limits


def test_a_line_at_max_quantity_and_max_amount_is_accepted() -> None:
    line = make_line(quantity=MAX_QUANTITY, unit_price=Money.of("100000", "CNY"))
    assert line.gross_amount == Money(amount=MAX_AMOUNT, currency="CNY")


def test_a_line_whose_gross_is_one_minor_unit_above_max_amount_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="beyond the limit") as caught:
        make_line(
            quantity=MAX_QUANTITY,
            unit_price=Money.of("100000", "CNY"),
            tax_rate=Decimal("0.000001"),
        )
    assert "gross amount of line 1" in str(caught.value)


def test_a_line_whose_net_ties_at_max_amount_rounds_half_even_down_to_it() -> None:
    # 3 × 33333333333333.335 = 100000000000000.005: the tie goes to the even ...00.00
    line = make_line(quantity=Decimal(3), unit_price=Money.of("33333333333333.335", "CNY"))
    assert line.net_amount == Money(amount=MAX_AMOUNT, currency="CNY")


def test_a_line_whose_net_rounds_up_past_max_amount_is_refused() -> None:
    # 3 × 33333333333333.33500001 = 100000000000000.00500003: rounds to one cent above
    with pytest.raises(pydantic.ValidationError, match=r"100000000000000\.01 is beyond"):
        make_line(quantity=Decimal(3), unit_price=Money.of("33333333333333.33500001", "CNY"))


def test_an_order_whose_total_exceeds_max_amount_is_refused() -> None:
    half = make_line("1", quantity=MAX_QUANTITY, unit_price=Money.of("60000", "CNY"))
    with pytest.raises(pydantic.ValidationError, match="total the gross amounts of 2 lines"):
        make_order(lines=[half, half.model_copy(update={"line_id": "2"})])


def test_check_amounts_accepts_lines_that_total_exactly_max_amount() -> None:
    half = make_line("1", quantity=MAX_QUANTITY, unit_price=Money.of("50000", "CNY"))
    check_amounts([half, half])


def test_check_amounts_raises_amount_out_of_range_for_a_changed_line() -> None:
    line = make_line(quantity=MAX_QUANTITY, unit_price=Money.of("100000", "CNY"))
    grown = line.model_copy(update={"tax_rate": Decimal("0.5")})  # no validation
    with pytest.raises(AmountOutOfRange, match="gross amount of line 1"):
        check_amounts([grown])


def test_an_amount_of_a_line_changed_past_the_limit_raises_amount_out_of_range() -> None:
    line = make_line(quantity=MAX_QUANTITY, unit_price=Money.of("100000", "CNY"))
    grown = line.model_copy(update={"unit_price": Money.of("100001", "CNY")})  # no validation
    with pytest.raises(AmountOutOfRange, match="net amount of line 1"):
        _ = grown.net_amount


def test_total_quantity_is_exact_under_a_low_precision_context() -> None:
    order = make_order(
        lines=[
            make_line("1", quantity=Decimal("123456.5")),
            make_line("2", quantity=Decimal("0.000001")),
        ]
    )
    with decimal.localcontext(prec=3):
        assert order.total_quantity() == Decimal("123456.500001")


def test_an_order_refuses_milestones_before_its_receipt() -> None:
    early = Milestones(status_since=RECEIVED, approved_at=RECEIVED - timedelta(seconds=1))
    with pytest.raises(pydantic.ValidationError, match=r"milestones: .* before the order was"):
        make_order(milestones=early)
    assert make_order(milestones=Milestones(status_since=RECEIVED)).milestones is not None


def test_milestones_refuse_who_ended_an_order_that_did_not_end() -> None:
    with pytest.raises(pydantic.ValidationError, match="ended_by is 'seller' but ended_at"):
        Milestones(ended_by="seller")
    with pytest.raises(pydantic.ValidationError, match="seller_cut"):
        Milestones(seller_cut=Decimal(-1))


def test_an_order_stored_before_milestones_existed_parses_without_them() -> None:
    stored = make_order(milestones=Milestones(status_since=RECEIVED)).model_dump(mode="json")
    del stored["milestones"]
    assert Order.model_validate_json(json.dumps(stored)).milestones is None


def _totalled_order() -> Order:
    """Three lines, by hand: one cancelled in part and delivered in part, one cut to nothing."""
    lines = [
        # open 6 of 10 at 2.50 less 10 %: 13.50; shipped 6, delivered 4
        make_line(
            "1",
            discount_rate=Decimal("0.1"),
            ledger=LineLedger(
                cancelled=Decimal(4),
                allocated=Decimal(6),
                packed=Decimal(6),
                shipped=Decimal(6),
                delivered=Decimal(4),
            ),
        ),
        # open 3 at 0.335: 1.005 rounds half-even to 1.00; shipped and delivered in full
        make_line(
            "2",
            quantity=Decimal(3),
            unit_price=Money.of("0.335", "CNY"),
            ledger=LineLedger(
                allocated=Decimal(3), packed=Decimal(3), shipped=Decimal(3), delivered=Decimal(3)
            ),
        ),
        # cancelled in full: not open, so neither unshipped nor undelivered
        make_line("3", quantity=Decimal(2), ledger=LineLedger(cancelled=Decimal(2))),
    ]
    return make_order(lines=lines)


def test_an_order_s_totals_are_its_lines_summed_by_hand() -> None:
    order = _totalled_order()
    totals = order_totals(order.lines, order.currency)
    assert totals == OrderTotals(
        ordered=Decimal(15),
        cancelled=Decimal(6),
        delivered=Decimal(7),
        open_net=Decimal("14.50"),
        open_lines=2,
        unshipped_lines=0,
        undelivered_lines=1,
    )
    carried = make_order(lines=order.lines, totals=totals)
    assert Order.model_validate_json(carried.model_dump_json()) == carried
    # the amounts agree with the lines' own
    assert totals.open_net == sum(line.net_amount.amount for line in order.lines)


@pytest.mark.parametrize("name", TOTAL_FIELDS)
def test_an_order_refuses_totals_its_lines_do_not_give(name: str) -> None:
    order = _totalled_order()
    right = order_totals(order.lines, order.currency)
    wrong = right.model_copy(update={name: getattr(right, name) + 1})
    with pytest.raises(pydantic.ValidationError, match=rf"totals\.{name} is .* the lines give"):
        make_order(lines=order.lines, totals=wrong)


def test_a_stale_copy_of_an_order_with_new_lines_is_refused_until_its_totals_go() -> None:
    order = make_order()
    carried = make_order(totals=order_totals(order.lines, order.currency))
    values = {**carried.__dict__, "lines": [make_line("1", quantity=Decimal(3))]}
    with pytest.raises(
        pydantic.ValidationError, match=r"totals\.ordered is 20 but the lines give 3"
    ):
        Order.model_validate(values)
    assert Order.model_validate({**values, "totals": None}).totals is None


def test_totals_refuse_what_no_lines_could_give() -> None:
    with pytest.raises(pydantic.ValidationError, match="cancelled 3 exceeds ordered 2"):
        OrderTotals(ordered=Decimal(2), cancelled=Decimal(3))
    with pytest.raises(pydantic.ValidationError, match="unshipped_lines 2 exceeds open_lines 1"):
        OrderTotals(ordered=Decimal(2), open_lines=1, unshipped_lines=2)
    for bad in ({"open_lines": -1}, {"open_lines": True}, {"open_net": Decimal(-1)}):
        with pytest.raises(pydantic.ValidationError):
            OrderTotals(ordered=Decimal(1), **bad)


def test_an_order_stored_before_totals_existed_parses_without_them() -> None:
    order = make_order()
    stored = make_order(totals=order_totals(order.lines, order.currency)).model_dump(mode="json")
    del stored["totals"]
    assert Order.model_validate_json(json.dumps(stored)).totals is None


def test_same_sums_holds_only_when_every_summed_value_is_the_same_object() -> None:
    line = make_line("1")
    allocated = line.with_movement(LedgerField.ALLOCATED, Decimal(4))
    assert same_sums((line,), (allocated,))  # allocation moves no summed value
    delivered = allocated.with_movement(LedgerField.PACKED, Decimal(4)).with_movement(
        LedgerField.SHIPPED, Decimal(4)
    )
    assert not same_sums((allocated,), (delivered,))
    equal = make_line("1", quantity=Decimal("10.0"))  # equal, but another object: summed again
    assert not same_sums((line,), (equal,))
    assert not same_sums((line,), (line, make_line("2")))
    assert line_sums((line,), Decimal("0.01")) == line_sums((equal,), Decimal("0.01"))
