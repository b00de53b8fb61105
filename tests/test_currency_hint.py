"""The unknown-currency hint suggests only active codes, and the one the text means."""

from __future__ import annotations

from decimal import Decimal

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore import Money, UnknownCurrency
from ordercore._iso4217 import _ALIASES, CURRENCIES, suggest_currency


@pytest.mark.parametrize(("text", "meant"), [("rmb", "CNY"), ("RMB", "CNY"), ("人民币", "CNY")])
def test_a_common_name_of_the_yuan_suggests_cny(text: str, meant: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=f"did you mean '{meant}'") as caught:
        Money(amount=Decimal(1), currency=text)
    assert "'RMB'?" not in str(caught.value)


def test_a_lower_case_code_suggests_its_upper_case_spelling() -> None:
    assert "did you mean 'EUR'" in str(UnknownCurrency("eur"))


def test_an_unknown_code_in_upper_case_gets_no_suggestion() -> None:
    assert "did you mean" not in str(UnknownCurrency("XYZ"))


def test_an_unknown_code_in_lower_case_gets_no_suggestion() -> None:
    assert "did you mean" not in str(UnknownCurrency("xyz"))


def test_an_ambiguous_symbol_gets_no_suggestion() -> None:
    assert suggest_currency("¥") is None


def test_every_alias_names_an_active_code() -> None:
    assert set(_ALIASES.values()) <= set(CURRENCIES)


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=5), st.sampled_from(sorted(_ALIASES)).map(str.lower)))
def test_a_suggestion_is_always_an_active_code(text: str) -> None:
    suggestion = suggest_currency(text)
    assert suggestion is None or suggestion in CURRENCIES
