"""The risk policy: factors and their points, level thresholds, hard stops, and what follows.

A [`RiskPolicy`][ordercore.risk.policy.RiskPolicy] is a versioned value. It holds the factors
(each with its thresholds and points), the inclusive score thresholds of the levels, the hard
stops that override the score, the recommendation and the supervision of each level, the
contingency actions of each reason code, and the data-completeness floor.

**Why the points always add up to the score.** A policy refuses factors whose maximum points
add up to more than 100. So the score is the plain sum of the factor points, never capped,
never rescaled, and always between 0 and 100: every point on an assessment is explained by
exactly one factor.

Examples:
    >>> DEFAULT_POLICY.level_for(39), DEFAULT_POLICY.level_for(40)
    (<RiskLevel.MEDIUM: 'medium'>, <RiskLevel.HIGH: 'high'>)
    >>> DEFAULT_POLICY.recommendations[RiskLevel.HIGH]
    <Recommendation.HOLD: 'hold'>
    >>> DEFAULT_POLICY.supervision[RiskLevel.HIGH].roles
    ('credit_controller',)
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from ordercore._repr import keyed_changes, short_repr, value_text
from ordercore.errors import ConfigurationError
from ordercore.labels import LABELS
from ordercore.risk.factors import BUILTIN_FACTORS, BandFactor

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ordercore.risk.bands import Unit

__all__ = [
    "DEFAULT_CONTINGENCY",
    "DEFAULT_HARD_STOPS",
    "DEFAULT_POLICY",
    "DEFAULT_SUPERVISION",
    "ContingencyAction",
    "HardStop",
    "Recommendation",
    "RiskLevel",
    "RiskPolicy",
    "Supervision",
    "SupervisionIntensity",
]


class RiskLevel(StrEnum):
    """How risky an order is; each level has an inclusive lower score threshold."""

    LOW = "low"
    """Below the MEDIUM threshold."""
    MEDIUM = "medium"
    """At or above the MEDIUM threshold."""
    HIGH = "high"
    """At or above the HIGH threshold."""
    CRITICAL = "critical"
    """At or above the CRITICAL threshold, or a hard stop fired."""

    @property
    def rank(self) -> int:
        """0 for LOW up to 3 for CRITICAL."""
        return _LEVELS.index(self)


_LEVELS: Final = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL)


class Recommendation(StrEnum):
    """What to do with the order, from mildest to most severe."""

    ACCEPT = "accept"
    """Let it through."""
    REVIEW = "review"
    """A person looks at it before approval."""
    HOLD = "hold"
    """Place a risk hold until someone releases it."""
    REJECT = "reject"
    """Recommend rejecting it (a person decides; the library never rejects on its own)."""

    @property
    def rank(self) -> int:
        """0 for ACCEPT up to 3 for REJECT."""
        return _RECOMMENDATIONS.index(self)


_RECOMMENDATIONS: Final = (
    Recommendation.ACCEPT,
    Recommendation.REVIEW,
    Recommendation.HOLD,
    Recommendation.REJECT,
)


class SupervisionIntensity(StrEnum):
    """How closely an order is watched while it moves."""

    ROUTINE = "routine"
    """Normal monitoring."""
    HEIGHTENED = "heightened"
    """A named person checks it before approval."""
    CLOSE = "close"
    """The credit controller decides; every stage is watched."""
    ESCALATED = "escalated"
    """Management decides, quickly."""


class ContingencyAction(StrEnum):
    """A step that reduces or handles a risk (labels in `ordercore.labels`)."""

    REQUEST_PREPAYMENT = "request_prepayment"
    """Ask for prepayment or a deposit."""
    CREDIT_CONTROLLER_APPROVAL = "credit_controller_approval"
    """Get the credit controller's approval."""
    OBTAIN_CREDIT_DATA = "obtain_credit_data"
    """Obtain the customer's current credit position."""
    COLLECT_OVERDUE = "collect_overdue"
    """Collect overdue receivables before release."""
    CONFIRM_WITH_CUSTOMER = "confirm_with_customer"
    """Confirm the order with the customer in writing."""
    VERIFY_CUSTOMER = "verify_customer"
    """Verify the customer's identity and registration."""
    CONFIRM_DATE_WITH_PLANNING = "confirm_date_with_planning"
    """Confirm the date with production planning."""
    NEGOTIATE_DATE_OR_SPLIT = "negotiate_date_or_split"
    """Negotiate a later date or a split delivery."""
    SEND_WRITTEN_CONFIRMATION = "send_written_confirmation"
    """Send a written order confirmation."""
    VERIFY_SHIP_TO = "verify_ship_to"
    """Verify the ship-to address with the customer."""
    CHECK_EXPORT_RULES = "check_export_rules"
    """Check export and tax rules for the destination."""
    CONFIRM_QUANTITY = "confirm_quantity"
    """Confirm the quantity with the customer."""
    ROUND_TO_PACK = "round_to_pack"
    """Round to whole packs or confirm with the customer."""
    APPROVE_TERMS_CHANGE = "approve_terms_change"
    """Have the payment-terms change approved."""
    RESOLVE_REVIEW_WARNINGS = "resolve_review_warnings"
    """Resolve the review warnings."""
    APPROVE_DISCOUNT = "approve_discount"
    """Have the discount approved."""
    CHECK_DUPLICATE = "check_duplicate"
    """Check with the customer whether this is a duplicate."""
    COMPLETE_MASTER_DATA = "complete_master_data"
    """Complete the missing master data."""
    ESCALATE_TO_MANAGEMENT = "escalate_to_management"
    """Escalate to the sales manager."""


