"""Pareto of failure causes: hand-counted causes from every source, ranked with a stable tail."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from ordercore.errors import FrameSchemaError, InvalidArgument
from ordercore.kpi.attribution import LatenessPolicy, lateness_attribution
from ordercore.kpi.pareto import CAUSE_COLUMNS, failure_causes, pareto

Constructor = Callable[[pd.DataFrame], Any]
"""Builds the same frame in one backend from a pandas frame (the `constructor` fixture)."""


UTC = dt.UTC
AS_OF = dt.datetime(2026, 4, 1, tzinfo=UTC)


def _stamp(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    return frame


ERRORS = _stamp(
    pd.DataFrame(
        {
            "error_id": ["E1", "E2", "E3", "E4", "E5"],
            "order_id": ["a", "b", "c", "d", "e"],
            "error_type": ["pricing", "pricing", "damaged", "pricing", "wrong_item"],
            "staff_id": ["S-1", "S-2", "S-1", "S-1", "S-2"],
            "found_at": [dt.datetime(2026, 3, d, tzinfo=UTC) for d in (2, 3, 4, 5, 6)],
        }
    ),
    "found_at",
)
CASES = _stamp(
    pd.DataFrame(
        {
            "order_id": ["a", "b", "c", "d"],
            "case_id": ["R1", "R1", "C1", "C1"],
            "kind": ["return", "return", "complaint", "complaint"],
            "opened_at": [dt.datetime(2026, 3, d, tzinfo=UTC) for d in (2, 3, 4, 5)],
            "root_cause": pd.array(
                ["packaging", None, "late_delivery", "late_delivery"], dtype="str"
            ),
            "owner_id": ["S-1", "S-2", "S-1", "S-1"],
        }
    ),
    "opened_at",
)
LINES = _stamp(
    pd.DataFrame(
        {
            "order_id": ["a", "a", "b"],
            "line_id": ["1", "2", "1"],
            "qty_ordered": [10.0, 5.0, 3.0],
            "qty_short_closed": [2.0, 0.0, 0.0],
            "received_at": [dt.datetime(2026, 3, 1, tzinfo=UTC)] * 3,
        }
    ),
    "received_at",
)


def _rows(native: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in eager.rows(named=True)
    ]


def test_failure_causes_gathers_one_row_per_failure_from_each_source(
    constructor: Constructor,
) -> None:
    causes = failure_causes(
        lines=constructor(LINES),
        errors=constructor(ERRORS),
        cases=constructor(CASES),
        as_of=AS_OF,
    )
    rows = _rows(causes)
    assert list(nw.from_native(causes).collect_schema().names()) == list(CAUSE_COLUMNS)
    found = sorted((r["source"], r["cause"], r["order_id"]) for r in rows)
    assert found == [
        ("accuracy", "damaged", "c"),
        ("accuracy", "pricing", "a"),
        ("accuracy", "pricing", "b"),
        ("accuracy", "pricing", "d"),
        ("accuracy", "wrong_item", "e"),
        ("after_sales", "no_root_cause", "b"),
        ("after_sales", "packaging", "a"),
        ("complaint", "late_delivery", "c"),
        ("complaint", "late_delivery", "d"),
        ("short", "short_closed", "a"),
    ]


def test_pareto_ranks_counts_with_shares_and_a_stable_other_tail(constructor: Constructor) -> None:
    causes = failure_causes(
        lines=constructor(LINES), errors=constructor(ERRORS), cases=constructor(CASES), as_of=AS_OF
    )
    result = pareto(causes, top=2)
    # pricing 3, late_delivery 2, then five causes of 1 each folded into other
    assert [(r["rank"], r["cause"], r["count"], r["causes"]) for r in result.rows] == [
        (1, "pricing", 3, 1),
        (2, "late_delivery", 2, 1),
        (None, "other", 5, 5),
    ]
    assert [r["cumulative_share"] for r in result.rows] == [0.3, 0.5, 1.0]
    assert result.total == 10


def test_ties_are_ranked_by_cause_so_the_order_never_changes() -> None:
    causes = pd.DataFrame({"cause": ["b", "a", "c", "a", "b", "c"]})
    assert [r["cause"] for r in pareto(causes).rows] == ["a", "b", "c"]


def test_min_share_folds_rare_causes_and_a_cause_named_other_joins_the_tail() -> None:
    causes = pd.DataFrame({"cause": ["x"] * 6 + ["other"] * 2 + ["y"] * 2})
    result = pareto(causes, top=None, min_share=0.25)
    assert [(r["cause"], r["count"]) for r in result.rows] == [("x", 6), ("other", 4)]


def test_pareto_per_staff_and_type_of_accuracy_errors() -> None:
    causes = failure_causes(errors=ERRORS, as_of=AS_OF)
    result = pareto(causes, by=("staff_id", "cause"), source="accuracy")
    assert [(r["staff_id"], r["cause"], r["count"]) for r in result.rows][:2] == [
        ("S-1", "pricing", 2),
        ("S-1", "damaged", 1),
    ]


def test_vital_few_are_the_causes_up_to_the_share() -> None:
    causes = pd.DataFrame({"cause": ["a"] * 5 + ["b"] * 3 + ["c"] * 2})
    assert [r["cause"] for r in pareto(causes).vital_few(0.8)] == ["a", "b"]


def test_late_orders_enter_by_their_biggest_part() -> None:
    orders = _stamp(
        pd.DataFrame(
            {
                "order_id": ["a"],
                "customer_id": "C",
                "channel": "web",
                "received_at": [dt.datetime(2026, 3, 1, tzinfo=UTC)],
                "promised_at": [dt.datetime(2026, 3, 3, tzinfo=UTC)],
                "delivered_at": [dt.datetime(2026, 3, 5, tzinfo=UTC)],
            }
        ),
        "received_at",
        "promised_at",
        "delivered_at",
    )
    events = pd.DataFrame(
        {
            "order_id": ["a"],
            "event_type": ["order_approved"],
            "at": [dt.datetime(2026, 3, 4, tzinfo=UTC)],
            "hold_id": pd.array([None], dtype="str"),
            "hold_reason": pd.array([None], dtype="str"),
        }
    )
    events["at"] = events["at"].dt.as_unit("us")
    result = lateness_attribution(
        orders, events, as_of=AS_OF, policy=LatenessPolicy(shares={"transit": 1})
    )
    rows = _rows(failure_causes(attribution=result, as_of=AS_OF))
    assert [(r["source"], r["cause"], r["staff_id"]) for r in rows] == [
        ("lateness", "review", None)
    ]


def test_markdown_names_the_causes_in_chinese() -> None:
    table = pareto(failure_causes(errors=ERRORS, as_of=AS_OF), top=1).to_markdown("zh")
    assert "| 1 | 价格错误 | 3 | 60.0% | 60.0% |" in table
    assert "| 排名 | 原因 |" in table


def test_the_chart_has_a_bar_per_cause_and_the_cumulative_line() -> None:
    pytest.importorskip("matplotlib")
    figure = pareto(failure_causes(errors=ERRORS, as_of=AS_OF)).plot()
    bars, line = figure.axes[0].patches, figure.axes[1].lines[0]
    assert len(bars) == 3
    assert list(line.get_ydata()) == [0.6, 0.8, 1.0]


def test_failure_causes_needs_a_frame() -> None:
    with pytest.raises(InvalidArgument, match="at least one"):
        failure_causes(as_of=AS_OF)


def test_pareto_refuses_a_missing_column_and_bad_limits() -> None:
    with pytest.raises(FrameSchemaError, match="missing column 'cause'"):
        pareto(pd.DataFrame({"reason": ["a"]}))
    with pytest.raises(InvalidArgument, match="top"):
        pareto(pd.DataFrame({"cause": ["a"]}), top=0)
    with pytest.raises(InvalidArgument, match="min_share"):
        pareto(pd.DataFrame({"cause": ["a"]}), min_share=1.5)
    with pytest.raises(InvalidArgument, match="unknown"):
        pareto(pd.DataFrame({"cause": ["a"], "source": ["x"]}), source="weather")


def test_an_unknown_error_type_is_refused() -> None:
    errors = ERRORS.copy()
    errors.loc[0, "error_type"] = "typo"
    with pytest.raises(FrameSchemaError, match="error_type"):
        failure_causes(errors=errors, as_of=AS_OF)
