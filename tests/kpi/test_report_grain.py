"""Grain and policy agree: order-grain monthly report, line-grain line report."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from ordercore.errors import ConfigurationError, FrameSchemaError
from ordercore.kpi import OtifPolicy, fill_rate, generate, line_report, monthly_report, otif

TZ = "Asia/Shanghai"
DATA = generate(2500, seed=8, months=3)


@pytest.mark.parametrize(
    "policy",
    ["line_commit", "unit_commit", OtifPolicy(grain="value")],
    ids=["line", "unit", "value"],
)
def test_a_policy_of_another_grain_on_the_orders_frame_is_refused(
    policy: OtifPolicy | str,
) -> None:
    with pytest.raises(ConfigurationError, match=r"grain.*line_report"):
        monthly_report(DATA.orders, as_of=DATA.as_of, policy=policy)


def test_the_line_report_refuses_a_policy_that_is_not_line_grain() -> None:
    with pytest.raises(ConfigurationError, match="line-grain policy"):
        line_report(DATA.lines, as_of=DATA.as_of, policy="scor_commit")


def test_a_policy_that_is_neither_a_policy_nor_a_preset_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="OtifPolicy or a preset name"):
        monthly_report(DATA.orders, as_of=DATA.as_of, policy=42)  # type: ignore[arg-type]


def test_line_otif_by_month_equals_otif_on_the_lines_frame() -> None:
    report = line_report(DATA.lines, as_of=DATA.as_of, tz=TZ)
    for row in report.rows():
        expected = otif(DATA.lines, "line_commit", as_of=DATA.as_of, tz=TZ, period=row["period"])
        assert (row["counted"], row["otif"]) == (expected.denominator, expected.numerator)
        assert row["on_time"] == expected.details["on_time_count"]
        assert row["status"] == expected.status.value


def test_unit_fill_by_month_equals_fill_rate_and_does_not_judge_lines_not_yet_due() -> None:
    as_of = DATA.as_of - dt.timedelta(days=10)
    rows = line_report(DATA.lines, as_of=as_of, tz=TZ).rows()
    for row in rows:
        expected = fill_rate(DATA.lines, kind="unit", as_of=as_of, tz=TZ, period=row["period"])
        assert row["units_filled"] == pytest.approx(expected.numerator, rel=1e-12)
        assert row["units_owed"] == pytest.approx(expected.denominator, rel=1e-12)
    # the last month's lines are mostly not due yet: they are not read as unfilled
    assert rows[-1]["unit_fill_rate"] is None or rows[-1]["unit_fill_rate"] > 0.5


def test_the_line_report_groups_by_order_columns_looked_up_in_the_orders_frame() -> None:
    report = line_report(DATA.lines, orders=DATA.orders, by=["channel"], as_of=DATA.as_of, tz=TZ)
    channels = DATA.orders.set_index("order_id")["channel"]
    web = DATA.lines[DATA.lines["order_id"].map(channels) == "web"]
    rows = [r for r in report.rows() if r["channel"] == "web"]
    assert sum(r["lines"] for r in rows) == len(web)


def test_the_line_report_without_orders_refuses_a_group_column_the_lines_lack() -> None:
    with pytest.raises(FrameSchemaError, match="owner_id"):
        line_report(DATA.lines, by=["owner_id"], as_of=DATA.as_of)


def test_the_line_report_on_polars_agrees_with_pandas() -> None:
    polars_data = generate(2500, seed=8, months=3, backend="polars")
    mine = line_report(
        polars_data.lines, orders=polars_data.orders, by=["channel"], as_of=DATA.as_of
    )
    theirs = line_report(DATA.lines, orders=DATA.orders, by=["channel"], as_of=DATA.as_of)
    assert isinstance(mine.frame, pl.DataFrame)
    for a, b in zip(mine.rows(), theirs.rows(), strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12)
            else:
                assert a[key] == b[key], key


def test_the_line_report_on_duckdb_agrees_with_pandas() -> None:
    polars_data = generate(1500, seed=3, months=2, backend="polars")
    connection = duckdb.connect()
    lines = connection.from_arrow(polars_data.lines.to_arrow())
    orders = connection.from_arrow(polars_data.orders.to_arrow())
    mine = line_report(lines, orders=orders, by=["owner_id"], as_of=polars_data.as_of).rows()
    theirs = line_report(
        polars_data.lines.to_pandas(),
        orders=polars_data.orders.to_pandas(),
        by=["owner_id"],
        as_of=polars_data.as_of,
    ).rows()
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12)
            else:
                assert a[key] == b[key], key
