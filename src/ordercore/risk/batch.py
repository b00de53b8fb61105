"""Batch scoring: a whole features frame at once, with exactly the online results.

The features frame has one row per order: ``order_id`` and one nullable ``Int64`` column per
feature (see [`FEATURE_COLUMNS`][ordercore.risk.batch.FEATURE_COLUMNS]; nulls are unknown).
[`features_frame`][ordercore.risk.batch.features_frame] builds it from entities with the very
function online scoring uses, and a host may build it straight from an ERP export.
[`assess_frame`][ordercore.risk.batch.assess_frame] scores it through narwhals on pandas,
polars (eager or lazy), DuckDB or PySpark and returns the caller's library. A pandas frame
of the documented schema is scored on Arrow (pyarrow, a core dependency) with the same
expressions and converted back with the dtypes pandas itself gives, which is about twice as
fast as pandas' masked arrays.

**Why batch equals online.** Every feature is an integer and every threshold is an integer,
so a band is reached in a frame exactly when it is reached in Python; points are integer sums;
completeness is integer floor division; level and recommendation are integer ranks. No float
and no rounding is involved anywhere, on any backend. A property test scores generated data
both ways on pandas, polars and DuckDB and compares every output column.

Nothing is collected: on a lazy backend the result is a lazy query of `with_columns` and
`select`, so the same code can run where narwhals supports the engine.

Importing this module does not import pandas or narwhals; calling its functions does.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"order_id": ["SO-1", "SO-2"]}).assign(
    ...     **{name: pd.array([0, 0], dtype="Int64") for name in FEATURE_COLUMNS})
    >>> frame["exposure_bp"] = pd.array([12000, None], dtype="Int64")
    >>> assess_frame(frame)[["order_id", "score", "level", "recommendation", "data_completeness"]]
      order_id  score level recommendation  data_completeness
    0     SO-1     16   low         accept                100
    1     SO-2     10   low         accept                 93
"""

from __future__ import annotations

import operator
import os
from concurrent.futures import ThreadPoolExecutor
from functools import reduce
from typing import TYPE_CHECKING, Any, Final

from ordercore.errors import ConfigurationError, FrameSchemaError, UnsupportedBackend
from ordercore.risk.features import FEATURES, RiskContext, features_of
from ordercore.risk.policy import DEFAULT_POLICY, RiskLevel, RiskPolicy

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from ordercore.context import ReviewContext
    from ordercore.orders import Order

__all__ = [
    "FEATURE_COLUMNS",
    "OUTPUT_COLUMNS",
    "SUPPORTED",
    "assess_frame",
    "features_frame",
    "output_columns",
]

SUPPORTED: Final = ("pandas", "polars", "duckdb", "pyspark")
"""The frame libraries batch scoring accepts (PySpark is the next one; see the Risk docs)."""

FEATURE_COLUMNS: Final = FEATURES
"""The built-in feature columns, each nullable ``Int64`` (null = unknown), after ``order_id``."""

OUTPUT_COLUMNS: Final = (
    "order_id",
    "score",
    "level",
    "recommendation",
    "data_completeness",
    "floored",
    "hard_stop",
)
"""The first output columns; then ``stop_<code>`` per hard stop, ``points_<code>`` per factor,
and with ``explain=True`` ``reason_<code>`` per factor."""

_LEVELS: Final = tuple(RiskLevel)
_ROWS_PER_THREAD: Final = 250_000
"""Below this many rows per thread, a pandas frame is scored on one thread."""
_MAX_THREADS: Final = 8


def _nw() -> Any:
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - keeps `import ordercore.risk` light

    return nw


def _pa() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - batch-only

    return pa


def _backend(native: Any) -> str:
    """The one place that names the caller's library (a PySpark branch goes here)."""
    nw = _nw()
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise UnsupportedBackend(native, SUPPORTED) from None
    name = str(frame.implementation.value)
    if name not in SUPPORTED:
        raise UnsupportedBackend(native, SUPPORTED)
    return name


def output_columns(policy: RiskPolicy = DEFAULT_POLICY, *, explain: bool = False) -> list[str]:
    """The columns `assess_frame` adds, in order.

    Examples:
        >>> output_columns()[:8]
        ['order_id', 'score', 'level', 'recommendation', 'data_completeness', 'floored', 'hard_stop', 'stop_customer_blocked']
    """
    columns = list(OUTPUT_COLUMNS)
    columns.extend(f"stop_{stop.code}" for stop in policy.hard_stops)
    columns.extend(f"points_{factor.code}" for factor in policy.factors)
    if explain:
        columns.extend(f"reason_{factor.code}" for factor in policy.factors)
    return columns


def _check(frame: Any, policy: RiskPolicy) -> None:
    schema = frame.collect_schema()
    problems: list[str] = []
    if "order_id" not in schema:
        problems.append("column 'order_id' is missing")
    for name in policy.features():
        if name not in schema:
            problems.append(f"feature column {name!r} is missing")
        elif not schema[name].is_integer():
            problems.append(
                f"feature column {name!r} is {schema[name]}; features are exact integers "
                "(use a nullable Int64 column, null for unknown)"
            )
    if problems:
        raise FrameSchemaError("risk features", problems)


