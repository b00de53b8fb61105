"""Shared plumbing of the KPI functions: prepare, filter to a period and group, as_of."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError
from ordercore.kpi import _backend
from ordercore.kpi.check import require_columns
from ordercore.kpi.schema import FRAMES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def as_of_values(as_of: dt.datetime, tz: str) -> tuple[float, int]:
    """`as_of` as epoch seconds and as the local day number in `tz`."""
    if not isinstance(as_of, dt.datetime) or as_of.tzinfo is None:
        raise ConfigurationError(
            f"as_of must be a timezone-aware datetime, got {as_of!r}", component="kpi"
        )
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    local = as_of.astimezone(ZoneInfo(_backend.check_zone(tz))).date()
    return (as_of - _EPOCH).total_seconds(), (local - _EPOCH.date()).days


def period_month(period: str | None) -> int | None:
    """``"2026-03"`` as 202603."""
    if period is None:
        return None
    try:
        year, month = (int(p) for p in period.split("-"))
    except ValueError:
        raise ConfigurationError(
            f"period must look like '2026-03', got {period!r}", component="kpi"
        ) from None
    if not 1 <= month <= 12:  # noqa: PLR2004
        raise ConfigurationError(
            f"period must look like '2026-03', got {period!r}", component="kpi"
        )
    return year * 100 + month


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
) -> nw.LazyFrame[Any]:
    """Check names/types, prepare timestamps, and filter to a period and a group.

    Only `period_by` and the `local` columns get local day/month columns (time-zone
    conversion is the expensive part); `stamps` limits the epoch conversion (all by default).
    """
    needed = [*needed, *(where or {})]
    if period_by:
        needed.append(period_by)
    require_columns(native, frame, needed)
    all_stamps = [c.name for c in FRAMES[frame].columns if c.kind == "datetime"]
    chosen = all_stamps if stamps is None else [c for c in all_stamps if c in set(stamps)]
    local_columns = [*local, *([period_by] if period_by else [])]
    lf = _backend.prepare(native, chosen, tz, local=local_columns)
    month = period_month(period)
    if month is not None and period_by:
        lf = lf.filter(nw.col(period_by + _backend.MONTH_SUFFIX) == month)
    for column, value in (where or {}).items():
        lf = lf.filter(nw.col(column) == value)
    return lf


def has(lf: nw.LazyFrame[Any], column: str) -> bool:
    """Whether the frame has a column."""
    return column in lf.collect_schema()


def sums(lf: nw.LazyFrame[Any], columns: Iterable[str]) -> dict[str, float]:
    """Sum some 0/1 or numeric columns over the whole frame (one small collect)."""
    names = list(columns)
    row = _backend.rows(lf.select([nw.col(c).sum().alias(c) for c in names]))[0]
    return {c: float(row[c] or 0) for c in names}
