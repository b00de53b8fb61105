"""Policy conformance: each check on hand-built trails, on every backend, and on a real book
with violations injected on purpose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest

from ordercore.errors import ConfigurationError, FrameSchemaError, GuardRejected, InvalidArgument
from ordercore.events import Actor
from ordercore.kpi.conformance import CHECKS, CheckpointRule, ConformancePolicy, conformance
from ordercore.kpi.trail import trail_frame
from ordercore.lifecycle import Close, apply, replay
from ordercore.lifecycle.machine import CANONICAL
from ordercore.status import OrderStatus
from ordercore.testing.book import INJECTABLE, lenient_spec, synthetic_book

if TYPE_CHECKING:
    from _fingerprints import Fingerprints

Constructor = Callable[[pd.DataFrame], Any]
"""Builds the same frame in one backend from a pandas frame (the `constructor` fixture)."""


UTC = dt.UTC


def t(day: int, hour: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


AS_OF = t(1, month=5)
ORDERS = pd.DataFrame(
    {
        "order_id": ["p1", "p2", "w1", "w2", "w3"],
        "customer_id": "C-1",
        "channel": ["phone", "fax", "web", "web", "web"],
        "owner_id": ["S-1", "S-2", "S-1", "S-2", "S-1"],
        "received_at": [t(1), t(2), t(3), t(4), t(1, month=4)],
    }
)
ORDERS["received_at"] = ORDERS["received_at"].dt.as_unit("us")

_COLUMNS = ("confirmation_ref", "hold_id", "hold_reason", "risk_level", "checkpoint")


def _trail(*rows: dict[str, Any]) -> pd.DataFrame:
    base: dict[str, Any] = {"actor": "S-1", "actor_kind": "user", "reason": ""}
    base.update(dict.fromkeys(_COLUMNS))
    base["passed"] = None
    frame = pd.DataFrame([{**base, "event_id": f"E{i}", **r} for i, r in enumerate(rows)])
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.as_unit("us")
    for column in (*_COLUMNS, "actor", "actor_kind", "reason"):
        frame[column] = frame[column].astype("str")
    frame["passed"] = frame["passed"].astype("boolean")
    return frame


def _e(order: str, kind: str, at: dt.datetime, **more: Any) -> dict[str, Any]:
    return {"order_id": order, "event_type": kind, "at": at, **more}


# p1: phone, confirmed at entry, reviewed, assessed, approved: passes every check it meets
# p2: fax, never confirmed; assessed after approval; hold released by the system
# w1: web, closed with waived feedback without a reason; archived 40 days after closing
# w2: web, closed with feedback, archived after 10 days; a hold released without a reason
# w3: web, approved, a high-risk order whose second approval came 30 h after approval
TRAIL = _trail(
    _e("p1", "order_created", t(1), confirmation_ref="CONF-1"),
    _e("p1", "review_started", t(1, 2)),
    _e("p1", "risk_assessed", t(1, 3), risk_level="low"),
    _e("p1", "order_approved", t(1, 4)),
    _e("p2", "order_created", t(2)),
    _e("p2", "review_started", t(2, 1)),
    _e("p2", "order_approved", t(2, 2)),
    _e("p2", "risk_assessed", t(2, 3), risk_level="medium"),
    _e("p2", "hold_placed", t(2, 4), hold_id="H-1", hold_reason="credit"),
    _e(
        "p2",
        "hold_released",
        t(2, 5),
        hold_id="H-1",
        actor="batch",
        actor_kind="system",
        reason="ok",
    ),
    _e("w1", "review_started", t(3, 1)),
    _e("w1", "risk_assessed", t(3, 1), risk_level="low"),
    _e("w1", "order_approved", t(3, 2)),
    _e("w1", "feedback_waived", t(10)),
    _e("w1", "order_closed", t(10, 1)),
    _e("w1", "order_archived", t(19, 1, month=4)),
    _e("w2", "review_started", t(4, 1)),
    _e("w2", "risk_assessed", t(4, 1), risk_level="low"),
    _e("w2", "order_approved", t(4, 2)),
    _e("w2", "hold_placed", t(4, 3), hold_id="H-1", hold_reason="address"),
    _e("w2", "hold_released", t(4, 4), hold_id="H-1", reason="  "),
    _e("w2", "feedback_recorded", t(11)),
    _e("w2", "order_closed", t(11, 1)),
    _e("w2", "order_archived", t(21, 1)),
    _e("w3", "review_started", t(1, 1, month=4)),
    _e("w3", "risk_assessed", t(1, 1, month=4), risk_level="low"),
    _e("w3", "risk_assessed", t(1, 2, month=4), risk_level="high"),
    _e("w3", "order_approved", t(1, 3, month=4)),
    _e("w3", "checkpoint_recorded", t(2, 9, month=4), checkpoint="second_approval", passed=True),
)
CASES = pd.DataFrame(
    {
        "order_id": ["p1", "w1", "w2"],
        "case_id": ["C1", "C1", "C1"],
        "kind": ["complaint", "complaint", "complaint"],
        "opened_at": [t(10), t(12), t(28, month=4)],
        "root_cause_at": [t(12), t(25), None],
        "owner_id": ["S-1", "S-1", "S-2"],
        "channel": ["phone", "web", "web"],
    }
)
for _column in ("opened_at", "root_cause_at"):
    CASES[_column] = pd.to_datetime(CASES[_column], utc=True).dt.as_unit("us")
POLICY = ConformancePolicy(
    checkpoints=[CheckpointRule("second_approval", ["high", "critical"], sla_hours=24)]
)


def _rows(native: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return list(eager.rows(named=True))


def _verdicts(constructor: Constructor) -> dict[tuple[str, str], bool]:
    report = conformance(
        constructor(ORDERS),
        constructor(TRAIL),
        cases=constructor(CASES),
        as_of=AS_OF,
        policy=POLICY,
    )
    return {(r["check"], r["order_id"]): r["passed"] for r in _rows(report.results)}


def test_each_check_passes_or_fails_exactly_the_orders_it_applies_to(
    constructor: Constructor,
) -> None:
    assert _verdicts(constructor) == {
        ("confirmed_before_approval", "p1"): True,
        ("confirmed_before_approval", "p2"): False,
        **{("reviewed_before_approval", o): True for o in ("p1", "p2", "w1", "w2", "w3")},
        ("risk_assessed_before_approval", "p1"): True,
        ("risk_assessed_before_approval", "p2"): False,
        ("risk_assessed_before_approval", "w1"): True,
        ("risk_assessed_before_approval", "w2"): True,
        ("risk_assessed_before_approval", "w3"): True,
        ("hold_release_authorised", "p2"): False,
        ("hold_release_authorised", "w2"): False,
        # p1's root cause within 2 days; w1's after 13 days; w2's not yet due (opened 3 days ago)
        ("complaint_investigated", "p1"): True,
        ("complaint_investigated", "w1"): False,
        ("feedback_before_close", "w1"): False,
        ("feedback_before_close", "w2"): True,
        ("archived_in_time", "w1"): False,
        ("archived_in_time", "w2"): True,
        # w3's latest assessment is high: the second approval was due 24 h after approval
        ("checkpoint:second_approval", "w3"): False,
    }


def test_monthly_pass_rates_per_check(constructor: Constructor) -> None:
    report = conformance(constructor(ORDERS), constructor(TRAIL), as_of=AS_OF, policy=POLICY)
    rates = {(r["check"], r["month"]): (r["checked"], r["passed"]) for r in _rows(report.rates())}
    assert rates[("reviewed_before_approval", "2026-03")] == (4, 4)
    assert rates[("reviewed_before_approval", "2026-04")] == (1, 1)
    assert rates[("risk_assessed_before_approval", "2026-03")] == (4, 3)


def test_pass_rates_per_staff_and_channel() -> None:
    report = conformance(ORDERS, TRAIL, as_of=AS_OF)
    by_staff = {
        (r["check"], r["owner_id"]): r["rate"]
        for r in report.rates(["check", "owner_id"]).to_dict("records")
    }
    assert by_staff[("risk_assessed_before_approval", "S-2")] == 0.5  # p2 fails, w2 passes
    by_channel = {
        (r["check"], r["channel"]): r["checked"]
        for r in report.rates(["check", "channel"]).to_dict("records")
    }
    assert by_channel[("confirmed_before_approval", "phone")] == 1


def test_the_summary_names_the_checks_that_fail_most_with_examples() -> None:
    report = conformance(ORDERS, TRAIL, cases=CASES, as_of=AS_OF, policy=POLICY)
    worst = [s["check"] for s in report.worst(3)]
    assert worst == ["hold_release_authorised", "checkpoint:second_approval", "archived_in_time"]
    summary = {s["check"]: s for s in report.summary}
    assert summary["hold_release_authorised"]["examples"] == ("p2", "w2")
    assert summary["feedback_before_close"]["rate"] == 0.5
    assert report.failures("confirmed_before_approval") == ["p2"]


def test_named_releasers_are_the_only_authorised_ones() -> None:
    policy = ConformancePolicy(hold_releasers={"batch"})
    report = conformance(ORDERS, TRAIL, as_of=AS_OF, policy=policy)
    # p2's system release by "batch" now passes; w2's is still without a reason
    assert report.failures("hold_release_authorised") == ["w2"]


def test_the_report_reads_in_markdown_html_and_a_chart() -> None:
    report = conformance(ORDERS, TRAIL, cases=CASES, as_of=AS_OF, policy=POLICY)
    markdown = report.to_markdown("zh")
    assert (
        "| 电话、传真订单在审批前已确认 | 1 订单接收：订单录入 | 2 | 1 | 50.0% | p2 |" in markdown
    )
    assert "| supervision checkpoint second_approval done within its SLA |" in report.to_markdown()
    html = report.to_html()
    assert "<caption>Policy conformance</caption>" in html
    assert "hold_release" not in html  # labels, not codes
    pytest.importorskip("matplotlib")
    figure = report.plot("en")
    assert len(figure.axes[0].patches) == len(report.summary)


def test_a_trail_without_the_trail_columns_is_refused() -> None:
    with pytest.raises(FrameSchemaError, match="confirmation_ref"):
        conformance(ORDERS, TRAIL.drop(columns="confirmation_ref"), as_of=AS_OF)


def test_an_unknown_risk_level_is_refused(constructor: Constructor) -> None:
    trail = TRAIL.copy()
    trail.loc[2, "risk_level"] = "severe"
    with pytest.raises(FrameSchemaError, match="risk_level: 1 value"):
        conformance(constructor(ORDERS), constructor(trail), as_of=AS_OF)


def test_events_of_types_no_check_reads_are_left_alone_and_untyped_ones_refused(
    constructor: Constructor,
) -> None:
    # a shipment is read by no check: its stray risk level is not refused, nothing changes
    shipped = _trail(_e("p1", "quantity_shipped", t(5), risk_level="severe"))
    trail = pd.concat([TRAIL, shipped.assign(event_id="S1")], ignore_index=True)
    expected = conformance(ORDERS, TRAIL, as_of=AS_OF).summary
    found = conformance(constructor(ORDERS), constructor(trail), as_of=AS_OF).summary
    assert found == expected
    untyped = TRAIL.copy()
    untyped.loc[3, "event_type"] = None
    with pytest.raises(FrameSchemaError, match="event_type: 1 null"):
        conformance(constructor(ORDERS), constructor(untyped), as_of=AS_OF)


def test_a_naive_as_of_is_refused() -> None:
    naive = AS_OF.replace(tzinfo=None)
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        conformance(ORDERS, TRAIL, as_of=naive)
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        conformance(pl.from_pandas(ORDERS), pl.from_pandas(TRAIL), as_of=naive)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ConformancePolicy(archive_days=0), "archive_days must be > 0"),
        (lambda: ConformancePolicy(confirm_channels=("telex",)), "unknown channel telex"),
        (lambda: CheckpointRule("x", ["severe"]), "levels must be some of"),
        (lambda: CheckpointRule("x", ["high"], sla_hours=0), "sla_hours must be > 0"),
        (
            lambda: ConformancePolicy(
                checkpoints=[CheckpointRule("x", ["high"]), CheckpointRule("x", ["low"])]
            ),
            "two rules",
        ),
    ],
)
def test_a_policy_that_cannot_be_checked_is_refused(make: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="ConformancePolicy"):
        conformance(ORDERS, TRAIL, as_of=AS_OF, policy={"archive_days": 3})  # type: ignore[arg-type]
    report = conformance(ORDERS, TRAIL, as_of=AS_OF)
    with pytest.raises(InvalidArgument, match="unknown 'speed'"):
        report.failures("speed")
    with pytest.raises(InvalidArgument, match="region"):
        report.rates(["region"])


def test_on_a_real_book_the_checks_find_exactly_the_violations_injected(
    constructor: Constructor,
) -> None:
    book = synthetic_book(orders=500, seed=9, violations=dict.fromkeys(INJECTABLE, 0.3))
    frames = book.frames()
    report = conformance(
        constructor(frames["orders"]),
        constructor(trail_frame(book.events)),
        cases=constructor(frames["cases"]),
        as_of=book.as_of,
    )
    # every built-in check can be injected, and each finds exactly the orders it was in
    assert set(INJECTABLE) == set(CHECKS)
    for check in INJECTABLE:
        assert book.violations[check], check  # each was injected at least once
        assert report.failures(check) == sorted(book.violations[check]), check


def test_each_check_finds_its_violations_when_injected_alone() -> None:
    # one check at a time: it finds exactly its orders, and every other check passes
    for check in INJECTABLE:
        book = synthetic_book(orders=300, seed=5, violations={check: 0.5})
        frames = book.frames()
        report = conformance(
            frames["orders"], trail_frame(book.events), cases=frames["cases"], as_of=book.as_of
        )
        assert book.violations[check], check
        assert report.failures(check) == sorted(book.violations[check]), check
        others = {s["check"]: s["failed"] for s in report.summary if s["check"] != check}
        assert set(others.values()) == {0}, (check, others)


def test_the_violations_the_canonical_lifecycle_refuses_come_from_a_host_spec() -> None:
    # approval without review and closing without feedback: the canonical guards refuse
    # them, the book's orders went through the lenient host spec, and replay as they stand
    book = synthetic_book(
        orders=200,
        seed=4,
        violations={"reviewed_before_approval": 0.5, "feedback_before_close": 0.5},
    )
    trails: dict[str, list[Any]] = {}
    for event in book.events:
        trails.setdefault(event.order_id, []).append(event)
    by_id = {order.order_id: order for order in book.orders}
    for check, kinds in (
        ("reviewed_before_approval", {"review_started"}),
        ("feedback_before_close", {"feedback_recorded", "feedback_waived"}),
    ):
        assert book.violations[check], check
        for order_id in book.violations[check]:
            trail = trails[order_id]
            assert replay(trail) == by_id[order_id]
            assert not kinds & {e.type for e in trail}, (check, order_id)
    spec = lenient_spec()
    assert spec.allows("submitted", "approve")
    assert not CANONICAL.allows("submitted", "approve")
    # one of them just before its close: settled, nothing open, no feedback
    trail = trails[book.violations["feedback_before_close"][0]]
    closing = next(i for i, e in enumerate(trail) if e.type == "order_closed")
    fulfilled, at = replay(trail[:closing]), trail[closing].at
    assert fulfilled.status is OrderStatus.FULFILLED
    with pytest.raises(GuardRejected, match="feedback is neither recorded nor waived"):
        apply(fulfilled, Close(), at=at, actor=Actor.user("S-01"))
    closed, _ = apply(fulfilled, Close(), at=at, actor=Actor.user("S-01"), spec=spec)
    assert closed.status is OrderStatus.CLOSED


def test_a_book_without_violations_conforms_everywhere() -> None:
    book = synthetic_book(orders=200, seed=2, violations={})
    frames = book.frames()
    report = conformance(
        frames["orders"], trail_frame(book.events), cases=frames["cases"], as_of=book.as_of
    )
    assert all(s["failed"] == 0 for s in report.summary)
    assert all(not ids for ids in book.violations.values())


def test_a_book_refuses_a_violation_it_cannot_inject() -> None:
    with pytest.raises(ValueError, match="cannot inject 'checkpoint:pack'"):
        synthetic_book(orders=1, violations={"checkpoint:pack": 0.5})
    with pytest.raises(ValueError, match="must be in"):
        synthetic_book(orders=1, violations={"archived_in_time": 2})


def test_orders_whose_fingerprints_collide_are_still_told_apart(
    fingerprints: Fingerprints,
) -> None:
    # polars groups events by a hash of the order id; squeeze the hashes into two values:
    # the collision is seen and the checks run on the ids themselves
    expected = conformance(ORDERS, TRAIL, as_of=AS_OF).summary
    fingerprints.crowd()
    found = conformance(pl.from_pandas(ORDERS), pl.from_pandas(TRAIL), as_of=AS_OF)
    assert fingerprints.seen == [True, False]
    assert found.summary == expected


def test_an_order_without_events_sharing_a_fingerprint_does_not_take_anothers_trail(
    fingerprints: Fingerprints,
) -> None:
    # y has no events and is hashed onto p1 (which has): joined to p1's group it would be
    # checked, and pass, as p1; the collision is seen and the checks run again on the ids
    orders = pd.concat([ORDERS, ORDERS[ORDERS["order_id"] == "p1"].assign(order_id="y")])
    expected = conformance(orders, TRAIL, as_of=AS_OF)
    assert "y" not in set(expected.results["order_id"])
    fingerprints.share("p1", "y")
    found = conformance(pl.from_pandas(orders), pl.from_pandas(TRAIL), as_of=AS_OF)
    assert fingerprints.seen == [True, False]
    assert found.summary == expected.summary
    assert "y" not in set(found.results["order_id"])
