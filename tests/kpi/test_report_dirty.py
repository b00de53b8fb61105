"""On ordinary-dirty frames the report still gives exactly the KPI functions' figures."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pytest

from ordercore.kpi import (
    cycle_time,
    fill_rate,
    line_report,
    monthly_report,
    otif,
    perfect_order,
    survey_score,
)

AS_OF = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
NAT = pd.NaT


def _t(month: int, day: int, hour: int = 12) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(2026, month, day, hour, tzinfo=dt.UTC))


def _orders() -> pd.DataFrame:
    base = {"customer_id": "C", "channel": "web", "owner_id": "S-1", "qty_cancelled": 0.0}
    rows = [
        # id, received, approved, promised, delivered, cancelled, by, ordered, delivered qty
        ("on-time", _t(2, 1), _t(2, 1, 13), _t(2, 5), _t(2, 4), NAT, None, 2.0, 2.0),
        ("late", _t(2, 2), _t(2, 2, 13), _t(2, 5), _t(2, 8), NAT, None, 1.0, 1.0),
        ("approved-first", _t(2, 3), _t(2, 2), _t(2, 6), _t(2, 5), NAT, None, 1.0, 1.0),
        ("delivered-first", _t(2, 4), _t(2, 4, 13), _t(2, 9), _t(2, 3), NAT, None, 1.0, 1.0),
        ("partial", _t(2, 5), _t(2, 5, 13), _t(2, 9), _t(2, 8), NAT, None, 4.0, 3.0),
        ("nan-qty", _t(2, 6), _t(2, 6, 13), _t(2, 9), _t(2, 8), NAT, None, 1.0, math.nan),
        ("customer-cancel", _t(2, 7), NAT, _t(2, 12), NAT, _t(2, 7, 15), "customer", 1.0, 0.0),
        ("seller-cancel", _t(2, 8), _t(2, 8, 13), _t(2, 12), NAT, _t(2, 9), "seller", 1.0, 0.0),
        ("twice", _t(2, 9), _t(2, 9, 13), _t(2, 12), _t(2, 11), NAT, None, 1.0, 1.0),
        ("twice", _t(2, 9), _t(2, 9, 13), _t(2, 12), _t(2, 11), NAT, None, 1.0, 1.0),
        ("no-receipt", NAT, _t(2, 10), _t(2, 12), _t(2, 11), NAT, None, 1.0, 1.0),
        ("open-due", _t(3, 1), _t(3, 1, 13), _t(3, 5), NAT, NAT, None, 1.0, 0.0),
        ("open-not-due", _t(3, 10), _t(3, 10, 13), _t(3, 30), NAT, NAT, None, 1.0, 0.0),
        ("march-on-time", _t(3, 2), _t(3, 2, 13), _t(3, 6), _t(3, 5), NAT, None, 1.0, 1.0),
        ("after-as-of", _t(3, 25), _t(3, 25, 13), _t(3, 28), NAT, NAT, None, 1.0, 0.0),
    ]
    names = ["order_id", "received_at", "approved_at", "promised_at", "delivered_at"]
    names += ["cancelled_at", "cancelled_by", "qty_ordered", "qty_delivered"]
    frame = pd.DataFrame([dict(zip(names, r, strict=True)) | base for r in rows])
    for column in ("received_at", "approved_at", "promised_at", "delivered_at", "cancelled_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _surveys() -> pd.DataFrame:
    rows = [
        ("v1", _t(2, 10), _t(2, 11), 5.0),
        ("v2", _t(2, 10), _t(3, 25), 5.0),  # answered after as_of: not an answer yet
        ("v3", _t(2, 11), NAT, math.nan),
        ("v4", _t(2, 12), _t(2, 13), 7.0),  # outside the 1-5 scale
        ("v5", _t(2, 12), _t(2, 11), 4.0),  # answered before it was sent
        ("v6", _t(2, 13), _t(2, 14), 2.0),
        ("v6", _t(2, 13), _t(2, 14), 2.0),
        ("v7", _t(3, 24), _t(3, 24, 13), 5.0),  # sent after as_of
    ]
    frame = pd.DataFrame(rows, columns=["survey_id", "sent_at", "responded_at", "score"])
    frame["responded_at"] = pd.to_datetime(frame["responded_at"], utc=True)
    return frame.assign(kind="csat", owner_id="S-1")


def _errors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "error_id": ["e1", "e2", "e3"],
            "order_id": ["on-time", "march-on-time", "ghost"],
            "error_type": ["damaged", "pricing", "damaged"],
            "found_at": [_t(2, 6), _t(3, 25), _t(2, 6)],
        }
    )


def _lines() -> pd.DataFrame:
    rows = [
        # order, line, received, promised, delivered, ordered, shipped, delivered qty
        ("A", "1", _t(2, 1), _t(2, 5), _t(2, 4), 2.0, 2.0, 2.0),
        ("A", "2", _t(2, 1), _t(2, 5), _t(2, 9), 3.0, 2.0, 2.0),
        ("B", "1", _t(2, 3), _t(2, 6), _t(2, 2), 1.0, 1.0, 1.0),  # delivered before received
        ("C", "1", _t(2, 4), _t(2, 8), _t(2, 7), 5.0, math.nan, 5.0),
        ("D", "1", _t(3, 10), _t(3, 30), NAT, 4.0, 0.0, 0.0),  # not due, not filled
        ("D", "2", _t(3, 10), _t(3, 30), NAT, 2.0, 2.0, 0.0),  # not due, filled
        ("E", "1", _t(3, 1), _t(3, 5), NAT, 6.0, 3.0, 0.0),  # due, partly filled
        ("F", "1", _t(3, 25), _t(3, 28), NAT, 1.0, 0.0, 0.0),  # after as_of
    ]
    names = ["order_id", "line_id", "received_at", "promised_at", "delivered_at"]
    names += ["qty_ordered", "qty_shipped", "qty_delivered"]
    frame = pd.DataFrame(rows, columns=names)
    frame["delivered_at"] = pd.to_datetime(frame["delivered_at"], utc=True)
    return frame


def _same(got: Any, expected: Any, label: tuple[Any, ...]) -> None:
    if isinstance(expected, float) and isinstance(got, float):
        assert got == pytest.approx(expected, rel=1e-12), label
    else:
        assert got == expected, label


def test_the_report_on_dirty_frames_gives_the_kpi_functions_figures() -> None:
    orders, surveys, errors = _orders(), _surveys(), _errors()
    report = monthly_report(
        orders, surveys=surveys, errors=errors, as_of=AS_OF, duplicates="exclude"
    )
    rows = report.rows()
    assert [r["period"] for r in rows] == ["2026-02", "2026-03"]
    for row in rows:
        scope: dict[str, Any] = {"as_of": AS_OF, "period": row["period"], "duplicates": "exclude"}
        speed = cycle_time(orders, **scope)
        delivery = otif(orders, **scope)
        perfect = perfect_order(orders, errors, **scope)
        csat = survey_score(surveys, "csat", **scope)
        excluded = delivery.exclusions
        unjudged = int(str(excluded["duplicate_key"])) + int(str(excluded["reversed_timestamps"]))
        pairs = {
            "unjudged": unjudged,
            "delivered": speed.denominator,
            "censored": speed.details["censored"],
            "cycle_mean_h": speed.value,
            "counted": delivery.denominator,
            "otif": delivery.numerator,
            "on_time": delivery.details["on_time_count"],
            "in_full": delivery.details["in_full_count"],
            "perfect": perfect.numerator,
            "csat_responses": csat.denominator,
            "csat_top2": csat.numerator,
        }
        for name, expected in pairs.items():
            _same(row[name], expected, (row["period"], name))


def test_the_february_row_of_the_dirty_frames_reads_as_computed_by_hand() -> None:
    rows = monthly_report(
        _orders(), surveys=_surveys(), errors=_errors(), as_of=AS_OF, duplicates="exclude"
    ).rows()
    february = rows[0]
    # 11 rows received in February (the order without received_at is in no month); the
    # repeated order (2 rows) and the two with reversed timestamps cannot be judged by OTIF
    assert (february["orders"], february["unjudged"]) == (10, 4)
    # cycle time still reads the order approved before it was received
    assert february["delivered"] == 3
    # counted: on-time, late, partial (past due, open), seller-cancel; nan-qty is invalid
    assert (february["counted"], february["otif"], february["perfect"]) == (4, 1, 0)
    # v1 (5) and v6 excluded as a repeated key; v5 answered before it was sent
    assert (february["csat_responses"], february["csat_top2"]) == (1, 1)


def test_the_line_report_on_dirty_lines_gives_line_otif_and_fill_rate_figures() -> None:
    lines = _lines()
    rows = line_report(lines, as_of=AS_OF).rows()
    assert [r["period"] for r in rows] == ["2026-02", "2026-03"]
    for row in rows:
        delivery = otif(lines, "line_commit", as_of=AS_OF, period=row["period"])
        fill = fill_rate(lines, kind="unit", as_of=AS_OF, period=row["period"])
        _same(row["counted"], delivery.denominator, (row["period"], "counted"))
        _same(row["otif"], delivery.numerator, (row["period"], "otif"))
        _same(row["units_owed"], fill.denominator, (row["period"], "units_owed"))
        _same(row["units_filled"], fill.numerator, (row["period"], "units_filled"))
    # March: D-2 is filled though not due, E-1 is due and 3 of 6 filled, D-1 waits
    assert (rows[1]["units_owed"], rows[1]["units_filled"]) == (8.0, 5.0)
