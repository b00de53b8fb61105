"""Honest reports: empty months as rows, whole counts, small samples marked, never drawn as 0."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import pandas as pd
import polars as pl
import pytest

from ordercore.errors import ConfigurationError
from ordercore.kpi import generate, monthly_report

if TYPE_CHECKING:
    from ordercore.kpi import MonthlyReport

mpl.use("Agg")

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _orders(months: dict[int, tuple[int, int]], owner: str = "S-1") -> pd.DataFrame:
    """Orders of 2026 by month: (on time, late) delivered orders received mid-month."""
    rows: list[dict[str, Any]] = []
    for month, (good, late) in months.items():
        received = dt.datetime(2026, month, 10, 12, tzinfo=dt.UTC)
        for i in range(good + late):
            delay = 1 if i < good else 5
            rows.append(
                {
                    "order_id": f"{owner}-{month}-{i}",
                    "customer_id": "C",
                    "channel": "web",
                    "owner_id": owner,
                    "received_at": received,
                    "promised_at": received + dt.timedelta(days=3),
                    "delivered_at": received + dt.timedelta(days=delay),
                    "qty_ordered": 1.0,
                    "qty_delivered": 1.0,
                }
            )
    return pd.DataFrame(rows)


def _lines_of(figure: Any) -> dict[str, list[float]]:
    return {
        line.get_label(): [float(y) for y in line.get_ydata()]
        for axes in figure.axes
        for line in axes.get_lines()
    }


def test_a_month_without_orders_inside_the_range_is_a_no_data_row() -> None:
    report = monthly_report(_orders({1: (40, 0), 3: (40, 0)}), as_of=AS_OF)
    rows = report.rows()
    assert [r["period"] for r in rows] == ["2026-01", "2026-02", "2026-03"]
    assert (rows[1]["orders"], rows[1]["otif_rate"], rows[1]["status"]) == (0, None, "no_data")


def test_a_month_with_orders_none_of_them_judged_yet_is_a_no_data_row() -> None:
    orders = _orders({1: (40, 0), 2: (5, 0)})
    orders.loc[orders["order_id"].str.startswith("S-1-2-"), "delivered_at"] = pd.NaT
    report = monthly_report(orders, as_of=dt.datetime(2026, 2, 11, tzinfo=dt.UTC))
    last = report.rows()[-1]
    assert (last["orders"], last["counted"], last["otif_rate"], last["status"]) == (
        5,
        0,
        None,
        "no_data",
    )


def test_every_group_has_a_row_for_every_month() -> None:
    orders = pd.concat([_orders({1: (3, 0), 2: (3, 0)}, "S-1"), _orders({2: (3, 0)}, "S-2")])
    rows = monthly_report(orders, as_of=AS_OF, by=["owner_id"]).rows()
    assert [(r["period"], r["owner_id"], r["orders"]) for r in rows] == [
        ("2026-01", "S-1", 3),
        ("2026-01", "S-2", 0),
        ("2026-02", "S-1", 3),
        ("2026-02", "S-2", 3),
    ]


def test_counts_are_whole_numbers_on_pandas_and_polars() -> None:
    data = generate(800, seed=4, months=2)
    counts = ["orders", "delivered", "censored", "counted", "otif", "csat_responses"]
    frame = monthly_report(data.orders, surveys=data.surveys, as_of=data.as_of).frame
    assert all(str(frame[c].dtype) == "int64" for c in counts)
    polars_data = generate(800, seed=4, months=2, backend="polars")
    lazy = monthly_report(polars_data.orders.lazy(), surveys=polars_data.surveys, as_of=data.as_of)
    assert all(lazy.frame.collect_schema()[c] == pl.Int64 for c in counts)
    assert all(isinstance(r[c], int) for r in lazy.rows() for c in counts)


def test_markdown_shows_a_small_sample_rate_in_parentheses_and_says_why() -> None:
    report = monthly_report(_orders({1: (40, 0), 2: (0, 1)}), as_of=AS_OF)
    text = report.to_markdown(["period", "counted", "otif_rate", "status"])
    assert "| 2026-01 | 40 | 100.0 % | ok |" in text
    assert "| 2026-02 | 1 | (0.0 %) | insufficient_sample |" in text
    assert "fewer than 30 observations (counted)" in text


def test_markdown_refuses_a_column_the_report_does_not_have() -> None:
    report = monthly_report(_orders({1: (40, 0)}), as_of=AS_OF)
    with pytest.raises(ConfigurationError, match="no column 'csat_rate'"):
        report.to_markdown(["period", "csat_rate"])


def test_html_shows_every_row_with_rates_as_percentages() -> None:
    orders = pd.concat(
        [_orders(dict.fromkeys(range(1, 6), (1, 0)), f"S-{i:02}") for i in range(20)]
    )
    report = monthly_report(orders, as_of=AS_OF, by=["owner_id"])
    html = report._repr_html_()
    assert html.count("<tr>") == 1 + 100
    assert "(100.0 %)" in html
    assert "<td>1.0</td>" not in html
    assert "(1.0)" not in html


def test_a_month_with_one_counted_order_is_not_drawn_as_zero() -> None:
    report = monthly_report(_orders({1: (40, 0), 2: (35, 5), 3: (0, 1)}), as_of=AS_OF)
    otif_line = _lines_of(report.plot(("otif_rate",)))["otif_rate"]
    assert otif_line[:2] == [1.0, 35 / 40]
    assert math.isnan(otif_line[2])


def test_the_chart_names_the_points_it_leaves_out() -> None:
    report = monthly_report(_orders({1: (40, 0), 3: (0, 1)}), as_of=AS_OF)
    note = report.plot(("otif_rate",)).get_supxlabel()
    assert "fewer than 30 observations: otif_rate 2026-03" in note
    assert "nothing to count: 2026-02" in note


def _two_staff() -> MonthlyReport:
    orders = pd.concat([_orders({1: (90, 10), 2: (30, 0)}, "S-1"), _orders({1: (0, 30)}, "S-2")])
    return monthly_report(orders, as_of=AS_OF, by=["owner_id"])


def test_a_grouped_chart_draws_one_line_per_group() -> None:
    lines = _lines_of(_two_staff().plot(("otif_rate",)))
    assert set(lines) == {"S-1", "S-2"}
    assert lines["S-1"] == [0.9, 1.0]
    assert lines["S-2"][0] == 0.0
    assert math.isnan(lines["S-2"][1])


def test_the_overall_line_weights_groups_by_their_counts() -> None:
    lines = _lines_of(_two_staff().plot(("otif_rate",), overall=True))
    # 90 of 130 counted orders in January, not the mean (0.9 + 0.0) / 2 of the two staff
    assert lines == {"otif_rate": [90 / 130, 1.0]}


def test_plotting_a_column_that_is_not_a_rate_is_refused() -> None:
    report = monthly_report(_orders({1: (40, 0)}), as_of=AS_OF)
    with pytest.raises(ConfigurationError, match=r"no column 'orders'.*otif_rate"):
        report.plot(("orders",))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"by": "owner_id"}, "by must be a list of column names"),
        ({"by": ["owner_id", "owner_id"]}, "names a column twice"),
        ({"min_sample": 0}, "min_sample must be a whole number >= 1"),
        ({"min_sample": 2.5}, "min_sample must be a whole number >= 1"),
    ],
)
def test_bad_report_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        monthly_report(_orders({1: (1, 0)}), as_of=AS_OF, **settings)


@pytest.mark.parametrize("period_by", ["promised_at", "delivered_at"])
def test_months_by_another_timestamp_agree_on_pandas_and_polars(period_by: str) -> None:
    pandas_data = generate(600, seed=6, months=2)
    polars_data = generate(600, seed=6, months=2, backend="polars")
    a = monthly_report(pandas_data.orders, as_of=pandas_data.as_of, period_by=period_by)
    b = monthly_report(polars_data.orders, as_of=pandas_data.as_of, period_by=period_by)
    assert [(r["period"], r["orders"], r["otif"]) for r in a.rows()] == [
        (r["period"], r["orders"], r["otif"]) for r in b.rows()
    ]


def test_kpi_results_give_counts_as_whole_numbers() -> None:
    from ordercore.kpi import cycle_time, otif  # noqa: PLC0415

    data = generate(800, seed=4, months=2)
    speed = cycle_time(data.orders, as_of=data.as_of)
    delivery = otif(data.orders, as_of=data.as_of)
    kinds = [type(v).__name__ for v in (speed.denominator, speed.numerator)]
    assert kinds == ["int", "float"]  # a count of orders, a sum of hours
    assert [type(v).__name__ for v in (delivery.numerator, delivery.denominator)] == ["int", "int"]


def test_the_default_chart_of_a_report_without_surveys_leaves_out_csat() -> None:
    report = monthly_report(_orders({1: (40, 0), 2: (40, 0)}), as_of=AS_OF)
    assert set(_lines_of(report.plot())) == {"on_time_rate", "otif_rate", "perfect_rate"}
