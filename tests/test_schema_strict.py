"""The exported JSON Schema is exactly as strict as the models' JSON parsing.

Two directions: every document the models write validates under the schema (generated
orders, review contexts, commands and whole event trails), and for the values where the
schema does the models' work (decimal strings, JSON numbers, currencies, timestamps, days)
the schema accepts a document exactly when the model does, over generated inputs.
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import jsonschema
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import ordercore
from ordercore import lifecycle
from ordercore._base import EXACT, Entity, decimal_field
from ordercore.events import Actor, OrderEvent, parse_event
from ordercore.money import Money
from ordercore.schema import json_schema, models, validate_json_data
from ordercore.testing.factories import make_order
from ordercore.testing.strategies import command_sequences, commands, orders, review_contexts
from ordercore.testing.walks import drive

_BASES = (Entity, lifecycle.Command, lifecycle.Movement, OrderEvent)


@functools.cache
def _validator(name: str, mode: str = "validation") -> jsonschema.protocols.Validator:
    schema = json_schema(name, mode=mode)  # type: ignore[arg-type]
    return jsonschema.Draft202012Validator(schema)


def _schema_accepts(name: str, document: Any, mode: str = "validation") -> bool:
    return _validator(name, mode).is_valid(document)


def _model_accepts(model: type[BaseModel], document: object) -> bool:
    try:
        model.model_validate_json(json.dumps(document))
    except (pydantic.ValidationError, ValueError):  # commands raise InvalidCommand
        return False
    return True


def _fields_accepted(model: type[BaseModel], document: object) -> bool:
    """Whether every field is valid: rules across fields (errors at no field) are left out."""
    try:
        model.model_validate_json(json.dumps(document))
    except pydantic.ValidationError as error:
        return all(not problem["loc"] for problem in error.errors())
    return True


# --- coverage -----------------------------------------------------------------------


def _public_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for info in pkgutil.walk_packages(ordercore.__path__, "ordercore."):
        if "._" in info.name or info.name.startswith("ordercore.testing"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and issubclass(value, BaseModel) and value not in _BASES:
                found.add(value)
    return found


def test_every_public_entity_command_and_event_has_a_schema() -> None:
    assert _public_models() <= set(models().values())


def test_the_schemas_cover_events_commands_and_review_snapshots() -> None:
    assert {"OrderApproved", "QuantityShipped", "Ship", "PlaceHold", "ReviewContext"} <= set(
        models()
    )


@pytest.mark.parametrize("name", [*models(), "Event"])
def test_no_public_schema_leaves_a_decimal_bound_to_the_model(name: str) -> None:
    assert "checked by the model only" not in json.dumps(json_schema(name))


def test_a_hosts_model_with_other_decimal_bounds_gets_a_schema_that_says_so() -> None:
    class Discounted(Entity):
        price: Annotated[Decimal, decimal_field(ge=5, le=10), EXACT]

    price = json_schema(Discounted)["$defs"]["Decimal_ge_5_le_10"]
    assert price["anyOf"][0] == {"type": "integer", "minimum": 5, "maximum": 10}
    assert price["anyOf"][1]["$comment"] == "checked by the model only: le 10, ge 5"


@pytest.mark.parametrize("mode", ["validation", "serialization"])
@pytest.mark.parametrize("name", [*models(), "Event"])
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str, mode: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(name, mode=mode))  # type: ignore[arg-type]


# --- what the models write, the schema accepts ---------------------------------------

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(orders())
def test_a_generated_order_validates_under_the_schema_and_the_model(order: Any) -> None:
    document = json.loads(order.model_dump_json())
    assert _schema_accepts("Order", document)
    assert _schema_accepts("Order", document, "serialization")
    assert type(order).model_validate_json(json.dumps(document)) == order


@_SETTINGS
@given(review_contexts(customers=2))
def test_a_generated_review_context_validates_under_the_schema_and_the_model(
    context: Any,
) -> None:
    document = json.loads(context.model_dump_json())
    assert _schema_accepts("ReviewContext", document)
    assert _schema_accepts("ReviewContext", document, "serialization")
    assert type(context).model_validate_json(json.dumps(document)) == context


@_SETTINGS
@given(commands())
def test_a_generated_command_validates_under_its_schema_and_its_model(command: Any) -> None:
    if not isinstance(command, lifecycle.Command):
        return  # the approve marker: `Approve` carries a review result, never JSON
    document = json.loads(command.model_dump_json())
    name = type(command).__name__
    assert _schema_accepts(name, document)


# A command reads back the JSON it writes: decimal strings, timestamps and array pairs.
@pytest.mark.parametrize(
    "command",
    [
        lifecycle.Allocate(line_id="1", quantity=Decimal("1.5")),
        lifecycle.AmendOrder(quantities=(("1", Decimal(1)),)),
    ],
    ids=lambda command: type(command).__name__,
)
def test_a_command_reads_back_its_own_json(command: lifecycle.Command) -> None:
    assert type(command).model_validate_json(command.model_dump_json()) == command


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_sequences(max_size=30))
def test_every_event_of_a_generated_trail_validates_under_the_schema(sequence: Any) -> None:
    at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    _, events = drive(make_order(), sequence, at=at, actor=Actor.user("li.wei"))
    for event in events:
        document = json.loads(event.model_dump_json())
        assert _schema_accepts("Event", document), event.type
        assert _schema_accepts(type(event).__name__, document, "serialization"), event.type
        assert parse_event(json.dumps(document)) == event


# --- the schema refuses what the models refuse -------------------------------------------


def _order_document(**line_changes: object) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(make_order().model_dump_json())
    document["lines"][0].update(line_changes)
    return document


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": 1.5},
        {"quantity": "abc"},
        {"quantity": "1.5e3"},
        {"quantity": "-1"},
        {"quantity": "0.0000001"},
        {"quantity": True},
        {"unit_price": {"amount": "12.50", "currency": "XYZ"}},
        {"unit_price": {"amount": 12.5, "currency": "CNY"}},
        {"discount_rate": "1.01"},
        {"requested_delivery_at": "2026-03-09T09:30:00"},
        {"requested_delivery_at": "2026-02-30T09:30:00Z"},
    ],
    ids=str,
)
def test_a_document_the_model_refuses_is_refused_by_the_schema(change: dict[str, Any]) -> None:
    document = _order_document(**change)
    assert not _model_accepts(type(make_order()), document)
    assert not _schema_accepts("Order", document)


def test_an_unknown_order_currency_is_refused_by_both() -> None:
    document = _order_document()
    document["currency"] = "XYZ"
    assert not _model_accepts(type(make_order()), document)
    assert not _schema_accepts("Order", document)


def test_approve_cannot_come_from_json_under_either() -> None:
    document = {"verdict": {"order_id": "SO-1", "order_version": 1, "passed": True}}
    assert not _model_accepts(lifecycle.Approve, document)
    assert not _schema_accepts("Approve", document)


# --- generated inputs: the schema accepts exactly what the model accepts -----------------

_DIGITS = st.text("0123456789", min_size=1, max_size=12)
_EXPONENT = st.integers(min_value=-40, max_value=40).map(lambda n: f"{n:+d}")
_PLAIN = st.builds(
    lambda sign, whole, fraction: f"{sign}{whole}{fraction}",
    st.sampled_from(["", "", "-", "+"]),
    _DIGITS,
    st.one_of(st.just(""), _DIGITS.map(lambda d: "." + d), st.just(".")),
)
_SCIENTIFIC = st.builds(
    lambda sign, mantissa, e, exponent: f"{sign}{mantissa}{e}{exponent}",
    st.sampled_from(["", "-"]),
    st.one_of(
        st.integers(0, 9).map(str),
        st.builds(lambda d, f: f"{d}.{f}", st.integers(0, 9), _DIGITS),
        _DIGITS,
    ),
    st.sampled_from(["E", "e"]),
    st.one_of(_EXPONENT, st.integers(0, 40).map(str), st.just("+02")),
)
# Decimals as Python writes them (the scientific spellings among them), and numbers near
# the bounds and the places of every field.
_WRITTEN = st.decimals(allow_nan=False, allow_infinity=False).map(str)
_NEAR = st.sampled_from(
    ["0", "-0", "-0.00", "0.5", "0.500", "0.5000001", "1", "1.000000", "1.0000001", "1E+9",
     "1.0E+9", "1.1E+9", "1000000000.0000001", "100000", "100000.5", "1E+14", "-1E+14",
     "100000000000000.00000001", "0E-8", "0E-31", "1E-8", "1E-9", "1.5E-7", "007", "1E+30",
     "1E+31", "9" * 31, "9" * 32, "0." + "0" * 29 + "1", "0." + "0" * 30 + "1"]
)  # fmt: skip
_TEXTS = st.one_of(_PLAIN, _SCIENTIFIC, _WRITTEN, _NEAR, st.text("0123456789.-+eE_ ", max_size=8))
_NUMBERS = st.one_of(
    st.integers(min_value=-(10**33), max_value=10**33),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    st.booleans(),
)
_VALUES = st.one_of(_TEXTS, _TEXTS, _NUMBERS)


def _line_with(**fields: object) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(make_order().lines[0].model_dump_json())
    return {**line, **fields}


# name, model, a document around a value: one per kind of decimal the models have.
_DECIMAL_FIELDS: list[tuple[str, Any]] = [
    ("LineLedger", lambda v: {"shipped": v}),  # quantity: 0 to 1E+9, 6 places
    ("Money", lambda v: {"amount": v, "currency": "CNY"}),  # amount: |x| <= 1E+14, 8 places
    ("OrderLine", lambda v: _line_with(quantity=v)),  # positive quantity
    ("OrderLine", lambda v: _line_with(discount_rate=v)),  # rate: 0 to 1, 6 places
    ("OrderLine", lambda v: _line_with(over_delivery_tolerance=v)),  # 0 to 0.5, any places
    ("PackagingRequirements", lambda v: {"max_package_weight_kg": v}),  # (0, 1E+5]
    ("CustomerProfile", lambda v: {"customer_id": "C-1", "past_order_values": [v]}),  # >= 0
    ("Product", lambda v: {"sku": "S", "uom": "pcs", "pack_multiple": v}),  # > 0, no bound
    ("PriceList", lambda v: {"currency": "CNY", "prices": {}, "tolerance": v}),  # 0 to 1
]


@pytest.mark.parametrize(
    ("name", "document"),
    _DECIMAL_FIELDS,
    ids=[f"{n}-{i}" for i, (n, _) in enumerate(_DECIMAL_FIELDS)],
)
@settings(max_examples=300, deadline=None)
@given(value=_VALUES)
def test_the_schema_accepts_a_decimal_exactly_when_the_model_does(
    name: str, document: Any, value: object
) -> None:
    candidate = document(value)
    assert _schema_accepts(name, candidate) == _fields_accepted(models()[name], candidate)


_TIMESTAMPS = st.builds(
    lambda day, sep, time, offset: f"{day}{sep}{time}{offset}",
    st.one_of(
        st.dates().map(str),
        st.sampled_from(["2026-02-29", "2024-02-29", "2100-02-29", "2000-02-29", "2026-04-31"]),
        st.sampled_from(["2026-13-01", "2026-00-10", "26-03-02", "2026-3-2", "0000-01-01"]),
    ),
    st.sampled_from(["T", "t", " ", "_", ""]),
    st.sampled_from(
        ["09:30:00", "09:30", "23:59:59.999999", "09:30:00,5", "24:00:00", "09:60:00",
         "23:59:60", "9:30:00", "09:30:00.", "09:30:00.1234567"]
    ),
    st.sampled_from(["Z", "z", "+08:00", "+0800", "-00:00", "+23:59", "+24:00", "+08", "", "+8:00"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_TIMESTAMPS)
def test_the_schema_accepts_a_timestamp_exactly_when_the_model_does(text: str) -> None:
    document = {"placed_by": "li.wei", "hold_id": "H", "reason": "credit", "blocks": ["ship"]}
    candidate = {**document, "placed_at": text}
    model = models()["Hold"]
    assert _schema_accepts("Hold", candidate) == _model_accepts(model, candidate)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from(["CNY", "USD", "JPY", "KWD"]), st.text(max_size=4)))
def test_the_schema_accepts_a_currency_exactly_when_the_model_does(code: str) -> None:
    candidate = {"amount": "1", "currency": code}
    assert _schema_accepts("Money", candidate) == _model_accepts(Money, candidate)


# --- JSON that arrives parsed -------------------------------------------------------------


def test_a_dict_parsed_from_json_validates_as_its_json_text_does() -> None:
    order = make_order()
    data = json.loads(order.model_dump_json())
    assert validate_json_data(type(order), data) == order


def test_the_strict_python_rules_refuse_that_dict() -> None:
    data = json.loads(make_order().model_dump_json())
    with pytest.raises(pydantic.ValidationError, match="validate_json_data"):
        type(make_order()).model_validate(data)


def test_a_float_in_parsed_json_is_refused_with_the_parse_float_hint() -> None:
    data = json.loads('{"amount": 12.50, "currency": "CNY"}')
    with pytest.raises(pydantic.ValidationError, match=r"parse_float=Decimal"):
        validate_json_data(Money, data)


def test_json_parsed_with_decimal_floats_keeps_the_amount_exact() -> None:
    data = json.loads('{"amount": 12.50, "currency": "CNY"}', parse_float=Decimal)
    assert validate_json_data(Money, data).amount == Decimal("12.50")


def test_a_float_in_a_json_text_is_refused_with_the_parse_float_hint() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"parse_float=Decimal"):
        Money.model_validate_json('{"amount": 12.5, "currency": "CNY"}')


def test_a_value_that_is_not_json_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a JSON value"):
        validate_json_data(Money, {"amount": object(), "currency": "CNY"})
