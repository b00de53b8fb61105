from __future__ import annotations

import datetime as dt
from typing import Literal

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


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_generated_frames_pass_every_check(backend: Literal["pandas", "polars"]) -> None:
    from ordercore.kpi import generate  # noqa: PLC0415

    data = generate(2000, seed=4, months=2, backend=backend)
    for name, frame in data.frames.items():
        orders = None if name in ("orders", "costs") else data.orders
        assert check_frame(frame, name, orders=orders) is frame


def test_a_nan_score_is_no_answer_but_a_nan_delivered_quantity_is_a_problem() -> None:
    import polars as pl  # noqa: PLC0415

    from ordercore import FrameSchemaError  # noqa: PLC0415

    surveys = pl.DataFrame(
        {"survey_id": ["1", "2"], "kind": "csat", "sent_at": [T, T], "score": [5.0, float("nan")]}
    )
    assert check_frame(surveys, "surveys") is surveys
    orders = pl.DataFrame(
        {
            "order_id": ["1"],
            "customer_id": "C",
            "channel": "web",
            "received_at": [T],
            "delivered_at": [T],
            "qty_delivered": [float("nan")],
        }
    )
    with pytest.raises(FrameSchemaError, match="qty_delivered: 1 null value"):
        check_frame(orders, "orders")
