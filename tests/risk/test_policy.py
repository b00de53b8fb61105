from __future__ import annotations

import attrs
import pytest

from ordercore.errors import ConfigurationError
from ordercore.risk.factors import BUILTIN_FACTORS, CREDIT_EXPOSURE, Band
from ordercore.risk.policy import DEFAULT_POLICY, Recommendation, RiskLevel, RiskPolicy


def test_the_default_factors_can_give_at_most_100_points() -> None:
    assert DEFAULT_POLICY.max_score == 100


def test_factors_adding_up_to_more_than_100_are_refused() -> None:
    louder = attrs.evolve(
        CREDIT_EXPOSURE,
        bands=(Band(8000, 8, "credit_near_limit"), Band(10000, 17, "credit_over_limit")),
    )
    with pytest.raises(ConfigurationError, match="add up to 101"):
        RiskPolicy(version="v2", factors=(louder, *BUILTIN_FACTORS[1:]))


@pytest.mark.parametrize(
    ("score", "level"),
    [(19, RiskLevel.LOW), (20, RiskLevel.MEDIUM), (40, RiskLevel.HIGH), (60, RiskLevel.CRITICAL)],
)
def test_level_thresholds_are_inclusive(score: int, level: RiskLevel) -> None:
    assert DEFAULT_POLICY.level_for(score) is level


def test_unordered_thresholds_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="medium < high"):
        RiskPolicy(version="v", thresholds=(40, 20, 60))


def test_recommendations_that_get_milder_are_refused() -> None:
    milder = dict(DEFAULT_POLICY.recommendations)
    milder[RiskLevel.CRITICAL] = Recommendation.ACCEPT
    with pytest.raises(ConfigurationError, match="milder"):
        RiskPolicy(version="v", recommendations=milder)


def test_an_empty_version_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="version"):
        RiskPolicy(version=" ")


def test_duplicate_factor_codes_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="used twice"):
        RiskPolicy(version="v", factors=(CREDIT_EXPOSURE, CREDIT_EXPOSURE))


def test_asking_for_a_missing_factor_lists_the_codes() -> None:
    with pytest.raises(KeyError, match="credit_exposure"):
        DEFAULT_POLICY.factor("nope")


def test_every_level_has_supervision_with_a_deadline_above_low() -> None:
    deadlines = [DEFAULT_POLICY.supervision[level].respond_within_hours for level in RiskLevel]
    assert deadlines == [None, 24, 4, 1]
