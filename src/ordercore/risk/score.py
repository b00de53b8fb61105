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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ordercore.errors import InvalidArgument
from ordercore.risk.assessment import HardStopHit, RiskAssessment
from ordercore.risk.features import FEATURES, OrderFeatures, features_of
from ordercore.risk.policy import DEFAULT_POLICY, RiskLevel, RiskPolicy

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.risk.features import RiskContext
    from ordercore.risk.policy import ContingencyAction, HardStop, Recommendation

__all__ = ["assess", "assess_features", "completeness"]

_PLAN_LIMIT: Final = 64  # policies remembered; cleared when full
_ACTIONS_LIMIT: Final = 4096  # reason combinations remembered per policy


@dataclass(frozen=True, slots=True)
class _Plan:
    """What `assess_features` needs from a policy, prepared once per policy."""

    policy: RiskPolicy
    # each hard stop with its position in OrderFeatures (-1: read with `OrderFeatures.get`)
    stops: tuple[tuple[HardStop, int], ...]
    # the level of every score from 0 to the policy's maximum
    levels: tuple[RiskLevel, ...]
    # contingency actions by (hard-stop codes, scored reasons, floored)
    actions: dict[tuple[tuple[str, ...], tuple[str, ...], bool], tuple[ContingencyAction, ...]]


_PLANS: dict[int, _Plan] = {}


def _plan(policy: RiskPolicy) -> _Plan:
    plan = _PLANS.get(id(policy))
    if plan is None or plan.policy is not policy:
        if len(_PLANS) >= _PLAN_LIMIT:
            _PLANS.clear()
        stops = tuple(
            (stop, FEATURES.index(stop.feature) + 1 if stop.feature in FEATURES else -1)
            for stop in policy.hard_stops
        )
        levels = tuple(policy.level_for(score) for score in range(policy.max_score + 1))
        plan = _PLANS[id(policy)] = _Plan(policy, stops, levels, {})
    return plan


def completeness(known: int, total: int) -> int:
    """Percent of factors with known data, rounded down (``floor(100 * known / total)``).

    Examples:
        >>> completeness(14, 15), completeness(15, 15)
        (93, 100)
    """
    return (100 * known) // total


def _contingency(
    policy: RiskPolicy, stops: tuple[str, ...], reasons: tuple[str, ...], *, floored: bool
) -> tuple[ContingencyAction, ...]:
    actions: dict[ContingencyAction, None] = {}
    contingency = policy.contingency
    for code in stops:
        actions.update(dict.fromkeys(contingency.get(code, ())))
    for reason in reasons:
        actions.update(dict.fromkeys(contingency.get(reason, ())))
    if floored:
        actions.update(dict.fromkeys(contingency.get("incomplete_data", ())))
    return tuple(actions)


def _hard_stops(features: OrderFeatures, plan: _Plan) -> list[HardStopHit]:
    stops: list[HardStopHit] = []
    plain = not features.extra  # extra features shadow built-in ones in `OrderFeatures.get`
    for stop, index in plan.stops:
        value: int | None = features[index] if plain and index > 0 else features.get(stop.feature)  # type: ignore[assignment]
        if value is not None and value >= stop.at_least:
            stops.append(
                HardStopHit(stop.code, value, stop.at_least, stop.recommendation, stop.unit)
            )
    return stops


def _actions(
    plan: _Plan, stops: list[HardStopHit], scored: tuple[str, ...], *, floored: bool
) -> tuple[ContingencyAction, ...]:
    """Contingency actions of the hard stops, the reasons that scored, and missing data."""
    key = (tuple([hit.code for hit in stops]), scored, floored)
    actions = plan.actions.get(key)
    if actions is None:
        if len(plan.actions) >= _ACTIONS_LIMIT:
            plan.actions.clear()
        actions = plan.actions[key] = _contingency(plan.policy, key[0], scored, floored=floored)
    return actions


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
        InvalidArgument: If `features` is not an `OrderFeatures`.
    """
    if not isinstance(features, OrderFeatures):
        raise InvalidArgument(
            "assess_features",
            "features",
            f"must be an OrderFeatures, got {type(features).__name__}",
        )
    plan = _plan(policy)
    results = tuple([factor.evaluate(features) for factor in policy.factors])
    score = 0
    missing: list[str] = []
    scored: list[str] = []
    for code, reason, points, _observed, _threshold, _unit, known, _en, _zh in results:
        score += points
        if points > 0:
            scored.append(reason)
        if not known:
            missing.append(code)
    levels = plan.levels
    level = levels[score] if 0 <= score < len(levels) else policy.level_for(score)
    total = len(results)
    percent = (100 * (total - len(missing))) // total
    floored = percent < policy.min_completeness and level.rank < policy.incomplete_floor.rank
    if floored:
        level = policy.incomplete_floor
    stops = _hard_stops(features, plan)
    if stops:
        level = RiskLevel.CRITICAL
    recommendation: Recommendation = policy.recommendations[level]
    for hit in stops:
        if hit.recommendation.rank > recommendation.rank:
            recommendation = hit.recommendation
    actions = _actions(plan, stops, tuple(scored), floored=floored)
    return RiskAssessment(
        order_id=features.order_id,
        score=score,
        level=level,
        recommendation=recommendation,
        factors=results,
        hard_stops=tuple(stops),
        supervision=policy.supervision[level],
        contingency=actions,
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
