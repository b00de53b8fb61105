"""A supervision plan at work: a HIGH-risk order held back until its checkpoints are done.

Run it: ``python examples/supervision_plan.py``. The plan says which checkpoint each risk
level needs before which stage, who may do it, its SLA and its sampling rate; compiled into
lifecycle guards it refuses the shipment of a HIGH-risk order until a supervisor has given
the second approval and quality has inspected the packing, and refuses a checkpoint recorded
by someone without the role. Its monitoring rules give HIGH-risk orders half the time.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ordercore import GuardRejected
from ordercore.events import Actor
from ordercore.kpi import alerts
from ordercore.lifecycle import Allocate, Pack, RecordCheckpoint, RecordRiskAssessment, Ship, apply
from ordercore.risk import SupervisionCheckpoint, SupervisionPlan
from ordercore.testing.factories import order_with_trail_in_status

CLERK = Actor.user("li.wei")
SUPERVISOR = Actor.user("zhang.min")
INSPECTOR = Actor.user("wang.fang")

PLAN = SupervisionPlan(
    checkpoints=[
        SupervisionCheckpoint(
            "second_approval",
            "shipping",
            ["high", "critical"],
            role="supervisor",
            sla_hours=24,
            en="second approval before shipping",
            zh="发货前二次审批",
        ),
        SupervisionCheckpoint(
            "packing_inspection",
            "shipping",
            ["high", "critical"],
            role="quality",
            sla_hours=48,
            sampling=0.5,
            en="packing inspection",
            zh="包装检验",
        ),
    ],
    roles={"supervisor": ["user:zhang.min"], "quality": ["user:wang.fang"]},
    seed=2026,
)


def main() -> None:
    """Walk one HIGH-risk order to its shipment under the plan."""
    print(PLAN.to_markdown("zh"))
    spec = PLAN.spec()
    order, events = order_with_trail_in_status("approved")
    at = events[-1].at + timedelta(hours=1)
    assessment = RecordRiskAssessment(
        score=74, level="high", recommendation="hold", policy_version="1"
    )
    order, _ = apply(order, assessment, at=at, actor=Actor.system("risk-engine"), spec=spec)
    for line in order.lines:
        order, _ = apply(
            order,
            Allocate(line_id=line.line_id, quantity=line.quantity),
            at=at,
            actor=CLERK,
            spec=spec,
        )
        order, _ = apply(
            order, Pack(line_id=line.line_id, quantity=line.quantity), at=at, actor=CLERK, spec=spec
        )
    needed = [c.checkpoint for c in PLAN.required(order, "shipping")]
    print(f"\n{order.order_id} at risk level {order.risk_level} needs {', '.join(needed)}")
    ship = Ship(line_id=order.lines[0].line_id, quantity=order.lines[0].quantity)
    try:
        apply(order, ship, at=at, actor=CLERK, spec=spec)
    except GuardRejected as refused:
        print(f"  refused: {refused}")
    try:
        apply(order, RecordCheckpoint(checkpoint="second_approval"), at=at, actor=CLERK, spec=spec)
    except GuardRejected as refused:
        print(f"  refused: {refused}")
    performers = {"second_approval": SUPERVISOR, "packing_inspection": INSPECTOR}
    for name in needed:
        order, _ = apply(
            order, RecordCheckpoint(checkpoint=name), at=at, actor=performers[name], spec=spec
        )
        print(f"  recorded {name} by {performers[name]}")
    order, _ = apply(order, ship, at=at, actor=CLERK, spec=spec)
    print(f"  shipped {order.lines[0].ledger.shipped} of line {order.lines[0].line_id}")

    as_of = at + timedelta(hours=30)
    watched = pd.DataFrame(
        {
            "order_id": ["SO-HIGH", "SO-LOW"],
            "customer_id": "C-1",
            "channel": "web",
            "received_at": at,
            "status": "approved",
            "status_since": at,
            "risk_level": ["high", "low"],
        }
    )
    found = alerts(watched, PLAN.monitoring_rules(), as_of=as_of, lang="zh")
    print("\nalerts 30 h after approval (SLA 48 h, halved for HIGH):")
    for message in found["message"]:
        print(f"  {message}")


if __name__ == "__main__":
    main()
