from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from _risk_support import AT, HOME, clean_features, context, features, order, product, profile
from ordercore import Channel, Money, OrderLine
from ordercore.context import BusinessCalendar
from ordercore.risk import RiskContext, assess, assess_features, features_of
from ordercore.risk.policy import DEFAULT_POLICY, Recommendation, RiskLevel


def _line(**overrides: object) -> OrderLine:
    values: dict[str, object] = {
        "line_id": "1",
        "sku": "BOLT",
        "quantity": Decimal(10),
        "uom": "pcs",
        "unit_price": Money.of("10.00", "CNY"),
    }
    values.update(overrides)
    return OrderLine(**values)  # type: ignore[arg-type]


@given(features())
def test_the_factor_points_always_add_up_to_the_score(generated: object) -> None:
    result = assess_features(generated, as_of=AT)  # type: ignore[arg-type]
    assert sum(f.points for f in result.factors) == result.score


@given(features())
def test_the_score_stays_between_0_and_100(generated: object) -> None:
    assert 0 <= assess_features(generated, as_of=AT).score <= 100  # type: ignore[arg-type]


def test_a_clean_order_of_a_known_customer_is_low_and_accepted() -> None:
    result = assess(order(), context(), as_of=AT, review_warnings=0)
    assert (result.score, result.level, result.recommendation) == (
        0,
        RiskLevel.LOW,
        Recommendation.ACCEPT,
    )


def test_a_clean_order_with_every_input_known_is_complete() -> None:
    assert assess(order(), context(), as_of=AT, review_warnings=0).data_completeness == 100


def test_an_unknown_customer_is_never_rated_low() -> None:
    result = assess(order(), context(customers={}), as_of=AT, review_warnings=0)
    assert result.level is not RiskLevel.LOW


def test_an_unknown_customer_lowers_data_completeness_and_names_what_is_missing() -> None:
    result = assess(order(), context(customers={}), as_of=AT, review_warnings=0)
    assert "credit_exposure" in result.missing
    assert result.data_completeness < DEFAULT_POLICY.min_completeness


def test_an_unknown_credit_position_is_its_own_reason_with_points() -> None:
    ctx = context(customers={"C-1": profile(credit_limit=None)})
    result = assess(order(), ctx, as_of=AT, review_warnings=0)
    assert ("credit_unknown", 10) in [(f.reason, f.points) for f in result.reasons]


def test_too_little_data_raises_the_level_to_the_floor() -> None:
    # five unknowns worth 0 points each: 10 of 15 factors known = 66 % < 70 %
    unknown: dict[str, int | None] = dict.fromkeys(
        (
            "overdue_bp",
            "capacity_load_bp",
            "terms_changed",
            "review_warnings",
            "lines_over_discount",
        ),
    )
    result = assess_features(clean_features("SO-1", **unknown), as_of=AT)
    assert (result.score, result.level, result.floored) == (0, RiskLevel.MEDIUM, True)


def test_a_blocked_customer_is_critical_whatever_the_score() -> None:
    ctx = context(customers={"C-1": profile(blocked=True)})
    result = assess(order(), ctx, as_of=AT, review_warnings=0)
    assert (result.score, result.level) == (0, RiskLevel.CRITICAL)


def test_a_hard_stop_forces_at_least_its_recommendation() -> None:
    result = assess_features(clean_features(blocked=1), as_of=AT)
    assert result.recommendation is Recommendation.REJECT  # CRITICAL's own is more severe
    assert [s.code for s in result.hard_stops] == ["customer_blocked"]


def test_exposure_is_counted_with_this_orders_gross_total() -> None:
    # 2000 open + 10 x 10.00 x 1.13 = 2113.00 of 10000 -> 2113 bp
    line = _line(tax_rate=Decimal("0.13"))
    features_ = features_of(order(lines=[line]), context(), as_of=AT)
    assert features_.exposure_bp == 2113


def test_exposure_exactly_at_80_percent_is_near_the_limit() -> None:
    ctx = context(customers={"C-1": profile(open_exposure=Money.of("7900", "CNY"))})
    result = assess(order(), ctx, as_of=AT, review_warnings=0)
    assert result.factors[0].reason == "credit_near_limit"


def test_exposure_one_cent_below_80_percent_is_clear() -> None:
    ctx = context(customers={"C-1": profile(open_exposure=Money.of("7899.99", "CNY"))})
    result = assess(order(), ctx, as_of=AT, review_warnings=0)
    assert (result.factors[0].observed, result.factors[0].reason) == (7999, "clear")


def test_credit_in_another_currency_is_unknown_not_safe() -> None:
    ctx = context(customers={"C-1": profile(credit_limit=Money.of("10000", "EUR"))})
    assert features_of(order(), ctx, as_of=AT).exposure_bp is None


def test_a_value_far_above_the_customers_history_is_an_outlier() -> None:
    big = order(lines=[_line(quantity=Decimal(20), unit_price=Money.of("10.00", "CNY"))])
    result = assess(big, context(), as_of=AT, review_warnings=0)
    assert result.factor_result("order_value").reason == "value_extreme_outlier"


def test_few_past_orders_use_the_cold_start_ratio() -> None:
    ctx = context(customers={"C-1": profile(past_order_values=(Decimal(30),))})
    result = assess(order(), ctx, as_of=AT, review_warnings=0)
    assert result.factor_result("order_value").reason == "value_cold_start_jump"


