from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from _support import RECEIVED, make_line, make_order
from ordercore.aftersales import CaseAction, CaseKind, RootCause
from ordercore.events import Actor, OrderApproved, OrderEvent, Party, QuantityDelivered
from ordercore.holds import HoldReason
from ordercore.kpi import (
    check_frame,
    cycle_time,
    events_frame,
    fill_rate,
    lines_frame,
    monthly_report,
    orders_frame,
    otif,
    stage_durations,
    survey_score,
)
from ordercore.kpi.convert import (
    CASE_COLUMNS,
    LINE_COLUMNS,
    ORDER_COLUMNS,
    SURVEY_COLUMNS,
    cases_frame,
    lifecycle_frames,
    surveys_frame,
)
from ordercore.ledger import LineLedger
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    Approve,
    Cancel,
    Close,
    Command,
    Deliver,
    Invoice,
    OpenCase,
    Pack,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    Reject,
    ReleaseHold,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    WaiveFeedback,
    apply,
    create,
)
from ordercore.testing.factories import order_with_trail_in_status

if TYPE_CHECKING:
    from ordercore import Order

T = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
CLERK = Actor.user("li.wei")
PROMISED = RECEIVED + dt.timedelta(days=5)
AFTER = RECEIVED + dt.timedelta(days=20)


class _Verdict:
    """A passing review for the order as it stands."""

    def __init__(self, order: Order) -> None:
        self.order_id = order.order_id
        self.order_version = order.version
        self.passed = True
        self.failure_reasons: tuple[str, ...] = ()


class _Story:
    """One order driven through the lifecycle, an hour (or as many as asked) per command."""

    def __init__(self, *quantities: int, order_id: str = "SO-1") -> None:
        lines = [
            make_line(str(n + 1), quantity=Decimal(q)) for n, q in enumerate(quantities or (10,))
        ]
        order = make_order(order_id=order_id, lines=lines, promised_delivery_at=PROMISED)
        self.at = RECEIVED
        self.order, self.events = create(order, at=self.at, actor=CLERK)

    def do(self, command: Command, hours: float = 1.0) -> _Story:
        self.at += dt.timedelta(hours=hours)
        self.order, new = apply(self.order, command, at=self.at, actor=CLERK)
        self.events.extend(new)
        return self

    def approve(self) -> _Story:
        self.do(Submit()).do(StartReview())
        return self.do(Approve(verdict=_Verdict(self.order)))

    def deliver(self, line_id: str, quantity: int, hours: float = 1.0) -> _Story:
        q = Decimal(quantity)
        self.do(Allocate(line_id=line_id, quantity=q)).do(Pack(line_id=line_id, quantity=q))
        return self.do(Ship(line_id=line_id, quantity=q)).do(
            Deliver(line_id=line_id, quantity=q), hours
        )

    def short_close(self, line_id: str, quantity: int, by: Party) -> _Story:
        return self.do(ShortClose(line_id=line_id, quantity=Decimal(quantity), requested_by=by))

    def orders(self) -> Any:
        return orders_frame([self.order], self.events, as_of=self.at)

    def lines(self) -> Any:
        return lines_frame([self.order], self.events)


def _events() -> list[OrderEvent]:
    actor = Actor.user("li.wei")
    return [
        OrderApproved(
            event_id="e1",
            order_id="SO-1",
            order_version=3,
            at=T,
            actor=actor,
            review_version=2,
            before={"status": "under_review"},
            after={"status": "approved"},
        ),
        QuantityDelivered(
            event_id="e2",
            order_id="SO-1",
            order_version=4,
            at=T + dt.timedelta(days=2),
            actor=actor,
            line_id="1",
            quantity=Decimal(10),
        ),
    ]


def test_orders_frame_takes_milestones_from_events() -> None:
    order, events = order_with_trail_in_status("delivered")
    frame = orders_frame([order], events)
    check_frame(frame, "orders")
    approved = next(e.at for e in events if e.type == "order_approved")
    delivered = max(e.at for e in events if e.type == "quantity_delivered")
    assert frame.loc[0, "approved_at"] == approved
    assert frame.loc[0, "delivered_at"] == delivered
    assert frame.loc[0, "status_since"] == [e.at for e in events if "status" in e.after][-1]
    assert frame.loc[0, "owner_id"] == order.owner.staff_id  # type: ignore[union-attr]


def test_a_partly_delivered_order_has_no_delivered_at_yet() -> None:
    order, events = order_with_trail_in_status("delivered", partial=True)
    frame = orders_frame([order], events)
    assert any(e.type == "quantity_delivered" for e in events)
    assert pd.isna(frame.loc[0, "delivered_at"])


