from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _validation_support import codes, good_order, make_context, make_line, profile
from ordercore import Money
from ordercore.validation import IssueSeverity
from ordercore.validation.credit import (
    credit_limit_respected,
    customer_known,
    customer_not_blocked,
    overdue_within_limit,
)

# good_order() is 2 × 10 pcs × 2.50 CNY = 50.00 CNY, no tax.


def _credit(**fields: object) -> list[str]:
    context = make_context(customers={"C-1": profile(**fields)})
    return codes(credit_limit_respected()(good_order(), context))


def test_a_known_customer_passes() -> None:
    assert customer_known()(good_order(), make_context()) == []


def test_an_unknown_customer_fails() -> None:
    issues = customer_known()(good_order(), make_context(customers={}))
    assert [(i.code, i.observed) for i in issues] == [("customer.unknown", "C-1")]


def test_a_blocked_customer_fails() -> None:
    context = make_context(customers={"C-1": profile(blocked=True)})
    assert codes(customer_not_blocked()(good_order(), context)) == ["credit.blocked"]


def test_an_unblocked_customer_passes() -> None:
    assert customer_not_blocked()(good_order(), make_context()) == []


def test_exposure_plus_order_within_the_limit_passes() -> None:
    assert _credit(open_exposure=Money.of("900", "CNY")) == []


def test_exposure_plus_order_exactly_at_the_limit_passes() -> None:
    assert _credit(open_exposure=Money.of("950", "CNY")) == []


def test_exposure_plus_order_one_cent_over_the_limit_fails() -> None:
    assert _credit(open_exposure=Money.of("950.01", "CNY")) == ["credit.limit_exceeded"]


def test_the_limit_message_states_the_comparison() -> None:
    context = make_context(customers={"C-1": profile(open_exposure=Money.of("990", "CNY"))})
    issue = credit_limit_respected()(good_order(), context)[0]
    assert issue.message_en == (
        "credit limit exceeded for customer C-1: open exposure 990 CNY + this order "
        "50.00 CNY = 1040.00 CNY > limit 1000 CNY"
    )


def test_tax_counts_towards_the_limit_by_default() -> None:
    order = good_order(lines=[make_line("1", quantity=Decimal(40), tax_rate=Decimal("0.13"))])
    context = make_context(customers={"C-1": profile(open_exposure=Money.of("900", "CNY"))})
    assert codes(credit_limit_respected()(order, context)) == ["credit.limit_exceeded"]


def test_the_net_total_can_be_compared_instead() -> None:
    order = good_order(lines=[make_line("1", quantity=Decimal(40), tax_rate=Decimal("0.13"))])
    context = make_context(customers={"C-1": profile(open_exposure=Money.of("900", "CNY"))})
    assert credit_limit_respected(include_tax=False)(order, context) == []


def test_no_credit_limit_is_a_warning() -> None:
    context = make_context(customers={"C-1": profile(credit_limit=None)})
    issues = credit_limit_respected()(good_order(), context)
    assert [(i.code, i.severity) for i in issues] == [("credit.no_limit", IssueSeverity.WARNING)]


def test_no_credit_limit_is_an_error_when_a_limit_is_required() -> None:
    context = make_context(customers={"C-1": profile(credit_limit=None)})
    issues = credit_limit_respected(require_limit=True)(good_order(), context)
    assert [i.severity for i in issues] == [IssueSeverity.ERROR]


def test_unknown_exposure_compares_the_order_alone_and_says_so() -> None:
    assert _credit(open_exposure=None) == ["credit.exposure_unknown"]


def test_unknown_exposure_still_fails_an_order_above_the_limit() -> None:
    assert _credit(open_exposure=None, credit_limit=Money.of("40", "CNY")) == [
        "credit.limit_exceeded",
        "credit.exposure_unknown",
    ]


def test_a_limit_in_another_currency_cannot_be_compared() -> None:
    assert _credit(credit_limit=Money.of("1000", "USD")) == ["credit.not_comparable"]


def test_an_exposure_in_another_currency_cannot_be_compared() -> None:
    assert _credit(open_exposure=Money.of("1", "USD")) == ["credit.not_comparable"]


def test_credit_rules_skip_unknown_customers() -> None:
    assert credit_limit_respected()(good_order(), make_context(customers={})) == []


@given(
    exposure=st.decimals(min_value=0, max_value=2000, places=2),
    limit=st.decimals(min_value=0, max_value=2000, places=2),
)
def test_the_credit_check_fails_exactly_when_exposure_plus_order_exceeds_the_limit(
    exposure: Decimal, limit: Decimal
) -> None:
    context = make_context(
        customers={
            "C-1": profile(
                open_exposure=Money.of(exposure, "CNY"), credit_limit=Money.of(limit, "CNY")
            )
        }
    )
    failed = bool(credit_limit_respected()(good_order(), context))
    assert failed == (exposure + Decimal("50.00") > limit)


def test_overdue_within_the_allowed_days_passes() -> None:
    context = make_context(
        customers={"C-1": profile(overdue_days=30, overdue_amount=Money.of("500", "CNY"))}
    )
    assert overdue_within_limit()(good_order(), context) == []


def test_overdue_beyond_the_allowed_days_fails() -> None:
    context = make_context(
        customers={"C-1": profile(overdue_days=31, overdue_amount=Money.of("500", "CNY"))}
    )
    issues = overdue_within_limit()(good_order(), context)
    assert [(i.code, i.observed, i.expected) for i in issues] == [("credit.overdue", 31, 30)]


def test_a_small_overdue_amount_is_tolerated() -> None:
    context = make_context(
        customers={"C-1": profile(overdue_days=90, overdue_amount=Money.of("5", "CNY"))}
    )
    assert overdue_within_limit(max_amount=Decimal(5))(good_order(), context) == []


def test_overdue_days_with_an_unknown_amount_fail() -> None:
    context = make_context(customers={"C-1": profile(overdue_days=45, overdue_amount=None)})
    issues = overdue_within_limit()(good_order(), context)
    assert "未知金额" in issues[0].message_zh


def test_no_overdue_data_has_nothing_to_check() -> None:
    context = make_context(customers={"C-1": profile(overdue_days=None, overdue_amount=None)})
    assert overdue_within_limit()(good_order(), context) == []


def test_negative_overdue_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="max_days"):
        overdue_within_limit(max_days=-1)
