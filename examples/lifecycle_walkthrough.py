"""Walk one order through its whole life and print its event trail.

Entry, review and approval, a risk assessment, a partial shipment, a hold and its release, the
rest shipped, delivery, a return refunded, invoicing and payment, feedback, closing and archive.
Run it: `python examples/lifecycle_walkthrough.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ordercore import Address, Channel, Contact, CustomerRef, Money, Order, OrderLine
from ordercore.aftersales import CaseAction, CaseKind, ReturnCondition
from ordercore.events import Actor, OrderEvent, parse_event
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    Approve,
    Archive,
    Close,
    Command,
    Deliver,
    HoldReason,
    Invoice,
    OpenCase,
    Pack,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    RecordRiskAssessment,
    ReleaseHold,
    Ship,
    StartReview,
    Submit,
    apply,
    create,
    replay,
)
from ordercore.testing.factories import make_customer_profile, make_review_context
from ordercore.validation import review

if TYPE_CHECKING:
    from ordercore.context import ReviewContext


def review_context(at: datetime) -> ReviewContext:
    """The factory review context, knowing this walkthrough's customer."""
    context = make_review_context(as_of=at)
    customers = {**context.customers, "C-7": make_customer_profile("C-7")}
    return context.model_copy(update={"customers": customers})


def main() -> None:
    """Run the walkthrough."""
    start = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    clerk, reviewer = Actor.user("li.wei"), Actor.user("zhang.min")
    risk, wms = Actor.system("risk-engine"), Actor.integration("wms")
    order = Order(
        order_id="SO-2026-0001",
        customer=CustomerRef(customer_id="C-7", name="华东机械有限公司"),
        channel=Channel.FAX,
        currency="CNY",
        received_at=start,
        confirmation_ref="FAX-0302-17",
        ship_to=Address(name="收货仓", line1="88 Harbour Road", city="Shanghai", country="CN"),
        contact=Contact(name="Li Wei", phone="+86 21 5555 0101"),
        lines=[
            OrderLine(
                line_id="1",
                sku="BOLT-M8",
                quantity=Decimal(500),
                uom="pcs",
                unit_price=Money.of("0.85", "CNY"),
                tax_rate=Decimal("0.13"),
            ),
            OrderLine(
                line_id="2",
                sku="NUT-M8",
                quantity=Decimal(500),
                uom="pcs",
                unit_price=Money.of("0.30", "CNY"),
                tax_rate=Decimal("0.13"),
            ),
        ],
    )
    order, trail = create(order, at=start, actor=clerk)
    hour = 0

    def do(command: Command, actor: Actor) -> None:
        nonlocal order, hour
        hour += 1
        order, events = apply(order, command, at=start + timedelta(hours=hour), actor=actor)
        trail.extend(events)

    do(Submit(), clerk)
    do(StartReview(), reviewer)
    do(
        RecordRiskAssessment(
            score=35,
            level="medium",
            recommendation="review",
            policy_version="2026.1",
            reasons=("new_ship_to",),
        ),
        risk,
    )
    verdict = review(order, review_context(start + timedelta(hours=hour)))
    print(f"review: {verdict.summary()}")
    do(Approve(verdict=verdict), reviewer)
    for line_id in ("1", "2"):
        do(Allocate(line_id=line_id, quantity=Decimal(500)), wms)
    do(Pack(line_id="1", quantity=Decimal(300)), wms)
    do(Ship(line_id="1", quantity=Decimal(300), reason="first truck"), wms)  # partial shipment
    do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.ADDRESS, note="dock moved"), clerk)
    do(ReleaseHold(hold_id="H-1", reason="address confirmed"), clerk)
    do(Pack(line_id="1", quantity=Decimal(200)), wms)
    do(Pack(line_id="2", quantity=Decimal(500)), wms)
    do(Ship(line_id="1", quantity=Decimal(200)), wms)
    do(Ship(line_id="2", quantity=Decimal(500)), wms)
    for line_id in ("1", "2"):
        do(Deliver(line_id=line_id, quantity=Decimal(500)), wms)
        do(Invoice(line_id=line_id, quantity=Decimal(500)), clerk)
        do(RecordPayment(line_id=line_id, quantity=Decimal(500)), Actor.integration("bank"))
    do(
        OpenCase(
            case_id="RMA-1",
            kind=CaseKind.RETURN,
            line_id="2",
            quantity=Decimal(20),
            description="threads damaged",
        ),
        clerk,
    )
    do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE), clerk)
    do(
        AdvanceCase(
            case_id="RMA-1", action=CaseAction.RECEIVE, condition=ReturnCondition.DEFECTIVE
        ),
        wms,
    )
    do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND), clerk)
    do(RecordFeedback(score=4, comment="fast, one bad box"), clerk)
    do(Close(), clerk)
    do(Archive(), Actor.system("archiver"))

    for event in trail:
        change = ", ".join(
            f"{k}: {event.before.get(k, '-')} -> {v}" for k, v in event.after.items()
        )
        print(
            f"v{event.order_version:<3} {event.at:%m-%d %H:%M} {event.actor!s:<22} "
            f"{event.type:<20} {change}"
        )
    stored = [event.model_dump_json() for event in trail]
    rebuilt = replay(_parse(stored))
    print(
        f"\n{len(trail)} events; final status {order.status.value}, archived {order.archived}; "
        f"replayed from JSON equals the order: {rebuilt == order}"
    )


def _parse(stored: list[str]) -> list[OrderEvent]:
    return [parse_event(text) for text in stored]


if __name__ == "__main__":
    main()
