from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from _validation_support import RECEIVED, codes, good_order, make_context, make_line, product
from ordercore import ConfigurationError, LineLedger
from ordercore.context import CapacityView
from ordercore.validation.capacity import promised_date_within_capacity

if TYPE_CHECKING:
    from ordercore.validation import Issue

# Two lines of 10 pcs at 1 hour each need 20 hours; 8 hours are free per day from 1 March.
HOURLY = {
    "BOLT-M8": product("BOLT-M8", capacity_per_unit=Decimal(1)),
    "NUT-M8": product("NUT-M8", capacity_per_unit=Decimal(1)),
}


def _promised(days: int, **context: object) -> list[Issue]:
    order = good_order(promised_delivery_at=RECEIVED + timedelta(days=days))
    return promised_date_within_capacity()(order, make_context(products=HOURLY, **context))


def test_a_promise_with_enough_free_capacity_passes() -> None:
    assert _promised(3) == []  # 2, 3, 4, 5 March: 32 hours


def test_a_promise_too_soon_for_the_capacity_fails() -> None:
    issues = _promised(1)  # 2 and 3 March: 16 hours
    assert [(i.code, i.observed, i.expected) for i in issues] == [
        ("capacity.insufficient", Decimal(20), Decimal(16))
    ]


def test_exactly_enough_capacity_passes() -> None:
    capacity = CapacityView(free={date(2026, 3, 2): Decimal(12), date(2026, 3, 3): Decimal(8)})
    assert _promised(1, capacity=capacity) == []


def test_days_missing_from_the_view_have_no_capacity() -> None:
    capacity = CapacityView(free={date(2026, 3, 20): Decimal(100)})
    assert codes(_promised(3, capacity=capacity)) == ["capacity.insufficient"]


def test_capacity_counts_from_the_review_day() -> None:
    capacity = CapacityView(free={date(2026, 3, 2): Decimal(100)})
    assert codes(_promised(3, capacity=capacity, as_of=RECEIVED + timedelta(days=1))) == [
        "capacity.insufficient"
    ]


def test_cancelled_quantity_needs_no_capacity() -> None:
    lines = [
        make_line("1", ledger=LineLedger(cancelled=Decimal(10))),
        make_line("2", sku="NUT-M8"),
    ]
    order = good_order(lines=lines, promised_delivery_at=RECEIVED + timedelta(days=1))
    context = make_context(products=HOURLY)
    assert promised_date_within_capacity()(order, context) == []


def test_an_order_without_a_promised_date_passes() -> None:
    order = good_order(promised_delivery_at=None)
    assert promised_date_within_capacity()(order, make_context(products=HOURLY)) == []


def test_products_using_no_capacity_pass_whatever_the_date() -> None:
    order = good_order(promised_delivery_at=RECEIVED)
    assert (
        promised_date_within_capacity()(order, make_context(capacity=CapacityView(free={}))) == []
    )


def test_the_capacity_rule_needs_a_capacity_view() -> None:
    with pytest.raises(ConfigurationError, match=r"promised_date_within_capacity.*capacity"):
        promised_date_within_capacity()(good_order(), make_context(capacity=None))


def test_the_capacity_rule_needs_a_calendar() -> None:
    with pytest.raises(ConfigurationError, match="calendar"):
        promised_date_within_capacity()(good_order(), make_context(calendar=None))
