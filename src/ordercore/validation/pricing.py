"""Money rules: prices against the price list, discount limits, totals, currency.

Prices are compared as unit prices before discount: a line passes when
``|unit price − list price| ≤ list price × tolerance`` (so a deviation of exactly the
tolerance passes). Discounts are checked separately against the largest discount allowed.
Every comparison is exact, whatever decimal context the caller has set; the deviation and
the tolerance in messages are percentages rounded half-even to two decimals, in one step
from the exact value.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import PriceList, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="web", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("0.80", "CNY"))])
    >>> prices = PriceList(currency="CNY", prices={"BOLT": Money.of("0.85", "CNY")},
    ...                    tolerance=Decimal("0.05"))
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC), price_list=prices)
    >>> price_matches_list()(order, context)[0].message_en
    'line 1 (BOLT) is priced 0.80 CNY, list price 0.85 CNY (deviation 5.88%, tolerance 5.00%)'
    >>> price_matches_list(tolerance=Decimal("0.06"))(order, context)
    []
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final

from ordercore._base import ARITHMETIC, ROUNDING
from ordercore.validation._prepared import exact_product, line_net, order_facts, order_gross
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule, missing_piece

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = [
    "currency_matches_customer",
    "discount_within_limit",
    "price_matches_list",
    "totals_consistent",
]

_PRICE: Final = "price_matches_list"
_DISCOUNT: Final = "discount_within_limit"
_TOTALS: Final = "totals_consistent"
_CURRENCY: Final = "currency_matches_customer"
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_BASIS_POINT: Final = Decimal("0.0001")
_subtract = ARITHMETIC.subtract


def _percent(fraction: Decimal) -> str:
    """A fraction as a percentage with two decimals, rounded half-even once.

    Examples:
        >>> _percent(Decimal("0.05")), _percent(Decimal("0.000050000000000000000000000000001"))
        ('5.00%', '0.01%')
    """
    rounded = fraction.quantize(_BASIS_POINT, ROUND_HALF_EVEN, ROUNDING)
    return f"{rounded.scaleb(2, ROUNDING)}%"


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` rounded half-even to four decimals, from the exact quotient.

    Examples:
        >>> _ratio(Decimal("0.05"), Decimal("0.85")), _ratio(Decimal(1), Decimal(8))
        (Decimal('0.0588'), Decimal('0.1250'))
    """
    return Decimal(round(Fraction(part) / Fraction(whole) * 10000)).scaleb(-4, ROUNDING)


def price_matches_list(*, tolerance: Decimal | None = None) -> Rule:
    """Each line's unit price is its list price, within a relative tolerance.

    Needs `ReviewContext.price_list` (`ConfigurationError` without it).
    Codes: ``price.off_list`` (outside the tolerance, in either direction),
    ``price.not_listed`` (a warning: the SKU has no list price) and ``price.list_currency``
    (the price list is in another currency; lines are then not compared).

    Args:
        tolerance: The relative deviation accepted (0.02 = 2 %); `None` uses the price
            list's own `tolerance`.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        price_list = context.price_list
        if price_list is None:
            raise missing_piece("price_list", _PRICE)
        if price_list.currency != order.currency:
            return [
                make_issue(
                    "price.list_currency",
                    rule=_PRICE,
                    path="currency",
                    observed=order.currency,
                    expected=price_list.currency,
                )
            ]
        candidates = order_facts(order, context).failures.get("price")
        if not candidates:
            return []
        allowed = price_list.tolerance if tolerance is None else tolerance
        prices = price_list.prices
        issues: list[Issue] = []
        for index in candidates:
            line = order.lines[index]
            listed = prices.get(line.sku)
            if listed is None:
                issues.append(
                    make_issue(
                        "price.not_listed",
                        rule=_PRICE,
                        path=f"lines[{index}].unit_price",
                        observed=line.sku,
                        expected="a list price",
                        line_id=line.line_id,
                    )
                )
                continue
            price = line.unit_price.amount
            list_amount = listed.amount
            if price == list_amount:
                continue
            gap = _subtract(price, list_amount).copy_abs()
            if gap > exact_product(list_amount, allowed):
                issues.append(
                    make_issue(
                        "price.off_list",
                        rule=_PRICE,
                        path=f"lines[{index}].unit_price",
                        observed=line.unit_price,
                        expected=listed,
                        line_id=line.line_id,
                        sku=line.sku,
                        deviation=_percent(_ratio(gap, list_amount)),
                        tolerance=_percent(allowed),
                    )
                )
        return issues

    return Rule(
        _PRICE,
        check,
        (("tolerance", tolerance),),
        "Unit prices match the price list within tolerance.",
    )


def discount_within_limit(*, max_rate: Decimal | None = None) -> Rule:
    """No line's discount rate exceeds the largest discount allowed.

    Code: ``price.discount_above_limit``. A discount of exactly the limit passes.

    Args:
        max_rate: The largest discount rate allowed (0.15 = 15 %); `None` uses the price
            list's `max_discount_rate` and then needs `ReviewContext.price_list`.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        limit = max_rate
        if limit is None:
            price_list = context.price_list
            if price_list is None:
                raise missing_piece("price_list", _DISCOUNT)
            limit = price_list.max_discount_rate
        if order_facts(order, context).max_discount <= limit:
            return []
        issues: list[Issue] = []
        for index, line in enumerate(order.lines):
            if line.discount_rate > limit:
                issues.append(
                    make_issue(
                        "price.discount_above_limit",
                        rule=_DISCOUNT,
                        path=f"lines[{index}].discount_rate",
                        observed=line.discount_rate,
                        expected=limit,
                        line_id=line.line_id,
                        sku=line.sku,
                    )
                )
        return issues

    return Rule(
        _DISCOUNT, check, (("max_rate", max_rate),), "Line discounts stay within the allowed limit."
    )


