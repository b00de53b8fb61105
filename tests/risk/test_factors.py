from __future__ import annotations

import pytest

from _risk_support import clean_features
from ordercore.errors import ConfigurationError
from ordercore.risk.factors import (
    BUILTIN_FACTORS,
    CREDIT_EXPOSURE,
    ORDER_VALUE,
    Band,
    BandFactor,
    format_value,
)
from ordercore.risk.features import OrderFeatures


def test_a_value_exactly_at_a_threshold_scores_that_band() -> None:
    result = CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=8000))
    assert (result.points, result.reason) == (8, "credit_near_limit")


def test_a_value_one_below_a_threshold_does_not_score_it() -> None:
    result = CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=7999))
    assert (result.points, result.reason, result.threshold) == (0, "clear", 8000)


def test_the_highest_band_reached_scores() -> None:
    assert CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=10000)).points == 16


def test_an_unknown_value_scores_the_unknown_points_and_is_not_known() -> None:
    result = CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=None))
    assert (result.points, result.reason, result.known) == (10, "credit_unknown", False)


def test_the_fallback_feature_is_read_while_the_primary_is_unknown() -> None:
    result = ORDER_VALUE.evaluate(clean_features(value_z_x100=None, value_ratio_bp=30000))
    assert (result.reason, result.unit, result.points) == ("value_cold_start_jump", "bp", 6)


def test_the_fallback_is_ignored_when_the_primary_is_known() -> None:
    result = ORDER_VALUE.evaluate(clean_features(value_z_x100=0, value_ratio_bp=90000))
    assert result.points == 0


def test_no_history_at_all_scores_the_unknown_points() -> None:
    result = ORDER_VALUE.evaluate(clean_features(value_z_x100=None, value_ratio_bp=None))
    assert (result.reason, result.points, result.known) == ("value_no_history", 3, False)


def test_every_built_in_reason_has_an_english_and_a_chinese_description() -> None:
    for factor in BUILTIN_FACTORS:
        for band in (*factor.bands, *factor.fallback_bands):
            en, zh = band.texts
            assert en
            assert zh
            assert en != zh


def test_the_explanation_shows_observed_value_and_threshold() -> None:
    result = CREDIT_EXPOSURE.evaluate(clean_features(exposure_bp=10450))
    assert result.explain() == (
        "Exposure after this order is over the credit limit: 104.50 % (threshold 100.00 %)"
    )


def test_format_value_shows_negative_z_scores_with_a_sign() -> None:
    assert format_value(-5, "z_x100") == "-0.05"


def test_descending_thresholds_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="strictly ascend"):
        BandFactor("x", "overdue_days", (Band(5, 1, "overdue_any"), Band(1, 2, "overdue_any")))


def test_points_falling_as_the_value_rises_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="must not fall"):
        BandFactor("x", "overdue_days", (Band(1, 5, "overdue_any"), Band(5, 2, "overdue_any")))


def test_negative_points_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="never negative"):
        BandFactor("x", "overdue_days", (Band(1, -1, "overdue_any"),))


def test_a_reason_without_a_description_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="has no label"):
        BandFactor("x", "overdue_days", (Band(1, 1, "no_such_reason"),))


def test_a_custom_reason_may_bring_its_own_descriptions() -> None:
    factor = BandFactor(
        "export",
        "licence_missing",
        (Band(1, 7, "licence_missing", en="No export licence", zh="无出口许可证"),),
        unknown_en="Licence status unknown",
        unknown_zh="许可证状态未知",
    )
    result = factor.evaluate(OrderFeatures(order_id="SO-1", extra={"licence_missing": 1}))
    assert (result.points, result.zh) == (7, "无出口许可证")


def test_a_factor_code_must_be_an_identifier() -> None:
    with pytest.raises(ConfigurationError, match="identifier"):
        BandFactor("bad code", "overdue_days", (Band(1, 1, "overdue_any"),))


def test_an_unknown_feature_name_raises_a_key_error_listing_the_features() -> None:
    factor = BandFactor("x", "nope", (Band(1, 1, "overdue_any"),), unknown_reason="clear")
    with pytest.raises(KeyError, match="exposure_bp"):
        factor.evaluate(clean_features())
