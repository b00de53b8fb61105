"""Order review (订单审核): composable rules with a clear verdict.

A rule is a callable ``(order, context) -> list[Issue]``; [`review`][ordercore.validation.review.review]
runs a rule set over an order and a [`ReviewContext`][ordercore.context.ReviewContext] and
returns a [`ReviewResult`][ordercore.validation.issues.ReviewResult], which the lifecycle's
approve command accepts. See the Validation page for every built-in rule.
"""

from __future__ import annotations

from ordercore.validation.codes import CODES, CodeSpec, make_issue
from ordercore.validation.compose import (
    all_of,
    any_of,
    channel_is,
    not_,
    only_when,
    with_severity,
)
from ordercore.validation.issues import Issue, IssueSeverity, ReviewResult
from ordercore.validation.review import review, review_many
from ordercore.validation.rules import Predicate, Rule, RuleFunction, as_rule, require, rule
from ordercore.validation.ruleset import DEFAULT_RULES, RuleSet, default_rules

__all__ = [
    "CODES",
    "DEFAULT_RULES",
    "CodeSpec",
    "Issue",
    "IssueSeverity",
    "Predicate",
    "ReviewResult",
    "Rule",
    "RuleFunction",
    "RuleSet",
    "all_of",
    "any_of",
    "as_rule",
    "channel_is",
    "default_rules",
    "make_issue",
    "not_",
    "only_when",
    "require",
    "review",
    "review_many",
    "rule",
    "with_severity",
]
