"""KPIs: the monthly report on 5 million generated orders (``ORDERCORE_BENCH_ORDERS`` to change).

Two baselines in the same run, each written by hand as a good analyst would, with the same
definitions as ordercore's report (``scor_commit`` policy, everything as of `as_of`): the
report's measures (orders, delivered, cycle time p50/p90, counted, on time, OTIF, perfect
order, CSAT counts) in **pandas**, and the same in **polars** as one lazy query. ordercore's
figures are checked against both before anything is timed. Each baseline and ordercore on
the same library are timed in turn, five rounds of one run each, so that a slow spell of the
shared machine falls on both. Printed: the medians, and the median of the rounds' ratios
(with their range) where the two ran in the same rounds:

* ordercore on pandas / hand-written pandas (bar <= 1.0);
* ordercore on polars / hand-written pandas (bar <= 0.6);
* ordercore on polars / hand-written polars (bar <= 1.0);
* the peak memory of the pandas run against the input frames (bar <= 3).
"""

from __future__ import annotations

import os
import statistics
import tracemalloc
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import polars as pl

from benchmarks._harness import Report, interleaved
from ordercore.kpi import generate, monthly_report

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

N = int(os.environ.get("ORDERCORE_BENCH_ORDERS", "5000000"))
ROUNDS = 5
TZ = "Asia/Shanghai"
_FULL = ["wrong_item", "wrong_quantity", "missing_item"]
_DOC = ["documentation", "pricing"]


def baseline(
    orders: pd.DataFrame, surveys: pd.DataFrame, errors: pd.DataFrame, as_of: Any
) -> pd.DataFrame:
    """Hand-written pandas: the same definitions as ordercore's report, scor_commit policy."""
    now = pd.Timestamp(as_of)
    orders = orders[orders["received_at"] <= now]
    received = orders["received_at"].dt.tz_convert(TZ)
    month = received.dt.year * 100 + received.dt.month
    day = pd.Timedelta(days=1)

    def local_day(s: pd.Series) -> pd.Series:
        return (s.dt.tz_convert(TZ).dt.tz_localize(None) - pd.Timestamp(0)) // day

    today = (now.tz_convert(TZ).tz_localize(None) - pd.Timestamp(0)) // day
    cancelled = orders["cancelled_at"].notna() & (orders["cancelled_at"] <= now)
    delivered = orders["delivered_at"].notna() & (orders["delivered_at"] <= now)
    by_customer = cancelled & (orders["cancelled_by"] == "customer")
    seller = cancelled & ~by_customer
    owed = orders["qty_ordered"] - orders["qty_cancelled"].fillna(0.0)
    complete = delivered & (orders["qty_delivered"].fillna(0.0) >= owed)
    # an order is complete (for cycle time as for OTIF) when everything owed was delivered
    done = complete & ~cancelled
    hours = ((orders["delivered_at"] - orders["received_at"]) / pd.Timedelta(hours=1)).where(done)
    promised_day = local_day(orders["promised_at"])
    has_ref = orders["promised_at"].notna()
    past_due = promised_day < today
    excluded = by_customer | (~by_customer & (owed <= 0))
    not_due = ~excluded & has_ref & ~complete & ~seller & ~past_due
    base = ~excluded & has_ref & ~not_due
    good = base & complete & ~seller
    on_time = good & (local_day(orders["delivered_at"]) <= promised_day)
    in_full = good
    err = errors[errors["found_at"] <= now]
    bad_full = orders["order_id"].isin(err.loc[err["error_type"].isin(_FULL), "order_id"])
    bad_place = orders["order_id"].isin(err.loc[err["error_type"] == "wrong_address", "order_id"])
    bad_doc = orders["order_id"].isin(err.loc[err["error_type"].isin(_DOC), "order_id"])
    bad_cond = orders["order_id"].isin(err.loc[err["error_type"] == "damaged", "order_id"])
    perfect = in_full & ~bad_full & on_time & ~bad_place & ~bad_doc & ~bad_cond
    frame = pd.DataFrame(
        {
            "month": month,
            "h": hours,
            "done": done,
            "base": base,
            "on_time": on_time,
            "in_full": in_full,
            "otif": on_time & in_full,
            "perfect": perfect,
        }
    )
    out = frame.groupby("month").agg(
        orders=("done", "size"),
        delivered=("done", "sum"),
        cycle_p50_h=("h", "median"),
        counted=("base", "sum"),
        on_time=("on_time", "sum"),
        otif=("otif", "sum"),
        perfect=("perfect", "sum"),
    )
    out["cycle_p90_h"] = frame.groupby("month")["h"].quantile(0.9)
    csat = surveys[(surveys["kind"] == "csat") & (surveys["sent_at"] <= now)]
    sent = csat["sent_at"].dt.tz_convert(TZ)
    cs = pd.DataFrame(
        {
            "month": sent.dt.year * 100 + sent.dt.month,
            "r": csat["score"].between(1, 5),
            "t": csat["score"].between(4, 5),
        }
    )
    out = out.join(
        cs.groupby("month").agg(csat_responses=("r", "sum"), csat_top2=("t", "sum")), how="outer"
    )
    for name in ("on_time", "otif", "perfect"):
        out[f"{name}_rate"] = out[name] / out["counted"]
    return out


