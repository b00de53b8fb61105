"""Check a frame against its canonical schema, reporting every problem at once.

[`check_frame`][ordercore.kpi.check.check_frame] looks for missing required columns, wrong
types, naive timestamps, nulls where a value is required, codes outside their documented
vocabulary, negative, NaN or infinite numbers, reversed timestamps (delivered before
received, ...), duplicate keys and, given the orders frame, rows about unknown orders. It
raises one [`FrameSchemaError`][ordercore.errors.FrameSchemaError] that lists them all with a
few example rows, instead of failing deep inside a computation. All counts come from one
aggregation over the frame; example rows are looked up only for the problems found.

Every KPI runs the part of these checks that makes a frame unusable (missing or mistyped
columns, null ids and codes, unknown codes, duplicate keys) and refuses the frame; rows whose
numbers or timestamps cannot be judged are left out of the KPI and counted by reason in its
`exclusions` (see the KPI pages).
[`map_columns`][ordercore.kpi.check.map_columns] renames an ERP export onto the canonical names.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> export = pd.DataFrame({"SO": ["A", "A"], "CUST": ["C", "C"], "CH": ["web", "Web"],
    ...                        "RECV": [t, t], "qty_ordered": [1.0, -2.0]})
    >>> orders = map_columns(export, {"SO": "order_id", "CUST": "customer_id", "CH": "channel",
    ...                               "RECV": "received_at"})
    >>> check_frame(orders, "orders")
    Traceback (most recent call last):
    ...
    ordercore.errors.FrameSchemaError: orders frame has 3 problem(s):
      - channel: 1 value(s) outside phone, fax, web, edi, email, api, e.g. order_id=A (channel='Web')
      - qty_ordered: 1 negative value(s), e.g. order_id=A
      - duplicate key (order_id): 1 row(s) repeat a key, e.g. order_id=A (2 rows)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs
import narwhals.stable.v2 as nw

from ordercore.errors import FrameProblem, FrameSchemaError, InvalidArgument
from ordercore.kpi import _backend
from ordercore.kpi.schema import FRAMES, Column, FrameSpec

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["check_frame", "frame_problems", "map_columns", "refuse", "require_columns"]

_EXAMPLES = 3

Duplicates = Literal["refuse", "exclude"]
"""What a KPI does with rows that share a key: refuse the frame, or exclude and count them."""


def _spec(frame: str) -> FrameSpec:
    if not isinstance(frame, str) or frame not in FRAMES:
        raise InvalidArgument(
            "check_frame", "frame", f"no canonical frame {frame!r}; known: {', '.join(FRAMES)}"
        )
    return FRAMES[frame]


def _type_problem(column: Column, dtype: Any) -> str | None:
    if column.kind == "datetime":
        if not isinstance(dtype, nw.Datetime):
            hint = (
                " (text read from a file: wall-clock text with map_columns(..., tz='<the"
                " export's zone>'), ISO text with an offset with pandas.to_datetime(col,"
                " utc=True))"
                if dtype == nw.String
                else ""
            )
            return f"{column.name}: expected a timezone-aware datetime, got {dtype}{hint}"
        if dtype.time_zone is None:
            return (
                f"{column.name}: naive timestamps; localise them in the export's zone first, "
                "e.g. map_columns(..., tz='Asia/Shanghai')"
            )
        return None
    if column.kind == "string":
        coded = dtype == nw.Categorical or isinstance(dtype, nw.Enum)
        if coded and column.name.endswith("_id"):
            # ids are matched across frames, and a category does not match text alike on
            # every backend (polars refuses the join; pandas' lookups miss)
            return (
                f"{column.name}: ids must be text, got {dtype}; cast them first (pandas:"
                " .astype('str'), polars: .cast(pl.String))"
            )
        ok = dtype == nw.String or coded
    elif column.kind == "float":
        ok = bool(dtype.is_numeric())
    elif column.kind == "int":
        ok = bool(dtype.is_integer())
    else:
        ok = dtype == nw.Boolean
    return None if ok else f"{column.name}: expected {column.kind}, got {dtype}"


def _schema_problems(
    spec: FrameSpec, schema: Mapping[str, Any], needed: Iterable[str]
) -> list[FrameProblem]:
    problems = [
        FrameProblem(f"missing column {name!r}", column=name, problem="missing column")
        for name in needed
        if name not in schema
    ]
    for name, dtype in schema.items():
        if name in spec.names:
            problem = _type_problem(spec.column(name), dtype)
            if problem:
                problems.append(FrameProblem(problem, column=name, problem="wrong type"))
    return problems


def _typed(spec: FrameSpec, schema: Mapping[str, Any]) -> set[str]:
    """The canonical columns present with the right type (the only ones whose data is read)."""
    return {
        name
        for name, dtype in schema.items()
        if name in spec.names and _type_problem(spec.column(name), dtype) is None
    }


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


@attrs.frozen
class _Rule:
    """One data check: rows where `bad` holds have the `problem` in `column`."""

    column: str
    problem: str
    bad: nw.Expr
    refused: bool
    """Whether a KPI refuses the frame for it (else the rows are excluded and counted)."""
    show_value: bool = False
    label: str | None = None
    """The message head, when it is not ``<column>: <n> <problem>``."""


def _member(col: nw.Expr, values: Sequence[str], implementation: nw.Implementation) -> nw.Expr:
    """Whether `col` is one of a few `values`.

    ``is_in`` on pandas (an Arrow hash lookup), equalities elsewhere (three times faster than
    polars' ``is_in`` on a string column).
    """
    if implementation is nw.Implementation.PANDAS:
        return col.is_in(list(values))
    return nw.any_horizontal(*[col == v for v in values], ignore_nulls=True)


def _number_rules(column: Column, *, decimal: bool) -> list[_Rule]:
    """Negative numbers; NaN or infinity where a number is required, infinity elsewhere."""
    col = nw.col(column.name)
    rules = []
    if column.non_negative:
        rules.append(_Rule(column.name, "negative value(s)", col < 0, refused=False))
    if decimal and column.not_null:
        bad = ~col.is_null() & ~col.is_finite()
        rules.append(_Rule(column.name, "NaN or infinite value(s)", bad, refused=False))
    elif decimal:
        bad = ~col.is_null() & ~col.is_nan() & ~col.is_finite()
        rules.append(_Rule(column.name, "infinite value(s)", bad, refused=False))
    return rules


def _rules(
    spec: FrameSpec,
    schema: Mapping[str, Any],
    typed: set[str],
    implementation: nw.Implementation = nw.Implementation.PANDAS,
) -> list[_Rule]:
    """Every data rule that applies to the typed columns present, in the schema's order."""
    rules: list[_Rule] = []
    for column in spec.columns:
        name = column.name
        if name not in typed:
            continue
        col = nw.col(name)
        text = column.kind == "string"
        if column.not_null:
            rules.append(_Rule(name, "null value(s)", col.is_null(), refused=text))
        decimal = column.kind == "float" and schema[name].is_float()
        # in a column that may be null, NaN reads as null (pandas cannot tell them apart)
        missing = col.is_null() | col.is_nan() if decimal and not column.not_null else col.is_null()
        other = column.required_with
        if other and other in typed:
            rules.append(
                _Rule(
                    name,
                    f"null value(s) where {other} is set",
                    ~nw.col(other).is_null() & missing,
                    refused=text,
                )
            )
        if column.values:
            rules.append(
                _Rule(
                    name,
                    f"value(s) outside {', '.join(column.values)}",
                    ~_member(col, column.values, implementation) & ~col.is_null(),
                    refused=True,
                    show_value=True,
                )
            )
        rules += _number_rules(column, decimal=decimal)
    for earlier, later in spec.ordering:
        if earlier in typed and later in typed:
            rules.append(
                _Rule(
                    later,
                    "row(s)",
                    nw.col(later) < nw.col(earlier),
                    refused=False,
                    label=f"{later} before {earlier}",
                )
            )
    return rules


def _examples(
    lf: nw.LazyFrame[Any], bad: nw.Expr, show: list[str]
) -> tuple[dict[str, object], ...]:
    rows = _backend.rows(lf.filter(bad).select(show).sort(show).head(_EXAMPLES))
    return tuple(dict(r) for r in rows)


def _shown(example: Mapping[str, object], key: Sequence[str]) -> str:
    keys = ", ".join(f"{k}={example[k]}" for k in key if k in example)
    values = ", ".join(f"{k}={v!r}" for k, v in example.items() if k not in key)
    return f"{keys} ({values})" if values else keys


def _problem(
    rule: _Rule, count: int, examples: tuple[dict[str, object], ...], key: Sequence[str]
) -> FrameProblem:
    head = f"{rule.label or rule.column}: {count} {rule.problem}"
    shown = "; ".join(_shown(e, key) for e in examples)
    return FrameProblem(
        f"{head}, e.g. {shown}" if shown else head,
        column=rule.column,
        problem=rule.problem if not rule.label else rule.label,
        count=count,
        examples=examples,
    )


def _duplicates(lf: nw.LazyFrame[Any], key: list[str], counted: int | None) -> FrameProblem | None:
    """The duplicate-key problem, or None; `counted` is the number of surplus rows if known."""
    present = lf.filter(*[~nw.col(k).is_null() for k in key])
    groups = present.group_by(key).agg(nw.len().alias("_rows"))
    if counted is None:
        counted = int(
            _backend.rows(groups.select((nw.col("_rows") - 1).sum().alias("n")))[0]["n"] or 0
        )
    if not counted:
        return None
    found = _backend.rows(groups.filter(nw.col("_rows") > 1).sort(key).head(_EXAMPLES))
    examples = tuple(dict(r) for r in found)
    shown = "; ".join(
        ", ".join(f"{k}={r[k]}" for k in key) + f" ({r['_rows']} rows)" for r in examples
    )
    name = ", ".join(key)
    return FrameProblem(
        f"duplicate key ({name}): {counted} row(s) repeat a key, e.g. {shown}",
        column=name,
        problem="duplicate key",
        count=counted,
        examples=examples,
    )


def _counts(
    lf: nw.LazyFrame[Any], rules: Sequence[_Rule], key: Sequence[str]
) -> tuple[list[int], int | None]:
    """Every rule's count (one aggregation) and, for a one-column key, the surplus rows.

    The surplus is 0 without counting when `_backend.keys_unique` can tell the keys apart
    cheaply; otherwise distinct keys are counted exactly.
    """
    exprs = [_backend.count(lf, r.bad).alias(f"_r{i}") for i, r in enumerate(rules)]
    single = len(key) == 1
    if not exprs:
        counts: list[int] = []
    else:
        row = _backend.rows(lf.select(*exprs))[0]
        counts = [int(row[f"_r{i}"] or 0) for i in range(len(rules))]
    if not single:
        return counts, None
    if _backend.keys_unique(lf, key[0]):
        return counts, 0
    k = nw.col(key[0])
    row = _backend.rows(
        lf.select(
            nw.len().alias("_n"),
            k.n_unique().alias("_u"),
            _backend.count(lf, k.is_null()).alias("_z"),
        )
    )[0]
    # n_unique counts null as one value; null keys are a problem of their own
    nulls = int(row["_z"] or 0)
    present, distinct = int(row["_n"] or 0) - nulls, int(row["_u"] or 0) - (1 if nulls else 0)
    return counts, present - distinct


def refuse(
    native: object,
    frame: str,
    *,
    duplicates: Duplicates = "refuse",
) -> int:
    """Refuse a frame a KPI cannot use; return how many rows repeat a key (when excluded).

    Checks, in one aggregation, the problems that make the frame unusable: null ids and
    codes, codes outside their vocabulary, null codes where another column requires them
    (``cancelled_by`` on a cancelled row), and duplicate keys (unless `duplicates` is
    ``"exclude"``). Names and types are checked by `require_columns` first.

    Raises:
        FrameSchemaError: Listing every such problem with example rows.
    """
    spec = _spec(frame)
    lf = _backend.lazy(native)
    schema = dict(lf.collect_schema())
    typed = _typed(spec, schema)
    rules = [r for r in _rules(spec, schema, typed, lf.implementation) if r.refused]
    key = [k for k in spec.key if k in typed]
    counts, surplus = _counts(lf, rules, key)
    problems = _found(lf, rules, counts, key)
    if key and (len(key) > 1 or surplus):
        problem = _duplicates(lf, key, surplus if len(key) == 1 else None)
        if problem is not None:
            if duplicates == "refuse":
                problems.append(problem)
            surplus = problem.count
    if problems:
        raise FrameSchemaError(frame, problems)
    return surplus or 0


def _found(
    lf: nw.LazyFrame[Any], rules: Sequence[_Rule], counts: Sequence[int], key: Sequence[str]
) -> list[FrameProblem]:
    problems = []
    show = list(key) or [next(iter(lf.collect_schema()))]
    for rule, count in zip(rules, counts, strict=True):
        if count:
            columns = [*show, *([rule.column] if rule.show_value else [])]
            columns = list(dict.fromkeys(columns))
            problems.append(_problem(rule, count, _examples(lf, rule.bad, columns), show))
    return problems


def frame_problems(native: object, frame: str, *, orders: object | None = None) -> list[str]:
    """Return every problem of a frame against its canonical schema (empty when clean).

    Args:
        native: A pandas, polars, DuckDB or PySpark frame with canonical column names.
        frame: The canonical frame name (``orders``, ``lines``, ...; see `FRAMES`).
        orders: The orders frame, to report rows of `native` about orders it does not have.
    """
    return [str(p) for p in _all_problems(native, frame, orders=orders)]


def _all_problems(native: object, frame: str, *, orders: object | None) -> list[FrameProblem]:
    spec = _spec(frame)
    lf = _backend.lazy(native)
    schema = dict(lf.collect_schema())
    problems = _schema_problems(spec, schema, [c.name for c in spec.columns if c.required])
    typed = _typed(spec, schema)
    rules = _rules(spec, schema, typed, lf.implementation)
    key = [k for k in spec.key if k in typed]
    counts, surplus = _counts(lf, rules, key)
    problems += _found(lf, rules, counts, key)
    if key and (len(key) > 1 or surplus):
        duplicate = _duplicates(lf, key, surplus if len(key) == 1 else None)
        if duplicate is not None:
            problems.append(duplicate)
    if orders is not None and frame != "orders" and "order_id" in typed:
        unknown = _backend.count_unmatched(lf, "order_id", _backend.lazy(orders), like=native)
        if unknown:
            show = list(dict.fromkeys([*key, "order_id"]))
            examples = tuple(
                dict(r)
                for r in _backend.rows(
                    lf.join(_backend.lazy(orders).select("order_id"), on="order_id", how="anti")
                    .select(show)
                    .sort(show)
                    .head(_EXAMPLES)
                )
            )
            shown = "; ".join(_shown(e, show) for e in examples)
            problems.append(
                FrameProblem(
                    f"order_id: {unknown} row(s) about orders not in the orders frame, "
                    f"e.g. {shown}",
                    column="order_id",
                    problem="unknown order",
                    count=unknown,
                    examples=examples,
                )
            )
    return problems


def check_frame(native: object, frame: str, *, orders: object | None = None) -> object:
    """Check a frame and return it unchanged, or raise listing every problem.

    Args:
        native: A pandas, polars, DuckDB or PySpark frame with canonical column names.
        frame: The canonical frame name.
        orders: The orders frame, to report rows about orders it does not have (errors,
            surveys, lines, deliveries, events).

    Raises:
        FrameSchemaError: With all problems (missing columns, wrong types, naive
            timestamps, nulls where a value is required, codes outside their vocabulary,
            negative, NaN or infinite numbers, reversed timestamps, duplicate keys, unknown
            orders) and example rows.
        UnsupportedBackend: For a frame that is not pandas, polars, DuckDB or PySpark.
    """
    problems = _all_problems(native, frame, orders=orders)
    if problems:
        raise FrameSchemaError(frame, problems)
    return native


def map_columns(
    native: Any,
    mapping: Mapping[str, str],
    *,
    keep_unmapped: bool = True,
    tz: str | None = None,
    time_format: str | None = None,
) -> Any:
    """Rename an export's columns onto canonical names, in the caller's library.

    Exports usually write local wall-clock time with no offset. With `tz` (an IANA zone, the
    export's own), every mapped timestamp column (a canonical name ending in ``_at``) that
    holds text or naive datetimes is read as wall-clock time in that zone and converted to
    UTC; columns that already carry a zone are left as they are. Reading such text with
    ``utc=True`` instead would put every value off by the zone's offset.

    Args:
        native: The export as a pandas, polars or DuckDB frame.
        mapping: ``{export name: canonical name}``.
        keep_unmapped: Keep columns not in `mapping` (default) or drop them.
        tz: The zone the export's wall-clock times are in (``"Asia/Shanghai"``).
        time_format: The ``strftime`` format of timestamp text (``"%Y-%m-%d %H:%M:%S"``);
            `None` lets the library infer it.

    Raises:
        FrameSchemaError: Listing every export column named in `mapping` that is absent, or
            a timestamp column that cannot be read in `tz` (text that is not a time, a
            wall-clock time that does not exist or exists twice in the zone, a DuckDB
            frame: localise there with ``AT TIME ZONE`` first). A polars LazyFrame meets
            these problems only when it is collected.
    """
    _backend.require_frames("map_columns", native=native)
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
    if tz is not None:
        renamed = _localised(
            renamed, [c for c in mapping.values() if c.endswith("_at")], tz, time_format
        )
    return renamed.to_native()


def _localised(frame: Any, columns: list[str], tz: str, time_format: str | None) -> Any:
    """The frame with its wall-clock timestamp columns read in `tz`, as UTC instants."""
    schema = frame.collect_schema()
    changes = []
    for name in columns:
        dtype = schema[name]
        if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
            continue  # an instant already
        column = nw.col(name)
        if dtype == nw.String:
            column = column.str.to_datetime(time_format)
        elif not isinstance(dtype, nw.Datetime):
            raise FrameSchemaError(
                "export",
                [
                    FrameProblem(
                        f"{name}: {dtype} is neither text nor a datetime",
                        column=name,
                        problem="wrong type",
                    )
                ],
            )
        changes.append(column.dt.replace_time_zone(tz).dt.convert_time_zone("UTC").alias(name))
    if not changes:
        return frame
    try:
        localised = frame.with_columns(*changes)
        if not isinstance(localised, nw.LazyFrame):
            return localised
        if nw.get_native_namespace(localised).__name__ == "duckdb":
            localised.collect()  # DuckDB keeps the zone on the connection: refuse here
    except Exception as error:  # noqa: BLE001 - each backend raises its own kind
        problem = f"timestamps cannot be read as wall-clock time in {tz}: {str(error).splitlines()[0][:200]}"
        raise FrameSchemaError(
            "export", [FrameProblem(problem, column=", ".join(columns), problem="not localisable")]
        ) from None
    return localised
