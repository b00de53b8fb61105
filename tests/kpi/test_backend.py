"""The one per-backend module: which frames are accepted, and exact epoch seconds everywhere."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from ordercore.errors import UnsupportedBackend
from ordercore.kpi import _backend, cycle_time, monthly_report

if TYPE_CHECKING:
    from collections.abc import Sequence

AS_OF = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


class DaskLikeFrame:
    """Stands in for a Dask DataFrame: ordercore recognises Dask by the frame's module."""


DaskLikeFrame.__module__ = "dask.dataframe.dask_expr._collection"


def test_a_dask_frame_is_refused_with_the_reason_and_the_supported_backends() -> None:
    with pytest.raises(UnsupportedBackend) as caught:
        monthly_report(DaskLikeFrame(), as_of=AS_OF)
    message = str(caught.value)
    assert "supported: pandas, polars, duckdb, pyspark" in message
    assert "Dask is not supported" in message
    assert caught.value.supported == ("pandas", "polars", "duckdb", "pyspark")


@pytest.mark.parametrize(
    "frame",
    [{"order_id": ["a"]}, pa.table({"order_id": ["a"]}), pd.Series(["a"], name="order_id")],
    ids=["dict", "pyarrow", "pandas-series"],
)
def test_an_unsupported_frame_type_names_itself_and_the_supported_ones(frame: object) -> None:
    with pytest.raises(UnsupportedBackend, match=r"supported: pandas, polars, duckdb, pyspark$"):
        cycle_time(frame, as_of=AS_OF)


def test_supported_frames_are_named() -> None:
    frame = pl.DataFrame({"a": [1]})
    assert [
        _backend.backend_of(f)
        for f in (frame.to_pandas(), frame, frame.lazy(), duckdb.from_arrow(frame.to_arrow()))
    ] == ["pandas", "polars", "polars", "duckdb"]


_MICROS = [1_767_225_600_000_000 + 7_777_777 * i + i * i for i in range(2000)]
"""Microsecond UTC stamps of 2026, spread so that a third divide inexactly by a reciprocal."""


def _stamps_on_every_eager_backend(micros: Sequence[int | None]) -> dict[str, object]:
    """An ``at`` column of these UTC microseconds on pandas, polars and DuckDB."""
    stamps = pl.DataFrame({"at": micros}).select(
        pl.col("at").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    )
    return {
        "pandas": stamps.to_pandas(),
        "polars": stamps,
        "duckdb": duckdb.connect().from_arrow(stamps.to_arrow()),
    }


def test_epoch_seconds_are_correctly_rounded_and_identical_on_every_eager_backend() -> None:
    # a third of these microsecond stamps are one ulp off if divided through a reciprocal
    expected = [m / 1e6 for m in _MICROS]
    for name, frame in _stamps_on_every_eager_backend(_MICROS).items():
        got = _backend.prepare(frame, ["at"], "UTC").collect().get_column("at").to_list()
        assert got == expected, name


def test_epoch_microseconds_are_exact_and_missing_stays_missing_on_every_eager_backend() -> None:
    for name, frame in _stamps_on_every_eager_backend([*_MICROS, None]).items():
        prepared = _backend.prepare(frame, ["at"], "UTC", micros=True).collect()
        got = prepared.get_column("at").to_list()
        assert got[:-1] == [float(m) for m in _MICROS], name
        assert got[-1] is None or math.isnan(got[-1]), name


def test_load_in_microseconds_excludes_what_happened_after_as_of_as_in_seconds() -> None:
    from ordercore.kpi import _common  # noqa: PLC0415 - the loader under test

    at = [AS_OF - dt.timedelta(microseconds=1), AS_OF, AS_OF + dt.timedelta(microseconds=1)]
    events = pd.DataFrame({"order_id": ["a", "b", "c"], "event_type": "x", "at": at})
    events["at"] = events["at"].dt.as_unit("us")
    for micros in (False, True):
        lf = _common.load(events, "events", tz="UTC", stamps=["at"], as_of=AS_OF, micros=micros)
        kept = lf.filter(nw.col("_ok")).collect().get_column("order_id").to_list()
        assert kept == ["a", "b"], micros


