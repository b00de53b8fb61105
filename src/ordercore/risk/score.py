"""Online scoring of one order: `assess(order, context, policy, *, as_of)`.

`assess` extracts the order's integer features (see
[`ordercore.risk.features`][ordercore.risk.features]) and hands them to `assess_features`,
which the batch path mirrors column by column. Both are pure and read no clock.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-404", name="?"),
    ...     channel=Channel.PHONE, currency="CNY", received_at=at,
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(10), uom="pcs",
    ...                      unit_price=Money.of("100.00", "CNY"))])
    >>> result = assess(order, ReviewContext(as_of=at), as_of=at)
    >>> result.score, result.level.value, result.recommendation.value, result.data_completeness
    (35, 'medium', 'review', 13)
    >>> result.missing[:3]
    ('credit_exposure', 'overdue_days', 'overdue_amount')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.risk.assessment import HardStopHit, RiskAssessment
from ordercore.risk.features import features_of
from ordercore.risk.policy import DEFAULT_POLICY, RiskLevel, RiskPolicy

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.risk.factors import FactorResult
    from ordercore.risk.features import OrderFeatures, RiskContext
    from ordercore.risk.policy import ContingencyAction, Recommendation

__all__ = ["assess", "assess_features", "completeness"]

_LEVELS: Final = tuple(RiskLevel)


def completeness(known: int, total: int) -> int:
    """Percent of factors with known data, rounded down (``floor(100 * known / total)``).

    Examples:
        >>> completeness(14, 15), completeness(15, 15)
        (93, 100)
    """
    return (100 * known) // total


def _contingency(
    policy: RiskPolicy,
    stops: list[HardStopHit],
    results: list[FactorResult],
    *,
    floored: bool,
) -> tuple[ContingencyAction, ...]:
    actions: dict[ContingencyAction, None] = {}
    contingency = policy.contingency
    for hit in stops:
        actions.update(dict.fromkeys(contingency.get(hit.code, ())))
    for result in results:
        if result.points > 0:
            actions.update(dict.fromkeys(contingency.get(result.reason, ())))
    if floored:
        actions.update(dict.fromkeys(contingency.get("incomplete_data", ())))
    return tuple(actions)


def assess_features(
    features: OrderFeatures, policy: RiskPolicy = DEFAULT_POLICY, *, as_of: datetime
) -> RiskAssessment:
    """Score already extracted features (the online twin of one batch row).

    Args:
        features: The order's features.
        policy: The policy to score with.
        as_of: When the assessment is made (recorded on it).

    Raises:
        KeyError: If a factor or hard stop reads a feature the order does not have.
    """
    results: list[FactorResult] = [factor.evaluate(features) for factor in policy.factors]
    score = 0
    missing: list[str] = []
    for result in results:
        score += result.points
        if not result.known:
            missing.append(result.code)
    level = policy.level_for(score)
    percent = completeness(len(results) - len(missing), len(results))
    floored = percent < policy.min_completeness and level.rank < policy.incomplete_floor.rank
    if floored:
        level = policy.incomplete_floor
    stops: list[HardStopHit] = []
    for stop in policy.hard_stops:
        value = features.get(stop.feature)
        if value is not None and value >= stop.at_least:
            stops.append(HardStopHit(stop.code, value, stop.at_least, stop.recommendation))
    if stops:
        level = RiskLevel.CRITICAL
    recommendation: Recommendation = policy.recommendations[level]
    for hit in stops:
        if hit.recommendation.rank > recommendation.rank:
            recommendation = hit.recommendation
    return RiskAssessment(
        order_id=features.order_id,
        score=score,
        level=level,
        recommendation=recommendation,
        factors=tuple(results),
        hard_stops=tuple(stops),
        supervision=policy.supervision[level],
        contingency=_contingency(policy, stops, results, floored=floored),
        data_completeness=percent,
        missing=tuple(missing),
        floored=floored,
        policy_version=policy.version,
        as_of=as_of,
    )


def assess(
    order: Order,
    context: ReviewContext | RiskContext,
    policy: RiskPolicy = DEFAULT_POLICY,
    *,
    as_of: datetime,
    review_warnings: int | None = None,
    extra: Mapping[str, int | None] | None = None,
) -> RiskAssessment:
    """Assess one order.

    Args:
        order: The order (not changed).
        context: The snapshot; wrap it once with `RiskContext.of` when scoring many orders.
        policy: The policy (the built-in default if not given).
        as_of: When the assessment is made (timezone-aware; recorded on it).
        review_warnings: How many warnings order review raised; `None` when it was not run
            (then the review factor counts as missing data).
        extra: Values of host-defined features, for host-defined factors.

    Returns:
        The assessment; missing data never raises, it lowers `data_completeness` and is
        listed in `missing`.

    Raises:
        ValueError: If `as_of` is naive.
        KeyError: If a factor reads a feature that is neither built in nor in `extra`.
    """
    features = features_of(
        order, context, as_of=as_of, review_warnings=review_warnings, extra=extra
    )
    return assess_features(features, policy, as_of=as_of)