def assess_frame(frame: Any, policy: RiskPolicy = DEFAULT_POLICY, *, explain: bool = False) -> Any:
    """Score every row of a features frame; the result is identical to `assess_features`.

    Args:
        frame: A pandas or polars DataFrame, a polars LazyFrame, a DuckDB relation or a
            PySpark DataFrame with ``order_id`` and the feature columns the policy reads.
        policy: The policy.
        explain: Also return ``reason_<code>`` columns (reason codes per factor).

    Returns:
        A frame of the caller's library (eager in, eager out; lazy in, lazy out) with the
        columns of `output_columns`, row for row in the input order.

    Raises:
        UnsupportedBackend: If the frame's library is not supported (the message lists them).
        FrameSchemaError: If columns are missing or not integers (all problems at once).
    """
    backend = _backend(frame)
    nw = _nw()
    data = nw.from_native(frame)
    _check(data, policy)
    if backend == "pandas" and _arrow_ready(frame, policy):
        return _assess_pandas_on_arrow(frame, policy, explain=explain)
    return _assess_native(data, policy, explain=explain)


def _assess_native(data: Any, policy: RiskPolicy, *, explain: bool) -> Any:
    """Score a narwhals frame on its own library and return the native result."""
    columns = output_columns(policy, explain=explain)
    return _score(data, policy, explain=explain).select(*columns).to_native()


def _score(data: Any, policy: RiskPolicy, *, explain: bool) -> Any:
    """`data` (a narwhals frame) with the output columns, and helper columns, added."""
    nw = _nw()
    factors = policy.factors
    n = len(factors)
    data = data.with_columns(
        *(f.points_expr(nw).alias(f"points_{f.code}") for f in factors),
        *(f.known_expr(nw).alias(f"_known_{f.code}") for f in factors),
        *(
            # null (unknown) never fires a hard stop
            (nw.col(s.feature) >= s.at_least).fill_null(value=False).alias(f"stop_{s.code}")
            for s in policy.hard_stops
        ),
        *((f.reason_expr(nw).alias(f"reason_{f.code}") for f in factors) if explain else ()),
    )
    medium, high, critical = policy.thresholds
    score = nw.col("score")
    stops = [nw.col(f"stop_{s.code}") for s in policy.hard_stops]
    # points and known flags are never null: a plain sum needs no null filling
    data = data.with_columns(
        _total(nw.col(f"points_{f.code}") for f in factors).alias("score"),
        ((_total(nw.col(f"_known_{f.code}") for f in factors) * 100) // n).alias(
            "data_completeness"
        ),
        (nw.any_horizontal(*stops, ignore_nulls=True) if stops else nw.lit(value=False)).alias(
            "hard_stop"
        ),
    ).with_columns(
        nw.when(score >= critical)
        .then(nw.lit(3, nw.Int64))
        .when(score >= high)
        .then(nw.lit(2, nw.Int64))
        .when(score >= medium)
        .then(nw.lit(1, nw.Int64))
        .otherwise(nw.lit(0, nw.Int64))
        .alias("_by_score"),
    )
    floor = policy.incomplete_floor.rank
    floored = (nw.col("data_completeness") < policy.min_completeness) & (
        nw.col("_by_score") < floor
    )
    data = data.with_columns(floored.alias("floored")).with_columns(
        nw.when(nw.col("hard_stop"))
        .then(nw.lit(3, nw.Int64))
        .when(nw.col("floored"))
        .then(nw.lit(floor, nw.Int64))
        .otherwise(nw.col("_by_score"))
        .alias("_level")
    )
    level = nw.col("_level")
    by_level = level.replace_strict(
        list(range(len(_LEVELS))),
        [policy.recommendations[lv].rank for lv in _LEVELS],
        default=0,
        return_dtype=nw.Int64,
    )
    forced = [
        nw.when(nw.col(f"stop_{s.code}"))
        .then(nw.lit(s.recommendation.rank, nw.Int64))
        .otherwise(nw.lit(0, nw.Int64))
        for s in policy.hard_stops
    ]
    data = data.with_columns(nw.max_horizontal(by_level, *forced).alias("_rec"))
    names = _rank_names(nw)
    return data.with_columns(
        names(level, [lv.value for lv in _LEVELS]).alias("level"),
        names(nw.col("_rec"), [r.value for r in _recommendations()]).alias("recommendation"),
    )


def _total(exprs: Iterable[Any]) -> Any:
    """The sum of some expressions that are never null."""
    return reduce(operator.add, exprs)


