"""The default promised-date rule asks the promise engine when the context carries one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from ordercore.context import BusinessCalendar, CapacityView, Product, ReviewContext
from ordercore.promise import Item, allocate
from ordercore.promise.review import PlanPromises
from ordercore.validation import DEFAULT_RULES, RuleSet, review
from ordercore.validation.capacity import promised_date_within_capacity
from promise._builders import order, press, sales_order, snapshot

if TYPE_CHECKING:
    from ordercore import Order

GEAR = Item(sku="GEAR", mode="make_to_order", resource="PRESS", hours_per_unit=Decimal(1))
AS_OF = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
RULE = promised_date_within_capacity()


def _order(order_id: str, promised: date | None, hours: int = 100) -> Order:
    return sales_order(order_id, promised, hours=hours)


def _free_capacity() -> ReviewContext:
    # 150 free hours: 50 on each of Monday, Tuesday and Wednesday.
    return ReviewContext(
        as_of=AS_OF,
        calendar=BusinessCalendar(),
        products={"GEAR": Product(sku="GEAR", uom="pcs", capacity_per_unit=Decimal(1))},
        capacity=CapacityView(free={date(2026, 3, d): Decimal(50) for d in (2, 3, 4)}),
    )


def _engine(*planned: str) -> PlanPromises:
    # The same 150 hours as a press of 50 hours a day, three days known; `planned` orders
    # of 100 hours each are the open orders the engine allocates first.
    orders = [order(order_id, ("GEAR", 100)) for order_id in planned]
    plan = allocate(snapshot([GEAR], orders, resources=[press(50)], horizon_days=3))
    return PlanPromises(plan, location="P1")


def test_without_an_engine_two_orders_of_100_hours_against_150_both_pass() -> None:
    context = _free_capacity()
    assert RULE(_order("SO-1", date(2026, 3, 4)), context) == []
    assert RULE(_order("SO-2", date(2026, 3, 4)), context) == []


def test_with_the_engine_the_second_order_of_100_hours_is_refused() -> None:
    context = _free_capacity().model_copy(update={"promise": _engine("SO-1")})
    assert RULE(_order("SO-1", date(2026, 3, 4)), context) == []  # planned Monday-Tuesday
    issues = RULE(_order("SO-2", date(2026, 3, 4)), context)
    # 50 hours are left on Wednesday: the other 50 fall beyond the three days known.
    assert [(i.code, i.rule, i.observed, i.expected) for i in issues] == [
        ("promise.date_not_kept", "promised_date_within_capacity", date(2026, 3, 4), None)
    ]
    assert issues[0].message_en == (
        "promised for 2026-03-04 but the plan cannot deliver in full within its horizon: "
        "capacity of resource PRESS is booked through the horizon"
    )
    assert issues[0].message_zh == (
        "承诺交期 2026-03-04，计划期内无法全部交付：资源 PRESS 的产能在计划期内已排满"
    )


def _capacity_rules() -> RuleSet:
    # The default rule set's own promised-date rule, the others left out (they need
    # customers, prices and the rest of a full context).
    names = DEFAULT_RULES.names
    return DEFAULT_RULES.without(*(n for n in names if n != "promised_date_within_capacity"))


def test_the_default_rule_set_refuses_the_second_order_with_the_engine() -> None:
    context = _free_capacity().model_copy(update={"promise": _engine("SO-1")})
    result = review(_order("SO-2", date(2026, 3, 4)), context, _capacity_rules())
    assert [issue.code for issue in result.issues] == ["promise.date_not_kept"]
    assert (
        review(_order("SO-2", date(2026, 3, 4)), _free_capacity(), _capacity_rules()).issues == ()
    )


def test_a_later_promise_the_engine_can_keep_passes() -> None:
    engine = PlanPromises(
        allocate(snapshot([GEAR], [order("SO-1", ("GEAR", 100))], resources=[press(50)])),
        location="P1",
    )
    context = ReviewContext(as_of=AS_OF, promise=engine)  # no capacity, no calendar needed
    assert RULE(_order("SO-2", date(2026, 3, 5)), context) == []  # Wednesday and Thursday
    late = RULE(_order("SO-2", date(2026, 3, 4)), context)
    assert late[0].message_en == (
        "promised for 2026-03-04 but the plan can deliver on 2026-03-05 at the earliest: "
        "capacity of resource PRESS is booked until 2026-03-05"
    )


def test_an_order_without_a_promised_date_passes_with_the_engine() -> None:
    context = ReviewContext(as_of=AS_OF, promise=_engine("SO-1"))
    assert RULE(_order("SO-2", None), context) == []


def test_a_review_never_gives_the_verdict_of_another_snapshot() -> None:
    second = _order("SO-2", date(2026, 3, 4))
    busy = _free_capacity().model_copy(update={"promise": _engine("SO-1")})
    idle = busy.model_copy(update={"promise": _engine()})
    rules = _capacity_rules()
    assert [i.code for i in review(second, busy, rules).issues] == ["promise.date_not_kept"]
    assert [i.code for i in review(second, idle, rules).issues] == []
    assert [i.code for i in review(second, busy, rules).issues] == ["promise.date_not_kept"]


def test_one_engine_answers_another_order_object_afresh() -> None:
    engine = _engine("SO-1")
    first = _order("SO-2", date(2026, 3, 4), hours=100)
    smaller = _order("SO-2", date(2026, 3, 4), hours=50)  # same id, other quantity
    context = ReviewContext(as_of=AS_OF, promise=engine)
    assert RULE(first, context) != []
    assert RULE(smaller, context) == []  # 50 hours fit on Wednesday
    assert engine.answer(first) is not engine.answer(smaller)


def test_the_context_refuses_what_is_not_a_promise_source() -> None:
    with pytest.raises(ValidationError, match="instance of PromiseSource"):
        ReviewContext(as_of=AS_OF, promise="plan")  # type: ignore[arg-type]


def test_the_engine_is_not_part_of_the_json_form() -> None:
    context = ReviewContext(as_of=AS_OF, promise=_engine("SO-1"))
    again = ReviewContext.model_validate_json(context.model_dump_json())
    assert "promise" not in context.model_dump()
    assert again.promise is None
    assert again == context.model_copy(update={"promise": None})