def test_local_day_of_a_missing_timestamp_is_null_on_pandas() -> None:
    frame = pd.DataFrame(
        {"at": pd.Series([pd.Timestamp("2026-03-01T23:30Z"), pd.NaT], dtype="datetime64[us, UTC]")}
    )
    prepared = _backend.prepare(frame, [], "Asia/Shanghai", local=["at"]).collect()
    day = prepared.get_column("at__day").to_list()
    assert day[0] == 20514  # 2 March in Shanghai, the day after in UTC
    assert pd.isna(day[1])
    assert prepared.get_column("at__month").to_list()[0] == 202603


@pytest.mark.parametrize("library", ["pandas", "polars", "duckdb"])
def test_aggregate_quantiles_match_numpy_per_group_and_overall(library: str) -> None:
    """Quantiles with other measures: a null key, an all-null group, two names for one q."""
    import narwhals.stable.v2 as nw  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    keys = ["a", "a", "a", None, None, "b", "c", "c"]
    values = [3.0, 1.0, 2.0, 10.0, 0.5, None, 4.0, 4.0]
    table = pa.table({"k": pa.array(keys, pa.string()), "v": pa.array(values, pa.float64())})
    native: object = {
        "pandas": table.to_pandas(),
        "polars": pl.from_arrow(table),
        "duckdb": duckdb.connect().from_arrow(table),
    }[library]
    measures: dict[str, nw.Expr | _backend.Quantile] = {
        "n": nw.col("v").count(),
        "p90": _backend.Quantile("v", 0.9),
        "p50": _backend.Quantile("v", 0.5),
        "median": _backend.Quantile("v", 0.5),
    }
    lf = _backend.lazy(native)
    # pandas' string dtype reads a missing key as NaN
    grouped = {
        (None if r["k"] != r["k"] else r["k"]): r
        for r in _backend.rows(_backend.aggregate(lf, ["k"], measures))
    }
    overall = _backend.rows(_backend.aggregate(lf, [], measures))[0]
    assert list(_backend.aggregate(lf, ["k"], measures).collect_schema()) == ["k", *measures]
    expected: dict[str | None, list[float]] = {}
    for key, value in zip(keys, values, strict=True):
        expected.setdefault(key, [])
        if value is not None:
            expected[key].append(value)
    rows = {**grouped, "__all__": overall}
    for key, present in {**expected, "__all__": [v for v in values if v is not None]}.items():
        row = rows[key]
        assert row["n"] == len(present)
        for name, q in (("p90", 0.9), ("p50", 0.5), ("median", 0.5)):
            got = row[name]
            if not present:
                assert got is None or got != got  # noqa: PLR0124 - null or NaN
            else:
                assert got == pytest.approx(float(np.quantile(present, q)), rel=1e-12)


def test_duckdb_lookup_tables_take_none_nan_and_infinity_as_typed_values() -> None:
    relation = duckdb.connect().from_arrow(pa.table({"a": [1]}))
    table = _backend.small_table(
        relation,
        {
            "rate": [0.5, None, float("nan"), float("inf"), float("-inf")],
            "name": ["it's", None, "None", "", "x"],
            "n": [1, None, 3, 4, 5],
            "flag": [True, False, None, True, False],
        },
    )
    got = table.to_native().pl().to_dicts()
    assert [r["name"] for r in got] == ["it's", None, "None", "", "x"]
    assert [r["n"] for r in got] == [1, None, 3, 4, 5]
    assert [r["flag"] for r in got] == [True, False, None, True, False]
    rates = [r["rate"] for r in got]
    assert rates[0] == 0.5
    assert rates[1] is None
    assert math.isnan(rates[2])
    assert rates[3:] == [float("inf"), float("-inf")]


def test_a_duckdb_lookup_column_mixing_text_and_numbers_is_refused() -> None:
    from ordercore.errors import ConfigurationError  # noqa: PLC0415

    relation = duckdb.connect().from_arrow(pa.table({"a": [1]}))
    with pytest.raises(ConfigurationError, match="'mixed' mixes"):
        _backend.small_table(relation, {"mixed": [1.0, "one"]})


