from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from ordercore import ConfigurationError, Order
from ordercore.validation import CODES, DEFAULT_RULES, Issue, Rule, RuleSet, default_rules
from ordercore.validation.pricing import discount_within_limit

if TYPE_CHECKING:
    from ordercore.context import ReviewContext


def _host_rule(_order: Order, _context: ReviewContext) -> list[Issue]:
    return []


def test_the_default_set_holds_every_built_in_rule_once() -> None:
    assert len(set(DEFAULT_RULES.names)) == len(DEFAULT_RULES) == 22


def test_the_default_set_can_raise_every_built_in_code() -> None:
    prefixes = {code.split(".")[0] for code in CODES}
    assert prefixes == {
        "quantity", "product", "price", "totals", "currency", "date", "capacity",
        "customer", "credit", "duplicate", "address", "contact", "channel", "promise",
    }  # fmt: skip


def test_without_drops_the_named_rules() -> None:
    assert "no_duplicate_order" not in DEFAULT_RULES.without("no_duplicate_order")


def test_without_an_unknown_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no rule 'no_duplicates'"):
        DEFAULT_RULES.without("no_duplicates")


def test_plus_appends_host_rules() -> None:
    assert DEFAULT_RULES.plus(_host_rule).names[-1] == "_host_rule"


def test_two_rules_with_one_name_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="two rules are named '_host_rule'"):
        RuleSet([_host_rule, _host_rule])


def test_replacing_swaps_a_rule_in_place() -> None:
    stricter = discount_within_limit(max_rate=Decimal("0.05"))
    replaced = DEFAULT_RULES.replacing(stricter)
    assert replaced["discount_within_limit"] is stricter
    assert replaced.names == DEFAULT_RULES.names


def test_replacing_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no rule 'x'"):
        DEFAULT_RULES.replacing(Rule("x", _host_rule))


def test_looking_up_an_unknown_rule_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="customer_known"):
        DEFAULT_RULES["nope"]


def test_default_rules_passes_its_parameters_on() -> None:
    rules = default_rules(max_overdue_days=60, lead_time_buffer_days=2)
    assert repr(rules["overdue_within_limit"]) == (
        "overdue_within_limit(max_days=60, max_amount=Decimal('0'))"
    )
    assert repr(rules["lead_time_respected"]) == "lead_time_respected(buffer_days=2)"


def test_the_rule_set_repr_lists_its_rules() -> None:
    assert "credit_limit_respected(include_tax=True, require_limit=False)" in repr(DEFAULT_RULES)
