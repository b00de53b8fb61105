"""Online risk scoring gives the same results whatever decimal context the caller has set."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _decimal_context_support import CALLERS, Caller, cases, large_cases, under
from ordercore._exact import is_multiple
from ordercore.risk._exact import BASIS_POINTS, CAP, ONE, floor_ratio, median
from ordercore.risk.context import RiskContext
from ordercore.risk.features import features_of
from ordercore.risk.score import assess
from ordercore.testing.factories import make_customer_profile, make_order, make_review_context

if TYPE_CHECKING:
    from ordercore import Order
    from ordercore.context import ReviewContext


@pytest.mark.parametrize("caller", CALLERS)
@given(case=cases())
def test_assess_gives_the_same_assessment_in_any_caller_decimal_context(
    caller: Caller, case: tuple[Order, ReviewContext]
) -> None:
    order, context = case
    got = under(caller, lambda: assess(order, context, as_of=context.as_of))
    assert repr(got) == repr(under(None, lambda: assess(order, context, as_of=context.as_of)))


@pytest.mark.parametrize("caller", CALLERS)
@given(case=cases())
def test_a_risk_context_made_in_a_caller_decimal_context_scores_like_a_fresh_one(
    caller: Caller, case: tuple[Order, ReviewContext]
) -> None:
    order, context = case
    risk = under(caller, lambda: RiskContext.of(context))
    got = under(caller, lambda: assess(order, risk, as_of=context.as_of))
    assert repr(got) == repr(under(None, lambda: assess(order, context, as_of=context.as_of)))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("order", "context"), large_cases())
def test_a_large_order_is_assessed_alike_in_any_caller_decimal_context(
    caller: Caller, order: Order, context: ReviewContext
) -> None:
    got = under(caller, lambda: assess(order, context, as_of=context.as_of))
    assert repr(got) == repr(under(None, lambda: assess(order, context, as_of=context.as_of)))


def _history_context(values: tuple[str, ...]) -> ReviewContext:
    profile = make_customer_profile(past_order_values=tuple(Decimal(v) for v in values))
    return make_review_context().model_copy(update={"customers": {"C-001": profile}})


def _median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


_LONG_HISTORY = (
    "1000000000000000000000000000.3",
    "1000000000000000000000000001.7",
    "2000000000000000000000000000.1",
    "500000000000000000000000000.9",
    "3000000000000000000000000000.5",
    "1500000000000000000000000000.3",
)


def test_the_value_z_score_of_a_history_beyond_28_digits_is_exact() -> None:
    context = _history_context(_LONG_HISTORY)
    order = make_order()
    features = under(None, lambda: features_of(order, context, as_of=context.as_of))
    values = [Fraction(v) for v in _LONG_HISTORY]
    middle = _median(values)
    spread = _median([abs(v - middle) for v in values])
    distance = Fraction(order.net_total.amount) - middle
    assert features.value_z_x100 == math.floor(distance * 6745 / (spread * 100))


@pytest.mark.parametrize("caller", CALLERS)
def test_a_history_beyond_60_digits_gives_the_same_features_in_any_caller_context(
    caller: Caller,
) -> None:
    # the two middle values span 61 digits: their mean is rounded to 60
    context = _history_context(("1E-30", "1E-30", "1E-30", "1E+30", "1E+30", "1E+30"))
    order = make_order()
    got = under(caller, lambda: features_of(order, context, as_of=context.as_of))
    assert got == under(None, lambda: features_of(order, context, as_of=context.as_of))


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        (Decimal(7), Decimal(3), Decimal("67.45"), 157),
        (Decimal("0." + "7" * 70), Decimal("0." + "3" * 70), Decimal("67.45"), 157),
        (Decimal(1), Decimal(3), BASIS_POINTS, 3333),
        (Decimal(-1), Decimal(3), ONE, -1),
        (Decimal(-3), Decimal(3), ONE, -1),
        (Decimal(5), Decimal(0), ONE, CAP),
        (Decimal(-5), Decimal(0), ONE, -CAP),
        (Decimal(0), Decimal(0), ONE, 0),
        (Decimal("1E+999999"), Decimal("3E+999998"), ONE, 3),
        (Decimal("-1E+999999"), Decimal("3E+999998"), ONE, -4),
        (Decimal("1E+999999"), Decimal(3), ONE, CAP),
        (Decimal("-1E+999999"), Decimal(3), ONE, -CAP),
        (Decimal(1), Decimal("3E+999999"), ONE, 0),
        (Decimal(-1), Decimal("3E+999999"), ONE, -1),
        (Decimal("0." + "3" * 80), Decimal("0." + "1" * 80), ONE, 3),
        (Decimal("0." + "3" * 80), Decimal("-0." + "1" * 80), ONE, -3),
        (Decimal("0." + "3" * 79 + "4"), Decimal("-0." + "1" * 80), ONE, -4),
        (Decimal("3" * 5000), Decimal("1" * 4999), ONE, 30),
    ],
)
def test_floor_ratio_is_exact_for_operands_of_any_size(
    numerator: Decimal, denominator: Decimal, scale: Decimal, expected: int
) -> None:
    assert floor_ratio(numerator, denominator, scale) == expected


@given(
    numerator=st.decimals(allow_nan=False, allow_infinity=False),
    denominator=st.decimals(allow_nan=False, allow_infinity=False).filter(bool),
)
def test_floor_ratio_agrees_with_exact_fractions(numerator: Decimal, denominator: Decimal) -> None:
    exact = numerator.as_integer_ratio()[0] * denominator.as_integer_ratio()[1]
    bottom = numerator.as_integer_ratio()[1] * denominator.as_integer_ratio()[0]
    if bottom < 0:
        exact, bottom = -exact, -bottom
    assert floor_ratio(numerator, denominator, ONE) == max(min(exact // bottom, CAP), -CAP)


@given(
    quantity=st.decimals(min_value=0, max_value=10**9, places=6),
    pack=st.decimals(min_value=Decimal("1E-90"), max_value=10**9, allow_nan=False),
)
def test_is_multiple_agrees_with_exact_fractions(quantity: Decimal, pack: Decimal) -> None:
    q_top, q_bottom = quantity.as_integer_ratio()
    p_top, p_bottom = pack.as_integer_ratio()
    assert is_multiple(quantity, pack) is ((q_top * p_bottom) % (q_bottom * p_top) == 0)


def test_is_multiple_decides_for_a_pack_of_more_digits_than_int_reads_from_text() -> None:
    pack = Decimal("7" * 5000 + "E-4999")
    assert is_multiple(Decimal("2" + "3" * 4999 + "1E-4999"), pack)  # three packs


@pytest.mark.parametrize("caller", CALLERS)
def test_the_median_of_values_beyond_60_digits_ignores_the_caller_context(
    caller: Caller,
) -> None:
    values = [Decimal("1E+70"), Decimal("0.00000001")]
    assert under(caller, lambda: median(values)) == under(None, lambda: median(values))
