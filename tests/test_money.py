from __future__ import annotations

import decimal
import json
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from typing import TYPE_CHECKING

import pydantic
import pytest

from ordercore import (
    MAX_AMOUNT,
    CurrencyMismatch,
    Money,
    OrderCoreError,
    RoundingPolicy,
    UnknownCurrency,
)
from ordercore.errors import AmountOutOfRange
from ordercore.money import minor_units

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager


def test_money_keeps_the_exact_decimal_amount() -> None:
    assert Money.of("0.1", "CNY").amount + Money.of("0.2", "CNY").amount == Decimal("0.3")


def test_adding_two_currencies_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch) as caught:
        Money.of("1", "USD") + Money.of("1", "EUR")
    assert (caught.value.left, caught.value.right) == ("USD", "EUR")


def test_currency_mismatch_is_also_a_value_error() -> None:
    with pytest.raises(ValueError, match="different currencies"):
        Money.of("1", "USD") - Money.of("1", "EUR")


def test_comparing_two_currencies_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "USD") < Money.of("1", "EUR")


def test_rounding_is_half_even_to_minor_units_by_default() -> None:
    assert Money.of("2.345", "CNY").rounded().amount == Decimal("2.34")
    assert Money.of("2.355", "CNY").rounded().amount == Decimal("2.36")


def test_rounding_policy_can_choose_half_up() -> None:
    assert Money.of("2.345", "CNY").rounded(RoundingPolicy(mode=ROUND_HALF_UP)).amount == Decimal(
        "2.35"
    )


def test_rounding_follows_each_currencys_minor_units() -> None:
    assert Money.of("1234.5", "JPY").rounded().amount == Decimal(1234)
    assert Money.of("1.2345", "KWD").rounded().amount == Decimal("1.234")
    assert minor_units("CLF") == 4


def test_rounding_policy_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown rounding mode"):
        RoundingPolicy(mode="ROUND_SOMETIMES")


def test_float_amount_is_refused_naming_the_field() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Money(amount=1.5, currency="CNY")  # type: ignore[arg-type]
    error = caught.value.errors()[0]
    assert error["loc"] == ("amount",)
    assert "not float" in error["msg"]


def test_string_amount_is_refused_from_python() -> None:
    with pytest.raises(pydantic.ValidationError, match="not str"):
        Money(amount="1.5", currency="CNY")  # type: ignore[arg-type]


def test_multiplying_money_by_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal or an int"):
        Money.of("1", "CNY") * 1.5  # type: ignore[operator]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_amounts_are_refused(amount: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Money(amount=Decimal(amount), currency="CNY")
    assert caught.value.errors()[0]["loc"] == ("amount",)


def test_absurdly_large_amount_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Money(amount=Decimal("1e20"), currency="CNY")
    assert caught.value.errors()[0]["loc"] == ("amount",)


@pytest.mark.parametrize("code", ["cny", "XYZ", "RMB", "", "EURO"])
def test_unknown_or_lower_case_currency_is_refused(code: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Money(amount=Decimal(1), currency=code)
    assert caught.value.errors()[0]["loc"] == ("currency",)


def test_lower_case_currency_error_suggests_the_upper_case_code() -> None:
    with pytest.raises(pydantic.ValidationError, match="did you mean 'CNY'"):
        Money(amount=Decimal(1), currency="cny")


def test_minor_units_of_an_unknown_code_raises_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        minor_units("XXX")


def test_json_round_trip_is_exact_and_writes_the_amount_as_a_string() -> None:
    money = Money.of("1234567890.12345678", "CNY")
    text = money.model_dump_json()
    assert json.loads(text)["amount"] == "1234567890.12345678"
    assert Money.model_validate_json(text) == money


def test_json_number_with_a_fraction_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="decimal string"):
        Money.model_validate_json('{"amount": 1.5, "currency": "CNY"}')


def test_json_integer_amount_is_accepted() -> None:
    assert Money.model_validate_json('{"amount": 15, "currency": "JPY"}').amount == Decimal(15)


def test_total_of_no_amounts_is_zero() -> None:
    assert Money.total([], "CNY") == Money.zero("CNY")


def test_money_is_frozen() -> None:
    money = Money.of("1", "CNY")
    with pytest.raises(pydantic.ValidationError):
        money.amount = Decimal(2)  # type: ignore[misc]


# ------------------------------------------------------- exact, whatever the decimal context


def _strict_traps() -> decimal.Context:
    context = decimal.Context()
    for signal in (
        decimal.Inexact,
        decimal.Rounded,
        decimal.Subnormal,
        decimal.Underflow,
        decimal.Clamped,
        decimal.FloatOperation,
    ):
        context.traps[signal] = True
    return context


_CALLER_CONTEXTS = [
    pytest.param(lambda: decimal.localcontext(prec=6), id="prec=6"),
    pytest.param(lambda: decimal.localcontext(prec=3, rounding=ROUND_UP), id="prec=3,up"),
    pytest.param(lambda: decimal.localcontext(_strict_traps()), id="all-traps"),
]


def _arithmetic() -> list[Money]:
    big = Money.of("98765432109876.54321098", "CNY")
    small = Money.of("0.00000001", "CNY")
    return [
        big + small,
        big - small,
        -big,
        big * 1,
        Money.of("1234567.89", "CNY") * Decimal("7.000001"),
        Money.total([big, small, small], "CNY"),
        Money.of("12345678901.125", "CNY").rounded(),
        Money.of("12345678901.125", "CNY").rounded(RoundingPolicy(mode=ROUND_HALF_UP)),
    ]


