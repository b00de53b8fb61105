"""The one place that knows which data frame library it is talking to.

Every KPI is written once against `narwhals.stable.v2`; the few operations narwhals cannot
express on every backend are done here, natively, per backend:

* timestamps become float epoch seconds (UTC), so durations are plain subtraction
  (narwhals has no portable duration-to-hours expression: DuckDB and Spark lack parts of it);
* the local calendar day and month of a timestamp in a declared IANA time zone (DuckDB keeps
  the time zone in the connection, so narwhals refuses to convert it);
* small lookup frames (business-day ordinals, labels) built in the caller's library;
* booleans are summed after a cast to Int64 (PySpark refuses a boolean sum);
* quantiles use one interpolation, ``linear`` (type 7), exact on every backend (Spark's
  ``percentile``, never ``percentile_approx``).

Supported: pandas, polars (eager and lazy), DuckDB relations and PySpark DataFrames (classic
PySpark, computed on the cluster: only the small aggregated results a caller asks for are
collected). Dask is refused on purpose (see `backend_of`), as is anything else.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError, UnsupportedBackend
from ordercore.kpi import _zones

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

SUPPORTED: Final = ("pandas", "polars", "duckdb", "pyspark")
"""The data frame libraries ordercore.kpi accepts."""

DASK_REASON: Final = (
    "Dask is not supported: narwhals is moving Dask support out into a separate package "
    "(it warns on every Dask frame) and cannot truncate to months or run ordered windows "
    "on Dask; use PySpark for data beyond one machine, or .compute() a small Dask frame "
    "into pandas"
)
"""Why a Dask frame is refused (part of the error message)."""

DAY_SUFFIX: Final = "__day"
MONTH_SUFFIX: Final = "__month"
_SECONDS_PER_HOUR: Final = 3600.0
_US_PER_DAY: Final = 86_400_000_000
_PARTITION_GROUPS: Final = 2_000
"""Up to this many groups, pandas quantiles are selected per group rather than sorted."""


def backend_of(native: Any) -> str:
    """Name the library of a native frame, or raise `UnsupportedBackend` listing the others.

    Dask frames are recognised by their module before narwhals sees them (narwhals would
    emit a FutureWarning) and refused with the reason.

    Examples:
        >>> import pandas as pd
        >>> backend_of(pd.DataFrame({"a": [1]}))
        'pandas'
        >>> backend_of([1, 2])
        Traceback (most recent call last):
        ...
        ordercore.errors.UnsupportedBackend: unsupported frame type builtins.list; supported: pandas, polars, duckdb, pyspark
    """
    if type(native).__module__.partition(".")[0] in {"dask", "dask_expr"}:
        error = UnsupportedBackend(native, SUPPORTED)
        error.args = (f"{error.args[0]}. {DASK_REASON}",)
        raise error
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise UnsupportedBackend(native, SUPPORTED) from None
    name = str(frame.implementation.value if hasattr(frame, "implementation") else "")
    if name not in SUPPORTED:
        raise UnsupportedBackend(native, SUPPORTED)
    return name


def require_frames(function: str, *, optional: Iterable[str] = (), **natives: object) -> None:
    """Refuse any of `natives` that is not a frame of a supported backend.

    Only the `optional` ones may be None.

    Raises:
        UnsupportedBackend: Naming the function and the argument.
    """
    may_be_none = set(optional)
    for argument, native in natives.items():
        if native is None and argument in may_be_none:
            continue
        try:
            backend_of(native)
        except UnsupportedBackend as error:
            error.args = (f"{function}(): {argument}: {error.args[0]}",)
            raise


def check_zone(tz: str) -> str:
    """Return `tz` if it is a known IANA time zone name."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"unknown time zone {tz!r}; give an IANA name such as 'Asia/Shanghai' or 'UTC'",
            component="kpi",
        ) from None
    if not tz.replace("/", "").replace("_", "").replace("-", "").replace("+", "").isalnum():
        raise ConfigurationError(f"unsupported time zone name {tz!r}", component="kpi")
    return tz


def lazy(native: Any) -> nw.LazyFrame[Any]:
    """Wrap any supported native frame as a narwhals LazyFrame."""
    backend_of(native)
    frame = nw.from_native(native)
    result: nw.LazyFrame[Any] = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    return result


def prepare(
    native: Any,
    timestamps: Iterable[str],
    tz: str,
    local: Iterable[str] = (),
    *,
    micros: bool = False,
) -> nw.LazyFrame[Any]:
    """Turn timestamp columns into epoch seconds and add local day/month columns.

    Args:
        native: A pandas, polars, DuckDB or PySpark frame.
        timestamps: Timezone-aware columns to turn into float epoch seconds (UTC).
        tz: The IANA zone in which local days and months are taken.
        local: Columns that also get ``<col>__day`` (days since 1970-01-01 of the local
            date) and ``<col>__month`` (``year * 100 + month`` of the local date).
        micros: Epoch microseconds instead of seconds, as float64 (exact: whole numbers
            far below 2**53), for analyses that compute in microseconds: no division.
    """
    backend = backend_of(native)
    check_zone(tz)
    schema = nw.from_native(native).collect_schema()
    stamps = [c for c in timestamps if c in schema]
    locals_ = [c for c in local if c in schema]
    if backend == "pandas":
        result: nw.LazyFrame[Any] = nw.from_native(
            _prepare_pandas(native, stamps, tz, locals_, micros=micros)
        ).lazy()
        return result
    if backend == "duckdb":
        relation: nw.LazyFrame[Any] = nw.from_native(
            _prepare_duckdb(native, stamps, tz, locals_, micros=micros)
        )
        return relation
    if backend == "pyspark":
        spark: nw.LazyFrame[Any] = nw.from_native(
            _prepare_spark(native, stamps, tz, locals_, micros=micros)
        )
        return spark
    return lazy(_prepare_polars(native, stamps, tz, locals_, micros=micros))


