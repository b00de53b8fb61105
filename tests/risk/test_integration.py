from __future__ import annotations

import pytest

from _risk_support import AT, clean_features, order
from ordercore.events import Actor
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, RecordRiskAssessment, Submit, apply
from ordercore.risk import assess_features
from ordercore.risk.integration import apply_assessment, commands_for
from ordercore.risk.policy import DEFAULT_POLICY, RiskPolicy

SYSTEM = Actor.system("risk-engine")
RISKY = clean_features(exposure_bp=10500, overdue_days=65, first_order=1, ship_to_change=2)


def _submitted() -> object:
    submitted, _ = apply(order(), Submit(), at=AT, actor=Actor.user("ana"))
    return submitted


def test_a_low_risk_order_is_only_recorded() -> None:
    assessment = assess_features(clean_features(), as_of=AT)
    assert [type(c) for c in commands_for(order(), assessment)] == [RecordRiskAssessment]


def test_a_high_risk_order_is_recorded_then_held() -> None:
    assessment = assess_features(RISKY, as_of=AT)
    assert [type(c) for c in commands_for(order(), assessment)] == [RecordRiskAssessment, PlaceHold]


def test_the_recorded_event_carries_score_level_policy_and_reasons() -> None:
    assessment = assess_features(RISKY, as_of=AT)
    _, events = apply_assessment(_submitted(), assessment, at=AT, actor=SYSTEM)  # type: ignore[arg-type]
    recorded = events[0]
    assert (recorded.score, recorded.level, recorded.policy_version, recorded.reasons[0]) == (  # type: ignore[attr-defined]
        assessment.score,
        "high",
        DEFAULT_POLICY.version,
        "credit_over_limit",
    )


def test_the_automatic_hold_has_reason_risk_and_is_placed_by_the_system() -> None:
    held, _ = apply_assessment(_submitted(), assess_features(RISKY, as_of=AT), at=AT, actor=SYSTEM)  # type: ignore[arg-type]
    assert [(h.reason, h.placed_by) for h in held.active_holds] == [
        (HoldReason.RISK, "system:risk-engine")
    ]


def test_a_second_assessment_does_not_stack_a_second_risk_hold() -> None:
    assessment = assess_features(RISKY, as_of=AT)
    held, _ = apply_assessment(_submitted(), assessment, at=AT, actor=SYSTEM)  # type: ignore[arg-type]
    again, _ = apply_assessment(held, assessment, at=AT, actor=SYSTEM)
    assert len(again.active_holds) == 1


def test_a_policy_may_hold_from_review_on() -> None:
    from ordercore.risk.policy import Recommendation  # noqa: PLC0415

    eager = RiskPolicy(version=DEFAULT_POLICY.version, auto_hold_at=Recommendation.REVIEW)
    assessment = assess_features(
        clean_features(exposure_bp=None, overdue_days=None, first_order=None), eager, as_of=AT
    )
    assert any(isinstance(c, PlaceHold) for c in commands_for(order(), assessment, eager))


def test_an_assessment_of_another_order_is_refused() -> None:
    assessment = assess_features(clean_features("SO-2"), as_of=AT)
    with pytest.raises(ValueError, match="SO-2"):
        commands_for(order(), assessment)


def test_an_assessment_under_another_policy_version_is_refused() -> None:
    assessment = assess_features(clean_features(), as_of=AT)
    with pytest.raises(ValueError, match="policy"):
        commands_for(order(), assessment, RiskPolicy(version="other"))
