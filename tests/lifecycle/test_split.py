"""Splitting an order: unfulfilled quantities move into a new order, both linked and replayable."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail, Verdict, trail_says
from _support import make_line, make_order
from ordercore import GuardRejected, InvalidCommand, InvalidTransition, Order, OrderStatus
from ordercore.errors import TrailError
from ordercore.events import OrderCreated, OrderSplit, Party, parse_event
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    Allocate,
    Approve,
    Cancel,
    Pack,
    PlaceHold,
    SplitOff,
    evolve,
    replay,
    split,
)
from ordercore.links import OrderRelation

D = Decimal


def _approved() -> Trail:
    order = make_order(
        lines=[make_line("1", quantity=D(10)), make_line("2", sku="NUT-M8", quantity=D(5))]
    )
    return Trail(order).to_approved()


def test_a_split_moves_unfulfilled_quantities_into_a_new_linked_order() -> None:
    trail = _approved()
    trail.do(Allocate(line_id="1", quantity=D(6)))
    later = AT + timedelta(hours=2)
    result = split(
        trail.order,
        (("1", D(3)), ("2", D(5))),
        new_order_id="SO-1-B",
        at=later,
        actor=CLERK,
        reason="second delivery address",
        correlation_id="split-1",
    )
    source, new = result.source, result.new
    assert [(line.line_id, line.quantity) for line in source.lines] == [("1", D(7))]
    assert source.line("1").ledger.allocated == D(6)  # 6 of the 7 left: nothing released
    assert [(line.line_id, line.quantity, line.ledger.allocated) for line in new.lines] == [
        ("1", D(3), D(0)),
        ("2", D(5), D(0)),
    ]
    assert new.status is OrderStatus.APPROVED  # the source's approval covered it
    assert (new.customer, new.received_at, new.currency) == (
        source.customer,
        source.received_at,
        source.currency,
    )
    assert [(x.relation, x.order_id, x.at) for x in source.links] == [
        (OrderRelation.SPLIT_INTO, "SO-1-B", later)
    ]
    assert [(x.relation, x.order_id) for x in new.links] == [(OrderRelation.SPLIT_FROM, "SO-1")]
    [event] = result.source_events
    assert isinstance(event, OrderSplit)
    assert event.removed == ("2",)
    assert event.after["lines.2.quantity"] == "removed"
    assert isinstance(result.new_events[0], OrderCreated)
    assert {e.correlation_id for e in [*result.source_events, *result.new_events]} == {"split-1"}
    trail.order, trail.events = source, trail.events + result.source_events
    for order, events in ((source, trail.events), (new, result.new_events)):
        assert replay(events) == order
        assert replay([parse_event(e.model_dump_json()) for e in events]) == order
        assert Order.model_validate_json(order.model_dump_json()) == order
        assert order.milestones == trail_says(order, events)


def test_splitting_below_the_allocation_releases_the_excess_with_the_split() -> None:
    trail = _approved()
    trail.do(Allocate(line_id="1", quantity=D(9)))
    result = split(trail.order, (("1", D(4)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    [event] = result.source_events
    assert isinstance(event, OrderSplit)
    assert [(q.line_id, q.quantity, q.released) for q in event.quantities] == [("1", D(6), D(3))]
    assert result.source.line("1").ledger.allocated == D(6)


def test_a_split_of_an_unreviewed_order_leaves_the_new_one_to_be_reviewed_too() -> None:
    trail = Trail().to_review()
    result = split(trail.order, (("2", D(1)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    assert result.new.status is OrderStatus.UNDER_REVIEW
    assert result.source.content_version == result.source.version  # an old review is stale
    trail.order = result.source
    stale = Approve(verdict=Verdict("SO-1", 2))  # reviewed before the split
    with pytest.raises(GuardRejected, match="review_passed"):
        trail.do(stale)


def test_a_split_leaves_at_least_one_line() -> None:
    trail = _approved()
    with pytest.raises(GuardRejected, match="a split leaves at least one line"):
        split(trail.order, (("1", D(10)), ("2", D(5))), new_order_id="SO-1-B", at=AT, actor=CLERK)


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        ((("1", D(11)),), "line 1: cannot move 11, it has 10"),
        ((("9", D(1)),), "order has no lines ['9']"),
        ((("1", D(10)),), "line 1 cannot move in full: its ledger or backorder records work"),
        ((("1", D(6)),), "only the unfulfilled part may move"),
    ],
)
def test_a_split_moves_only_the_unfulfilled_part(
    lines: tuple[tuple[str, Decimal], ...], text: str
) -> None:
    trail = _approved()
    trail.do(Allocate(line_id="1", quantity=D(5)))
    trail.do(Pack(line_id="1", quantity=D(5)))
    before = trail.order
    with pytest.raises(GuardRejected, match="split_fits") as caught:
        split(before, lines, new_order_id="SO-1-B", at=AT, actor=CLERK)
    assert text in str(caught.value)
    assert trail.order is before


def test_a_line_named_by_a_hold_cannot_move_in_full() -> None:
    trail = _approved()
    trail.do(PlaceHold(hold_id="H1", hold_reason=HoldReason.QUALITY, line_ids=("2",)))
    with pytest.raises(GuardRejected, match="hold H1 records work on it"):
        split(trail.order, (("2", D(5)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    split(trail.order, (("2", D(4)),), new_order_id="SO-1-B", at=AT, actor=CLERK)  # in part: fine


def test_a_split_names_another_new_order() -> None:
    trail = _approved()
    with pytest.raises(GuardRejected, match="cannot be split into itself"):
        split(trail.order, (("2", D(1)),), new_order_id="SO-1", at=AT, actor=CLERK)
    first = split(trail.order, (("2", D(1)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    with pytest.raises(GuardRejected, match="already linked to SO-1-B"):
        split(first.source, (("2", D(1)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    with pytest.raises(InvalidCommand, match="lines"):
        SplitOff(new_order_id="SO-1-C", lines=())


def test_a_finished_or_shipped_out_order_cannot_be_split() -> None:
    trail = _approved()
    trail.do(Cancel(requested_by=Party.CUSTOMER))
    with pytest.raises(InvalidTransition, match="cannot split_off order SO-1 in status cancelled"):
        split(trail.order, (("2", D(1)),), new_order_id="SO-1-B", at=AT, actor=CLERK)


def test_replay_refuses_a_split_that_removes_a_line_with_work_on_it() -> None:
    trail = _approved()
    before = trail.order
    result = split(before, (("2", D(5)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    [event] = result.source_events
    trail.do(Allocate(line_id="2", quantity=D(1)))
    worked = trail.order
    forged = event.model_copy(update={"order_version": worked.version + 1})
    with pytest.raises(TrailError, match="removes line 2 with work on it"):
        evolve(worked, forged)
    with pytest.raises(TrailError, match="unknown lines 7"):
        evolve(before, event.model_copy(update={"removed": ("7",)}))
