from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pydantic
import pytest

from ordercore import ConfigurationError, Money
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    ReviewContext,
)

# Oct 2026: Thu 1 and Fri 2 are holidays, Sat 10 is an adjusted working day.
CN = BusinessCalendar(
    holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
    working_days=frozenset({date(2026, 10, 10)}),
    timezone="Asia/Shanghai",
)


def test_weekends_are_not_business_days() -> None:
    assert not CN.is_business_day(date(2026, 10, 4))


def test_holidays_are_not_business_days() -> None:
    assert not CN.is_business_day(date(2026, 10, 1))


def test_adjusted_working_weekend_is_a_business_day() -> None:
    assert CN.is_business_day(date(2026, 10, 10))


def test_adding_business_days_skips_holidays_and_weekends() -> None:
    assert CN.add_business_days(date(2026, 9, 30), 1) == date(2026, 10, 5)


def test_adding_negative_business_days_walks_back() -> None:
    assert CN.add_business_days(date(2026, 10, 5), -1) == date(2026, 9, 30)


def test_adding_zero_business_days_returns_the_day() -> None:
    assert CN.add_business_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_business_days_between_is_antisymmetric() -> None:
    start, end = date(2026, 9, 28), date(2026, 10, 12)
    assert CN.business_days_between(start, end) == -CN.business_days_between(end, start)


def test_local_date_uses_the_calendar_time_zone() -> None:
    moment = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on Oct 1 in Shanghai
    assert CN.local_date(moment) == date(2026, 10, 1)


def test_local_date_refuses_a_naive_timestamp() -> None:
    with pytest.raises(ValueError, match="naive"):
        CN.local_date(datetime(2026, 9, 30, 17, 0))  # noqa: DTZ001 - the point of the test


def test_unknown_time_zone_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown time zone 'Mars/Base'"):
        BusinessCalendar(timezone="Mars/Base")


def test_weekend_cannot_cover_the_whole_week() -> None:
    with pytest.raises(ValueError, match="whole week"):
        BusinessCalendar(weekend_days=frozenset(range(7)))


def test_calendar_days_must_be_dates_not_datetimes() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        BusinessCalendar(holidays=frozenset({datetime(2026, 10, 1, tzinfo=UTC)}))


def test_calendar_from_the_holidays_package_knows_national_day() -> None:
    calendar = BusinessCalendar.from_holidays("CN", [2026], timezone="Asia/Shanghai")
    assert not calendar.is_business_day(date(2026, 10, 1))


def test_calendar_from_an_unknown_country_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="does not know country 'XX'"):
        BusinessCalendar.from_holidays("XX", [2026])


def test_customer_profile_refuses_negative_overdue_days() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        CustomerProfile(customer_id="C-1", overdue_days=-1)
    assert caught.value.errors()[0]["loc"] == ("overdue_days",)


def test_price_list_refuses_float_tolerance() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        PriceList(currency="CNY", prices={}, tolerance=0.02)  # type: ignore[arg-type]
    assert caught.value.errors()[0]["loc"] == ("tolerance",)


def test_capacity_keys_are_days() -> None:
    view = CapacityView(free={date(2026, 10, 5): Decimal(8)})
    assert view.free[date(2026, 10, 5)] == Decimal(8)


def test_review_context_needs_an_aware_as_of() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReviewContext(as_of=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    assert caught.value.errors()[0]["loc"] == ("as_of",)


def test_review_context_copies_the_callers_mappings() -> None:
    customers = {"C-1": CustomerProfile(customer_id="C-1", credit_limit=Money.of("100", "CNY"))}
    context = ReviewContext(
        as_of=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))), customers=customers
    )
    customers.clear()
    assert "C-1" in context.customers