@attrs.frozen(slots=True)
class Supervision:
    """Who must look at an order of a level, and how soon.

    Attributes:
        intensity: How closely the order is watched.
        roles: The roles that must look (empty: nobody needs to).
        respond_within_hours: How soon they must decide; `None`: no deadline.
    """

    intensity: SupervisionIntensity
    roles: tuple[str, ...] = ()
    respond_within_hours: int | None = None


@attrs.frozen(slots=True)
class HardStop:
    """A condition that overrides the score: the order is CRITICAL whatever its points.

    Attributes:
        code: The reason code (a ``RiskReason`` label).
        feature: The integer feature it reads.
        at_least: It fires when the feature is at least this (inclusive); unknown never fires.
        recommendation: The recommendation it forces (at least).
        unit: The feature's unit, for showing the value (``bp`` as a percentage).
    """

    code: str
    feature: str
    at_least: int
    recommendation: Recommendation = Recommendation.HOLD
    unit: Unit = "count"

    def fires(self, value: int | None) -> bool:
        """Whether a feature value triggers the stop."""
        return value is not None and value >= self.at_least


DEFAULT_HARD_STOPS: Final = (
    HardStop("customer_blocked", "blocked", 1, unit="flag"),
    HardStop("exposure_hard_limit", "exposure_bp", 15000, unit="bp"),
    HardStop("overdue_hard_limit", "overdue_days", 90, unit="days"),
)
"""Blocked customer; exposure at 150 % of the limit; receivables 90 days overdue: each holds."""

DEFAULT_SUPERVISION: Final = MappingProxyType(
    {
        RiskLevel.LOW: Supervision(SupervisionIntensity.ROUTINE),
        RiskLevel.MEDIUM: Supervision(SupervisionIntensity.HEIGHTENED, ("order_desk_lead",), 24),
        RiskLevel.HIGH: Supervision(SupervisionIntensity.CLOSE, ("credit_controller",), 4),
        RiskLevel.CRITICAL: Supervision(
            SupervisionIntensity.ESCALATED, ("credit_controller", "sales_manager"), 1
        ),
    }
)
"""LOW: routine; MEDIUM: the order desk lead within 24 h; HIGH: the credit controller within
4 h; CRITICAL: the credit controller and the sales manager within 1 h."""

