"""Merging orders of one customer: orders with nothing started end, their lines move to a target."""

from __future__ import annotations

from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail
from _support import make_line, make_order
from ordercore import GuardRejected, InvalidArgument, InvalidTransition, Order, OrderStatus
from ordercore.errors import TrailError
from ordercore.events import LinesMerged, OrderMerged, parse_event
from ordercore.holds import HoldReason
from ordercore.kpi import lines_frame, orders_frame
from ordercore.lifecycle import Allocate, MergeInto, PlaceHold, evolve, merge, replay
from ordercore.lifecycle._summaries import summary_of
from ordercore.links import OrderRelation
from ordercore.orders import CustomerRef

D = Decimal


def _trail(order_id: str, **overrides: object) -> Trail:
    return Trail(make_order(order_id=order_id, **overrides)).to_review()


def test_two_orders_merge_into_a_target_linked_both_ways_and_replay() -> None:
    target, first, second = _trail("SO-1"), _trail("SO-2"), _trail("SO-3", lines=[make_line("9")])
    result = merge(
        target.order,
        (first.order, second.order),
        at=AT,
        actor=CLERK,
        reason="one delivery",
        correlation_id="merge-1",
    )
    assert [line.line_id for line in result.target.lines] == [
        "1",
        "2",
        "SO-2/1",
        "SO-2/2",
        "SO-3/9",
    ]
    assert [(x.relation, x.order_id) for x in result.target.links] == [
        (OrderRelation.MERGED_FROM, "SO-2"),
        (OrderRelation.MERGED_FROM, "SO-3"),
    ]
    assert [type(e) for e in result.target_events] == [LinesMerged, LinesMerged]
    for (ended, events), source in zip(result.merged, (first, second), strict=True):
        assert ended.status is OrderStatus.CANCELLED
        assert [(x.relation, x.order_id) for x in ended.links] == [
            (OrderRelation.MERGED_INTO, "SO-1")
        ]
        [event] = events
        assert isinstance(event, OrderMerged)
        assert event.target_order_id == "SO-1"
        trail = source.events + events
        assert replay(trail) == ended
        assert replay([parse_event(e.model_dump_json()) for e in trail]) == ended
    target_trail = target.events + result.target_events
    assert replay(target_trail) == result.target
    assert Order.model_validate_json(result.target.model_dump_json()) == result.target
    assert {e.correlation_id for e in result.target_events} == {"merge-1"}


def test_the_kpi_frames_leave_a_merged_order_out() -> None:
    target, source = _trail("SO-1"), _trail("SO-2")
    result = merge(target.order, (source.order,), at=AT, actor=CLERK)
    ended, events = result.merged[0]
    orders = [result.target, ended]
    trail = target.events + result.target_events + source.events + events
    assert list(orders_frame(orders, trail)["order_id"]) == ["SO-1"]
    assert set(lines_frame(orders, trail)["order_id"]) == {"SO-1"}
    assert len(lines_frame(orders, trail)) == 4  # its own two lines and the two merged in


def test_an_order_with_work_started_cannot_merge() -> None:
    target, source = _trail("SO-1"), Trail(make_order(order_id="SO-2")).to_approved()
    source.do(Allocate(line_id="1", quantity=D(1)))
    with pytest.raises(
        InvalidTransition, match="cannot merge_into order SO-2 in status in_fulfilment"
    ):
        merge(target.order, (source.order,), at=AT, actor=CLERK)
    held = Trail(make_order(order_id="SO-3")).to_approved()
    held.do(PlaceHold(hold_id="H1", hold_reason=HoldReason.CREDIT))
    with pytest.raises(GuardRejected, match="order SO-3 cannot merge: hold H1 is active"):
        merge(target.order, (held.order,), at=AT, actor=CLERK)


def test_only_orders_of_the_target_customer_and_currency_merge_once_each() -> None:
    target, source = _trail("SO-1"), _trail("SO-2")
    other = _trail("SO-3", customer=CustomerRef(customer_id="C-9", name="Other"))
    with pytest.raises(InvalidArgument, match="order SO-3 is of customer C-9 in CNY"):
        merge(target.order, (other.order,), at=AT, actor=CLERK)
    with pytest.raises(InvalidArgument, match="order SO-2 is named twice"):
        merge(target.order, (source.order, source.order), at=AT, actor=CLERK)
    with pytest.raises(InvalidArgument, match="order SO-1 is named twice"):
        merge(target.order, (target.order,), at=AT, actor=CLERK)
    with pytest.raises(GuardRejected, match="cannot be merged with itself"):
        source.do(MergeInto(target_order_id="SO-2"))


def test_an_approved_target_goes_back_to_review_when_the_merge_raises_its_total() -> None:
    target, source = Trail(make_order(order_id="SO-1")).to_approved(), _trail("SO-2")
    result = merge(target.order, (source.order,), at=AT, actor=CLERK)
    assert result.target.status is OrderStatus.UNDER_REVIEW
    assert result.target.content_version == result.target.version


def test_replay_refuses_lines_merged_twice() -> None:
    target, source = _trail("SO-1"), _trail("SO-2")
    result = merge(target.order, (source.order,), at=AT, actor=CLERK)
    [event] = result.target_events
    again = event.model_copy(update={"order_version": result.target.version + 1})
    with pytest.raises(TrailError, match=r"before records links\.SO-2 as 'none'"):
        evolve(result.target, again)
    # Even with a `before` that fits, the same lines cannot be merged in twice.
    fitting = again.model_copy(
        update={"before": {key: summary_of(result.target, key) for key in event.before}}
    )
    with pytest.raises(TrailError, match="already linked to SO-2"):
        evolve(result.target, fitting)
