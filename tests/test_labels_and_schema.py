from __future__ import annotations

import json
from enum import Enum  # noqa: TC003 - pytest evaluates the annotation at collection

import jsonschema
import pytest

import ordercore.errors
from _support import make_order
from ordercore import (
    Channel,
    CurrencyMismatch,
    Dimension,
    LedgerField,
    OrderStatus,
    Progress,
    label,
)
from ordercore.labels import LABELS, labels_for
from ordercore.schema import ENTITIES, json_schema

LABELLED_ENUMS = [OrderStatus, Progress, Channel, Dimension, LedgerField]


@pytest.mark.parametrize("enum", LABELLED_ENUMS, ids=lambda e: e.__name__)
def test_every_member_of_a_labelled_enum_has_english_and_chinese_labels(enum: type[Enum]) -> None:
    for member in enum:
        assert label(member, "en")
        assert label(member, "zh")


def test_every_error_code_has_both_labels() -> None:
    errors = [getattr(ordercore.errors, name) for name in ordercore.errors.__all__]
    classes = [e for e in errors if isinstance(e, type) and issubclass(e, Exception)]
    assert len(classes) >= len(errors) - 1  # FrameProblem, a value an error carries
    for error in classes:
        assert label(error, "en")
        assert label(error, "zh")


def test_label_accepts_an_error_instance() -> None:
    assert label(CurrencyMismatch("USD", "EUR", "add")) == "Currency mismatch"


def test_zh_cn_is_an_alias_of_zh() -> None:
    assert label(OrderStatus.CLOSED, "zh-CN") == "已关闭"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported label language 'fr'"):
        label(OrderStatus.CLOSED, "fr")


def test_unknown_item_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no label for error 'nope'"):
        label(("error", "nope"))


def test_labels_are_never_blank_and_chinese_labels_are_chinese() -> None:
    for (namespace, value), (en, zh) in LABELS.items():
        assert en.strip(), (namespace, value)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (namespace, value)


def test_labels_for_lists_one_namespace() -> None:
    assert set(labels_for("Channel")) == {c.value for c in Channel}


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_every_public_entity_exports_a_json_schema(name: str) -> None:
    schema = json_schema(name)
    assert schema["title"] == name
    json.dumps(schema)


def test_a_serialised_order_validates_against_its_schema() -> None:
    instance = json.loads(make_order(notes="x").model_dump_json())
    jsonschema.validate(instance, json_schema("Order"))
    jsonschema.validate(instance, json_schema("Order", mode="serialization"))


def test_the_schema_rejects_an_order_without_lines() -> None:
    instance = json.loads(make_order().model_dump_json())
    del instance["lines"]
    with pytest.raises(jsonschema.ValidationError, match="'lines' is a required property"):
        jsonschema.validate(instance, json_schema("Order"))


def test_unknown_entity_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"known: .*Address"):
        json_schema("Quotation")  # Invoice is a command, which has a schema too
