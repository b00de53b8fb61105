"""Risk factors: small typed objects turning one integer feature into points with a reason.

A [`BandFactor`][ordercore.risk.factors.BandFactor] reads one feature (see
[`ordercore.risk.features`][ordercore.risk.features]) and compares it against ascending,
inclusive thresholds (`Band`): the highest band the value reaches gives the points and the
reason code. An unknown value (`None`) gives the factor's `unknown_points` and an
``*_unknown`` reason, and lowers the assessment's data completeness, so missing data is never
silently scored as safe. A factor may name a `fallback` feature used while the primary one is
unknown (the order-value factor falls back to the cold-start ratio).

The same factor object scores one order ([`BandFactor.evaluate`][ordercore.risk.factors.BandFactor.evaluate])
and builds the narwhals expressions of the batch path, so both compare the same integers
against the same thresholds.

Examples:
    >>> from ordercore.risk.features import OrderFeatures
    >>> result = CREDIT_EXPOSURE.evaluate(OrderFeatures(order_id="SO-1", exposure_bp=10450))
    >>> result.points, result.reason, result.observed, result.threshold
    (16, 'credit_over_limit', 10450, 10000)
    >>> result.explain("zh")
    '下单后信用敞口超过信用额度：104.50 %（阈值 100.00 %）'
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import attrs

from ordercore.errors import ConfigurationError
from ordercore.labels import LABELS
from ordercore.risk.features import FEATURES, OrderFeatures

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BUILTIN_FACTORS",
    "CAPACITY",
    "CREDIT_EXPOSURE",
    "DISCOUNT",
    "DUPLICATE",
    "FIRST_ORDER",
    "LEAD_TIME",
    "MANUAL_CHANNEL",
    "ORDER_VALUE",
    "OVERDUE_AMOUNT",
    "OVERDUE_DAYS",
    "PACK_MULTIPLE",
    "PAYMENT_TERMS",
    "QUANTITY",
    "REVIEW_WARNINGS",
    "SHIP_TO",
    "Band",
    "BandFactor",
    "FactorResult",
    "Unit",
    "format_value",
]

Unit = Literal["bp", "days", "business_days", "z_x100", "count", "flag", "level"]
"""How a feature's integer is read: basis points, days, z-score × 100, a count, a 0/1 flag,
or a small ordinal level (0, 1, 2)."""

CLEAR: Final = "clear"
"""The reason code of a factor that was evaluated and gave no points."""


def format_value(value: int | None, unit: str) -> str:
    """Show a feature value for a person (basis points as a percentage, z-scores as decimals).

    Examples:
        >>> format_value(10450, "bp"), format_value(-235, "z_x100"), format_value(None, "days")
        ('104.50 %', '-2.35', 'unknown')
    """
    if value is None:
        return "unknown"
    if unit == "bp":
        sign = "-" if value < 0 else ""
        whole, rest = divmod(abs(value), 100)
        return f"{sign}{whole}.{rest:02d} %"
    if unit == "z_x100":
        sign = "-" if value < 0 else ""
        whole, rest = divmod(abs(value), 100)
        return f"{sign}{whole}.{rest:02d}"
    return str(value)


def _texts(reason: str, en: str | None, zh: str | None) -> tuple[str, str]:
    if en is not None and zh is not None:
        return (en, zh)
    found = LABELS.get(("RiskReason", reason))
    if found is None:
        raise ConfigurationError(
            f"reason {reason!r} has no label; give en= and zh= descriptions",
            component="risk factor",
        )
    return found


@attrs.frozen(slots=True)
class Band:
    """One inclusive threshold of a factor: a value ``>= at_least`` scores `points`.

    Attributes:
        at_least: The threshold, in the feature's unit (inclusive).
        points: The points scored (0 or more).
        reason: The reason code (a key of the ``RiskReason`` labels unless `en`/`zh` are given).
        en: An English description, for reason codes not in the label table.
        zh: A Chinese description, likewise.
    """

    at_least: int
    points: int
    reason: str
    en: str | None = None
    zh: str | None = None

    @property
    def texts(self) -> tuple[str, str]:
        """The English and Chinese descriptions."""
        return _texts(self.reason, self.en, self.zh)


class FactorResult(NamedTuple):
    """What one factor said about one order (an immutable named tuple: cheap to build).

    Attributes:
        code: The factor's code.
        reason: The reason code (``"clear"`` when no band was reached).
        points: Points added to the score.
        observed: The feature value the factor read (`None`: unknown).
        threshold: The threshold of the band reached, or the first threshold when none was.
        unit: How `observed` and `threshold` are read.
        known: Whether the factor's data was available.
        en: The English description of the reason.
        zh: The Chinese description of the reason.
    """

    code: str
    reason: str
    points: int
    observed: int | None
    threshold: int | None
    unit: str
    known: bool
    en: str
    zh: str

    def description(self, lang: str = "en") -> str:
        """The reason's description in English or Chinese."""
        return self.zh if lang.startswith("zh") else self.en

    def explain(self, lang: str = "en") -> str:
        """A one-line explanation with the observed value and the threshold."""
        observed = format_value(self.observed, self.unit)
        if self.threshold is None or not self.known or self.unit in ("flag", "level"):
            return self.description(lang)
        threshold = format_value(self.threshold, self.unit)
        if lang.startswith("zh"):
            return f"{self.zh}：{observed}（阈值 {threshold}）"
        return f"{self.en}: {observed} (threshold {threshold})"


