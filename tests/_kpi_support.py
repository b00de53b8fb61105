"""Builders for hand-computed KPI cases: one orders frame row per dict."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

UTC = dt.UTC
STAMPS = (
    "received_at",
    "approved_at",
    "promised_at",
    "requested_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "status_since",
    "hold_since",
)


def at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def orders(*rows: dict[str, Any]) -> pd.DataFrame:
    base = {
        "customer_id": "C-1",
        "channel": "web",
        "received_at": at(1),
        "approved_at": at(1, 13),
        "promised_at": at(5),
        "delivered_at": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "qty_ordered": 10.0,
        "qty_cancelled": 0.0,
        "qty_delivered": 0.0,
        "owner_id": "S-1",
    }
    frame = pd.DataFrame([{"order_id": f"SO-{i}", **base, **row} for i, row in enumerate(rows)])
    for column in STAMPS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    for column in ("cancelled_by",):
        frame[column] = frame[column].astype("str")
    return frame


AS_OF = at(20)