def test_without_events_a_cancelled_quantity_counts_as_no_longer_owed() -> None:
    order = make_order()
    line = order.lines[0].model_copy(update={"ledger": LineLedger(cancelled=Decimal(2))})
    frame = lines_frame([order.model_copy(update={"lines": (line, order.lines[1])})])
    check_frame(frame, "lines")
    assert frame["qty_cancelled"].tolist() == [2.0, 0.0]
    assert frame["qty_short_closed"].tolist() == [0.0, 0.0]


def test_without_events_the_lines_frame_has_no_first_shipment_column() -> None:
    assert "qty_shipped_first" not in lines_frame([make_order()]).columns
    assert "qty_shipped_first" in lines_frame([make_order()], []).columns


def test_events_frame_reads_type_status_and_actor() -> None:
    frame = events_frame(_events())
    check_frame(frame, "events")
    assert frame.loc[0, "event_type"] == "order_approved"
    assert frame.loc[0, "status_after"] == "approved"
    assert frame.loc[0, "actor_kind"] == "user"
    assert frame["version"].tolist() == [3, 4]


def test_stage_durations_from_converted_events() -> None:
    stages = {"approval_to_delivery": ("order_approved", "quantity_delivered")}
    result = stage_durations(events_frame(_events()), stages, as_of=T + dt.timedelta(days=9))
    assert result["approval_to_delivery"].value == 48.0


def test_a_seller_short_close_stays_owed_and_unfilled() -> None:
    story = _Story(10).approve().short_close("1", 2, Party.SELLER).deliver("1", 8)
    lines = story.lines()
    assert lines.loc[0, ["qty_cancelled", "qty_short_closed"]].tolist() == [0.0, 2.0]
    assert fill_rate(lines, kind="unit").value == 0.8
    assert story.orders().loc[0, "qty_cancelled"] == 0.0


def test_a_seller_short_close_fails_otif() -> None:
    story = _Story(10).approve().short_close("1", 2, Party.SELLER).deliver("1", 8)
    result = otif(story.orders(), as_of=AFTER)
    assert (result.value, result.denominator) == (0.0, 1.0)


def test_a_customer_short_close_is_no_longer_owed() -> None:
    story = _Story(10).approve().short_close("1", 2, Party.CUSTOMER).deliver("1", 8)
    lines = story.lines()
    assert lines.loc[0, ["qty_cancelled", "qty_short_closed"]].tolist() == [2.0, 0.0]
    assert fill_rate(lines, kind="unit").value == 1.0
    assert otif(story.orders(), as_of=AFTER).value == 1.0


def test_a_customer_cancellation_before_approval_is_left_out_of_otif() -> None:
    story = _Story(10).do(Submit()).do(Cancel(requested_by=Party.CUSTOMER))
    frame = story.orders()
    assert frame.loc[0, "cancelled_by"] == "customer"
    assert frame.loc[0, "cancelled_at"] == story.at
    assert pd.isna(frame.loc[0, "approved_at"])
    result = otif(frame, as_of=AFTER)
    assert result.denominator == 0.0
    assert result.exclusions["cancelled_before_commit"] == 1


def test_a_customer_cancellation_after_approval_is_left_out_after_commit() -> None:
    story = _Story(10).approve().do(Cancel(requested_by=Party.CUSTOMER))
    assert otif(story.orders(), as_of=AFTER).exclusions["cancelled_after_commit"] == 1


def test_a_seller_cancellation_counts_against_otif_and_fill() -> None:
    story = _Story(10).approve().do(Cancel(requested_by=Party.SELLER))
    assert story.orders().loc[0, "cancelled_by"] == "seller"
    assert otif(story.orders(), as_of=AFTER).value == 0.0
    lines = story.lines()
    assert lines.loc[0, ["qty_cancelled", "qty_short_closed"]].tolist() == [0.0, 10.0]
    assert fill_rate(lines, kind="unit").value == 0.0


def test_a_customer_cancellation_cancels_every_line_as_no_longer_owed() -> None:
    story = _Story(10, 4).approve().do(Cancel(requested_by=Party.CUSTOMER))
    lines = story.lines()
    assert lines["qty_cancelled"].tolist() == [10.0, 4.0]
    assert lines["cancelled_by"].tolist() == ["customer", "customer"]
    assert (lines["cancelled_at"] == story.at).all()
    assert (lines["approved_at"] < lines["cancelled_at"]).all()


