"""`_common.load(rows=...)`: every row is checked, only the rows picked are prepared.

The analyses that read the events of some orders only (lateness attribution reads those of
the late and open orders) pick them before the timestamps are prepared; the checks must
still see every row, and a repeated key must still be told by all the rows that repeat it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from ordercore.errors import FrameSchemaError
from ordercore.kpi import _common

Constructor = Callable[[pd.DataFrame], Any]
"""Builds the same frame in one backend from a pandas frame (the `constructor` fixture)."""
AS_OF = datetime(2026, 3, 10, tzinfo=UTC)


def _events(**changes: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "order_id": ["a", "a", "b", "b"],
            "event_type": ["order_created", "order_approved", "order_created", "order_approved"],
            "at": pd.to_datetime(
                ["2026-03-01", "2026-03-02", "2026-03-01", "2026-03-03"], utc=True
            ),
        }
    )
    return frame.assign(**changes)


def _only_a(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    return lf.filter(nw.col("order_id") == "a")


def _read(lf: nw.LazyFrame[Any]) -> list[dict[str, Any]]:
    names = ["event_id", "_ok", "_x_duplicate_key"]
    out = lf.select(names).collect().sort("event_id")
    return list(out.rows(named=True))


def test_only_the_rows_picked_are_read(constructor: Constructor) -> None:
    lf = _common.load(constructor(_events()), "events", tz="UTC", as_of=AS_OF, rows=_only_a)
    assert [r["event_id"] for r in _read(lf)] == ["e1", "e2"]


def test_a_row_not_picked_is_still_checked(constructor: Constructor) -> None:
    frame = constructor(_events(order_id=["a", "a", "b", None]))
    with pytest.raises(FrameSchemaError, match="order_id: 1 null"):
        _common.load(frame, "events", tz="UTC", as_of=AS_OF, rows=_only_a)


def test_a_key_repeated_by_a_row_not_picked_still_excludes_the_row_picked(
    constructor: Constructor,
) -> None:
    # e2 repeats in b's events: a's e2 is a duplicate although b's rows are not read
    frame = constructor(_events(event_id=["e1", "e2", "e3", "e2"]))
    lf = _common.load(frame, "events", tz="UTC", as_of=AS_OF, duplicates="exclude", rows=_only_a)
    assert _read(lf) == [
        {"event_id": "e1", "_ok": True, "_x_duplicate_key": False},
        {"event_id": "e2", "_ok": False, "_x_duplicate_key": True},
    ]
