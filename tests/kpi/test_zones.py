"""Local days and months by quarter hour: exactly what converting each value gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from ordercore.kpi import _backend, _zones

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Adelaide",  # +9:30, transitions on half hours of UTC
    "Asia/Kathmandu",  # +5:45
    "Australia/Lord_Howe",  # a half-hour daylight saving shift
    "America/St_Johns",  # -3:30
]
_LOCAL = ["received_at", "promised_at"]


def _instants(start: str, end: str, n: int = 20_000, seed: int = 5) -> np.ndarray:
    lo, hi = pd.Timestamp(start, tz="UTC").value // 1000, pd.Timestamp(end, tz="UTC").value // 1000
    rng = np.random.default_rng(seed)
    random = rng.integers(lo, hi, n)
    # every transition instant and its neighbours are among them: quarter hours, and one
    # microsecond on either side of each
    quarters = np.arange(lo // _zones.QUARTER_US, hi // _zones.QUARTER_US, 7) * _zones.QUARTER_US
    edges = np.concatenate([quarters - 1, quarters, quarters + 1])
    return np.concatenate([random, edges]).astype(np.int64)


def _pandas_frame(us: np.ndarray, *, missing_every: int = 0) -> pd.DataFrame:
    stamps = pd.Series(us.astype("datetime64[us]")).dt.tz_localize("UTC")
    gaps = np.zeros(len(us), dtype=bool)
    if missing_every:
        gaps[::missing_every] = True
    promised = stamps.mask(gaps)
    return pd.DataFrame({"received_at": stamps, "promised_at": promised})


def _expected(frame: pd.DataFrame, tz: str) -> dict[str, list[object]]:
    """Each value converted on its own: the local date, its day number and month."""
    out: dict[str, list[object]] = {}
    for column in _LOCAL:
        local = frame[column].dt.tz_convert(tz).dt.tz_localize(None)
        days = (local.dt.floor("D") - pd.Timestamp(0)) // pd.Timedelta(days=1)
        months = local.dt.year * 100 + local.dt.month
        out[column + _backend.DAY_SUFFIX] = [None if pd.isna(d) else int(d) for d in days]
        out[column + _backend.MONTH_SUFFIX] = [None if pd.isna(m) else int(m) for m in months]
    return out


def _expected_polars(frame: pd.DataFrame, tz: str) -> dict[str, list[object]]:
    """The same by polars' own conversion (which reads local mean time its own way)."""
    out: dict[str, list[object]] = {}
    for column in _LOCAL:
        local = pl.from_pandas(frame)[column].dt.convert_time_zone(tz).dt.replace_time_zone(None)
        out[column + _backend.DAY_SUFFIX] = local.dt.date().cast(pl.Int64).to_list()
        out[column + _backend.MONTH_SUFFIX] = (
            local.dt.year().cast(pl.Int64) * 100 + local.dt.month().cast(pl.Int64)
        ).to_list()
    return out


def _locals(frame: object, tz: str) -> dict[str, list[object]]:
    lf = _backend.prepare(frame, [], tz, local=_LOCAL)
    names = [c + s for c in _LOCAL for s in (_backend.DAY_SUFFIX, _backend.MONTH_SUFFIX)]
    native = lf.select(*names).collect().to_native()
    if isinstance(native, pl.DataFrame):
        return {n: native[n].to_list() for n in names}
    return {
        n: [None if pd.isna(v) else int(v) for v in native[n].to_numpy(dtype=object)] for n in names
    }


@pytest.mark.parametrize("tz", ZONES)
def test_the_tables_exist_for_every_zone_today(tz: str) -> None:
    us = _instants("2019-01-01", "2027-12-31", n=10)
    assert _zones.quarters(int(us.min()), int(us.max()), _zones.pandas_wall(tz)) is not None


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_local_days_and_months_by_quarter_hour_are_those_of_each_value_converted(
    tz: str, backend: str
) -> None:
    frame = _pandas_frame(_instants("2019-01-01", "2027-12-31"), missing_every=9)
    native = frame if backend == "pandas" else pl.from_pandas(frame)
    assert _locals(native, tz) == _expected(frame, tz)


def test_no_tables_where_an_offset_is_not_a_whole_number_of_quarter_hours() -> None:
    # Amsterdam kept its local mean time (+0:19:32) until 1937
    us = _instants("1920-01-01", "1921-01-01", n=10)
    wall = _zones.pandas_wall("Europe/Amsterdam")
    assert _zones.quarters(int(us.min()), int(us.max()), wall) is None


def test_no_tables_for_a_range_longer_than_the_limit() -> None:
    lo = int(pd.Timestamp("1990-01-01", tz="UTC").value // 1000)
    hi = lo + (_zones.MAX_QUARTERS + 1) * _zones.QUARTER_US
    assert _zones.quarters(lo, hi, _zones.pandas_wall("UTC")) is None


@pytest.mark.parametrize("backend", ["pandas", "polars"])
@pytest.mark.parametrize(
    ("start", "end"),
    [("1920-01-01", "1921-01-01"), ("1950-01-01", "2030-01-01")],
    ids=["local-mean-time", "too-long"],
)
def test_without_tables_each_value_is_converted_with_the_same_result(
    backend: str, start: str, end: str
) -> None:
    frame = _pandas_frame(_instants(start, end, n=3000), missing_every=5)
    if backend == "pandas":
        assert _locals(frame, "Europe/Amsterdam") == _expected(frame, "Europe/Amsterdam")
    else:
        expected = _expected_polars(frame, "Europe/Amsterdam")
        assert _locals(pl.from_pandas(frame), "Europe/Amsterdam") == expected


def test_a_lazy_polars_frame_is_converted_value_by_value_with_the_same_result() -> None:
    frame = _pandas_frame(_instants("2024-01-01", "2025-01-01", n=3000), missing_every=4)
    assert _locals(pl.from_pandas(frame).lazy(), "Europe/Berlin") == _expected(
        frame, "Europe/Berlin"
    )


def test_a_column_with_no_value_has_no_day_or_month() -> None:
    at = dt.datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=dt.UTC)
    frame = pd.DataFrame(
        {
            "received_at": pd.Series([at, at], dtype="datetime64[us, UTC]"),
            "promised_at": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us, UTC]"),
        }
    )
    got = _locals(frame, "Europe/Berlin")
    assert got["received_at__day"] == [20541, 20541]  # still 29 March, 01:59:59 local
    assert got["promised_at__day"] == [None, None]
    assert got["promised_at__month"] == [None, None]
