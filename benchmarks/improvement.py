"""Improvement analysis: lateness attribution and conformance on 1 million generated orders.

The orders come from `ordercore.kpi.generate` (polars), their trail from the orders' own
milestones (created, review, risk assessment, approval, allocation, packing, shipment,
delivery; holds on the orders that have hold hours; feedback, closing and archiving of the
delivered ones): about ten events per order. ``ORDERCORE_BENCH_ORDERS`` changes the count.

Before timing, the attribution's parts are checked to sum exactly (in microseconds) to
every late order's lateness. The four are timed in turn, seven rounds of one run each, so
that a slow spell of the shared machine falls on all four. Printed: each one's median,
and the median of the rounds' ratios (with their range):

* the monthly report on the same orders, with their surveys and errors, as
  ``python -m benchmarks kpi`` runs it (polars): the baseline;
* lateness attribution (polars) / monthly report (bar <= 2);
* conformance (polars) / monthly report (bar <= 2);
* for scale, the floor of any conformance on polars: a bare group-by of the events it
  reads into each order's first moment of each type, joined to the orders (no check, no
  verdict) / monthly report.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

import polars as pl

from benchmarks._harness import Report, interleaved
from ordercore.kpi import generate, monthly_report
from ordercore.kpi.attribution import lateness_attribution
from ordercore.kpi.conformance import _READ_TYPES, conformance

N = int(os.environ.get("ORDERCORE_BENCH_ORDERS", "1000000"))
ROUNDS = 7
TZ = "Asia/Shanghai"
_HOUR = pl.duration(hours=1)


def trail(orders: pl.DataFrame) -> pl.DataFrame:
    """A trail frame for the generated orders: their milestones as events, ~10 per order."""
    o = orders.select(
        "order_id",
        "channel",
        "received_at",
        "approved_at",
        "shipped_at",
        "delivered_at",
        "hold_hours",
        _n=pl.int_range(pl.len()),
    )
    review = pl.col("received_at") + (pl.col("approved_at") - pl.col("received_at")) / 2
    holds = o.filter(pl.col("hold_hours") > 0)
    released = pl.col("approved_at") + _HOUR + pl.duration(seconds=pl.col("hold_hours") * 3600)
    delivered = o.filter(pl.col("delivered_at").is_not_null())
    level = (
        pl.when(pl.col("_n") % 50 == 0)
        .then(pl.lit("high"))
        .when(pl.col("_n") % 5 == 0)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )

    def events(frame: pl.DataFrame, kind: str, at: pl.Expr, **more: pl.Expr) -> pl.DataFrame:
        return frame.select("order_id", event_type=pl.lit(kind), at=at, **more).filter(
            pl.col("at").is_not_null()
        )

    confirmation = pl.when(pl.col("channel").is_in(["phone", "fax"])).then(pl.lit("CONF"))
    parts = [
        events(o, "order_created", pl.col("received_at"), confirmation_ref=confirmation),
        events(o, "review_started", review),
        events(o, "risk_assessed", review, risk_level=level),
        events(o, "order_approved", pl.col("approved_at")),
        events(o, "quantity_allocated", pl.col("approved_at") + _HOUR),
        events(
            o,
            "quantity_packed",
            pl.max_horizontal(pl.col("shipped_at") - 2 * _HOUR, pl.col("approved_at") + _HOUR),
        ),
        events(o, "quantity_shipped", pl.col("shipped_at")),
        events(o, "quantity_delivered", pl.col("delivered_at")),
        events(
            holds,
            "hold_placed",
            pl.col("approved_at") + _HOUR,
            hold_id=pl.lit("H-1"),
            hold_reason=pl.lit("credit"),
        ),
        events(
            holds,
            "hold_released",
            released,
            hold_id=pl.lit("H-1"),
            hold_reason=pl.lit("credit"),
            reason=pl.lit("cleared"),
        ),
        events(delivered, "feedback_recorded", pl.col("delivered_at") + 48 * _HOUR),
        events(delivered, "order_closed", pl.col("delivered_at") + 72 * _HOUR),
        events(delivered, "order_archived", pl.col("delivered_at") + 72 * _HOUR + 20 * 24 * _HOUR),
    ]
    frame = pl.concat(parts, how="diagonal_relaxed")
    return frame.with_columns(
        event_id=pl.concat_str(
            [pl.col("order_id"), pl.lit(":"), pl.int_range(pl.len()).cast(pl.String)]
        ),
        actor=pl.lit("S-1"),
        actor_kind=pl.lit("user"),
        reason=pl.col("reason").fill_null(""),
        checkpoint=pl.lit(None, pl.String),
        passed=pl.lit(None, pl.Boolean),
    )


def floor(orders: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The least any conformance does: each order's first moment of each type it reads."""
    kind, at = pl.col("event_type"), pl.col("at").dt.epoch("us")
    types = sorted(_READ_TYPES)
    firsts = (
        events.lazy()
        .filter(kind.is_in(types))
        .select(
            _k=pl.col("order_id").hash(1),
            **{t: pl.when(kind == t).then(at) for t in types},
        )
        .group_by("_k")
        .agg(pl.all().min())
    )
    keyed = orders.lazy().select("order_id", "channel", _k=pl.col("order_id").hash(1))
    return keyed.join(firsts, on="_k", how="left").collect(engine="streaming")


def _exact(result: Any) -> int:
    """Check that the parts sum exactly to each late order's lateness; return how many."""
    sums = result.parts.group_by("order_id").agg(pl.col("micros").sum())
    joined = result.orders.join(sums, on="order_id")
    wrong = joined.filter(pl.col("micros") != pl.col("lateness_us")).height
    if wrong or joined.height != result.orders.height:
        raise AssertionError(f"{wrong} late orders whose parts do not sum to their lateness")
    return int(joined.height)


def main() -> None:
    """Measure and print."""
    report = Report("improvement")
    data = generate(N, seed=11, backend="polars", with_lines=False)
    orders = data.orders
    events = trail(orders)
    report.add("orders", float(orders.height), "rows")
    report.add("events", float(events.height), "rows")
    as_of = data.as_of
    attributed = lateness_attribution(orders, events, as_of=as_of, tz=TZ)
    report.add(
        "late, overdue or at-risk orders (parts sum exactly)", float(_exact(attributed)), "orders"
    )
    checked = conformance(orders, events, as_of=as_of, tz=TZ)
    report.add(
        "conformance checks run", float(sum(s["checked"] for s in checked.summary)), "results"
    )
    surveys, errors = data.surveys, data.errors
    times = interleaved(
        {
            "monthly report (polars)": lambda: monthly_report(
                orders, surveys=surveys, errors=errors, as_of=as_of, tz=TZ
            ),
            "lateness attribution (polars)": lambda: lateness_attribution(
                orders, events, as_of=as_of, tz=TZ
            ),
            "conformance (polars)": lambda: conformance(orders, events, as_of=as_of, tz=TZ),
            "floor: first moments by order (bare polars)": lambda: floor(orders, events),
        },
        rounds=ROUNDS,
    )
    for label, seconds in times.items():
        report.add(f"{label}, median", statistics.median(seconds))
    baseline = times["monthly report (polars)"]
    report.round_ratio(
        "attribution / monthly report", times["lateness attribution (polars)"], baseline, bar=2.0
    )
    report.round_ratio(
        "conformance / monthly report", times["conformance (polars)"], baseline, bar=2.0
    )
    report.round_ratio(
        "floor (bare polars) / monthly report",
        times["floor: first moments by order (bare polars)"],
        baseline,
    )