def _arrow_ready(frame: Any, policy: RiskPolicy) -> bool:
    """Whether a pandas frame has the documented schema: every feature a nullable ``Int64``.

    Other integer dtypes (NumPy ``int64``, ``Int32``, Arrow-backed) give other output dtypes
    on pandas, so they are scored by pandas itself.
    """
    import pandas as pd  # noqa: PLC0415 - batch-only

    int64 = pd.Int64Dtype()
    return all(frame.dtypes[name] == int64 for name in policy.features())


def _assess_pandas_on_arrow(frame: Any, policy: RiskPolicy, *, explain: bool) -> Any:
    """Score a pandas features frame on Arrow and return what pandas itself would return.

    pandas evaluates each step on masked arrays, allocating a data and a mask array every
    time; Arrow's compute kernels run the very same expressions (`_score`) in about half the
    time, so the values are the same, and the conversions there and back cost little. The
    conversion back gives the dtypes `_assess_native` gives on this schema: ``Int64`` points
    and score, ``boolean`` hard stops, pandas' default string dtype for names and reasons,
    and plain ``int64`` completeness and ``bool`` floored (pandas derives both from NumPy
    null masks). ``order_id``, the index and the columns' name are the input's own.
    """
    import pandas as pd  # noqa: PLC0415 - batch-only

    nw, pa = _nw(), _pa()
    table = pa.Table.from_pandas(frame, columns=list(policy.features()), preserve_index=False)
    # no pandas metadata: the result is a new frame, not a round trip of the input
    table = table.replace_schema_metadata(None)
    columns = output_columns(policy, explain=explain)[1:]

    def score(part: Any) -> Any:
        return _score(nw.from_native(part), policy, explain=explain).select(*columns).to_native()

    # Arrow's kernels release the GIL: large frames are scored in row slices (zero-copy
    # views) on a few threads, which end with the call. Scoring is row by row, so the
    # slices' results, concatenated in order, are the whole frame's.
    workers = min(os.cpu_count() or 1, _MAX_THREADS, table.num_rows // _ROWS_PER_THREAD)
    if workers > 1:
        size = -(-table.num_rows // workers)
        slices = [table.slice(start, size) for start in range(0, table.num_rows, size)]
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:
            scored = pa.concat_tables(list(pool.map(score, slices)))
    else:
        scored = score(table)
    types = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    result = scored.to_pandas(types_mapper=types.get)
    result = result.astype({"data_completeness": "int64", "floored": "bool"})
    result.index = frame.index
    result.columns.name = frame.columns.name
    # a Series on the very same index: inserted without alignment, keeping its dtype (a bare
    # NumPy object array would be inferred as strings)
    result.insert(0, "order_id", frame["order_id"])
    return result


def _recommendations() -> tuple[Any, ...]:
    from ordercore.risk.policy import Recommendation  # noqa: PLC0415 - a tuple of members

    return tuple(Recommendation)


def _rank_names(nw: Any) -> Any:
    def names(rank: Any, values: list[str]) -> Any:
        return rank.replace_strict(
            list(range(len(values))), values, default=None, return_dtype=nw.String
        )

    return names


def features_frame(
    orders: Iterable[Order],
    context: ReviewContext | RiskContext,
    *,
    as_of: datetime,
    review_warnings: Mapping[str, int] | None = None,
    backend: str = "pandas",
) -> Any:
    """Build the features frame of some orders with the same code online scoring uses.

    Args:
        orders: The orders.
        context: Their snapshot.
        as_of: The assessment time.
        review_warnings: Warnings from order review by order id; an order not listed (or
            `None` for all) has review as unknown.
        backend: ``"pandas"``, ``"polars"`` or ``"duckdb"``.

    Returns:
        A pandas or polars DataFrame, or a DuckDB relation, with ``order_id`` and every
        feature column as nullable ``Int64``.

    Raises:
        ConfigurationError: If `backend` is not supported.
    """
    if backend not in SUPPORTED:
        raise ConfigurationError(
            f"unknown backend {backend!r}; use one of {', '.join(SUPPORTED)}",
            component="features_frame",
        )
    risk = RiskContext.of(context)
    warnings = review_warnings or {}
    columns: dict[str, list[Any]] = {"order_id": [], **{name: [] for name in FEATURES}}
    for order in orders:
        features = features_of(
            order, risk, as_of=as_of, review_warnings=warnings.get(order.order_id)
        )
        columns["order_id"].append(order.order_id)
        for name in FEATURES:
            columns[name].append(getattr(features, name))
    pa = _pa()
    table = pa.table(
        {
            "order_id": pa.array(columns["order_id"], type=pa.string()),
            **{name: pa.array(columns[name], type=pa.int64()) for name in FEATURES},
        }
    )
    if backend == "polars":
        import polars as pl  # noqa: PLC0415

        return pl.from_arrow(table)
    if backend == "duckdb":
        import duckdb  # noqa: PLC0415

        return duckdb.from_arrow(table)
    return table.to_pandas(types_mapper={pa.int64(): _pandas_int64()}.get)


def _pandas_int64() -> Any:
    import pandas as pd  # noqa: PLC0415

    return pd.Int64Dtype()
