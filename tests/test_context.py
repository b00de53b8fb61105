from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, cast

import attrs
import pydantic
import pytest

from ordercore import Address, ConfigurationError, Money
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    FrozenMapping,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.testing.factories import make_customer_profile, make_order, make_review_context
from ordercore.validation import review

# Oct 2026: Thu 1 and Fri 2 are holidays, Sat 10 is an adjusted working day.
CN = BusinessCalendar(
    holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
    working_days=frozenset({date(2026, 10, 10)}),
    timezone="Asia/Shanghai",
)


def test_weekends_are_not_business_days() -> None:
    assert not CN.is_business_day(date(2026, 10, 4))


def test_holidays_are_not_business_days() -> None:
    assert not CN.is_business_day(date(2026, 10, 1))


def test_adjusted_working_weekend_is_a_business_day() -> None:
    assert CN.is_business_day(date(2026, 10, 10))


def test_adding_business_days_skips_holidays_and_weekends() -> None:
    assert CN.add_business_days(date(2026, 9, 30), 1) == date(2026, 10, 5)


def test_adding_negative_business_days_walks_back() -> None:
    assert CN.add_business_days(date(2026, 10, 5), -1) == date(2026, 9, 30)


def test_adding_zero_business_days_returns_the_day() -> None:
    assert CN.add_business_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_business_days_between_is_antisymmetric() -> None:
    start, end = date(2026, 9, 28), date(2026, 10, 12)
    assert CN.business_days_between(start, end) == -CN.business_days_between(end, start)


def test_local_date_uses_the_calendar_time_zone() -> None:
    moment = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on Oct 1 in Shanghai
    assert CN.local_date(moment) == date(2026, 10, 1)


def test_local_date_refuses_a_naive_timestamp() -> None:
    with pytest.raises(ValueError, match="naive"):
        CN.local_date(datetime(2026, 9, 30, 17, 0))  # noqa: DTZ001 - the point of the test


def test_unknown_time_zone_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown time zone 'Mars/Base'"):
        BusinessCalendar(timezone="Mars/Base")


def test_weekend_cannot_cover_the_whole_week() -> None:
    with pytest.raises(ValueError, match="whole week"):
        BusinessCalendar(weekend_days=frozenset(range(7)))


def test_calendar_days_must_be_dates_not_datetimes() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        BusinessCalendar(holidays=frozenset({datetime(2026, 10, 1, tzinfo=UTC)}))


def test_calendar_from_the_holidays_package_knows_national_day() -> None:
    calendar = BusinessCalendar.from_holidays("CN", [2026], timezone="Asia/Shanghai")
    assert not calendar.is_business_day(date(2026, 10, 1))


def test_calendar_from_an_unknown_country_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="does not know country 'XX'"):
        BusinessCalendar.from_holidays("XX", [2026])


def test_customer_profile_refuses_negative_overdue_days() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        CustomerProfile(customer_id="C-1", overdue_days=-1)
    assert caught.value.errors()[0]["loc"] == ("overdue_days",)


def test_price_list_refuses_float_tolerance() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        PriceList(currency="CNY", prices={}, tolerance=0.02)  # type: ignore[arg-type]
    assert caught.value.errors()[0]["loc"] == ("tolerance",)


def test_capacity_keys_are_days() -> None:
    view = CapacityView(free={date(2026, 10, 5): Decimal(8)})
    assert view.free[date(2026, 10, 5)] == Decimal(8)


def test_review_context_needs_an_aware_as_of() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReviewContext(as_of=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    assert caught.value.errors()[0]["loc"] == ("as_of",)


def test_review_context_copies_the_callers_mappings() -> None:
    customers = {"C-1": CustomerProfile(customer_id="C-1", credit_limit=Money.of("100", "CNY"))}
    context = ReviewContext(
        as_of=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))), customers=customers
    )
    customers.clear()
    assert "C-1" in context.customers