def totals_consistent(*, tolerance: Decimal = _ZERO) -> Rule:
    """The order's amounts add up.

    Codes: ``totals.line_rounds_to_zero`` (a line that is not free, discount below 100 %,
    whose net amount rounds to zero: usually a unit or price typed wrongly) and
    ``totals.stated_mismatch`` (the gross total differs from the total the customer's
    document states, `ReviewContext.stated_totals[order_id]`, by more than `tolerance`).
    An order without a stated total is checked for the first only: a stated total is
    optional by nature (web and EDI orders often carry none).

    Args:
        tolerance: The absolute difference in the order's currency still accepted
            (default 0: the totals agree to the minor unit).
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        issues: list[Issue] = []
        facts = order_facts(order, context)
        step = facts.step
        for index in facts.tiny:
            line = order.lines[index]
            if line.discount_rate < _ONE and line.quantity > line.ledger.cancelled:
                net = line_net(line, step)
                if not net:
                    issues.append(
                        make_issue(
                            "totals.line_rounds_to_zero",
                            rule=_TOTALS,
                            path=f"lines[{index}].unit_price",
                            observed=net,
                            expected=f"> 0 {order.currency}",
                            line_id=line.line_id,
                            sku=line.sku,
                            quantity=line.quantity,
                            price=line.unit_price,
                        )
                    )
        stated = context.stated_totals.get(order.order_id)
        if stated is not None:
            total = order_gross(order)
            if (
                stated.currency != order.currency
                or _subtract(stated.amount, total).copy_abs() > tolerance
            ):
                issues.append(
                    make_issue(
                        "totals.stated_mismatch",
                        rule=_TOTALS,
                        path="total",
                        observed=f"{total} {order.currency}",
                        expected=str(stated),
                    )
                )
        return issues

    return Rule(_TOTALS, check, (("tolerance", tolerance),), "The order's amounts add up.")


def currency_matches_customer() -> Rule:
    """The order is in the customer's billing currency (`CustomerProfile.currency`).

    Code: ``currency.customer_mismatch``. One order has one currency already (the model
    refuses mixed lines); a customer whose profile names no currency, or who is unknown
    (see `customer_known`), is not checked.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        profile = context.customers.get(order.customer.customer_id)
        if profile is None or profile.currency is None or profile.currency == order.currency:
            return []
        return [
            make_issue(
                "currency.customer_mismatch",
                rule=_CURRENCY,
                path="currency",
                observed=order.currency,
                expected=profile.currency,
                customer=profile.customer_id,
            )
        ]

    return Rule(_CURRENCY, check, description="The order is in the customer's currency.")
