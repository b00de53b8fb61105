"""PySpark gives the same KPIs as pandas, polars and DuckDB, computed on the cluster.

Few tests on small generated books, one local session (see conftest.py). The tolerances are the
documented ones (docs/kpi.md, "Backends and exactness"): counts exact, rates within 1e-12,
quantiles within 1e-12 relative (exact type-7 quantiles of bit-identical hours on every
backend; only the interpolation's last-ulp rounding differs), sums and means of hours within
1e-9 relative (summation order).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import pytest

from ordercore.context import BusinessCalendar
from ordercore.kpi import (
    KpiResult,
    MonthlyReport,
    OtifPolicy,
    PastDueNotShipped,
    StuckInStatus,
    alerts,
    backorder_rate,
    cost_per_order,
    cycle_time,
    errors_by_staff,
    fill_rate,
    frame_problems,
    generate,
    monthly_report,
    order_accuracy,
    otif,
    perfect_order,
    perfect_order_multiplicative,
    return_rate,
    staff_ranking,
    stage_durations,
    survey_score,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ordercore.kpi.monitor import Rule

pytestmark = pytest.mark.spark

QUANTILES = frozenset({"cycle_p50_h", "cycle_p90_h", "p50", "p90", "censored_age_p50"})
SUMS = frozenset({"cycle_mean_h", "mean", "total", "censored_age_max"})
RATE_ABS = 1e-12  # also exact for counts: integer-valued floats are 1 apart
QUANTILE_REL = 1e-12
SUM_REL = 1e-9


def _events(orders: pl.DataFrame) -> pl.DataFrame:
    stamps = {
        "order_submitted": "received_at",
        "order_approved": "approved_at",
        "quantity_shipped": "shipped_at",
        "quantity_delivered": "delivered_at",
    }
    return pl.concat(
        [
            orders.select(
                "order_id", pl.lit(kind).alias("event_type"), pl.col(column).alias("at")
            ).drop_nulls("at")
            for kind, column in stamps.items()
        ]
    )


@pytest.fixture(scope="module")
def books(spark: Any) -> dict[str, dict[str, Any]]:
    """The same generated order book in the four libraries."""
    frames = generate(600, seed=5, months=3, backend="polars").frames
    frames["events"] = _events(frames["orders"])
    connection = duckdb.connect()
    return {
        "pandas": {name: frame.to_pandas() for name, frame in frames.items()},
        "polars": frames,
        "duckdb": {name: connection.from_arrow(frame.to_arrow()) for name, frame in frames.items()},
        "pyspark": {
            name: spark.createDataFrame(frame.to_arrow()) for name, frame in frames.items()
        },
    }


AS_OF = generate(10, seed=5, months=3).as_of


def _close(key: str, a: object, b: object) -> None:
    """Equal, or within the documented tolerance of the measure `key` names."""
    if isinstance(a, float) and math.isnan(a):
        assert b is None or (isinstance(b, float) and math.isnan(b)), key
    elif isinstance(a, float) and isinstance(b, float):
        if key in QUANTILES:
            assert abs(a - b) <= QUANTILE_REL * max(1.0, abs(a)), (key, a, b)
        elif key in SUMS:
            assert abs(a - b) <= SUM_REL * max(1.0, abs(a)), (key, a, b)
        else:
            assert abs(a - b) <= RATE_ABS, (key, a, b)
    else:
        assert a == b, (key, a, b)


def _rows(native: Any) -> list[dict[str, Any]]:
    import narwhals.stable.v2 as nw  # noqa: PLC0415

    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in eager.rows(named=True)
    ]


def _same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b)
    assert a  # an empty report would agree vacuously
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for key in x:
            _close(key, x[key], y[key])


def _same_result(a: KpiResult, b: KpiResult) -> None:
    assert (a.name, a.status, a.unit, a.period) == (b.name, b.status, b.unit, b.period)
    assert dict(a.exclusions) == dict(b.exclusions)
    assert a.denominator == b.denominator  # a count (or the sample size of a mean)
    # hours and amounts are float sums (summation order differs); the rest are counts
    kind = "total" if a.unit in {"hours", "amount"} else "rate"
    _close(kind, a.numerator, b.numerator)
    _close("mean" if a.unit in {"hours", "amount"} else "rate", a.value, b.value)
    assert a.details.keys() == b.details.keys()
    for key, x in a.details.items():
        y = b.details[key]
        if isinstance(x, tuple) and isinstance(y, tuple):
            for u, v in zip(x, y, strict=True):
                _close(key, u, v)
        else:
            _close(key, x, y)
    assert (a.interval is None) == (b.interval is None)
    if a.interval is not None and b.interval is not None:
        _close("low", a.interval.low, b.interval.low)
        _close("high", a.interval.high, b.interval.high)


@pytest.mark.parametrize(
    ("tz", "by", "session_tz"),
    [("America/New_York", ["channel"], "UTC"), ("Asia/Shanghai", [], "America/Los_Angeles")],
)
def test_monthly_report_on_spark_agrees_with_pandas_polars_and_duckdb(
    books: dict[str, dict[str, Any]], spark: Any, tz: str, by: list[str], session_tz: str
) -> None:
    # the Spark session's own time zone must not move orders between local months
    spark.conf.set("spark.sql.session.timeZone", session_tz)
    try:
        reports = {
            name: _rows(
                monthly_report(
                    d["orders"], surveys=d["surveys"], errors=d["errors"], as_of=AS_OF, tz=tz, by=by
                ).frame
            )
            for name, d in books.items()
        }
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    for name in ("polars", "duckdb", "pyspark"):
        _same_rows(reports["pandas"], reports[name])


CALENDAR = BusinessCalendar(holidays=[dt.date(2026, 2, 16)], working_days=[dt.date(2026, 2, 14)])

KPIS: dict[str, Callable[[Mapping[str, Any]], KpiResult]] = {
    "cycle_time": lambda d: cycle_time(d["orders"], as_of=AS_OF, tz="Asia/Shanghai"),
    "cycle_time_net_in_a_period": lambda d: cycle_time(
        d["orders"], as_of=AS_OF, net=True, period="2026-02", where={"channel": "web"}
    ),
    "otif_business_days": lambda d: otif(
        d["orders"],
        OtifPolicy(late_days=1, business_days=True, name="bd"),
        as_of=AS_OF,
        calendar=CALENDAR,
    ),
    "otif_lines": lambda d: otif(d["lines"], "line_commit", as_of=AS_OF),
    "otif_units": lambda d: otif(d["lines"], "unit_commit", as_of=AS_OF),
    "perfect_order": lambda d: perfect_order(d["orders"], d["errors"], as_of=AS_OF),
    "perfect_order_multiplicative": lambda d: perfect_order_multiplicative(
        d["orders"], d["errors"], as_of=AS_OF
    ),
    "order_accuracy": lambda d: order_accuracy(d["orders"], d["errors"], as_of=AS_OF),
    "fill_rate_order_first": lambda d: fill_rate(d["lines"], kind="order", basis="first"),
    "fill_rate_unit": lambda d: fill_rate(d["lines"]),
    "backorder_rate": lambda d: backorder_rate(d["lines"]),
    "return_rate": lambda d: return_rate(d["lines"]),
    "nps": lambda d: survey_score(d["surveys"], "nps"),
    "ces": lambda d: survey_score(d["surveys"], "ces", period="2026-02"),
    "cost_per_order": lambda d: cost_per_order(d["costs"], d["orders"], period="2026-02"),
    "stage_ship_to_delivery": lambda d: stage_durations(d["events"], as_of=AS_OF)[
        "ship_to_delivery"
    ],
    "otif_every_line": lambda d: otif(
        d["orders"], "every_line_commit", as_of=AS_OF, lines=d["lines"]
    ),
    "fill_rate_order_as_of": lambda d: fill_rate(d["lines"], kind="order", as_of=AS_OF),
    "return_rate_as_of": lambda d: return_rate(d["lines"], as_of=AS_OF, period="2026-02"),
    "backorder_rate_as_of": lambda d: backorder_rate(d["lines"], as_of=AS_OF),
    "csat_as_of_with_orders": lambda d: survey_score(
        d["surveys"], "csat", as_of=AS_OF, orders=d["orders"]
    ),
    "cost_per_order_as_of": lambda d: cost_per_order(
        d["costs"], d["orders"], period="2026-02", as_of=AS_OF
    ),
}


def test_every_kpi_on_spark_agrees_with_pandas(books: dict[str, dict[str, Any]]) -> None:
    for name, kpi in KPIS.items():
        expected, got = kpi(books["pandas"]), kpi(books["pyspark"])
        assert expected.value is not None, name  # a no_data result would agree vacuously
        _same_result(expected, got)


def _jobs(spark: Any, group: str, work: Callable[[], object]) -> tuple[object, int]:
    """Run `work` under a job group; return its result and how many Spark jobs it ran."""
    context = spark.sparkContext
    context.setJobGroup(group, "count the jobs")
    try:
        result = work()
        return result, len(context.statusTracker().getJobIdsForGroup(group))
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)


def test_frame_results_stay_spark_dataframes_and_run_only_the_frame_checks(
    books: dict[str, dict[str, Any]], spark: Any
) -> None:
    from pyspark.sql import DataFrame  # noqa: PLC0415

    from ordercore.kpi.check import refuse  # noqa: PLC0415

    d = books["pyspark"]
    rules: list[Rule] = [PastDueNotShipped(), StuckInStatus("approved", 48)]
    # the checks a refusal needs: one aggregation per frame read (orders, errors)
    _, checks = _jobs(
        spark,
        "ordercore-checks",
        lambda: (refuse(d["orders"], "orders"), refuse(d["errors"], "errors")),
    )
    _, order_checks = _jobs(spark, "ordercore-order-checks", lambda: refuse(d["orders"], "orders"))
    report, report_jobs = _jobs(
        spark,
        "ordercore-report",
        lambda: monthly_report(d["orders"], errors=d["errors"], as_of=AS_OF, by=["owner_id"]),
    )
    raised, alert_jobs = _jobs(
        spark, "ordercore-alerts", lambda: alerts(d["orders"], rules, as_of=AS_OF)
    )
    by_staff, staff_jobs = _jobs(
        spark, "ordercore-staff", lambda: errors_by_staff(d["orders"], d["errors"])
    )
    assert checks > 0
    assert (report_jobs, alert_jobs, staff_jobs) == (checks, order_checks, checks)
    assert isinstance(report, MonthlyReport)
    for frame in (report.frame, raised, by_staff):
        assert isinstance(frame, DataFrame)
    assert _rows(raised) == _rows(alerts(books["pandas"]["orders"], rules, as_of=AS_OF))
    ranking = staff_ranking(report)
    assert isinstance(ranking, DataFrame)
    pandas_report = monthly_report(
        books["pandas"]["orders"], errors=books["pandas"]["errors"], as_of=AS_OF, by=["owner_id"]
    )
    _same_rows(_rows(staff_ranking(pandas_report)), _rows(ranking))
    assert _rows(by_staff) == _rows(
        errors_by_staff(books["pandas"]["orders"], books["pandas"]["errors"])
    )


def test_naive_spark_timestamps_are_reported_as_a_frame_problem(spark: Any) -> None:
    naive = spark.createDataFrame(
        [("SO-1", "C-1", "web", dt.datetime(2026, 3, 1))],  # noqa: DTZ001 - naive on purpose
        "order_id string, customer_id string, channel string, received_at timestamp_ntz",
    )
    assert frame_problems(naive, "orders") == [
        (
            "received_at: naive timestamps; localise them in the export's zone first, "
            "e.g. map_columns(..., tz='Asia/Shanghai')"
        )
    ]


def test_batch_risk_scores_on_spark_equal_polars(spark: Any) -> None:
    from ordercore.risk.batch import FEATURE_COLUMNS, assess_frame  # noqa: PLC0415

    rows = 200
    columns: dict[str, list[Any]] = {"order_id": [f"SO-{i}" for i in range(rows)]}
    for index, name in enumerate(FEATURE_COLUMNS):
        # deterministic spread over each feature's bands, with unknowns (nulls)
        columns[name] = [
            None if (i + index) % 11 == 0 else (i * 97 + index * 31) % 20_000 for i in range(rows)
        ]
    features = pl.DataFrame(
        columns, schema={"order_id": pl.String, **dict.fromkeys(FEATURE_COLUMNS, pl.Int64)}
    )
    expected = assess_frame(features, explain=True)
    got = assess_frame(spark.createDataFrame(features.to_arrow()), explain=True)
    assert type(got).__module__.startswith("pyspark")
    assert _rows(got.orderBy("order_id")) == expected.sort("order_id").to_dicts()


def test_spark_quantiles_match_numpy_on_edge_groups(spark: Any) -> None:
    """One value, ties, all-null and null-key groups, and the ungrouped case, against NumPy."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from ordercore.kpi import _backend  # noqa: PLC0415

    rows = [
        ("one", 7.25),
        ("ties", 2.0),
        ("ties", 2.0),
        ("ties", 5.0),
        ("empty", None),
        ("empty", None),
        (None, 0.1),
        (None, 0.7),
        (None, 0.2),
        (None, 1e9),
    ]
    frame = spark.createDataFrame(rows, "k string, v double")
    measures: dict[str, nw.Expr | _backend.Quantile] = {
        "n": nw.col("v").count(),
        "p10": _backend.Quantile("v", 0.1),
        "p50": _backend.Quantile("v", 0.5),
        "p90": _backend.Quantile("v", 0.9),
    }
    grouped = _backend.rows(_backend.aggregate(nw.from_native(frame), ["k"], measures))
    overall = _backend.rows(_backend.aggregate(nw.from_native(frame), [], measures))
    by_key: dict[str | None, list[float]] = {}
    for key, value in rows:
        by_key.setdefault(key, [])
        if value is not None:
            by_key[key].append(value)
    expected = by_key | {"__all__": [v for _, v in rows if v is not None]}
    got = {row["k"]: row for row in grouped} | {"__all__": overall[0]}
    assert set(got) == set(expected)
    for key, values in expected.items():
        assert got[key]["n"] == len(values)
        for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
            if not values:
                assert got[key][name] is None
            else:
                assert got[key][name] == pytest.approx(
                    float(np.quantile(values, q)), rel=QUANTILE_REL
                ), (key, name)


def test_spark_refuses_a_frame_as_pandas_does(books: dict[str, dict[str, Any]], spark: Any) -> None:
    from ordercore.errors import FrameSchemaError  # noqa: PLC0415

    orders = books["polars"]["orders"].head(20)
    dirty = orders.with_columns(
        pl.when(pl.col("order_id") == orders["order_id"][3])
        .then(pl.lit("Customer"))
        .otherwise(pl.col("cancelled_by"))
        .alias("cancelled_by"),
        pl.when(pl.col("order_id") == orders["order_id"][5])
        .then(pl.lit(orders["order_id"][4]))
        .otherwise(pl.col("order_id"))
        .alias("order_id"),
    )
    problems = []
    for frame in (dirty.to_pandas(), spark.createDataFrame(dirty.to_arrow())):
        with pytest.raises(FrameSchemaError) as caught:
            otif(frame, as_of=AS_OF)
        problems.append(caught.value.problems)
    assert problems[0] == problems[1]
    assert len(problems[0]) == 2