# --- immutable all the way down ------------------------------------------------------------

SHANGHAI = BusinessCalendar(
    holidays=frozenset({date(2026, 10, 2), date(2026, 10, 1)}),
    working_days=frozenset({date(2026, 10, 10)}),
    timezone="Asia/Shanghai",
    name="CN 2026",
)


def _full_context() -> ReviewContext:
    """A context with every piece filled in, nested collections included."""
    profile = make_customer_profile(
        "C-001",
        known_ship_to=(Address(name="Dock", line1="1 Road", city="Suzhou", country="CN"),),
    )
    return make_review_context(
        customers=1,
        calendar=SHANGHAI,
        recent_orders=(make_order("SO-0", customer_po="PO-1"),),
        stated_totals={"SO-1": Money.of("10.00", "CNY")},
    ).model_copy(update={"customers": {"C-001": profile}})


def _plain_collections(value: object, path: str = "context") -> Iterator[str]:
    """Paths of every dict, list or set reachable through fields, items and elements."""
    if isinstance(value, dict | list | set):
        yield path
        return
    if isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            yield from _plain_collections(getattr(value, name), f"{path}.{name}")
    elif attrs.has(kind := cast("Any", type(value))):
        for field in attrs.fields(kind):
            yield from _plain_collections(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _plain_collections(key, f"{path}[{key!r}] (key)")
            yield from _plain_collections(item, f"{path}[{key!r}]")
    elif isinstance(value, tuple | frozenset):
        for index, item in enumerate(value):
            yield from _plain_collections(item, f"{path}[{index}]")


def test_no_dict_list_or_set_is_reachable_from_a_context() -> None:
    assert list(_plain_collections(_full_context())) == []


def test_no_dict_list_or_set_is_reachable_after_a_model_copy_with_plain_values() -> None:
    context = _full_context().model_copy(
        update={
            "products": {"X": Product(sku="X", uom="pcs")},
            "capacity": {"free": {date(2026, 10, 5): Decimal(8)}},
            "recent_orders": [make_order("SO-9")],
        }
    )
    assert list(_plain_collections(context)) == []


def _tables(context: ReviewContext) -> dict[str, Mapping[Any, Any]]:
    assert context.price_list is not None
    assert context.capacity is not None
    return {
        "customers": context.customers,
        "products": context.products,
        "stated_totals": context.stated_totals,
        "prices": context.price_list.prices,
        "free": context.capacity.free,
    }


@pytest.mark.parametrize("table", ["customers", "products", "stated_totals", "prices", "free"])
def test_a_context_table_refuses_item_assignment(table: str) -> None:
    context = _full_context()
    found = _tables(context)[table]
    key = next(iter(found))
    with pytest.raises(TypeError, match="does not support item assignment"):
        found[key] = None  # type: ignore[index]
    assert _tables(context)[table] == _tables(_full_context())[table]


@pytest.mark.parametrize("table", ["customers", "products", "stated_totals", "prices", "free"])
def test_a_context_table_has_no_mutating_methods(table: str) -> None:
    found = _tables(_full_context())[table]
    assert not any(hasattr(found, name) for name in ("clear", "pop", "update", "setdefault"))


def test_changing_the_callers_dicts_afterwards_changes_nothing() -> None:
    customers = {"C-1": CustomerProfile(customer_id="C-1")}
    products = {"X": Product(sku="X", uom="pcs")}
    prices = {"X": Money.of("1.00", "CNY")}
    free = {date(2026, 10, 5): Decimal(8)}
    totals = {"SO-1": Money.of("1.00", "CNY")}
    context = ReviewContext(
        as_of=datetime(2026, 10, 5, tzinfo=UTC),
        customers=customers,
        products=products,
        price_list=PriceList(currency="CNY", prices=prices),
        capacity=CapacityView(free=free),
        stated_totals=totals,
    )
    before = context.model_dump()
    for table in (customers, products, prices, free, totals):
        table.clear()
    assert context.model_dump() == before


def test_a_frozen_mapping_refuses_attribute_assignment() -> None:
    frozen = FrozenMapping({"a": 1})
    with pytest.raises(AttributeError, match="read-only"):
        frozen._data = {}  # type: ignore[assignment]
    assert frozen == {"a": 1}


def test_a_frozen_mapping_refuses_attribute_deletion() -> None:
    frozen = FrozenMapping({"a": 1})
    with pytest.raises(AttributeError, match="read-only"):
        del frozen._data
    assert frozen == {"a": 1}


def test_a_frozen_mapping_views_cannot_reach_a_mutable_dict() -> None:
    frozen = FrozenMapping({"a": 1})
    assert not isinstance(frozen.keys().mapping, dict)  # type: ignore[attr-defined]


def test_a_frozen_mapping_equals_a_dict_with_the_same_items() -> None:
    assert FrozenMapping({"a": 1}) == {"a": 1}
    assert FrozenMapping({"a": 1}) != {"a": 2}


def test_frozen_mappings_with_the_same_items_are_equal_and_hash_alike() -> None:
    first, second = FrozenMapping({"a": 1, "b": 2}), FrozenMapping([("b", 2), ("a", 1)])
    assert first == second
    assert hash(first) == hash(second)


def test_a_frozen_mapping_with_unhashable_values_is_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(FrozenMapping({"a": [1]}))


def test_a_frozen_mapping_pickles() -> None:
    frozen = FrozenMapping({date(2026, 10, 5): Decimal(8)})
    restored = pickle.loads(pickle.dumps(frozen))  # noqa: S301 - our own bytes
    assert isinstance(restored, FrozenMapping)
    assert restored == frozen


def test_a_frozen_mapping_reads_like_a_dict() -> None:
    frozen = FrozenMapping({"a": 1})
    assert (frozen["a"], frozen.get("b", 0), "a" in frozen, len(frozen)) == (1, 0, True, 1)
    assert (list(frozen.keys()), list(frozen.values()), list(frozen.items())) == (
        ["a"],
        [1],
        [("a", 1)],
    )


def test_a_context_is_hashable() -> None:
    assert hash(_full_context()) == hash(_full_context())


# --- model_copy validates ----------------------------------------------------------------


def test_model_copy_stores_a_frozen_copy_of_an_updated_dict() -> None:
    customers = {"C-2": CustomerProfile(customer_id="C-2")}
    context = _full_context().model_copy(update={"customers": customers})
    customers.clear()
    assert isinstance(context.customers, FrozenMapping)
    assert list(context.customers) == ["C-2"]


def test_model_copy_validates_the_update() -> None:
    original = _full_context()
    with pytest.raises(pydantic.ValidationError) as caught:
        original.model_copy(update={"as_of": datetime(2026, 1, 1)})  # noqa: DTZ001 - the point
    assert caught.value.errors()[0]["loc"] == ("as_of",)
    assert original == _full_context()


def test_model_copy_refuses_an_unknown_field() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _full_context().model_copy(update={"customer": {}})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_model_copy_of_a_profile_keeps_its_collections_tuples() -> None:
    profile = CustomerProfile(customer_id="C-1").model_copy(
        update={"past_order_values": [Decimal(1), Decimal(2)]}
    )
    assert profile.past_order_values == (Decimal(1), Decimal(2))


def test_model_copy_keeps_which_fields_were_set() -> None:
    profile = CustomerProfile(customer_id="C-1").model_copy(update={"blocked": True})
    assert profile.model_fields_set == {"customer_id", "blocked"}


def test_model_copy_without_an_update_is_an_equal_context() -> None:
    context = _full_context()
    assert context.model_copy() == context
    assert context.model_copy(deep=True) == context


# --- JSON and pickle ---------------------------------------------------------------------


def test_a_context_round_trips_through_json() -> None:
    context = _full_context()
    assert ReviewContext.model_validate_json(context.model_dump_json()) == context


def test_a_context_round_trips_through_model_dump() -> None:
    context = _full_context()
    assert ReviewContext.model_validate(context.model_dump()) == context


def test_a_calendar_is_written_as_its_fields_with_sorted_days() -> None:
    written = json.loads(_full_context().model_dump_json())["calendar"]
    assert written == {
        "weekend_days": [5, 6],
        "holidays": ["2026-10-01", "2026-10-02"],
        "working_days": ["2026-10-10"],
        "timezone": "Asia/Shanghai",
        "name": "CN 2026",
    }


def test_a_calendar_is_read_from_a_mapping_of_its_fields() -> None:
    context = ReviewContext(
        as_of=datetime(2026, 10, 5, tzinfo=UTC),
        calendar={"holidays": [date(2026, 10, 1)], "timezone": "Asia/Shanghai"},  # type: ignore[arg-type]
    )
    assert context.calendar == BusinessCalendar(
        holidays=frozenset({date(2026, 10, 1)}), timezone="Asia/Shanghai"
    )


def test_a_calendar_from_json_with_an_unknown_time_zone_is_a_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="unknown time zone 'Mars/Base'"):
        ReviewContext.model_validate_json(
            '{"as_of": "2026-10-05T00:00:00Z", "calendar": {"timezone": "Mars/Base"}}'
        )