def _bands(value: Iterable[Band]) -> tuple[Band, ...]:
    return tuple(value)


def _check_bands(code: str, bands: tuple[Band, ...], what: str) -> None:
    if not bands:
        raise ConfigurationError(f"{code}: {what} needs at least one band", component="risk factor")
    for before, after in pairwise(bands):
        if after.at_least <= before.at_least:
            raise ConfigurationError(
                f"{code}: {what} thresholds must strictly ascend, got {before.at_least} then "
                f"{after.at_least}",
                component="risk factor",
            )
        if after.points < before.points:
            raise ConfigurationError(
                f"{code}: {what} points must not fall as the value rises, got "
                f"{before.points} then {after.points}",
                component="risk factor",
            )
    for band in bands:
        if band.points < 0:
            raise ConfigurationError(
                f"{code}: points are never negative, got {band.points} at {band.at_least}",
                component="risk factor",
            )
        band.texts  # noqa: B018 - fails early when a reason has no description


@attrs.frozen(slots=True)
class BandFactor:
    """A factor scoring one integer feature against ascending inclusive bands.

    Attributes:
        code: The factor's code (unique within a policy).
        feature: The feature it reads (an `OrderFeatures` field or an extra feature).
        bands: Ascending thresholds; the highest one reached scores.
        unit: How the feature is read (for explanations).
        unknown_points: Points when the feature is unknown.
        unknown_reason: The reason code when unknown (default ``"<code>_unknown"``).
        fallback_feature: A feature read while `feature` is unknown.
        fallback_bands: The bands of the fallback feature.
        fallback_unit: The fallback feature's unit.
        unknown_en: English description of the unknown reason, if it has no label.
        unknown_zh: Chinese description of the unknown reason, likewise.
    """

    code: str
    feature: str
    bands: tuple[Band, ...] = attrs.field(converter=_bands)
    unit: Unit = "count"
    unknown_points: int = 0
    unknown_reason: str = ""
    fallback_feature: str | None = None
    fallback_bands: tuple[Band, ...] = attrs.field(default=(), converter=_bands)
    fallback_unit: Unit = "count"
    unknown_en: str | None = None
    unknown_zh: str | None = None
    _unknown: FactorResult = attrs.field(init=False, repr=False, eq=False)
    _fallback_unknown: FactorResult = attrs.field(init=False, repr=False, eq=False)
    _builtin: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.code.isidentifier():
            raise ConfigurationError(
                f"factor code {self.code!r} must be an identifier (it names batch columns)",
                component="risk factor",
            )
        _check_bands(self.code, self.bands, "bands")
        if self.fallback_feature is not None:
            _check_bands(self.code, self.fallback_bands, "fallback_bands")
        if self.unknown_points < 0:
            raise ConfigurationError(
                f"{self.code}: unknown_points is never negative", component="risk factor"
            )
        if not self.unknown_reason:
            object.__setattr__(self, "unknown_reason", f"{self.code}_unknown")
        en, zh = _texts(self.unknown_reason, self.unknown_en, self.unknown_zh)
        # an unknown result does not depend on the order: build it once
        for name, unit in (("_unknown", self.unit), ("_fallback_unknown", self.fallback_unit)):
            result = FactorResult(
                self.code,
                self.unknown_reason,
                self.unknown_points,
                None,
                None,
                unit,
                known=False,
                en=en,
                zh=zh,
            )
            object.__setattr__(self, name, result)
        object.__setattr__(
            self,
            "_builtin",
            all(name in FEATURES for name in self.features),
        )

    @property
    def max_points(self) -> int:
        """The most points this factor can give."""
        highest = max(band.points for band in self.bands)
        if self.fallback_bands:
            highest = max(highest, *(band.points for band in self.fallback_bands))
        return max(highest, self.unknown_points)

    @property
    def features(self) -> tuple[str, ...]:
        """The features it reads."""
        if self.fallback_feature is None:
            return (self.feature,)
        return (self.feature, self.fallback_feature)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every reason code it can give."""
        codes = [CLEAR, *(b.reason for b in self.bands), *(b.reason for b in self.fallback_bands)]
        codes.append(self.unknown_reason)
        return tuple(dict.fromkeys(codes))

    def evaluate(self, features: OrderFeatures) -> FactorResult:
        """Score one order's features."""
        read = getattr if self._builtin else OrderFeatures.get
        value = read(features, self.feature)
        bands, unit = self.bands, self.unit
        if value is None:
            if self.fallback_feature is None:
                return self._unknown
            value = read(features, self.fallback_feature)
            if value is None:
                return self._fallback_unknown
            bands, unit = self.fallback_bands, self.fallback_unit
        reached = None
        for band in bands:
            if value >= band.at_least:
                reached = band
            else:
                break
        if reached is None:
            return FactorResult(
                self.code,
                CLEAR,
                0,
                value,
                bands[0].at_least,
                unit,
                known=True,
                en=_CLEAR_TEXTS[0],
                zh=_CLEAR_TEXTS[1],
            )
        en, zh = reached.texts
        return FactorResult(
            self.code,
            reached.reason,
            reached.points,
            value,
            reached.at_least,
            unit,
            known=True,
            en=en,
            zh=zh,
        )

    # ------------------------------------------------------------------ batch expressions
    def points_expr(self, nw: Any) -> Any:
        """The narwhals expression of the points (`nw` is ``narwhals.stable.v2``).

        Bands are cumulative, so the points are a sum of 0/1 comparisons times each band's
        increment: null when the feature is null, then the fallback, then the unknown points.
        """
        parts = [_banded(nw, self.feature, self.bands)]
        if self.fallback_feature is not None:
            parts.append(_banded(nw, self.fallback_feature, self.fallback_bands))
        return nw.coalesce(*parts, nw.lit(self.unknown_points, nw.Int64))

    def reason_expr(self, nw: Any) -> Any:
        """The narwhals expression of the reason code."""
        return self._chain(nw, lambda band: band.reason, self.unknown_reason, CLEAR, nw.String)

    def known_expr(self, nw: Any) -> Any:
        """1 where the factor's data is known, else 0."""
        known = ~nw.col(self.feature).is_null()
        if self.fallback_feature is not None:
            known = known | ~nw.col(self.fallback_feature).is_null()
        return known.cast(nw.Int64)

    def _chain(self, nw: Any, pick: Any, unknown: object, clear: object, dtype: Any) -> Any:
        column = nw.col(self.feature)
        cases: list[tuple[Any, object]] = []
        if self.fallback_feature is None:
            cases.append((column.is_null(), unknown))
            cases.extend((column >= b.at_least, pick(b)) for b in reversed(self.bands))
        else:
            # primary known: its bands; primary unknown: the fallback's; both unknown: unknown
            known = ~column.is_null()
            cases.extend((known & (column >= b.at_least), pick(b)) for b in reversed(self.bands))
            cases.append((known, clear))
            fallback = nw.col(self.fallback_feature)
            cases.append((fallback.is_null(), unknown))
            cases.extend((fallback >= b.at_least, pick(b)) for b in reversed(self.fallback_bands))
        condition, value = cases[0]
        chain = nw.when(condition).then(nw.lit(value, dtype))
        for condition, value in cases[1:]:
            chain = chain.when(condition).then(nw.lit(value, dtype))
        return chain.otherwise(nw.lit(clear, dtype))


