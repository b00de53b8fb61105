"""Builders for the lifecycle tests: a verdict fake, a clock, and orders at each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from _support import make_order
from ordercore.events import Actor, OrderEvent
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

if TYPE_CHECKING:
    from ordercore import Order

AT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
CLERK = Actor.user("li.wei")


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