_A = ContingencyAction
DEFAULT_CONTINGENCY: Final = MappingProxyType(
    {
        "credit_near_limit": (_A.CREDIT_CONTROLLER_APPROVAL,),
        "credit_over_limit": (_A.REQUEST_PREPAYMENT, _A.CREDIT_CONTROLLER_APPROVAL),
        "credit_unknown": (_A.OBTAIN_CREDIT_DATA,),
        "overdue_any": (_A.COLLECT_OVERDUE,),
        "overdue_30_days": (_A.COLLECT_OVERDUE, _A.CREDIT_CONTROLLER_APPROVAL),
        "overdue_60_days": (_A.COLLECT_OVERDUE, _A.REQUEST_PREPAYMENT),
        "overdue_amount_10pct": (_A.COLLECT_OVERDUE,),
        "overdue_amount_30pct": (_A.COLLECT_OVERDUE, _A.REQUEST_PREPAYMENT),
        "value_outlier": (_A.CONFIRM_WITH_CUSTOMER,),
        "value_extreme_outlier": (_A.CONFIRM_WITH_CUSTOMER, _A.CREDIT_CONTROLLER_APPROVAL),
        "value_cold_start_jump": (_A.CONFIRM_WITH_CUSTOMER,),
        "first_order": (_A.VERIFY_CUSTOMER, _A.REQUEST_PREPAYMENT),
        "first_order_unknown": (_A.COMPLETE_MASTER_DATA,),
        "inside_lead_time": (_A.CONFIRM_DATE_WITH_PLANNING,),
        "far_inside_lead_time": (_A.CONFIRM_DATE_WITH_PLANNING, _A.NEGOTIATE_DATE_OR_SPLIT),
        "lead_time_unknown": (_A.COMPLETE_MASTER_DATA,),
        "capacity_tight": (_A.CONFIRM_DATE_WITH_PLANNING,),
        "beyond_capacity": (_A.NEGOTIATE_DATE_OR_SPLIT,),
        "manual_channel": (_A.SEND_WRITTEN_CONFIRMATION,),
        "manual_unconfirmed": (_A.SEND_WRITTEN_CONFIRMATION, _A.CONFIRM_WITH_CUSTOMER),
        "new_ship_to": (_A.VERIFY_SHIP_TO,),
        "new_ship_to_country": (_A.VERIFY_SHIP_TO, _A.CHECK_EXPORT_RULES),
        "ship_to_unknown": (_A.VERIFY_SHIP_TO,),
        "quantity_over_max": (_A.CONFIRM_QUANTITY,),
        "quantity_unknown": (_A.COMPLETE_MASTER_DATA,),
        "off_pack": (_A.ROUND_TO_PACK,),
        "terms_changed": (_A.APPROVE_TERMS_CHANGE,),
        "review_warning": (_A.RESOLVE_REVIEW_WARNINGS,),
        "review_warnings_many": (_A.RESOLVE_REVIEW_WARNINGS,),
        "discount_excess": (_A.APPROVE_DISCOUNT,),
        "possible_duplicate": (_A.CHECK_DUPLICATE,),
        "value_no_history": (_A.CONFIRM_WITH_CUSTOMER,),
        "customer_blocked": (_A.CREDIT_CONTROLLER_APPROVAL, _A.ESCALATE_TO_MANAGEMENT),
        "exposure_hard_limit": (_A.REQUEST_PREPAYMENT, _A.ESCALATE_TO_MANAGEMENT),
        "overdue_hard_limit": (_A.COLLECT_OVERDUE, _A.ESCALATE_TO_MANAGEMENT),
        "incomplete_data": (_A.COMPLETE_MASTER_DATA,),
    }
)
"""Contingency actions by reason code (a reason not listed has none)."""
del _A


def _recommendations(
    value: Mapping[RiskLevel, Recommendation],
) -> Mapping[RiskLevel, Recommendation]:
    return MappingProxyType(dict(value))


def _supervision(value: Mapping[RiskLevel, Supervision]) -> Mapping[RiskLevel, Supervision]:
    return MappingProxyType(dict(value))


def _contingency(
    value: Mapping[str, tuple[ContingencyAction, ...]],
) -> Mapping[str, tuple[ContingencyAction, ...]]:
    return MappingProxyType(dict(value))


def _factors(value: Iterable[BandFactor]) -> tuple[BandFactor, ...]:
    return tuple(value)


def _stops(value: Iterable[HardStop]) -> tuple[HardStop, ...]:
    return tuple(value)


def _coded_changes(
    current: tuple[BandFactor | HardStop, ...], default: tuple[BandFactor | HardStop, ...]
) -> str:
    """Factors or hard stops by code: what changed, or the codes when few defaults remain."""
    mine = {item.code: item for item in current}
    builtin = {item.code: item for item in default}
    if 2 * len(mine.keys() & builtin.keys()) < len(builtin):
        return f"<{', '.join(mine)}>"
    return keyed_changes(mine, builtin) or "<reordered>"


