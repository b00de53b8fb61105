"""Staff ranking: shrunk rates over the right sample, no figure where nothing was counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd
import pytest

from ordercore.errors import ConfigurationError
from ordercore.kpi import monthly_report, staff_ranking

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _orders(staff: dict[str | None, tuple[int, int, int]]) -> pd.DataFrame:
    """Per owner: (on time, late, not yet due) orders received on 2026-03-10."""
    received = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for owner, (good, late, open_) in staff.items():
        for i in range(good + late + open_):
            due = received + dt.timedelta(days=3 if i < good + late else 200)
            delivered = received + dt.timedelta(days=1 if i < good else 5)
            rows.append(
                {
                    "order_id": f"{owner}-{i}",
                    "customer_id": "C",
                    "channel": "web",
                    "owner_id": owner,
                    "received_at": received,
                    "promised_at": due,
                    "delivered_at": delivered if i < good + late else None,
                    "qty_ordered": 1.0,
                    "qty_delivered": 1.0 if i < good + late else 0.0,
                }
            )
    frame = pd.DataFrame(rows)
    frame["delivered_at"] = pd.to_datetime(frame["delivered_at"], utc=True)
    return frame


def _ranking(staff: dict[str | None, tuple[int, int, int]], **kwargs: Any) -> list[dict[str, Any]]:
    report = monthly_report(_orders(staff), as_of=AS_OF, by=["owner_id"])
    records: list[dict[str, Any]] = staff_ranking(report, **kwargs).to_dict("records")
    return records


def test_orders_without_a_staff_member_are_left_out_of_the_ranking_and_the_team_rate() -> None:
    ranking = _ranking({"S-1": (30, 10, 0), "S-2": (20, 20, 0), None: (0, 50, 0)})
    assert [r["staff"] for r in ranking] == ["S-1", "S-2"]
    team = 50 / 80
    assert ranking[0]["shrunk_rate"] == pytest.approx((30 + 30 * team) / (40 + 30))


def test_a_staff_member_with_nothing_counted_has_no_raw_rate() -> None:
    ranking = _ranking({"S-1": (30, 10, 0), "S-2": (0, 0, 4)})
    quiet = next(r for r in ranking if r["staff"] == "S-2")
    assert (quiet["n"], quiet["low_sample"]) == (0, True)
    assert pd.isna(quiet["raw_rate"])


def test_with_nothing_counted_at_all_there_is_no_shrunk_rate_and_no_rank() -> None:
    ranking = _ranking({"S-1": (0, 0, 3), "S-2": (0, 0, 2)})
    assert all(pd.isna(r["shrunk_rate"]) and pd.isna(r["rank"]) for r in ranking)


def test_ranking_on_csat_uses_the_responses_as_the_sample() -> None:
    orders = _orders({"S-1": (3, 0, 0), "S-2": (3, 0, 0)})
    sent = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    surveys = pd.DataFrame(
        {
            "survey_id": [f"v{i}" for i in range(6)],
            "kind": "csat",
            "sent_at": sent,
            "owner_id": ["S-1", "S-1", "S-1", "S-2", "S-2", "S-2"],
            "score": [5.0, 5.0, 4.0, 1.0, None, None],
        }
    )
    report = monthly_report(orders, surveys=surveys, as_of=AS_OF, by=["owner_id"])
    ranking = staff_ranking(report, "csat_top2").to_dict("records")
    assert [(r["staff"], r["n"], r["raw_rate"]) for r in ranking] == [
        ("S-1", 3, 1.0),
        ("S-2", 1, 0.0),
    ]


def test_ranking_on_a_column_that_is_not_a_count_of_the_report_is_refused() -> None:
    report = monthly_report(_orders({"S-1": (3, 0, 0)}), as_of=AS_OF, by=["owner_id"])
    with pytest.raises(ConfigurationError, match=r"cannot rank on 'otif_rate'.*otif, perfect"):
        staff_ranking(report, "otif_rate")


def test_a_prior_strength_that_is_not_positive_is_refused() -> None:
    report = monthly_report(_orders({"S-1": (3, 0, 0)}), as_of=AS_OF, by=["owner_id"])
    with pytest.raises(ConfigurationError, match="prior_strength must be a positive number"):
        staff_ranking(report, prior_strength=0)


def test_on_duckdb_a_staff_member_with_nothing_counted_is_ranked_like_on_pandas() -> None:
    orders = _orders({"S-1": (30, 10, 0), "S-2": (0, 0, 4)})
    relation = duckdb.connect().from_df(orders)
    ranking = staff_ranking(monthly_report(relation, as_of=AS_OF, by=["owner_id"]))
    got = [tuple(row) for row in ranking.fetchall()]
    expected = _ranking({"S-1": (30, 10, 0), "S-2": (0, 0, 4)})
    assert [(r[0], r[1], r[2]) for r in got] == [
        (r["staff"], r["n"], None if pd.isna(r["raw_rate"]) else r["raw_rate"]) for r in expected
    ]
