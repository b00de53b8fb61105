"""Hand-computed OTIF cases, each run on pandas, polars (eager and lazy) and DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.errors import ConfigurationError, FrameSchemaError
from ordercore.kpi import KpiResult, KpiStatus, OtifPolicy, otif

Constructor = Callable[[pd.DataFrame], Any]


def _otif(constructor: Constructor, frame: pd.DataFrame, *args: Any, **kwargs: Any) -> KpiResult:
    """OTIF of the pandas `frame` rebuilt in the backend under test."""
    return otif(constructor(frame), *args, **kwargs)


def test_delivered_exactly_at_the_deadline_counts_on_time(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(5), "qty_delivered": 10.0})
    result = _otif(constructor, frame, OtifPolicy(compare="instant"), as_of=AS_OF)
    assert (result.value, result.numerator, result.denominator) == (1.0, 1.0, 1.0)


def test_one_microsecond_after_the_deadline_is_late_when_comparing_instants(
    constructor: Constructor,
) -> None:
    frame = orders({"delivered_at": at(5) + dt.timedelta(microseconds=1), "qty_delivered": 10.0})
    assert _otif(constructor, frame, OtifPolicy(compare="instant"), as_of=AS_OF).value == 0.0


def test_later_the_same_local_day_is_on_time_when_comparing_dates(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(5, 23), "qty_delivered": 10.0})
    assert _otif(constructor, frame, as_of=AS_OF).value == 1.0


def test_partial_deliveries_with_the_last_one_late_fail_on_time(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(7), "qty_delivered": 10.0})
    result = _otif(constructor, frame, as_of=AS_OF)
    assert result.value == 0.0
    assert result.details["in_full_count"] == 1.0
    assert result.details["on_time_count"] == 0.0


def test_short_delivery_past_due_fails_in_full(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(4), "qty_delivered": 9.0})
    result = _otif(constructor, frame, as_of=AS_OF)
    assert (result.numerator, result.denominator, result.details["in_full_count"]) == (
        0.0,
        1.0,
        0.0,
    )


def test_in_full_tolerance_accepts_a_small_shortfall(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(4), "qty_delivered": 9.5})
    assert _otif(constructor, frame, OtifPolicy(in_full_tolerance=0.05), as_of=AS_OF).value == 1.0


def test_customer_cancellation_before_commitment_is_excluded(constructor: Constructor) -> None:
    frame = orders(
        {"cancelled_at": at(1, 12), "approved_at": at(1, 13), "cancelled_by": "customer"}
    )
    result = _otif(constructor, frame, as_of=AS_OF)
    assert result.status is KpiStatus.NO_DATA
    assert result.value is None
    assert result.exclusions["cancelled_before_commit"] == 1


def test_customer_cancellation_after_commitment_is_excluded_or_failed_by_policy(
    constructor: Constructor,
) -> None:
    frame = orders({"cancelled_at": at(2), "cancelled_by": "customer"})
    excluded = _otif(constructor, frame, as_of=AS_OF)
    failed = _otif(constructor, frame, OtifPolicy(customer_cancel_after_commit="fail"), as_of=AS_OF)
    assert excluded.exclusions["cancelled_after_commit"] == 1
    assert (failed.numerator, failed.denominator) == (0.0, 1.0)


def test_seller_cancellation_counts_as_a_failure(constructor: Constructor) -> None:
    frame = orders({"cancelled_at": at(2), "cancelled_by": "seller"})
    assert (
        _otif(constructor, frame, as_of=AS_OF).numerator,
        _otif(constructor, frame, as_of=AS_OF).denominator,
    ) == (0.0, 1.0)


def test_open_order_not_yet_due_is_excluded_and_past_due_counts_late(
    constructor: Constructor,
) -> None:
    frame = orders({"promised_at": at(25)}, {"promised_at": at(10)})
    result = _otif(constructor, frame, as_of=AS_OF)
    assert result.exclusions["not_yet_due"] == 1
    assert (result.numerator, result.denominator) == (0.0, 1.0)


def test_deliveries_after_as_of_are_not_seen(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(4), "qty_delivered": 10.0})
    assert _otif(constructor, frame, as_of=at(3)).exclusions["not_yet_due"] == 1


def test_empty_period_gives_no_data_not_zero(constructor: Constructor) -> None:
    result = _otif(
        constructor,
        orders({"delivered_at": at(4), "qty_delivered": 10.0}),
        as_of=AS_OF,
        period="2026-04",
    )
    assert result.value is None
    assert result.status is KpiStatus.NO_DATA


def test_time_zone_crossing_midnight_at_month_end_moves_the_period(
    constructor: Constructor,
) -> None:
    received = dt.datetime(2026, 3, 31, 17, tzinfo=dt.UTC)  # 01:00 on 1 April in Shanghai
    frame = orders(
        {
            "received_at": received,
            "approved_at": received,
            "promised_at": at(3, 12, 4),
            "delivered_at": at(3, 12, 4),
            "qty_delivered": 10.0,
        }
    )
    assert (
        _otif(
            constructor, frame, as_of=AS_OF + dt.timedelta(days=30), tz="UTC", period="2026-03"
        ).denominator
        == 1.0
    )
    assert (
        _otif(
            constructor,
            frame,
            as_of=AS_OF + dt.timedelta(days=30),
            tz="Asia/Shanghai",
            period="2026-04",
        ).denominator
        == 1.0
    )
    assert (
        _otif(
            constructor,
            frame,
            as_of=AS_OF + dt.timedelta(days=30),
            tz="Asia/Shanghai",
            period="2026-03",
        ).denominator
        == 0.0
    )


def test_on_time_is_judged_on_the_local_date(constructor: Constructor) -> None:
    promised = dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)
    delivered = dt.datetime(2026, 3, 5, 17, tzinfo=dt.UTC)  # 6 March 01:00 in Shanghai
    frame = orders({"promised_at": promised, "delivered_at": delivered, "qty_delivered": 10.0})
    assert _otif(constructor, frame, as_of=AS_OF, tz="UTC").value == 1.0
    assert _otif(constructor, frame, as_of=AS_OF, tz="Asia/Shanghai").value == 0.0


class _Calendar:
    weekend_days = frozenset({5, 6})
    holidays = frozenset({dt.date(2026, 3, 9)})
    working_days = frozenset({dt.date(2026, 3, 8)})


def test_business_day_tolerance_skips_weekends_and_holidays(constructor: Constructor) -> None:
    # promised Friday 6 March; Saturday off, Sunday 8 March a working weekend, Monday a holiday
    frame = orders(
        {"promised_at": at(6), "delivered_at": at(8), "qty_delivered": 10.0},
        {"promised_at": at(6), "delivered_at": at(10), "qty_delivered": 10.0},
    )
    policy = OtifPolicy(late_days=1, business_days=True)
    result = _otif(constructor, frame, policy, as_of=AS_OF, calendar=_Calendar())
    assert (result.numerator, result.denominator) == (1.0, 2.0)


def test_business_days_without_a_calendar_is_a_configuration_error(
    constructor: Constructor,
) -> None:
    with pytest.raises(ConfigurationError, match="calendar"):
        _otif(constructor, orders({}), OtifPolicy(business_days=True), as_of=AS_OF)


def test_preset_name_is_echoed_in_the_result(constructor: Constructor) -> None:
    assert _otif(constructor, orders({}), "scor_commit", as_of=AS_OF).policy.name == "scor_commit"  # type: ignore[attr-defined]


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="scor_commit"):
        OtifPolicy.preset("nope")


def test_missing_reference_column_is_reported_before_computing(constructor: Constructor) -> None:
    with pytest.raises(FrameSchemaError, match="promised_at"):
        _otif(constructor, orders({}).drop(columns=["promised_at"]), as_of=AS_OF)


def test_wilson_interval_accompanies_the_value(constructor: Constructor) -> None:
    result = _otif(constructor, orders({"delivered_at": at(4), "qty_delivered": 10.0}), as_of=AS_OF)
    assert result.interval is not None
    assert result.interval.method == "wilson"
    assert result.status is KpiStatus.INSUFFICIENT_SAMPLE


# -- every line by its own promised date (TPC-H style: the dates live on the lines)


def _tpch_orders(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": list(ids),
            "customer_id": "C-1",
            "channel": "edi",
            "received_at": pd.Series([at(1)] * len(ids), dtype="datetime64[us, UTC]"),
        }
    )


def _tpch_lines(rows: list[tuple[str, dt.datetime, dt.datetime | None, float]]) -> pd.DataFrame:
    """One line per (order, promised, delivered, delivered quantity); 10 units ordered each."""
    return pd.DataFrame(
        {
            "order_id": [r[0] for r in rows],
            "line_id": [str(i) for i in range(len(rows))],
            "qty_ordered": 10.0,
            "qty_delivered": [r[3] for r in rows],
            "promised_at": pd.Series([r[1] for r in rows], dtype="datetime64[us, UTC]"),
            "delivered_at": pd.Series([r[2] for r in rows], dtype="datetime64[us, UTC]"),
        }
    )


def test_every_line_judges_each_line_against_its_own_promised_date(
    constructor: Constructor,
) -> None:
    # the second line arrives after the first line's date, but by its own
    lines = _tpch_lines([("A", at(5), at(5), 10.0), ("A", at(8), at(7), 10.0)])
    result = otif(
        constructor(_tpch_orders("A")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert (result.numerator, result.denominator) == (1.0, 1.0)


def test_every_line_fails_an_order_with_one_line_late_or_short(constructor: Constructor) -> None:
    lines = _tpch_lines(
        [
            ("A", at(5), at(6), 10.0),
            ("A", at(8), at(7), 10.0),
            ("B", at(5), at(5), 10.0),
            ("B", at(5), at(5), 4.0),
            ("C", at(5), at(5), 10.0),
        ]
    )
    result = otif(
        constructor(_tpch_orders("A", "B", "C")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert (result.numerator, result.denominator) == (1.0, 3.0)
    assert (result.details["on_time_count"], result.details["in_full_count"]) == (1.0, 2.0)


def test_every_line_waits_for_a_line_not_yet_due_and_excludes_orders_without_lines(
    constructor: Constructor,
) -> None:
    lines = _tpch_lines([("A", at(5), at(5), 10.0), ("A", at(25), None, 0.0)])
    result = otif(
        constructor(_tpch_orders("A", "B")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert result.denominator == 0.0
    assert (result.exclusions["not_yet_due"], result.exclusions["no_lines"]) == (1, 1)


def test_every_line_counts_an_open_order_as_late_once_one_line_is_past_due(
    constructor: Constructor,
) -> None:
    lines = _tpch_lines([("A", at(10), None, 0.0), ("A", at(25), None, 0.0)])
    result = otif(
        constructor(_tpch_orders("A")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert (result.numerator, result.denominator) == (0.0, 1.0)


def test_every_line_excludes_an_order_with_a_line_that_cannot_be_judged(
    constructor: Constructor,
) -> None:
    lines = _tpch_lines([("A", at(5), at(5), 10.0), ("A", at(5), at(5), float("nan"))])
    result = otif(
        constructor(_tpch_orders("A")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert result.denominator == 0.0
    assert result.exclusions["line_invalid_quantity"] == 1


def test_every_line_leaves_out_lines_the_customer_cancelled_and_fails_seller_cancellations(
    constructor: Constructor,
) -> None:
    lines = _tpch_lines(
        [
            ("A", at(5), at(5), 10.0),
            ("A", at(5), None, 0.0),
            ("B", at(5), at(5), 10.0),
            ("B", at(25), None, 0.0),
        ]
    ).assign(
        approved_at=pd.Series([at(1, 13)] * 4, dtype="datetime64[us, UTC]"),
        cancelled_at=pd.to_datetime(pd.Series([None, at(3), None, at(3)]), utc=True).dt.as_unit(
            "us"
        ),
        cancelled_by=pd.Series([None, "customer", None, "seller"], dtype="str"),
    )
    result = otif(
        constructor(_tpch_orders("A", "B")),
        "every_line_commit",
        as_of=AS_OF,
        lines=constructor(lines),
    )
    assert (result.numerator, result.denominator) == (1.0, 2.0)


def test_every_line_needs_the_lines_frame(constructor: Constructor) -> None:
    with pytest.raises(ConfigurationError, match="pass lines="):
        otif(constructor(_tpch_orders("A")), "every_line_commit", as_of=AS_OF)


def test_a_lines_frame_is_refused_for_a_policy_that_does_not_read_it(
    constructor: Constructor,
) -> None:
    frame = orders({"delivered_at": at(4), "qty_delivered": 10.0})
    lines = _tpch_lines([("SO-0", at(5), at(5), 10.0)])
    with pytest.raises(ConfigurationError, match="every_line=True"):
        _otif(constructor, frame, as_of=AS_OF, lines=constructor(lines))


def test_every_line_is_an_order_grain_policy() -> None:
    with pytest.raises(ConfigurationError, match="needs grain='order'"):
        OtifPolicy(grain="line", every_line=True)
