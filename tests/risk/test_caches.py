"""The remembered facts (context, policy plan, factor results) never change a result."""

from __future__ import annotations

from hypothesis import given

from _risk_support import AT, books, clean_features, features
from ordercore.risk import RiskContext, assess, assess_features
from ordercore.risk.factors import CREDIT_EXPOSURE, ORDER_VALUE
from ordercore.risk.features import OrderFeatures
from ordercore.risk.policy import DEFAULT_POLICY, RiskPolicy


@given(books())
def test_a_context_reused_across_orders_gives_the_assessment_of_a_fresh_one(
    book: tuple[list[object], object],
) -> None:
    orders, review = book
    shared = RiskContext.of(review)  # type: ignore[arg-type]
    for _ in range(2):  # the second round reads only remembered facts
        for order in orders:
            reused = assess(order, shared, as_of=AT, review_warnings=0)  # type: ignore[arg-type]
            fresh = assess(order, RiskContext.of(review), as_of=AT, review_warnings=0)  # type: ignore[arg-type]
            assert reused == fresh


@given(books())
def test_a_bare_review_context_gives_the_same_assessment_as_a_prepared_one(
    book: tuple[list[object], object],
) -> None:
    orders, review = book
    prepared = RiskContext.of(review)  # type: ignore[arg-type]
    for order in orders:
        bare = assess(order, review, as_of=AT)  # type: ignore[arg-type]
        assert bare == assess(order, prepared, as_of=AT)  # type: ignore[arg-type]


@given(features(), features())
def test_scoring_one_order_does_not_change_the_next_ones_result(
    first: OrderFeatures, second: OrderFeatures
) -> None:
    before = assess_features(second, as_of=AT)
    assess_features(first, as_of=AT)
    assert assess_features(second, as_of=AT) == before


def test_a_remembered_factor_result_shows_this_orders_value() -> None:
    assert CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=9000)).observed == 9000
    assert CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=9001)).observed == 9001


def test_the_fallback_feature_has_its_own_remembered_results() -> None:
    primary = ORDER_VALUE.evaluate(clean_features(value_z_x100=40000, value_ratio_bp=None))
    fallback = ORDER_VALUE.evaluate(clean_features(value_z_x100=None, value_ratio_bp=40000))
    assert (primary.reason, fallback.reason) == ("value_extreme_outlier", "value_cold_start_jump")


def test_two_policies_alive_at_once_each_score_with_their_own_thresholds() -> None:
    strict = RiskPolicy(version="strict", thresholds=(5, 10, 15))
    order = clean_features(exposure_bp=10000)  # 16 points
    assert assess_features(order, DEFAULT_POLICY, as_of=AT).level.value == "low"
    assert assess_features(order, strict, as_of=AT).level.value == "critical"
    assert assess_features(order, DEFAULT_POLICY, as_of=AT).level.value == "low"


def test_an_extra_feature_named_like_a_built_in_one_still_feeds_the_hard_stops() -> None:
    # OrderFeatures.get reads extra features first; the hard stops keep that rule
    plain = OrderFeatures(order_id="SO-1", blocked=0)
    shadowed = OrderFeatures(order_id="SO-1", blocked=0, extra={"blocked": 1})
    assert not assess_features(plain, as_of=AT).hard_stops
    assert assess_features(shadowed, as_of=AT).hard_stops[0].code == "customer_blocked"
