"""China's official 2026 calendar through the optional chinese-calendar package."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from ordercore.context import BusinessCalendar
from ordercore.errors import ConfigurationError

CN_2026 = BusinessCalendar.from_chinese_calendar([2026])

# The State Council's 2026 list: the days off and the weekend days worked in exchange.
ADJUSTED_WORKING_DAYS = [
    date(2026, 1, 4),  # Sunday, for New Year
    date(2026, 2, 14),  # Saturday, for the Spring Festival
    date(2026, 2, 28),  # Saturday, for the Spring Festival
    date(2026, 5, 9),  # Saturday, for Labour Day
    date(2026, 9, 20),  # Sunday, for National Day
    date(2026, 10, 10),  # Saturday, for National Day
]
WEEKDAY_HOLIDAYS = [
    date(2026, 1, 2),  # New Year
    date(2026, 2, 16),  # Spring Festival
    date(2026, 2, 23),  # Spring Festival, last day
    date(2026, 4, 6),  # Qingming
    date(2026, 5, 5),  # Labour Day
    date(2026, 6, 19),  # Dragon Boat Festival
    date(2026, 9, 25),  # Mid-Autumn Festival
    date(2026, 10, 7),  # National Day, last day
]


@pytest.mark.parametrize("day", ADJUSTED_WORKING_DAYS, ids=str)
def test_the_adjusted_weekend_days_of_2026_are_working_days(day: date) -> None:
    assert day.weekday() >= 5
    assert CN_2026.is_business_day(day)


@pytest.mark.parametrize("day", WEEKDAY_HOLIDAYS, ids=str)
def test_the_weekday_holidays_of_2026_are_off(day: date) -> None:
    assert day.weekday() < 5
    assert not CN_2026.is_business_day(day)


def test_an_ordinary_weekend_of_2026_stays_off() -> None:
    assert not CN_2026.is_business_day(date(2026, 10, 11))


def test_the_calendar_lists_exactly_the_six_adjusted_working_days() -> None:
    assert sorted(CN_2026.working_days) == ADJUSTED_WORKING_DAYS


def test_the_working_day_after_national_day_eve_is_the_eighth() -> None:
    assert CN_2026.add_business_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_the_spring_festival_fortnight_has_five_working_days() -> None:
    # Feb 14 (worked Saturday), then the holiday Feb 15-23, then Feb 24-27
    assert CN_2026.business_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_the_calendar_is_named_for_its_years_and_keeps_china_s_zone() -> None:
    both = BusinessCalendar.from_chinese_calendar([2026, 2025, 2026])
    assert (both.name, both.timezone) == ("CN 2025/2026", "Asia/Shanghai")
    assert date(2025, 10, 1) in both.holidays
    assert date(2026, 10, 1) in both.holidays


def test_only_the_asked_years_are_read() -> None:
    assert {d.year for d in CN_2026.holidays | CN_2026.working_days} == {2026}


def test_a_year_without_published_data_is_refused_not_read_as_no_holidays() -> None:
    with pytest.raises(ConfigurationError, match="no holiday data for 2100"):
        BusinessCalendar.from_chinese_calendar([2026, 2100])


def test_no_year_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least one year"):
        BusinessCalendar.from_chinese_calendar([])


def test_without_the_package_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)
    with pytest.raises(ConfigurationError, match=r"ordercore-domain\[cn-calendar\]"):
        BusinessCalendar.from_chinese_calendar([2026])


def test_the_calendar_round_trips_through_json_like_any_other() -> None:
    from pydantic import TypeAdapter  # noqa: PLC0415

    adapter = TypeAdapter(BusinessCalendar)
    assert adapter.validate_json(adapter.dump_json(CN_2026)) == CN_2026
