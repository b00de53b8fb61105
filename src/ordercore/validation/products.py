"""Product rules: the product exists in the master, may be sold, and is ordered in its unit.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import Product, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="web", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(2), uom="kg",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC),
    ...     products={"BOLT": Product(sku="BOLT", uom="pcs")})
    >>> uom_matches_product()(order, context)[0].message_en
    'line 1 (BOLT) is in kg but the product is sold in pcs'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.validation._prepared import order_facts
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from collections.abc import Callable

    from ordercore.context import Product, ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["product_known", "product_sellable", "uom_matches_product"]

_KNOWN: Final = "product_known"
_SELLABLE: Final = "product_sellable"
_UOM: Final = "uom_matches_product"


def _line_rule(
    name: str,
    kind: str,
    code: str,
    *,
    field: str,
    expected: Callable[[Product], object],
    text: str,
) -> Rule:
    def check(order: Order, context: ReviewContext) -> list[Issue]:
        failing = order_facts(order, context).failures.get(kind)
        if not failing:
            return []
        products = context.products
        issues = []
        for index in failing:
            line = order.lines[index]
            product = products.get(line.sku)
            issues.append(
                make_issue(
                    code,
                    rule=name,
                    path=f"lines[{index}].{field}",
                    observed=getattr(line, field),
                    expected=expected(product) if product is not None else None,
                    line_id=line.line_id,
                    sku=line.sku,
                )
            )
        return issues

    return Rule(name, check, description=text)


def product_known() -> Rule:
    """Every line's SKU is in the product master (`ReviewContext.products`).

    Code: ``product.unknown``. The other product-based rules skip unknown products, so an
    unknown SKU is reported once, here.
    """
    return _line_rule(
        _KNOWN,
        "unknown",
        "product.unknown",
        field="sku",
        expected=lambda _: "a product in the master",
        text="Every SKU is in the product master.",
    )


def product_sellable() -> Rule:
    """Every line's product may be sold (`Product.sellable`).

    Code: ``product.not_sellable``.
    """
    return _line_rule(
        _SELLABLE,
        "not_sellable",
        "product.not_sellable",
        field="sku",
        expected=lambda _: "a sellable product",
        text="Every product may be sold.",
    )


def uom_matches_product() -> Rule:
    """Every line uses its product's unit of measure (`Product.uom`), compared exactly.

    Code: ``product.uom_mismatch``. No conversion is attempted: ``"PCS"`` and ``"pcs"``
    differ, because a host that converts units does so before review.
    """
    return _line_rule(
        _UOM,
        "uom",
        "product.uom_mismatch",
        field="uom",
        expected=lambda product: product.uom,
        text="Every line uses the product's unit of measure.",
    )
