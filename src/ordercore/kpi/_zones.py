"""Local calendar days and months of UTC instants, looked up by quarter hour.

Converting each timestamp to a zone's wall clock looks its offset up value by value (a
search of the zone's transitions for every one of millions of rows); it was the costliest
part of preparing a frame. A zone's offset changes only at its transitions, and tzdata puts
those on whole quarter hours of UTC, with offsets that are whole quarter hours (every zone
since local mean time was given up). Then every instant of a quarter hour has the same
local day and month, so a table of the local day and month of each quarter hour of the
range the data spans (a few tens of thousands of rows for a few years), computed once
with the backend's own conversion, gives each row's by one division and one lookup.

The table is checked, never assumed: the offset of each quarter hour is computed at its
first and its last microsecond, and if they differ anywhere (a transition inside a quarter
hour), an offset is not a whole number of quarter hours (as in the nineteenth century), or
the range is longer than `MAX_QUARTERS`, there is no table and the caller converts each
value as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

QUARTER_US: Final = 900_000_000
"""A quarter hour in microseconds: the span of one row of the tables."""
_DAY_US: Final = 86_400_000_000
MAX_QUARTERS: Final = 1_000_000
"""The longest range with tables (about 28 years); a longer one converts each value."""


@attrs.frozen
class Quarters:
    """The local day and month of each quarter hour from `first` on.

    Attributes:
        first: The number of the first quarter hour (UTC microseconds // `QUARTER_US`).
        days: Its local day (days since 1970-01-01), then of each following one (int64).
        months: Its local month as ``year * 100 + month``, likewise (int64).
    """

    first: int
    days: Any
    months: Any


def quarters(lo_us: int, hi_us: int, wall: Callable[[Any], Any]) -> Quarters | None:
    """The tables over [`lo_us`, `hi_us`], or None when they would not be exact or small.

    Args:
        lo_us: The earliest instant, UTC microseconds.
        hi_us: The latest.
        wall: The zone's conversion: UTC microseconds (an int64 array) to its wall clock's.
    """
    import numpy as np  # noqa: PLC0415 - pandas and polars bring it

    first, last = lo_us // QUARTER_US, hi_us // QUARTER_US
    if last - first + 1 > MAX_QUARTERS:
        return None
    starts = np.arange(first, last + 1, dtype=np.int64) * QUARTER_US
    ends = starts + (QUARTER_US - 1)
    offsets = wall(starts) - starts
    if not np.array_equal(offsets, wall(ends) - ends) or (offsets % QUARTER_US).any():
        return None
    days = (starts + offsets) // _DAY_US
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    return Quarters(int(first), days, (months // 12 + 1970) * 100 + months % 12 + 1)


def polars_wall(tz: str) -> Callable[[Any], Any]:
    """The wall clock of `tz` (UTC microseconds to local ones) computed by polars."""
    import polars as pl  # noqa: PLC0415 - only for polars frames

    def wall(us: Any) -> Any:
        at = pl.Series(us).cast(pl.Datetime("us", "UTC"))
        return at.dt.convert_time_zone(tz).dt.replace_time_zone(None).dt.epoch("us").to_numpy()

    return wall


def pandas_wall(tz: str) -> Callable[[Any], Any]:
    """The wall clock of `tz` (UTC microseconds to local ones) computed by pandas."""
    import pandas as pd  # noqa: PLC0415 - only for pandas frames

    def wall(us: Any) -> Any:
        at = pd.DatetimeIndex(us.astype("datetime64[us]")).tz_localize("UTC")
        return at.tz_convert(tz).tz_localize(None).as_unit("us").asi8

    return wall
