"""Completeness rules: a delivery address and a contact someone can reach.

The model accepts empty strings in address and contact fields (a half-keyed fax order);
these rules say what is missing. Whitespace-only text counts as missing.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import Address, Contact, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="phone", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     ship_to=Address(name="Acme", line1="", city="Suzhou", country="CN"),
    ...     contact=Contact(name="Wang Fang"),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC))
    >>> [str(issue) for issue in ship_to_complete()(order, context)]
    ['ship_to.line1: the delivery address has no street line [address.incomplete]']
    >>> contact_complete()(order, context)[0].message_zh
    '联系人 Wang Fang 既没有电话也没有电子邮件'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["contact_complete", "ship_to_complete"]

_ADDRESS: Final = "ship_to_complete"
_CONTACT: Final = "contact_complete"
_ADDRESS_FIELDS: Final = (
    ("name", "recipient name", "收货人"),
    ("line1", "street line", "街道地址"),
    ("city", "city", "城市"),
)
_POSTAL: Final = ("postal_code", "postal code", "邮政编码")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def ship_to_complete(*, require_postal_code: bool = False) -> Rule:
    """The order has a delivery address with recipient, street line and city.

    Codes: ``address.missing`` (no `ship_to`) and ``address.incomplete`` (one issue per
    blank field). The country is always present (the model requires it).

    Args:
        require_postal_code: Also require a postal code (off by default: not every country
            uses them).
    """
    fields = (*_ADDRESS_FIELDS, _POSTAL) if require_postal_code else _ADDRESS_FIELDS

    def check(order: Order, _context: ReviewContext) -> list[Issue]:
        address = order.ship_to
        if address is None:
            return [
                make_issue("address.missing", rule=_ADDRESS, path="ship_to", expected="an address")
            ]
        if (
            address.name.strip()
            and address.line1.strip()
            and address.city.strip()
            and (not require_postal_code or not _blank(address.postal_code))
        ):
            return []
        return [
            make_issue(
                "address.incomplete",
                rule=_ADDRESS,
                path=f"ship_to.{name}",
                observed=getattr(address, name),
                expected=en,
                field=en,
                field_zh=zh,
            )
            for name, en, zh in fields
            if _blank(getattr(address, name))
        ]

    params = (("require_postal_code", require_postal_code),)
    return Rule(_ADDRESS, check, params, "The order has a complete delivery address.")


def contact_complete() -> Rule:
    """The order names a contact with a name and a phone number or an e-mail address.

    Codes: ``contact.missing`` (no `contact`), ``contact.incomplete`` (blank name) and
    ``contact.unreachable`` (neither phone nor e-mail).
    """

    def check(order: Order, _context: ReviewContext) -> list[Issue]:
        contact = order.contact
        if contact is None:
            return [
                make_issue("contact.missing", rule=_CONTACT, path="contact", expected="a contact")
            ]
        if contact.name.strip() and not (_blank(contact.phone) and _blank(contact.email)):
            return []  # the usual case, without building a list
        issues: list[Issue] = []
        if _blank(contact.name):
            issues.append(
                make_issue(
                    "contact.incomplete",
                    rule=_CONTACT,
                    path="contact.name",
                    observed=contact.name,
                    expected="a name",
                    field="name",
                    field_zh="姓名",
                )
            )
        if _blank(contact.phone) and _blank(contact.email):
            issues.append(
                make_issue(
                    "contact.unreachable",
                    rule=_CONTACT,
                    path="contact",
                    observed=None,
                    expected="a phone number or an e-mail address",
                    name=contact.name,
                )
            )
        return issues

    return Rule(_CONTACT, check, description="The order has a reachable contact.")