@pytest.mark.parametrize("caller", _CALLER_CONTEXTS)
def test_money_arithmetic_ignores_the_callers_decimal_context(
    caller: Callable[[], AbstractContextManager[decimal.Context]],
) -> None:
    expected = _arithmetic()
    with caller():
        results = _arithmetic()
    assert [(m.amount, str(m.amount)) for m in results] == [
        (m.amount, str(m.amount)) for m in expected
    ]


def test_money_arithmetic_gives_the_exact_results() -> None:
    assert [str(m.amount) for m in _arithmetic()] == [
        "98765432109876.54321099",
        "98765432109876.54321097",
        "-98765432109876.54321098",
        "98765432109876.54321098",
        "8641976.46456789",
        "98765432109876.54321100",
        "12345678901.12",
        "12345678901.13",
    ]


# ----------------------------------------------------------------------- entity limits


def test_an_amount_of_exactly_max_amount_is_accepted() -> None:
    assert Money(amount=MAX_AMOUNT, currency="CNY").amount == MAX_AMOUNT
    assert Money.of("99999999999999.99", "CNY") + Money.of("0.01", "CNY") == Money(
        amount=MAX_AMOUNT, currency="CNY"
    )


def test_an_amount_one_minor_unit_above_max_amount_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        Money(amount=MAX_AMOUNT + Decimal("0.01"), currency="CNY")


def test_adding_past_max_amount_raises_amount_out_of_range() -> None:
    with pytest.raises(AmountOutOfRange) as caught:
        Money(amount=MAX_AMOUNT, currency="CNY") + Money.of("0.01", "CNY")
    error = caught.value
    assert (error.attempted, error.limit) == (MAX_AMOUNT + Decimal("0.01"), MAX_AMOUNT)
    assert str(error) == (
        "cannot add 0.01 CNY to 100000000000000 CNY: 100000000000000.01 is beyond the limit "
        "of 100000000000000 either way; nothing is rounded to fit"
    )


def test_subtracting_past_minus_max_amount_raises_amount_out_of_range() -> None:
    with pytest.raises(AmountOutOfRange, match="cannot subtract"):
        Money(amount=-MAX_AMOUNT, currency="CNY") - Money.of("0.01", "CNY")


def test_amount_out_of_range_is_a_value_error_and_an_ordercore_error() -> None:
    with pytest.raises(AmountOutOfRange) as caught:
        Money(amount=MAX_AMOUNT, currency="CNY") * 2
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OrderCoreError)
    assert caught.value.code == "amount_out_of_range"


def test_a_total_past_max_amount_raises_amount_out_of_range() -> None:
    half = Money(amount=MAX_AMOUNT / 2, currency="CNY")
    with pytest.raises(AmountOutOfRange, match="cannot total CNY amounts"):
        Money.total([half, half, Money.of("1", "CNY")], "CNY")


@pytest.mark.parametrize(
    ("factor", "problem"),
    [
        pytest.param(Decimal("1E-9"), "more than 8 decimal places", id="too many places"),
        pytest.param(Decimal("0.333333333"), "more than 8 decimal places", id="a third"),
        pytest.param(Decimal("1." + "0" * 80 + "1"), "more than 8", id="more digits than held"),
        pytest.param(Decimal("1E+999999999"), "beyond the limit", id="overflow"),
        pytest.param(Decimal("NaN"), "not a finite number", id="nan"),
        pytest.param(Decimal("-Infinity"), "not a finite number", id="infinity"),
    ],
)
def test_multiplying_to_an_amount_money_cannot_hold_raises_amount_out_of_range(
    factor: Decimal, problem: str
) -> None:
    with pytest.raises(AmountOutOfRange, match=problem):
        Money.of("1", "CNY") * factor


def test_multiplying_keeps_trailing_zeros_within_eight_places_significant() -> None:
    assert (Money.of("1.5", "CNY") * Decimal("2.0000000000")).amount == Decimal(3)


# ----------------------------------------------------------------------- negative zero


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Money(amount=Decimal("-0.00"), currency="EUR"), id="python"),
        pytest.param(lambda: Money.of("-0.00", "EUR"), id="of"),
        pytest.param(lambda: Money.of("0.00", "EUR") * -1, id="times -1"),
        pytest.param(lambda: Money.of("-5.00", "EUR") * 0, id="negative times 0"),
        pytest.param(lambda: -Money.of("0.00", "EUR"), id="negated"),
        pytest.param(lambda: Money.of("-0.001", "EUR").rounded(), id="rounded"),
        pytest.param(lambda: Money.of("-0.00", "EUR") + Money.of("-0.00", "EUR"), id="sum"),
    ],
)
def test_a_negative_zero_amount_is_kept_as_zero(build: Callable[[], Money]) -> None:
    money = build()
    assert (money.amount.is_signed(), str(money)) == (False, "0.00 EUR")


def test_a_negative_zero_amount_is_written_as_zero_in_json() -> None:
    assert json.loads(Money.of("-0.00", "EUR").model_dump_json())["amount"] == "0.00"


def test_money_amounts_from_negative_and_positive_zero_are_one_dict_key() -> None:
    prices = {Money.of("-0.00", "EUR").model_dump_json(): "a"}
    assert Money.of("0.00", "EUR").model_dump_json() in prices
