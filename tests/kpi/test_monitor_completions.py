"""Monitoring completes: the requested date where no promise exists, shipped but not delivered,
SLAs per stage, and SLAs that depend on the order's risk level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from ordercore.errors import ConfigurationError, FrameSchemaError
from ordercore.kpi import PastDueNotShipped, StuckInStatus, alerts, orders_frame
from ordercore.kpi.monitor import ShippedNotDelivered, StageOverdue
from ordercore.testing.book import synthetic_book

Constructor = Callable[[pd.DataFrame], Any]
"""Builds the same frame in one backend from a pandas frame (the `constructor` fixture)."""


UTC = dt.UTC


def t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


AS_OF = t(10)
_STAMPS = (
    "received_at",
    "approved_at",
    "promised_at",
    "requested_at",
    "shipped_at",
    "delivered_at",
)


def _orders() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "order_id": ["a", "b", "c", "d"],
            "customer_id": "C",
            "channel": "web",
            "received_at": [t(1), t(1), t(2), t(8)],
            "approved_at": [t(1, 6), t(2), t(3), None],
            "promised_at": [None, t(9), None, None],
            "requested_at": [t(8), t(5), None, t(20)],
            "shipped_at": [None, t(6), t(4), None],
            "delivered_at": [None, None, t(5), None],
            "status": ["approved", "in_fulfilment", "fulfilled", "under_review"],
            "status_since": [t(1, 6), t(6), t(5), t(8)],
            "risk_level": pd.array(["high", "low", None, "high"], dtype="str"),
        }
    )
    for column in (*_STAMPS, "status_since"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    return frame


def _found(native: Any) -> list[tuple[str, str, float, str]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return [
        (r["order_id"], r["rule"], r["age_hours"], r["severity"]) for r in eager.rows(named=True)
    ]


def test_past_due_falls_back_to_the_requested_date_without_a_promise(
    constructor: Constructor,
) -> None:
    # a: promised nothing, requested day 8, not shipped; b: promised day 9, shipped
    found = _found(alerts(constructor(_orders()), [PastDueNotShipped()], as_of=AS_OF))
    assert found == [("a", "past_due_not_shipped", 48.0, "critical")]


def test_without_a_fallback_only_the_promise_counts(constructor: Constructor) -> None:
    rule = PastDueNotShipped(fallback=None)
    assert _found(alerts(constructor(_orders()), [rule], as_of=AS_OF)) == []


def test_shipped_but_not_delivered_beyond_the_carrier_sla(constructor: Constructor) -> None:
    # b shipped on day 6: 96 h in transit at as_of, SLA 72 h, critical from 144 h
    found = _found(alerts(constructor(_orders()), [ShippedNotDelivered()], as_of=AS_OF))
    assert found == [("b", "shipped_not_delivered", 96.0, "warning")]


def test_stage_slas_watch_each_stage_from_its_start(constructor: Constructor) -> None:
    rules = [StageOverdue("review", 24), StageOverdue("fulfilment", 120, critical_factor=1.5)]
    found = _found(alerts(constructor(_orders()), rules, as_of=AS_OF))
    # d in review for 48 h; a approved at 06:00 on day 1, unshipped for 210 h (critical)
    assert found == [
        ("a", "stage_overdue", 210.0, "critical"),
        ("d", "stage_overdue", 48.0, "warning"),
    ]


def test_a_stage_of_your_own_runs_between_two_timestamps(constructor: Constructor) -> None:
    rule = StageOverdue("approval_to_promise", 1, start="approved_at", end="promised_at")
    found = _found(alerts(constructor(_orders()), [rule], as_of=AS_OF))
    assert [f[0] for f in found] == ["a", "c"]


def test_slas_can_tighten_with_the_risk_level(constructor: Constructor) -> None:
    rules = [
        StuckInStatus("approved", 240, name="approved_sla"),
        StuckInStatus("approved", 48, levels=["high", "critical"], name="approved_sla_high"),
    ]
    found = _found(alerts(constructor(_orders()), rules, as_of=AS_OF))
    # a (high) has been approved for 210 h: over the tight SLA only
    assert found == [("a", "approved_sla_high", 210.0, "critical")]


def test_a_level_rule_needs_the_risk_level_column() -> None:
    with pytest.raises(FrameSchemaError, match="risk_level"):
        alerts(
            _orders().drop(columns="risk_level"),
            [ShippedNotDelivered(levels=["high"])],
            as_of=AS_OF,
        )


def test_a_stage_of_your_own_needs_its_columns() -> None:
    with pytest.raises(ConfigurationError, match="needs start and end"):
        StageOverdue("painting", 3)


def test_the_new_rules_speak_chinese() -> None:
    found = alerts(
        _orders(), [ShippedNotDelivered(), StageOverdue("review", 24)], as_of=AS_OF, lang="zh"
    )
    assert list(found["message"]) == [
        "订单 b：已发货 96.0 小时仍未签收，承运时限 72 小时（警告）",
        "订单 d：评审阶段已 48.0 小时，时限 24 小时（警告）",
    ]


def test_orders_frame_carries_the_risk_level() -> None:
    book = synthetic_book(orders=30, seed=3, violations={})
    frame = orders_frame(book.orders, book.events, as_of=book.as_of)
    assert set(frame["risk_level"].dropna()) <= {"low", "medium", "high", "critical"}
    assert frame["risk_level"].notna().sum() == sum(o.risk_level is not None for o in book.orders)
