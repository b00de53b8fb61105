"""The priority policy: composable keys, a total and explained ranking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore import Money
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.promise import DEFAULT_POLICY, PriorityKey, PriorityPolicy, RankFactor
from ordercore.risk.policy import RiskLevel
from promise._builders import day, order


def _ids(policy: PriorityPolicy, *orders: object) -> list[str]:
    return [o.order_id for o in policy.rank(orders)]  # type: ignore[arg-type]


def test_the_earliest_promised_date_goes_first_and_orders_without_one_last() -> None:
    late = order("SO-1", ("BOLT", 1), promised_on=day(9))
    soon = order("SO-2", ("BOLT", 1), promised_on=day(2))
    none = order("SO-0", ("BOLT", 1))
    asked = order("SO-3", ("BOLT", 1), requested_on=day(5))
    assert _ids(PriorityPolicy.of("promised_date"), late, none, soon, asked) == [
        "SO-2",
        "SO-3",  # the requested day counts when nothing was promised
        "SO-1",
        "SO-0",
    ]


def test_the_higher_order_value_goes_first() -> None:
    small = order("SO-1", ("BOLT", 1), value=Money.of("10", "CNY"))
    large = order("SO-2", ("BOLT", 1), value=Money.of("900", "CNY"))
    assert _ids(PriorityPolicy.of("order_value"), small, large) == ["SO-2", "SO-1"]


def test_the_lower_risk_level_goes_first() -> None:
    risky = order("SO-1", ("BOLT", 1), risk_level="high")
    safe = order("SO-2", ("BOLT", 1), risk_level="low")
    assert _ids(PriorityPolicy.of("risk_level"), risky, safe) == ["SO-2", "SO-1"]


def test_keys_compose_the_later_one_breaking_ties_of_the_earlier() -> None:
    a = order("SO-1", ("BOLT", 1), customer_tier=1, received_minutes=9)
    b = order("SO-2", ("BOLT", 1), customer_tier=1, received_minutes=1)
    c = order("SO-3", ("BOLT", 1), customer_tier=2, received_minutes=0)
    policy = PriorityPolicy.of("customer_tier").then("first_come")
    assert policy.keys == (PriorityKey.CUSTOMER_TIER, PriorityKey.FIRST_COME)
    assert _ids(policy, a, b, c) == ["SO-2", "SO-1", "SO-3"]


def test_the_order_id_breaks_the_last_tie_so_the_ranking_is_stable() -> None:
    a, b = order("SO-2", ("BOLT", 1)), order("SO-1", ("BOLT", 1))
    assert _ids(DEFAULT_POLICY, a, b) == _ids(DEFAULT_POLICY, b, a) == ["SO-1", "SO-2"]


def test_explain_names_the_first_key_that_differs_whichever_order_is_given_first() -> None:
    gold = order("SO-2", ("BOLT", 1), customer_tier=1, promised_on=day(3))
    plain = order("SO-1", ("BOLT", 1), customer_tier=3, promised_on=day(3))
    policy = PriorityPolicy.of("promised_date", "customer_tier")
    assert policy.explain(plain, gold) == "SO-2 before SO-1: customer tier 1 ahead of 3"
    assert policy.explain(gold, plain, "zh") == "SO-2 优先于 SO-1：客户等级 1 优先于 3"


def test_explain_says_when_only_the_order_id_decided() -> None:
    a, b = order("SO-2", ("BOLT", 1)), order("SO-1", ("BOLT", 1))
    assert PriorityPolicy.of("customer_tier").explain(a, b) == (
        "SO-1 before SO-2: equal on every key, by order id"
    )


def test_factors_show_what_the_ranking_read() -> None:
    placed = order("SO-1", ("BOLT", 1), customer_tier=2, risk_level="medium")
    factors = PriorityPolicy.of("customer_tier", "risk_level").factors(placed)
    assert factors == (
        RankFactor(PriorityKey.CUSTOMER_TIER, 2),
        RankFactor(PriorityKey.RISK_LEVEL, placed.risk_level),
    )
    assert [f.explain("zh") for f in factors] == ["客户等级 2", "风险等级 medium"]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (("tier",), "unknown priority key 'tier'; allowed: promised_date, customer_tier"),
        ((), "give at least one priority key"),
        (("first_come", "first_come"), "priority keys repeated: first_come"),
    ],
)
def test_a_bad_policy_is_refused(keys: tuple[str, ...], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PriorityPolicy.of(*keys)


def test_ranking_something_else_than_open_orders_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="must hold OpenOrder values, not str"):
        DEFAULT_POLICY.rank(["SO-1"])  # type: ignore[list-item]


def test_explain_refuses_an_unknown_language() -> None:
    a = order("SO-1", ("BOLT", 1))
    with pytest.raises(InvalidArgument, match="lang must be 'en' or 'zh', not 'fr'"):
        DEFAULT_POLICY.explain(a, a, "fr")


@settings(max_examples=80, deadline=None)
@given(
    keys=st.permutations(list(PriorityKey)).flatmap(
        lambda keys: st.integers(1, len(keys)).map(lambda n: keys[:n])
    ),
    specs=st.lists(
        st.tuples(
            st.none() | st.integers(0, 5),
            st.none() | st.integers(1, 3),
            st.none() | st.integers(1, 4),
            st.none() | st.sampled_from(list(RiskLevel)),
            st.integers(0, 3),
        ),
        max_size=12,
    ),
)
def test_the_ranking_is_the_order_of_the_sort_keys(
    keys: list[PriorityKey],
    specs: list[tuple[int | None, int | None, int | None, RiskLevel | None, int]],
) -> None:
    orders = [
        order(
            f"SO-{n % 5}",  # repeated ids: ties the sort must keep in their given order
            ("GEAR", 1),
            received_minutes=minutes,
            promised_on=None if due is None else day(due),
            customer_tier=tier,
            value=None if value is None else Money.of(value * 100, "CNY"),
            risk_level=risk,
        )
        for n, (due, tier, value, risk, minutes) in enumerate(specs)
    ]
    policy = PriorityPolicy(keys)
    assert list(policy.rank(orders)) == sorted(orders, key=policy.sort_key)