@attrs.frozen(slots=True, kw_only=True)
class RiskPolicy:
    """A versioned risk policy (see the module docs for why points always add up).

    Attributes:
        version: Recorded on every assessment (``"2026.1"``).
        factors: The factors, in the order they are shown.
        thresholds: Inclusive lower score thresholds of MEDIUM, HIGH and CRITICAL.
        hard_stops: Conditions that make an order CRITICAL whatever its score.
        recommendations: The recommendation of each level.
        supervision: Who looks at an order of each level, and how soon.
        contingency: Actions by reason code.
        min_completeness: Data completeness (percent of factors with known data) below
            which the level is at least `incomplete_floor`.
        incomplete_floor: The lowest level an order with too little data can get.
        auto_hold_at: The recommendation from which `ordercore.risk.integration` places a
            risk hold automatically.
    """

    version: str
    factors: tuple[BandFactor, ...] = attrs.field(default=BUILTIN_FACTORS, converter=_factors)
    thresholds: tuple[int, int, int] = (20, 40, 60)
    hard_stops: tuple[HardStop, ...] = attrs.field(default=DEFAULT_HARD_STOPS, converter=_stops)
    recommendations: Mapping[RiskLevel, Recommendation] = attrs.field(
        default=MappingProxyType(
            {
                RiskLevel.LOW: Recommendation.ACCEPT,
                RiskLevel.MEDIUM: Recommendation.REVIEW,
                RiskLevel.HIGH: Recommendation.HOLD,
                RiskLevel.CRITICAL: Recommendation.REJECT,
            }
        ),
        converter=_recommendations,
    )
    supervision: Mapping[RiskLevel, Supervision] = attrs.field(
        default=DEFAULT_SUPERVISION, converter=_supervision
    )
    contingency: Mapping[str, tuple[ContingencyAction, ...]] = attrs.field(
        default=DEFAULT_CONTINGENCY, converter=_contingency
    )
    min_completeness: int = 70
    incomplete_floor: RiskLevel = RiskLevel.MEDIUM
    auto_hold_at: Recommendation = Recommendation.HOLD

    def __attrs_post_init__(self) -> None:
        problems = [*self._factor_problems(), *self._level_problems()]
        problems.extend(
            f"hard stop {stop.code!r} has no RiskReason label"
            for stop in self.hard_stops
            if ("RiskReason", stop.code) not in LABELS
        )
        if problems:
            raise ConfigurationError("; ".join(problems), component=f"RiskPolicy {self.version!r}")

    def __repr__(self) -> str:
        """The version and only what differs from the defaults (``help()`` prints it)."""
        changes: list[tuple[str, str]] = []
        for name in (field.name for field in attrs.fields(RiskPolicy)):
            value, default = getattr(self, name), getattr(DEFAULT_POLICY, name)
            if name == "version" or value == default:
                continue
            if name in ("factors", "hard_stops"):
                text = _coded_changes(value, default)
            elif name in ("recommendations", "supervision", "contingency"):
                text = keyed_changes(value, default) or ""
            else:
                text = value_text(value)
            changes.append((name, text))
        return short_repr("RiskPolicy", [("version", repr(self.version))], changes)

    def _factor_problems(self) -> list[str]:
        problems: list[str] = []
        if not self.version.strip():
            problems.append("version must not be empty")
        codes = [f.code for f in self.factors]
        if not codes:
            problems.append("a policy needs at least one factor")
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            problems.append(f"factor codes used twice: {duplicates}")
        total = sum(f.max_points for f in self.factors)
        if total > 100:  # noqa: PLR2004 - the score's scale
            listing = ", ".join(f"{f.code}={f.max_points}" for f in self.factors)
            problems.append(
                f"the factors' maximum points add up to {total}, more than 100 ({listing}); "
                "lower some points so that the score stays the exact sum of its factors"
            )
        return problems

    def _level_problems(self) -> list[str]:
        problems: list[str] = []
        medium, high, critical = self.thresholds
        if not 0 < medium < high < critical <= 100:  # noqa: PLR2004
            problems.append(
                f"thresholds must satisfy 0 < medium < high < critical <= 100, got {self.thresholds}"
            )
        for level in _LEVELS:
            if level not in self.recommendations:
                problems.append(f"no recommendation for level {level.value}")
            if level not in self.supervision:
                problems.append(f"no supervision for level {level.value}")
        ranks = [self.recommendations[lv].rank for lv in _LEVELS if lv in self.recommendations]
        if ranks != sorted(ranks):
            problems.append("recommendations must not get milder as the level rises")
        if not 0 <= self.min_completeness <= 100:  # noqa: PLR2004
            problems.append(f"min_completeness is a percentage, got {self.min_completeness}")
        return problems

    @property
    def max_score(self) -> int:
        """The highest score the factors can give together (at most 100)."""
        return sum(f.max_points for f in self.factors)

    def level_for(self, score: int) -> RiskLevel:
        """The level of a score alone (thresholds are inclusive: ``score >= threshold``)."""
        medium, high, critical = self.thresholds
        if score >= critical:
            return RiskLevel.CRITICAL
        if score >= high:
            return RiskLevel.HIGH
        if score >= medium:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW

    def factor(self, code: str) -> BandFactor:
        """The factor with this code.

        Raises:
            KeyError: If the policy has none (the message lists the codes it has).
        """
        for candidate in self.factors:
            if candidate.code == code:
                return candidate
        known = ", ".join(f.code for f in self.factors)
        raise KeyError(f"policy {self.version} has no factor {code!r}; factors: {known}")

    def features(self) -> tuple[str, ...]:
        """Every feature the factors and hard stops read, in first-use order."""
        names = [name for f in self.factors for name in f.features]
        names.extend(stop.feature for stop in self.hard_stops)
        return tuple(dict.fromkeys(names))


DEFAULT_POLICY: Final = RiskPolicy(version="ordercore-default-1")
"""The built-in factors; MEDIUM from 20, HIGH from 40, CRITICAL from 60 points; the default
hard stops, supervision and contingency; completeness below 70 % is at least MEDIUM; a HOLD
or REJECT recommendation places a risk hold."""
