"""Lateness attribution: hand-computed cases on every backend, and the exact sum on a real book."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest

from _attribution_support import AS_OF, EVENTS, ORDERS, POLICY
from ordercore.errors import ConfigurationError, FrameSchemaError, InvalidArgument
from ordercore.kpi.attribution import (
    PARTS,
    LatenessPolicy,
    lateness_attribution,
    lateness_by,
    promise_at_risk,
)
from ordercore.kpi.trail import trail_frame
from ordercore.testing.book import synthetic_book

if TYPE_CHECKING:
    from _fingerprints import Fingerprints

Constructor = Callable[["pd.DataFrame"], Any]
"""Builds the same frame in one backend from a pandas frame (the `constructor` fixture)."""


def _rows(native: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return list(eager.sort("order_id").rows(named=True))


def _by_order(constructor: Constructor, **kwargs: Any) -> dict[str, dict[str, Any]]:
    result = lateness_attribution(
        constructor(ORDERS), constructor(EVENTS), as_of=AS_OF, policy=POLICY, **kwargs
    )
    return {row["order_id"]: row for row in _rows(result.orders)}


def test_a_late_order_is_split_into_its_stages_against_their_budgets(
    constructor: Constructor,
) -> None:
    row = _by_order(constructor)["a"]
    # lead time 240 h: review and transit 120 h each; review took 48 h, dispatch 120 h,
    # transit 96 h
    assert (row["state"], row["lateness_h"]) == ("late", 24.0)
    assert (row["review"], row["dispatch"], row["transit"]) == (-72.0, 120.0, -24.0)
    assert (row["cause"], row["cause_h"], row["month"]) == ("dispatch", 120.0, "2026-03")


def test_overlapping_holds_count_once_for_the_hold_placed_first(constructor: Constructor) -> None:
    row = _by_order(constructor)["b"]
    # review 48 h of which 36 h on hold: credit 24 h, address only its 12 h beyond credit
    assert (row["hold_credit"], row["hold_address"]) == (24.0, 12.0)
    assert (row["review"], row["dispatch"], row["transit"]) == (-48.0, 30.0, 6.0)
    assert (row["lateness_h"], row["cause"]) == (24.0, "dispatch")


def test_an_overdue_order_is_projected_from_the_stage_it_is_in(constructor: Constructor) -> None:
    row = _by_order(constructor)["c"]
    # allocation since 12:00 on day 1 (276 h, no budget); transit still needs its 24 h
    assert (row["state"], row["review"], row["allocation"], row["transit"]) == (
        "overdue",
        -12.0,
        276.0,
        0.0,
    )
    assert (row["lateness_h"], row["cause"]) == (264.0, "allocation")


def test_an_open_order_that_cannot_meet_its_promise_is_at_risk(constructor: Constructor) -> None:
    found = _by_order(constructor)
    # budgets 228 h each; review took 24 h, allocation 264 h so far, transit needs 228 h
    assert (found["d"]["state"], found["d"]["lateness_h"]) == ("at_risk", 60.0)
    assert (found["d"]["review"], found["d"]["allocation"]) == (-204.0, 264.0)
    assert "d" not in _by_order(constructor, at_risk=False)


def test_the_requested_date_stands_in_for_a_missing_promise(constructor: Constructor) -> None:
    row = _by_order(constructor)["g"]
    assert (row["lateness_h"], row["channel"], row["review"], row["transit"]) == (
        24.0,
        "phone",
        0.0,
        24.0,
    )


def test_on_time_and_cancelled_orders_are_counted_not_attributed(
    constructor: Constructor,
) -> None:
    result = lateness_attribution(
        constructor(ORDERS), constructor(EVENTS), as_of=AS_OF, policy=POLICY
    )
    assert sorted(r["order_id"] for r in _rows(result.orders)) == ["a", "b", "c", "d", "g"]
    assert dict(result.counts) == {
        "late": 3,
        "overdue": 1,
        "at_risk": 1,
        "on_time": 1,
        "open_on_track": 0,
    }
    assert result.exclusions["cancelled"] == 1


def test_parts_sum_exactly_to_the_lateness_in_micros(constructor: Constructor) -> None:
    result = lateness_attribution(
        constructor(ORDERS), constructor(EVENTS), as_of=AS_OF, policy=POLICY
    )
    sums: dict[str, float] = {}
    for part in _rows(result.parts):
        sums[part["order_id"]] = sums.get(part["order_id"], 0.0) + part["micros"]
    lateness = {r["order_id"]: r["lateness_us"] for r in _rows(result.orders)}
    assert sums == lateness
    assert lateness["a"] == 24 * 3_600_000_000


def test_lateness_by_part_sums_the_parts_over_orders(constructor: Constructor) -> None:
    result = lateness_attribution(
        constructor(ORDERS), constructor(EVENTS), as_of=AS_OF, policy=POLICY
    )
    rows = {r["part"]: r for r in _rows_unsorted(lateness_by(result, ["part"]))}
    # dispatch over budget on a (120 h) and b (30 h); allocation on c (276 h) and d (264 h)
    assert (rows["dispatch"]["late_hours"], rows["dispatch"]["over_budget"]) == (150.0, 2)
    assert rows["allocation"]["late_hours"] == 540.0
    assert rows["hold_credit"]["hours"] == 24.0
    assert rows["transit"]["orders"] == 5
    total = sum(r["late_hours"] for r in rows.values())
    assert rows["dispatch"]["share"] == pytest.approx(150.0 / total)


def _rows_unsorted(native: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return list(eager.rows(named=True))


def test_lateness_by_channel_and_month_groups_the_late_orders() -> None:
    result = lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy=POLICY)
    rows = lateness_by(result, ["month", "channel"]).to_dict("records")
    assert [(r["channel"], r["orders"], r["hours"]) for r in rows] == [
        ("web", 4, 24.0 + 24.0 + 264.0 + 60.0),
        ("phone", 1, 24.0),
    ]


def test_fixed_hours_take_their_budget_before_the_shares() -> None:
    policy = LatenessPolicy(shares={"transit": 1}, hours={"review": 24})
    result = lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy=policy)
    row = next(r for r in result.rows() if r["order_id"] == "a")
    # review 48 h against 24 h; dispatch 120 h against none; transit 96 h against 216 h
    assert (row["review"], row["dispatch"], row["transit"]) == (24.0, 120.0, -120.0)


def test_events_without_the_hold_columns_are_refused() -> None:
    with pytest.raises(FrameSchemaError, match=r"missing column 'hold_reason'.*trail_frame"):
        lateness_attribution(ORDERS, EVENTS.drop(columns="hold_reason"), as_of=AS_OF)


def test_an_unknown_hold_reason_is_refused() -> None:
    events = EVENTS.copy()
    events.loc[2, "hold_reason"] = "weather"
    with pytest.raises(FrameSchemaError, match=r"hold_reason: 1 value.*order_id=b"):
        lateness_attribution(ORDERS, events, as_of=AS_OF)


def test_the_events_of_an_order_on_time_are_checked_though_not_read(
    constructor: Constructor,
) -> None:
    # e was delivered before its promise: its lateness needs none of its events, which are
    # not grouped, but a stray hold reason or a null event type among them is still refused
    stray = pd.concat(
        [EVENTS, EVENTS.iloc[[2]].assign(order_id="e", hold_id="H9", hold_reason="weather")],
        ignore_index=True,
    )
    with pytest.raises(FrameSchemaError, match=r"hold_reason: 1 value.*order_id=e"):
        lateness_attribution(constructor(ORDERS), constructor(stray), as_of=AS_OF)
    untyped = EVENTS.copy()
    untyped.loc[untyped["order_id"] == "e", "event_type"] = None
    with pytest.raises(FrameSchemaError, match="event_type: 1 null"):
        lateness_attribution(constructor(ORDERS), constructor(untyped), as_of=AS_OF)


def test_a_naive_as_of_is_refused() -> None:
    naive = AS_OF.replace(tzinfo=None)
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        lateness_attribution(ORDERS, EVENTS, as_of=naive)
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        lateness_attribution(pl.from_pandas(ORDERS), pl.from_pandas(EVENTS), as_of=naive)


def test_orders_without_a_reference_column_are_refused() -> None:
    orders = ORDERS.drop(columns=["promised_at", "requested_at"])
    with pytest.raises(FrameSchemaError, match="promised_at"):
        lateness_attribution(orders, EVENTS, as_of=AS_OF)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shares": {"painting": 1}}, "unknown stage 'painting'"),
        ({"shares": {"review": -1}}, "finite number >= 0"),
        ({"shares": {"review": 0}}, "positive share"),
        ({"shares": {"review": 1}, "hours": {"review": 2}}, "both a share and fixed hours"),
        ({"reference": "requested_at"}, "same column"),
    ],
)
def test_a_policy_that_cannot_budget_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        LatenessPolicy(**kwargs)


def test_a_policy_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="LatenessPolicy"):
        lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy={"review": 1})  # type: ignore[arg-type]


def test_lateness_by_refuses_an_unknown_dimension() -> None:
    result = lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy=POLICY)
    with pytest.raises(InvalidArgument, match="region"):
        lateness_by(result, ["region"])


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_on_a_real_book_the_parts_sum_exactly_to_every_late_orders_lateness(
    library: str,
) -> None:
    book = synthetic_book(orders=300, seed=11)
    frames = book.frames()
    orders, events = frames["orders"], trail_frame(book.events)
    convert: Callable[[pd.DataFrame], Any] = (
        (lambda f: f) if library == "pandas" else pl.from_pandas
    )
    result = lateness_attribution(convert(orders), convert(events), as_of=book.as_of)
    rows = _rows(result.orders)
    parts = _rows(result.parts)
    sums: dict[str, float] = {}
    for part in parts:
        sums[part["order_id"]] = sums.get(part["order_id"], 0.0) + part["micros"]
    assert rows
    assert all(sums[r["order_id"]] == r["lateness_us"] for r in rows)
    assert {p["part"] for p in parts} == set(PARTS)
    # the late ones are exactly the orders delivered after their reference date
    reference = orders["promised_at"].fillna(orders["requested_at"])
    late = orders[
        orders["delivered_at"].notna()
        & (orders["delivered_at"] > reference)
        & orders["cancelled_at"].isna()
    ]
    assert {r["order_id"] for r in rows if r["state"] == "late"} == set(late["order_id"])
    delay = (late["delivered_at"] - reference[late.index]).dt.total_seconds() * 1e6
    expected = dict(zip(late["order_id"], delay.round(), strict=True))
    assert {r["order_id"]: r["lateness_us"] for r in rows if r["state"] == "late"} == expected


def test_promise_at_risk_alerts_before_the_date_passes(constructor: Constructor) -> None:
    found = _rows(
        promise_at_risk(constructor(ORDERS), constructor(EVENTS), as_of=AS_OF, policy=POLICY)
    )
    # only d: open, due on day 20, projected 60 h late (allocation has taken 264 h)
    assert found == [
        {
            "order_id": "d",
            "rule": "promise_at_risk",
            "age_hours": 60.0,
            "severity": "critical",
            "cause": "allocation",
        }
    ]


def test_orders_whose_fingerprints_collide_are_still_told_apart(
    fingerprints: Fingerprints,
) -> None:
    # polars groups events by a hash of the order id; squeeze the hashes into two values so
    # that every order collides: the analysis must notice and group by the ids themselves
    expected = _rows(lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy=POLICY).orders)
    fingerprints.crowd()
    result = lateness_attribution(
        pl.from_pandas(ORDERS), pl.from_pandas(EVENTS), as_of=AS_OF, policy=POLICY
    )
    assert fingerprints.seen == [True, False]
    assert _rows(result.orders) == expected


def test_an_order_without_events_sharing_a_fingerprint_does_not_take_anothers_events(
    fingerprints: Fingerprints,
) -> None:
    # y, a late order with no events, is hashed onto a (which has events): joined to a's
    # group, it would take a's stages; the collision is seen and the analysis redone by id
    orders = pd.concat([ORDERS, ORDERS[ORDERS["order_id"] == "a"].assign(order_id="y")])
    expected = _rows(lateness_attribution(orders, EVENTS, as_of=AS_OF, policy=POLICY).orders)
    assert [r["review"] for r in expected if r["order_id"] == "y"] != [
        r["review"] for r in expected if r["order_id"] == "a"
    ]
    fingerprints.share("a", "y")
    result = lateness_attribution(
        pl.from_pandas(orders), pl.from_pandas(EVENTS), as_of=AS_OF, policy=POLICY
    )
    assert fingerprints.seen == [True, False]
    assert _rows(result.orders) == expected


def test_an_event_of_an_unknown_order_sharing_a_fingerprint_is_not_counted(
    fingerprints: Fingerprints,
) -> None:
    # an event whose order is not in the orders frame, hashed onto order a: seen, and redone
    stray = pl.from_pandas(EVENTS).with_row_index("_i")
    stray = pl.concat(
        [
            stray.drop("_i"),
            stray.filter(pl.col("_i") == 0)
            .drop("_i")
            .with_columns(
                order_id=pl.lit("z"),
                event_id=pl.lit("Z1"),
                at=pl.col("at") - pl.duration(hours=42),  # approved on day 1, 06:00
            ),
        ]
    )
    expected = _rows(lateness_attribution(ORDERS, EVENTS, as_of=AS_OF, policy=POLICY).orders)
    fingerprints.share("a", "z")
    result = lateness_attribution(pl.from_pandas(ORDERS), stray, as_of=AS_OF, policy=POLICY)
    assert fingerprints.seen == [True, False]
    assert _rows(result.orders) == expected
