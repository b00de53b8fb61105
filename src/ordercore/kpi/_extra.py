"""Checks of the columns the improvement analysis reads beyond the canonical schema.

The trail columns (`ordercore.kpi.trail.TRAIL_COLUMNS`) are not part of the canonical events
frame, so `ordercore.kpi.check` does not know them; these checks refuse a frame that lacks
them, has them in the wrong type, or holds codes outside their vocabulary, the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

import narwhals.stable.v2 as nw

from ordercore.errors import FrameProblem, FrameSchemaError
from ordercore.kpi import _backend, _common

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ordercore.kpi.check import Duplicates

_T = TypeVar("_T")

_HINT = "build the frame with ordercore.kpi.trail_frame, or add the column (null where unknown)"


def _kind_ok(kind: str, dtype: Any) -> bool:
    if kind == "string":
        return dtype in (nw.String, nw.Categorical) or isinstance(dtype, nw.Enum)
    if kind == "bool":
        return bool(dtype == nw.Boolean)
    return bool(dtype.is_numeric())


def require(native: object, frame: str, columns: Mapping[str, str]) -> None:
    """Refuse `native` unless it has `columns` (name -> ``string``, ``bool`` or ``float``).

    A column made only of nulls may have any type (an export that never knows it).

    Raises:
        FrameSchemaError: Listing every missing or mistyped column.
    """
    schema = dict(_backend.lazy(native).collect_schema())
    problems = []
    for name, kind in columns.items():
        if name not in schema:
            problems.append(
                FrameProblem(
                    f"missing column {name!r} ({_HINT})", column=name, problem="missing column"
                )
            )
        elif not _kind_ok(kind, schema[name]) and schema[name] != nw.Unknown:
            problems.append(
                FrameProblem(
                    f"{name}: expected {kind}, got {schema[name]}",
                    column=name,
                    problem="wrong type",
                )
            )
    if problems:
        raise FrameSchemaError(frame, problems)


def only(
    native: object,
    columns: Sequence[str],
    event_types: Iterable[str] | None = None,
    *,
    materialize: bool = False,
) -> tuple[Any, bool]:
    """`native` with only `columns` (those it has), in its own library (lazy where it can be).

    The analyses read events by first and last moments, which a repeated event does not
    change: leaving out ``event_id`` spares the check for repeated keys (counting distinct
    ids is the costliest step on millions of events). With `event_types`, only the rows of
    those types are kept when ``event_type`` is a string column (the checks and conversions
    then run on the rows the analysis reads); another type is left to the checks to refuse.
    With `materialize`, the frame is computed now, for callers that check it and then read
    it; a polars copy so narrowed and materialized holds ``event_type`` as an enum of
    `event_types` (`_coded_types`).

    Returns:
        The frame, and whether the rows were narrowed to `event_types` (else the caller
        filters them after the checks).
    """
    frame = nw.from_native(native)  # type: ignore[call-overload]
    if isinstance(frame, nw.DataFrame):
        frame = frame.lazy()  # an eager frame is not copied: the selection runs in the query
    present = [c for c in columns if c in frame.collect_schema()]
    frame = frame.select(present)
    narrowed = event_types is not None and frame.collect_schema().get("event_type") == nw.String
    if narrowed and event_types is not None:
        # a row without a type is kept: the checks refuse it
        types = sorted(set(event_types))
        if materialize and frame.implementation is nw.Implementation.POLARS:
            frame = _coded_types(frame, types)
        else:
            kind = nw.col("event_type")
            frame = frame.filter(kind.is_in(types) | kind.is_null())
    if materialize:
        frame = collect(frame)
    return frame.to_native(), narrowed


def _coded_types(frame: nw.LazyFrame[Any], types: list[str]) -> nw.LazyFrame[Any]:
    """The rows of `types` (or without a type) of a polars `frame`, ``event_type`` an enum.

    The copy read holds these types only: coded, each comparison of the type is one of
    small integers (polars compares an enum with a text of another value as unequal). One
    lenient cast picks and codes the rows at once (a type outside `types` casts to null):
    54 ms against 72 for a lookup and a cast on 10.9M events. Conformance with and without
    the enum, alternating in one process over sixteen rounds: 0.945x (attribution 0.998x).
    """
    import polars as pl  # noqa: PLC0415 - only for polars frames

    kind = pl.col("event_type")
    coded = frame.to_native().with_columns(_coded=kind.cast(pl.Enum(types), strict=False))
    picked = coded.filter(pl.col("_coded").is_not_null() | kind.is_null())
    out: nw.LazyFrame[Any] = nw.from_native(
        picked.with_columns(event_type=pl.col("_coded")).drop("_coded")
    )
    return out


def checked_events(
    events: object,
    columns: Sequence[str],
    event_types: Iterable[str],
    codes: Mapping[str, Sequence[str]],
    *,
    tz: str,
    as_of: dt.datetime,
    kpi: str,
    materialize: bool,
    codes_where: nw.Expr | None = None,
    rows: Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]] | None = None,
    duplicates: Duplicates = "refuse",
    micros: bool = False,
) -> tuple[nw.LazyFrame[Any], bool]:
    """The events an analysis reads, checked and prepared (`ordercore.kpi._common.load`).

    Only `columns`, and the rows of `event_types` (`only`; with `materialize`, computed
    once for the checks and the reading). `codes` (column -> vocabulary) are refused on
    every row read where `codes_where` holds, also on those `rows` does not pick. With
    `micros`, ``at`` is in epoch microseconds.

    Returns:
        The loaded events, and whether they were narrowed to `event_types` (else the caller
        filters them).
    """
    narrow, narrowed = only(events, columns, event_types, materialize=materialize)
    lf = _common.load(
        narrow,
        "events",
        tz=tz,
        stamps=["at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi=kpi,
        rows=rows,
        micros=micros,
    )
    # every row read, before any is picked: the whole column answers when it holds no stray
    # code (the rows are not computed)
    every = _backend.lazy(narrow)
    refuse_codes(
        every if codes_where is None else every.filter(codes_where), "events", codes, source=narrow
    )
    return lf, narrowed


def refuse_codes(
    lf: nw.LazyFrame[Any],
    frame: str,
    codes: Mapping[str, Sequence[str]],
    key: str = "order_id",
    *,
    source: object | None = None,
) -> None:
    """Refuse a frame whose `codes` columns hold values outside their vocabulary (nulls pass).

    `source` is a native frame holding every row of `lf` with the same `codes` columns (the
    events before preparation): when none of its rows holds a bad code, `lf` holds none, and
    one pass over those columns alone answers, without computing `lf`.

    Raises:
        FrameSchemaError: One problem per column, with the count and a few examples.
    """
    if not codes:
        return
    bad = {
        name: ~nw.col(name).is_null() & ~nw.col(name).is_in(list(values))
        for name, values in codes.items()
    }
    if source is not None:
        found = _bad_codes(_backend.lazy(source), codes, bad)
        if not any(found.values()):
            return
    row = _bad_codes(lf, codes, bad)
    problems = []
    for name, expr in bad.items():
        count = int(row[name] or 0)
        if not count:
            continue
        examples = _backend.rows(lf.filter(expr).select(key, name).sort(key, name).head(3))
        shown = "; ".join(f"{key}={e[key]} ({name}={e[name]!r})" for e in examples)
        allowed = ", ".join(codes[name])
        problems.append(
            FrameProblem(
                f"{name}: {count} value(s) outside {allowed}, e.g. {shown}",
                column=name,
                problem=f"value outside {allowed}",
                count=count,
                examples=tuple(examples),
            )
        )
    if problems:
        raise FrameSchemaError(frame, problems)


def _bad_codes(
    lf: nw.LazyFrame[Any], codes: Mapping[str, Sequence[str]], bad: Mapping[str, nw.Expr]
) -> dict[str, Any]:
    """How many rows of `lf` hold a code outside its vocabulary, per column (one query).

    Polars looks the values up among the column's present values only: a code column is
    mostly null in an events frame (a risk level on assessments alone), and skipping the
    nulls first takes a fifth of the time.
    """
    if lf.implementation is nw.Implementation.POLARS:
        present = {name: nw.col(name).drop_nulls() for name in codes}
        counts = [
            (~present[name].is_in(list(values))).sum().alias(name) for name, values in codes.items()
        ]
    else:
        counts = [_backend.count(lf, expr).alias(name) for name, expr in bad.items()]
    return _backend.rows(lf.select(*counts))[0]


def unpivot(
    lf: nw.LazyFrame[Any],
    on: Sequence[str],
    index: Sequence[str],
    value: str,
    variable: str = "part",
) -> nw.LazyFrame[Any]:
    """`on` columns into rows of `variable` (the column name) and `value`.

    DuckDB relations run DuckDB's own ``UNPIVOT`` on their connection: narwhals' DuckDB
    unpivot reads the relation through the default connection, and refuses a relation of
    another.
    """
    if lf.implementation is not nw.Implementation.DUCKDB:
        return lf.unpivot(on=list(on), index=list(index), variable_name=variable, value_name=value)
    names = ", ".join(f'"{c}"' for c in on)
    # the names are ordercore's own column names, never user input
    query = f'UNPIVOT _t ON {names} INTO NAME "{variable}" VALUE "{value}"'
    relation = lf.to_native().query("_t", query)
    out: nw.LazyFrame[Any] = nw.from_native(relation)
    return out.with_columns(nw.col(value).cast(nw.Float64))


_SEEDS: Final = (0x6F72646572636F72, 0x65206B6579732032)
"""The seeds of the two 64-bit fingerprints of an order id (polars)."""


def fingerprinted(*frames: object) -> bool:
    """Whether every frame is a polars frame: its order ids can be grouped by fingerprint."""
    return all(
        nw.from_native(f).implementation is nw.Implementation.POLARS  # type: ignore[call-overload]
        for f in frames
    )


def fingerprinted_or_by_id(run: Callable[[bool], _T | None], what: str, *frames: object) -> _T:
    """`run` grouped by fingerprint where the frames allow it, by the ids where two collided.

    `run(fingerprint)` returns `None` when `collided` found a collision; the analysis then
    runs again grouped by the order ids themselves, so results never depend on the hash.
    """
    found = run(fingerprinted(*frames))
    if found is None:  # two order ids shared a fingerprint: grouped by the ids themselves
        found = run(False)  # noqa: FBT003 - run(fingerprint) reads as its one argument
    if found is None:  # pragma: no cover - ids never collide with themselves
        raise AssertionError(f"{what}: grouping by order id collided")
    return found


def keyed(lf: nw.LazyFrame[Any], *, fingerprint: bool, second: bool = True) -> nw.LazyFrame[Any]:
    """`lf` with its grouping key ``_k``: the order id, or (`fingerprint`) a 64-bit hash of it.

    Grouping millions of events by a string id costs polars several times what grouping by
    an integer does. With `fingerprint`, ``_k`` is a 64-bit hash of ``order_id`` and ``_k2``
    a second, independent one: a group whose events disagree on ``_k2``, or two orders
    sharing ``_k`` when either has events, is a collision that `collided` finds, and the
    analysis then runs again on the ids themselves (so results never depend on the hash).
    Other libraries group by the id (``_k`` is a copy of it). Without `second`, ``_k2`` is
    left to `second_key` (for rows picked by ``_k`` first).
    """
    if not fingerprint:
        return lf.with_columns(_k=nw.col("order_id"))
    import polars as pl  # noqa: PLC0415 - only for polars frames

    native = lf.to_native().with_columns(_k=pl.col("order_id").cast(pl.String).hash(_SEEDS[0]))
    out: nw.LazyFrame[Any] = nw.from_native(native)
    return second_key(out, fingerprint=True) if second else out


def second_key(lf: nw.LazyFrame[Any], *, fingerprint: bool) -> nw.LazyFrame[Any]:
    """`lf` (keyed without its second fingerprint) with ``_k2`` (nothing to add by id)."""
    if not fingerprint:
        return lf
    import polars as pl  # noqa: PLC0415 - only for polars frames

    native = lf.to_native().with_columns(_k2=pl.col("order_id").cast(pl.String).hash(_SEEDS[1]))
    out: nw.LazyFrame[Any] = nw.from_native(native)
    return out


def keyed_among(
    lf: nw.LazyFrame[Any], keys: nw.LazyFrame[Any], *, fingerprint: bool
) -> nw.LazyFrame[Any]:
    """`among(keyed(lf), keys)`, the second fingerprint computed on the rows kept only."""
    first = keyed(lf, fingerprint=fingerprint, second=False)
    return second_key(among(first, keys, fingerprint=fingerprint), fingerprint=fingerprint)


def among(
    lf: nw.LazyFrame[Any], keys: nw.LazyFrame[Any], *, fingerprint: bool
) -> nw.LazyFrame[Any]:
    """The rows of `lf` whose ``_k`` is one of `keys`' (a frame of ``_k``, no nulls).

    With `fingerprint` (polars), a lookup of the 64-bit keys in one hash set: about twice
    as fast as the semi join every library does otherwise.
    """
    if not fingerprint:
        return lf.join(keys, on="_k", how="semi")
    import polars as pl  # noqa: PLC0415 - only for polars frames

    wanted = keys.to_native().collect(engine="streaming").get_column("_k")
    native = lf.to_native().filter(pl.col("_k").is_in(wanted.implode()))
    out: nw.LazyFrame[Any] = nw.from_native(native)
    return out


def key_checks(*, fingerprint: bool) -> list[nw.Expr]:
    """The aggregations a group of events by ``_k`` carries for `collided` (none by id)."""
    if not fingerprint:
        return []
    return [nw.col("_k2").min().alias("_k2lo"), nw.col("_k2").max().alias("_k2hi")]


def collided(lf: nw.LazyFrame[Any], *, fingerprint: bool) -> bool:
    """Whether fingerprints collided in orders joined to their events' groups.

    `lf` has one row per order with its ``_k`` and ``_k2`` and the ``_k2lo`` and ``_k2hi``
    of its events' group (null without events). A group whose events' ``_k2`` is not the
    order's own collided: the events of two orders fell into one group (``_k2lo`` differs
    from ``_k2hi``), or an order took another's group. Two orders sharing ``_k`` are found
    so whenever either has events (the group joins both, and differs from one of them);
    when neither has, no event is read for them and nothing is mixed up. (The order ids are
    unique: the frame's check refuses repeated ones.)
    """
    if not fingerprint:
        return False
    lo, hi, own = nw.col("_k2lo"), nw.col("_k2hi"), nw.col("_k2")
    stray = ~lo.is_null() & ((lo != own) | (hi != own))
    row = rows(lf.select(stray.sum().alias("stray")))[0]
    return bool(row["stray"])


def collect(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """`lf` computed now, as a lazy frame over the result (polars: on its streaming engine).

    Polars' in-memory engine takes about twice as long as its streaming engine on these
    grouped queries over millions of events, and the default may pick either: the streaming
    engine is asked for (the result is the same).
    """
    if lf.implementation is nw.Implementation.POLARS:
        return lf.collect(engine="streaming").lazy()
    return lf.collect().lazy()


def rows(lf: nw.LazyFrame[Any]) -> list[dict[str, Any]]:
    """A small, aggregated frame as rows, computed as `collect` does."""
    return list(collect(lf).collect().rows(named=True))
