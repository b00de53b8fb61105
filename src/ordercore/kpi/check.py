"""Check a frame against its canonical schema, reporting every problem at once.

[`check_frame`][ordercore.kpi.check.check_frame] looks for missing required columns, wrong
types, naive timestamps, reversed timestamps (delivered before received, ...), negative
quantities and duplicate keys, and raises one
[`FrameSchemaError`][ordercore.errors.FrameSchemaError] that lists them all with a few example
rows, instead of failing deep inside a computation.
[`map_columns`][ordercore.kpi.check.map_columns] renames an ERP export onto the canonical names.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> export = pd.DataFrame({"SO": ["A", "A"], "CUST": ["C", "C"], "CH": ["web", "web"],
    ...                        "RECV": [t, t], "qty_ordered": [1.0, -2.0]})
    >>> orders = map_columns(export, {"SO": "order_id", "CUST": "customer_id", "CH": "channel",
    ...                               "RECV": "received_at"})
    >>> check_frame(orders, "orders")
    Traceback (most recent call last):
    ...
    ordercore.errors.FrameSchemaError: orders frame has 2 problem(s):
      - qty_ordered: 1 negative value(s), e.g. order_id=A
      - duplicate key (order_id): 1 key(s) appear more than once, e.g. order_id=A
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.errors import FrameSchemaError
from ordercore.kpi import _backend
from ordercore.kpi.schema import FRAMES, Column, FrameSpec

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["check_frame", "frame_problems", "map_columns", "require_columns"]

_EXAMPLES = 3


def _spec(frame: str) -> FrameSpec:
    try:
        return FRAMES[frame]
    except KeyError:
        raise KeyError(f"no canonical frame {frame!r}; known: {', '.join(FRAMES)}") from None


def _type_problem(column: Column, dtype: Any) -> str | None:
    if column.kind == "datetime":
        if not isinstance(dtype, nw.Datetime):
            hint = (
                " (text read from a file: parse it first, e.g. pandas.to_datetime(col, utc=True)"
                " for ISO timestamps with an offset)"
                if dtype == nw.String
                else ""
            )
            return f"{column.name}: expected a timezone-aware datetime, got {dtype}{hint}"
        if dtype.time_zone is None:
            return f"{column.name}: naive timestamps; localise them (e.g. to the ERP's zone) first"
        return None
    if column.kind == "string":
        ok = dtype in (nw.String, nw.Categorical) or isinstance(dtype, nw.Enum)
    elif column.kind == "float":
        ok = bool(dtype.is_numeric())
    elif column.kind == "int":
        ok = bool(dtype.is_integer())
    else:
        ok = dtype == nw.Boolean
    return None if ok else f"{column.name}: expected {column.kind}, got {dtype}"


def _schema_problems(
    spec: FrameSpec, schema: Mapping[str, Any], needed: Iterable[str]
) -> list[str]:
    problems = [f"missing column {name!r}" for name in needed if name not in schema]
    for name, dtype in schema.items():
        if name in spec.names:
            problem = _type_problem(spec.column(name), dtype)
            if problem:
                problems.append(problem)
    return problems


def require_columns(native: object, frame: str, needed: Iterable[str] = ()) -> None:
    """Check only names and types (cheap: no data is read); KPIs call this first.

    Args:
        native: The frame.
        frame: Its canonical name.
        needed: Optional columns this computation needs on top of the required ones.

    Raises:
        FrameSchemaError: Listing every missing or mistyped column.
    """
    spec = _spec(frame)
    schema = dict(_backend.lazy(native).collect_schema())
    wanted = [c.name for c in spec.columns if c.required] + [n for n in needed if n]
    problems = _schema_problems(spec, schema, dict.fromkeys(wanted))
    if problems:
        raise FrameSchemaError(frame, problems)


def frame_problems(native: object, frame: str) -> list[str]:
    """Return every problem of a frame against its canonical schema (empty when clean).

    Args:
        native: A pandas, polars or DuckDB frame with canonical column names.
        frame: The canonical frame name (``orders``, ``lines``, ...; see `FRAMES`).
    """
    spec = _spec(frame)
    lf = _backend.lazy(native)
    schema = dict(lf.collect_schema())
    problems = _schema_problems(spec, schema, [c.name for c in spec.columns if c.required])
    if problems:
        return problems  # data checks need the right types
    key = [k for k in spec.key if k in schema]
    show = key or [next(iter(schema))]
    for column in spec.columns:
        if column.non_negative and column.name in schema:
            problems.extend(
                _rows(lf, nw.col(column.name) < 0, show, f"{column.name}: {{n}} negative value(s)")
            )
    for earlier, later in spec.ordering:
        if earlier in schema and later in schema:
            message = f"{later} before {earlier}: {{n}} row(s)"
            problems.extend(_rows(lf, nw.col(later) < nw.col(earlier), show, message))
    if key:
        dupes = lf.group_by(key).agg(nw.len().alias("_n")).filter(nw.col("_n") > 1)
        problems.extend(
            _rows(
                dupes,
                nw.col("_n") > 1,
                key,
                f"duplicate key ({', '.join(key)}): {{n}} key(s) appear more than once",
            )
        )
    return problems


def _rows(lf: nw.LazyFrame[Any], condition: nw.Expr, show: list[str], message: str) -> list[str]:
    bad = lf.filter(condition)
    count = _backend.rows(bad.select(nw.len().alias("n")))[0]["n"]
    if not count:
        return []
    examples = _backend.rows(bad.select(show).sort(show).head(_EXAMPLES))
    shown = "; ".join(", ".join(f"{k}={r[k]}" for k in show) for r in examples)
    return [message.format(n=count) + f", e.g. {shown}"]


def check_frame(native: object, frame: str) -> object:
    """Check a frame and return it unchanged, or raise listing every problem.

    Raises:
        FrameSchemaError: With all problems (missing columns, wrong types, naive
            timestamps, reversed timestamps, negative quantities, duplicate keys) and
            example rows.
        UnsupportedBackend: For a frame that is not pandas, polars or DuckDB.
    """
    problems = frame_problems(native, frame)
    if problems:
        raise FrameSchemaError(frame, problems)
    return native


def map_columns(native: Any, mapping: Mapping[str, str], *, keep_unmapped: bool = True) -> Any:
    """Rename an export's columns onto canonical names, in the caller's library.

    Args:
        native: The export as a pandas, polars or DuckDB frame.
        mapping: ``{export name: canonical name}``.
        keep_unmapped: Keep columns not in `mapping` (default) or drop them.

    Raises:
        FrameSchemaError: Listing every export column named in `mapping` that is absent.
    """
    frame = nw.from_native(native)
    present = set(frame.collect_schema().names())
    missing = [
        f"mapped column {name!r} is not in the export" for name in mapping if name not in present
    ]
    if missing:
        raise FrameSchemaError("export", missing)
    renamed = frame.rename(dict(mapping))
    if not keep_unmapped:
        renamed = renamed.select(list(mapping.values()))
    return renamed.to_native()
