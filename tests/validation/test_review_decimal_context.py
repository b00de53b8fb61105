"""Review gives the same results whatever decimal context the caller has set."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from hypothesis import given

from _decimal_context_support import CALLERS, Caller, cases, large_cases, under
from ordercore._exact import is_multiple
from ordercore.testing.factories import make_order
from ordercore.validation import review, review_many
from ordercore.validation._prepared import exact_product, order_facts

if TYPE_CHECKING:
    from ordercore import Order
    from ordercore.context import ReviewContext

_OTHERS = [make_order(f"SO-{seed}", seed=seed) for seed in range(3)]


@pytest.mark.parametrize("caller", CALLERS)
@given(case=cases())
def test_review_gives_the_same_result_in_any_caller_decimal_context(
    caller: Caller, case: tuple[Order, ReviewContext]
) -> None:
    order, context = case
    got = under(caller, lambda: review(order, context))
    assert repr(got) == repr(under(None, lambda: review(order, context.model_copy())))


@pytest.mark.parametrize("caller", CALLERS)
@given(case=cases())
def test_review_many_gives_the_same_results_in_any_caller_decimal_context(
    caller: Caller, case: tuple[Order, ReviewContext]
) -> None:
    order, context = case
    batch = [order, *_OTHERS]
    got = under(caller, lambda: review_many(batch, context))
    assert repr(got) == repr(under(None, lambda: review_many(batch, context.model_copy())))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("order", "context"), large_cases())
def test_a_large_order_is_reviewed_alike_in_any_caller_decimal_context(
    caller: Caller, order: Order, context: ReviewContext
) -> None:
    got = under(caller, lambda: review(order, context))
    assert repr(got) == repr(under(None, lambda: review(order, context.model_copy())))


def _exact_raw_gross(order: Order) -> Fraction:
    total = Fraction(0)
    for line in order.lines:
        raw = (
            Fraction(line.quantity - line.ledger.cancelled)
            * Fraction(line.unit_price.amount)
            * (1 - Fraction(line.discount_rate))
        )
        total += raw * (1 + Fraction(line.tax_rate))
    return total


def _long_digits() -> tuple[Order, ReviewContext]:
    found = next(p.values for p in large_cases() if p.id == "products-beyond-28-digits")
    return found[0], found[1]


def test_the_gross_bound_of_an_order_beyond_28_digits_is_exact() -> None:
    order, context = _long_digits()
    bound = under(None, lambda: order_facts(order, context).gross_bound)
    assert Fraction(bound) == _exact_raw_gross(order) + Fraction(2 * len(order.lines), 100)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_capacity_an_order_needs_is_exact_in_any_caller_decimal_context(
    caller: Caller,
) -> None:
    order, context = _long_digits()
    needed = under(caller, lambda: order_facts(order, context).capacity)
    assert needed == Decimal("3996493827.992007012344")  # 4 x 999999.999998 x 999.123457


@pytest.mark.parametrize(
    ("quantity", "pack", "expected"),
    [
        (Decimal("2.5"), Decimal("0.5"), True),
        (Decimal(30), Decimal(25), False),
        (Decimal(0), Decimal("0.7"), True),
        (Decimal(10), Decimal("1E-100"), True),
        (Decimal(10), Decimal("3E-100"), False),
        (Decimal(7), Decimal("1E+100"), False),
        (Decimal(7), Decimal("0." + "7" * 100), False),
        (Decimal("5." + "4" * 78 + "39"), Decimal("0." + "7" * 80), True),  # 7 x the pack
        (Decimal("0.000008"), Decimal("0.0000005"), True),
        (Decimal("2" + "3" * 4999 + "1E-4999"), Decimal("7" * 5000 + "E-4999"), True),  # 3 packs
        (Decimal("2" + "3" * 4999 + "2E-4999"), Decimal("7" * 5000 + "E-4999"), False),
    ],
)
def test_is_multiple_decides_exactly_for_any_pack_size(
    quantity: Decimal, pack: Decimal, expected: bool
) -> None:
    assert is_multiple(quantity, pack) is expected


def test_exact_product_keeps_every_digit_of_long_operands() -> None:
    left = Decimal("0." + "3" * 70)
    assert exact_product(left, Decimal(3)) == Decimal("0." + "9" * 70)
