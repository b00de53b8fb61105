from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ordercore.errors import ConfigurationError
from ordercore.risk.batch import FEATURE_COLUMNS
from ordercore.risk.calibrate import Calibration, calibrate, design_matrix
from ordercore.risk.policy import DEFAULT_POLICY


def _history(n: int = 4000, seed: int = 1) -> tuple[pl.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = {name: np.zeros(n, dtype=np.int64) for name in FEATURE_COLUMNS}
    data["exposure_bp"] = rng.integers(0, 14000, n)
    data["overdue_days"] = rng.choice([0, 0, 0, 10, 45, 70], n)
    data["first_order"] = rng.integers(0, 2, n)
    data["value_ratio_bp"] = rng.integers(1000, 40000, n)
    logit = -3 + 2.0 * (data["exposure_bp"] >= 10000) + 1.5 * (data["overdue_days"] >= 60)
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    frame = pl.DataFrame({"order_id": [f"SO-{i}" for i in range(n)], **data})
    frame = frame.with_columns(pl.lit(None, pl.Int64).alias("value_z_x100"))
    return frame, labels


@pytest.fixture(scope="module")
def fitted() -> Calibration:
    frame, labels = _history()
    return calibrate(frame, labels, version="cal-1")


def test_the_calibrated_policy_keeps_points_within_100(fitted: Calibration) -> None:
    assert fitted.policy.max_score <= 100


def test_the_strongest_signal_gets_the_most_points(fitted: Calibration) -> None:
    over_limit = fitted.policy.factor("credit_exposure").bands[-1].points
    assert over_limit == max(f.max_points for f in fitted.policy.factors)


def test_calibrated_probabilities_beat_the_base_rate(fitted: Calibration) -> None:
    assert fitted.brier < fitted.brier_baseline


def test_the_reliability_table_covers_every_held_out_order(fitted: Calibration) -> None:
    assert sum(row.count for row in fitted.reliability) == fitted.n_test


def test_the_probability_rises_with_the_score(fitted: Calibration) -> None:
    assert fitted.probability(0) < fitted.probability(50)


def test_the_calibrated_policy_carries_the_new_version(fitted: Calibration) -> None:
    assert fitted.policy.version == "cal-1"


def test_the_design_matrix_has_one_column_per_band_and_unknown() -> None:
    frame, _ = _history(10)
    expected = sum(len(f.bands) + len(f.fallback_bands) + 1 for f in DEFAULT_POLICY.factors)
    assert design_matrix(frame).shape == (10, expected)


def test_labels_other_than_0_and_1_are_refused() -> None:
    frame, labels = _history(50)
    with pytest.raises(ConfigurationError, match="0 or 1"):
        calibrate(frame, labels * 2, version="x")


def test_labels_that_do_not_match_the_rows_are_refused() -> None:
    frame, labels = _history(50)
    with pytest.raises(ConfigurationError, match="49 labels for 50 rows"):
        calibrate(frame, labels[:-1], version="x")


def test_a_history_with_one_class_only_is_refused() -> None:
    frame, labels = _history(50)
    with pytest.raises(ConfigurationError, match="only one class"):
        calibrate(frame, np.zeros_like(labels), version="x")
