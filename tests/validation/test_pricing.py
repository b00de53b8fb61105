from __future__ import annotations

from decimal import Decimal

import pytest

from _validation_support import codes, good_order, make_context, make_line, profile
from ordercore import ConfigurationError, Money, Order
from ordercore.context import PriceList
from ordercore.validation.pricing import (
    currency_matches_customer,
    discount_within_limit,
    price_matches_list,
    totals_consistent,
)


def _prices(tolerance: str = "0", max_discount: str = "1") -> PriceList:
    return PriceList(
        currency="CNY",
        prices={"BOLT-M8": Money.of("2.00", "CNY")},
        tolerance=Decimal(tolerance),
        max_discount_rate=Decimal(max_discount),
    )


def _priced(price: str, **line: object) -> Order:
    return good_order(lines=[make_line("1", unit_price=Money.of(price, "CNY"), **line)])


def test_the_list_price_passes() -> None:
    assert price_matches_list()(_priced("2.00"), make_context(price_list=_prices())) == []


def test_a_price_off_the_list_fails() -> None:
    issues = price_matches_list()(_priced("1.90"), make_context(price_list=_prices("0.02")))
    assert [(i.code, i.path) for i in issues] == [("price.off_list", "lines[0].unit_price")]


def test_a_price_above_the_list_fails_too() -> None:
    issues = price_matches_list()(_priced("2.10"), make_context(price_list=_prices("0.02")))
    assert codes(issues) == ["price.off_list"]


def test_a_deviation_of_exactly_the_tolerance_passes() -> None:
    assert price_matches_list()(_priced("1.96"), make_context(price_list=_prices("0.02"))) == []


def test_the_rule_tolerance_overrides_the_price_list() -> None:
    rule = price_matches_list(tolerance=Decimal("0.10"))
    assert rule(_priced("1.90"), make_context(price_list=_prices("0"))) == []


def test_an_unlisted_sku_is_a_warning() -> None:
    order = good_order(lines=[make_line("1", sku="NUT-M8")])
    issues = price_matches_list()(order, make_context(price_list=_prices()))
    assert [(i.code, i.severity.value) for i in issues] == [("price.not_listed", "warning")]


def test_a_price_list_in_another_currency_is_reported_once() -> None:
    usd = PriceList(currency="USD", prices={"BOLT-M8": Money.of("0.30", "USD")})
    issues = price_matches_list()(good_order(), make_context(price_list=usd))
    assert codes(issues) == ["price.list_currency"]


def test_price_checks_need_a_price_list() -> None:
    with pytest.raises(ConfigurationError, match=r"price_matches_list.*price_list"):
        price_matches_list()(good_order(), make_context(price_list=None))


def test_a_discount_above_the_limit_fails() -> None:
    order = _priced("2.00", discount_rate=Decimal("0.25"))
    issues = discount_within_limit()(order, make_context(price_list=_prices(max_discount="0.2")))
    assert [(i.code, i.observed, i.expected) for i in issues] == [
        ("price.discount_above_limit", Decimal("0.25"), Decimal("0.2"))
    ]


def test_a_discount_of_exactly_the_limit_passes() -> None:
    order = _priced("2.00", discount_rate=Decimal("0.2"))
    assert (
        discount_within_limit()(order, make_context(price_list=_prices(max_discount="0.2"))) == []
    )


def test_an_explicit_discount_limit_needs_no_price_list() -> None:
    order = _priced("2.00", discount_rate=Decimal("0.2"))
    rule = discount_within_limit(max_rate=Decimal("0.1"))
    assert codes(rule(order, make_context(price_list=None))) == ["price.discount_above_limit"]


def test_the_discount_limit_from_the_price_list_needs_one() -> None:
    with pytest.raises(ConfigurationError, match="discount_within_limit"):
        discount_within_limit()(good_order(), make_context(price_list=None))


def test_ordinary_totals_are_consistent() -> None:
    assert totals_consistent()(good_order(), make_context()) == []


def test_a_line_that_rounds_to_zero_fails() -> None:
    order = good_order(
        lines=[make_line("1", quantity=Decimal(1), unit_price=Money.of("0.004", "CNY"))]
    )
    issues = totals_consistent()(order, make_context())
    assert [(i.code, i.observed) for i in issues] == [
        ("totals.line_rounds_to_zero", Decimal("0.00"))
    ]


def test_half_a_cent_rounds_to_zero_half_even() -> None:
    order = good_order(
        lines=[make_line("1", quantity=Decimal(1), unit_price=Money.of("0.005", "CNY"))]
    )
    assert codes(totals_consistent()(order, make_context())) == ["totals.line_rounds_to_zero"]


def test_just_over_half_a_cent_does_not_round_to_zero() -> None:
    order = good_order(
        lines=[make_line("1", quantity=Decimal(1), unit_price=Money.of("0.0051", "CNY"))]
    )
    assert totals_consistent()(order, make_context()) == []


def test_a_free_line_is_not_a_rounding_problem() -> None:
    order = good_order(
        lines=[make_line("1", unit_price=Money.of("0.001", "CNY"), discount_rate=Decimal(1))]
    )
    assert totals_consistent()(order, make_context()) == []


def test_a_stated_total_that_matches_passes() -> None:
    order = good_order()
    context = make_context(stated_totals={"SO-1": Money.of("50.00", "CNY")})
    assert totals_consistent()(order, context) == []


def test_a_stated_total_that_differs_fails() -> None:
    context = make_context(stated_totals={"SO-1": Money.of("55.00", "CNY")})
    issues = totals_consistent()(good_order(), context)
    assert [(i.code, i.observed, i.expected) for i in issues] == [
        ("totals.stated_mismatch", "50.00 CNY", "55.00 CNY")
    ]


def test_a_stated_total_within_the_tolerance_passes() -> None:
    context = make_context(stated_totals={"SO-1": Money.of("50.01", "CNY")})
    assert totals_consistent(tolerance=Decimal("0.01"))(good_order(), context) == []


def test_a_stated_total_in_another_currency_fails() -> None:
    context = make_context(stated_totals={"SO-1": Money.of("50.00", "USD")})
    assert codes(totals_consistent()(good_order(), context)) == ["totals.stated_mismatch"]


def test_the_order_in_the_customers_currency_passes() -> None:
    assert currency_matches_customer()(good_order(), make_context()) == []


def test_an_order_in_another_currency_than_the_customers_fails() -> None:
    context = make_context(customers={"C-1": profile(currency="EUR")})
    issues = currency_matches_customer()(good_order(), context)
    assert [(i.code, i.observed, i.expected) for i in issues] == [
        ("currency.customer_mismatch", "CNY", "EUR")
    ]


def test_a_customer_without_a_currency_is_not_checked() -> None:
    context = make_context(customers={"C-1": profile(currency=None)})
    assert currency_matches_customer()(good_order(), context) == []