def test_a_calendar_from_json_refuses_an_unknown_field() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReviewContext.model_validate_json(
            '{"as_of": "2026-10-05T00:00:00Z", "calendar": {"holiday": []}}'
        )
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_a_calendar_field_refuses_a_datetime_among_the_days() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReviewContext(
            as_of=datetime(2026, 10, 5, tzinfo=UTC),
            calendar={"holidays": [datetime(2026, 10, 1, tzinfo=UTC)]},  # type: ignore[arg-type]
        )
    assert caught.value.errors()[0]["loc"] == ("calendar", "holidays", 0)


def test_a_calendar_field_refuses_a_weekday_given_as_text() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReviewContext(
            as_of=datetime(2026, 10, 5, tzinfo=UTC),
            calendar={"weekend_days": ["5"]},  # type: ignore[arg-type]
        )
    assert caught.value.errors()[0]["loc"] == ("calendar", "weekend_days", 0)


def test_a_calendar_field_keeps_the_calendar_it_is_given() -> None:
    context = ReviewContext(as_of=datetime(2026, 10, 5, tzinfo=UTC), calendar=SHANGHAI)
    assert context.calendar is SHANGHAI


def test_a_context_pickles() -> None:
    context = _full_context()
    assert pickle.loads(pickle.dumps(context)) == context  # noqa: S301 - our own bytes


def test_a_reviewed_context_pickles_without_its_precomputation() -> None:
    context = _full_context()
    review(make_order(), context)
    restored = pickle.loads(pickle.dumps(context))  # noqa: S301 - our own bytes
    assert getattr(restored, "_prepared", None) is None


def test_a_reviewed_context_equals_one_that_was_not_reviewed() -> None:
    context = _full_context()
    review(make_order(), context)
    assert context == _full_context()


def test_a_reviewed_context_dumps_as_one_that_was_not_reviewed() -> None:
    context = _full_context()
    review(make_order(), context)
    assert context.model_dump_json() == _full_context().model_dump_json()


def test_a_copy_of_a_reviewed_context_does_not_share_its_precomputation() -> None:
    context = _full_context()
    review(make_order(), context)
    assert getattr(copy.copy(context), "_prepared", None) is None
    assert getattr(context.model_copy(), "_prepared", None) is None


def test_a_table_may_be_given_as_any_mapping() -> None:
    context = ReviewContext(
        as_of=datetime(2026, 10, 5, tzinfo=UTC),
        customers=MappingProxyType({"C-1": CustomerProfile(customer_id="C-1")}),
    )
    assert list(context.customers) == ["C-1"]