def _prepare_pandas(
    df: Any, stamps: Sequence[str], tz: str, locals_: Sequence[str], *, micros: bool
) -> Any:
    import numpy as np  # noqa: PLC0415 - only when a pandas frame is passed
    import pandas as pd  # noqa: PLC0415

    # each column's UTC microseconds and where they are missing, read once (nanosecond data
    # is truncated to microseconds, the resolution of DuckDB and Spark)
    utc: dict[str, tuple[Any, Any]] = {}
    series: dict[str, Any] = {}
    for column in dict.fromkeys([*locals_, *stamps]):
        values = df[column]
        if isinstance(values.dtype, pd.ArrowDtype):  # Arrow-backed (dtype_backend="pyarrow")
            values = values.astype(pd.DatetimeTZDtype("us", "UTC"))
        series[column] = values
        unit = getattr(values.dtype, "unit", None)
        column_us = (values if unit == "us" else values.dt.as_unit("us")).array.asi8
        utc[column] = column_us, column_us == _NAT  # NaT is the smallest integer
    table = _pandas_quarters(utc, locals_, tz)
    out: dict[str, Any] = {}
    for column in locals_:
        us, missing = utc[column]
        if table is not None:
            day, month = _looked_up(us, missing, table)
        else:
            day, month = _converted(series[column], missing, tz)
        out[column + DAY_SUFFIX], out[column + MONTH_SUFFIX] = day, month
    for column in stamps:
        # exact integer microseconds, then one true division: the correctly rounded epoch
        # seconds, bit for bit what DuckDB and Spark compute
        us, missing = utc[column]
        seconds = us.astype(np.float64) if micros else us / 1e6
        seconds[missing] = np.nan
        out[column] = seconds
    # new arrays of our own: wrapped without the copy pandas makes of NumPy input by default
    return df.assign(**{k: pd.Series(v, index=df.index, copy=False) for k, v in out.items()})


def _pandas_quarters(
    utc: Mapping[str, tuple[Any, Any]], columns: Sequence[str], tz: str
) -> _zones.Quarters | None:
    """The quarter-hour tables of `tz` over the range of `columns` (UTC µs, missing), or None."""
    bounds = []
    for us, missing in (utc[c] for c in columns):
        if missing.all():
            continue
        # NaT reads as the smallest integer: the largest value needs no mask
        low = us.min(initial=_INT64 - 1, where=~missing) if missing.any() else us.min()
        bounds += [int(low), int(us.max())]
    if not bounds:
        return None
    return _zones.quarters(min(bounds), max(bounds), _zones.pandas_wall(tz))


def _looked_up(us: Any, missing: Any, table: _zones.Quarters) -> tuple[Any, Any]:
    """Local days and months from the quarter-hour tables (see `ordercore.kpi._zones`).

    A missing timestamp has no day or month. Then days are float64 with NaN (exact: day
    numbers are far below 2**53), so that comparisons stay NumPy booleans (False for a
    missing day) instead of masked arrays, which are several times slower; pandas joins a
    float day to an integer day key by value. Months are a nullable integer array.
    """
    import numpy as np  # noqa: PLC0415 - only when a pandas frame is passed
    import pandas as pd  # noqa: PLC0415

    quarter = us // _zones.QUARTER_US - table.first
    if not missing.any():
        return table.days[quarter], table.months[quarter]
    quarter[missing] = len(table.days)  # the row after the last: no day, no month
    days = np.append(table.days.astype("float64"), np.nan)[quarter]
    months = np.append(table.months, 0)[quarter]
    return days, pd.arrays.IntegerArray(months, missing)