def test_a_line_short_closed_to_nothing_is_a_cancelled_line() -> None:
    story = _Story(10, 4).approve().short_close("2", 4, Party.CUSTOMER).deliver("1", 10)
    lines = story.lines()
    assert lines["cancelled_by"].isna().tolist() == [True, False]
    assert lines.loc[1, "cancelled_by"] == "customer"
    assert pd.notna(lines.loc[1, "cancelled_at"])


def test_a_rejected_order_is_carried_as_cancelled_by_the_seller() -> None:
    story = _Story(10).do(Submit()).do(StartReview()).do(Reject(reason="credit"))
    frame = story.orders()
    assert frame.loc[0, ["status", "cancelled_by"]].tolist() == ["rejected", "seller"]
    assert frame.loc[0, "cancelled_at"] == story.at
    assert cycle_time(frame, as_of=AFTER).exclusions["cancelled"] == 1


def test_a_cancellation_stored_before_requested_by_existed_has_no_cancelled_by() -> None:
    story = _Story(10).do(Submit()).do(Cancel(requested_by=Party.CUSTOMER))
    old = [
        e.model_copy(update={"requested_by": None}) if e.type == "order_cancelled" else e
        for e in story.events
    ]
    # an order stored then carries no milestones either: its events say what it did
    frame = orders_frame([story.order.model_copy(update={"milestones": None})], old)
    assert pd.notna(frame.loc[0, "cancelled_at"])
    assert pd.isna(frame.loc[0, "cancelled_by"])


def test_a_short_close_stored_before_requested_by_existed_counts_as_no_longer_owed() -> None:
    story = _Story(10).approve().short_close("1", 2, Party.SELLER)
    old = [
        e.model_copy(update={"requested_by": None}) if e.type == "line_short_closed" else e
        for e in story.events
    ]
    lines = lines_frame([story.order], old)
    assert lines.loc[0, ["qty_cancelled", "qty_short_closed"]].tolist() == [2.0, 0.0]


def test_overlapping_holds_count_once() -> None:
    story = _Story(10).approve()
    story.do(PlaceHold(hold_id="H1", hold_reason=HoldReason.QUALITY), 1)  # hours 0-10
    story.do(PlaceHold(hold_id="H2", hold_reason=HoldReason.ADDRESS), 1)  # hours 1-8
    story.do(PlaceHold(hold_id="H3", hold_reason=HoldReason.OTHER), 1)  # hours 2-9
    story.do(ReleaseHold(hold_id="H2", reason="checked"), 6).do(
        ReleaseHold(hold_id="H3", reason="checked"), 1
    )
    story.do(ReleaseHold(hold_id="H1", reason="checked"), 1).deliver("1", 10)
    held = [h.released_at - h.placed_at for h in story.order.holds if h.released_at]
    assert sum(held, dt.timedelta()) == dt.timedelta(hours=24)
    assert story.orders().loc[0, "hold_hours"] == 10.0


def test_three_holds_over_the_same_ten_hours_give_ten_hours() -> None:
    story = _Story(10).approve()
    for name in ("H1", "H2", "H3"):
        story.do(PlaceHold(hold_id=name, hold_reason=HoldReason.QUALITY), 0)
    story.at += dt.timedelta(hours=10)
    for name in ("H1", "H2", "H3"):
        story.do(ReleaseHold(hold_id=name, reason="checked"), 0)
    story.deliver("1", 10, hours=2)
    frame = story.orders()
    assert frame.loc[0, "hold_hours"] == pytest.approx(10.0)
    net = cycle_time(frame, as_of=AFTER, net=True)
    gross = cycle_time(frame, as_of=AFTER)
    assert net.value is not None
    assert gross.value is not None
    assert net.value == pytest.approx(gross.value - 10.0)
    assert net.value >= 0


def test_a_hold_after_the_delivery_does_not_count() -> None:
    story = _Story(10).approve().deliver("1", 10)
    story.do(PlaceHold(hold_id="H1", hold_reason=HoldReason.OTHER)).do(
        ReleaseHold(hold_id="H1", reason="checked"), 5
    )
    frame = story.orders()
    assert frame.loc[0, "hold_hours"] == 0.0
    assert cycle_time(frame, as_of=AFTER, net=True).value == cycle_time(frame, as_of=AFTER).value


def test_an_active_hold_counts_up_to_as_of_and_gives_hold_since() -> None:
    story = _Story(10).do(Submit()).do(PlaceHold(hold_id="H", hold_reason=HoldReason.CREDIT))
    held_at = story.at
    frame = orders_frame([story.order], story.events, as_of=held_at + dt.timedelta(hours=5))
    assert frame.loc[0, "hold_since"] == held_at
    assert frame.loc[0, "hold_hours"] == 5.0
    assert orders_frame([story.order], story.events).loc[0, "hold_hours"] == 0.0


