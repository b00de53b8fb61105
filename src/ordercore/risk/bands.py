"""Bands and band factors: small typed objects turning one integer feature into points.

A [`BandFactor`][ordercore.risk.bands.BandFactor] reads one feature (see
[`ordercore.risk.features`][ordercore.risk.features]) and compares it against ascending,
inclusive thresholds (`Band`): the highest band the value reaches gives the points and the
reason code. An unknown value (`None`) gives the factor's `unknown_points` and an
``*_unknown`` reason, and lowers the assessment's data completeness, so missing data is never
silently scored as safe. A factor may name a `fallback` feature used while the primary one is
unknown (the order-value factor falls back to the cold-start ratio).

The same factor object scores one order ([`BandFactor.evaluate`][ordercore.risk.bands.BandFactor.evaluate])
and builds the narwhals expressions of the batch path, so both compare the same integers
against the same thresholds. A factor compiles its bands into a threshold table once, when it
is built, so scoring one order is a binary search and one tuple. The built-in factors are in
[`ordercore.risk.factors`][ordercore.risk.factors].

Examples:
    >>> from ordercore.risk.features import OrderFeatures
    >>> factor = BandFactor("overdue_days", "overdue_days",
    ...     (Band(1, 3, "overdue_any"), Band(30, 6, "overdue_30_days")), unit="days")
    >>> result = factor.evaluate(OrderFeatures(order_id="SO-1", overdue_days=45))
    >>> result.points, result.reason, result.observed, result.threshold
    (6, 'overdue_30_days', 45, 30)
    >>> result.explain("zh")
    '应收款逾期30天及以上：45（阈值 30）'
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import attrs

from ordercore.errors import ConfigurationError
from ordercore.labels import LABELS
from ordercore.risk.features import FEATURES, OrderFeatures

_new_tuple: Final = tuple.__new__

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CLEAR",
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


_Hit = tuple[str, int, int, str, str, str]
_Table = tuple[tuple[int, ...], tuple[_Hit, ...], dict[int, "FactorResult"]]
_SEEN_LIMIT: Final = 4096  # remembered results per factor and table; cleared when full


def _compile(bands: tuple[Band, ...], unit: str) -> _Table:
    """Thresholds, and what each count of thresholds reached scores (0: none, clear)."""
    if not bands:
        return ((), (), {})
    clear_en, clear_zh = LABELS[("RiskReason", CLEAR)]
    hits: list[_Hit] = [(CLEAR, 0, bands[0].at_least, unit, clear_en, clear_zh)]
    hits.extend((b.reason, b.points, b.at_least, unit, *b.texts) for b in bands)
    return tuple(b.at_least for b in bands), tuple(hits), {}


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
    # compiled tables: feature positions in OrderFeatures, thresholds, and per band (index 0:
    # none reached) the reason, points, threshold and descriptions
    _index: int = attrs.field(init=False, repr=False, eq=False)
    _fallback_index: int = attrs.field(init=False, repr=False, eq=False)
    _table: _Table = attrs.field(init=False, repr=False, eq=False)
    _fallback_table: _Table = attrs.field(init=False, repr=False, eq=False)

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
        builtin = all(name in FEATURES for name in self.features)
        object.__setattr__(self, "_builtin", builtin)
        # OrderFeatures is a named tuple: field 0 is order_id, then FEATURES in order
        object.__setattr__(self, "_index", FEATURES.index(self.feature) + 1 if builtin else -1)
        fallback = self.fallback_feature
        object.__setattr__(
            self, "_fallback_index", FEATURES.index(fallback) + 1 if builtin and fallback else -1
        )
        object.__setattr__(self, "_table", _compile(self.bands, self.unit))
        object.__setattr__(
            self, "_fallback_table", _compile(self.fallback_bands, self.fallback_unit)
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
        builtin = self._builtin
        value: int | None = features[self._index] if builtin else features.get(self.feature)  # type: ignore[assignment]
        table = self._table
        if value is None:
            if self.fallback_feature is None:
                return self._unknown
            fallback: int | None = (
                features[self._fallback_index]  # type: ignore[assignment]
                if builtin
                else features.get(self.fallback_feature)
            )
            if fallback is None:
                return self._fallback_unknown
            value, table = fallback, self._fallback_table
        thresholds, hits, seen = table
        if type(value) is int:
            # a result depends on the value alone; many orders share a value (flags, counts)
            found = seen.get(value)
            if found is not None:
                return found
        reason, points, threshold, unit, en, zh = hits[bisect_right(thresholds, value)]
        result: FactorResult = _new_tuple(
            FactorResult, (self.code, reason, points, value, threshold, unit, True, en, zh)
        )
        if type(value) is int:
            if len(seen) >= _SEEN_LIMIT:
                seen.clear()
            seen[value] = result
        return result

    # ------------------------------------------------------------------ batch expressions
    def points_expr(self, nw: Any) -> Any:
        """The narwhals expression of the points (`nw` is ``narwhals.stable.v2``).

        Bands are cumulative, so the points are a sum of 0/1 comparisons times each band's
        increment: null when the feature is null, then the fallback, then the unknown points.
        """
        banded = _banded(nw, self.feature, self.bands)
        if self.fallback_feature is None:
            return banded.fill_null(self.unknown_points)
        fallback = _banded(nw, self.fallback_feature, self.fallback_bands)
        return nw.coalesce(banded, fallback, nw.lit(self.unknown_points, nw.Int64))

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
    """The points of `bands` as ``Int64``, null where the feature is null.

    A comparison is null where its operand is, so the sum of the bands' 0/1 comparisons
    times their increments is already null there; only bands that all score 0 need an
    explicit ``0 where known``.
    """
    column = nw.col(feature)
    total = None
    previous = 0
    for band in bands:
        step = band.points - previous
        previous = band.points
        if step:
            term = (column >= band.at_least).cast(nw.Int64) * step
            total = term if total is None else total + term
    return (column * 0).cast(nw.Int64) if total is None else total
