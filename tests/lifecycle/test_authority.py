"""Authority: who may release a hold or override a failed review, and the trail says why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail
from ordercore import ConfigurationError, GuardRejected, OrderStatus
from ordercore.events import Actor, OrderApproved, Party, parse_event
from ordercore.holds import HoldReason
from ordercore.lifecycle import Approve, PlaceHold, ReleaseHold, ShortClose, apply
from ordercore.lifecycle.authority import (
    RELEASE_HOLD,
    REVIEW_OVERRIDE,
    AuthorityRequest,
    AuthorityRules,
    Grant,
)
from ordercore.lifecycle.guards import LifecyclePolicy
from ordercore.lifecycle.replay import replay

MANAGER = Actor.user("wang.fang")
RULES = AuthorityRules(
    grants=(
        Grant(RELEASE_HOLD, roles=frozenset({"credit_manager"}), subjects=frozenset({"credit"})),
        Grant(RELEASE_HOLD, roles=frozenset({"clerk"}), subjects=frozenset({"address"})),
        Grant(
            REVIEW_OVERRIDE,
            roles=frozenset({"credit_manager"}),
            subjects=frozenset({"credit limit exceeded"}),
            up_to=Decimal(1000),
        ),
    ),
    roles={"user:wang.fang": frozenset({"credit_manager"}), "user:li.wei": frozenset({"clerk"})},
)
POLICY = LifecyclePolicy(authority=RULES)


@dataclass(frozen=True)
class Failed:
    order_id: str
    order_version: int
    passed: bool = False
    failure_reasons: tuple[str, ...] = ("credit limit exceeded",)


def _held(reason: HoldReason) -> Trail:
    trail = Trail()
    trail.do(PlaceHold(hold_id="H", hold_reason=reason))
    return trail


def test_the_default_authority_lets_anyone_release_and_records_the_reason() -> None:
    trail = _held(HoldReason.CREDIT)
    events = trail.do(ReleaseHold(hold_id="H", reason="prepaid"))
    assert events[0].reason == "prepaid"
    assert trail.order.holds[0].release_reason == "prepaid"
    assert replay(trail.events) == trail.order


def test_a_granted_role_releases_a_credit_hold() -> None:
    trail = _held(HoldReason.CREDIT)
    command = ReleaseHold(hold_id="H", reason="limit raised")
    order, _ = apply(trail.order, command, at=AT, actor=MANAGER, policy=POLICY)
    assert order.holds[0].released_by == "user:wang.fang"


def test_a_role_without_the_grant_is_refused_with_who_may() -> None:
    trail = _held(HoldReason.CREDIT)
    command = ReleaseHold(hold_id="H", reason="customer called")
    with pytest.raises(
        GuardRejected, match=r"user:li.wei \(roles: clerk\) may not release hold"
    ) as error:
        apply(trail.order, command, at=AT, actor=CLERK, policy=POLICY)
    assert "granted to: credit_manager for credit" in str(error.value)
    assert error.value.guard == "release_authorised"


def test_grants_are_per_subject() -> None:
    trail = _held(HoldReason.ADDRESS)
    command = ReleaseHold(hold_id="H", reason="address confirmed")
    order, _ = apply(trail.order, command, at=AT, actor=CLERK, policy=POLICY)
    assert not order.active_holds
    with pytest.raises(GuardRejected, match="may not release hold"):
        apply(trail.order, command, at=AT, actor=MANAGER, policy=POLICY)


def test_a_failed_review_is_not_approved_without_an_override() -> None:
    trail = Trail().to_review()
    with pytest.raises(GuardRejected, match="the review did not pass: credit limit exceeded"):
        trail.do(Approve(verdict=Failed(trail.order.order_id, trail.order.version)))


def test_an_override_needs_a_reason() -> None:
    trail = Trail().to_review()
    verdict = Failed(trail.order.order_id, trail.order.version)
    with pytest.raises(GuardRejected, match=r"overriding a failed review .* needs a reason"):
        trail.do(Approve(verdict=verdict, override=True))


def test_an_authorised_override_approves_and_the_event_records_what_was_overridden() -> None:
    trail = Trail().to_review()
    verdict = Failed(trail.order.order_id, trail.order.version)
    command = Approve(verdict=verdict, override=True, reason="guaranteed by the parent company")
    small = trail.order.total.amount <= 1000
    assert small
    order, events = apply(trail.order, command, at=AT, actor=MANAGER, policy=POLICY)
    approved = events[0]
    assert isinstance(approved, OrderApproved)
    assert approved.overridden == ("credit limit exceeded",)
    assert (approved.actor, approved.reason) == (MANAGER, "guaranteed by the parent company")
    assert parse_event(approved.model_dump_json()) == approved
    assert replay([*trail.events, *events]) == order


def test_an_override_above_the_grants_amount_is_refused() -> None:
    trail = Trail().to_review()
    verdict = Failed(trail.order.order_id, trail.order.version)
    command = Approve(verdict=verdict, override=True, reason="guaranteed")
    tight = LifecyclePolicy(
        authority=AuthorityRules(
            grants=(Grant(REVIEW_OVERRIDE, roles=frozenset({"credit_manager"}), up_to=Decimal(1)),),
            roles=RULES.roles,
        )
    )
    with pytest.raises(GuardRejected, match=r"may not override review .* up to 1"):
        apply(trail.order, command, at=AT, actor=MANAGER, policy=tight)


def test_a_passing_review_records_nothing_overridden() -> None:
    trail = Trail().to_approved()
    approved = next(e for e in trail.events if isinstance(e, OrderApproved))
    assert approved.overridden == ()


def test_a_host_authority_sees_the_request() -> None:
    seen: list[AuthorityRequest] = []

    def authority(request: AuthorityRequest) -> str | None:
        seen.append(request)
        return "only the night shift releases holds"

    trail = _held(HoldReason.STOCK)
    with pytest.raises(GuardRejected, match="only the night shift"):
        apply(
            trail.order,
            ReleaseHold(hold_id="H", reason="stock arrived"),
            at=AT,
            actor=CLERK,
            policy=LifecyclePolicy(authority=authority),
        )
    assert [(r.action, r.subjects, r.reason, r.amount) for r in seen] == [
        ("release_hold", ("stock",), "stock arrived", trail.order.total.amount)
    ]


def test_an_authority_answering_with_something_else_refuses() -> None:
    trail = _held(HoldReason.STOCK)
    policy = LifecyclePolicy(authority=lambda _: False)  # type: ignore[arg-type,return-value]
    with pytest.raises(GuardRejected, match="the authority refused with False"):
        apply(trail.order, ReleaseHold(hold_id="H", reason="x"), at=AT, actor=CLERK, policy=policy)


@pytest.mark.parametrize(
    ("build", "problem"),
    [
        (lambda: Grant("ship", roles=frozenset({"a"})), "unknown action 'ship'"),
        (lambda: Grant(RELEASE_HOLD, roles=frozenset()), "roles must be a non-empty frozenset"),
        (lambda: Grant(RELEASE_HOLD, roles={"a"}), "roles must be a non-empty frozenset"),  # type: ignore[arg-type]
        (lambda: Grant(RELEASE_HOLD, roles=frozenset({"a"}), up_to=-1), "up_to must be"),  # type: ignore[arg-type]
        (lambda: AuthorityRules(grants=("x",)), "grants must be Grant values"),  # type: ignore[arg-type]
        (lambda: AuthorityRules(grants=(), roles={"u": {"a"}}), "roles must map actors"),  # type: ignore[dict-item]
        (lambda: LifecyclePolicy(authority="anyone"), "authority must be callable"),  # type: ignore[arg-type]
    ],
)
def test_bad_authority_configuration_is_refused(build: object, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        build()  # type: ignore[operator]


def _closed() -> Trail:
    from ordercore.lifecycle import Close, Invoice, RecordFeedback, RecordPayment  # noqa: PLC0415

    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 6)
    trail.do(ShortClose(line_id="2", quantity=Decimal(4), requested_by=Party.CUSTOMER))
    for line_id, quantity in (("1", 10), ("2", 6)):
        trail.do(Invoice(line_id=line_id, quantity=Decimal(quantity)))
        trail.do(RecordPayment(line_id=line_id, quantity=Decimal(quantity)))
    trail.do(RecordFeedback(score=4))
    trail.do(Close())
    assert trail.order.status is OrderStatus.CLOSED
    return trail


def test_a_closed_order_reopens_for_a_late_complaint_and_closes_again() -> None:
    from ordercore.aftersales import CaseAction, CaseKind, RootCause  # noqa: PLC0415
    from ordercore.lifecycle import AdvanceCase, Close, OpenCase, Reopen  # noqa: PLC0415

    trail = _closed()
    events = trail.do(Reopen(reason="late complaint about labels"))
    assert [(e.type, dict(e.after)) for e in events] == [
        ("order_reopened", {"status": "fulfilled"})
    ]
    trail.do(OpenCase(case_id="K1", kind=CaseKind.COMPLAINT, line_id="1", quantity=Decimal(0)))
    with pytest.raises(GuardRejected, match="closing_gate"):
        trail.do(Close())
    trail.do(
        AdvanceCase(case_id="K1", action=CaseAction.INVESTIGATE, root_cause=RootCause.PACKAGING)
    )
    trail.do(AdvanceCase(case_id="K1", action=CaseAction.RESOLVE))
    trail.do(Close())
    assert trail.order.status is OrderStatus.CLOSED
    assert replay(trail.events) == trail.order


def test_reopening_needs_a_reason_and_the_authority() -> None:
    from ordercore.lifecycle import Reopen  # noqa: PLC0415
    from ordercore.lifecycle.authority import REOPEN_ORDER  # noqa: PLC0415

    trail = _closed()
    with pytest.raises(GuardRejected, match="reopen needs a reason"):
        trail.do(Reopen())
    rules = AuthorityRules(grants=(Grant(REOPEN_ORDER, roles=frozenset({"service_lead"})),))
    with pytest.raises(GuardRejected, match=r"user:li.wei \(roles: none\) may not reopen order"):
        apply(
            trail.order,
            Reopen(reason="late return"),
            at=AT,
            actor=CLERK,
            policy=LifecyclePolicy(authority=rules),
        )


def test_an_archived_order_cannot_be_reopened() -> None:
    from ordercore import InvalidTransition  # noqa: PLC0415
    from ordercore.lifecycle import Archive, Reopen  # noqa: PLC0415

    trail = _closed()
    trail.do(Archive())
    with pytest.raises(InvalidTransition, match=r"closed \(archived\)"):
        trail.do(Reopen(reason="too late"))


def test_an_action_nobody_is_granted_stays_open_under_authority_rules() -> None:
    from ordercore.lifecycle import Reopen  # noqa: PLC0415

    trail = _closed()
    order, _ = apply(trail.order, Reopen(reason="late return"), at=AT, actor=CLERK, policy=POLICY)
    assert order.status is OrderStatus.FULFILLED
