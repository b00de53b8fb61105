from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _validation_support import RECEIVED, codes, good_order, make_context, make_line, profile
from ordercore import Channel, ConfigurationError, Money, Order
from ordercore.context import BusinessCalendar
from ordercore.validation import DEFAULT_RULES, Issue, IssueSeverity, review, review_many
from ordercore.validation._prepared import Prepared, gross_upper_bound, order_gross

if TYPE_CHECKING:
    from ordercore.context import ReviewContext


def test_the_standard_order_passes_the_default_review() -> None:
    result = review(good_order(), make_context())
    assert (result.passed, result.issues) == (True, ())


def test_the_result_is_bound_to_the_order_and_its_version() -> None:
    result = review(good_order(order_id="SO-9", version=3), make_context())
    assert (result.order_id, result.order_version) == ("SO-9", 3)


def test_the_result_records_the_rules_that_ran() -> None:
    assert review(good_order(), make_context()).rules == DEFAULT_RULES.names


def test_review_does_not_stop_at_the_first_failure() -> None:
    order = good_order(channel=Channel.FAX, contact=None, ship_to=None)
    context = make_context(customers={"C-1": profile(blocked=True)})
    assert codes(list(review(order, context).issues)) == [
        "credit.blocked",
        "address.missing",
        "contact.missing",
        "channel.confirmation_missing",
    ]


def test_a_custom_rule_list_is_reviewed() -> None:
    def host(_order: Order, _context: ReviewContext) -> list[Issue]:
        return [Issue("host.x", IssueSeverity.ERROR, "", None, None, "x", "x")]

    assert review(good_order(), make_context(), [host]).codes == ("host.x",)


def test_issues_of_host_rules_are_stamped_with_the_rule_name() -> None:
    def host_rule(_order: Order, _context: ReviewContext) -> list[Issue]:
        return [Issue("host.x", IssueSeverity.ERROR, "", None, None, "x", "x")]

    assert review(good_order(), make_context(), [host_rule]).issues[0].rule == "host_rule"


@pytest.mark.parametrize(
    ("piece", "rule_name"),
    [
        ("price_list", "price_matches_list"),
        ("calendar", "requested_date_not_in_past"),
        ("capacity", "promised_date_within_capacity"),
    ],
)
def test_a_missing_context_piece_names_the_rule_and_the_piece(piece: str, rule_name: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        review(good_order(), make_context(**{piece: None}))
    assert rule_name in str(raised.value)
    assert f"ReviewContext.{piece}" in str(raised.value)


def test_without_the_rules_needing_a_piece_the_review_runs() -> None:
    rules = DEFAULT_RULES.without("promised_date_within_capacity")
    assert review(good_order(), make_context(capacity=None), rules).passed


def test_a_raw_record_is_refused_before_any_rule_runs() -> None:
    with pytest.raises(TypeError, match=r"Order\.model_validate"):
        review({"order_id": "SO-1"}, make_context())  # type: ignore[arg-type]


def test_a_context_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="ReviewContext"):
        review(good_order(), {"as_of": RECEIVED})  # type: ignore[arg-type]


def test_review_many_returns_results_in_order() -> None:
    orders = [good_order(order_id=f"SO-{n}") for n in range(5)]
    results = review_many(orders, make_context())
    assert [r.order_id for r in results] == [f"SO-{n}" for n in range(5)]


def test_review_many_goes_on_after_a_failing_order() -> None:
    orders = [
        good_order(order_id="SO-1"),
        good_order(order_id="SO-2", ship_to=None),
        good_order(order_id="SO-3"),
    ]
    assert [r.passed for r in review_many(orders, make_context())] == [True, False, True]


def test_review_many_takes_any_iterable() -> None:
    orders = (good_order(order_id=f"SO-{n}") for n in range(3))
    assert len(review_many(orders, make_context())) == 3


def test_review_leaves_order_and_context_unchanged() -> None:
    order, context = good_order(ship_to=None), make_context()
    before = (order.model_dump(), context.model_dump())
    review(order, context)
    assert (order.model_dump(), context.model_dump()) == before


_prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4)
_quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10000), places=3)
_rates = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=4)


@st.composite
def _orders(draw: st.DrawFn) -> Order:
    count = draw(st.integers(min_value=1, max_value=6))
    lines = [
        make_line(
            str(n),
            quantity=draw(_quantities),
            unit_price=Money.of(draw(_prices), "CNY"),
            discount_rate=draw(_rates),
            tax_rate=draw(_rates),
        )
        for n in range(count)
    ]
    return good_order(lines=lines)


@given(_orders())
def test_the_fast_gross_total_equals_the_order_total(order: Order) -> None:
    assert order_gross(order) == order.total.amount


@given(_orders())
def test_the_gross_upper_bound_is_never_below_the_total(order: Order) -> None:
    assert gross_upper_bound(order) >= order.total.amount


@settings(max_examples=30)
@given(st.lists(st.sampled_from(list(Channel)), min_size=1, max_size=6), st.data())
def test_review_many_agrees_with_reviewing_one_by_one(
    channels: list[Channel], data: st.DataObject
) -> None:
    orders: list[Any] = [
        good_order(
            order_id=f"SO-{n}",
            channel=channel,
            requested_delivery_at=RECEIVED + timedelta(days=data.draw(st.integers(0, 20))),
        )
        for n, channel in enumerate(channels)
    ]
    context = make_context(recent_orders=tuple(orders[:1]))
    assert review_many(orders, context) == [review(order, context) for order in orders]


_moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2032, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/Sao_Paulo", "UTC"])
@given(moment=_moments)
def test_local_days_agree_with_astimezone(zone: str, moment: datetime) -> None:
    context = make_context(calendar=BusinessCalendar(timezone=zone))
    expected = moment.astimezone(ZoneInfo(zone)).date()
    assert Prepared(context).local_date(moment) == expected
