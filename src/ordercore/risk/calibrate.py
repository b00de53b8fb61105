"""Calibration: fit a policy's points from labelled history, and measure what they mean.

**Points are not probabilities.** The default policy's points are expert judgement: 40 points
is "riskier than 20", not "a 40 % chance of a bad order". Once there is labelled history
(orders later disputed, cancelled by the customer, or written off), `calibrate` makes them
both data-driven and interpretable:

1. Each factor band becomes a 0/1 indicator (value at least the threshold; bands are cumulative
   so their weights are increments), plus one indicator for unknown data.
2. A logistic regression (scikit-learn, the optional ``calibration`` extra) is fitted on a
   training split. Negative increments are set to 0, so points never fall as a value rises
   and never go below 0.
3. The weights (in log-odds) are scaled so that the factors' maxima add up to at most 100 and
   rounded **down** to integers: the new policy is additive and explainable as before, with
   the same thresholds and reason codes.
4. The integer score is mapped to a probability by a one-variable logistic fit (Platt
   scaling) on the training split; the Brier score and a reliability table on the held-out
   split say how good that probability is. Only through this mapping is a score a probability.

Scaling keeps the policy within 0–100 points: a factor whose weight is large dominates the
score as it dominates the odds. Thresholds are kept as the policy had them; calibration fits
points, not cut-offs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from ordercore.errors import ConfigurationError, FrameSchemaError
from ordercore.risk.factors import Band
from ordercore.risk.policy import DEFAULT_POLICY, RiskPolicy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore.risk.factors import BandFactor

__all__ = ["Calibration", "ReliabilityBin", "calibrate", "design_matrix"]


@attrs.frozen(slots=True)
class ReliabilityBin:
    """One row of the reliability table: predicted against observed, on held-out data.

    Attributes:
        lower: Lower edge of the predicted-probability bin (inclusive).
        upper: Upper edge (exclusive, inclusive for the last bin).
        count: Held-out orders in the bin.
        mean_predicted: Their mean predicted probability.
        observed_rate: The share of them that were bad.
    """

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@attrs.frozen(slots=True, kw_only=True)
class Calibration:
    """The outcome of `calibrate`.

    Attributes:
        policy: The calibrated policy (integer points, the same factors and thresholds).
        intercept: Platt scaling: log-odds of a bad order at score 0.
        slope: Platt scaling: log-odds per point.
        brier: Brier score of the calibrated probability on the held-out split (lower is
            better; 0 is perfect).
        brier_baseline: Brier score of always predicting the training base rate.
        reliability: The reliability table on the held-out split (empty bins left out).
        n_train: Orders fitted on.
        n_test: Orders held out.
    """

    policy: RiskPolicy
    intercept: float
    slope: float
    brier: float
    brier_baseline: float
    reliability: tuple[ReliabilityBin, ...]
    n_train: int
    n_test: int

    def probability(self, score: int) -> float:
        """The calibrated probability that an order with this score turns out bad."""
        return 1.0 / (1.0 + math.exp(-(self.intercept + self.slope * score)))


def _columns(policy: RiskPolicy) -> list[tuple[str, int, int]]:
    """(factor index, band index or -1 for unknown, 0 primary / 1 fallback) per indicator."""
    layout: list[tuple[str, int, int]] = []
    for factor in policy.factors:
        layout.extend((factor.code, i, 0) for i in range(len(factor.bands)))
        layout.extend((factor.code, i, 1) for i in range(len(factor.fallback_bands)))
        layout.append((factor.code, -1, 0))
    return layout


def design_matrix(frame: Any, policy: RiskPolicy = DEFAULT_POLICY) -> Any:
    """The 0/1 indicator matrix of a features frame (a numpy array, one column per band).

    Columns follow each factor's bands, then its fallback bands, then its unknown indicator.
    """
    import narwhals.stable.v2 as nw  # noqa: PLC0415 - batch-only
    import numpy as np  # noqa: PLC0415

    native = nw.from_native(frame)
    data = native.collect() if isinstance(native, nw.LazyFrame) else native
    missing = [name for name in policy.features() if name not in data.columns]
    if missing:
        raise FrameSchemaError(
            "risk features", [f"feature column {m!r} is missing" for m in missing]
        )
    values = {name: data.get_column(name).cast(nw.Float64).to_numpy() for name in policy.features()}
    columns: list[Any] = []
    for factor in policy.factors:
        primary = values[factor.feature]
        known = ~np.isnan(primary)
        columns.extend(known & (np.nan_to_num(primary) >= b.at_least) for b in factor.bands)
        unknown = ~known
        if factor.fallback_feature is not None:
            fallback = values[factor.fallback_feature]
            fb_known = ~np.isnan(fallback)
            columns.extend(
                unknown & fb_known & (np.nan_to_num(fallback) >= b.at_least)
                for b in factor.fallback_bands
            )
            unknown &= ~fb_known
        columns.append(unknown)
    return np.column_stack(columns).astype(np.float64)


def _points(increments: Sequence[float], scale: float) -> list[int]:
    running = 0.0
    points = []
    for increment in increments:
        running += max(increment, 0.0)
        points.append(math.floor(running * scale + 1e-9))
    return points


def _rebuild(policy: RiskPolicy, weights: Sequence[float], version: str) -> RiskPolicy:
    layout = _columns(policy)
    by_factor: dict[str, list[float]] = {}
    for (code, _, _), weight in zip(layout, weights, strict=True):
        by_factor.setdefault(code, []).append(weight)
    maxima = []
    for factor in policy.factors:
        w = by_factor[factor.code]
        nb, nf = len(factor.bands), len(factor.fallback_bands)
        primary = sum(max(x, 0.0) for x in w[:nb])
        fallback = sum(max(x, 0.0) for x in w[nb : nb + nf])
        maxima.append(max(primary, fallback, w[-1], 0.0))
    total = sum(maxima)
    scale = 100.0 / total if total > 0 else 0.0
    factors: list[BandFactor] = []
    for factor in policy.factors:
        w = by_factor[factor.code]
        nb, nf = len(factor.bands), len(factor.fallback_bands)
        band_points = _points(w[:nb], scale)
        fallback_points = _points(w[nb : nb + nf], scale)
        factors.append(
            attrs.evolve(
                factor,
                bands=tuple(
                    Band(b.at_least, p, b.reason, b.en, b.zh)
                    for b, p in zip(factor.bands, band_points, strict=True)
                ),
                fallback_bands=tuple(
                    Band(b.at_least, p, b.reason, b.en, b.zh)
                    for b, p in zip(factor.fallback_bands, fallback_points, strict=True)
                ),
                unknown_points=math.floor(max(w[-1], 0.0) * scale + 1e-9),
            )
        )
    return attrs.evolve(policy, version=version, factors=tuple(factors))


def calibrate(
    frame: Any,
    labels: Sequence[int] | Any,
    policy: RiskPolicy = DEFAULT_POLICY,
    *,
    version: str,
    holdout: float = 0.3,
    seed: int = 0,
    bins: int = 10,
    regularisation: float = 1.0,
) -> Calibration:
    """Fit a policy's points from labelled history and report calibration on held-out data.

    Args:
        frame: A features frame (any backend `assess_frame` accepts); it is collected.
        labels: 1 for an order that turned out bad, 0 otherwise, row for row.
        policy: The policy whose factors and thresholds are kept.
        version: The new policy's version.
        holdout: The share of rows held out for the Brier score and reliability table.
        seed: Seeds the split.
        bins: Bins of the reliability table.
        regularisation: scikit-learn's ``C`` (inverse L2 strength).

    Raises:
        ConfigurationError: If scikit-learn is not installed, or the labels are not 0/1,
            do not match the rows, or a split has only one class.
    """
    try:
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - optional extra
    except ImportError as error:  # pragma: no cover - the dev install has it
        raise ConfigurationError(
            "install the 'calibration' extra (pip install 'ordercore-domain[calibration]')",
            component="calibrate",
        ) from error
    import numpy as np  # noqa: PLC0415

    x = design_matrix(frame, policy)
    y = np.asarray(labels, dtype=np.int64).ravel()
    if y.shape[0] != x.shape[0]:
        raise ConfigurationError(
            f"{y.shape[0]} labels for {x.shape[0]} rows", component="calibrate"
        )
    if not np.isin(y, (0, 1)).all():
        raise ConfigurationError("labels must be 0 or 1", component="calibrate")
    if not 0 < holdout < 1:
        raise ConfigurationError(f"holdout must be in (0, 1), got {holdout}", component="calibrate")
    order = np.random.default_rng(seed).permutation(len(y))
    cut = len(y) - max(1, round(len(y) * holdout))
    train, test = order[:cut], order[cut:]
    for name, part in (("training", train), ("held-out", test)):
        if len(np.unique(y[part])) < 2:  # noqa: PLR2004 - two classes
            raise ConfigurationError(
                f"the {name} split has only one class; give more or more varied history",
                component="calibrate",
            )
    model = LogisticRegression(C=regularisation, max_iter=1000)
    model.fit(x[train], y[train])
    calibrated = _rebuild(policy, [float(w) for w in model.coef_[0]], version)

    from ordercore.risk.batch import assess_frame  # noqa: PLC0415 - batch-only

    scored = assess_frame(frame, calibrated)
    import narwhals.stable.v2 as nw  # noqa: PLC0415

    native = nw.from_native(scored)
    native = native.collect() if isinstance(native, nw.LazyFrame) else native
    scores = native.get_column("score").cast(nw.Float64).to_numpy()
    platt = LogisticRegression(C=1e6, max_iter=1000)
    platt.fit(scores[train].reshape(-1, 1), y[train])
    intercept, slope = float(platt.intercept_[0]), float(platt.coef_[0][0])
    predicted = 1.0 / (1.0 + np.exp(-(intercept + slope * scores[test])))
    truth = y[test]
    base = float(y[train].mean())
    edges = np.linspace(0.0, 1.0, bins + 1)
    table = []
    index = np.clip(np.searchsorted(edges, predicted, side="right") - 1, 0, bins - 1)
    for b in range(bins):
        members = index == b
        if members.any():
            table.append(
                ReliabilityBin(
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(members.sum()),
                    float(predicted[members].mean()),
                    float(truth[members].mean()),
                )
            )
    return Calibration(
        policy=calibrated,
        intercept=intercept,
        slope=slope,
        brier=float(np.mean((predicted - truth) ** 2)),
        brier_baseline=float(np.mean((base - truth) ** 2)),
        reliability=tuple(table),
        n_train=len(train),
        n_test=len(test),
    )
