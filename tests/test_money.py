from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pydantic
import pytest

from ordercore import CurrencyMismatch, Money, RoundingPolicy, UnknownCurrency
from ordercore.money import minor_units


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
