from __future__ import annotations

import json
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail, Verdict
from _support import make_order
from ordercore import (
    GuardRejected,
    InvalidArgument,
    InvalidCommand,
    InvalidTransition,
    LedgerViolation,
    OrderStatus,
)
from ordercore.events import Actor, OrderCreated, Party, parse_event
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    Allocate,
    AmendOrder,
    Approve,
    Archive,
    Cancel,
    Close,
    Deliver,
    Expire,
    Invoice,
    Pack,
    PlaceHold,
    RecordCheckpoint,
    RecordPayment,
    RecordRiskAssessment,
    Reject,
    ReleaseHold,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    WaiveFeedback,
    allowed_commands,
    apply,
    replay,
)
from ordercore.lifecycle.commands import HostTrigger
from ordercore.lifecycle.guards import LifecyclePolicy
from ordercore.milestones import Milestones
from ordercore.orders import order_totals


def test_submit_moves_draft_to_submitted() -> None:
    trail = Trail()
    trail.do(Submit())
    assert trail.order.status is OrderStatus.SUBMITTED


def test_every_accepted_command_bumps_the_version_once() -> None:
    trail = Trail()
    trail.do(Submit())
    assert trail.order.version == 1


def test_start_review_moves_submitted_to_under_review() -> None:
    assert Trail().to_review().order.status is OrderStatus.UNDER_REVIEW


def test_approve_with_a_passing_verdict_approves() -> None:
    assert Trail().to_approved().order.status is OrderStatus.APPROVED


def test_approve_refuses_a_failed_verdict() -> None:
    trail = Trail().to_review()
    verdict = Verdict("SO-1", trail.order.version, passed=False, failure_reasons=("credit",))
    with pytest.raises(GuardRejected, match="did not pass: credit"):
        trail.do(Approve(verdict=verdict))


def test_approve_refuses_a_verdict_for_another_order() -> None:
    trail = Trail().to_review()
    with pytest.raises(GuardRejected, match="for order SO-2"):
        trail.do(Approve(verdict=Verdict("SO-2", trail.order.version)))


def test_approve_refuses_a_verdict_for_a_version_the_order_has_not_reached() -> None:
    trail = Trail().to_review()
    with pytest.raises(GuardRejected, match="version 9 but the order is only at version 2"):
        trail.do(Approve(verdict=Verdict("SO-1", 9)))


def test_approve_accepts_a_review_made_before_review_started() -> None:
    trail = Trail()
    trail.do(Submit())
    verdict = Verdict("SO-1", trail.order.version)
    trail.do(StartReview())
    trail.do(Approve(verdict=verdict))
    assert trail.order.status is OrderStatus.APPROVED


def test_approve_refuses_a_review_made_before_the_content_was_amended() -> None:
    trail = Trail().to_approved()
    stale = Verdict("SO-1", trail.order.version)
    trail.do(AmendOrder(quantities=(("2", Decimal(40)),), reason="customer call"))
    with pytest.raises(GuardRejected, match="content changed at version"):
        trail.do(Approve(verdict=stale))


def test_reject_needs_a_reason() -> None:
    trail = Trail().to_review()
    with pytest.raises(GuardRejected, match="needs a reason"):
        trail.do(Reject())


def test_reject_moves_the_order_to_rejected() -> None:
    trail = Trail().to_review()
    trail.do(Reject(reason="price below floor"))
    assert trail.order.status is OrderStatus.REJECTED


def test_cannot_ship_before_approval() -> None:
    trail = Trail().to_review()
    with pytest.raises(InvalidTransition) as caught:
        trail.do(Ship(line_id="1", quantity=Decimal(1)))
    assert caught.value.command == "ship"
    assert caught.value.status == "under_review"
    assert "approve" in caught.value.allowed


def test_invalid_transition_message_names_command_status_and_allowed() -> None:
    with pytest.raises(
        InvalidTransition, match=r"cannot close order SO-1 in status draft; allowed: submit"
    ):
        Trail().do(Close())


def test_a_refused_command_leaves_the_order_unchanged() -> None:
    trail = Trail()
    before = trail.order
    with pytest.raises(InvalidTransition):
        trail.do(Close())
    assert trail.order is before
    created = Milestones(status_since=AT)
    entered = make_order()
    totals = order_totals(entered.lines, entered.currency)
    assert trail.order == entered.model_copy(
        update={"updated_at": AT, "milestones": created, "totals": totals}
    )


