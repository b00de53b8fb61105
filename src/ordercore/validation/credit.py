"""Customer and credit rules: known customer, not blocked, credit limit, overdue items.

The credit check is **exposure + this order > limit → failure** (strictly greater, as
ERPNext's `check_credit_limit`): an order that brings the exposure exactly to the limit
passes. *Exposure* is `CustomerProfile.open_exposure` as the host computed it (open orders,
deliveries, invoices and receivables, as SAP and ERPNext count it) and must not already
include the order under review; *this order* is its gross total (with tax) by default. The
sum is exact, whatever decimal context the caller has set.

Customer profiles come from `ReviewContext.customers`; a customer without a profile is
reported once, by [`customer_known`][ordercore.validation.credit.customer_known], and the
other customer rules skip it.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import CustomerProfile, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="web", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("10", "CNY"))])
    >>> profile = CustomerProfile(customer_id="C-1", credit_limit=Money.of("5000", "CNY"),
    ...                           open_exposure=Money.of("4000", "CNY"))
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC), customers={"C-1": profile})
    >>> credit_limit_respected()(order, context)
    []
    >>> line = OrderLine.model_validate({**order.lines[0].model_dump(), "quantity": Decimal(101)})
    >>> bigger = Order.model_validate({**order.model_dump(), "lines": [line]})
    >>> credit_limit_respected()(bigger, context)[0].message_en
    'credit limit exceeded for customer C-1: open exposure 4000 CNY + this order 1010.00 CNY = 5010.00 CNY > limit 5000 CNY'
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

from ordercore._base import ARITHMETIC
from ordercore.validation._prepared import line_net, order_facts, order_gross, quantum
from ordercore.validation.codes import make_issue
from ordercore.validation.issues import IssueSeverity
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = [
    "credit_limit_respected",
    "customer_known",
    "customer_not_blocked",
    "overdue_within_limit",
]

_KNOWN: Final = "customer_known"
_BLOCKED: Final = "customer_not_blocked"
_LIMIT: Final = "credit_limit_respected"
_OVERDUE: Final = "overdue_within_limit"
_ZERO: Final = Decimal(0)
_add = ARITHMETIC.add


def customer_known() -> Rule:
    """The ordering customer has a profile in `ReviewContext.customers`.

    Code: ``customer.unknown``.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        customer_id = order.customer.customer_id
        if customer_id in context.customers:
            return []
        return [
            make_issue(
                "customer.unknown",
                rule=_KNOWN,
                path="customer.customer_id",
                observed=customer_id,
                expected="a customer profile",
            )
        ]

    return Rule(_KNOWN, check, description="The customer has a profile.")