def test_a_first_order_scores_and_its_new_address_is_not_counted_twice() -> None:
    ctx = context(customers={"C-1": profile(order_count=0, known_ship_to=())})
    result = assess(order(ship_to=HOME), ctx, as_of=AT, review_warnings=0)
    assert [f.reason for f in result.reasons if f.code in {"first_order", "ship_to"}] == [
        "first_order"
    ]


def test_a_ship_to_in_a_new_country_scores_more_than_a_new_street() -> None:
    street = assess(order(ship_to=HOME.model_copy(update={"line1": "2 Road"})), context(), as_of=AT)
    country = assess(order(ship_to=HOME.model_copy(update={"country": "VN"})), context(), as_of=AT)
    assert street.factor_result("ship_to").points < country.factor_result("ship_to").points


def test_the_lead_time_counts_business_days_and_holidays() -> None:
    # received Monday 2 March; Friday 6 March is 4 business days later, 3 with a holiday
    calendar = BusinessCalendar(holidays=frozenset({date(2026, 3, 4)}))
    rushed = order(requested_delivery_at=AT + timedelta(days=4))
    features_ = features_of(rushed, context(calendar=calendar), as_of=AT)
    assert features_.lead_time_shortfall_days == 2


def test_the_fast_business_day_count_matches_the_calendars_own() -> None:
    calendar = BusinessCalendar(
        holidays=frozenset({date(2026, 3, 4), date(2026, 3, 7)}),
        working_days=frozenset({date(2026, 3, 8)}),
    )
    risk = RiskContext.of(context(calendar=calendar))
    start = AT.date()
    for days in range(-10, 40):
        end = start + timedelta(days=days)
        assert risk.business_days_between(start, end) == calendar.business_days_between(start, end)


def test_an_order_needing_more_than_the_free_capacity_is_beyond_capacity() -> None:
    # 10 days x 8 h free, 1000 pcs x 0.1 h = 100 h needed
    big = order(lines=[_line(quantity=Decimal(1000))], requested_delivery_at=AT + timedelta(days=9))
    result = assess(big, context(), as_of=AT, review_warnings=0)
    assert result.factor_result("capacity").reason == "beyond_capacity"


def test_a_quantity_off_the_pack_multiple_is_flagged() -> None:
    odd = order(lines=[_line(quantity=Decimal(15))])
    assert assess(odd, context(), as_of=AT).factor_result("pack_multiple").reason == "off_pack"


def test_an_unknown_product_makes_the_quantity_factors_unknown() -> None:
    odd = order(lines=[_line(sku="UNKNOWN")])
    result = assess(odd, context(), as_of=AT, review_warnings=0)
    assert {"lead_time", "quantity", "pack_multiple"} <= set(result.missing)


def test_a_phone_order_without_confirmation_scores_more_than_with_one() -> None:
    bare = assess(order(channel=Channel.PHONE), context(), as_of=AT)
    confirmed = assess(order(channel=Channel.PHONE, confirmation_ref="CF-9"), context(), as_of=AT)
    assert bare.factor_result("manual_channel").points == 5
    assert confirmed.factor_result("manual_channel").points == 2


def test_changed_payment_terms_are_flagged() -> None:
    changed = order(payment_terms="NET90")
    assert assess(changed, context(), as_of=AT).factor_result("payment_terms").points == 4


def test_a_discount_beyond_the_price_list_maximum_is_flagged() -> None:
    cheap = order(lines=[_line(discount_rate=Decimal("0.3"))])
    assert assess(cheap, context(), as_of=AT).factor_result("discount").points == 3


def test_the_same_lines_again_within_72_hours_look_like_a_duplicate() -> None:
    earlier = order(order_id="SO-0", received_at=AT - timedelta(hours=5))
    result = assess(order(), context(recent_orders=(earlier,)), as_of=AT)
    assert result.factor_result("duplicate").reason == "possible_duplicate"


def test_review_warnings_carry_over_into_the_score() -> None:
    result = assess(order(), context(), as_of=AT, review_warnings=3)
    assert result.factor_result("review_warnings").points == 5


def test_review_not_run_counts_as_missing_data() -> None:
    assert "review_warnings" in assess(order(), context(), as_of=AT).missing


def test_contingency_lists_the_actions_of_the_reasons_without_repeats() -> None:
    result = assess_features(clean_features(overdue_days=45, overdue_bp=3500), as_of=AT)
    assert [a.value for a in result.contingency] == [
        "collect_overdue",
        "credit_controller_approval",
        "request_prepayment",
    ]


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        assess(order(), context(), as_of=datetime(2026, 3, 2))  # noqa: DTZ001


def test_assessing_leaves_the_order_unchanged() -> None:
    original = order()
    before = original.model_dump()
    assess(original, context(), as_of=AT)
    assert original.model_dump() == before


def test_a_sum_that_does_not_match_the_score_cannot_be_built() -> None:
    result = assess_features(clean_features(), as_of=AT)
    with pytest.raises(ValueError, match="not the sum"):
        attrs.evolve(result, score=5)


def test_product_lookups_use_the_line_sku() -> None:
    ctx = context(products={"BOLT": product(max_quantity=Decimal(5))})
    assert assess(order(), ctx, as_of=AT).factor_result("quantity").points == 5