def test_the_lifecycle_keeps_an_order_s_totals_and_leaves_a_stored_order_s_absent() -> None:
    trail = Trail().to_approved()
    trail.ship_line("1", 4)
    assert trail.order.totals is not None
    assert trail.order.totals.unshipped_lines == 2  # line 1 shipped 4 of 10
    trail.deliver_line("1", 6)
    assert trail.order.totals == order_totals(trail.order.lines, "CNY")
    assert (trail.order.totals.delivered, trail.order.totals.undelivered_lines) == (Decimal(6), 2)
    assert replay(trail.events) == trail.order
    # a trail stored before orders carried totals: replay keeps them absent, as stored
    created = trail.events[0]
    assert isinstance(created, OrderCreated)
    old_snapshot = created.snapshot.model_copy(update={"totals": None})
    old = [created.model_copy(update={"snapshot": old_snapshot}), *trail.events[1:]]
    replayed = replay(old)
    assert replayed.totals is None
    assert replayed == trail.order.model_copy(update={"totals": None})


def test_allowed_commands_answers_without_raising() -> None:
    assert allowed_commands(make_order())[0] == "submit"


def test_derived_triggers_cannot_be_sent() -> None:
    trail = Trail().to_approved()
    with pytest.raises(InvalidTransition):
        trail.do(HostTrigger(trigger="start_fulfilment"))


def test_the_first_allocation_starts_fulfilment() -> None:
    trail = Trail().to_approved()
    events = trail.do(Allocate(line_id="1", quantity=Decimal(3)))
    assert [e.type for e in events] == ["quantity_allocated", "fulfilment_started"]
    assert trail.order.status is OrderStatus.IN_FULFILMENT


def test_shipping_needs_allocation() -> None:
    trail = Trail().to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(2)))
    with pytest.raises(GuardRejected, match="needs allocation"):
        trail.do(Ship(line_id="1", quantity=Decimal(3)))


def test_packing_more_than_allocated_is_a_ledger_violation() -> None:
    trail = Trail().to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(2)))
    with pytest.raises(LedgerViolation, match="more than allocated"):
        trail.do(Pack(line_id="1", quantity=Decimal(3)))


def test_a_float_quantity_is_refused_when_the_command_is_built() -> None:
    with pytest.raises(InvalidCommand, match=r"Allocate command: quantity: .*not float"):
        Allocate(line_id="1", quantity=2.5)  # type: ignore[arg-type]


def test_an_unknown_line_is_refused_with_the_known_ones() -> None:
    trail = Trail().to_approved()
    with pytest.raises(GuardRejected, match="lines: 1, 2"):
        trail.do(Allocate(line_id="9", quantity=Decimal(1)))


def test_an_order_hold_blocks_shipping() -> None:
    trail = Trail().to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(2)))
    trail.do(Pack(line_id="1", quantity=Decimal(2)))
    trail.do(PlaceHold(hold_id="H", hold_reason=HoldReason.ADDRESS))
    with pytest.raises(GuardRejected, match="hold H"):
        trail.do(Ship(line_id="1", quantity=Decimal(2)))


def test_a_line_hold_does_not_block_other_lines() -> None:
    trail = Trail().to_approved()
    trail.do(PlaceHold(hold_id="H", hold_reason=HoldReason.STOCK, line_ids=("1",)))
    trail.do(Allocate(line_id="2", quantity=Decimal(2)))
    assert trail.order.line("2").ledger.allocated == 2


def test_a_risk_hold_blocks_approval() -> None:
    trail = Trail().to_review()
    order, _ = apply(
        trail.order,
        PlaceHold(hold_id="R", hold_reason=HoldReason.RISK),
        at=AT,
        actor=Actor.system("risk"),
    )
    with pytest.raises(GuardRejected, match="blocks approve"):
        apply(order, Approve(verdict=Verdict("SO-1", order.version)), at=AT, actor=CLERK)


def test_several_holds_can_be_active() -> None:
    trail = Trail()
    trail.do(PlaceHold(hold_id="A", hold_reason=HoldReason.CREDIT))
    trail.do(PlaceHold(hold_id="B", hold_reason=HoldReason.QUALITY))
    assert len(trail.order.active_holds) == 2