def customer_not_blocked() -> Rule:
    """The customer is not blocked for new orders (`CustomerProfile.blocked`).

    Code: ``credit.blocked``.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        profile = context.customers.get(order.customer.customer_id)
        if profile is None or not profile.blocked:
            return []
        return [
            make_issue(
                "credit.blocked",
                rule=_BLOCKED,
                path="customer",
                observed=True,
                expected=False,
                customer=profile.customer_id,
            )
        ]

    return Rule(_BLOCKED, check, description="The customer is not blocked.")


def _amount(order: Order, *, include_tax: bool) -> Decimal:
    if include_tax:
        return order_gross(order)
    step = quantum(order.currency)
    total = _ZERO
    for line in order.lines:
        total = _add(total, line_net(line, step))
    return total


def credit_limit_respected(*, include_tax: bool = True, require_limit: bool = False) -> Rule:
    """Open exposure plus this order stays within the credit limit.

    Fails when ``open_exposure + order amount > credit_limit`` (strict ``>``; reaching the
    limit exactly passes). Codes: ``credit.limit_exceeded``; ``credit.no_limit`` when the
    profile has no limit (a warning, an error with `require_limit`); ``credit.exposure_unknown``
    (a warning: exposure `None`, the order alone is compared); ``credit.not_comparable`` when
    the limit or the exposure is in another currency than the order.

    Args:
        include_tax: Count the order's gross total (default) rather than its net total.
        require_limit: Treat a customer without a credit limit as an error.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        profile = context.customers.get(order.customer.customer_id)
        if profile is None:
            return []
        currency = order.currency
        limit = profile.credit_limit
        if limit is None:
            amount = _amount(order, include_tax=include_tax)
            return [
                make_issue(
                    "credit.no_limit",
                    rule=_LIMIT,
                    path="customer",
                    observed=f"{amount} {currency}",
                    expected="a credit limit",
                    severity=IssueSeverity.ERROR if require_limit else None,
                    customer=profile.customer_id,
                )
            ]
        exposure = profile.open_exposure
        if (
            exposure is not None
            and limit.currency == currency
            and exposure.currency == currency
            and _add(exposure.amount, order_facts(order, context).gross_bound) <= limit.amount
            and include_tax
        ):
            return []  # far enough below the limit that the exact total cannot matter
        customer = profile.customer_id
        amount = _amount(order, include_tax=include_tax)
        for money, what, what_zh in (
            (limit, "credit limit", "信用额度"),
            (exposure, "open exposure", "未清敞口"),
        ):
            if money is not None and money.currency != currency:
                return [
                    make_issue(
                        "credit.not_comparable",
                        rule=_LIMIT,
                        path="currency",
                        observed=money.currency,
                        expected=currency,
                        customer=customer,
                        what=what,
                        what_zh=what_zh,
                    )
                ]
        issues: list[Issue] = []
        owed = amount if exposure is None else _add(exposure.amount, amount)
        if owed > limit.amount:
            issues.append(
                make_issue(
                    "credit.limit_exceeded",
                    rule=_LIMIT,
                    path="customer",
                    observed=f"{owed} {currency}",
                    expected=str(limit),
                    customer=customer,
                    exposure=str(exposure) if exposure is not None else "unknown",
                    amount=f"{amount} {currency}",
                )
            )
        if exposure is None:
            issues.append(
                make_issue(
                    "credit.exposure_unknown",
                    rule=_LIMIT,
                    path="customer",
                    observed=f"{amount} {currency}",
                    expected=str(limit),
                    customer=customer,
                )
            )
        return issues

    params = (("include_tax", include_tax), ("require_limit", require_limit))
    return Rule(_LIMIT, check, params, "Exposure plus this order stays within the credit limit.")


def overdue_within_limit(*, max_days: int = 30, max_amount: Decimal = _ZERO) -> Rule:
    """The customer has nothing overdue for longer than allowed (IFS-style overdue check).

    Fails when ``overdue_days > max_days`` and the overdue amount is above `max_amount`
    (or unknown). A profile with no overdue days recorded (`None`) has nothing to check.
    Code: ``credit.overdue``.

    Args:
        max_days: Days past due still tolerated (default 30; exactly 30 passes).
        max_amount: An overdue amount, in the profile's currency, small enough to ignore.

    Raises:
        ValueError: If `max_days` or `max_amount` is negative.
    """
    if max_days < 0 or max_amount < 0:
        raise ValueError(
            f"max_days and max_amount must be zero or more, got {max_days} and {max_amount}"
        )

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        profile = context.customers.get(order.customer.customer_id)
        if profile is None or profile.overdue_days is None or profile.overdue_days <= max_days:
            return []
        overdue = profile.overdue_amount
        if overdue is not None and overdue.amount <= max_amount:
            return []
        return [
            make_issue(
                "credit.overdue",
                rule=_OVERDUE,
                path="customer",
                observed=profile.overdue_days,
                expected=max_days,
                customer=profile.customer_id,
                amount="an unknown amount" if overdue is None else str(overdue),
                amount_zh="未知金额" if overdue is None else str(overdue),
            )
        ]

    params = (("max_days", max_days), ("max_amount", max_amount))
    return Rule(_OVERDUE, check, params, "Nothing is overdue for longer than allowed.")