def polars_baseline(
    orders: pl.DataFrame, surveys: pl.DataFrame, errors: pl.DataFrame, as_of: dt.datetime
) -> pl.DataFrame:
    """Hand-written polars, one lazy query: the same definitions as the pandas baseline."""
    today = as_of.astimezone(ZoneInfo(TZ)).date()

    def local_day(column: str) -> pl.Expr:
        return pl.col(column).dt.convert_time_zone(TZ).dt.date()

    def month(column: str) -> pl.Expr:
        local = pl.col(column).dt.convert_time_zone(TZ)
        return local.dt.year().cast(pl.Int64) * 100 + local.dt.month().cast(pl.Int64)

    cancelled = pl.col("cancelled_at").is_not_null() & (pl.col("cancelled_at") <= as_of)
    delivered = pl.col("delivered_at").is_not_null() & (pl.col("delivered_at") <= as_of)
    owed = pl.col("qty_ordered") - pl.col("qty_cancelled").fill_null(0.0)
    flags = (
        errors.lazy()
        .filter(pl.col("found_at") <= as_of)
        .group_by("order_id")
        .agg(
            bad_full=pl.col("error_type").is_in(_FULL).any(),
            bad_place=(pl.col("error_type") == "wrong_address").any(),
            bad_doc=pl.col("error_type").is_in(_DOC).any(),
            bad_cond=(pl.col("error_type") == "damaged").any(),
        )
    )
    per_order = (
        orders.lazy()
        .filter(pl.col("received_at") <= as_of)
        .with_columns(
            month=month("received_at"),
            done=delivered & (pl.col("qty_delivered").fill_null(0.0) >= owed) & ~cancelled,
            by_customer=cancelled & (pl.col("cancelled_by") == "customer").fill_null(value=False),
            seller=cancelled & ~(pl.col("cancelled_by") == "customer").fill_null(value=False),
            complete=delivered & (pl.col("qty_delivered").fill_null(0.0) >= owed),
            owed=owed,
            promised_day=local_day("promised_at"),
            delivered_day=local_day("delivered_at"),
        )
        .with_columns(
            h=pl.when("done").then(
                (pl.col("delivered_at") - pl.col("received_at")).dt.total_microseconds() / 3.6e9
            ),
            excluded=pl.col("by_customer") | (~pl.col("by_customer") & (pl.col("owed") <= 0)),
            has_ref=pl.col("promised_at").is_not_null(),
        )
        .with_columns(
            base=~pl.col("excluded")
            & pl.col("has_ref")
            & (pl.col("complete") | pl.col("seller") | (pl.col("promised_day") < today)),
        )
        .with_columns(good=pl.col("base") & pl.col("complete") & ~pl.col("seller"))
        .with_columns(on_time=pl.col("good") & (pl.col("delivered_day") <= pl.col("promised_day")))
        .join(flags, on="order_id", how="left")
        .with_columns(
            perfect=pl.col("on_time")
            & ~pl.any_horizontal("bad_full", "bad_place", "bad_doc", "bad_cond").fill_null(
                value=False
            )
        )
    )
    out = per_order.group_by("month").agg(
        orders=pl.len(),
        delivered=pl.col("done").sum(),
        cycle_p50_h=pl.col("h").quantile(0.5, interpolation="linear"),
        cycle_p90_h=pl.col("h").quantile(0.9, interpolation="linear"),
        counted=pl.col("base").sum(),
        on_time=pl.col("on_time").sum(),
        otif=pl.col("on_time").sum(),
        perfect=pl.col("perfect").sum(),
    )
    csat = (
        surveys.lazy()
        .filter((pl.col("kind") == "csat") & (pl.col("sent_at") <= as_of))
        .group_by(month=month("sent_at"))
        .agg(
            csat_responses=pl.col("score").is_between(1, 5).sum(),
            csat_top2=pl.col("score").is_between(4, 5).sum(),
        )
    )
    return (
        out.join(csat, on="month", how="full", coalesce=True)
        .with_columns(
            **{
                f"{name}_rate": pl.col(name) / pl.col("counted")
                for name in ("on_time", "otif", "perfect")
            }
        )
        .sort("month")
        .collect()
    )


