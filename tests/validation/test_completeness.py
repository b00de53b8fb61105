from __future__ import annotations

from _validation_support import codes, good_order, make_context
from ordercore import Address, Contact, Order
from ordercore.validation.completeness import contact_complete, ship_to_complete


def _address(**fields: str | None) -> Order:
    values: dict[str, str | None] = {
        "name": "Acme",
        "line1": "1 Road",
        "city": "Suzhou",
        "country": "CN",
    }
    values.update(fields)
    return good_order(ship_to=Address.model_validate(values))


def test_a_complete_address_passes() -> None:
    assert ship_to_complete()(good_order(), make_context()) == []


def test_a_missing_address_fails() -> None:
    assert codes(ship_to_complete()(good_order(ship_to=None), make_context())) == [
        "address.missing"
    ]


def test_each_blank_address_field_is_reported() -> None:
    issues = ship_to_complete()(_address(line1="", city=""), make_context())
    assert [(i.code, i.path) for i in issues] == [
        ("address.incomplete", "ship_to.line1"),
        ("address.incomplete", "ship_to.city"),
    ]


def test_a_postal_code_is_optional_by_default() -> None:
    assert ship_to_complete()(_address(), make_context()) == []


def test_a_postal_code_can_be_required() -> None:
    issues = ship_to_complete(require_postal_code=True)(_address(), make_context())
    assert [i.path for i in issues] == ["ship_to.postal_code"]


def test_a_reachable_contact_passes() -> None:
    assert contact_complete()(good_order(), make_context()) == []


def test_a_contact_with_only_an_email_passes() -> None:
    order = good_order(contact=Contact(name="Li", email="li@example.com"))
    assert contact_complete()(order, make_context()) == []


def test_a_missing_contact_fails() -> None:
    assert codes(contact_complete()(good_order(contact=None), make_context())) == [
        "contact.missing"
    ]


def test_a_contact_without_phone_or_email_is_unreachable() -> None:
    order = good_order(contact=Contact(name="Li", phone=""))
    assert codes(contact_complete()(order, make_context())) == ["contact.unreachable"]


def test_a_contact_without_a_name_is_incomplete() -> None:
    order = good_order(contact=Contact(name="", phone="123"))
    assert codes(contact_complete()(order, make_context())) == ["contact.incomplete"]
