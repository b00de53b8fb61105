from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from _support import make_order
from ordercore.events import Actor, OrderApproved, QuantityDelivered
from ordercore.kpi import (
    check_frame,
    events_frame,
    lines_frame,
    orders_frame,
    stage_durations,
)
from ordercore.ledger import LineLedger
from ordercore.testing.factories import order_with_trail_in_status

T = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _events() -> list[object]:
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


def test_a_partly_delivered_order_has_no_delivered_at_yet() -> None:
    order, events = order_with_trail_in_status("delivered", partial=True)
    frame = orders_frame([order], events)
    assert any(e.type == "quantity_delivered" for e in events)
    assert pd.isna(frame.loc[0, "delivered_at"])


def test_lines_frame_carries_the_ledger() -> None:
    order = make_order()
    line = order.lines[0].model_copy(update={"ledger": LineLedger(cancelled=Decimal(2))})
    frame = lines_frame([order.model_copy(update={"lines": (line, order.lines[1])})])
    check_frame(frame, "lines")
    assert frame["qty_cancelled"].tolist() == [2.0, 0.0]


def test_events_frame_reads_type_status_and_actor() -> None:
    frame = events_frame(_events())  # type: ignore[arg-type]
    check_frame(frame, "events")
    assert frame.loc[0, "event_type"] == "order_approved"
    assert frame.loc[0, "status_after"] == "approved"
    assert frame.loc[0, "actor_kind"] == "user"


def test_stage_durations_from_converted_events() -> None:
    stages = {"approval_to_delivery": ("order_approved", "quantity_delivered")}
    result = stage_durations(events_frame(_events()), stages, as_of=T + dt.timedelta(days=9))  # type: ignore[arg-type]
    assert result["approval_to_delivery"].value == 48.0


def test_hold_columns_come_from_the_orders_holds() -> None:
    from ordercore.holds import HoldReason  # noqa: PLC0415
    from ordercore.lifecycle import PlaceHold, apply  # noqa: PLC0415

    order, events = order_with_trail_in_status("submitted")
    at = events[-1].at + dt.timedelta(hours=1)
    held, more = apply(
        order, PlaceHold(hold_id="H", hold_reason=HoldReason.CREDIT), at=at, actor=events[-1].actor
    )
    frame = orders_frame([held], [*events, *more], as_of=at + dt.timedelta(hours=5))
    assert frame.loc[0, "hold_since"] == at
    assert frame.loc[0, "hold_hours"] == 5.0