def _agree(name: str, a: Any, b: Any) -> None:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True):
        raise RuntimeError(f"a baseline disagrees with ordercore on {name}: {a} vs {b}")


def _check(mine: Any, theirs: Any) -> None:
    for name in ("orders", "counted", "otif", "perfect", "csat_top2", "cycle_p90_h"):
        _agree(name, mine[name], theirs[name])


def _rounds(report: Report, fns: dict[str, Callable[[], object]]) -> None:
    """Time `fns` in turn over `ROUNDS` rounds; record each one's median and its rounds."""
    for label, seconds in interleaved(fns, rounds=ROUNDS).items():
        report.add(label, statistics.median(seconds))
        _TIMES[label] = seconds


def _pandas(report: Report, n: int) -> pd.DataFrame:
    data = generate(n, seed=42, with_lines=False)
    orders, surveys, errors, as_of = data.orders, data.surveys, data.errors, data.as_of
    mine = monthly_report(orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ).frame
    theirs = baseline(orders, surveys, errors, as_of).fillna({"orders": 0, "otif": 0, "perfect": 0})
    _check(mine, theirs)
    _rounds(
        report,
        {
            _PANDAS: lambda: baseline(orders, surveys, errors, as_of),
            _MINE_PANDAS: lambda: monthly_report(
                orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ
            ),
        },
    )
    input_bytes = float(
        orders.memory_usage(deep=True).sum()
        + surveys.memory_usage(deep=True).sum()
        + errors.memory_usage(deep=True).sum()
    )
    tracemalloc.start()
    monthly_report(orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.add("input frames (pandas)", input_bytes / 2**20, "MiB")
    report.add("peak extra memory, ordercore on pandas", peak / 2**20, "MiB")
    return theirs


def _polars(report: Report, n: int, pandas_figures: pd.DataFrame) -> None:
    data = generate(n, seed=42, with_lines=False, backend="polars")
    orders, surveys, errors, as_of = data.orders, data.surveys, data.errors, data.as_of
    mine = monthly_report(orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ).frame
    _check(mine, polars_baseline(orders, surveys, errors, as_of))
    _check(mine.to_pandas(), pandas_figures)
    _rounds(
        report,
        {
            _POLARS: lambda: polars_baseline(orders, surveys, errors, as_of),
            _MINE_POLARS: lambda: monthly_report(
                orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ
            ),
        },
    )


_PANDAS = f"baseline hand-written pandas ({N:,} orders)"
_POLARS = f"baseline hand-written polars, lazy ({N:,} orders)"
_MINE_PANDAS = "ordercore on pandas"
_MINE_POLARS = "ordercore on polars"
_TIMES: dict[str, list[float]] = {}
"""Each timing's rounds, for the ratios."""


def main() -> None:
    """Measure and print."""
    report = Report("kpi")
    pandas_figures = _pandas(report, N)
    _polars(report, N, pandas_figures)
    t = _TIMES
    report.round_ratio("ordercore pandas / pandas baseline", t[_MINE_PANDAS], t[_PANDAS], bar=1.0)
    # the pandas baseline and ordercore on polars ran in different rounds: a ratio of medians
    report.ratio("ordercore polars / pandas baseline", _MINE_POLARS, _PANDAS, bar=0.6)
    report.round_ratio("ordercore polars / polars baseline", t[_MINE_POLARS], t[_POLARS], bar=1.0)
    report.ratio(
        "peak memory / input",
        "peak extra memory, ordercore on pandas",
        "input frames (pandas)",
        bar=3,
    )
