"""The supervision plan: guards that block as configured, SLAs that tighten with risk,
deterministic sampling, conformance of checkpoints, the printed plan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from ordercore.errors import ConfigurationError, GuardRejected, InvalidArgument
from ordercore.events import Actor
from ordercore.kpi import alerts
from ordercore.kpi.conformance import ConformancePolicy, conformance
from ordercore.kpi.trail import TRAIL_COLUMNS, trail_frame
from ordercore.lifecycle import (
    Allocate,
    Pack,
    RecordCheckpoint,
    RecordRiskAssessment,
    Ship,
    apply,
)
from ordercore.risk.supervision import DEFAULT_PLAN, SupervisionCheckpoint, SupervisionPlan
from ordercore.testing.factories import order_with_trail_in_status

if TYPE_CHECKING:
    from ordercore.orders import Order, RiskLevelValue

UTC = dt.UTC
RISK = Actor.system("risk-engine")
CLERK = Actor.user("li.wei")
BOSS = Actor.user("zhang.min")
PLAN = SupervisionPlan(
    checkpoints=[
        SupervisionCheckpoint(
            "second_approval", "shipping", ["high", "critical"], role="supervisor", sla_hours=24
        )
    ],
    roles={"supervisor": ["user:zhang.min"]},
)
SPEC = PLAN.spec()


def _ready(level: RiskLevelValue | None) -> tuple[Order, dt.datetime, list[Any]]:
    """An approved order, risk-assessed at `level`, allocated and packed, ready to ship."""
    order, events = order_with_trail_in_status("approved")
    at = events[-1].at + dt.timedelta(hours=1)
    trail = list(events)

    def do(command: Any, actor: Actor = CLERK) -> None:
        nonlocal order
        order, new = apply(order, command, at=at, actor=actor, spec=SPEC)
        trail.extend(new)

    if level is not None:
        do(
            RecordRiskAssessment(score=70, level=level, recommendation="hold", policy_version="1"),
            RISK,
        )
    for line in order.lines:
        do(Allocate(line_id=line.line_id, quantity=line.quantity))
        do(Pack(line_id=line.line_id, quantity=line.quantity))
    return order, at, trail


def _ship(order: Order, at: dt.datetime) -> Order:
    line = order.lines[0]
    shipped, _ = apply(
        order, Ship(line_id=line.line_id, quantity=line.quantity), at=at, actor=CLERK, spec=SPEC
    )
    return shipped


def test_a_high_risk_order_cannot_ship_without_the_second_approval() -> None:
    order, at, _ = _ready("high")
    with pytest.raises(
        GuardRejected, match="needs checkpoint second_approval \\(role supervisor\\)"
    ) as caught:
        _ship(order, at)
    assert caught.value.reasons_zh == (
        f"订单 {order.order_id} 风险等级为高，发货前须通过监督检查点 second_approval（角色 supervisor）",
    )


def test_the_recorded_checkpoint_lets_it_ship() -> None:
    order, at, _ = _ready("high")
    order, _ = apply(
        order, RecordCheckpoint(checkpoint="second_approval"), at=at, actor=BOSS, spec=SPEC
    )
    assert _ship(order, at).lines[0].ledger.shipped == order.lines[0].quantity


def test_a_failed_checkpoint_still_blocks() -> None:
    order, at, _ = _ready("critical")
    order, _ = apply(
        order,
        RecordCheckpoint(checkpoint="second_approval", passed=False, reason="price too low"),
        at=at,
        actor=BOSS,
        spec=SPEC,
    )
    with pytest.raises(GuardRejected, match="second_approval"):
        _ship(order, at)


def test_low_risk_and_unassessed_orders_ship_freely() -> None:
    levels: tuple[RiskLevelValue | None, ...] = ("low", None)
    for level in levels:
        order, at, _ = _ready(level)
        assert _ship(order, at).lines[0].ledger.shipped > 0


def test_only_the_role_may_record_the_checkpoint() -> None:
    order, at, _ = _ready("high")
    with pytest.raises(
        GuardRejected, match=r"user:li\.wei may not record checkpoint second_approval"
    ) as caught:
        apply(order, RecordCheckpoint(checkpoint="second_approval"), at=at, actor=CLERK, spec=SPEC)
    assert caught.value.reasons_zh == (
        "user:li.wei 无权记录监督检查点 second_approval：须具备角色 supervisor",
    )


def test_sampling_is_deterministic_given_the_seed_and_the_order_id() -> None:
    sampled = SupervisionCheckpoint(
        "inspection", "packing", ["medium"], role="quality", sla_hours=4, sampling=0.25
    )
    plan = SupervisionPlan(checkpoints=[sampled], seed=7)
    ids = [f"SO-{n}" for n in range(4000)]
    first = [plan.sampled("inspection", i) for i in ids]
    assert first == [plan.sampled("inspection", i) for i in ids]
    assert 900 < sum(first) < 1100  # a quarter of 4000, give or take
    other = SupervisionPlan(checkpoints=[sampled], seed=8)
    assert first != [other.sampled("inspection", i) for i in ids]


def test_sla_monitoring_tightens_with_the_risk_level() -> None:
    as_of = dt.datetime(2026, 3, 10, tzinfo=UTC)
    since = as_of - dt.timedelta(hours=30)
    frame = pd.DataFrame(
        {
            "order_id": ["hi", "lo"],
            "customer_id": "C",
            "channel": "web",
            "received_at": since,
            "status": "approved",
            "status_since": since,
            "risk_level": ["high", "low"],
        }
    )
    found = alerts(frame, DEFAULT_PLAN.monitoring_rules(), as_of=as_of)
    # approved SLA 48 h, halved for HIGH: only "hi", 30 h in the status, is over it
    assert list(zip(found["order_id"], found["rule"], strict=True)) == [
        ("hi", "stuck_in_approved_high")
    ]


def test_checkpoints_done_late_fail_conformance() -> None:
    order, at, trail = _ready("high")
    later = at + dt.timedelta(hours=30)  # the SLA runs 24 h from approval
    order, new = apply(
        order, RecordCheckpoint(checkpoint="second_approval"), at=later, actor=BOSS, spec=SPEC
    )
    events = trail_frame([*trail, *new])
    orders = pd.DataFrame(
        {
            "order_id": [order.order_id],
            "customer_id": "C",
            "channel": "web",
            "received_at": [order.received_at],
        }
    )
    orders["received_at"] = orders["received_at"].dt.as_unit("us")
    policy = ConformancePolicy(checkpoints=PLAN.conformance_rules())
    report = conformance(orders, events, as_of=later + dt.timedelta(days=1), policy=policy)
    assert report.failures("checkpoint:second_approval") == [order.order_id]
    assert set(TRAIL_COLUMNS) <= set(events.columns)


def test_a_sampled_checkpoint_is_judged_only_on_its_sample() -> None:
    sampled = SupervisionCheckpoint(
        "inspection", "packing", ["high"], role="quality", sla_hours=4, sampling=0.5
    )
    plan = SupervisionPlan(checkpoints=[sampled], seed=3)
    ids = [f"SO-{n}" for n in range(20)]
    (rule,) = plan.conformance_rules(ids)
    assert rule.only == frozenset(i for i in ids if plan.sampled("inspection", i))
    with pytest.raises(InvalidArgument, match="samples: give the order ids"):
        plan.conformance_rules()


def test_the_printed_plan_reads_in_both_languages() -> None:
    assert "| 高 | 发运 | 发货前二次审批 | supervisor | 24 | 100% |" in DEFAULT_PLAN.to_markdown(
        "zh"
    )
    assert "| high | shipping | second approval before shipping | supervisor | 24 | 100% |" in (
        DEFAULT_PLAN.to_markdown()
    )
    assert "<caption>Supervision plan v1</caption>" in DEFAULT_PLAN.to_html()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: SupervisionCheckpoint("x", "painting", ["high"], role="r", sla_hours=1),
            "unknown stage",
        ),
        (
            lambda: SupervisionCheckpoint("x", "packing", ["severe"], role="r", sla_hours=1),
            "levels must be",
        ),
        (
            lambda: SupervisionCheckpoint("x", "packing", ["high"], role="r", sla_hours=0),
            "sla_hours must be a finite number > 0",
        ),
        (
            lambda: SupervisionCheckpoint(
                "x", "packing", ["high"], role="r", sla_hours=1, sampling=1.5
            ),
            "sampling must be in",
        ),
        (
            lambda: SupervisionPlan(
                checkpoints=[
                    SupervisionCheckpoint("x", "packing", ["high"], role="r", sla_hours=1)
                ],
                roles={"other": ["user:a"]},
            ),
            "no one holds role r",
        ),
        (lambda: SupervisionPlan(checkpoints=[], sla_factors={"high": 2.0}), "sla factor"),
    ],
)
def test_a_plan_that_cannot_work_is_refused(make: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make()