def test_the_lines_frame_carries_each_lines_shipment_and_delivery() -> None:
    story = _Story(10, 6).approve().deliver("1", 10)
    first = story.at
    q = Decimal(3)
    story.do(Allocate(line_id="2", quantity=q)).do(Pack(line_id="2", quantity=q))
    story.do(Ship(line_id="2", quantity=q)).do(Deliver(line_id="2", quantity=q))
    lines = story.lines()
    check_frame(lines, "lines")
    assert lines.loc[0, "delivered_at"] == first
    assert lines.loc[0, "shipped_at"] == first - dt.timedelta(hours=1)
    assert lines[["shipped_at", "delivered_at"]].iloc[1].isna().all()
    assert (lines["promised_at"] == PROMISED).all()
    assert pd.isna(story.orders().loc[0, "delivered_at"])


def test_line_grain_otif_runs_on_the_lines_frame() -> None:
    story = _Story(10, 6).approve().deliver("1", 10)
    story.at = PROMISED + dt.timedelta(days=2)
    story.deliver("2", 6)
    result = otif(story.lines(), "line_commit", as_of=AFTER)
    assert (result.numerator, result.denominator) == (1.0, 2.0)


def test_the_first_shipment_is_the_lines_first_time_fill() -> None:
    story = _Story(10).approve()
    q = Decimal(10)
    story.do(Allocate(line_id="1", quantity=q)).do(Pack(line_id="1", quantity=q))
    story.do(Ship(line_id="1", quantity=Decimal(6))).do(Ship(line_id="1", quantity=Decimal(4)))
    lines = story.lines()
    assert lines.loc[0, ["qty_shipped_first", "qty_shipped"]].tolist() == [6.0, 10.0]
    assert fill_rate(lines, basis="first").value == 0.6


def test_events_in_any_order_give_the_same_frames() -> None:
    story = _Story(10, 4).approve().short_close("2", 1, Party.SELLER).deliver("1", 10)
    story.deliver("2", 3)
    shuffled = list(story.events)
    random.Random(3).shuffle(shuffled)  # noqa: S311 - a reproducible shuffle, not a secret
    pd.testing.assert_frame_equal(
        story.orders(), orders_frame([story.order], shuffled, as_of=story.at)
    )
    pd.testing.assert_frame_equal(story.lines(), lines_frame([story.order], shuffled))


def _closed(score: int | None) -> _Story:
    story = _Story(10).approve().deliver("1", 10)
    story.do(Invoice(line_id="1", quantity=Decimal(10)))
    story.do(RecordPayment(line_id="1", quantity=Decimal(10)))
    if score is None:
        story.do(WaiveFeedback(reason="no answer"))
    else:
        story.do(RecordFeedback(score=score))
    return story.do(Close())


def test_the_surveys_frame_has_one_csat_survey_per_closing_feedback() -> None:
    stories = [_closed(5), _closed(2), _closed(None)]
    orders = [s.order.model_copy(update={"order_id": f"SO-{n}"}) for n, s in enumerate(stories)]
    frame = surveys_frame(orders)
    check_frame(frame, "surveys")
    assert list(frame.columns) == list(SURVEY_COLUMNS)
    assert frame["score"].tolist()[:2] == [5.0, 2.0]
    assert pd.isna(frame.loc[2, "score"])
    assert pd.isna(frame.loc[2, "responded_at"])
    result = survey_score(frame, "csat")
    assert (result.numerator, result.denominator, result.details["sent"]) == (1.0, 2.0, 3)


def test_an_order_without_feedback_has_no_survey() -> None:
    assert len(surveys_frame([_Story(10).order])) == 0


def test_the_cases_frame_carries_root_causes_and_when_they_were_found() -> None:
    story = _Story(10).approve().deliver("1", 10)
    story.do(OpenCase(case_id="CMP-1", kind=CaseKind.COMPLAINT, line_id="1"), 24)
    story.do(
        AdvanceCase(case_id="CMP-1", action=CaseAction.INVESTIGATE, root_cause=RootCause.PACKAGING),
        5,
    )
    found = story.at
    story.do(AdvanceCase(case_id="CMP-1", action=CaseAction.RESOLVE))
    frame = cases_frame([story.order], story.events)
    check_frame(frame, "cases")
    assert list(frame.columns) == list(CASE_COLUMNS)
    row = frame.iloc[0]
    assert (row["kind"], row["root_cause"], row["status"], row["sku"]) == (
        "complaint",
        "packaging",
        "resolved",
        "BOLT-M8",
    )
    assert row["root_cause_at"] == found
    assert row["closed_at"] == story.at
    assert pd.isna(cases_frame([story.order]).loc[0, "root_cause_at"])


