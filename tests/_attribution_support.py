"""Hand-computed lateness cases: seven orders and their trail (see tests/kpi/test_attribution.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ordercore.kpi.attribution import LatenessPolicy

UTC = dt.UTC
POLICY = LatenessPolicy(shares={"review": 1, "transit": 1})


def t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


def _orders(*rows: dict[str, Any]) -> pd.DataFrame:
    base = {
        "customer_id": "C-1",
        "channel": "web",
        "owner_id": "S-1",
        "received_at": t(1),
        "promised_at": None,
        "requested_at": None,
        "delivered_at": None,
        "cancelled_at": None,
        "cancelled_by": None,
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    for column in ("received_at", "promised_at", "requested_at", "delivered_at", "cancelled_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    frame["cancelled_by"] = frame["cancelled_by"].astype("str")
    return frame


def _events(
    *rows: tuple[str, str, dt.datetime] | tuple[str, str, dt.datetime, str, str],
) -> pd.DataFrame:
    records = [
        {
            "event_id": f"E{i}",
            "order_id": r[0],
            "event_type": r[1],
            "at": r[2],
            "hold_id": r[3] if len(r) > 3 else None,
            "hold_reason": r[4] if len(r) > 3 else None,
        }
        for i, r in enumerate(rows)
    ]
    frame = pd.DataFrame(records)
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.as_unit("us")
    for column in ("hold_id", "hold_reason"):
        frame[column] = frame[column].astype("str")
    return frame


# a: approved on day 3, shipped on day 8, delivered on day 12, promised for day 11
# b: two overlapping holds during review (credit 24 h, then address 12 h beyond it)
# c: open, approved, past its promise at as_of (overdue)
# d: open, approved, not yet due but projected to miss (at risk)
# e: delivered early (on time); f: cancelled; g: promised nothing, requested day 3
ORDERS = _orders(
    {"order_id": "a", "promised_at": t(11), "delivered_at": t(12)},
    {"order_id": "b", "promised_at": t(6), "delivered_at": t(7)},
    {"order_id": "c", "promised_at": t(3)},
    {"order_id": "d", "promised_at": t(20)},
    {"order_id": "e", "promised_at": t(5), "delivered_at": t(4)},
    {"order_id": "f", "promised_at": t(2), "cancelled_at": t(2), "cancelled_by": "customer"},
    {"order_id": "g", "requested_at": t(3), "delivered_at": t(4), "channel": "phone"},
)
EVENTS = _events(
    ("a", "order_approved", t(3)),
    ("a", "quantity_shipped", t(8)),
    ("b", "hold_placed", t(1, 12), "H1", "credit"),
    ("b", "hold_placed", t(2), "H2", "address"),
    ("b", "hold_released", t(2, 12), "H1", "credit"),
    ("b", "hold_released", t(3), "H2", "address"),
    ("b", "order_approved", t(3)),
    ("b", "quantity_shipped", t(4, 6)),
    ("c", "order_approved", t(1, 12)),
    ("d", "order_approved", t(2)),
    ("e", "order_approved", t(2)),
    ("g", "order_approved", t(2)),
)
AS_OF = t(13)
