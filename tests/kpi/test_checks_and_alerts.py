from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ordercore.kpi import (
    check_frame,
)

T = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def test_past_due_alerts_skip_orders_that_are_rejected_expired_or_closed() -> None:
    from ordercore.kpi import PastDueNotShipped, alerts  # noqa: PLC0415

    late = T - dt.timedelta(days=10)
    frame = pd.DataFrame(
        {
            "order_id": ["open", "rejected", "expired", "closed"],
            "customer_id": ["C"] * 4,
            "channel": ["web"] * 4,
            "received_at": pd.to_datetime([late] * 4, utc=True),
            "requested_at": pd.to_datetime([late] * 4, utc=True),
            "status": ["approved", "rejected", "expired", "closed"],
        }
    )
    found = alerts(frame, [PastDueNotShipped(reference="requested_at")], as_of=T)
    assert found["order_id"].tolist() == ["open"]


def test_text_timestamps_get_a_hint_to_parse_them() -> None:
    from ordercore import FrameSchemaError  # noqa: PLC0415

    frame = pd.DataFrame(
        {
            "order_id": ["1"],
            "customer_id": ["C"],
            "channel": ["web"],
            "received_at": ["2026-03-02T09:00:00+08:00"],
        }
    )
    with pytest.raises(FrameSchemaError, match=r"to_datetime\(col, utc=True\)"):
        check_frame(frame, "orders")
