"""Running a review: one order, or a batch against the same context.

`review` runs every rule of the rule set (it never stops at the first failure) and gathers
the issues into a [`ReviewResult`][ordercore.validation.issues.ReviewResult] bound to the
order's id and version. Business problems come back as issues; exceptions are for
programming and set-up mistakes: a context missing what a rule needs raises
`ConfigurationError`, and anything but an `Order` raises `TypeError` (a malformed record is
refused by `Order.model_validate` before it gets here).

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> from ordercore.validation.channel import confirmation_reference
    >>> from ordercore.validation.completeness import contact_complete
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="phone", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC))
    >>> result = review(order, context, [confirmation_reference(), contact_complete()])
    >>> result.passed, result.codes
    (False, ('channel.confirmation_missing', 'contact.missing'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ordercore.context import ReviewContext
from ordercore.errors import InvalidArgument
from ordercore.orders import Order
from ordercore.validation.issues import Issue, ReviewResult
from ordercore.validation.ruleset import DEFAULT_RULES, RuleSet

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from ordercore.validation.rules import Rule, RuleFunction

__all__ = ["review", "review_many"]


def _rule_set(rules: RuleSet | Iterable[Rule | RuleFunction]) -> RuleSet:
    return rules if isinstance(rules, RuleSet) else RuleSet(rules)


def _check_context(context: object) -> None:
    if not isinstance(context, ReviewContext):
        raise InvalidArgument(
            "review",
            "context",
            f"must be an ordercore.context.ReviewContext, not {type(context).__name__}",
        )


def _run(
    order: Order,
    context: ReviewContext,
    checks: tuple[tuple[str, RuleFunction], ...],
    names: tuple[str, ...],
    as_of: datetime,
) -> ReviewResult:
    if not isinstance(order, Order):
        raise TypeError(
            f"review takes an Order, not {type(order).__name__}; build it with "
            "Order.model_validate(record) first, which refuses malformed input"
        )
    issues: list[Issue] = []
    for name, check in checks:
        found = check(order, context)
        if found:
            issues.extend(i if i.rule else attrs.evolve(i, rule=name) for i in found)
    return ReviewResult(order.order_id, order.version, tuple(issues), as_of, names)


def review(
    order: Order,
    context: ReviewContext,
    rules: RuleSet | Iterable[Rule | RuleFunction] = DEFAULT_RULES,
) -> ReviewResult:
    """Review one order: run every rule and gather what they find.

    Args:
        order: The order.
        context: The snapshot the rules read (customer profiles, products, prices, ...).
        rules: A `RuleSet` or any iterable of rules; `DEFAULT_RULES` by default.

    Returns:
        The result, bound to `order.order_id` and `order.version`.

    Raises:
        ConfigurationError: If a rule needs a context piece that is `None`, or two rules
            share a name.
        TypeError: If `order` is not an `Order` or `context` not a `ReviewContext`.
    """
    _check_context(context)
    rule_set = _rule_set(rules)
    return _run(order, context, rule_set.checks, rule_set.names, context.as_of)


def review_many(
    orders: Iterable[Order],
    context: ReviewContext,
    rules: RuleSet | Iterable[Rule | RuleFunction] = DEFAULT_RULES,
) -> list[ReviewResult]:
    """Review a batch of orders against the same context, returning results in order.

    A failing order does not stop the batch: every order gets its result. Per-context
    work (indexes, calendar walks) is done once for the whole batch.

    Raises:
        ConfigurationError: As `review` (a set-up mistake affects every order alike).
        TypeError: As `review`.
    """
    _check_context(context)
    rule_set = _rule_set(rules)
    checks, names, as_of = rule_set.checks, rule_set.names, context.as_of
    return [_run(order, context, checks, names, as_of) for order in orders]
