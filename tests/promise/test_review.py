"""Review and risk read the engine's answer, so competing orders are seen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore.context import BusinessCalendar, CapacityView, Product, ReviewContext
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.promise import AllocationPlan, Item, allocate
from ordercore.promise.review import (
    PROMISE_CAPACITY,
    PROMISE_DELAY_FEATURE,
    PlanPromises,
    promise_features,
    promised_date_within_plan,
)
from ordercore.risk import RiskContext, RiskPolicy, assess
from ordercore.risk._exact import BASIS_POINTS, floor_ratio
from ordercore.risk.factors import BUILTIN_FACTORS, CAPACITY
from ordercore.risk.features import features_of
from ordercore.validation.capacity import promised_date_within_capacity
from promise._builders import order, press, sales_order, snapshot

if TYPE_CHECKING:
    from ordercore import Order

GEAR = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))
AS_OF = datetime(2026, 3, 2, tzinfo=UTC)


def _order(
    order_id: str, promised: date | None, sku: str = "GEAR", hours: int = 100, **ledger: Any
) -> Order:
    return sales_order(order_id, promised, sku=sku, hours=hours, **ledger)


def _plan() -> AllocationPlan:
    # SO-1 holds Monday and Tuesday of a press with 50 free hours a day, 3 days known.
    return allocate(
        snapshot([GEAR], [order("SO-1", ("GEAR", 100))], resources=[press(50)], horizon_days=3)
    )


def test_the_core_rule_passes_two_orders_the_plan_rule_catches_the_second() -> None:
    context = ReviewContext(
        as_of=AS_OF,
        calendar=BusinessCalendar(),
        products={"GEAR": Product(sku="GEAR", uom="pcs", capacity_per_unit=Decimal(1))},
        capacity=CapacityView(free={date(2026, 3, d): Decimal(50) for d in (2, 3, 4)}),
    )
    second = _order("SO-2", date(2026, 3, 4))
    assert promised_date_within_capacity()(second, context) == []  # 100 of 150 hours: fine alone
    issues = promised_date_within_plan(_plan(), location="P1")(second, context)
    assert [(i.code, i.path, i.observed, i.expected) for i in issues] == [
        ("promise.date_not_kept", "promised_delivery_at", date(2026, 3, 4), None)
    ]
    assert issues[0].message_zh == (
        "承诺交期 2026-03-04，计划期内无法全部交付：资源 PRESS 的产能在计划期内已排满"
    )


def test_an_order_the_plan_holds_is_judged_by_its_planned_day() -> None:
    rule = promised_date_within_plan(_plan(), location="P1")
    context = ReviewContext(as_of=AS_OF)
    assert rule(_order("SO-1", date(2026, 3, 3)), context) == []
    late = rule(_order("SO-1", date(2026, 3, 2)), context)
    assert late[0].message_en == (
        "promised for 2026-03-02 but the plan can deliver on 2026-03-03 at the earliest: "
        "capacity of resource PRESS is booked until 2026-03-03"
    )


def test_an_order_without_a_promise_or_with_nothing_open_passes() -> None:
    rule = promised_date_within_plan(_plan(), location="P1")
    context = ReviewContext(as_of=AS_OF)
    assert rule(_order("SO-3", None), context) == []
    cancelled = _order("SO-4", date(2026, 3, 2), ledger={"cancelled": Decimal(100)})
    assert rule(cancelled, context) == []


def test_an_order_for_a_sku_the_plan_does_not_know_is_a_configuration_error() -> None:
    rule = promised_date_within_plan(_plan(), location="P1")
    with pytest.raises(ConfigurationError, match="order SO-5 names SKU 'NUT', which the plan"):
        rule(_order("SO-5", date(2026, 3, 9), sku="NUT"), ReviewContext(as_of=AS_OF))


def test_the_rule_refuses_what_is_not_a_plan_when_it_is_built() -> None:
    with pytest.raises(InvalidArgument, match="plan must be an AllocationPlan, not str"):
        promised_date_within_plan("plan", location="P1")  # type: ignore[arg-type]


def test_the_delay_feature_counts_business_days_after_the_due_day() -> None:
    plan = allocate(snapshot([GEAR], [order("SO-1", ("GEAR", 100))], resources=[press(50)]))
    # SO-2 gets Wednesday and Thursday: one business day after a Wednesday promise.
    assert promise_features(plan, _order("SO-2", date(2026, 3, 4)), location="P1") == {
        PROMISE_DELAY_FEATURE: 1
    }
    assert promise_features(plan, _order("SO-2", date(2026, 3, 9)), location="P1") == {
        PROMISE_DELAY_FEATURE: 0
    }
    assert promise_features(plan, _order("SO-3", None), location="P1") == {
        PROMISE_DELAY_FEATURE: None
    }


def test_an_order_the_plan_cannot_meet_is_late_through_the_horizon() -> None:
    late = promise_features(_plan(), _order("SO-2", date(2026, 3, 2)), location="P1")
    assert late == {PROMISE_DELAY_FEATURE: 3}  # Tuesday and Wednesday, and one for unmet


def test_the_risk_factor_scores_the_same_answer_in_place_of_the_capacity_factor() -> None:
    policy = RiskPolicy(
        version="promise-1",
        factors=[PROMISE_CAPACITY if f is CAPACITY else f for f in BUILTIN_FACTORS],
    )
    plan = allocate(snapshot([GEAR], [order("SO-1", ("GEAR", 100))], resources=[press(50)]))
    second = _order("SO-2", date(2026, 3, 4))
    scored = assess(
        second,
        RiskContext.of(ReviewContext(as_of=AS_OF)),
        policy,
        as_of=AS_OF,
        extra=promise_features(plan, second, location="P1"),
    )
    factor = scored.factor_result("promise_capacity")
    assert (factor.reason, factor.points) == ("promise_late", 3)
    assert factor.explain().startswith("Plan delivers after the due date")


@settings(max_examples=60, deadline=None)
@given(
    daily=st.integers(1, 120),
    planned=st.lists(st.integers(1, 200), max_size=3),
    hours=st.integers(1, 200),
    promised=st.integers(0, 8),
    horizon=st.integers(2, 8),
)
def test_the_review_verdict_and_the_capacity_factor_agree_on_the_engine_answer(
    daily: int, planned: list[int], hours: int, promised: int, horizon: int
) -> None:
    orders = [order(f"SO-{n}", ("GEAR", q)) for n, q in enumerate(planned, 1)]
    plan = allocate(snapshot([GEAR], orders, resources=[press(daily)], horizon_days=horizon))
    engine = PlanPromises(plan, location="P1")
    asked = _order("NEW", date(2026, 3, 2) + timedelta(days=promised), hours=hours)
    context = ReviewContext(as_of=AS_OF, promise=engine)
    answer = engine.answer(asked)
    assert answer is not None
    assert engine.answer(asked) is answer  # the rule and the factor read this one object
    issues = promised_date_within_capacity()(asked, context)
    assert bool(issues) is (answer.kept is False)
    load = features_of(asked, context, as_of=AS_OF).capacity_load_bp
    assert load == RiskContext.of(context).promise_load(asked)
    assert load == floor_ratio(answer.capacity_needed, answer.capacity_free, BASIS_POINTS)
    if answer.kept:
        assert load <= 10000  # what the engine can keep fits what the others leave free
