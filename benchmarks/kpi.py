"""KPIs: the monthly report on 5 million generated orders.

Baseline in the same run: hand-written pandas for the report's measures (cycle time p50/p90,
on time, OTIF, perfect order, CSAT counts), as a good analyst would write them. Printed:
ordercore on pandas / baseline (bar <= 1.2), ordercore on polars / pandas baseline
(bar <= 0.8), and the peak memory of the pandas run against the input frame (bar <= 3).
"""

from __future__ import annotations

import os
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._harness import Report, median_time
from ordercore.kpi import generate, monthly_report

N = int(os.environ.get("ORDERCORE_BENCH_ORDERS", "5000000"))
TZ = "Asia/Shanghai"


def baseline(
    orders: pd.DataFrame, surveys: pd.DataFrame, errors: pd.DataFrame, as_of: Any
) -> pd.DataFrame:
    """Hand-written pandas: the same definitions as ordercore's report, scor_commit policy."""
    now = pd.Timestamp(as_of)
    received = orders["received_at"].dt.tz_convert(TZ)
    month = received.dt.year * 100 + received.dt.month
    day = pd.Timedelta(days=1)
    local_day = lambda s: (s.dt.tz_convert(TZ).dt.tz_localize(None) - pd.Timestamp(0)) // day  # noqa: E731
    today = (now.tz_convert(TZ).tz_localize(None) - pd.Timestamp(0)) // day
    cancelled = orders["cancelled_at"].notna() & (orders["cancelled_at"] <= now)
    delivered = orders["delivered_at"].notna() & (orders["delivered_at"] <= now)
    done = delivered & ~cancelled
    hours = ((orders["delivered_at"] - orders["received_at"]) / pd.Timedelta(hours=1)).where(done)
    by_customer = cancelled & (orders["cancelled_by"] == "customer")
    seller = cancelled & ~by_customer
    owed = orders["qty_ordered"] - orders["qty_cancelled"].fillna(0.0)
    complete = delivered & (orders["qty_delivered"].fillna(0.0) >= owed)
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
    bad_full = orders["order_id"].isin(
        err.loc[
            err["error_type"].isin(["wrong_item", "wrong_quantity", "missing_item"]), "order_id"
        ]
    )
    bad_place = orders["order_id"].isin(err.loc[err["error_type"] == "wrong_address", "order_id"])
    bad_doc = orders["order_id"].isin(
        err.loc[err["error_type"].isin(["documentation", "pricing"]), "order_id"]
    )
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
    csat = surveys[surveys["kind"] == "csat"]
    sent = csat["sent_at"].dt.tz_convert(TZ)
    answered = csat["score"].between(1, 5)
    cs = pd.DataFrame(
        {
            "month": sent.dt.year * 100 + sent.dt.month,
            "r": answered,
            "t": csat["score"].between(4, 5),
        }
    )
    out = out.join(
        cs.groupby("month").agg(csat_responses=("r", "sum"), csat_top2=("t", "sum")), how="outer"
    )
    for name in ("on_time", "otif", "perfect"):
        out[f"{name}_rate"] = out[name] / out["counted"]
    return out


def _agree(a: np.ndarray, b: np.ndarray) -> None:
    if not np.allclose(a.astype("float64"), b.astype("float64"), equal_nan=True):
        raise RuntimeError(f"the baseline disagrees with ordercore: {a} vs {b}")


def main() -> None:
    """Measure and print."""
    report = Report("kpi")
    data = generate(N, seed=42, with_lines=False)
    orders, surveys, errors = data.orders, data.surveys, data.errors
    as_of = data.as_of
    mine = monthly_report(orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ).frame
    theirs = baseline(orders, surveys, errors, as_of).fillna({"orders": 0, "otif": 0, "perfect": 0})
    _agree(mine["otif"].to_numpy(), theirs["otif"].to_numpy())
    _agree(mine["perfect"].to_numpy(), theirs["perfect"].to_numpy())
    _agree(mine["cycle_p90_h"].to_numpy(), theirs["cycle_p90_h"].to_numpy())
    report.add(
        f"baseline hand-written pandas ({N:,} orders)",
        median_time(lambda: baseline(orders, surveys, errors, as_of), repeat=3),
    )
    report.add(
        "ordercore on pandas",
        median_time(
            lambda: monthly_report(orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ),
            repeat=3,
        ),
    )
    pl_data = generate(N, seed=42, with_lines=False, backend="polars")
    report.add(
        "ordercore on polars",
        median_time(
            lambda: monthly_report(
                pl_data.orders, surveys=pl_data.surveys, errors=pl_data.errors, as_of=as_of, tz=TZ
            ),
            repeat=3,
        ),
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
    report.ratio(
        "ordercore pandas / baseline",
        "ordercore on pandas",
        f"baseline hand-written pandas ({N:,} orders)",
        bar=1.2,
    )
    report.ratio(
        "ordercore polars / pandas baseline",
        "ordercore on polars",
        f"baseline hand-written pandas ({N:,} orders)",
        bar=0.8,
    )
    report.ratio(
        "peak memory / input",
        "peak extra memory, ordercore on pandas",
        "input frames (pandas)",
        bar=3,
    )
