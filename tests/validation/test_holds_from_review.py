"""Holds from a review: failed credit, address or capacity checks put the order on hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from _lifecycle_support import AT, CLERK, Trail
from ordercore import ConfigurationError, GuardRejected
from ordercore.events import Actor
from ordercore.holds import HoldReason
from ordercore.lifecycle import Approve, ReleaseHold, apply
from ordercore.lifecycle.authority import RELEASE_HOLD, AuthorityRules, Grant
from ordercore.lifecycle.guards import LifecyclePolicy
from ordercore.validation.holds import hold_commands
from ordercore.validation.issues import Issue, IssueSeverity, ReviewResult

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _issue(rule: str, code: str, severity: IssueSeverity = IssueSeverity.ERROR) -> Issue:
    return Issue(code, severity, "customer", None, None, code, code, rule=rule)


def _result(order_id: str, version: int, *issues: Issue) -> ReviewResult:
    return ReviewResult(order_id, version, issues, NOW)


def test_a_failed_credit_check_holds_the_order_and_a_manager_releases_it_with_a_reason() -> None:
    trail = Trail().to_review()
    order = trail.order
    result = _result(
        order.order_id,
        order.version,
        _issue("credit_limit_respected", "credit.limit_exceeded"),
        _issue("overdue_within_limit", "credit.overdue"),
        _issue("positive_quantities", "quantity.not_positive"),
    )
    commands = hold_commands(result, order)
    assert [(c.hold_id, c.hold_reason, c.note) for c in commands] == [
        ("review-credit-2", HoldReason.CREDIT, "review: credit.limit_exceeded, credit.overdue")
    ]
    for command in commands:
        trail.do(command)
    with pytest.raises(GuardRejected, match="blocks approve"):
        trail.do(Approve(verdict=result, override=True, reason="x"))
    manager = Actor.user("wang.fang")
    rules = AuthorityRules(
        grants=(Grant(RELEASE_HOLD, roles=frozenset({"credit_manager"})),),
        roles={"user:wang.fang": frozenset({"credit_manager"})},
    )
    release = ReleaseHold(hold_id="review-credit-2", reason="prepayment received")
    policy = LifecyclePolicy(authority=rules)
    with pytest.raises(GuardRejected, match="may not release hold"):
        apply(trail.order, release, at=AT, actor=CLERK, policy=policy)
    released, _ = apply(trail.order, release, at=AT, actor=manager, policy=policy)
    hold = released.holds[0]
    assert (hold.released_by, hold.release_reason) == ("user:wang.fang", "prepayment received")


def test_warnings_and_errors_of_other_rules_hold_nothing() -> None:
    result = _result(
        "SO-1",
        1,
        _issue("credit_limit_respected", "credit.near_limit", IssueSeverity.WARNING),
        _issue("price_matches_list", "price.off_list"),
    )
    assert hold_commands(result) == ()


def test_a_reason_already_held_is_not_held_twice() -> None:
    trail = Trail().to_review()
    result = _result(trail.order.order_id, trail.order.version, _issue("ship_to_complete", "x"))
    for command in hold_commands(result, trail.order):
        trail.do(command)
    assert hold_commands(result, trail.order) == ()
    assert [h.reason for h in trail.order.active_holds] == [HoldReason.ADDRESS]


def test_a_host_maps_its_own_rules_and_a_bad_mapping_is_refused() -> None:
    result = _result("SO-1", 4, _issue("export_licence", "export.licence_missing"))
    (command,) = hold_commands(result, reasons={"export_licence": HoldReason.OTHER})
    assert (command.hold_id, command.hold_reason) == ("review-other-4", HoldReason.OTHER)
    with pytest.raises(ConfigurationError, match="not a HoldReason"):
        hold_commands(result, reasons={"export_licence": "other"})  # type: ignore[dict-item]
