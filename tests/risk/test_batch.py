from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _risk_support import AT, books, clean_features, context, features
from ordercore.errors import FrameSchemaError, UnsupportedBackend
from ordercore.risk import RiskContext, assess, assess_features, assess_frame, batch, features_frame
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


# ------------------------------------------------------------ pandas scored on Arrow
# A pandas frame of the documented schema (Int64 features) is scored on Arrow and converted
# back; these pin that the result is exactly what pandas itself gives (`_assess_native`).


def _pandas_native(frame: pd.DataFrame, *, explain: bool) -> pd.DataFrame:
    result: pd.DataFrame = batch._assess_native(
        nw.from_native(frame), DEFAULT_POLICY, explain=explain
    )
    return result


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        got, want, check_exact=True, check_index_type=True, check_column_type=True
    )
    assert got.index.names == want.index.names
    assert got.columns.names == want.columns.names
    assert [type(got[c].array) for c in got.columns] == [type(want[c].array) for c in want.columns]


_INDEXES = st.sampled_from(["range", "shuffled", "labels", "duplicates", "named"])


def _reindexed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    n = len(frame)
    if kind == "shuffled":
        return frame.set_axis(list(range(n))[::-1], axis=0)
    if kind == "labels":
        return frame.set_axis([f"row-{i}" for i in range(n)], axis=0)
    if kind == "duplicates":
        return frame.set_axis([7] * n, axis=0)
    if kind == "named":
        frame = frame.rename_axis("row", axis=0)
        return frame.rename_axis("columns", axis=1)
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(features(), min_size=0, max_size=12),
    index=_INDEXES,
    object_ids=st.booleans(),
    explain=st.booleans(),
)
def test_pandas_scored_on_arrow_is_identical_to_pandas_itself(
    rows: list[OrderFeatures], index: str, object_ids: bool, explain: bool
) -> None:
    rows = [OrderFeatures(**{**row.row(), "order_id": f"SO-{i}"}) for i, row in enumerate(rows)]  # type: ignore[arg-type]
    frame = _reindexed(_frame(rows, "pandas"), index)
    if object_ids:
        frame = frame.astype({"order_id": object})
    _assert_identical(assess_frame(frame, explain=explain), _pandas_native(frame, explain=explain))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(features(), min_size=0, max_size=15), explain=st.booleans())
def test_a_large_pandas_frame_is_scored_in_slices_on_threads_with_the_same_result(
    rows: list[OrderFeatures], explain: bool
) -> None:
    rows = [OrderFeatures(**{**row.row(), "order_id": f"SO-{i}"}) for i, row in enumerate(rows)]  # type: ignore[arg-type]
    frame = _frame(rows, "pandas")
    with pytest.MonkeyPatch.context() as patch:
        # three rows per thread: a 15-row frame is cut into uneven slices
        patch.setattr(batch, "_ROWS_PER_THREAD", 3)
        patch.setattr("os.cpu_count", lambda: 4)
        sliced = assess_frame(frame, explain=explain)
    _assert_identical(sliced, _pandas_native(frame, explain=explain))


def test_pandas_of_the_documented_schema_is_scored_on_arrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def native(*_: object, **__: object) -> None:
        raise AssertionError("scored by pandas")

    monkeypatch.setattr(batch, "_assess_native", native)
    assert assess_frame(_frame([clean_features()], "pandas"))["score"].tolist() == [0]


def test_the_pandas_result_has_pandas_dtypes() -> None:
    frame = _frame([clean_features("SO-1"), clean_features("SO-2", exposure_bp=None)], "pandas")
    result = assess_frame(frame, explain=True)
    text = pd.Series(["low"]).dtype  # pandas' default string dtype (str on pandas 3)
    want = {
        "order_id": frame["order_id"].dtype,
        "score": pd.Int64Dtype(),
        "level": text,
        "recommendation": text,
        "data_completeness": np.dtype("int64"),
        "floored": np.dtype("bool"),
        "hard_stop": pd.BooleanDtype(),
    }
    want.update({f"stop_{s.code}": pd.BooleanDtype() for s in DEFAULT_POLICY.hard_stops})
    want.update({f"points_{f.code}": pd.Int64Dtype() for f in DEFAULT_POLICY.factors})
    want.update({f"reason_{f.code}": text for f in DEFAULT_POLICY.factors})
    assert result.dtypes.to_dict() == want
    assert result["data_completeness"].tolist() == [100, 93]


@pytest.mark.parametrize("dtype", ["int64", "Int32", "int64[pyarrow]"])
def test_other_integer_pandas_features_are_scored_by_pandas(dtype: str) -> None:
    rows = [
        clean_features(f"SO-{i}", exposure_bp=i * 4000, overdue_days=i * 30, value_z_x100=i * 200)
        for i in range(5)
    ]
    frame = _frame(rows, "pandas").astype(dict.fromkeys(FEATURE_COLUMNS, dtype))
    result = assess_frame(frame, explain=True)
    _assert_identical(result, _pandas_native(frame, explain=True))
    got = [_plain(r) for r in _rows(result)]
    assert got == [_expected(assess_features(r, as_of=AT)) for r in rows]