def test_staff_ranking_on_duckdb_takes_a_member_without_counted_orders() -> None:
    from ordercore.kpi import staff_ranking  # noqa: PLC0415

    def stamp(day: int) -> dt.datetime:
        return dt.datetime(2026, 3, day, 12, tzinfo=dt.UTC)

    orders = pl.DataFrame(
        {
            "order_id": ["a", "b", "c"],
            "customer_id": "C",
            "channel": "web",
            "owner_id": ["S-1", "S-1", "S-2"],
            "received_at": [stamp(1)] * 3,
            "promised_at": [stamp(5), stamp(5), stamp(30)],
            "delivered_at": [stamp(4), stamp(6), None],
            "qty_ordered": 1.0,
            "qty_delivered": [1.0, 1.0, 0.0],
        }
    ).with_columns(pl.col("received_at", "promised_at", "delivered_at").dt.cast_time_unit("us"))
    as_of = stamp(20)
    duck = duckdb.connect().from_arrow(orders.to_arrow())
    expected = staff_ranking(monthly_report(orders.to_pandas(), as_of=as_of, by=["owner_id"]))
    got = staff_ranking(monthly_report(duck, as_of=as_of, by=["owner_id"])).pl()
    assert got["staff"].to_list() == expected["staff"].tolist()
    assert got["raw_rate"].to_list() == [0.5, None]
    assert got["n"].to_list() == [2, 0]


@pytest.mark.parametrize("backend", ["pandas", "polars"])
@pytest.mark.parametrize(
    ("keys", "unique"),
    [
        (["a", "b", "c"], True),  # in increasing order: told apart by one comparison each
        (["c", "a", "b"], True),  # in no order: told apart by their fingerprints
        ([None, "a", None, "b"], True),  # null keys are a problem of their own
        (["a", "a", "b"], None),  # a repeat, in order
        (["b", None, "a", "b"], None),  # a repeat, out of order
        (["a", None, "a"], None),  # a repeat around a null
        (["SO-8", "SO-9", "SO-10", "SO-11"], True),  # numbered: by length, then value
        (["SO-9", "SO-10", "SO-10"], None),  # a repeat in that order
        (["SO-9", "SO-10", "SO-9"], None),  # a repeat out of it
        (["SO-9", "SO-10", "SO-1"], True),  # out of it, told apart by fingerprints
    ],
)
def test_keys_are_certainly_distinct_only_when_no_key_repeats(
    backend: str, keys: list[str | None], unique: bool | None
) -> None:
    frame = pl.DataFrame({"order_id": keys}, schema={"order_id": pl.String})
    native = frame.to_pandas() if backend == "pandas" else frame
    assert _backend.keys_unique(_backend.lazy(native), "order_id") is unique


def test_month_labels_looked_up_are_the_labels_written() -> None:
    from ordercore.kpi import _common  # noqa: PLC0415

    def labels(months: Sequence[int | None], *, looked_up: bool) -> list[str | None]:
        lf = nw.from_native(pl.LazyFrame({"m": months}, schema={"m": pl.Int64}))
        within = _common.month_range(lf, "m") if looked_up else None
        return list(lf.select(x=_common.month_label("m", within)).collect()["x"].to_list())

    months = [199912, 200001, 200010, 202603, None, 210001]
    expected = ["1999-12", "2000-01", "2000-10", "2026-03", None, "2100-01"]
    assert labels(months, looked_up=True) == labels(months, looked_up=False) == expected
    # too many years to look up, outside the years looked up, or no months at all: written
    wide = [100001, 999912]
    assert labels(wide, looked_up=True) == labels(wide, looked_up=False) == ["1000-01", "9999-12"]
    nulls = nw.from_native(pl.LazyFrame({"m": [None]}, schema={"m": pl.Int64}))
    assert _common.month_range(nulls, "m") is None
    early = nw.from_native(pl.LazyFrame({"m": [1]}, schema={"m": pl.Int64}))
    assert early.select(x=_common.month_label("m", (1, 1))).collect()["x"].to_list() == ["0-01"]
    pandas = nw.from_native(pd.DataFrame({"m": [202603]})).lazy()
    assert _common.month_range(pandas, "m") is None
