"""Allocation both ways: release, allocate again, and cuts that release what they leave over."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail
from ordercore import GuardRejected, InvalidTransition, LedgerViolation
from ordercore.events import AllocationReleased, LineShortClosed, OrderAmended, Party, parse_event
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    Allocate,
    AmendOrder,
    Pack,
    PlaceHold,
    ReleaseAllocation,
    ShortClose,
    apply,
)
from ordercore.lifecycle.replay import replay


def _allocated(quantity: int, packed: int = 0) -> Trail:
    trail = Trail().to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(quantity)))
    if packed:
        trail.do(Pack(line_id="1", quantity=Decimal(packed)))
    return trail


def _replays(trail: Trail) -> None:
    assert replay(trail.events) == trail.order
    assert replay([parse_event(e.model_dump_json()) for e in trail.events]) == trail.order


def test_release_frees_unpacked_allocation_with_its_reason() -> None:
    trail = _allocated(10, packed=4)
    events = trail.do(ReleaseAllocation(line_id="1", quantity=Decimal(6), reason="stock moved"))
    assert [type(e) for e in events] == [AllocationReleased]
    assert (events[0].before, events[0].after) == (
        {"lines.1.allocated": "10"},
        {"lines.1.allocated": "4"},
    )
    assert events[0].reason == "stock moved"
    assert trail.order.lines[0].ledger.allocated == Decimal(4)
    _replays(trail)


def test_allocating_again_after_a_release_restores_the_reservation() -> None:
    trail = _allocated(10)
    trail.do(ReleaseAllocation(line_id="1", quantity=Decimal(10), reason="supplier late"))
    trail.do(Allocate(line_id="1", quantity=Decimal(10)))
    assert trail.order.lines[0].ledger.allocated == Decimal(10)
    _replays(trail)


def test_release_needs_a_reason() -> None:
    trail = _allocated(10)
    with pytest.raises(GuardRejected, match="release_allocation needs a reason"):
        trail.do(ReleaseAllocation(line_id="1", quantity=Decimal(1)))


def test_release_cannot_free_packed_goods() -> None:
    trail = _allocated(10, packed=4)
    before = trail.order
    with pytest.raises(GuardRejected, match=r"only 6 of the allocation is not packed"):
        trail.do(ReleaseAllocation(line_id="1", quantity=Decimal(7), reason="x"))
    assert trail.order is before


def test_release_names_an_unknown_line() -> None:
    trail = _allocated(10)
    with pytest.raises(GuardRejected, match="order has no line '9'"):
        trail.do(ReleaseAllocation(line_id="9", quantity=Decimal(1), reason="x"))


def test_release_is_not_allowed_before_approval() -> None:
    with pytest.raises(InvalidTransition, match="cannot release_allocation order SO-1"):
        Trail().do(ReleaseAllocation(line_id="1", quantity=Decimal(1), reason="x"))


def test_a_hold_does_not_block_a_release() -> None:
    trail = _allocated(10)
    trail.do(PlaceHold(hold_id="H", hold_reason=HoldReason.STOCK))
    trail.do(ReleaseAllocation(line_id="1", quantity=Decimal(3), reason="on hold"))
    assert trail.order.lines[0].ledger.allocated == Decimal(7)


def test_short_close_of_an_allocated_remainder_releases_the_excess_in_its_event() -> None:
    trail = _allocated(10)
    events = trail.do(ShortClose(line_id="1", quantity=Decimal(4), requested_by=Party.CUSTOMER))
    assert len(events) == 1
    cut = events[0]
    assert isinstance(cut, LineShortClosed)
    assert cut.released == Decimal(4)
    assert cut.after == {"lines.1.cancelled": "4", "lines.1.allocated": "6"}
    ledger = trail.order.lines[0].ledger
    assert (ledger.cancelled, ledger.allocated) == (Decimal(4), Decimal(6))
    _replays(trail)


def test_short_close_within_the_free_remainder_releases_nothing() -> None:
    trail = _allocated(5)
    cut = trail.do(ShortClose(line_id="1", quantity=Decimal(4), requested_by=Party.SELLER))[0]
    assert isinstance(cut, LineShortClosed)
    assert cut.released == 0
    assert "lines.1.allocated" not in cut.after
    assert trail.order.lines[0].ledger.allocated == Decimal(5)


def test_short_close_cannot_cut_below_what_is_packed() -> None:
    trail = _allocated(10, packed=8)
    with pytest.raises(LedgerViolation, match="packed would become 8, more than allocated"):
        trail.do(ShortClose(line_id="1", quantity=Decimal(4), requested_by=Party.CUSTOMER))


def test_amending_below_the_allocation_releases_the_difference() -> None:
    trail = _allocated(10, packed=3)
    events = trail.do(AmendOrder(quantities=(("1", Decimal(5)),)))
    amended = events[0]
    assert isinstance(amended, OrderAmended)
    assert [(q.line_id, q.quantity, q.released) for q in amended.quantities] == [
        ("1", Decimal(5), Decimal(5))
    ]
    assert amended.after["lines.1.allocated"] == "5"
    assert trail.order.lines[0].ledger.allocated == Decimal(5)
    _replays(trail)


def test_amending_below_what_is_packed_is_refused() -> None:
    trail = _allocated(10, packed=6)
    with pytest.raises(GuardRejected, match="only the unfulfilled part may change"):
        trail.do(AmendOrder(quantities=(("1", Decimal(5)),)))


def test_cuts_stored_before_releases_were_recorded_parse_with_nothing_released() -> None:
    trail = _allocated(5)
    cut = trail.do(ShortClose(line_id="1", quantity=Decimal(4), requested_by=Party.SELLER))[0]
    stored = json.loads(cut.model_dump_json())
    del stored["released"]
    assert parse_event(json.dumps(stored)) == cut


def test_the_derived_change_leaves_the_input_orders_fields_set_alone() -> None:
    from _support import make_order  # noqa: PLC0415
    from ordercore import OrderStatus  # noqa: PLC0415

    # imported approved: status, version and updated_at were set, sub_status never was, so
    # the movement's copy shares the input's fields set and the derived change adds to it
    before = make_order(status=OrderStatus.APPROVED, version=2, updated_at=AT)
    assert "sub_status" not in before.model_fields_set
    fields = set(before.model_fields_set)
    dump = before.model_dump(exclude_unset=True)
    after, events = apply(before, Allocate(line_id="1", quantity=Decimal(2)), at=AT, actor=CLERK)
    assert [e.type for e in events] == ["quantity_allocated", "fulfilment_started"]
    assert before.model_fields_set == fields
    assert before.model_dump(exclude_unset=True) == dump
    assert after.model_dump(exclude_unset=True)["status"] == "in_fulfilment"
