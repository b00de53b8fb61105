from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from _validation_support import RECEIVED, codes, good_order, make_context, make_line, product
from ordercore import ConfigurationError
from ordercore.context import BusinessCalendar
from ordercore.validation.dates import lead_time_respected, requested_date_not_in_past

# RECEIVED is Monday 2 March 2026, 09:30 UTC.
MONDAY = RECEIVED


def test_a_future_requested_date_is_not_in_the_past() -> None:
    assert requested_date_not_in_past()(good_order(), make_context()) == []


def test_a_requested_date_before_the_review_day_fails() -> None:
    context = make_context(as_of=RECEIVED + timedelta(days=20))
    issues = requested_date_not_in_past()(good_order(), context)
    assert [(i.code, i.path, i.observed, i.expected) for i in issues] == [
        ("date.requested_in_past", "requested_delivery_at", date(2026, 3, 16), date(2026, 3, 22))
    ]


def test_a_date_requested_for_the_review_day_itself_passes() -> None:
    context = make_context(as_of=RECEIVED + timedelta(days=14, hours=5))
    assert requested_date_not_in_past()(good_order(), context) == []


def test_line_dates_in_the_past_are_reported_per_line() -> None:
    line = make_line("2", requested_delivery_at=RECEIVED + timedelta(days=1))
    order = good_order(lines=[make_line("1"), line])
    context = make_context(as_of=RECEIVED + timedelta(days=5))
    assert [i.path for i in requested_date_not_in_past()(order, context)] == [
        "lines[1].requested_delivery_at"
    ]


def test_the_past_is_judged_in_the_calendars_time_zone() -> None:
    # 23:30 UTC on 15 March is already 16 March in Shanghai.
    order = good_order(requested_delivery_at=datetime(2026, 3, 15, 23, 30, tzinfo=UTC))
    shanghai = BusinessCalendar(timezone="Asia/Shanghai")
    context = make_context(as_of=datetime(2026, 3, 16, 1, tzinfo=UTC), calendar=shanghai)
    assert requested_date_not_in_past()(order, context) == []


def test_date_rules_need_a_calendar() -> None:
    with pytest.raises(ConfigurationError, match=r"requested_date_not_in_past.*calendar"):
        requested_date_not_in_past()(good_order(), make_context(calendar=None))


def test_a_date_after_the_lead_time_passes() -> None:
    assert lead_time_respected()(good_order(), make_context()) == []


def test_a_date_inside_the_lead_time_fails() -> None:
    order = good_order(requested_delivery_at=MONDAY + timedelta(days=2))  # Wednesday
    issues = lead_time_respected()(order, make_context())
    assert [(i.code, i.path, i.observed, i.expected) for i in issues] == [
        ("date.inside_lead_time", "requested_delivery_at", date(2026, 3, 4), date(2026, 3, 5))
    ]


def test_the_earliest_date_itself_passes() -> None:
    order = good_order(requested_delivery_at=MONDAY + timedelta(days=3))  # Thursday
    assert lead_time_respected()(order, make_context()) == []


def test_lead_time_skips_weekends() -> None:
    # 3 business days from Friday 6 March is Wednesday 11 March.
    friday = MONDAY + timedelta(days=4)
    order = good_order(received_at=friday, requested_delivery_at=friday + timedelta(days=4))
    assert [i.expected for i in lead_time_respected()(order, make_context(as_of=friday))] == [
        date(2026, 3, 11)
    ]


def test_lead_time_skips_holidays_and_counts_adjusted_working_days() -> None:
    calendar = BusinessCalendar(
        holidays=frozenset({date(2026, 3, 3), date(2026, 3, 4)}),
        working_days=frozenset({date(2026, 3, 7)}),
    )
    order = good_order(requested_delivery_at=MONDAY + timedelta(days=4))  # Friday
    issues = lead_time_respected()(order, make_context(calendar=calendar))
    # Business days after Monday: Thu 5, Fri 6, Sat 7 (worked) -> earliest Saturday.
    assert [i.expected for i in issues] == [date(2026, 3, 7)]


def test_the_order_date_is_checked_once_against_the_longest_lead_time() -> None:
    context = make_context(
        products={"BOLT-M8": product("BOLT-M8"), "NUT-M8": product("NUT-M8", lead_time_days=8)}
    )
    issues = lead_time_respected()(
        good_order(requested_delivery_at=MONDAY + timedelta(days=7)), context
    )
    assert [(i.path, i.expected) for i in issues] == [("requested_delivery_at", date(2026, 3, 12))]


def test_a_line_date_is_checked_against_its_own_product() -> None:
    line = make_line("2", sku="NUT-M8", requested_delivery_at=MONDAY + timedelta(days=1))
    order = good_order(lines=[make_line("1"), line])
    assert [i.path for i in lead_time_respected()(order, make_context())] == [
        "lines[1].requested_delivery_at"
    ]


def test_the_buffer_adds_business_days() -> None:
    order = good_order(requested_delivery_at=MONDAY + timedelta(days=3))
    assert codes(lead_time_respected(buffer_days=1)(order, make_context())) == [
        "date.inside_lead_time"
    ]


def test_a_negative_buffer_is_refused() -> None:
    with pytest.raises(ValueError, match="buffer_days"):
        lead_time_respected(buffer_days=-1)


def test_an_order_without_requested_dates_has_nothing_to_check() -> None:
    order = good_order(requested_delivery_at=None)
    assert lead_time_respected()(order, make_context()) == []


def test_lead_time_needs_a_calendar() -> None:
    with pytest.raises(ConfigurationError, match="lead_time_respected"):
        lead_time_respected()(good_order(), make_context(calendar=None))
