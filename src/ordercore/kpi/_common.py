"""Shared plumbing of the KPI functions: check, prepare, judge rows, filter to a period and group.

`load` refuses a frame a KPI cannot use (see `ordercore.kpi.check.refuse`), prepares its
timestamps, and marks the rows that cannot be judged with boolean ``_x_<reason>`` columns,
each row under the first reason that applies, in this order:

* ``duplicate_key``: the row shares its key with another (only under ``duplicates="exclude"``;
  by default such a frame is refused);
* ``missing_<column>``: a timestamp the KPI needs to place the row is null (``received_at`` of
  an order, ``sent_at`` of a survey, ...);
* ``not_yet_<event>``: the row came into existence after `as_of` (``not_yet_received``,
  ``not_yet_sent``, ``not_yet_incurred``, ...);
* ``reversed_timestamps``: a later moment the KPI reads precedes an earlier one (delivered
  before received, ...).

``_ok`` is true on the rows left. Each KPI adds its own reasons after these (invalid
quantities, cancellations, not yet due, ...) and sums every ``_x_`` column into its
``exclusions``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, Final

import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import _backend
from ordercore.kpi.check import Duplicates, refuse, require_columns
from ordercore.kpi.schema import FRAMES, FrameSpec

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

ARRIVAL_REASON = {
    "received_at": "not_yet_received",
    "sent_at": "not_yet_sent",
    "incurred_at": "not_yet_incurred",
    "found_at": "not_yet_found",
    "at": "not_yet_happened",
    "delivered_at": "not_yet_delivered",
    "opened_at": "not_yet_opened",
    "packed_at": "not_yet_packed",
}
"""The exclusion reason of a row whose arrival timestamp is after `as_of`."""

X = "_x_"
"""Prefix of the boolean exclusion columns."""


def _aware(as_of: dt.datetime) -> None:
    if not isinstance(as_of, dt.datetime) or as_of.tzinfo is None:
        raise ConfigurationError(
            f"as_of must be a timezone-aware datetime, got {as_of!r}", component="kpi"
        )


def as_of_values(as_of: dt.datetime, tz: str) -> tuple[float, int]:
    """`as_of` as epoch seconds and as the local day number in `tz`."""
    _aware(as_of)
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    local = as_of.astimezone(ZoneInfo(_backend.check_zone(tz))).date()
    return (as_of - _EPOCH).total_seconds(), (local - _EPOCH.date()).days


def micros_of(moment: dt.datetime) -> int:
    """A timezone-aware moment as whole epoch microseconds (exact).

    Raises:
        ConfigurationError: `moment` is not a timezone-aware datetime.
    """
    _aware(moment)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def month_label(column: str, within: tuple[int, int] | None = None) -> nw.Expr:
    """A month column held as 202603 written as ``"2026-03"`` (the inverse of `period_month`).

    `within` (polars only: `month_range`) bounds the months of the column: the labels of
    the years between (up to 200 of them) are looked up, about three times as fast as
    writing each row's.
    """
    month = nw.col(column)
    if within is not None:
        first, last = within[0] // 100, within[1] // 100
        if 1 <= first <= last <= _LAST_YEAR and last - first < _LOOKED_UP_YEARS:
            codes = [y * 100 + m for y in range(first, last + 1) for m in range(1, 13)]
            labels = [f"{c // 100}-{c % 100:02d}" for c in codes]
            return month.replace_strict(codes, labels, return_dtype=nw.String)
    return nw.concat_str(
        [(month // 100).cast(nw.String), nw.lit("-"), (month % 100).cast(nw.String).str.zfill(2)]
    )


_LAST_YEAR: Final = 9999
_LOOKED_UP_YEARS: Final = 200
"""The most years whose month labels are looked up (more are written row by row)."""


def month_range(lf: nw.LazyFrame[Any], column: str) -> tuple[int, int] | None:
    """The first and last months of `column` of a computed polars frame (for `month_label`).

    None for another library, or a column without months.
    """
    if lf.implementation is not nw.Implementation.POLARS:
        return None
    row = _backend.rows(
        lf.select(nw.col(column).min().alias("lo"), nw.col(column).max().alias("hi"))
    )[0]
    if row["lo"] is None:
        return None
    return int(row["lo"]), int(row["hi"])


def period_month(period: str | None) -> int | None:
    """``"2026-03"`` as 202603."""
    if period is None:
        return None
    try:
        year, month = (int(p) for p in period.split("-"))
    except (ValueError, AttributeError):
        raise ConfigurationError(
            f"period must look like '2026-03', got {period!r}", component="kpi"
        ) from None
    if not 1 <= month <= 12:  # noqa: PLR2004
        raise ConfigurationError(
            f"period must look like '2026-03', got {period!r}", component="kpi"
        )
    return year * 100 + month


def _check_where(
    kpi: str, spec: FrameSpec, schema: Mapping[str, Any], where: Mapping[str, object]
) -> None:
    """Refuse filter values that can match nothing by construction (None, NaN, wrong type)."""
    for column, value in where.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise InvalidArgument(
                kpi, "where", f"value {value!r} for {column!r} matches no row; give a value"
            )
        if column not in spec.names:
            continue
        canonical = spec.column(column)
        kinds = {
            "string": (str,),
            "float": (int, float),
            "int": (int,),
            "bool": (bool,),
            "datetime": (dt.datetime,),
        }[canonical.kind]
        wrong_bool = isinstance(value, bool) and canonical.kind in ("float", "int")
        if not isinstance(value, kinds) or wrong_bool:
            raise InvalidArgument(
                kpi,
                "where",
                f"value {value!r} for {column!r} is not a {canonical.kind} "
                f"(the column holds {schema[column]})",
            )
        if canonical.values and value not in canonical.values:
            raise InvalidArgument(
                kpi,
                "where",
                f"value {value!r} for {column!r} is not one of {', '.join(canonical.values)}",
            )


def _check_period_by(kpi: str, spec: FrameSpec, period_by: str | None) -> None:
    if period_by is None:
        return
    if period_by not in spec.names or spec.column(period_by).kind != "datetime":
        stamps = ", ".join(c.name for c in spec.columns if c.kind == "datetime")
        raise InvalidArgument(
            kpi, "period_by", f"{period_by!r} is not a timestamp of the {spec.name} frame: {stamps}"
        )


def load(
    native: object,
    frame: str,
    *,
    tz: str,
    needed: Iterable[str] = (),
    period_by: str | None = None,
    period: str | None = None,
    where: Mapping[str, object] | None = None,
    local: Iterable[str] = (),
    stamps: Iterable[str] | None = None,
    as_of: dt.datetime | None = None,
    duplicates: Duplicates = "refuse",
    kpi: str = "kpi",
    rows: Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]] | None = None,
    micros: bool = False,
) -> nw.LazyFrame[Any]:
    """Check, prepare timestamps, mark rows that cannot be judged, filter to a period and group.

    Only `period_by` and the `local` columns get local day/month columns (time-zone
    conversion is the expensive part); `stamps` limits the epoch conversion (all by
    default) and so which timestamps the reversed-order check compares. `rows` picks the
    rows the caller reads (it may add columns): every row is checked, only those are
    prepared (after the exclusions when a key repeats, which read the other rows). With
    `micros`, timestamps are epoch microseconds (see `ordercore.kpi._backend.prepare`).

    Raises:
        FrameSchemaError: Missing or mistyped columns, null ids or codes, unknown codes,
            duplicate keys (see `ordercore.kpi.check.refuse`).
        InvalidArgument: A `where` value that cannot match (None, NaN, wrong type, unknown
            code) or a `period_by` that is not a timestamp of the frame.
    """
    spec = FRAMES[frame]
    filters = dict(where or {})
    _check_period_by(kpi, spec, period_by if period else None)
    wanted = [*needed, *filters, *([period_by] if period_by else [])]
    require_columns(native, frame, wanted)
    schema = dict(_backend.lazy(native).collect_schema())
    _check_where(kpi, spec, schema, filters)
    if duplicates not in ("refuse", "exclude"):
        raise InvalidArgument(
            kpi, "duplicates", f"must be 'refuse' or 'exclude', got {duplicates!r}"
        )
    surplus = refuse(native, frame, duplicates=duplicates)
    present = [c.name for c in spec.columns if c.kind == "datetime" and c.name in schema]
    chosen = present if stamps is None else [c for c in present if c in set(stamps)]
    placing = [*([period_by] if period_by else []), *([spec.arrival] if as_of else [])]
    chosen = list(dict.fromkeys([*chosen, *(c for c in placing if c and c in schema)]))
    local_columns = [*local, *([period_by] if period_by else [])]
    early = rows is not None and not surplus
    if early and rows is not None:
        native = rows(_backend.lazy(native)).to_native()
    lf = _backend.prepare(native, chosen, tz, local=local_columns, micros=micros)
    key = [k for k in spec.key if k in schema]
    reasons: list[tuple[str, nw.Expr]] = [
        ("duplicate_key", nw.len().over(*key) > 1 if surplus and key else nw.lit(value=False))
    ]
    missing = [
        c.name
        for c in spec.columns
        if c.kind == "datetime" and c.name in chosen and (c.not_null or c.name in placing)
    ]
    reasons += [(f"missing_{c}", nw.col(c).is_null()) for c in missing]
    if spec.arrival and spec.arrival in schema:
        arrival = nw.lit(value=False)
        if as_of is not None:
            now, _ = as_of_values(as_of, tz)
            arrival = nw.col(spec.arrival) > (float(micros_of(as_of)) if micros else now)
        reasons.append((ARRIVAL_REASON[spec.arrival], arrival))
    pairs = [(a, b) for a, b in spec.ordering if a in chosen and b in chosen]
    reversed_ = nw.lit(value=False)
    for earlier, later in pairs:
        reversed_ = reversed_ | (nw.col(later) < nw.col(earlier)).fill_null(value=False)
    reasons.append(("reversed_timestamps", reversed_))
    lf = exclusive(lf, reasons, ok="_ok")
    if rows is not None and not early:
        lf = rows(lf)
    month = period_month(period)
    if month is not None and period_by:
        in_month = nw.col(period_by + _backend.MONTH_SUFFIX) == month
        lf = lf.filter(in_month.fill_null(value=False) | nw.col(period_by).is_null())
    for column, value in filters.items():
        lf = lf.filter(nw.col(column) == value)
    return lf


def exclusive(
    lf: nw.LazyFrame[Any],
    reasons: Sequence[tuple[str, nw.Expr]],
    *,
    ok: str,
    within: str | None = None,
) -> nw.LazyFrame[Any]:
    """Add one boolean ``_x_<reason>`` column per reason, each row under the first that holds.

    Only rows where the boolean column `within` holds (all rows when None) can be excluded;
    `ok` names the boolean column of rows left (within `within`).
    """
    taken = nw.lit(value=False) if within is None else ~nw.col(within)
    # each condition once, in a column of its own (eager backends evaluate every output
    # expression on its own), then every reason's column in one step: a row is under a
    # reason when it holds and none before it did
    raw = {f"_xr_{name}": condition.fill_null(value=False) for name, condition in reasons}
    lf = lf.with_columns(**raw)
    out: dict[str, nw.Expr] = {}
    for (name, _), column in zip(reasons, raw, strict=True):
        out[X + name] = nw.col(column) & ~taken
        taken = taken | nw.col(column)
    out[ok] = ~taken
    return lf.with_columns(**out).drop(*raw)


def reasons(lf: nw.LazyFrame[Any]) -> list[str]:
    """The exclusion columns of a frame, in the order they were added."""
    return [c for c in lf.collect_schema().names() if c.startswith(X)]


def is_set(lf: nw.LazyFrame[Any], column: str) -> nw.Expr:
    """A boolean or 0/1 column as a non-null boolean expression."""
    if lf.collect_schema()[column] == nw.Boolean:
        return nw.col(column).fill_null(value=False)
    return (nw.col(column) == 1).fill_null(value=False)


def valid_number(lf: nw.LazyFrame[Any], column: str) -> nw.Expr:
    """Whether `column` holds a usable quantity: not null, not NaN, finite and not negative."""
    col = nw.col(column)
    valid = ~col.is_null() & (col >= 0)
    if lf.collect_schema()[column].is_float():
        valid = valid & col.is_finite()
    return valid.fill_null(value=False)


def has(lf: nw.LazyFrame[Any], column: str) -> bool:
    """Whether the frame has a column."""
    return column in lf.collect_schema()


def sums(lf: nw.LazyFrame[Any], columns: Iterable[str]) -> dict[str, float]:
    """Sum some boolean, 0/1 or numeric columns over the whole frame (one small collect).

    Boolean columns are summed as 0/1 (null as 0).
    """
    names = list(dict.fromkeys(columns))
    lf = _backend.summable(lf)
    row = _backend.rows(lf.select([nw.col(c).sum() for c in names]))[0]
    return {c: float(row[c] or 0) for c in names}


def exclusions(totals: Mapping[str, float], names: Iterable[str]) -> dict[str, int]:
    """The exclusion counts (as integers) of the ``_x_`` columns among summed `totals`."""
    return {name[len(X) :]: int(totals[name]) for name in names}


def defaults_note(defaults: Mapping[str, str]) -> dict[str, object]:
    """The ``details`` entry naming the documented defaults a KPI applied (empty if none)."""
    return {"defaults": dict(defaults)} if defaults else {}
