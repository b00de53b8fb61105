"""A risk policy's repr names its version and only what differs from the defaults."""

from __future__ import annotations

import pydoc

import attrs

from ordercore.risk import assess
from ordercore.risk.factors import BUILTIN_FACTORS
from ordercore.risk.policy import (
    DEFAULT_CONTINGENCY,
    DEFAULT_HARD_STOPS,
    DEFAULT_POLICY,
    DEFAULT_SUPERVISION,
    ContingencyAction,
    RiskLevel,
    RiskPolicy,
    Supervision,
    SupervisionIntensity,
)


def test_the_default_policy_shows_only_its_version() -> None:
    assert repr(DEFAULT_POLICY) == "RiskPolicy(version='ordercore-default-1')"


def test_help_on_assess_stays_short() -> None:
    text = pydoc.plain(pydoc.render_doc(assess))
    assert "BandFactor(" not in text
    assert len(text) < 3000


def test_a_new_version_with_default_settings_shows_nothing_else() -> None:
    assert repr(RiskPolicy(version="2026.2")) == "RiskPolicy(version='2026.2')"


def test_changed_thresholds_are_shown_with_their_values() -> None:
    policy = RiskPolicy(version="t", thresholds=(25, 45, 65))
    assert repr(policy) == "RiskPolicy(version='t', thresholds=(25, 45, 65))"


def test_a_changed_factor_is_named_by_its_code() -> None:
    first, *rest = BUILTIN_FACTORS
    policy = RiskPolicy(version="f", factors=(attrs.evolve(first, unknown_points=3), *rest))
    assert repr(policy) == f"RiskPolicy(version='f', factors=<changed: {first.code}>)"


def test_a_dropped_hard_stop_is_named_by_its_code() -> None:
    policy = RiskPolicy(version="h", hard_stops=DEFAULT_HARD_STOPS[:-1])
    assert f"hard_stops=<removed: {DEFAULT_HARD_STOPS[-1].code}>" in repr(policy)


def test_a_policy_of_a_few_factors_lists_their_codes() -> None:
    policy = RiskPolicy(version="few", factors=BUILTIN_FACTORS[:2])
    codes = ", ".join(f.code for f in BUILTIN_FACTORS[:2])
    assert repr(policy) == f"RiskPolicy(version='few', factors=<{codes}>)"


def test_factors_in_another_order_show_as_reordered() -> None:
    policy = RiskPolicy(version="r", factors=BUILTIN_FACTORS[::-1])
    assert repr(policy) == "RiskPolicy(version='r', factors=<reordered>)"


def test_changed_supervision_names_the_level() -> None:
    closer = Supervision(SupervisionIntensity.CLOSE, ("credit_controller",), 2)
    policy = RiskPolicy(version="s", supervision={**DEFAULT_SUPERVISION, RiskLevel.HIGH: closer})
    assert repr(policy) == "RiskPolicy(version='s', supervision=<changed: high>)"


def test_an_added_contingency_reason_is_named() -> None:
    extra = {**DEFAULT_CONTINGENCY, "vip_customer": (ContingencyAction.CONFIRM_WITH_CUSTOMER,)}
    policy = RiskPolicy(version="c", contingency=extra)
    assert repr(policy) == "RiskPolicy(version='c', contingency=<added: vip_customer>)"


def test_an_enum_setting_shows_as_its_member_name() -> None:
    policy = RiskPolicy(version="e", incomplete_floor=RiskLevel.HIGH)
    assert repr(policy) == "RiskPolicy(version='e', incomplete_floor=RiskLevel.HIGH)"