def _converted(series: Any, missing: Any, tz: str) -> tuple[Any, Any]:
    """Local days and months by converting each value (when there are no tables)."""
    import numpy as np  # noqa: PLC0415 - only when a pandas frame is passed
    import pandas as pd  # noqa: PLC0415

    # the local wall clock as integer microseconds; its floor by a day is the local day
    local = series.dt.tz_convert(tz).dt.tz_localize(None).dt.as_unit("us")
    day = local.array.asi8 // _US_PER_DAY
    present = day[~missing]
    lo = int(present.min()) if present.size else 0
    # months of the (few thousand) distinct days, looked up by day: a take instead of a
    # calendar conversion per row
    months = np.arange(lo, int(present.max()) + 1 if present.size else 1).astype("datetime64[D]")
    months = months.astype("datetime64[M]").astype("int64")
    months = (months // 12 + 1970) * 100 + months % 12 + 1
    month = months[np.where(missing, 0, day - lo)]
    if missing.any():
        # as in `_looked_up`: float days with NaN, nullable integer months
        return np.where(missing, np.nan, day), pd.arrays.IntegerArray(month, missing)
    return day, month


def _prepare_polars(
    df: Any, stamps: Sequence[str], tz: str, locals_: Sequence[str], *, micros: bool
) -> Any:
    import polars as pl  # noqa: PLC0415 - only when a polars frame is passed

    table = _polars_quarters(df, locals_, tz)
    days, months = [], []
    for column in locals_:
        day, month = column + DAY_SUFFIX, column + MONTH_SUFFIX
        if table is not None:
            # looked up by quarter hour (see `ordercore.kpi._zones`)
            quarter = pl.col(column).dt.epoch("us") // _zones.QUARTER_US - table.first
            # both read the timestamp before it becomes seconds, in the first step below
            days.append(pl.lit(pl.Series(table.days)).gather(quarter).alias(day))
            days.append(pl.lit(pl.Series(table.months)).gather(quarter).alias(month))
            continue
        # one time zone conversion per column (the costly part); the month comes from the day
        local = pl.col(column).dt.convert_time_zone(tz).dt.replace_time_zone(None)
        days.append(local.dt.epoch("d").cast(pl.Int64).alias(day))
        date = pl.col(day).cast(pl.Int32).cast(pl.Date)
        months.append(
            (date.dt.year().cast(pl.Int64) * 100 + date.dt.month().cast(pl.Int64)).alias(month)
        )
    # polars divides by a literal through its reciprocal (off by one ulp for a third of
    # 2026 timestamps), but by a column element by element: dividing by a column of 1e6 is
    # one true division, the correctly rounded value, bit for bit what DuckDB and Spark
    # compute (test_backend holds it so), in half the time of whole seconds plus remainder.
    seconds = []
    for c in stamps:
        us = pl.col(c).dt.epoch("us")
        if micros:
            seconds.append(us.cast(pl.Float64).alias(c))
            continue
        million = (us * 0 + 1_000_000).cast(pl.Float64)
        seconds.append((us.cast(pl.Float64) / million).alias(c))
    # lazily, so that the whole computation is one polars query
    return df.lazy().with_columns(*days, *seconds).with_columns(*months)


def _polars_quarters(df: Any, columns: Sequence[str], tz: str) -> _zones.Quarters | None:
    """The quarter-hour tables of `tz` over the range of `columns` of an eager frame, or None.

    A lazy frame gets None: its range would cost a pass over its source of its own.
    """
    import polars as pl  # noqa: PLC0415 - only when a polars frame is passed

    if not columns or not isinstance(df, pl.DataFrame):
        return None
    bounds = df.select(
        *[pl.col(c).dt.epoch("us").min().alias(f"lo{i}") for i, c in enumerate(columns)],
        *[pl.col(c).dt.epoch("us").max().alias(f"hi{i}") for i, c in enumerate(columns)],
    ).row(0)
    present = [b for b in bounds if b is not None]
    if not present:
        return None
    return _zones.quarters(min(present), max(present), _zones.polars_wall(tz))


def _prepare_duckdb(
    rel: Any, stamps: Sequence[str], tz: str, locals_: Sequence[str], *, micros: bool
) -> Any:
    parts = []
    for column in rel.columns:
        quoted = '"' + column.replace('"', '""') + '"'
        if column in stamps:
            value = f"CAST(epoch_us({quoted}) AS DOUBLE)" if micros else f"epoch_us({quoted}) / 1e6"
            parts.append(f"{value} AS {quoted}")
        else:
            parts.append(quoted)
        if column in locals_:
            local = f"timezone({_sql_literal(tz, 'VARCHAR')}, {quoted})"
            month = '"' + column + MONTH_SUFFIX + '"'
            day = '"' + column + DAY_SUFFIX + '"'
            parts.append(f"year({local}) * 100 + month({local}) AS {month}")
            parts.append(f"datediff('day', DATE '1970-01-01', CAST({local} AS DATE)) AS {day}")
    return rel.project(", ".join(parts))


def _prepare_spark(
    df: Any, stamps: Sequence[str], tz: str, locals_: Sequence[str], *, micros: bool
) -> Any:
    # Independent of spark.sql.session.timeZone: unix_micros reads the instant, and
    # from_utc_timestamp(ts, tz) gives the local wall clock as if it were UTC, so its micros
    # floor-divided by a day are the local day number; date_from_unix_date then gives the
    # local date, whose year and month need no time zone.
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - only for PySpark frames

    day_us = 86_400_000_000
    out: dict[str, Any] = {}
    for column in locals_:
        local_us = F.unix_micros(F.from_utc_timestamp(F.col(column), tz))
        # integer floor division (exact; a double quotient sits 3 ulps from midnight)
        day = ((local_us - F.pmod(local_us, F.lit(day_us))) / day_us).cast("bigint")
        date = F.date_from_unix_date(day)
        out[column + MONTH_SUFFIX] = (F.year(date) * 100 + F.month(date)).cast("bigint")
        out[column + DAY_SUFFIX] = day
    for column in stamps:
        us = F.unix_micros(F.col(column))
        out[column] = us.cast("double") if micros else us / 1e6
    return df.withColumns(out)


def small_table(like: Any, columns: Mapping[str, Sequence[Any]]) -> nw.LazyFrame[Any]:
    """Build a small lookup frame in the same library (and DuckDB connection) as `like`."""
    backend = backend_of(like)
    data = {k: list(v) for k, v in columns.items()}
    if backend == "pandas":
        import pandas as pd  # noqa: PLC0415

        return nw.from_native(pd.DataFrame(data)).lazy()
    if backend == "polars":
        import polars as pl  # noqa: PLC0415

        return nw.from_native(pl.DataFrame(data)).lazy()
    if backend == "pyspark":
        import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - the spark extra installs it

        # Arrow carries the column types, so empty or all-null columns need no inference.
        spark: nw.LazyFrame[Any] = nw.from_native(like.sparkSession.createDataFrame(pa.table(data)))
        return spark
    values: nw.LazyFrame[Any] = nw.from_native(_duckdb_values(like, data))
    return values


def _duckdb_values(rel: Any, data: Mapping[str, Sequence[Any]]) -> Any:
    # A relation does not expose its connection, but `query` runs SQL on it, so the lookup
    # table lives in the same connection and can be joined. Relations take no bound
    # parameters, so every value is written as a literal cast to its column's SQL type.
    names = list(data)
    if not names or not data[names[0]]:
        raise ConfigurationError("a lookup table needs at least one row", component="kpi")
    types = {n: _sql_type(n, data[n]) for n in names}
    rows_sql = ", ".join(
        "(" + ", ".join(_sql_literal(data[n][i], types[n]) for n in names) + ")"
        for i in range(len(data[names[0]]))
    )
    cols = ", ".join(_sql_name(n) for n in names)
    sql = f"SELECT * FROM (VALUES {rows_sql}) AS t({cols})"  # noqa: S608 - every literal goes through _sql_literal
    return rel.query("_ordercore_like", sql)


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_INT64: Final = 2**63
_NAT: Final = -(2**63)
"""A missing timestamp's integer value in pandas (``NaT``)."""


def _sql_type(name: str, values: Sequence[Any]) -> str | None:
    """The SQL type of a lookup column from its Python values (None: every value is null)."""
    import datetime as dt  # noqa: PLC0415

    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    aware = {v.tzinfo is not None for v in present if isinstance(v, dt.datetime)}
    fits = all(-_INT64 <= v < _INT64 for v in present if type(v) is int)
    candidates = (
        (not kinds, None),
        (kinds == {bool}, "BOOLEAN"),
        (kinds <= {int} and fits, "BIGINT"),
        (kinds <= {int, float} and fits, "DOUBLE"),
        (kinds <= {str}, "VARCHAR"),
        (kinds <= {dt.datetime} and aware == {True}, "TIMESTAMPTZ"),
        (kinds <= {dt.datetime} and aware == {False}, "TIMESTAMP"),
        (kinds <= {dt.date}, "DATE"),
    )
    for applies, sql_type in candidates:
        if applies:
            return sql_type
    found = ", ".join(sorted(k.__name__ for k in kinds))
    raise ConfigurationError(
        f"lookup column {name!r} mixes or holds values DuckDB cannot take as one type: {found}",
        component="kpi",
    )


def _sql_literal(value: Any, sql_type: str | None) -> str:
    """A typed SQL literal: never a Python repr (None is NULL, NaN and infinity are DOUBLE)."""
    if value is None or sql_type is None:
        return f"CAST(NULL AS {sql_type})" if sql_type else "NULL"
    if sql_type == "BOOLEAN":
        text = "TRUE" if value else "FALSE"
    elif sql_type == "BIGINT":
        text = str(int(value))
    elif sql_type == "DOUBLE":
        number = float(value)
        if math.isnan(number):
            text = "'NaN'"
        elif math.isinf(number):
            text = "'Infinity'" if number > 0 else "'-Infinity'"
        else:
            text = repr(number)
    elif sql_type == "VARCHAR":
        text = "'" + str(value).replace("'", "''") + "'"
    else:  # dates and timestamps: ISO text
        text = "'" + value.isoformat() + "'"
    return f"CAST({text} AS {sql_type})"


_MASKS: Final = (*((1 << (8 * i)) - 1 for i in range(8)), 2**64 - 1)
_MIX1: Final = 0x9E3779B97F4A7C15
_MIX2: Final = 0xBF58476D1CE4E5B9


def keys_unique(lf: nw.LazyFrame[Any], key: str) -> bool | None:
    """True when the non-null values of `key` are certainly distinct; None when unsure.

    Fast exact tests for the clean case. Keys in strictly increasing order (an export
    sorted by its key; text also by length and then value, as numbered ids ``SO-9``,
    ``SO-10`` are) are distinct: one comparison of each key with the one before.
    Otherwise a 64-bit fingerprint of every key is computed (polars' own hash; on pandas,
    from each string's length, first and last eight bytes, read straight from the Arrow
    buffers, or the integers themselves) and sorted. Distinct fingerprints mean distinct
    keys. Equal fingerprints (a repeated key, or rarely a collision), an unsupported key type
    or another backend give None: the caller counts distinct keys exactly (a hash table of
    every key, several times slower).
    """
    import numpy as np  # noqa: PLC0415 - pandas and polars bring it

    if lf.implementation is nw.Implementation.POLARS:
        import polars as pl  # noqa: PLC0415

        present = lf.to_native().lazy().select(pl.col(key).drop_nulls())
        k = pl.col(key)
        orders = [(k > k.shift(1)).all().alias("value")]
        if present.collect_schema()[key] == pl.String:  # or by length, then value
            n = k.str.len_bytes()
            natural = (n > n.shift(1)) | ((n == n.shift(1)) & (k > k.shift(1)))
            orders.append(natural.all().alias("numbered"))
        if any(present.select(orders).collect().row(0)):
            return True
        # sorted by polars itself (in parallel): equal neighbours are a repeat or a collision
        prints = present.select(pl.col(key).hash().sort().alias("h"))
        repeat = prints.select((pl.col("h") == pl.col("h").shift(1)).any()).collect().item()
        return None if repeat else True
    if lf.implementation is nw.Implementation.PANDAS:
        values = _pandas_keys(lf.to_native()[key])
        if values is not None and _rising(values):
            return True
        prints = None if values is None else _pandas_fingerprints(values)
        if prints is None:
            return None
    else:
        return None
    prints = np.sort(prints)
    return None if bool((prints[1:] == prints[:-1]).any()) else True


def _pandas_keys(series: Any) -> Any:
    """A pandas column's non-null values as one Arrow array, or None if Arrow cannot read it."""
    import pyarrow as pa  # noqa: PLC0415

    try:
        values = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.drop_null() if values.null_count else values


def _rising(values: Any) -> bool:
    """Whether an Arrow array (without nulls) is in strictly increasing order.

    Text counts as increasing in either of two orders: by value, or by length and then by
    value (``SO-9`` before ``SO-10``: numbered ids exported in number order). Either way
    no two values are equal.
    """
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # type: ignore[import-untyped]  # noqa: PLC0415

    if len(values) < 2:  # noqa: PLR2004 - a pair is the least that can repeat
        return True
    try:
        later = pc.greater(values.slice(1), values.slice(0, len(values) - 1))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    if pc.all(later).as_py():
        return True
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return False
    lengths = np.diff(_offsets(values))
    longer, same = lengths[1:] > lengths[:-1], lengths[1:] == lengths[:-1]
    greater = later.to_numpy(zero_copy_only=False)
    return bool((longer | (same & greater)).all())


def _offsets(values: Any) -> Any:
    """The value offsets of an Arrow string array as int64 (``len(values) + 1`` of them)."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    offset_buffer = values.buffers()[1]
    offsets = np.frombuffer(offset_buffer, dtype=width)[
        values.offset : values.offset + len(values) + 1
    ]
    return offsets.astype(np.int64)


def _pandas_fingerprints(values: Any) -> Any:
    """64-bit fingerprints of an Arrow array's values (no nulls), or None for other types."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    if pa.types.is_integer(values.type):
        return values.to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    data_buffer = values.buffers()[2]
    offsets = _offsets(values)
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(0, np.uint8)
    )
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    # every byte offset read as a little-endian 64-bit word (unaligned, no copy)
    words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts, ends = offsets[:-1], offsets[1:]
    lengths = np.subtract(ends, starts)
    mask = np.array(_MASKS, dtype=np.uint64)[np.minimum(lengths, 8)]
    first = words[starts] & mask
    last = words[np.maximum(ends - 8, starts)] & mask
    prints = first * np.uint64(_MIX1)
    prints ^= prints >> np.uint64(32)
    prints ^= last * np.uint64(_MIX2)
    prints ^= lengths.astype(np.uint64) << np.uint64(56)
    prints *= np.uint64(_MIX1)
    return prints


