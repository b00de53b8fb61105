"""PySpark gives the same attribution, conformance, Pareto and alerts as pandas."""

from __future__ import annotations

import math
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl
import pytest

from _attribution_support import AS_OF as ATTRIBUTION_AS_OF
from _attribution_support import EVENTS, ORDERS, POLICY
from ordercore.kpi import alerts
from ordercore.kpi.attribution import lateness_attribution, lateness_by
from ordercore.kpi.conformance import conformance
from ordercore.kpi.monitor import Rule, ShippedNotDelivered, StageOverdue
from ordercore.kpi.pareto import failure_causes, pareto
from ordercore.kpi.trail import trail_frame
from ordercore.testing.book import INJECTABLE, synthetic_book

pytestmark = pytest.mark.spark


def _rows(native: Any, key: tuple[str, ...]) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    rows = list(eager.rows(named=True))
    clean = [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in rows
    ]
    return sorted(clean, key=lambda r: tuple(str(r[k]) for k in key))


def _spark(spark: Any, frame: Any) -> Any:
    return spark.createDataFrame(pl.from_pandas(frame).to_arrow())


def test_attribution_on_spark_matches_pandas(spark: Any) -> None:
    mine = lateness_attribution(
        _spark(spark, ORDERS), _spark(spark, EVENTS), as_of=ATTRIBUTION_AS_OF, policy=POLICY
    )
    theirs = lateness_attribution(ORDERS, EVENTS, as_of=ATTRIBUTION_AS_OF, policy=POLICY)
    assert _rows(mine.orders, ("order_id",)) == _rows(theirs.orders, ("order_id",))
    assert _rows(mine.parts, ("order_id", "part")) == _rows(theirs.parts, ("order_id", "part"))
    assert dict(mine.counts) == dict(theirs.counts)
    by = ("month", "part")
    assert _rows(lateness_by(mine, by), by) == _rows(lateness_by(theirs, by), by)


def test_conformance_and_pareto_on_spark_match_pandas(spark: Any) -> None:
    book = synthetic_book(orders=120, seed=9, violations=dict.fromkeys(INJECTABLE, 0.3))
    frames = book.frames()
    trail = trail_frame(book.events)
    mine = conformance(
        _spark(spark, frames["orders"]),
        _spark(spark, trail),
        cases=_spark(spark, frames["cases"]),
        as_of=book.as_of,
    )
    theirs = conformance(frames["orders"], trail, cases=frames["cases"], as_of=book.as_of)
    assert mine.summary == theirs.summary
    for check in INJECTABLE:
        assert mine.failures(check) == sorted(book.violations[check])
    causes = pareto(failure_causes(cases=_spark(spark, frames["cases"]), as_of=book.as_of))
    assert causes.rows == pareto(failure_causes(cases=frames["cases"], as_of=book.as_of)).rows


def test_the_new_monitoring_rules_on_spark_match_pandas(spark: Any) -> None:
    book = synthetic_book(orders=120, seed=9, violations={})
    orders = book.frames()["orders"]
    rules: list[Rule] = [ShippedNotDelivered(carrier_sla_hours=1), StageOverdue("review", 1)]
    mine = alerts(_spark(spark, orders), rules, as_of=book.as_of)
    theirs = alerts(orders, rules, as_of=book.as_of)
    key = ("rule", "order_id")
    assert _rows(mine, key) == _rows(theirs, key)
