"""A KPI result prints as one short line a reader can check."""

from __future__ import annotations

from ordercore.kpi import KpiResult, KpiStatus


def test_the_repr_shows_value_sample_status_and_only_the_exclusions_that_happened() -> None:
    result = KpiResult(
        "otif",
        0.8,
        4,
        5,
        KpiStatus.OK,
        {"not_yet_due": 3, "nothing_owed": 0},
        period="2026-03",
        group={"channel": "web"},
    )
    assert repr(result) == (
        "KpiResult(otif=0.8 share (4/5), ok, period 2026-03, group channel=web, "
        "excluded: not_yet_due=3)"
    )


def test_the_repr_of_an_empty_result_says_no_data() -> None:
    result = KpiResult("csat", None, 0, 0, KpiStatus.NO_DATA, unit="score")
    assert repr(result) == "KpiResult(csat=no data (0/0), no_data)"
    assert len(repr(result)) < 80
