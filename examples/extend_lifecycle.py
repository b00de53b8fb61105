"""Extend the lifecycle without forking it: a host sub-state and a custom guard.

Acme's order desk runs a credit check as a step inside review: a sub-state `credit_check` that
refines UNDER_REVIEW, entered and left by two host triggers. A custom guard refuses approval
while the check runs and lets only the finance lead approve orders above 1,000 CNY. The
extended spec passes the same soundness check as the canonical one, and renders its diagram.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ordercore import GuardRejected, OrderStatus
from ordercore.events import Actor
from ordercore.lifecycle import (
    Approve,
    Command,
    GuardContext,
    HostTrigger,
    StartReview,
    Submit,
    allowed_commands,
    apply,
    create,
)
from ordercore.lifecycle.diagram import mermaid
from ordercore.lifecycle.extend import extend
from ordercore.testing.factories import make_line, make_order, make_review_context
from ordercore.validation import review

if TYPE_CHECKING:
    from ordercore.orders import Order

FINANCE_LEAD = "finance-lead"
LARGE_ORDER = 1000  # CNY


def acme_approval(order: Order, _command: Command, context: GuardContext) -> str | None:
    """No approval during the credit check; large orders only by the finance lead."""
    if order.sub_status == "credit_check":
        return "the credit check is still running"
    if order.total.amount > LARGE_ORDER and context.actor.id != FINANCE_LEAD:
        return f"orders above 1,000 {order.currency} are approved by the finance lead"
    return None


ACME = extend(
    sub_states={"credit_check": OrderStatus.UNDER_REVIEW},
    triggers=[
        ("begin_credit_check", "under_review", "credit_check"),
        ("finish_credit_check", "credit_check", "under_review"),
    ],
    guards={"approve": [acme_approval]},
    name="acme",
)


def main() -> None:
    """Walk one large order through Acme's review."""
    clerk, lead = Actor.user("li.wei"), Actor.user(FINANCE_LEAD)
    order = make_order("SO-ACME-1", lines=[make_line("1", 3, quantity=Decimal(10))])  # 1,490 CNY
    order, trail = create(order, at=order.received_at, actor=clerk)
    moment = order.received_at

    def do(command: Command, actor: Actor) -> None:
        nonlocal order, moment
        moment += timedelta(minutes=30)
        order, events = apply(order, command, at=moment, actor=actor, spec=ACME)
        trail.extend(events)

    do(Submit(), clerk)
    do(StartReview(), clerk)
    do(HostTrigger(trigger="begin_credit_check"), Actor.system("credit-desk"))
    print(f"status {order.status.value}, sub-state {order.sub_status}")
    print(f"allowed now: {', '.join(allowed_commands(order, ACME))}")
    verdict = review(order, make_review_context(as_of=moment))
    for actor in (lead, clerk):
        try:
            do(Approve(verdict=verdict), actor)
        except GuardRejected as refused:
            print(f"refused: {refused}")
        if actor is lead:
            do(HostTrigger(trigger="finish_credit_check"), Actor.system("credit-desk"))
    do(Approve(verdict=verdict), lead)
    print(f"approved by {trail[-1].actor}: status {order.status.value}")
    print("\nthe extended diagram (Mermaid):")
    print(mermaid(ACME))


if __name__ == "__main__":
    main()
