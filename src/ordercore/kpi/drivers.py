"""Month-over-month drivers: did a rate move because the mix changed, or the groups themselves?

A headline rate is a weighted mean of its groups' rates: ``R = Σ w_g · r_g`` with ``w_g``
the group's share of the denominator and ``r_g`` its own rate. Between a base period (0) and
a compared one (1) the change splits, per group, into

* **mix** ``(w1 − w0) · (r0 + r1) / 2``: the group's share moved;
* **rate** ``(r1 − r0) · (w0 + w1) / 2``: the group got better or worse;

and ``Σ (mix + rate) = R1 − R0`` exactly (the symmetric, Shapley split: no order of the two
effects is favoured, and no residual "interaction" term is left over). A group present in
one period only has no rate in the other: it takes its one rate there, so its whole
contribution is mix (it came or went). The arithmetic is done on the report's counts as
exact fractions (`RateChange.exact`); the floats are those fractions rounded.

Read it from a [`monthly_report`][ordercore.kpi.report.monthly_report] grouped `by` channel,
customer, staff or product (any grouping the report has).

Examples:
    >>> import pandas as pd
    >>> from ordercore.kpi.drivers import decompose
    >>> change = decompose({"web": (80, 100), "phone": (10, 20)},
    ...                    {"web": (45, 50), "phone": (35, 50)}, rate="otif_rate")
    >>> round(change.base, 4), change.compare, round(change.change, 4)
    (0.75, 0.8, 0.05)
    >>> change.exact["change"] == change.exact["mix"] + change.exact["rate"]
    True
    >>> [(g.group, round(g.mix, 4), round(g.rate, 4)) for g in change.groups]
    [(('phone',), 0.2, 0.0667), (('web',), -0.2833, 0.0667)]
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import _common, _words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore.kpi.report import MonthlyReport

__all__ = ["GroupDriver", "RateChange", "decompose", "rate_drivers"]

_ZERO = Fraction(0)
_HALF = Fraction(1, 2)


@attrs.frozen
class GroupDriver:
    """One group's part of a rate's change.

    Attributes:
        group: The group's values of the report's `by` columns.
        base: ``(numerator, denominator)`` in the base period (``(0, 0)`` if absent).
        compare: The same in the compared period.
        share_base: Its share of the denominator in the base period.
        share_compare: The same in the compared period.
        mix: Its mix effect.
        rate: Its rate effect.
        total: ``mix + rate``.
        exact: ``mix``, ``rate``, ``total`` as exact fractions.
    """

    group: tuple[Any, ...]
    base: tuple[int, int]
    compare: tuple[int, int]
    share_base: float
    share_compare: float
    mix: float
    rate: float
    total: float
    exact: Mapping[str, Fraction]


@attrs.frozen
class RateChange:
    """A rate's change between two periods, split into mix and rate effects by group.

    Attributes:
        rate: The rate's name (``otif_rate``, ...).
        base: The rate in the base period (None without a denominator).
        compare: The rate in the compared period.
        change: ``compare − base``.
        mix: The sum of the groups' mix effects.
        rate_effect: The sum of the groups' rate effects (``mix + rate_effect == change``).
        groups: Each group's part, the largest absolute contribution first (ties by group).
        exact: ``base``, ``compare``, ``change``, ``mix``, ``rate`` as exact fractions.
        periods: ``(base, compare)`` labels, when read from a report.
    """

    rate: str
    base: float
    compare: float
    change: float
    mix: float
    rate_effect: float
    groups: tuple[GroupDriver, ...]
    exact: Mapping[str, Fraction]
    periods: tuple[str, str] | None = None

    def drivers(self, n: int = 3) -> tuple[GroupDriver, ...]:
        """The `n` groups that moved the rate most (by absolute contribution)."""
        return self.groups[:n]

    def to_markdown(self, lang: str = "en") -> str:
        """The change and its drivers as a Markdown table (English or Chinese headings)."""
        zh = _words.check_lang(lang, "RateChange.to_markdown")
        head = (
            ("组", "基期", "对比期", "结构效应", "比率效应", "合计")
            if zh
            else ("group", "base", "compare", "mix", "rate", "total")
        )
        lines = [
            f"**{self.rate}**: {self.base:.1%} → {self.compare:.1%} ({self.change:+.1%}; "
            + (
                f"结构 {self.mix:+.1%}, 比率 {self.rate_effect:+.1%})"
                if zh
                else f"mix {self.mix:+.1%}, rate {self.rate_effect:+.1%})"
            ),
            "",
            "| " + " | ".join(head) + " |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for g in self.groups:
            name = " / ".join(str(v) for v in g.group)
            rates = [f"{k}/{n}" for k, n in (g.base, g.compare)]
            lines.append(
                f"| {name} | {rates[0]} | {rates[1]} | {g.mix:+.2%} | {g.rate:+.2%} "
                f"| {g.total:+.2%} |"
            )
        return "\n".join(lines)


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument("decompose", what, f"counts must be numbers, got {value!r}")
    if value != value or value < 0 or int(value) != value:  # noqa: PLR0124 - NaN test
        raise InvalidArgument("decompose", what, f"counts must be whole and >= 0, got {value!r}")
    return int(value)


def _counts(
    groups: Mapping[Any, tuple[object, object]], what: str
) -> dict[tuple[Any, ...], tuple[int, int]]:
    if not isinstance(groups, Mapping):
        raise InvalidArgument(
            "decompose", what, f"must map each group to (numerator, denominator), got {groups!r}"
        )
    out = {}
    for key, pair in groups.items():
        if not isinstance(pair, tuple) or len(pair) != 2:  # noqa: PLR2004 - a pair
            raise InvalidArgument(
                "decompose", what, f"group {key!r}: expected (numerator, denominator), got {pair!r}"
            )
        k, n = pair
        num, den = _count(k, what), _count(n, what)
        if num > den:
            raise InvalidArgument("decompose", what, f"group {key!r} has {num} of {den}")
        out[key if isinstance(key, tuple) else (key,)] = (num, den)
    return out


def decompose(
    base: Mapping[Any, tuple[object, object]],
    compare: Mapping[Any, tuple[object, object]],
    *,
    rate: str = "rate",
    periods: tuple[str, str] | None = None,
) -> RateChange:
    """Split a rate's change into mix and rate effects, from each group's counts.

    Args:
        base: Group -> ``(numerator, denominator)`` in the base period.
        compare: The same in the compared period.
        rate: The rate's name.
        periods: Labels of the two periods.

    Raises:
        InvalidArgument: Counts that are not whole numbers >= 0, a numerator above its
            denominator, or a period with no denominator at all (no rate to compare).
    """
    zero, one = _counts(base, "base"), _counts(compare, "compare")
    n0, n1 = sum(n for _, n in zero.values()), sum(n for _, n in one.values())
    if not n0 or not n1:
        empty = "base" if not n0 else "compare"
        raise InvalidArgument("decompose", empty, "has no denominator: there is no rate to compare")
    groups = []
    for key in sorted(set(zero) | set(one), key=lambda g: tuple(str(v) for v in g)):
        k0, d0 = zero.get(key, (0, 0))
        k1, d1 = one.get(key, (0, 0))
        if not d0 and not d1:
            continue
        w0, w1 = Fraction(d0, n0), Fraction(d1, n1)
        r0 = Fraction(k0, d0) if d0 else Fraction(k1, d1)
        r1 = Fraction(k1, d1) if d1 else r0
        mix = (w1 - w0) * (r0 + r1) * _HALF
        effect = (r1 - r0) * (w0 + w1) * _HALF
        groups.append(
            GroupDriver(
                group=key,
                base=(k0, d0),
                compare=(k1, d1),
                share_base=float(w0),
                share_compare=float(w1),
                mix=float(mix),
                rate=float(effect),
                total=float(mix + effect),
                exact=MappingProxyType({"mix": mix, "rate": effect, "total": mix + effect}),
            )
        )
    r_base = Fraction(sum(k for k, _ in zero.values()), n0)
    r_compare = Fraction(sum(k for k, _ in one.values()), n1)
    mix_total = sum((g.exact["mix"] for g in groups), _ZERO)
    rate_total = sum((g.exact["rate"] for g in groups), _ZERO)
    ranked = sorted(groups, key=lambda g: (-abs(g.exact["total"]), tuple(str(v) for v in g.group)))
    return RateChange(
        rate=rate,
        base=float(r_base),
        compare=float(r_compare),
        change=float(r_compare - r_base),
        mix=float(mix_total),
        rate_effect=float(rate_total),
        groups=tuple(ranked),
        exact=MappingProxyType(
            {
                "base": r_base,
                "compare": r_compare,
                "change": r_compare - r_base,
                "mix": mix_total,
                "rate": rate_total,
            }
        ),
        periods=periods,
    )


def rate_drivers(
    report: MonthlyReport,
    *,
    base: str,
    compare: str,
    rates: Sequence[str] | None = None,
) -> dict[str, RateChange]:
    """The drivers of each rate of a grouped monthly report between two months.

    Args:
        report: A `monthly_report` (or `line_report`) grouped `by` at least one column.
        base: The base month (``"2026-03"``).
        compare: The compared month.
        rates: The rates (all the report's rates with a denominator in both months by
            default).

    Returns:
        Rate -> its `RateChange`.

    Raises:
        ConfigurationError: An ungrouped report, a month not in the report, or an unknown
            rate.
        InvalidArgument: A requested rate with no denominator in one of the months.
    """
    from ordercore.kpi import report as reports  # noqa: PLC0415 - the report reads this module

    if not isinstance(report, reports.MonthlyReport):
        raise InvalidArgument("rate_drivers", "report", f"must be a MonthlyReport, got {report!r}")
    for period in (base, compare):
        _common.period_month(period)
    if not report.by:
        raise ConfigurationError(
            "the report is not grouped; make it with by=[...] (channel, customer_id, owner_id, ...)",
            component="rate_drivers",
        )
    rows = report.rows()
    periods = {r["period"] for r in rows}
    missing = [p for p in (base, compare) if p not in periods]
    if missing:
        raise ConfigurationError(
            f"month {', '.join(missing)} is not in the report; months: "
            f"{', '.join(sorted(p for p in periods if p is not None))}",
            component="rate_drivers",
        )
    known = {r: pair for r, pair in report.rates.items() if not rows or pair[1] in rows[0]}
    chosen = list(rates) if rates is not None else list(known)
    unknown = [r for r in chosen if r not in known]
    if unknown:
        raise ConfigurationError(
            f"unknown rate {', '.join(map(repr, unknown))}; rates: {', '.join(known)}",
            component="rate_drivers",
        )
    out = {}
    for name in chosen:
        num, den = known[name]
        split: dict[str, dict[tuple[Any, ...], tuple[object, object]]] = {base: {}, compare: {}}
        totals = {base: 0.0, compare: 0.0}
        for row in rows:
            if row["period"] in split:
                group = tuple(row[c] for c in report.by)
                split[row["period"]][group] = (row[num] or 0, row[den] or 0)
                totals[row["period"]] += float(row[den] or 0)
        if rates is None and not all(totals.values()):
            continue  # a rate with nothing to compare in one month (no surveys, say)
        out[name] = decompose(split[base], split[compare], rate=name, periods=(base, compare))
    return out
