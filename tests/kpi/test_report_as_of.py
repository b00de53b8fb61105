"""The monthly report stands at `as_of` and agrees with the KPI functions figure by figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from ordercore.kpi import (
    cycle_time,
    generate,
    monthly_report,
    otif,
    perfect_order,
    survey_score,
)

TZ = "Asia/Shanghai"
DATA = generate(3000, seed=21, months=3)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _sent_by(surveys: pd.DataFrame, as_of: dt.datetime) -> pd.DataFrame:
    return surveys[surveys["sent_at"] <= pd.Timestamp(as_of)]


def test_orders_received_after_as_of_are_neither_counted_nor_censored() -> None:
    as_of = DATA.as_of - dt.timedelta(days=20)
    report = monthly_report(DATA.orders, as_of=as_of, tz=TZ)
    rows = report.rows()
    received = int((DATA.orders["received_at"] <= pd.Timestamp(as_of)).sum())
    assert sum(r["orders"] for r in rows) == received
    assert (
        sum(r["censored"] for r in rows)
        == cycle_time(DATA.orders, as_of=as_of, tz=TZ).details["censored"]
    )


def test_no_month_after_as_of_appears() -> None:
    as_of = dt.datetime(2026, 2, 10, tzinfo=dt.UTC)
    report = monthly_report(DATA.orders, surveys=DATA.surveys, as_of=as_of, tz=TZ)
    assert [r["period"] for r in report.rows()] == ["2026-01", "2026-02"]


def test_surveys_sent_after_as_of_are_not_counted() -> None:
    as_of = DATA.as_of - dt.timedelta(days=20)
    report = monthly_report(DATA.orders, surveys=DATA.surveys, as_of=as_of, tz=TZ)
    known = _sent_by(DATA.surveys, as_of)
    csat = known[(known["kind"] == "csat") & known["score"].between(1, 5)]
    assert sum(r["csat_responses"] for r in report.rows()) == len(csat)


def test_an_error_found_after_as_of_does_not_break_a_perfect_order_yet() -> None:
    at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    orders = pd.DataFrame(
        {
            "order_id": ["a"],
            "customer_id": ["c"],
            "channel": ["web"],
            "received_at": [at],
            "promised_at": [at + dt.timedelta(days=3)],
            "delivered_at": [at + dt.timedelta(days=2)],
            "qty_ordered": [1.0],
            "qty_delivered": [1.0],
        }
    )
    errors = pd.DataFrame(
        {
            "error_id": ["e"],
            "order_id": ["a"],
            "error_type": ["damaged"],
            "found_at": [at + dt.timedelta(days=6)],
        }
    )
    before = monthly_report(orders, errors=errors, as_of=at + dt.timedelta(days=5))
    after = monthly_report(orders, errors=errors, as_of=at + dt.timedelta(days=7))
    assert [r["perfect"] for r in before.rows()] == [1]
    assert [r["perfect"] for r in after.rows()] == [0]


def _standalone(row: dict[str, Any], by: tuple[str, ...], as_of: dt.datetime) -> dict[str, Any]:
    where = {c: row[c] for c in by} or None
    scope: dict[str, Any] = {"as_of": as_of, "tz": TZ, "period": row["period"], "where": where}
    speed = cycle_time(DATA.orders, **scope)
    delivery = otif(DATA.orders, **scope)
    perfect = perfect_order(DATA.orders, DATA.errors, **scope)
    csat = survey_score(DATA.surveys, "csat", **scope)
    return {
        "delivered": speed.denominator,
        "censored": speed.details["censored"],
        "cycle_mean_h": speed.value,
        "cycle_p50_h": speed.details.get("p50"),
        "cycle_p90_h": speed.details.get("p90"),
        "counted": delivery.denominator,
        "otif": delivery.numerator,
        "on_time": delivery.details["on_time_count"],
        "in_full": delivery.details["in_full_count"],
        "otif_rate": delivery.value,
        "perfect": perfect.numerator,
        "perfect_rate": perfect.value,
        "csat_responses": csat.denominator,
        "csat_top2": csat.numerator,
        "csat_rate": csat.value,
        "status": delivery.status.value,
    }


@pytest.mark.parametrize(
    ("by", "days_before_end"),
    [((), 0), ((), 25), (("channel",), 40)],
    ids=["whole-window", "as-of-inside-the-window", "by-channel"],
)
def test_every_figure_of_the_report_equals_its_kpi_function(
    by: tuple[str, ...], days_before_end: int
) -> None:
    as_of = DATA.as_of - dt.timedelta(days=days_before_end)
    report = monthly_report(
        DATA.orders, surveys=DATA.surveys, errors=DATA.errors, as_of=as_of, tz=TZ, by=list(by)
    )
    rows = report.rows()
    assert rows
    for row in rows:
        expected = _standalone(row, by, as_of)
        for name, value in expected.items():
            if isinstance(value, str):
                assert row[name] == value, (row["period"], name)
            else:
                assert _close(row[name], value), (row["period"], name, row[name], value)
