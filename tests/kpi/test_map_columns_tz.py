"""`map_columns(..., tz=)` reads an export's wall-clock text in the export's own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest

from ordercore.errors import FrameSchemaError
from ordercore.kpi import map_columns

MAPPING = {"SO": "order_id", "CREATED": "received_at", "NOTE_AT": "note"}
RAW = {
    "SO": ["a", "b"],
    # the last hour of March in Shanghai is already April in UTC+0 wall-clock reading
    "CREATED": ["2026-03-01 08:30:00", "2026-03-31 23:30:00"],
    "NOTE_AT": ["2026-03-01 08:30:00", "x"],  # not a timestamp column: left alone
}
EXPECTED = [datetime(2026, 3, 1, 0, 30, tzinfo=UTC), datetime(2026, 3, 31, 15, 30, tzinfo=UTC)]


def _values(native: Any, column: str) -> list[Any]:
    if isinstance(native, pl.LazyFrame):
        native = native.collect()
    if isinstance(native, pl.DataFrame):
        return native[column].to_list()
    return [getattr(value, "to_pydatetime", lambda v=value: v)() for value in native[column]]


@pytest.mark.parametrize(
    "build", [pd.DataFrame, pl.DataFrame, pl.LazyFrame], ids=["pandas", "polars", "polars-lazy"]
)
def test_wall_clock_text_becomes_utc_instants_of_the_export_zone(build: Any) -> None:
    out = map_columns(build(RAW), MAPPING, tz="Asia/Shanghai")
    assert _values(out, "received_at") == EXPECTED
    assert _values(out, "note")[1] == "x"


def test_naive_datetimes_are_localised_and_aware_ones_left_as_they_are() -> None:
    naive = pd.DataFrame({"SO": ["a"], "CREATED": pd.to_datetime(["2026-03-01 08:30:00"])})
    mapping = {"SO": "order_id", "CREATED": "received_at"}
    assert _values(map_columns(naive, mapping, tz="Asia/Shanghai"), "received_at") == EXPECTED[:1]
    aware = naive.assign(CREATED=naive["CREATED"].dt.tz_localize("UTC"))
    out = map_columns(aware, mapping, tz="Asia/Shanghai")
    assert _values(out, "received_at") == [datetime(2026, 3, 1, 8, 30, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("created", "tz", "text"),
    [
        ("2026-03-29 02:30:00", "Europe/Berlin", "in Europe/Berlin"),  # a time the gap skips
        ("not a time", "Asia/Shanghai", "in Asia/Shanghai"),
    ],
)
def test_text_that_is_no_time_in_the_zone_is_refused_naming_it(
    created: str, tz: str, text: str
) -> None:
    frame = pd.DataFrame({"SO": ["a"], "CREATED": [created]})
    with pytest.raises(FrameSchemaError, match=text) as caught:
        map_columns(frame, {"SO": "order_id", "CREATED": "received_at"}, tz=tz)
    assert caught.value.columns == ("received_at",)


def test_duckdb_is_refused_with_a_typed_error() -> None:
    relation = duckdb.sql("select 'a' as SO, '2026-03-01 08:30:00' as CREATED")
    with pytest.raises(FrameSchemaError, match="wall-clock time in Asia/Shanghai"):
        map_columns(
            relation,
            {"SO": "order_id", "CREATED": "received_at"},
            tz="Asia/Shanghai",
            time_format="%Y-%m-%d %H:%M:%S",
        )


def test_without_tz_nothing_is_converted() -> None:
    out = map_columns(pd.DataFrame(RAW), MAPPING)
    assert list(out["received_at"]) == RAW["CREATED"]
