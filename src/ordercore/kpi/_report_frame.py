"""How the monthly report's frame is built, lazily, on every backend.

The aggregated parts (orders, surveys) are stacked with a grid of every month of every group,
then summed once more per key: no join on the group keys, so a null group (orders without an
owner) is treated alike everywhere, and nothing is collected, so a Spark report stays lazy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError
from ordercore.kpi import _backend, _common
from ordercore.kpi.policies import OtifPolicy
from ordercore.kpi.schema import FRAMES

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from ordercore.kpi.check import Duplicates

Grain = Literal["order", "line"]
"""The grain of a report: ``order`` (the orders frame) or ``line`` (the lines frame)."""

Kind = Literal["count", "sum", "stat"]
"""How a report column is combined: a count (Int64, summed), a sum (Float64) or a statistic."""

_M = _backend.MONTH_SUFFIX
_YEARS_BACK, _YEARS_AHEAD = 50, 10
"""Empty months are filled in from this many years before `as_of` to this many after."""


def policy(policy: OtifPolicy | str, grain: Grain, component: str) -> OtifPolicy:
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    if not isinstance(policy, OtifPolicy):
        raise ConfigurationError(
            f"policy must be an OtifPolicy or a preset name, got {policy!r}", component=component
        )
    if grain == "order" and policy.grain != "order":
        raise ConfigurationError(
            f"policy {policy.name!r} is {policy.grain}-grain, but the monthly report reads the "
            "orders frame at order grain; use line_report(lines, ...) for line OTIF, or an "
            "order-grain policy such as 'scor_commit'",
            component=component,
        )
    if grain == "line" and policy.grain != "line":
        raise ConfigurationError(
            f"policy {policy.name!r} is {policy.grain}-grain, but the line report counts lines; "
            "use a line-grain policy such as 'line_commit' (unit fill is always in the report; "
            "for unit- or value-weighted OTIF call otif(lines, policy))",
            component=component,
        )
    return policy


def settings(by: Sequence[str], min_sample: int, component: str) -> tuple[str, ...]:
    if isinstance(by, str) or not all(isinstance(c, str) for c in by):
        raise ConfigurationError(
            f"by must be a list of column names, got {by!r}", component=component
        )
    if len(set(by)) != len(by):
        raise ConfigurationError(f"by names a column twice: {list(by)}", component=component)
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1:
        raise ConfigurationError(
            f"min_sample must be a whole number >= 1, got {min_sample!r}", component=component
        )
    return tuple(by)


def calendar_months(as_of: dt.datetime, tz: str) -> list[int]:
    _common.as_of_values(as_of, tz)  # checks both
    year = as_of.astimezone(ZoneInfo(tz)).year
    return [
        y * 100 + m
        for y in range(year - _YEARS_BACK, year + _YEARS_AHEAD + 1)
        for m in range(1, 13)
    ]


def complete(
    parts: Sequence[nw.LazyFrame[Any]],
    keys: Sequence[str],
    columns: Mapping[str, Kind],
    *,
    like: Any,
    as_of: dt.datetime,
    tz: str,
) -> nw.LazyFrame[Any]:
    """Stack aggregated `parts` and every empty month of every group, then sum per key.

    Each key appears at most once in each part, so a statistic (a mean or a quantile) is
    the one non-null value of its key; counts and sums add up. Stacking and grouping again,
    rather than joining on the keys, treats a null group (orders without an owner) alike on
    every backend, and stays lazy: the months come from a small calendar table joined with
    the data's first and last month.
    """
    pk, by = keys[0], list(keys[1:])
    schema = parts[0].collect_schema()
    kinds = {"count": nw.Int64, "sum": nw.Float64, "stat": nw.Float64}

    def aligned(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        have = part.collect_schema()
        return part.select(
            *[nw.col(k).cast(schema[k]) for k in keys],
            *[
                (nw.col(c) if c in have else nw.lit(None if kind == "stat" else 0))
                .cast(kinds[kind])
                .alias(c)
                for c, kind in columns.items()
            ],
        )

    stacked = nw.concat([aligned(p) for p in parts])
    if isinstance(nw.from_native(like), nw.DataFrame):
        # the caller gets an eager frame anyway: compute the small aggregates once, in one
        # query, rather than once for each of the three places below that read them
        stacked = stacked.collect().lazy()
    keyed = stacked.select(*keys)
    bounds = keyed.select(nw.col(pk).min().alias("_lo"), nw.col(pk).max().alias("_hi"))
    months = _backend.small_table(like, {"_m": calendar_months(as_of, tz)})
    span = (
        months.join(bounds, how="cross")
        .filter((nw.col("_m") >= nw.col("_lo")) & (nw.col("_m") <= nw.col("_hi")))
        .select(nw.col("_m").cast(schema[pk]).alias(pk))
    )
    grid = span.join(keyed.select(*by).unique(), how="cross") if by else span
    summed = (
        nw.concat([stacked, aligned(grid)])
        .group_by(*keys)
        .agg(
            *[nw.col(c).max() if kind == "stat" else nw.col(c).sum() for c, kind in columns.items()]
        )
    )
    # DuckDB sums integers into 128-bit decimals: counts come back as Int64
    return summed.with_columns(*[nw.col(c).cast(kinds[kind]) for c, kind in columns.items()])


def finish(
    out: nw.LazyFrame[Any],
    keys: Sequence[str],
    order: Sequence[str],
    rates: Mapping[str, tuple[str, str]],
    min_sample: int,
) -> nw.LazyFrame[Any]:
    """Add period, rates and status; counts as Int64; columns in `order`, rows by key."""
    pk, by = keys[0], list(keys[1:])
    month = nw.col(pk).cast(nw.Int64)
    names = out.collect_schema().names()
    out = out.with_columns(
        period=nw.concat_str(
            [
                (month // 100).cast(nw.String),
                nw.lit("-"),
                (month % 100).cast(nw.String).str.zfill(2),
            ]
        ),
        **{
            rate: nw.when(nw.col(den) > 0).then(nw.col(num) / nw.col(den))
            for rate, (num, den) in rates.items()
            if num in names
        },
        status=nw.when(nw.col("counted") == 0)
        .then(nw.lit("no_data"))
        .when(nw.col("counted") < min_sample)
        .then(nw.lit("insufficient_sample"))
        .otherwise(nw.lit("ok")),
    )
    present = out.collect_schema().names()
    first = ["period", *by]
    return out.select(*first, *[c for c in order if c in present], "status").sort(first)


def judged(lf: nw.LazyFrame[Any], frame: str, stamps: Sequence[str]) -> nw.Expr:
    """Whether a KPI that reads only the timestamps `stamps` can judge each row (its ``_ok``).

    `_common.load` checks the order of the timestamps it prepares, and the report prepares
    those of all its measures at once: a reversal between two timestamps a measure never
    reads (cycle time does not read ``approved_at``) does not stop that measure. Such a row
    is excluded only as ``reversed_timestamps``, the last of load's reasons, so it passed
    every other check.
    """
    names = set(lf.collect_schema().names())
    own = nw.lit(value=False)
    for earlier, later in FRAMES[frame].ordering:
        if {earlier, later} <= set(stamps) and {earlier, later} <= names:
            own = own | (nw.col(later) < nw.col(earlier)).fill_null(value=False)
    return nw.col("_ok") | (_common.is_set(lf, _common.X + "reversed_timestamps") & ~own)


def csat(
    surveys: object,
    by: Sequence[str],
    *,
    tz: str,
    as_of: dt.datetime,
    duplicates: Duplicates,
) -> nw.LazyFrame[Any]:
    """CSAT answers and top-2-box answers per month of ``sent_at`` and group, as `survey_score`.

    The surveys are loaded and judged as `survey_score` does: sent by `as_of`, and an answer
    that came after `as_of` (``responded_at``) is not an answer yet.
    """
    now, _ = _common.as_of_values(as_of, tz)
    sv = _common.load(
        surveys,
        "surveys",
        tz=tz,
        needed=["score", *by],
        period_by="sent_at",
        stamps=["sent_at", "responded_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="monthly_report",
    )
    # only the columns read below: an eager backend (pandas) copies what it filters
    read = ["sent_at" + _M, *by, "kind", "sent_at", "score", "_ok"]
    sv = sv.select(
        *dict.fromkeys([*read, *(["responded_at"] if _common.has(sv, "responded_at") else [])])
    )
    # two filters: the one on `kind` reaches below the time zone conversion on lazy backends
    sv = sv.filter(nw.col("kind") == "csat").filter(nw.col("sent_at") <= now)
    answered = ~nw.col("score").is_null()
    if sv.collect_schema()["score"].is_float():
        # pandas reads NaN as missing, polars, DuckDB and Spark do not: NaN is no answer too
        answered = answered & ~nw.col("score").is_nan()
    if _common.has(sv, "responded_at"):
        answered = answered & ~(nw.col("responded_at") > now).fill_null(value=False)
    answered = nw.col("_ok") & answered.fill_null(value=False)
    in_scale = answered & (nw.col("score") >= 1) & (nw.col("score") <= 5)  # noqa: PLR2004 - the CSAT scale
    sv = sv.with_columns(
        _r=in_scale.fill_null(value=False),
        _t=(in_scale & (nw.col("score") >= 4)).fill_null(value=False),  # noqa: PLR2004 - top-2-box
    )
    return (
        _backend.summable(sv)
        .group_by("sent_at" + _M, *by)
        .agg(nw.col("_r").sum().alias("csat_responses"), nw.col("_t").sum().alias("csat_top2"))
    )


def green_packages(
    packages: object,
    orders: object,
    by: Sequence[str],
    *,
    tz: str,
    as_of: dt.datetime,
    duplicates: Duplicates,
) -> nw.LazyFrame[Any]:
    """Packages and green packages per month of ``packed_at`` and group (policy 10.1).

    Packages packed after `as_of` are not known yet; rows no KPI can judge (a repeated key
    excluded, say) are not counted. The `by` columns the packages frame lacks are looked up
    on the orders frame by ``order_id``.
    """
    now, _ = _common.as_of_values(as_of, tz)
    names = set(_backend.lazy(packages).collect_schema().names())
    from_orders = [c for c in by if c not in names]
    pk = _common.load(
        packages,
        "packages",
        tz=tz,
        needed=["green", *[c for c in by if c not in from_orders]],
        period_by="packed_at",
        stamps=["packed_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="monthly_report",
    )
    if from_orders:
        attributes = _common.load(
            orders, "orders", tz=tz, needed=from_orders, stamps=[], kpi="monthly_report"
        )
        pk = pk.join(attributes.select("order_id", *from_orders), on="order_id", how="left")
    pk = pk.filter((nw.col("packed_at") <= now).fill_null(value=False))
    pk = pk.with_columns(
        _p=nw.col("_ok"), _g=(nw.col("_ok") & nw.col("green")).fill_null(value=False)
    )
    return (
        _backend.summable(pk)
        .group_by("packed_at" + _M, *by)
        .agg(nw.col("_p").sum().alias("packages"), nw.col("_g").sum().alias("packages_green"))
    )