def count_unmatched(
    lf: nw.LazyFrame[Any], key: str, others: nw.LazyFrame[Any], *, like: object
) -> int:
    """How many rows of `lf` have a `key` that no row of `others` has (null keys included).

    On pandas, the distinct keys of `lf` (the smaller side: errors, surveys) are looked up
    once in an Arrow hash table and every key of `others` is probed against them, rather
    than building a table of `others`' keys; lazy backends run an anti-join.
    """
    if backend_of(like) != "pandas":
        unmatched = lf.select(key).join(others.select(key), on=key, how="anti")
        return int(rows(unmatched.select(nw.len().alias("n")))[0]["n"] or 0)
    import numpy as np  # noqa: PLC0415 - pandas brings it
    import pyarrow as pa  # noqa: PLC0415 - a core dependency, imported only on this path
    import pyarrow.compute as pc  # noqa: PLC0415

    def keys(frame: nw.LazyFrame[Any]) -> Any:
        values = pa.array(frame.select(key).collect().to_native()[key], from_pandas=True)
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values

    mine, theirs = keys(lf), keys(others)
    encoded = pc.dictionary_encode(mine)
    distinct = encoded.dictionary
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    present = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    hit = np.zeros(len(distinct), dtype=bool)
    try:
        found = pc.index_in(theirs, value_set=distinct.cast(theirs.type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        found = pa.nulls(0, pa.int32())  # keys of another type: nothing matches
    hit[found.drop_null().to_numpy(zero_copy_only=False)] = True
    counts = np.bincount(codes[present].astype("int64"), minlength=len(distinct))
    return int(counts[~hit].sum()) + int((~present).sum())


def mark(
    lf: nw.LazyFrame[Any], flags: nw.LazyFrame[Any], key: str, names: Sequence[str], like: object
) -> nw.LazyFrame[Any]:
    """Add boolean columns `names`: whether `flags` (one row per `key`, 0/1) has 1 for the key.

    pandas is eager, so the (small) flag frame is already in memory: one Arrow hash lookup
    of every key gives its row in the flag frame, and each flag is a take from that row
    (several times faster than a merge or one membership test per flag). Lazy backends
    join, so nothing is collected.
    """
    if backend_of(like) == "pandas":
        return _mark_pandas(lf, flags, key, names)
    joined = lf.join(flags.select(key, *names), on=key, how="left")
    return joined.with_columns(*[nw.col(n).fill_null(0) == 1 for n in names])


def _mark_pandas(
    lf: nw.LazyFrame[Any], flags: nw.LazyFrame[Any], key: str, names: Sequence[str]
) -> nw.LazyFrame[Any]:
    import numpy as np  # noqa: PLC0415 - pandas brings it
    import pandas as pd  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415 - a core dependency, imported only on this path
    import pyarrow.compute as pc  # noqa: PLC0415

    frame = lf.collect().to_native()
    table = flags.collect().to_native()
    keys = pa.array(frame[key], from_pandas=True)
    try:
        found = pc.index_in(keys, value_set=pa.array(table[key], from_pandas=True).cast(keys.type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        # keys of another type than the flag frame's (say int ids against string ids):
        # nothing matches, as a membership test would find
        found = pa.nulls(len(keys), pa.int32())
    # row -1 (absent) takes the False appended after the flag frame's last row
    rows = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
    columns = {
        name: pd.Series(
            np.append(table[name].to_numpy(dtype="int64", na_value=0) == 1, False)[rows],
            index=frame.index,
            copy=False,
        )
        for name in names
    }
    result: nw.LazyFrame[Any] = nw.from_native(frame.assign(**columns)).lazy()
    return result


def hours(end: str, start: str) -> nw.Expr:
    """Hours between two prepared (epoch-seconds) columns."""
    return (nw.col(end) - nw.col(start)) / _SECONDS_PER_HOUR


def flag(expr: nw.Expr) -> nw.Expr:
    """A boolean expression with null read as False, as Int64 0/1 ready to be summed."""
    return expr.fill_null(value=False).cast(nw.Int64)


def count(lf: nw.LazyFrame[Any], expr: nw.Expr) -> nw.Expr:
    """The number of rows of `lf` where the boolean `expr` holds (null: it does not).

    Booleans are summed as they are (pandas, polars and DuckDB count the true values, and
    skip nulls); only PySpark, which refuses a boolean sum, gets them as Int64 first. A
    cast of millions of booleans to Int64 costs pandas more than the sum itself.
    """
    if lf.implementation is nw.Implementation.PYSPARK:
        return flag(expr).sum()
    return expr.sum()


def summable(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """`lf` with its boolean columns as Int64 where the backend cannot sum booleans (PySpark).

    Other backends get `lf` unchanged: they sum booleans as counts (see `count`).
    """
    if lf.implementation is not nw.Implementation.PYSPARK:
        return lf
    flags = [name for name, dtype in lf.collect_schema().items() if dtype == nw.Boolean]
    return lf.with_columns(*[flag(nw.col(name)) for name in flags]) if flags else lf


def quantile(column: str, q: float) -> nw.Expr:
    """The linear-interpolation quantile (type 7) as a narwhals expression.

    narwhals maps it to pandas/polars ``linear`` and DuckDB ``quantile_cont``. On Spark it
    would become ``percentile``, which keeps every distinct value of a group in one map and
    grows worse than linearly, so aggregations with quantiles go through `aggregate`.
    """
    return nw.col(column).quantile(q, interpolation="linear")


@attrs.frozen
class Quantile:
    """An aggregation for `aggregate`: the type-7 quantile `q` of the non-null `column`."""

    column: str
    q: float


@attrs.frozen
class Count:
    """An aggregation for `aggregate`: the rows of the group where the boolean `column` holds.

    Every row of the group when `column` is None. The column must hold no nulls (a flag).
    """

    column: str | None = None

    def expr(self) -> nw.Expr:
        """The same count as a narwhals expression."""
        return nw.len() if self.column is None else nw.col(self.column).sum()


Measure = nw.Expr | Quantile | Count
"""What `aggregate` computes: an expression, a `Quantile` or a `Count`."""


def aggregate(
    lf: nw.LazyFrame[Any], keys: Sequence[str], measures: Mapping[str, Measure]
) -> nw.LazyFrame[Any]:
    """Group by `keys` (one row over everything when empty) and compute `measures` by name.

    Quantiles are exact type 7 (linear) on every backend. polars and DuckDB compute them
    natively; pandas with pandas' own interpolation, all quantiles of a column at once (see
    `_pandas_quantiles`); on Spark they come from a sort within each group (a window ``row_number``
    and the group's count), picking the two neighbouring order statistics and interpolating
    the way NumPy does, so the work grows like a sort rather than like Spark's exact
    ``percentile`` (a map of every distinct value per group). A `Count` is the expression
    it stands for, except on pandas with `keys`, where the rows are counted per group
    number (`numpy.bincount`), without pandas turning each flag into numbers first. The
    result has `keys`, then the measures in the order given.
    """
    lf = summable(lf)  # boolean flags are summed as counts
    quantiles = {a: m for a, m in measures.items() if isinstance(m, Quantile)}
    counts = {a: m for a, m in measures.items() if isinstance(m, Count)}
    if lf.implementation is nw.Implementation.PANDAS and keys and (quantiles or counts):
        return _pandas_aggregate(lf, list(keys), measures)
    exprs_of = {a: m.expr() if isinstance(m, Count) else m for a, m in measures.items()}
    plain = [m.alias(a) for a, m in exprs_of.items() if not isinstance(m, Quantile)]
    if quantiles and plain and lf.implementation is nw.Implementation.PANDAS:
        main = lf.select(*plain)  # no keys: one row over everything
        native = _pandas_quantiles(lf.to_native(), main.to_native(), [], quantiles)
        pandas_result: nw.LazyFrame[Any] = nw.from_native(native[list(measures)]).lazy()
        return pandas_result
    if not quantiles or lf.implementation is not nw.Implementation.PYSPARK:
        exprs = [
            quantile(m.column, m.q).alias(a) if isinstance(m, Quantile) else m.alias(a)
            for a, m in exprs_of.items()
        ]
        return lf.group_by(*keys).agg(*exprs) if keys else lf.select(*exprs)
    native = _spark_quantiles(lf.to_native(), list(keys), quantiles)
    if plain:
        main = (lf.group_by(*keys).agg(*plain) if keys else lf.select(*plain)).to_native()
        native = _spark_join(main, native, list(keys))
    result: nw.LazyFrame[Any] = nw.from_native(native.select(*keys, *measures))
    return result


def _pandas_aggregate(
    lf: nw.LazyFrame[Any], keys: list[str], measures: Mapping[str, Measure]
) -> nw.LazyFrame[Any]:
    """`aggregate` on pandas with keys: counts per group number, quantiles, then the rest."""
    import numpy as np  # noqa: PLC0415 - pandas brings it

    df = lf.to_native()
    codes, count = _group_codes(df, keys)
    table = _group_keys(df, keys, codes, count)
    counts = {a: m for a, m in measures.items() if isinstance(m, Count)}
    flagged = [a for a, m in counts.items() if m.column is not None]
    for alias, m in counts.items():
        if m.column is None:
            table[alias] = np.bincount(codes, minlength=count).astype("int64")
    # up to eight flags at a time, as the bits of one byte per row: one count of each
    # group's bit patterns answers them all
    for start in range(0, len(flagged), 8):
        batch = flagged[start : start + 8]
        bits = np.zeros(len(df), dtype=np.uint8)
        for bit, alias in enumerate(batch):
            flag = df[counts[alias].column].to_numpy(dtype=bool)
            bits |= flag.view(np.uint8) << np.uint8(bit)
        patterns = np.bincount(codes * 256 + bits, minlength=count * 256).reshape(count, 256)
        for bit, alias in enumerate(batch):
            having = (np.arange(256) >> bit) & 1 == 1
            table[alias] = patterns[:, having].sum(axis=1).astype("int64")
    plain = [m.alias(a) for a, m in measures.items() if isinstance(m, nw.Expr)]
    if plain:
        main = lf.group_by(*keys).agg(*plain).to_native()
        table = main.merge(table, on=keys, how="left", sort=False)
    quantiles = {a: m for a, m in measures.items() if isinstance(m, Quantile)}
    if quantiles:
        table = _pandas_quantiles(df, table, keys, quantiles, grouped=(codes, count))
    result: nw.LazyFrame[Any] = nw.from_native(table[[*keys, *measures]]).lazy()
    return result


def _pandas_quantiles(
    df: Any,
    main: Any,
    keys: list[str],
    quantiles: Mapping[str, Quantile],
    *,
    grouped: tuple[Any, int] | None = None,
) -> Any:
    """Add `quantiles` of `df`'s groups to the aggregated `main` (pandas, same `keys`).

    All quantiles of one column are computed together. With up to `_PARTITION_GROUPS`
    groups, each group's values are cut out once (a radix sort of the group numbers) and the
    order statistics are selected with ``numpy.partition``, in linear time; otherwise one
    ``quantile([...])`` call sorts each group once. Both interpolate exactly as pandas does,
    ``x[i] + (x[i+1] - x[i]) * frac``, so the values are pandas' own.
    """
    out = main
    if grouped is None:  # each row's group number, and how many groups
        grouped = _group_codes(df, keys) if keys else (None, 0)
    codes, count = grouped
    for column in dict.fromkeys(q.column for q in quantiles.values()):
        wanted = {alias: spec.q for alias, spec in quantiles.items() if spec.column == column}
        qs = sorted(set(wanted.values()))
        names = [f"_q{i}" for i in range(len(qs))]
        if keys:
            if count <= _PARTITION_GROUPS:
                part = _partitioned(df, keys, column, codes=codes, qs=qs, names=names)
            else:
                groups = df.groupby(keys, sort=False, dropna=False, observed=True)[column]
                table = groups.quantile(qs).unstack(level=-1)  # noqa: PD010 - one column per q
                table = table.reindex(columns=qs)
                part = table.rename(columns=dict(zip(qs, names, strict=True))).reset_index()
            out = out.merge(part, on=keys, how="left", sort=False)
        else:
            values = df[column].quantile(qs)
            out = out.assign(**{name: values.iloc[i] for i, name in enumerate(names)})
        out = out.assign(**{a: out[names[qs.index(q)]] for a, q in wanted.items()})
        out = out.drop(columns=names)
    return out


def _group_codes(df: Any, keys: list[str]) -> tuple[Any, int]:
    """Each row's group number (0, 1, ... in order of first appearance; null keys form groups)."""
    import pandas as pd  # noqa: PLC0415

    if len(keys) == 1:
        codes, uniques = pd.factorize(df[keys[0]], use_na_sentinel=False)
        return codes, len(uniques)
    grouped = df.groupby(keys, sort=False, dropna=False, observed=True)
    return grouped.ngroup().to_numpy(), grouped.ngroups


def _group_keys(df: Any, keys: list[str], codes: Any, count: int) -> Any:
    """Each group's keys, one row per group number, from the group's first row.

    Groups are numbered in order of first appearance (see `_group_codes`): the running
    maximum of the numbers reaches each group at its first row.
    """
    import numpy as np  # noqa: PLC0415 - pandas brings it

    first: Any = np.searchsorted(np.maximum.accumulate(codes), np.arange(count)) if count else []
    return df[keys].iloc[first].reset_index(drop=True)


def _partitioned(
    df: Any, keys: list[str], column: str, *, codes: Any, qs: list[float], names: list[str]
) -> Any:
    """Quantiles `qs` of `column` per group by selection (see `_pandas_quantiles`)."""
    import numpy as np  # noqa: PLC0415 - pandas brings it

    count = int(codes.max()) + 1 if len(codes) else 0
    table = _group_keys(df, keys, codes, count)
    values = df[column].to_numpy(dtype="float64", na_value=np.nan)
    # missing values go to a group of their own after the others, never read
    mine = np.where(np.isnan(values), count, codes)
    # a stable sort of 16-bit integers is a radix sort: linear time
    small = mine.astype(np.int16) if count < np.iinfo(np.int16).max else mine
    ordered = values[np.argsort(small, kind="stable")]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(mine, minlength=count + 1))])
    result = np.full((count, len(qs)), np.nan)
    for group in range(count):
        chunk = ordered[bounds[group] : bounds[group + 1]]
        size = len(chunk)
        if not size:
            continue
        positions = [(size - 1) * q for q in qs]
        below = [int(p) for p in positions]
        chosen = np.partition(chunk, sorted({*below, *(min(b + 1, size - 1) for b in below)}))
        for j, (position, low) in enumerate(zip(positions, below, strict=True)):
            value, frac = chosen[low], position - low
            if frac and low + 1 < size:
                value = value + (chosen[low + 1] - value) * frac
            result[group, j] = value
    return table.assign(**{name: result[:, j] for j, name in enumerate(names)})


def _spark_quantiles(df: Any, keys: list[str], quantiles: Mapping[str, Quantile]) -> Any:
    from pyspark.sql import Window  # noqa: PLC0415 - only for PySpark frames
    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    out = None
    for column in dict.fromkeys(q.column for q in quantiles.values()):
        group = Window.partitionBy(*keys) if keys else Window.partitionBy(F.lit(0))
        ranked = (
            df.select(*keys, F.col(column).cast("double").alias("_v"))
            .where(F.col("_v").isNotNull())
            .withColumn("_n", F.count(F.lit(1)).over(group))
            .withColumn("_i", F.row_number().over(group.orderBy("_v")) - 1)
        )
        picks, finals = [], []
        for alias, spec in quantiles.items():
            if spec.column != column:
                continue
            position = (F.col("_n") - 1).cast("double") * F.lit(float(spec.q))
            below = F.floor(position).cast("bigint")
            picks += [
                F.max(F.when(F.col("_i") == below, F.col("_v"))).alias(alias + "__a"),
                F.max(F.when(F.col("_i") == below + 1, F.col("_v"))).alias(alias + "__b"),
                F.max(position - below).alias(alias + "__t"),
            ]
            a, t = F.col(alias + "__a"), F.col(alias + "__t")
            b = F.coalesce(F.col(alias + "__b"), a)
            # numpy's lerp: from the nearer end, so t = 0 and t = 1 give the values exactly
            finals.append(
                F.when(t < 0.5, a + (b - a) * t)  # noqa: PLR2004
                .otherwise(b - (b - a) * (1 - t))
                .alias(alias)
            )
        picked = ranked.groupBy(*keys).agg(*picks) if keys else ranked.agg(*picks)
        part = picked.select(*keys, *finals)
        out = part if out is None else _spark_join(out, part, keys)
    return out


def _spark_join(left: Any, right: Any, keys: list[str]) -> Any:
    """Left-join two aggregated Spark frames on `keys`, null keys matching each other."""
    if not keys:
        return left.crossJoin(right)
    renamed = right.select(
        *[right[k].alias(f"_k{i}") for i, k in enumerate(keys)],
        *[c for c in right.columns if c not in keys],
    )
    condition = [left[k].eqNullSafe(renamed[f"_k{i}"]) for i, k in enumerate(keys)]
    return left.join(renamed, on=condition, how="left").drop(*[f"_k{i}" for i in range(len(keys))])


def rows(frame: nw.LazyFrame[Any]) -> list[dict[str, Any]]:
    """Collect a small, already aggregated frame as rows (the only collect in ordercore.kpi)."""
    return list(frame.collect().rows(named=True))


def to_caller(frame: nw.LazyFrame[Any], like: Any) -> Any:
    """Return a result frame in the caller's library: eager if they passed an eager frame."""
    if isinstance(nw.from_native(like), nw.DataFrame):
        backend = backend_of(like)
        native = frame.collect(backend=backend).to_native()  # type: ignore[arg-type]
        return native.reset_index(drop=True) if backend == "pandas" else native
    return frame.to_native()
