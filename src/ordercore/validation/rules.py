"""What a review rule is: a small callable ``(order, context) -> list[Issue]``.

Any such callable is a rule. Wrapping it in [`Rule`][ordercore.validation.rules.Rule] (or
decorating it with [`rule`][ordercore.validation.rules.rule]) gives it a name, which is what
[`RuleSet.without`][ordercore.validation.ruleset.RuleSet.without] and the issues refer to,
and a readable `repr` that shows its parameters. A host adds its own rules this way, without
subclassing anything.

A rule never raises for a business problem: it returns issues. It raises
[`ConfigurationError`][ordercore.ConfigurationError] when the context lacks a snapshot it
needs (see [`require`][ordercore.validation.rules.require]), which is a set-up mistake, not a
property of the order.

Examples:
    >>> from ordercore.validation.issues import Issue
    >>> @rule
    ... def needs_customer_po(order, context):
    ...     '''Every order carries the customer's purchase-order number.'''
    ...     if order.customer_po:
    ...         return []
    ...     return [Issue(code="host.po_missing", severity=IssueSeverity.ERROR,
    ...                   path="customer_po", observed=None, expected="a PO number",
    ...                   message_en="no customer PO", message_zh="缺少客户采购单号")]
    >>> needs_customer_po
    needs_customer_po()
    >>> needs_customer_po.description
    "Every order carries the customer's purchase-order number."
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, overload

import attrs

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.validation.issues import Issue

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order

__all__ = ["Predicate", "Rule", "RuleFunction", "as_rule", "require", "rule"]

RuleFunction = Callable[["Order", "ReviewContext"], list[Issue]]
"""The shape of every rule: ``(order, context) -> list[Issue]`` (empty when all is well)."""

Predicate = Callable[["Order", "ReviewContext"], bool]
"""A condition on an order and its context, for [`only_when`][ordercore.validation.compose.only_when]."""


def _format_value(value: object) -> str:
    if isinstance(value, Enum):
        return repr(value.value)
    if isinstance(value, frozenset | set):
        return "{" + ", ".join(sorted(_format_value(v) for v in value)) + "}"
    return repr(value)


@attrs.frozen(slots=True, repr=False)
class Rule:
    """A named review rule.

    Calling it runs `check`. Two rules are equal when name, check and parameters are.

    Attributes:
        name: The rule's name (unique within a rule set).
        check: The function that does the work.
        params: The parameters it was built with, shown by `repr`.
        description: One sentence saying what it checks.
        display: How the rule was built, shown by `repr` instead of ``name(params)``
            (the combinators set it).
    """

    name: str
    check: RuleFunction = attrs.field(eq=False)
    params: tuple[tuple[str, object], ...] = ()
    description: str = ""
    display: str = ""

    def __call__(self, order: Order, context: ReviewContext) -> list[Issue]:
        """Run the rule."""
        return self.check(order, context)

    def __repr__(self) -> str:
        if self.display:
            return self.display
        args = ", ".join(f"{key}={_format_value(value)}" for key, value in self.params)
        return f"{self.name}({args})"


@overload
def rule(fn: RuleFunction, /) -> Rule: ...
@overload
def rule(*, name: str | None = None) -> Callable[[RuleFunction], Rule]: ...
def rule(
    fn: RuleFunction | None = None, /, *, name: str | None = None
) -> Rule | Callable[[RuleFunction], Rule]:
    """Turn a function ``(order, context) -> list[Issue]`` into a named `Rule`.

    Use it bare (``@rule``) or with a name (``@rule(name="po_required")``). The first line
    of the function's docstring becomes the rule's description.
    """

    def wrap(function: RuleFunction) -> Rule:
        doc = (function.__doc__ or "").strip().splitlines()
        return Rule(
            name=name or str(getattr(function, "__name__", "rule")),
            check=function,
            description=doc[0] if doc else "",
        )

    return wrap if fn is None else wrap(fn)


def as_rule(candidate: Rule | RuleFunction) -> Rule:
    """Return a `Rule` as is, or wrap a plain callable in one (named after the callable).

    Raises:
        TypeError: If it is not callable.
    """
    if isinstance(candidate, Rule):
        return candidate
    if not callable(candidate):
        raise InvalidArgument(
            "as_rule",
            "rule",
            f"must be a callable (order, context) -> list[Issue], not {candidate!r}",
        )
    return rule(candidate)


def require(context: ReviewContext, piece: str, rule_name: str) -> Any:
    """Return ``context.<piece>``, or raise if the host did not supply it.

    Args:
        context: The review context.
        piece: The attribute a rule needs (``"calendar"``, ``"price_list"``, ``"capacity"``).
        rule_name: The rule that needs it, named in the error.

    Raises:
        ConfigurationError: If the piece is `None`; the message names the rule and the piece
            and says how to fix it.
    """
    if not isinstance(piece, str) or not hasattr(context, piece):
        raise InvalidArgument(
            "require", "piece", f"{piece!r} is not a piece of {type(context).__name__}"
        )
    value = getattr(context, piece)
    if value is None:
        raise missing_piece(piece, rule_name)
    return value


def missing_piece(piece: str, rule_name: str) -> ConfigurationError:
    """The error `require` raises when ``context.<piece>`` is `None`.

    The built-in rules test the piece themselves and raise this (one attribute read instead
    of a call per review).
    """
    return ConfigurationError(
        f"needs ReviewContext.{piece}, which is None; put a {piece} into the context or "
        f"leave the rule out (rule_set.without({rule_name!r}))",
        component=f"review rule {rule_name}",
    )
