"""Builders for the lifecycle tests: a verdict fake, a clock, and orders at each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from _support import make_order
from ordercore.events import Actor, OrderEvent
from ordercore.kpi.convert import _read_events
from ordercore.lifecycle import (
    Allocate,
    Approve,
    Command,
    Deliver,
    Pack,
    Ship,
    StartReview,
    Submit,
    apply,
    create,
)
from ordercore.milestones import Milestones

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore import Order

AT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
CLERK = Actor.user("li.wei")


def trail_says(order: Order, trail: Sequence[OrderEvent]) -> Milestones:
    """The milestones the KPI frames read off `order`'s trail (by their own pass over events)."""
    marks = _read_events(trail, {order.order_id: 0}, 1, lines=False)
    ended_at, ended_by = marks.ended.get(0, (None, None))
    return Milestones(
        status_since=marks.status_at[0],
        approved_at=marks.approved_at[0],
        shipped_at=marks.shipped_at[0],
        delivered_at=marks.delivered_at[0],
        ended_at=ended_at,
        ended_by=ended_by,  # type: ignore[arg-type]
        seller_cut=marks.seller.get(0, Decimal(0)),
    )


@dataclass(frozen=True)
class Verdict:
    order_id: str
    order_version: int
    passed: bool = True
    failure_reasons: tuple[str, ...] = ()


class Trail:
    """An order and its events, moved by commands."""

    def __init__(self, order: Order | None = None) -> None:
        self.order, self.events = create(order or make_order(), at=AT, actor=CLERK)

    def do(self, command: Command) -> list[OrderEvent]:
        self.order, events = apply(self.order, command, at=AT, actor=CLERK)
        self.events.extend(events)
        return events

    def approve(self) -> None:
        self.do(Approve(verdict=Verdict(self.order.order_id, self.order.version)))

    def to_review(self) -> Trail:
        self.do(Submit())
        self.do(StartReview())
        return self

    def to_approved(self) -> Trail:
        self.to_review()
        self.approve()
        return self

    def ship_line(self, line_id: str, quantity: int) -> Trail:
        q = Decimal(quantity)
        self.do(Allocate(line_id=line_id, quantity=q))
        self.do(Pack(line_id=line_id, quantity=q))
        self.do(Ship(line_id=line_id, quantity=q))
        return self

    def deliver_line(self, line_id: str, quantity: int) -> Trail:
        self.ship_line(line_id, quantity)
        self.do(Deliver(line_id=line_id, quantity=Decimal(quantity)))
        return self
