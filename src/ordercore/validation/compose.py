"""Combinators: build a rule out of rules.

* [`all_of`][ordercore.validation.compose.all_of] runs every rule and keeps every issue.
* [`any_of`][ordercore.validation.compose.any_of] passes when one alternative has no error.
* [`not_`][ordercore.validation.compose.not_] reports an issue of your own when a rule *passes*.
* [`only_when`][ordercore.validation.compose.only_when] runs a rule only when a condition holds.
* [`with_severity`][ordercore.validation.compose.with_severity] re-grades a rule's issues.

Each returns a [`Rule`][ordercore.validation.rules.Rule] whose `repr` shows how it was built.

Examples:
    >>> from ordercore.validation.credit import credit_limit_respected
    >>> from ordercore.validation.channel import confirmation_reference
    >>> manual = channel_is("phone", "fax")
    >>> only_when(manual, all_of(confirmation_reference(), credit_limit_respected()))
    only_when(channel_is('fax', 'phone'), all_of(confirmation_reference(channels={'fax', 'phone'}), credit_limit_respected(include_tax=True, require_limit=False)))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordercore.errors import InvalidArgument
from ordercore.status import Channel
from ordercore.validation.issues import Issue, IssueSeverity
from ordercore.validation.rules import Predicate, Rule, RuleFunction, as_rule

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order

__all__ = ["all_of", "any_of", "channel_is", "not_", "only_when", "with_severity"]


def _has_error(issues: list[Issue]) -> bool:
    return any(issue.severity is IssueSeverity.ERROR for issue in issues)


def _describe(rules: tuple[Rule, ...]) -> str:
    return ", ".join(repr(r) for r in rules)


class _Named:
    """A predicate with a readable `repr`."""

    __slots__ = ("_fn", "_text")

    def __init__(self, fn: Predicate, text: str) -> None:
        self._fn = fn
        self._text = text

    def __call__(self, order: Order, context: ReviewContext) -> bool:
        return self._fn(order, context)

    def __repr__(self) -> str:
        return self._text


def channel_is(*channels: Channel | str) -> Predicate:
    """A predicate: the order came in through one of these channels.

    Raises:
        ValueError: If a channel is not a `Channel` value.
    """
    wanted = frozenset(Channel(c) for c in channels)
    text = ", ".join(repr(c.value) for c in sorted(wanted))
    return _Named(lambda order, _context: order.channel in wanted, f"channel_is({text})")


def all_of(*rules: Rule | RuleFunction, name: str | None = None) -> Rule:
    """A rule that runs every rule and returns all their issues, in order.

    Args:
        *rules: The rules (plain callables are wrapped with `as_rule`).
        name: The combined rule's name (default ``all_of``).
    """
    parts = tuple(as_rule(r) for r in rules)
    checks = tuple(r.check for r in parts)

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        issues: list[Issue] = []
        for part in checks:
            found = part(order, context)
            if found:
                issues.extend(found)
        return issues

    text = name or "all_of"
    return _combined(text, check, parts, f"All of: {_describe(parts)}.")


def any_of(*rules: Rule | RuleFunction, name: str | None = None) -> Rule:
    """A rule that passes when at least one alternative reports no error.

    The alternatives run in order until one passes; its warnings and notes are returned.
    When none passes, the issues of every alternative are returned.

    Raises:
        ValueError: If no rule is given.
    """
    if not rules:
        raise InvalidArgument("any_of", "rules", "needs at least one rule")
    parts = tuple(as_rule(r) for r in rules)

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        collected: list[Issue] = []
        for part in parts:
            found = part.check(order, context)
            if not _has_error(found):
                return list(found)
            collected.extend(found)
        return collected

    return _combined(name or "any_of", check, parts, f"Any of: {_describe(parts)}.")


def not_(
    inner: Rule | RuleFunction,
    *,
    code: str,
    message_en: str,
    message_zh: str,
    path: str = "",
    severity: IssueSeverity = IssueSeverity.ERROR,
    name: str | None = None,
) -> Rule:
    """A rule that reports one issue of your own when `inner` reports no error.

    Use it to forbid what a rule would accept ("not a web order with a discount over 10 %").

    Args:
        inner: The rule whose passing is the problem.
        code: The code of the issue reported.
        message_en: Its English message.
        message_zh: Its Chinese message.
        path: The field path of the issue.
        severity: Its severity (error by default).
        name: The combined rule's name (default ``not_``).
    """
    part = as_rule(inner)
    rule_name = name or "not_"

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        if _has_error(part.check(order, context)):
            return []
        return [
            Issue(
                code=code,
                severity=severity,
                path=path,
                observed=None,
                expected=f"not {part!r}",
                message_en=message_en,
                message_zh=message_zh,
                rule=rule_name,
            )
        ]

    return Rule(rule_name, check, (), f"Not: {part!r}.", f"not_({part!r}, code={code!r})")


def only_when(predicate: Predicate, inner: Rule | RuleFunction, *, name: str | None = None) -> Rule:
    """A rule that runs `inner` only for orders where `predicate(order, context)` is true.

    Args:
        predicate: The condition (see `channel_is`, or any callable returning a bool).
        inner: The rule to run.
        name: The combined rule's name (default: the inner rule's name).
    """
    part = as_rule(inner)
    run = part.check

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        if predicate(order, context):
            return run(order, context)
        return []

    shown = getattr(predicate, "__name__", None)
    if shown is None or shown == "<lambda>":
        shown = repr(predicate)
    return Rule(name or part.name, check, (), part.description, f"only_when({shown}, {part!r})")


def with_severity(inner: Rule | RuleFunction, severity: IssueSeverity) -> Rule:
    """A rule that reports `inner`'s issues with another severity (e.g. errors as warnings)."""
    part = as_rule(inner)
    run = part.check

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        return [
            issue if issue.severity is severity else _regraded(issue, severity)
            for issue in run(order, context)
        ]

    return Rule(
        part.name, check, (), part.description, f"with_severity({part!r}, {severity.value!r})"
    )


def _regraded(issue: Issue, severity: IssueSeverity) -> Issue:
    return Issue(
        code=issue.code,
        severity=severity,
        path=issue.path,
        observed=issue.observed,
        expected=issue.expected,
        message_en=issue.message_en,
        message_zh=issue.message_zh,
        rule=issue.rule,
    )


def _combined(name: str, check: RuleFunction, parts: tuple[Rule, ...], description: str) -> Rule:
    return Rule(name, check, (), description, f"{name}({_describe(parts)})")
