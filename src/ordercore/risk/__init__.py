"""Order risk: explainable additive scores, the same online and in batch, calibratable.

Score one order with [`assess`][ordercore.risk.score.assess], a whole features frame with
[`assess_frame`][ordercore.risk.batch.assess_frame]; both return the same integers. See the Risk
page of the docs for every factor, the default policy and calibration. Importing this package
does not import pandas, narwhals or scikit-learn; the batch and calibration functions import
them when called.
"""

from __future__ import annotations

from ordercore.risk.assessment import HardStopHit, RiskAssessment
from ordercore.risk.batch import assess_frame, features_frame
from ordercore.risk.factors import Band, BandFactor, FactorResult
from ordercore.risk.features import OrderFeatures, RiskContext, features_of
from ordercore.risk.policy import (
    DEFAULT_POLICY,
    ContingencyAction,
    HardStop,
    Recommendation,
    RiskLevel,
    RiskPolicy,
    Supervision,
    SupervisionIntensity,
)
from ordercore.risk.score import assess, assess_features
from ordercore.risk.supervision import DEFAULT_PLAN, SupervisionCheckpoint, SupervisionPlan

__all__ = [
    "DEFAULT_PLAN",
    "DEFAULT_POLICY",
    "Band",
    "BandFactor",
    "ContingencyAction",
    "FactorResult",
    "HardStop",
    "HardStopHit",
    "OrderFeatures",
    "Recommendation",
    "RiskAssessment",
    "RiskContext",
    "RiskLevel",
    "RiskPolicy",
    "Supervision",
    "SupervisionCheckpoint",
    "SupervisionIntensity",
    "SupervisionPlan",
    "assess",
    "assess_features",
    "assess_frame",
    "features_frame",
    "features_of",
]