def test_releasing_an_unknown_hold_lists_the_active_ones() -> None:
    trail = Trail()
    trail.do(PlaceHold(hold_id="A", hold_reason=HoldReason.CREDIT))
    with pytest.raises(GuardRejected, match="active holds: A"):
        trail.do(ReleaseHold(hold_id="Z"))


def test_a_released_hold_records_who_when_and_why() -> None:
    trail = Trail()
    trail.do(PlaceHold(hold_id="A", hold_reason=HoldReason.CREDIT))
    trail.do(ReleaseHold(hold_id="A", reason="paid in advance"))
    hold = trail.order.holds[0]
    assert (hold.released_by, hold.release_reason) == ("user:li.wei", "paid in advance")


def test_releasing_a_hold_needs_a_reason() -> None:
    trail = Trail()
    trail.do(PlaceHold(hold_id="A", hold_reason=HoldReason.CREDIT))
    with pytest.raises(GuardRejected, match="release_hold needs a reason"):
        trail.do(ReleaseHold(hold_id="A"))


def test_risk_assessment_sets_the_orders_risk_level_and_nothing_else() -> None:
    trail = Trail()
    before = trail.order
    assert before.risk_level is None
    events = trail.do(
        RecordRiskAssessment(score=80, level="high", recommendation="hold", policy_version="v1")
    )
    assert events[0].type == "risk_assessed"
    assert trail.order == before.model_copy(
        update={"version": before.version + 1, "risk_level": "high"}
    )
    # the latest assessment wins, and replay rebuilds it from the trail
    trail.do(
        RecordRiskAssessment(score=10, level="low", recommendation="accept", policy_version="v1")
    )
    assert trail.order.risk_level == "low"
    assert replay(trail.events) == trail.order


def test_risk_score_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="score: Input should be less than or equal to 100"):
        RecordRiskAssessment(score=101, level="high", recommendation="hold", policy_version="1")


def test_cancel_before_shipping_cancels() -> None:
    trail = Trail().to_approved()
    trail.do(Cancel(requested_by=Party.CUSTOMER, reason="customer"))
    assert trail.order.status is OrderStatus.CANCELLED


def test_cancel_records_who_asked_in_its_event() -> None:
    trail = Trail().to_approved()
    events = trail.do(Cancel(requested_by="seller", reason="cannot make it"))  # type: ignore[arg-type]
    assert [(e.type, getattr(e, "requested_by", None)) for e in events] == [
        ("order_cancelled", Party.SELLER)
    ]
    assert parse_event(events[0].model_dump_json()) == events[0]


def test_cancel_and_short_close_need_to_say_who_asked() -> None:
    with pytest.raises(InvalidCommand, match=r"Cancel command: requested_by: Field required"):
        Cancel()  # type: ignore[call-arg]
    with pytest.raises(InvalidCommand, match=r"ShortClose command: requested_by: Input should be"):
        ShortClose(line_id="1", quantity=Decimal(1), requested_by="supplier")  # type: ignore[arg-type]


def test_short_close_records_who_asked_in_its_event() -> None:
    trail = Trail().to_approved()
    events = trail.do(ShortClose(line_id="1", quantity=Decimal(3), requested_by=Party.CUSTOMER))
    assert [(e.type, getattr(e, "requested_by", None)) for e in events] == [
        ("line_short_closed", Party.CUSTOMER)
    ]


def test_cancellations_stored_before_the_origin_was_recorded_still_parse() -> None:
    trail = Trail().to_approved()
    event = trail.do(Cancel(requested_by=Party.CUSTOMER))[0]
    stored = json.loads(event.model_dump_json())
    del stored["requested_by"]
    old = parse_event(json.dumps(stored))
    assert getattr(old, "requested_by", "missing") is None
    assert old.model_copy(update={"requested_by": Party.CUSTOMER}) == event


def test_cancel_after_shipping_is_refused() -> None:
    trail = Trail().to_approved().ship_line("1", 2)
    with pytest.raises(GuardRejected, match="short-close"):
        trail.do(Cancel(requested_by=Party.SELLER))


def test_short_close_of_the_undelivered_rest_fulfils_the_order() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 6)
    trail.do(ShortClose(line_id="2", quantity=Decimal(4), requested_by=Party.CUSTOMER))
    assert trail.order.status is OrderStatus.FULFILLED


