"""The improvement report: hand-computed headlines, and the whole companion on a real book."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from ordercore.errors import ConfigurationError
from ordercore.kpi import OtifPolicy
from ordercore.kpi.attribution import LatenessPolicy
from ordercore.kpi.improvement import improvement_report
from ordercore.kpi.trail import TRAIL_COLUMNS, trail_frame
from ordercore.testing.book import INJECTABLE, synthetic_book

UTC = dt.UTC


def t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


ORDERS = pd.DataFrame(
    {
        "order_id": ["a", "b"],
        "customer_id": "C-1",
        "channel": "web",
        "owner_id": "S-1",
        "received_at": [t(1), t(1)],
        "promised_at": [t(11), t(6)],
        "delivered_at": [t(12), t(7)],
        "qty_ordered": 5.0,
        "qty_delivered": 5.0,
    }
)
for _c in ("received_at", "promised_at", "delivered_at"):
    ORDERS[_c] = ORDERS[_c].dt.as_unit("us")


def _trail(rows: list[tuple[str, str, dt.datetime, dict[str, Any]]]) -> pd.DataFrame:
    records = [
        {
            "event_id": f"E{i}",
            "order_id": o,
            "event_type": k,
            "at": at,
            "actor": "S-1",
            "actor_kind": "user",
            "reason": "",
            **dict.fromkeys(TRAIL_COLUMNS),
            **more,
        }
        for i, (o, k, at, more) in enumerate(rows)
    ]
    frame = pd.DataFrame(records)
    frame["at"] = frame["at"].dt.as_unit("us")
    for column in TRAIL_COLUMNS:
        frame[column] = frame[column].astype("boolean" if column == "passed" else "str")
    for column in ("actor", "actor_kind", "reason"):
        frame[column] = frame[column].astype("str")
    return frame


TRAIL = _trail(
    [
        ("a", "order_approved", t(3), {}),
        ("a", "quantity_shipped", t(8), {}),
        ("b", "hold_placed", t(1, 12), {"hold_id": "H1", "hold_reason": "credit"}),
        ("b", "hold_placed", t(2), {"hold_id": "H2", "hold_reason": "address"}),
        ("b", "hold_released", t(2, 12), {"hold_id": "H1", "hold_reason": "credit"}),
        ("b", "hold_released", t(3), {"hold_id": "H2", "hold_reason": "address"}),
        ("b", "order_approved", t(3), {}),
        ("b", "quantity_shipped", t(4, 6), {}),
    ]
)
POLICY = LatenessPolicy(shares={"review": 1, "transit": 1})


def _report() -> Any:
    return improvement_report(ORDERS, TRAIL, as_of=t(20), period="2026-03", lateness=POLICY)


def test_the_biggest_cause_of_the_months_lateness_is_named() -> None:
    report = _report()
    # dispatch over budget on a (120 h) and b (30 h); b's holds 24 h + 12 h; b's transit 6 h
    cause = report.biggest_cause
    assert (cause["part"], cause["late_hours"], cause["over_budget"]) == ("dispatch", 150.0, 2)
    assert cause["share"] == 150.0 / 192.0
    assert report.headlines()[0] == (
        "2026-03 biggest cause of lateness: dispatch (78% of the late hours, 150 h, "
        "over budget on 2 orders)"
    )


def test_the_checks_that_fail_most_are_named() -> None:
    report = _report()
    # neither order was reviewed nor assessed; b's holds were released without a reason
    assert [s["check"] for s in report.worst_checks] == [
        "reviewed_before_approval",
        "risk_assessed_before_approval",
        "hold_release_authorised",
    ]
    assert report.headlines("zh")[1].startswith(
        "未通过最多的制度检查：每个订单在审批前已评审（0%）；"
    )


def test_without_the_month_before_there_are_no_drivers() -> None:
    report = _report()
    assert report.drivers == {}
    assert "(no data for the month before)" in report.to_markdown()


def test_a_month_without_late_orders_says_so() -> None:
    report = improvement_report(ORDERS, TRAIL, as_of=t(20), period="2026-04", lateness=POLICY)
    assert report.biggest_cause is None
    assert report.headlines()[0] == "2026-04: no late orders"


def test_the_period_must_be_a_month() -> None:
    with pytest.raises(ConfigurationError, match="period must look like"):
        improvement_report(ORDERS, TRAIL, as_of=t(20), period="March")


def test_on_a_real_book_every_part_of_the_companion_is_there() -> None:
    book = synthetic_book(orders=400, seed=8, violations=dict.fromkeys(INJECTABLE, 0.2))
    frames = book.frames()
    report = improvement_report(
        frames["orders"],
        trail_frame(book.events),
        as_of=book.as_of,
        period="2026-06",
        lines=frames["lines"],
        cases=frames["cases"],
        surveys=frames["surveys"],
        otif=OtifPolicy(reference="requested"),
    )
    assert report.biggest_cause is not None
    assert {"on_time_rate", "otif_rate"} <= set(report.drivers)
    for change in report.drivers.values():
        assert change.exact["mix"] + change.exact["rate"] == change.exact["change"]
    failing = {s["check"] for s in report.conformance.summary if s["failed"]}
    assert failing == {c for c, ids in book.violations.items() if ids}
    markdown = report.to_markdown("zh")
    assert "## 改进分析 2026-06" in markdown
    assert "### 制度执行" in markdown
