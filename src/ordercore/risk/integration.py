"""From an assessment to the order's lifecycle: record it in the trail, hold when the policy says.

[`commands_for`][ordercore.risk.integration.commands_for] turns an assessment into lifecycle
commands: always a `RecordRiskAssessment` (score, level, recommendation, policy version and
reason codes go into the event trail), and a `PlaceHold` with reason RISK when the
recommendation reaches the policy's `auto_hold_at` and no risk hold is active yet.
[`apply_assessment`][ordercore.risk.integration.apply_assessment] applies them through
`ordercore.lifecycle.apply`. The library never rejects an order on its own: a REJECT
recommendation holds it, and a person decides.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> from ordercore.events import Actor
    >>> from ordercore.risk.score import assess
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel=Channel.WEB, currency="CNY", received_at=at,
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(1), uom="pcs",
    ...                      unit_price=Money.of("9.00", "CNY"))])
    >>> assessment = assess(order, ReviewContext(as_of=at), as_of=at)
    >>> [type(c).__name__ for c in commands_for(order, assessment)]
    ['RecordRiskAssessment']
    >>> held, events = apply_assessment(order, assessment, at=at, actor=Actor.system("risk"))
    >>> [e.type for e in events]
    ['risk_assessed']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    CANONICAL,
    LifecyclePolicy,
    LifecycleSpec,
    PlaceHold,
    RecordRiskAssessment,
    apply,
)
from ordercore.lifecycle import DEFAULT_POLICY as DEFAULT_LIFECYCLE_POLICY
from ordercore.risk.policy import DEFAULT_POLICY, RiskPolicy

if TYPE_CHECKING:
    from datetime import datetime

    from ordercore.events import Actor, OrderEvent
    from ordercore.lifecycle import Command
    from ordercore.orders import Order
    from ordercore.risk.assessment import RiskAssessment

__all__ = ["apply_assessment", "commands_for", "needs_hold"]


def needs_hold(order: Order, assessment: RiskAssessment, policy: RiskPolicy) -> bool:
    """Whether the policy wants a risk hold that the order does not have yet."""
    if assessment.recommendation.rank < policy.auto_hold_at.rank:
        return False
    return not any(hold.reason is HoldReason.RISK for hold in order.active_holds)


def _hold_id(order: Order) -> str:
    taken = {hold.hold_id for hold in order.holds}
    number = len(order.holds) + 1
    while f"risk-{number}" in taken:
        number += 1
    return f"risk-{number}"


def commands_for(
    order: Order, assessment: RiskAssessment, policy: RiskPolicy = DEFAULT_POLICY
) -> list[Command]:
    """The lifecycle commands an assessment calls for, in the order to apply them.

    Args:
        order: The order as it stands.
        assessment: Its assessment.
        policy: The policy that scored it (its `auto_hold_at` decides on the hold).

    Raises:
        ValueError: If the assessment is of another order or another policy version.
    """
    if assessment.order_id != order.order_id:
        raise ValueError(f"the assessment is of order {assessment.order_id}, not {order.order_id}")
    if assessment.policy_version != policy.version:
        raise ValueError(
            f"the assessment was made under policy {assessment.policy_version}, "
            f"not {policy.version}"
        )
    why = f"risk assessment as of {assessment.as_of.isoformat()}"
    commands: list[Command] = [
        RecordRiskAssessment(
            score=assessment.score,
            level=assessment.level.value,
            recommendation=assessment.recommendation.value,
            policy_version=assessment.policy_version,
            reasons=assessment.reason_codes,
            reason=why,
        )
    ]
    if needs_hold(order, assessment, policy):
        note = "; ".join(
            [*(s.description() for s in assessment.hard_stops)]
            + [f"+{f.points} {f.en}" for f in assessment.reasons]
        )
        commands.append(
            PlaceHold(
                hold_id=_hold_id(order),
                hold_reason=HoldReason.RISK,
                note=f"{assessment.level.value} risk, {assessment.score} points: {note}"[:4000],
                reason=why,
            )
        )
    return commands


def apply_assessment(
    order: Order,
    assessment: RiskAssessment,
    policy: RiskPolicy = DEFAULT_POLICY,
    *,
    at: datetime,
    actor: Actor,
    spec: LifecycleSpec = CANONICAL,
    lifecycle_policy: LifecyclePolicy = DEFAULT_LIFECYCLE_POLICY,
) -> tuple[Order, list[OrderEvent]]:
    """Record the assessment on the order and place a risk hold if the policy says so.

    Args:
        order: The order (not changed).
        assessment: Its assessment.
        policy: The policy that scored it.
        at: When (timezone-aware).
        actor: Who (usually ``Actor.system("risk-engine")``).
        spec: The lifecycle definition, as for `apply` (a host's extended spec works).
        lifecycle_policy: The lifecycle policy, as `apply`'s `policy`.

    Returns:
        The new order and the events, as `ordercore.lifecycle.apply` returns them.

    Raises:
        ValueError: If the assessment is of another order or policy version.
        InvalidTransition: If the order's status allows neither (a closed order).
    """
    events: list[OrderEvent] = []
    for command in commands_for(order, assessment, policy):
        order, emitted = apply(
            order, command, at=at, actor=actor, policy=lifecycle_policy, spec=spec
        )
        events.extend(emitted)
    return order, events
