"""The default capacity factor reads the promise engine's answer when the context carries one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    DeliveryPromise,
    Product,
    PromiseSource,
    ReviewContext,
)
from ordercore.errors import ConfigurationError
from ordercore.promise import Item, allocate
from ordercore.promise.review import PlanPromises
from ordercore.risk import RiskContext, assess
from ordercore.risk.features import features_of
from ordercore.validation.capacity import promised_date_within_capacity
from promise._builders import order, press, sales_order, snapshot

if TYPE_CHECKING:
    from ordercore import Order

GEAR = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))
AS_OF = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def _order(order_id: str, promised: date) -> Order:
    return sales_order(order_id, promised, requested=True)


def _context(promise: PromiseSource | None) -> ReviewContext:
    # 150 free hours: 50 on each of Monday, Tuesday and Wednesday.
    return ReviewContext(
        as_of=AS_OF,
        calendar=BusinessCalendar(),
        products={"GEAR": Product(sku="GEAR", uom="pcs", capacity_per_unit=Decimal(1))},
        capacity=CapacityView(free={date(2026, 3, d): Decimal(50) for d in (2, 3, 4)}),
        promise=promise,
    )


def _engine() -> PlanPromises:
    # The same 150 hours on a press; SO-1's 100 hours are planned Monday and Tuesday.
    plan = allocate(
        snapshot([GEAR], [order("SO-1", ("GEAR", 100))], resources=[press(50)], horizon_days=3)
    )
    return PlanPromises(plan, location="P1")


def _capacity(order: Order, context: ReviewContext) -> tuple[int | None, str | None, int]:
    scored = assess(order, RiskContext.of(context), as_of=AS_OF)
    result = scored.factor_result("capacity")
    return result.observed, result.reason, result.points


def test_without_an_engine_each_order_of_100_hours_loads_two_thirds_of_150() -> None:
    context = _context(None)
    assert _capacity(_order("SO-1", date(2026, 3, 4)), context) == (6666, "clear", 0)
    assert _capacity(_order("SO-2", date(2026, 3, 4)), context) == (6666, "clear", 0)


def test_with_the_engine_the_second_order_is_beyond_capacity() -> None:
    context = _context(_engine())
    # 100 hours needed, 50 left on Wednesday after SO-1: 200 %.
    assert _capacity(_order("SO-2", date(2026, 3, 4)), context) == (20000, "beyond_capacity", 5)


def test_with_the_engine_a_planned_order_counts_its_own_hours_as_free() -> None:
    context = _context(_engine())
    # 100 hours of the 50 left plus its own 100: two thirds, as when alone.
    assert _capacity(_order("SO-1", date(2026, 3, 4)), context) == (6666, "clear", 0)


class _Fixed(PromiseSource):
    """A fake engine: one answer for every order, and the orders it was asked about."""

    def __init__(self, answer: DeliveryPromise) -> None:
        self.given = answer
        self.asked: list[str] = []

    def answer(self, order: Order) -> DeliveryPromise:
        self.asked.append(order.order_id)
        return self.given


def test_review_and_risk_read_the_one_answer_of_the_engine() -> None:
    late = DeliveryPromise(
        order_id="SO-9",
        promised_on=date(2026, 3, 4),
        due_on=date(2026, 3, 4),
        delivery_on=date(2026, 3, 6),
        late_business_days=2,
        capacity_needed=Decimal(90),
        capacity_free=Decimal(100),
        reason_en="capacity of resource PRESS is booked until 2026-03-06",
        reason_zh="资源 PRESS 的产能已排满至 2026-03-06",
    )
    engine = _Fixed(late)
    context = _context(engine)
    second = _order("SO-2", date(2026, 3, 4))
    issues = promised_date_within_capacity()(second, context)
    assert [(i.code, i.expected) for i in issues] == [("promise.date_not_kept", date(2026, 3, 6))]
    assert features_of(second, context, as_of=AS_OF).capacity_load_bp == 9000  # 90 of 100
    assert engine.asked == ["SO-2", "SO-2"]


def test_the_engine_answers_the_same_order_object_with_the_same_answer() -> None:
    engine = _engine()
    second = _order("SO-2", date(2026, 3, 4))
    assert engine.answer(second) is engine.answer(second)


def test_the_engine_load_needs_an_engine() -> None:
    with pytest.raises(ConfigurationError, match="carries no promise engine"):
        RiskContext.of(_context(None)).promise_load(_order("SO-2", date(2026, 3, 4)))
