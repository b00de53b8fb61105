from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _risk_support import AT, books, clean_features, context, features
from ordercore.errors import FrameSchemaError, UnsupportedBackend
from ordercore.risk import RiskContext, assess, assess_features, assess_frame, features_frame
from ordercore.risk.batch import FEATURE_COLUMNS, output_columns
from ordercore.risk.features import OrderFeatures
from ordercore.risk.policy import DEFAULT_POLICY

if TYPE_CHECKING:
    from ordercore.risk.assessment import RiskAssessment

BACKENDS = ("pandas", "polars", "duckdb")


def _frame(rows: list[OrderFeatures], backend: str) -> Any:
    table = pl.DataFrame(
        [row.row() for row in rows],
        schema={"order_id": pl.String, **dict.fromkeys(FEATURE_COLUMNS, pl.Int64)},
        orient="row",
    )
    if backend == "polars":
        return table
    if backend == "duckdb":
        return duckdb.from_arrow(table.to_arrow())
    return table.to_pandas(use_pyarrow_extension_array=False).astype(
        dict.fromkeys(FEATURE_COLUMNS, "Int64")
    )


def _rows(result: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return list(frame.rows(named=True))


def _expected(assessment: RiskAssessment) -> dict[str, Any]:
    row: dict[str, Any] = {
        "order_id": assessment.order_id,
        "score": assessment.score,
        "level": assessment.level.value,
        "recommendation": assessment.recommendation.value,
        "data_completeness": assessment.data_completeness,
        "floored": assessment.floored,
        "hard_stop": bool(assessment.hard_stops),
    }
    fired = {hit.code for hit in assessment.hard_stops}
    row.update({f"stop_{s.code}": s.code in fired for s in DEFAULT_POLICY.hard_stops})
    row.update({f"points_{f.code}": f.points for f in assessment.factors})
    row.update({f"reason_{f.code}": f.reason for f in assessment.factors})
    return row


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (
            bool(v)
            if isinstance(v, bool) or k.startswith("stop_") or k in {"floored", "hard_stop"}
            else v
        )
        for k, v in row.items()
    }


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(features(), min_size=1, max_size=12))
def test_batch_scoring_equals_one_by_one_on_generated_features(
    backend: str, rows: list[OrderFeatures]
) -> None:
    rows = [OrderFeatures(**{**row.row(), "order_id": f"SO-{i}"}) for i, row in enumerate(rows)]  # type: ignore[arg-type]
    got = sorted(
        _rows(assess_frame(_frame(rows, backend), explain=True)), key=lambda r: r["order_id"]
    )
    want = sorted(
        (_expected(assess_features(r, as_of=AT)) for r in rows), key=lambda r: r["order_id"]
    )
    assert [_plain(r) for r in got] == want


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books())
def test_batch_scoring_equals_one_by_one_on_generated_orders(backend: str, book: Any) -> None:
    orders, context = book
    risk = RiskContext.of(context)
    frame = features_frame(orders, risk, as_of=AT, backend=backend)
    got = sorted(_rows(assess_frame(frame, explain=True)), key=lambda r: r["order_id"])
    want = sorted(
        (_expected(assess(o, risk, as_of=AT)) for o in orders), key=lambda r: r["order_id"]
    )
    assert [_plain(r) for r in got] == want


def test_an_eager_pandas_frame_comes_back_as_pandas() -> None:
    assert isinstance(assess_frame(_frame([clean_features()], "pandas")), pd.DataFrame)


def test_a_lazy_polars_frame_comes_back_lazy() -> None:
    assert isinstance(assess_frame(_frame([clean_features()], "polars").lazy()), pl.LazyFrame)


def test_a_duckdb_relation_comes_back_as_a_relation() -> None:
    result = assess_frame(_frame([clean_features()], "duckdb"))
    assert isinstance(result, duckdb.DuckDBPyRelation)


def test_the_output_has_the_documented_columns_in_order() -> None:
    result = assess_frame(_frame([clean_features()], "polars"))
    assert result.columns == output_columns(DEFAULT_POLICY)


def test_rows_keep_the_input_order() -> None:
    rows = [clean_features(f"SO-{i}", exposure_bp=i * 1000) for i in (9, 3, 12)]
    assert assess_frame(_frame(rows, "pandas"))["order_id"].tolist() == ["SO-9", "SO-3", "SO-12"]


def test_a_frame_of_an_unsupported_library_names_the_supported_ones() -> None:
    with pytest.raises(UnsupportedBackend, match="pandas, polars, duckdb"):
        assess_frame({"order_id": ["SO-1"]})


def test_missing_feature_columns_are_all_listed() -> None:
    frame = _frame([clean_features()], "pandas").drop(columns=["exposure_bp", "blocked"])
    with pytest.raises(FrameSchemaError) as caught:
        assess_frame(frame)
    assert caught.value.problems == (
        "feature column 'exposure_bp' is missing",
        "feature column 'blocked' is missing",
    )


def test_a_float_feature_column_is_refused() -> None:
    frame = _frame([clean_features()], "pandas").astype({"overdue_days": "float64"})
    with pytest.raises(FrameSchemaError, match="exact integers"):
        assess_frame(frame)


def test_an_unknown_backend_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        features_frame([], context(), as_of=AT, backend="spark")