def _banded(nw: Any, feature: str, bands: tuple[Band, ...]) -> Any:
    column = nw.col(feature)
    total = column * 0  # 0 where known, null where unknown
    previous = 0
    for band in bands:
        step = band.points - previous
        previous = band.points
        if step:
            total = total + (column >= band.at_least).cast(nw.Int64) * step
    return total.cast(nw.Int64)


_CLEAR_TEXTS: Final = LABELS[("RiskReason", CLEAR)]

CREDIT_EXPOSURE: Final = BandFactor(
    "credit_exposure",
    "exposure_bp",
    (Band(8000, 8, "credit_near_limit"), Band(10000, 16, "credit_over_limit")),
    unit="bp",
    unknown_points=10,
    unknown_reason="credit_unknown",
)
"""Open exposure plus this order against the credit limit: 80 % scores 8, 100 % scores 16;
an unknown credit position (no profile, no limit, no exposure, another currency) scores 10."""

OVERDUE_DAYS: Final = BandFactor(
    "overdue_days",
    "overdue_days",
    (
        Band(1, 3, "overdue_any"),
        Band(30, 6, "overdue_30_days"),
        Band(60, 10, "overdue_60_days"),
    ),
    unit="days",
    unknown_points=5,
)
"""Days the oldest receivable is past due: 1 scores 3, 30 scores 6, 60 scores 10; unknown 5."""