def test_short_close_of_everything_is_refused() -> None:
    trail = Trail().to_approved()
    trail.do(ShortClose(line_id="1", quantity=Decimal(10), requested_by=Party.SELLER))
    with pytest.raises(GuardRejected, match="cancel the order instead"):
        trail.do(ShortClose(line_id="2", quantity=Decimal(10), requested_by=Party.SELLER))


def test_expire_before_the_limit_is_refused() -> None:
    with pytest.raises(GuardRejected, match="may expire from"):
        Trail().do(Expire())


def test_expire_after_the_limit_expires() -> None:
    order, _ = apply(
        make_order(),
        Expire(),
        at=AT,
        actor=Actor.system("scheduler"),
        policy=LifecyclePolicy(review_expiry=AT - make_order().received_at),
    )
    assert order.status is OrderStatus.EXPIRED


def test_amending_down_keeps_the_approval() -> None:
    trail = Trail().to_approved()
    trail.do(AmendOrder(quantities=(("1", Decimal(5)),)))
    assert trail.order.status is OrderStatus.APPROVED


def test_amending_below_the_shipped_quantity_is_refused() -> None:
    trail = Trail().to_approved().ship_line("1", 6)
    with pytest.raises(GuardRejected, match="unfulfilled part"):
        trail.do(AmendOrder(quantities=(("1", Decimal(5)),)))


def test_closing_needs_settlement_feedback_and_no_open_case() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 10)
    with pytest.raises(GuardRejected, match=r"invoiced 0 of 10.*feedback"):
        trail.do(Close())


def test_settled_order_with_waived_feedback_closes_and_archives() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 10)
    for line_id in ("1", "2"):
        trail.do(Invoice(line_id=line_id, quantity=Decimal(10)))
        trail.do(RecordPayment(line_id=line_id, quantity=Decimal(10)))
    trail.do(WaiveFeedback(reason="framework contract"))
    trail.do(Close())
    trail.do(Archive())
    assert (trail.order.status, trail.order.archived) == (OrderStatus.CLOSED, True)


def test_an_archived_order_allows_nothing() -> None:
    trail = Trail().to_review()
    trail.do(Reject(reason="x"))
    trail.do(Archive())
    assert allowed_commands(trail.order) == ()
    with pytest.raises(InvalidTransition, match="archived"):
        trail.do(Archive())


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="timezone-aware"):
        apply(make_order(), Submit(), at=AT.replace(tzinfo=None), actor=CLERK)


def test_start_review_from_draft_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        Trail().do(StartReview())


def test_deliver_more_than_shipped_is_a_ledger_violation() -> None:
    trail = Trail().to_approved().ship_line("1", 2)
    with pytest.raises(LedgerViolation):
        trail.do(Deliver(line_id="1", quantity=Decimal(3)))


def test_checkpoints_are_recorded_with_who_and_why_and_the_latest_wins() -> None:
    trail = Trail().to_approved()
    supervisor = Actor.user("zhao.min")
    trail.order, events = apply(
        trail.order,
        RecordCheckpoint(checkpoint="second_approval", passed=False, reason="credit file missing"),
        at=AT,
        actor=supervisor,
    )
    trail.events.extend(events)
    assert [e.type for e in events] == ["checkpoint_recorded"]
    assert dict(events[0].after) == {"checkpoints.second_approval": "failed"}
    first = trail.order.checkpoint("second_approval")
    assert first is not None
    assert (first.passed, first.by, first.reason) == (False, "user:zhao.min", "credit file missing")
    trail.do(RecordCheckpoint(checkpoint="second_approval", reason="file received"))
    latest = trail.order.checkpoint("second_approval")
    assert latest is not None
    assert latest.passed
    assert len(trail.order.checkpoints) == 2
    assert trail.order.checkpoint("packing_inspection") is None
    stored = [event.model_dump_json() for event in trail.events]
    assert replay(parse_event(text) for text in stored) == trail.order


def test_a_checkpoint_needs_an_id_and_an_open_order() -> None:
    with pytest.raises(InvalidCommand, match="checkpoint"):
        RecordCheckpoint(checkpoint="second approval\x00")
    trail = Trail()
    trail.do(Cancel(requested_by=Party.CUSTOMER, reason="changed mind"))
    with pytest.raises(InvalidTransition, match="record_checkpoint"):
        trail.do(RecordCheckpoint(checkpoint="late"))
