"""Every context object serialises, however pydantic is asked to write it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel, TypeAdapter

from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    FrozenMapping,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.money import Money
from ordercore.testing.factories import make_order, make_review_context
from ordercore.testing.strategies import review_contexts


class _Holder(BaseModel):
    """A host's own model carrying a context where pydantic cannot know its class."""

    value: Any


def _full_context() -> ReviewContext:
    return make_review_context(
        calendar=BusinessCalendar(
            holidays=frozenset({date(2026, 10, 1)}),
            working_days=frozenset({date(2026, 10, 10)}),
            timezone="Asia/Shanghai",
            name="CN 2026",
        ),
        recent_orders=(make_order("SO-2"),),
        stated_totals={"SO-1": Money.of("10.00", "CNY")},
    )


_CONTEXT = _full_context()
_OBJECTS: dict[str, BaseModel] = {
    "ReviewContext": _CONTEXT,
    "CustomerProfile": next(iter(_CONTEXT.customers.values())),
    "Product": next(iter(_CONTEXT.products.values())),
    "PriceList": _CONTEXT.price_list,  # type: ignore[dict-item]
    "CapacityView": _CONTEXT.capacity,  # type: ignore[dict-item]
}


@pytest.mark.parametrize("name", sorted(_OBJECTS))
def test_a_context_object_writes_the_same_json_when_serialised_as_any(name: str) -> None:
    value = _OBJECTS[name]
    assert value.model_dump_json(serialize_as_any=True) == value.model_dump_json()


@pytest.mark.parametrize("name", sorted(_OBJECTS))
def test_a_context_object_serialises_inside_a_field_typed_any(name: str) -> None:
    value = _OBJECTS[name]
    written = json.loads(_Holder(value=value).model_dump_json())["value"]
    assert written == json.loads(value.model_dump_json())


@pytest.mark.parametrize("name", sorted(_OBJECTS))
def test_a_context_object_round_trips_through_json(name: str) -> None:
    value = _OBJECTS[name]
    assert type(value).model_validate_json(value.model_dump_json()) == value


def test_a_frozen_mapping_serialises_on_its_own() -> None:
    table = FrozenMapping({"BOLT": Decimal("1.50"), "NUT": Decimal(2)})
    assert json.loads(pydantic_core.to_json(table)) == {"BOLT": "1.50", "NUT": "2"}


def test_a_business_calendar_serialises_on_its_own_as_its_fields() -> None:
    calendar = _CONTEXT.calendar
    assert json.loads(pydantic_core.to_json(calendar)) == {
        "weekend_days": [5, 6],
        "holidays": ["2026-10-01"],
        "working_days": ["2026-10-10"],
        "timezone": "Asia/Shanghai",
        "name": "CN 2026",
    }


def test_the_context_tables_serialise_in_a_list_of_mixed_values() -> None:
    mixed = [_CONTEXT.customers, _CONTEXT.calendar, _CONTEXT.capacity]
    assert len(json.loads(TypeAdapter(list[Any]).dump_json(mixed))) == 3


def test_a_prepared_context_serialises_as_before() -> None:
    from ordercore.validation import review  # noqa: PLC0415 - review is a wing of the core

    before = _CONTEXT.model_dump_json()
    review(make_order(), _CONTEXT)
    assert _CONTEXT.model_dump_json(serialize_as_any=True) == before


def test_an_empty_context_serialises() -> None:
    empty = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC))
    assert ReviewContext.model_validate_json(empty.model_dump_json(serialize_as_any=True)) == empty


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_contexts(customers=3))
def test_a_generated_context_round_trips_however_it_is_written(context: ReviewContext) -> None:
    for written in (
        context.model_dump_json(),
        context.model_dump_json(serialize_as_any=True),
        pydantic_core.to_json(context).decode(),
        json.dumps(context.model_dump(mode="json")),
    ):
        assert ReviewContext.model_validate_json(written) == context


def test_a_customer_profile_with_history_round_trips() -> None:
    profile = CustomerProfile(customer_id="C-9", past_order_values=(Decimal("10.5"), Decimal(3)))
    assert (
        CustomerProfile.model_validate_json(profile.model_dump_json(serialize_as_any=True))
        == profile
    )


def test_products_and_price_lists_built_directly_serialise() -> None:
    product = Product(sku="BOLT", uom="pcs", moq=Decimal(10))
    prices = PriceList(currency="CNY", prices={"BOLT": Money.of("1.20", "CNY")})
    capacity = CapacityView(free={date(2026, 3, 2): Decimal(8)})
    for value in (product, prices, capacity):
        assert (
            type(value).model_validate_json(value.model_dump_json(serialize_as_any=True)) == value
        )