OVERDUE_AMOUNT: Final = BandFactor(
    "overdue_amount",
    "overdue_bp",
    (Band(1000, 3, "overdue_amount_10pct"), Band(3000, 6, "overdue_amount_30pct")),
    unit="bp",
)
"""The overdue amount against the credit limit: 10 % scores 3, 30 % scores 6."""

ORDER_VALUE: Final = BandFactor(
    "order_value",
    "value_z_x100",
    (Band(350, 6, "value_outlier"), Band(600, 10, "value_extreme_outlier")),
    unit="z_x100",
    unknown_points=3,
    unknown_reason="value_no_history",
    fallback_feature="value_ratio_bp",
    fallback_bands=(Band(30000, 6, "value_cold_start_jump"),),
    fallback_unit="bp",
)
"""The order's net value against the customer's own history. With `MIN_HISTORY` past orders
and some spread: robust z-score 3.5 scores 6, 6.0 scores 10 (Iglewicz and Hoaglin's outlier
cut-off is 3.5). Cold start (fewer orders, or all alike): three times the largest past order
scores 6. No history at all scores 3 and counts as missing data."""

FIRST_ORDER: Final = BandFactor(
    "first_order",
    "first_order",
    (Band(1, 8, "first_order"),),
    unit="flag",
    unknown_points=5,
)
"""A customer's first order scores 8; an unknown order history scores 5."""

LEAD_TIME: Final = BandFactor(
    "lead_time",
    "lead_time_shortfall_days",
    (Band(1, 5, "inside_lead_time"), Band(5, 8, "far_inside_lead_time")),
    unit="business_days",
    unknown_points=2,
)
"""A requested date inside the quoted lead time: 1 business day short scores 5, 5 days 8;
unknown products score 2."""

CAPACITY: Final = BandFactor(
    "capacity",
    "capacity_load_bp",
    (Band(8000, 3, "capacity_tight"), Band(10000, 5, "beyond_capacity")),
    unit="bp",
)
"""Capacity needed against free capacity up to the requested date: 80 % scores 3, more than
all of it scores 5."""

MANUAL_CHANNEL: Final = BandFactor(
    "manual_channel",
    "manual_channel",
    (Band(1, 2, "manual_channel"), Band(2, 5, "manual_unconfirmed")),
    unit="level",
)
"""Manual entry (e-mail, confirmed phone or fax) scores 2; phone or fax without a
confirmation reference scores 5 (manual orders carry about 3.4 errors per 100)."""

SHIP_TO: Final = BandFactor(
    "ship_to",
    "ship_to_change",
    (Band(1, 4, "new_ship_to"), Band(2, 8, "new_ship_to_country")),
    unit="level",
    unknown_points=3,
)
"""A ship-to not used before scores 4, one in a new country 8; a missing ship-to (or no
address history for a repeat customer) scores 3."""

QUANTITY: Final = BandFactor(
    "quantity", "lines_over_max", (Band(1, 5, "quantity_over_max"),), unknown_points=2
)
"""Any line above the product's maximum quantity scores 5; unknown products score 2."""

PACK_MULTIPLE: Final = BandFactor("pack_multiple", "lines_off_pack", (Band(1, 2, "off_pack"),))
"""Any line that is not a whole number of packs scores 2."""

PAYMENT_TERMS: Final = BandFactor(
    "payment_terms", "terms_changed", (Band(1, 4, "terms_changed"),), unit="flag"
)
"""Payment terms on the order that differ from the customer master score 4."""

REVIEW_WARNINGS: Final = BandFactor(
    "review_warnings",
    "review_warnings",
    (Band(1, 3, "review_warning"), Band(3, 5, "review_warnings_many")),
)
"""Warnings carried over from order review: one scores 3, three or more 5; review not run is
missing data (0 points)."""

DISCOUNT: Final = BandFactor("discount", "lines_over_discount", (Band(1, 3, "discount_excess"),))
"""Any line discounted beyond the price list's allowed discount scores 3; no price list is
missing data (0 points)."""

DUPLICATE: Final = BandFactor("duplicate", "duplicate_orders", (Band(1, 5, "possible_duplicate"),))
"""Another order of the customer within 72 hours with the same PO or the same lines scores 5."""

BUILTIN_FACTORS: Final = (
    CREDIT_EXPOSURE,
    OVERDUE_DAYS,
    OVERDUE_AMOUNT,
    ORDER_VALUE,
    FIRST_ORDER,
    LEAD_TIME,
    CAPACITY,
    MANUAL_CHANNEL,
    SHIP_TO,
    QUANTITY,
    PACK_MULTIPLE,
    PAYMENT_TERMS,
    REVIEW_WARNINGS,
    DISCOUNT,
    DUPLICATE,
)
"""Every built-in factor, in the default policy's order; their maxima add up to 100."""
