"""A supervision plan or monitoring rule written wrongly is refused when built, naming the setting.

Each case is a plausible slip in a host's configuration that the plan or rule used to take
silently: a NaN SLA never expires, a role given as one string became a set of characters, a
status that does not exist gives a rule that never fires.
"""

from __future__ import annotations

from typing import Any

import pytest

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import (
    DeliveryWithoutProof,
    HoldTooLong,
    PastDueNotShipped,
    ShippedNotDelivered,
    StageOverdue,
    StuckInStatus,
)
from ordercore.risk import SupervisionCheckpoint, SupervisionPlan
from ordercore.risk.policy import RiskLevel

_OK: dict[str, Any] = {
    "checkpoint": "packing_check",
    "stage": "shipping",
    "levels": ("high",),
    "role": "qa",
    "sla_hours": 8,
}

_CHECKPOINTS = [
    ("sla_hours", float("nan"), "sla_hours must be a finite number > 0"),
    ("sla_hours", float("inf"), "sla_hours must be a finite number > 0"),
    ("sla_hours", 0, "sla_hours must be a finite number > 0"),
    ("sla_hours", "8", "sla_hours must be a finite number > 0"),
    ("sampling", float("nan"), "sampling must be a finite number > 0"),
    ("sampling", 1.5, r"sampling must be in \(0, 1\]"),
    ("checkpoint", None, "checkpoint must be an id"),
    ("checkpoint", "", "checkpoint must be an id"),
    ("checkpoint", "check\x00", "checkpoint must be an id"),
    ("role", None, "role must be a name"),
    ("levels", None, "levels must be a list of names"),
    ("levels", "high", "levels must be a list of names, got 'high'"),
    ("levels", (), "levels must be some of low, medium, high, critical, got none"),
    ("levels", ("hihg",), "levels must be some of"),
    ("stage", ["shipping"], "unknown stage"),
    ("after", "order_aproved", "after must be an event type"),
    ("en", None, "en must be text"),
]


@pytest.mark.parametrize(("field", "value", "message"), _CHECKPOINTS)
def test_a_checkpoint_written_wrongly_is_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SupervisionCheckpoint(**{**_OK, field: value})


def test_levels_may_be_given_as_enum_members() -> None:
    checkpoint = SupervisionCheckpoint(**{**_OK, "levels": [RiskLevel.HIGH, "critical"]})
    assert checkpoint.levels == ("high", "critical")


_CHECKPOINT = SupervisionCheckpoint(**_OK)
_PLANS = [
    ({"checkpoints": "packing_check"}, "checkpoints must be a list of SupervisionCheckpoint"),
    ({"checkpoints": (_CHECKPOINT, "x")}, "checkpoints must be SupervisionCheckpoint values"),
    ({"roles": {"qa": "user:li.wei"}}, "actors of role 'qa' must be a list of names"),
    ({"roles": {"qa": ["li.wei"]}}, "an actor is written 'kind:id'"),
    ({"roles": {"qa": ["robot:li.wei"]}}, "an actor is written 'kind:id'"),
    ({"roles": ["qa"]}, "roles must map a role to its actors"),
    ({"status_sla_hours": {"aproved": 48}}, "a status of status_sla_hours must be one of"),
    ({"status_sla_hours": {"approved": -1}}, "status_sla_hours of 'approved' must be"),
    ({"status_sla_hours": {"approved": float("nan")}}, "status_sla_hours of 'approved' must be"),
    ({"sla_factors": {"high": "0.5"}}, "sla factor of 'high' must be a finite number"),
    ({"sla_factors": {"high": 2}}, r"must be a level's factor in \(0, 1\]"),
    ({"sla_factors": {"extreme": 0.5}}, r"must be a level's factor in \(0, 1\]"),
    ({"sla_factors": None}, "expected a mapping"),
    ({"seed": "7"}, "seed must be an integer"),
    ({"seed": True}, "seed must be an integer"),
    ({"version": ""}, "version must be a name"),
]


@pytest.mark.parametrize(("settings", "message"), _PLANS)
def test_a_plan_written_wrongly_is_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SupervisionPlan(**{"checkpoints": (_CHECKPOINT,), "roles": {"qa": ["user:li"]}, **settings})


def test_roles_keep_each_actor_whole() -> None:
    plan = SupervisionPlan((_CHECKPOINT,), roles={"qa": ("user:li.wei", "user:wang.fang")})
    assert plan.roles is not None
    assert plan.roles["qa"] == frozenset({"user:li.wei", "user:wang.fang"})


def test_the_plan_questions_refuse_what_is_not_an_order() -> None:
    plan = SupervisionPlan((SupervisionCheckpoint(**{**_OK, "sampling": 0.5}),))
    with pytest.raises(InvalidArgument, match="order_id must be an order id"):
        plan.sampled("packing_check", None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="order must be an Order"):
        plan.required(None, "shipping")  # type: ignore[arg-type]


_RULES = [
    (lambda: StuckInStatus("aproved", 48), "status must be one of"),
    (lambda: StuckInStatus("approved", -1), "sla_hours must be a finite number > 0"),
    (lambda: StuckInStatus("approved", 48, levels="high"), "levels must be a list of names"),
    (lambda: StuckInStatus("approved", 48, levels=["hgh"]), "levels must be some of"),
    (lambda: HoldTooLong(limit_hours=float("nan")), "limit_hours must be a finite number > 0"),
    (lambda: HoldTooLong(critical_factor=0.5), "critical_factor must be >= 1"),
    (lambda: DeliveryWithoutProof(grace_hours=-1), "grace_hours must be a finite number >= 0"),
    (lambda: ShippedNotDelivered(carrier_sla_hours=0), "carrier_sla_hours must be a finite"),
    (lambda: StageOverdue("review", float("inf")), "sla_hours must be a finite number > 0"),
    (lambda: PastDueNotShipped(reference=None), "reference must be a name"),  # type: ignore[arg-type]
    (lambda: PastDueNotShipped(critical_hours=float("nan")), "critical_hours must be a finite"),
    (lambda: PastDueNotShipped(name=""), "name must be a name"),
]


@pytest.mark.parametrize(("build", "message"), _RULES)
def test_a_monitoring_rule_written_wrongly_is_refused(build: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        build()


def test_the_documented_zero_and_none_settings_stay_allowed() -> None:
    assert DeliveryWithoutProof(grace_hours=0).grace_hours == 0
    assert PastDueNotShipped(fallback=None).fallback is None
    assert PastDueNotShipped(critical_hours=0).critical_hours == 0
    assert StageOverdue("a", 1, start="approved_at", end="promised_at").span == (
        "approved_at",
        "promised_at",
    )