def test_frames_of_no_orders_are_empty_with_every_column() -> None:
    frames = lifecycle_frames([], [])
    assert list(frames["orders"].columns) == list(ORDER_COLUMNS)
    assert list(frames["lines"].columns) == list(LINE_COLUMNS)
    assert all(len(frame) == 0 for frame in frames.values())
    assert str(frames["orders"]["received_at"].dtype) == "datetime64[us, UTC]"


def test_timestamps_in_other_offsets_become_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    orders = [
        make_order(order_id="SO-1", received_at=RECEIVED.astimezone(shanghai)),
        make_order(order_id="SO-2", received_at=RECEIVED),
    ]
    frame = orders_frame(orders)
    assert str(frame["received_at"].dtype) == "datetime64[us, UTC]"
    assert (frame["received_at"] == RECEIVED).all()
    alone = orders_frame(orders[:1])
    assert alone.loc[0, "received_at"] == RECEIVED
    assert str(alone["received_at"].dtype) == "datetime64[us, UTC]"


def test_the_orders_frame_agrees_with_the_entities() -> None:
    story = _Story(10, 4).approve().short_close("2", 1, Party.CUSTOMER).deliver("1", 10)
    frame = story.orders()
    order = story.order
    assert frame.loc[0, "value"] == float(order.net_total.amount)
    assert frame.loc[0, "qty_ordered"] == float(order.total_quantity())
    assert frame.loc[0, "qty_cancelled"] == 1.0
    assert frame.loc[0, ["status", "channel"]].tolist() == [
        order.status.value,
        order.channel.value,
    ]
    assert pd.isna(frame.loc[0, "owner_id"])


def test_lifecycle_frames_equal_the_frames_built_one_by_one() -> None:
    story = _Story(10, 4).approve().short_close("2", 1, Party.SELLER).deliver("1", 10)
    frames = lifecycle_frames([story.order], story.events, as_of=story.at)
    pd.testing.assert_frame_equal(frames["orders"], story.orders())
    pd.testing.assert_frame_equal(frames["lines"], story.lines())
    pd.testing.assert_frame_equal(frames["events"], events_frame(story.events))


def test_a_partly_delivered_order_is_complete_for_neither_cycle_time_nor_otif() -> None:
    delivered = RECEIVED + dt.timedelta(days=2)
    frame = orders_frame([make_order(promised_delivery_at=PROMISED)]).assign(
        delivered_at=pd.Timestamp(delivered).as_unit("us"), qty_delivered=15.0
    )
    assert frame.loc[0, "qty_ordered"] == 20.0
    speed = cycle_time(frame, as_of=AFTER)
    assert (speed.denominator, speed.details["censored"]) == (0.0, 1)
    assert otif(frame, as_of=AFTER).value == 0.0


def test_an_order_short_of_a_seller_short_close_is_never_complete() -> None:
    story = _Story(10).approve().short_close("1", 2, Party.SELLER).deliver("1", 8)
    frame = story.orders()
    assert pd.notna(frame.loc[0, "delivered_at"])  # nothing more will come
    assert cycle_time(frame, as_of=AFTER).details["censored"] == 1
    full = _Story(10).approve().deliver("1", 10).orders()
    assert cycle_time(full, as_of=AFTER).denominator == 1.0


def test_a_hosts_own_channel_rides_along_for_grouping_while_rules_read_the_policys() -> None:
    from ordercore import Channel, Order  # noqa: PLC0415

    mini = make_order(order_id="SO-W", channel=Channel.WEB, channel_detail="wechat_mini_program")
    shop = make_order(order_id="SO-S", channel=Channel.WEB)
    assert Order.model_validate_json(mini.model_dump_json()) == mini
    frame = orders_frame([mini, shop])
    check_frame(frame, "orders")
    assert frame["channel"].tolist() == ["web", "web"]
    assert frame["channel_detail"].tolist()[0] == "wechat_mini_program"
    assert pd.isna(frame["channel_detail"].tolist()[1])
    report = monthly_report(frame, as_of=RECEIVED + dt.timedelta(days=40), by=["channel_detail"])
    assert "wechat_mini_program" in {r["channel_detail"] for r in report.rows()}
