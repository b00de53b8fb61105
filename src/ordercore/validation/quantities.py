"""Quantity rules: positive quantities, minimum order quantity, pack multiple, maximum.

The limits come from the product master (`ReviewContext.products`); a line whose product is
not in it is skipped here and reported once by
[`product_known`][ordercore.validation.products.product_known]. Quantities compared are the
ordered quantities (`OrderLine.quantity`), in the line's unit of measure.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import Product, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="web", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(30), uom="pcs",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC),
    ...     products={"BOLT": Product(sku="BOLT", uom="pcs", moq=Decimal(50),
    ...                               pack_multiple=Decimal(25))})
    >>> [issue.code for issue in minimum_order_quantity()(order, context)]
    ['quantity.below_moq']
    >>> [str(issue) for issue in pack_multiple()(order, context)]
    ['lines[0].quantity: line 1 (BOLT) orders 30, not a multiple of the pack size 25 [quantity.not_pack_multiple]']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.validation._prepared import order_facts
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = [
    "maximum_quantity",
    "minimum_order_quantity",
    "pack_multiple",
    "positive_quantities",
]

_POSITIVE: Final = "positive_quantities"
_MOQ: Final = "minimum_order_quantity"
_PACK: Final = "pack_multiple"
_MAX: Final = "maximum_quantity"


def positive_quantities() -> Rule:
    """Every line orders more than zero, and something is left open on the order.

    Codes: ``quantity.not_positive`` (a line ordering zero or less; the model refuses this,
    so it only appears for orders built without validation) and ``quantity.nothing_open``
    (every line fully cancelled). A single fully cancelled line is fine.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        facts = order_facts(order, context)
        not_positive = facts.failures.get("not_positive", ())
        if not not_positive and not facts.nothing_open:
            return []
        issues = [
            make_issue(
                "quantity.not_positive",
                rule=_POSITIVE,
                path=f"lines[{index}].quantity",
                observed=order.lines[index].quantity,
                expected="> 0",
                line_id=order.lines[index].line_id,
            )
            for index in not_positive
        ]
        if facts.nothing_open:
            issues.append(
                make_issue(
                    "quantity.nothing_open",
                    rule=_POSITIVE,
                    path="lines",
                    observed=0,
                    expected="> 0",
                )
            )
        return issues

    return Rule(_POSITIVE, check, description="Every line orders more than zero.")


def _limit_rule(name: str, kind: str, code: str, attribute: str, description: str) -> Rule:
    def check(order: Order, context: ReviewContext) -> list[Issue]:
        failing = order_facts(order, context).failures.get(kind)
        if not failing:
            return []
        products = context.products
        issues = []
        for index in failing:
            line = order.lines[index]
            issues.append(
                make_issue(
                    code,
                    rule=name,
                    path=f"lines[{index}].quantity",
                    observed=line.quantity,
                    expected=getattr(products[line.sku], attribute),
                    line_id=line.line_id,
                    sku=line.sku,
                )
            )
        return issues

    return Rule(name, check, description=description)


def minimum_order_quantity() -> Rule:
    """Each line orders at least its product's minimum order quantity (`Product.moq`).

    Code: ``quantity.below_moq``. Products without a MOQ are not checked; ordering exactly
    the MOQ passes.
    """
    return _limit_rule(
        _MOQ, "below_moq", "quantity.below_moq", "moq", "Each line orders at least the MOQ."
    )


def pack_multiple() -> Rule:
    """Each line orders a whole multiple of its product's pack size (`Product.pack_multiple`).

    Code: ``quantity.not_pack_multiple``. The remainder is computed exactly in `Decimal`
    (a pack of 0.5 kg accepts 2.5 kg).
    """
    return _limit_rule(
        _PACK,
        "not_pack",
        "quantity.not_pack_multiple",
        "pack_multiple",
        "Each line orders whole packs.",
    )


def maximum_quantity() -> Rule:
    """Each line orders at most its product's maximum per line (`Product.max_quantity`).

    Code: ``quantity.above_max``. Ordering exactly the maximum passes.
    """
    return _limit_rule(
        _MAX,
        "above_max",
        "quantity.above_max",
        "max_quantity",
        "Each line orders at most the product's maximum.",
    )
