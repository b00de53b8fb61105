"""Hand-computed KPI cases, each run on pandas, polars (eager and lazy) and DuckDB."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.errors import FrameSchemaError, UnsupportedBackend
from ordercore.kpi import (
    HoldTooLong,
    KpiStatus,
    PastDueNotShipped,
    alerts,
    check_frame,
    cost_per_order,
    cycle_time,
    fill_rate,
    map_columns,
    order_accuracy,
    perfect_order,
    perfect_order_multiplicative,
    return_rate,
    survey_score,
)
from ordercore.kpi.result import nps_interval, wilson_interval

Constructor = Callable[[pd.DataFrame], Any]
Rows = Callable[[Any], list[dict[str, Any]]]


def _surveys(kind: str, scores: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey_id": [str(i) for i in range(len(scores))],
            "kind": kind,
            "sent_at": pd.Series([at(2)] * len(scores)).dt.as_unit("us"),
            "score": pd.array(scores, dtype="float64"),
        }
    )


def _errors(order_ids: list[str], types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "error_id": [str(i) for i in range(len(order_ids))],
            "order_id": order_ids,
            "error_type": types,
        }
    )


def _done(day: int) -> dict[str, object]:
    """An order delivered in full on `day` (complete, as cycle time and OTIF read it)."""
    return {"delivered_at": at(day), "qty_delivered": 10.0}


def test_cycle_time_reports_open_orders_as_censored_with_their_age(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(_done(3), _done(5), {}))
    result = cycle_time(frame, as_of=AS_OF)
    assert result.value == 72.0
    assert result.denominator == 2.0
    assert result.details["censored"] == 1
    assert result.details["censored_age_max"] == 19 * 24.0


def test_cycle_time_quantiles_interpolate_linearly(constructor: Constructor) -> None:
    frame = constructor(orders(_done(2), _done(3), _done(5)))
    result = cycle_time(frame, as_of=AS_OF)
    assert (result.details["p50"], result.details["p90"]) == (48.0, 86.4)


def test_net_cycle_time_subtracts_hold_hours(constructor: Constructor) -> None:
    frame = constructor(orders({**_done(3), "hold_hours": 6.0}))
    assert cycle_time(frame, as_of=AS_OF, net=True).value == 42.0


def test_cycle_time_excludes_cancelled_orders_and_counts_them(constructor: Constructor) -> None:
    frame = constructor(orders({"cancelled_at": at(2), "cancelled_by": "customer"}))
    result = cycle_time(frame, as_of=AS_OF)
    assert result.status is KpiStatus.NO_DATA
    assert result.exclusions["cancelled"] == 1


def test_share_within_committed_cycle_time(constructor: Constructor) -> None:
    frame = constructor(orders(_done(5), _done(6)))
    assert cycle_time(frame, as_of=AS_OF).details["within_commit"] == 0.5


def test_perfect_order_needs_all_four_components(constructor: Constructor) -> None:
    frame = constructor(orders(*({"delivered_at": at(4), "qty_delivered": 10.0} for _ in range(4))))
    errors = constructor(
        _errors(["SO-1", "SO-2", "SO-3"], ["damaged", "documentation", "wrong_item"])
    )
    result = perfect_order(frame, errors, as_of=AS_OF)
    assert (result.numerator, result.denominator) == (1.0, 4.0)
    rates = {k: result.details[k] for k in ("in_full", "on_time", "documentation", "condition")}
    assert rates == {"in_full": 0.75, "on_time": 1.0, "documentation": 0.75, "condition": 0.75}


def test_multiplicative_perfect_order_is_the_product_of_component_rates(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(*({"delivered_at": at(4), "qty_delivered": 10.0} for _ in range(4))))
    errors = constructor(_errors(["SO-1", "SO-2"], ["damaged", "pricing"]))
    result = perfect_order_multiplicative(frame, errors, as_of=AS_OF)
    assert result.name == "perfect_order_multiplicative"
    assert result.value == pytest.approx(0.75 * 0.75)
    assert perfect_order(frame, errors, as_of=AS_OF).value == 0.5


def test_order_accuracy_counts_orders_with_any_error_once(constructor: Constructor) -> None:
    frame = constructor(orders({"delivered_at": at(4)}, {"delivered_at": at(4)}))
    errors = constructor(_errors(["SO-0", "SO-0"], ["pricing", "damaged"]))
    result = order_accuracy(frame, errors, as_of=AS_OF)
    assert (result.numerator, result.denominator) == (1.0, 2.0)


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": ["a", "a", "b", "c"],
            "line_id": ["1", "2", "1", "1"],
            "qty_ordered": [10.0, 10.0, 5.0, 4.0],
            "qty_cancelled": [0.0, 0.0, 0.0, 4.0],
            "qty_shipped": [10.0, 6.0, 5.0, 0.0],
        }
    )


def test_unit_fill_rate_is_units_shipped_of_units_owed(constructor: Constructor) -> None:
    assert fill_rate(constructor(_lines()), kind="unit").value == 21 / 25


def test_line_fill_rate_counts_fully_shipped_lines(constructor: Constructor) -> None:
    assert fill_rate(constructor(_lines()), kind="line").value == 2 / 3


def test_order_fill_rate_needs_every_owed_line_filled(constructor: Constructor) -> None:
    result = fill_rate(constructor(_lines()), kind="order")
    assert result.value == 1 / 2
    assert result.exclusions["nothing_owed"] == 1


def test_fully_cancelled_lines_are_excluded_as_nothing_owed(constructor: Constructor) -> None:
    assert fill_rate(constructor(_lines())).exclusions["nothing_owed"] == 1


def test_return_rate_splits_by_cause(constructor: Constructor) -> None:
    lines = pd.DataFrame(
        {
            "order_id": ["a", "b"],
            "line_id": ["1", "1"],
            "qty_ordered": [10.0, 10.0],
            "qty_delivered": [10.0, 10.0],
            "qty_returned": [2.0, 1.0],
            "return_cause": ["error", "preference"],
        }
    )
    result = return_rate(constructor(lines))
    assert result.value == 0.15
    assert result.details == {"error": 2.0, "preference": 1.0}


def test_csat_is_top_two_box_not_the_mean(constructor: Constructor) -> None:
    result = survey_score(constructor(_surveys("csat", [5.0, 4.0, 3.0, 1.0, None])), "csat")
    assert (result.value, result.numerator, result.denominator) == (0.5, 2.0, 4.0)
    assert result.details["response_rate"] == 0.8


def test_six_is_a_nps_detractor(constructor: Constructor) -> None:
    result = survey_score(constructor(_surveys("nps", [6.0, 9.0])), "nps")
    assert result.value == 0.0
    assert result.details["detractors"] == 1


def test_one_survey_response_is_an_insufficient_sample_with_a_wide_interval(
    constructor: Constructor,
) -> None:
    result = survey_score(constructor(_surveys("csat", [5.0])), "csat")
    assert result.status is KpiStatus.INSUFFICIENT_SAMPLE
    assert result.value == 1.0
    assert result.interval is not None
    assert result.interval.low < 0.3


def test_no_responses_give_no_data(constructor: Constructor) -> None:
    result = survey_score(constructor(_surveys("ces", [None, None])), "ces")
    assert result.status is KpiStatus.NO_DATA
    assert result.value is None
    assert result.details["response_rate"] == 0.0


def test_out_of_scale_scores_are_excluded_and_counted(constructor: Constructor) -> None:
    result = survey_score(constructor(_surveys("csat", [5.0, 9.0])), "csat")
    assert result.exclusions["out_of_scale"] == 1


def test_nps_variance_formula() -> None:
    low, high = nps_interval(50, 20, 100)
    half = 1.959963984540054 * 100 * math.sqrt((0.5 * 0.5 + 0.2 * 0.8 + 2 * 0.5 * 0.2) / 100)
    assert (low, high) == pytest.approx((30 - half, 30 + half))


def test_wilson_interval_of_zero_successes_starts_at_zero() -> None:
    assert wilson_interval(0, 10)[0] == 0.0


def _costs() -> pd.DataFrame:
    return pd.DataFrame(
        {"cost_id": ["1"], "incurred_at": pd.Series([at(2)]).dt.as_unit("us"), "amount": [100.0]}
    )


def test_cost_per_order_divides_the_months_cost_by_its_orders(constructor: Constructor) -> None:
    assert (
        cost_per_order(constructor(_costs()), constructor(orders({})), period="2026-03").value
        == 100.0
    )


def test_cost_per_order_of_an_empty_period_is_no_data(constructor: Constructor) -> None:
    result = cost_per_order(constructor(_costs()), constructor(orders({})), period="2026-04")
    assert result.status is KpiStatus.NO_DATA


def test_monitor_raises_past_due_and_old_holds_with_severity(
    constructor: Constructor, as_rows: Rows
) -> None:
    frame = orders(
        {"promised_at": at(19), "shipped_at": None, "hold_since": at(10)},
        {"promised_at": at(25), "shipped_at": None, "hold_since": None},
    )
    got = alerts(
        constructor(frame), [PastDueNotShipped(), HoldTooLong(limit_hours=48)], as_of=AS_OF
    )
    assert as_rows(got) == [
        {"order_id": "SO-0", "rule": "hold_too_long", "age_hours": 240.0, "severity": "critical"},
        {
            "order_id": "SO-0",
            "rule": "past_due_not_shipped",
            "age_hours": 24.0,
            "severity": "critical",
        },
    ]


def test_frame_check_reports_schema_and_data_problems_at_once() -> None:
    frame = orders({"delivered_at": at(1, 1), "qty_ordered": -1.0}, {})
    frame.loc[1, "order_id"] = "SO-0"
    frame["received_at"] = frame["received_at"].dt.tz_localize(None)
    with pytest.raises(FrameSchemaError) as error:
        check_frame(frame.drop(columns=["channel"]), "orders")
    assert error.value.problems == (
        "missing column 'channel'",
        (
            "received_at: naive timestamps; localise them in the export's zone first, "
            "e.g. map_columns(..., tz='Asia/Shanghai')"
        ),
        "qty_ordered: 1 negative value(s), e.g. order_id=SO-0",
        "duplicate key (order_id): 1 row(s) repeat a key, e.g. order_id=SO-0 (2 rows)",
    )


def test_frame_check_lists_data_problems_with_example_rows(constructor: Constructor) -> None:
    frame = orders({"delivered_at": at(1, 1), "qty_ordered": -1.0}, {})
    frame.loc[1, "order_id"] = "SO-0"
    with pytest.raises(FrameSchemaError) as error:
        check_frame(constructor(frame), "orders")
    assert error.value.problems == (
        "qty_ordered: 1 negative value(s), e.g. order_id=SO-0",
        "delivered_at before received_at: 1 row(s), e.g. order_id=SO-0",
        "duplicate key (order_id): 1 row(s) repeat a key, e.g. order_id=SO-0 (2 rows)",
    )
    assert error.value.columns == ("qty_ordered", "delivered_at", "order_id")


def test_map_columns_lists_every_absent_source_column() -> None:
    with pytest.raises(FrameSchemaError, match=r"'A'.*\n.*'B'"):
        map_columns(pd.DataFrame({"x": [1]}), {"A": "order_id", "B": "channel"})


def test_unsupported_frame_type_lists_the_supported_ones() -> None:
    with pytest.raises(UnsupportedBackend, match="pandas, polars, duckdb"):
        cycle_time({"order_id": ["a"]}, as_of=AS_OF)


def test_results_come_back_in_the_callers_library() -> None:
    frame = pl.from_pandas(orders({"promised_at": at(19), "shipped_at": None}))
    assert isinstance(alerts(frame, [PastDueNotShipped()], as_of=AS_OF), pl.DataFrame)


def test_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cycle_time(orders({}), as_of=dt.datetime(2026, 3, 20))  # noqa: DTZ001 - the point of the test


def test_an_open_order_due_exactly_now_is_not_yet_past_due(
    constructor: Constructor, as_rows: Rows
) -> None:
    frame = orders(
        {"promised_at": AS_OF, "shipped_at": None, "hold_since": None},
        {"promised_at": AS_OF - dt.timedelta(microseconds=1), "shipped_at": None},
    )
    got = alerts(constructor(frame), [PastDueNotShipped()], as_of=AS_OF)
    assert [r["order_id"] for r in as_rows(got)] == ["SO-1"]
