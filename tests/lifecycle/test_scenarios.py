from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from _lifecycle_support import AT, Trail
from ordercore import GuardRejected, OrderStatus, Progress
from ordercore.aftersales import CaseAction, CaseKind, CaseStatus, ReturnCondition
from ordercore.events import parse_event
from ordercore.holds import HoldReason
from ordercore.ledger import Dimension
from ordercore.lifecycle import (
    AdvanceCase,
    AmendOrder,
    Close,
    Deliver,
    Invoice,
    OpenCase,
    Pack,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    ReleaseHold,
    Ship,
    replay,
)


def _status(trail: Trail) -> OrderStatus:
    return trail.order.status


def test_partial_shipment_then_full_delivery_fulfils_the_order() -> None:
    trail = Trail().to_approved().ship_line("1", 4)
    assert trail.order.progress(Dimension.SHIPPING) is Progress.PARTIAL
    trail.ship_line("1", 6).ship_line("2", 10)
    trail.do(Deliver(line_id="1", quantity=Decimal(10)))
    assert _status(trail) is OrderStatus.IN_FULFILMENT
    trail.do(Deliver(line_id="2", quantity=Decimal(10)))
    assert _status(trail) is OrderStatus.FULFILLED
    assert replay(trail.events) == trail.order


def test_hold_then_release_lets_shipping_resume() -> None:
    trail = Trail().to_approved()
    trail.ship_line("1", 2)
    trail.do(PlaceHold(hold_id="Q", hold_reason=HoldReason.QUALITY, line_ids=("1",)))
    with pytest.raises(GuardRejected):
        trail.ship_line("1", 2)
    trail.do(ReleaseHold(hold_id="Q", reason="checked"))
    trail.do(Pack(line_id="1", quantity=Decimal(2)))
    trail.do(Ship(line_id="1", quantity=Decimal(2)))
    assert trail.order.line("1").ledger.shipped == 4


def test_amendment_raising_the_amount_sends_the_order_back_to_review() -> None:
    trail = Trail().to_approved().ship_line("1", 2)
    events = trail.do(AmendOrder(quantities=(("2", Decimal(20)),), reason="customer call"))
    assert [e.type for e in events] == ["order_amended", "review_reopened"]
    assert _status(trail) is OrderStatus.UNDER_REVIEW
    trail.approve()
    assert _status(trail) is OrderStatus.IN_FULFILMENT


def test_amendment_tightening_the_date_sends_the_order_back_to_review() -> None:
    trail = Trail().to_approved()
    trail.do(AmendOrder(requested_delivery_at=AT + timedelta(days=2)))
    assert _status(trail) is OrderStatus.UNDER_REVIEW


def test_return_after_delivery_refunds_the_returned_units() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 10)
    for line_id in ("1", "2"):
        trail.do(Invoice(line_id=line_id, quantity=Decimal(10)))
        trail.do(RecordPayment(line_id=line_id, quantity=Decimal(10)))
    trail.do(OpenCase(case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(3)))
    trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE))
    trail.do(
        AdvanceCase(case_id="RMA-1", action=CaseAction.RECEIVE, condition=ReturnCondition.DEFECTIVE)
    )
    trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND))
    ledger = trail.order.line("1").ledger
    assert (ledger.returned, ledger.invoiced, ledger.paid) == (Decimal(3), Decimal(7), Decimal(7))
    assert trail.order.cases[0].status is CaseStatus.REFUNDED


def test_close_is_blocked_by_an_open_case() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 10)
    for line_id in ("1", "2"):
        trail.do(Invoice(line_id=line_id, quantity=Decimal(10)))
        trail.do(RecordPayment(line_id=line_id, quantity=Decimal(10)))
    trail.do(RecordFeedback(score=4))
    trail.do(OpenCase(case_id="C-1", kind=CaseKind.COMPLAINT, line_id="2"))
    with pytest.raises(GuardRejected, match="case C-1 is received"):
        trail.do(Close())


def test_the_whole_trail_survives_a_json_round_trip() -> None:
    trail = Trail().to_approved().deliver_line("1", 10)
    parsed = [parse_event(event.model_dump_json()) for event in trail.events]
    assert parsed == trail.events
    assert replay(parsed) == trail.order
