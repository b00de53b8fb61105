from __future__ import annotations

import datetime as dt
import math
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ordercore.kpi import (
    cycle_time,
    generate,
    monthly_report,
    order_accuracy,
    otif,
    perfect_order,
    survey_score,
)

INTEGERS = (
    "orders",
    "delivered",
    "censored",
    "counted",
    "on_time",
    "in_full",
    "otif",
    "perfect",
    "csat_responses",
    "csat_top2",
)


def _rows(frame: Any) -> list[dict[str, Any]]:
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame = frame.pl()
    if isinstance(frame, pl.DataFrame):
        return frame.to_dicts()
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for key, value in x.items():
            if key in INTEGERS or isinstance(value, str) or value is None:
                assert value == y[key], key
            else:
                assert abs(value - y[key]) <= 1e-9 * max(1.0, abs(value)), key


# no shrinking: one generated book is already small, and shrinking reruns three backends
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(50, 800),
    tz=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
)
def test_pandas_polars_and_duckdb_agree_on_generated_data(seed: int, n: int, tz: str) -> None:
    pandas_data = generate(n, seed=seed, months=3, with_lines=False)
    polars_data = generate(n, seed=seed, months=3, with_lines=False, backend="polars")
    connection = duckdb.connect()
    duck = {
        name: connection.from_arrow(frame.to_arrow())
        for name, frame in polars_data.frames.items()
        if name != "lines"
    }
    as_of = pandas_data.as_of
    reports = [
        _rows(
            monthly_report(
                d["orders"],
                surveys=d["surveys"],
                errors=d["errors"],
                as_of=as_of,
                tz=tz,
                by=["channel"],
            ).frame
        )
        for d in (pandas_data.frames, polars_data.frames, duck)
    ]
    _same(reports[0], reports[1])
    _same(reports[0], reports[2])
    for frames in (polars_data.frames, duck):
        for fn in (otif, cycle_time):
            a = fn(pandas_data.orders, as_of=as_of, tz=tz)
            b = fn(frames["orders"], as_of=as_of, tz=tz)
            assert (a.denominator, a.status, dict(a.exclusions)) == (
                b.denominator,
                b.status,
                dict(b.exclusions),
            )
            # counts are exact and shares agree to 1e-12; sums of hours (float epoch
            # seconds, summed in a backend-specific order) agree to 1e-9 relative
            tolerance = 1e-12 if a.unit == "share" else 1e-9
            for x, y in ((a.value, b.value), (a.numerator, b.numerator)):
                assert x is None or abs(x - (y or 0)) <= tolerance * max(1.0, abs(x))
            if a.unit == "share":
                assert a.numerator == b.numerator
        a = perfect_order(pandas_data.orders, pandas_data.errors, as_of=as_of, tz=tz)
        b = perfect_order(frames["orders"], frames["errors"], as_of=as_of, tz=tz)
        assert (a.numerator, a.denominator, dict(a.details)) == (
            b.numerator,
            b.denominator,
            dict(b.details),
        )
        for kind in ("csat", "nps", "ces"):
            a, b = (
                survey_score(pandas_data.surveys, kind, tz=tz),
                survey_score(frames["surveys"], kind, tz=tz),
            )
            assert (a.numerator, a.denominator) == (b.numerator, b.denominator)


def _dirty(seed: int, n: int) -> tuple[dict[str, pl.DataFrame], Any]:
    """A generated book with every kind of row a KPI cannot judge, at random places."""
    import numpy as np  # noqa: PLC0415

    data = generate(n, seed=seed, months=2, with_lines=False, backend="polars")
    orders, errors = data.orders, data.errors
    rows = [int(i) for i in np.random.default_rng(seed).choice(len(orders), 6, replace=False)]
    later = data.as_of + dt.timedelta(days=3)
    orders = orders.with_row_index("_i").with_columns(
        qty_delivered=pl.when(pl.col("_i") == rows[0])
        .then(float("nan"))
        .otherwise(pl.col("qty_delivered")),
        received_at=pl.when(pl.col("_i") == rows[1])
        .then(None)
        .when(pl.col("_i") == rows[2])
        .then(pl.lit(later).dt.cast_time_unit("us"))
        .when(pl.col("_i") == rows[3])
        .then(pl.col("received_at") + dt.timedelta(days=400))
        .otherwise(pl.col("received_at")),
        order_id=pl.when(pl.col("_i") == rows[4])
        .then(pl.lit(orders["order_id"][rows[5]]))
        .otherwise(pl.col("order_id")),
    )
    orders = orders.drop("_i")
    # An error about an order the frame does not have (built whole: a small book may have
    # no errors to copy one from).
    unknown = pl.DataFrame(
        {
            "error_id": ["E-x"],
            "order_id": ["SO-none"],
            "error_type": ["wrong_item"],
            "staff_id": [None],
            "found_at": [None],
        },
        schema=errors.schema,
    )
    errors = pl.concat([errors, unknown])
    return {"orders": orders, "errors": errors}, data.as_of


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 400))
def test_every_backend_excludes_the_same_dirty_rows(seed: int, n: int) -> None:
    frames, as_of = _dirty(seed, n)
    connection = duckdb.connect()
    books: list[dict[str, Any]] = [
        {k: f.to_pandas() for k, f in frames.items()},
        frames,
        {k: f.lazy() for k, f in frames.items()},
        {k: connection.from_arrow(f.to_arrow()) for k, f in frames.items()},
    ]
    results: list[list[tuple[float | None, float | None, dict[str, object]]]] = []
    for book in books:
        o, e = book["orders"], book["errors"]
        kpis = (
            otif(o, as_of=as_of, duplicates="exclude"),
            cycle_time(o, as_of=as_of, duplicates="exclude"),
            perfect_order(o, e, as_of=as_of, duplicates="exclude"),
            order_accuracy(o, e, as_of=as_of, duplicates="exclude"),
        )
        results.append([(r.numerator, r.denominator, dict(r.exclusions)) for r in kpis])
    first = results[0][0][2]
    assert first["duplicate_key"] == 2
    assert first["missing_received_at"] == 1
    assert int(str(first["not_yet_received"])) >= 1
    assert int(str(results[0][2][2]["unknown_order"])) >= 1  # and errors of the order renamed
    for other in results[1:]:
        for (num_a, den_a, ex_a), (num_b, den_b, ex_b) in zip(results[0], other, strict=True):
            assert (den_a, ex_a) == (den_b, ex_b)
            assert num_a == pytest.approx(num_b, rel=1e-9)
