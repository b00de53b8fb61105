"""Header amendments and re-promises: one definition of what they change, for apply and replay.

`AmendHeader` and its event `HeaderAmended` carry the same fields, so
[`header_changes`][ordercore.lifecycle.header.header_changes] reads either: `apply` decides
with it and `replay` folds with it. The guards build the amended order with the `Order`
model's own validators, so a change is refused for whatever the model refuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

from pydantic import ValidationError

from ordercore._refusals import (
    Refusal,
    before_receipt,
    error_refusal,
    no_line,
    refusal,
    validation_refusal,
)
from ordercore.lifecycle.commands import AmendHeader, Command, Repromise, model_refusal
from ordercore.orders import Order

if TYPE_CHECKING:
    from collections.abc import Mapping
    from decimal import Decimal

    from ordercore.lifecycle.guards import GuardContext
    from ordercore.money import Money
    from ordercore.orders import Address, Contact, OrderLine, PackagingRequirements

__all__ = [
    "HEADER_FIELDS",
    "HeaderChange",
    "amended_header",
    "changed_fields",
    "header_amendment_valid",
    "header_changes",
    "repromise_valid",
]

HEADER_FIELDS: Final = ("ship_to", "contact", "customer_po", "confirmation_ref", "packaging")
"""The header fields `AmendHeader` changes (besides line prices and discounts)."""
_LINE_FIELDS: Final = {"unit_prices": "unit_price", "discount_rates": "discount_rate"}
CHANGES_NOTHING: Final = Refusal("the amendment changes nothing", "本次变更没有改动任何内容")
"""The refusal of an amendment (of lines or of the header) that changes nothing."""


class HeaderChange(Protocol):
    """What `AmendHeader` and `HeaderAmended` both carry."""

    @property
    def ship_to(self) -> Address | None: ...  # noqa: D102 - the command's documented fields
    @property
    def contact(self) -> Contact | None: ...  # noqa: D102
    @property
    def customer_po(self) -> str | None: ...  # noqa: D102
    @property
    def confirmation_ref(self) -> str | None: ...  # noqa: D102
    @property
    def packaging(self) -> PackagingRequirements | None: ...  # noqa: D102
    @property
    def unit_prices(self) -> tuple[tuple[str, Money], ...]: ...  # noqa: D102
    @property
    def discount_rates(self) -> tuple[tuple[str, Decimal], ...]: ...  # noqa: D102


def changed_fields(order: Order, change: HeaderChange) -> tuple[str, ...]:
    """The names of the fields the change really changes (header fields, then line fields)."""
    names = [
        name
        for name in HEADER_FIELDS
        if getattr(change, name) is not None and getattr(change, name) != getattr(order, name)
    ]
    for name, line_field in _LINE_FIELDS.items():
        values: tuple[tuple[str, Any], ...] = getattr(change, name)
        lines = {line.line_id: line for line in order.lines}
        if any(
            line_id not in lines or getattr(lines[line_id], line_field) != value
            for line_id, value in values
        ):
            names.append(name)
    return tuple(names)


def header_changes(order: Order, change: HeaderChange) -> dict[str, Any]:
    """The order's field values after the change (lines rebuilt where prices change)."""
    changes: dict[str, Any] = {
        name: getattr(change, name) for name in HEADER_FIELDS if getattr(change, name) is not None
    }
    per_line: dict[str, dict[str, Any]] = {}
    for name, line_field in _LINE_FIELDS.items():
        for line_id, value in getattr(change, name):
            per_line.setdefault(line_id, {})[line_field] = value
    if per_line:
        changes["lines"] = tuple(
            line.model_copy(update=per_line[line.line_id]) if line.line_id in per_line else line
            for line in order.lines
        )
    return changes


def amended_header(order: Order, change: HeaderChange) -> Order:
    """The order as the change leaves it, built with the `Order` model's own validators.

    Raises:
        ValueError: With the model's message, if the result would not be a valid order.
    """
    values = dict(order.__dict__)
    values["totals"] = None  # the totals of the lines as they stand, not these
    values.update(header_changes(order, change))
    if "lines" in values:
        values["lines"] = [dict(line.__dict__) for line in values["lines"]]
    return Order.model_validate(values)


def header_amendment_valid(order: Order, command: Command, _: GuardContext) -> str | None:
    """A header amendment changes something, prices only where nothing is invoiced."""
    assert isinstance(command, AmendHeader)  # noqa: S101 - routed by the table
    if not changed_fields(order, command):
        return CHANGES_NOTHING
    lines: Mapping[str, OrderLine] = {line.line_id: line for line in order.lines}
    for name in _LINE_FIELDS:
        for line_id, _value in getattr(command, name):
            line = lines.get(line_id)
            if line is None:
                return no_line(order, line_id)
            if line.ledger.invoiced:
                return refusal(
                    f"line {line_id} is invoiced ({line.ledger.invoiced}); its price and "
                    "discount no longer change",
                    f"第 {line_id} 行已开票（{line.ledger.invoiced}）；其单价和折扣不能再变更",
                )
    try:
        amended_header(order, command)
    except ValidationError as error:
        return validation_refusal(error, model_refusal(error))
    except ValueError as error:
        return error_refusal(error)
    return None


def repromise_valid(order: Order, command: Command, _: GuardContext) -> str | None:
    """A re-promise names a new date, not before the order was received."""
    assert isinstance(command, Repromise)  # noqa: S101 - routed by the table
    promised = command.promised_delivery_at
    if promised == order.promised_delivery_at:
        return refusal(
            f"the order is already promised for {promised.isoformat()}",
            f"订单的承诺交期已是 {promised.isoformat()}",
        )
    if promised < order.received_at:
        return before_receipt(order, "promised_delivery_at", "承诺交期", promised)
    return None
