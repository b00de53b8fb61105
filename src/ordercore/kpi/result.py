"""What every KPI returns: value with numerator, denominator, status, exclusions and interval.

A KPI never returns 0 or −1 for "no data": with nothing to count the value is `None` and the
status says why. Proportions carry a Wilson score interval; NPS carries the normal interval
from its variance 100²·[p(1−p) + d(1−d) + 2pd]/n.

Examples:
    >>> lo, hi = wilson_interval(9, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.5958, 0.9821)
    >>> r = proportion("otif", 0, 0)
    >>> r.value is None, r.status
    (True, <KpiStatus.NO_DATA: 'no_data'>)
"""

from __future__ import annotations

import math
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs

__all__ = [
    "MIN_SAMPLE",
    "Interval",
    "KpiResult",
    "KpiStatus",
    "nps_interval",
    "proportion",
    "wilson_interval",
]

MIN_SAMPLE: Final = 30
"""Default sample size below which a result is `insufficient_sample` (the value is still given)."""

_Z95: Final = 1.959963984540054
_EXACT: Final = 2**53
"""Below this magnitude every whole float is exactly an int."""


class KpiStatus(StrEnum):
    """Whether a KPI value can be read."""

    OK = "ok"
    """Computed from enough data."""
    NO_DATA = "no_data"
    """Nothing to count: the value is `None`."""
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    """Computed, but from fewer observations than the minimum sample; read with care."""


@attrs.frozen
class Interval:
    """A confidence interval.

    Attributes:
        low: Lower bound.
        high: Upper bound.
        method: ``wilson`` or ``nps-normal``.
        confidence: The confidence level (0.95 by default).
    """

    low: float
    high: float
    method: str
    confidence: float = 0.95


def _whole(value: float | None) -> float | None:
    """A whole-number float as an int: counts read as counts (``74830``, not ``74830.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return int(value)
    return value


def _frozen_map(value: object) -> MappingProxyType[str, object]:
    return MappingProxyType(dict(value))  # type: ignore[call-overload]


@attrs.frozen(repr=False)
class KpiResult:
    """One KPI value with everything needed to trust it.

    Attributes:
        name: The KPI (``otif``, ``cycle_time_gross``, ``csat``, ...).
        value: The value, or `None` when there was nothing to count.
        numerator: What was counted (or summed); a whole number is an `int`.
        denominator: Out of what (the sample size for means and quantiles); a whole number
            (a count) is an `int`.
        status: ok, no_data or insufficient_sample.
        exclusions: Rows left out, counted by reason.
        policy: The policy object (or preset name) the KPI used.
        interval: Confidence interval for proportions and survey scores.
        period: The period the result covers (``"2026-03"``) or `None` for all data.
        group: Filters applied (``{"owner_id": "S-01"}``).
        details: Further figures (component rates, quantiles, censored counts, breakdowns).
        unit: ``share`` (0–1), ``hours``, ``score``, ``nps`` (−100…100) or ``amount``.
    """

    name: str
    value: float | None
    numerator: float | None = attrs.field(converter=_whole)
    denominator: float | None = attrs.field(converter=_whole)
    status: KpiStatus
    exclusions: MappingProxyType[str, object] = attrs.field(factory=dict, converter=_frozen_map)
    policy: object = None
    interval: Interval | None = None
    period: str | None = None
    group: MappingProxyType[str, object] = attrs.field(factory=dict, converter=_frozen_map)
    details: MappingProxyType[str, object] = attrs.field(factory=dict, converter=_frozen_map)
    unit: str = "share"

    def __repr__(self) -> str:
        """A short line: the value with its sample, status, period, group and the exclusions.

        Examples:
            >>> KpiResult("otif", 0.75, 3, 4, KpiStatus.OK, {"not_yet_due": 2, "nothing_owed": 0})
            KpiResult(otif=0.75 share (3/4), ok, excluded: not_yet_due=2)
        """
        value = "no data" if self.value is None else f"{self.value:.4g} {self.unit}"
        parts = [f"{self.name}={value} ({self.numerator}/{self.denominator})", self.status.value]
        if self.period:
            parts.append(f"period {self.period}")
        if self.group:
            parts.append("group " + ", ".join(f"{k}={v}" for k, v in self.group.items()))
        excluded = [f"{reason}={count}" for reason, count in self.exclusions.items() if count]
        if excluded:
            parts.append("excluded: " + ", ".join(excluded))
        return f"KpiResult({', '.join(parts)})"

    def _shown(self, value: float) -> str:
        """A value for a person: a share as a percentage, anything else with its unit."""
        if self.unit == "share":
            return f"{100 * value:.1f} %"
        return f"{value:.4g} ({self.unit})"

    def _repr_html_(self) -> str:
        """Rich display in notebooks: value with its sample, interval, status and exclusions.

        A share and its interval read as percentages.

        Examples:
            >>> html = proportion("otif", 3, 4, min_sample=1)._repr_html_()
            >>> "<td>75.0 %</td>" in html, "[30.1 %, 95.4 %]" in html
            (True, True)
        """
        from ordercore import _html  # noqa: PLC0415 - only notebooks call this

        pairs: list[tuple[str, object]] = [
            ("KPI", self.name),
            ("value", "no data" if self.value is None else self._shown(self.value)),
            ("numerator / denominator", f"{self.numerator} / {self.denominator}"),
            ("status", self.status.value),
        ]
        if self.interval is not None:
            low, high = self._shown(self.interval.low), self._shown(self.interval.high)
            pairs.append(("interval", f"[{low}, {high}]"))
        if self.period:
            pairs.append(("period", self.period))
        pairs.extend((f"excluded: {reason}", count) for reason, count in self.exclusions.items())
        return _html.definition_list(pairs)


def wilson_interval(successes: float, n: float, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927), clipped to [0, 1].

    Raises:
        ValueError: If `n` is not positive or `successes` is outside [0, n].
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(
            f"wilson_interval needs 0 <= successes <= n and n > 0, got {successes}/{n}"
        )
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_interval(
    promoters: float, detractors: float, n: float, z: float = _Z95
) -> tuple[float, float]:
    """Normal interval for NPS on the −100…100 scale from Var = 100²·[p(1−p)+d(1−d)+2pd]/n.

    Examples:
        >>> nps_interval(5, 2, 10)
        (-18.40..., 78.40...)
    """
    if n <= 0:
        raise ValueError(f"nps_interval needs n > 0, got {n}")
    p, d = promoters / n, detractors / n
    variance = 100.0**2 * (p * (1 - p) + d * (1 - d) + 2 * p * d) / n
    centre = 100.0 * (p - d)
    half = z * math.sqrt(variance)
    return max(-100.0, centre - half), min(100.0, centre + half)


def proportion(
    name: str,
    numerator: float,
    denominator: float,
    *,
    min_sample: int = MIN_SAMPLE,
    **fields: object,
) -> KpiResult:
    """Build a proportion result: value, Wilson interval and status from the two counts."""
    if denominator <= 0:
        return KpiResult(name, None, numerator, denominator, KpiStatus.NO_DATA, **fields)  # type: ignore[arg-type]
    low, high = wilson_interval(numerator, denominator)
    status = KpiStatus.OK if denominator >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    return KpiResult(
        name,
        numerator / denominator,
        numerator,
        denominator,
        status,
        interval=Interval(low, high, "wilson"),
        **fields,  # type: ignore[arg-type]
    )
