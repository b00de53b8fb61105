from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ordercore.kpi import (
    generate,
    monthly_report,
    staff_ranking,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_monthly_report_flags_small_groups_and_never_reports_zero_for_no_data() -> None:
    data = generate(400, seed=3, months=2)
    report = monthly_report(
        data.orders, surveys=data.surveys, errors=data.errors, as_of=data.as_of, by=["owner_id"]
    )
    rows = report.rows()
    assert {r["status"] for r in rows} >= {"insufficient_sample"}
    assert all(r["otif_rate"] is None for r in rows if r["counted"] == 0)


def test_staff_ranking_shrinks_small_samples_toward_the_team_rate() -> None:
    data = generate(2000, seed=5, months=2)
    report = monthly_report(data.orders, as_of=data.as_of, by=["owner_id"])
    ranking = staff_ranking(report)
    small = ranking[ranking["n"] < 5]
    team = sum(r["otif"] for r in report.rows()) / sum(r["counted"] for r in report.rows())
    for row in small.to_dict("records"):
        assert abs(row["shrunk_rate"] - team) <= abs((row["raw_rate"] or team) - team)
    assert ranking["rank"].tolist() == list(range(1, len(ranking) + 1))


def test_report_renders_markdown_and_a_plot(tmp_path: Path) -> None:
    data = generate(500, seed=1, months=2)
    report = monthly_report(data.orders, surveys=data.surveys, as_of=data.as_of)
    assert report.to_markdown().startswith("| period |")
    report.plot().savefig(tmp_path / "trend.png")
    assert (tmp_path / "trend.png").stat().st_size > 0


def test_staff_ranking_needs_a_report_grouped_by_staff() -> None:
    data = generate(100, seed=1, months=1)
    with pytest.raises(ValueError, match="owner_id"):
        staff_ranking(monthly_report(data.orders, as_of=data.as_of))


def test_plotting_an_unknown_measure_names_the_known_rates() -> None:
    from ordercore import ConfigurationError  # noqa: PLC0415
    from ordercore.kpi import generate, monthly_report  # noqa: PLC0415

    data = generate(500, seed=2, months=1)
    report = monthly_report(data.orders, as_of=data.as_of)
    with pytest.raises(ConfigurationError, match=r"no column 'perfect_order_rate'.*otif_rate"):
        report.plot(("perfect_order_rate",))


def test_reports_and_results_display_as_html_tables() -> None:
    from ordercore.kpi import generate, monthly_report, otif  # noqa: PLC0415

    data = generate(500, seed=2, months=1)
    report = monthly_report(data.orders, as_of=data.as_of)
    assert "<table" in report._repr_html_()
    assert "otif_rate" in report._repr_html_()
    result = otif(data.orders, as_of=data.as_of)
    assert "interval" in result._repr_html_()
