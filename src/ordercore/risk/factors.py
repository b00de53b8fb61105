"""The built-in risk factors, and the factor types re-exported from `ordercore.risk.bands`.

Each built-in is a [`BandFactor`][ordercore.risk.bands.BandFactor] over one feature of
[`OrderFeatures`][ordercore.risk.features.OrderFeatures]; `BUILTIN_FACTORS` lists them in the
default policy's order, and their maxima add up to 100. Thresholds are in the feature's
unit (basis points, days, z-score × 100, counts, flags or levels).

Examples:
    >>> from ordercore.risk.features import OrderFeatures
    >>> result = CREDIT_EXPOSURE.evaluate(OrderFeatures(order_id="SO-1", exposure_bp=10450))
    >>> result.points, result.reason, result.observed, result.threshold
    (16, 'credit_over_limit', 10450, 10000)
    >>> result.explain("zh")
    '下单后信用敞口超过信用额度：104.50 %（阈值 100.00 %）'
"""

from __future__ import annotations

from typing import Final

from ordercore.risk.bands import CLEAR, Band, BandFactor, FactorResult, Unit, format_value

__all__ = [
    "BUILTIN_FACTORS",
    "CAPACITY",
    "CLEAR",
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
all of it scores 5. With a promise engine in `ReviewContext.promise`, the free capacity is
what the competing orders leave up to the due day, from the same answer review's
promised-date rule reads (`RiskContext.promise_load`)."""

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
