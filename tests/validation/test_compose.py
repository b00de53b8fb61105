from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from _validation_support import codes, good_order, make_context
from ordercore import Channel, ConfigurationError, Order
from ordercore.validation import (
    Issue,
    IssueSeverity,
    Rule,
    all_of,
    any_of,
    as_rule,
    channel_is,
    not_,
    only_when,
    require,
    rule,
    with_severity,
)
from ordercore.validation.channel import confirmation_reference
from ordercore.validation.pricing import discount_within_limit

if TYPE_CHECKING:
    from ordercore.context import ReviewContext


def _issue(code: str, severity: IssueSeverity = IssueSeverity.ERROR) -> Issue:
    return Issue(code, severity, "", None, None, code, code)


@rule
def always_fails(_order: Order, _context: ReviewContext) -> list[Issue]:
    """Fails every order."""
    return [_issue("host.fail")]


@rule
def always_warns(_order: Order, _context: ReviewContext) -> list[Issue]:
    return [_issue("host.warn", IssueSeverity.WARNING)]


@rule(name="passes")
def always_passes(_order: Order, _context: ReviewContext) -> list[Issue]:
    return []


ORDER = good_order()
CONTEXT = make_context()


def test_the_decorator_names_the_rule_after_the_function() -> None:
    assert (always_fails.name, always_fails.description) == ("always_fails", "Fails every order.")


def test_the_decorator_takes_an_explicit_name() -> None:
    assert always_passes.name == "passes"


def test_a_rule_repr_shows_its_parameters() -> None:
    assert repr(discount_within_limit(max_rate=Decimal("0.1"))) == (
        "discount_within_limit(max_rate=Decimal('0.1'))"
    )


def test_a_plain_function_becomes_a_rule() -> None:
    def po_required(_order: Order, _context: ReviewContext) -> list[Issue]:
        return []

    assert as_rule(po_required).name == "po_required"


def test_something_not_callable_is_not_a_rule() -> None:
    with pytest.raises(TypeError, match="callable"):
        as_rule(42)  # type: ignore[arg-type]


def test_all_of_keeps_every_issue_in_order() -> None:
    combined = all_of(always_fails, always_passes, always_warns)
    assert codes(combined(ORDER, CONTEXT)) == ["host.fail", "host.warn"]


def test_all_of_shows_its_parts() -> None:
    assert repr(all_of(always_fails, always_passes)) == "all_of(always_fails(), passes())"


def test_any_of_passes_when_one_alternative_passes() -> None:
    assert any_of(always_fails, always_passes)(ORDER, CONTEXT) == []


def test_any_of_keeps_the_warnings_of_the_passing_alternative() -> None:
    assert codes(any_of(always_fails, always_warns)(ORDER, CONTEXT)) == ["host.warn"]


def test_any_of_reports_every_alternative_when_all_fail() -> None:
    assert codes(any_of(always_fails, always_fails)(ORDER, CONTEXT)) == ["host.fail", "host.fail"]


def test_any_of_needs_an_alternative() -> None:
    with pytest.raises(ValueError, match="at least one"):
        any_of()


def test_not_reports_its_issue_when_the_inner_rule_passes() -> None:
    forbidden = not_(always_passes, code="host.forbidden", message_en="no", message_zh="不")
    assert codes(forbidden(ORDER, CONTEXT)) == ["host.forbidden"]


def test_not_passes_when_the_inner_rule_fails() -> None:
    assert not_(always_fails, code="c", message_en="e", message_zh="z")(ORDER, CONTEXT) == []


def test_only_when_skips_orders_the_predicate_rejects() -> None:
    assert only_when(channel_is(Channel.FAX), always_fails)(ORDER, CONTEXT) == []


def test_only_when_runs_the_rule_when_the_predicate_holds() -> None:
    fax = good_order(channel=Channel.FAX)
    assert codes(only_when(channel_is("fax"), always_fails)(fax, CONTEXT)) == ["host.fail"]


def test_only_when_shows_its_condition() -> None:
    assert repr(only_when(channel_is("fax", "phone"), always_fails)) == (
        "only_when(channel_is('fax', 'phone'), always_fails())"
    )


def test_only_when_keeps_the_inner_rules_name() -> None:
    assert only_when(channel_is("fax"), always_fails).name == "always_fails"


def test_with_severity_regrades_issues() -> None:
    softened = with_severity(always_fails, IssueSeverity.WARNING)
    assert [i.severity for i in softened(ORDER, CONTEXT)] == [IssueSeverity.WARNING]


def test_combinators_nest() -> None:
    manual = only_when(channel_is("phone", "fax"), all_of(confirmation_reference(), always_fails))
    phone = good_order(channel=Channel.PHONE)
    assert codes(manual(phone, CONTEXT)) == ["channel.confirmation_missing", "host.fail"]


def test_require_names_the_rule_and_the_missing_piece() -> None:
    with pytest.raises(ConfigurationError) as raised:
        require(make_context(capacity=None), "capacity", "my_rule")
    assert "review rule my_rule" in str(raised.value)
    assert "ReviewContext.capacity" in str(raised.value)


def test_rules_compare_by_name_and_parameters() -> None:
    assert isinstance(always_fails, Rule)
    assert discount_within_limit(max_rate=Decimal(1)) == discount_within_limit(max_rate=Decimal(1))
