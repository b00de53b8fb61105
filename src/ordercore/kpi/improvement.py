"""The monthly report's companion: the month's causes, drivers and conformance.

Where the month's lateness went, why things failed, what moved the rates, and which
measures of the policy were not carried out.

[`improvement_report`][ordercore.kpi.improvement.improvement_report] runs, on the same frames:

* [`lateness_attribution`][ordercore.kpi.attribution.lateness_attribution], summed by part
  for the orders due in the month (`lateness_by`), so that the biggest cause of lateness is named;
* [`pareto`][ordercore.kpi.pareto.pareto] of the failure causes known by `as_of`;
* [`rate_drivers`][ordercore.kpi.drivers.rate_drivers] of the month against the one before,
  from a monthly report grouped `by` a column;
* [`conformance`][ordercore.kpi.conformance.conformance], with the checks that fail most.

Examples:
    >>> from ordercore.testing.book import synthetic_book
    >>> from ordercore.kpi.trail import trail_frame
    >>> book = synthetic_book(orders=150, seed=4, violations={"archived_in_time": 0.3})
    >>> frames = book.frames()
    >>> report = improvement_report(frames["orders"], trail_frame(book.events),
    ...     as_of=book.as_of, period="2026-07", cases=frames["cases"])
    >>> report.biggest_cause["part"], report.worst_checks[0]["check"]
    ('allocation', 'archived_in_time')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common, _words
from ordercore.kpi.attribution import LatenessAttribution, lateness_attribution, lateness_by
from ordercore.kpi.conformance import ConformanceReport, conformance
from ordercore.kpi.drivers import RateChange, rate_drivers
from ordercore.kpi.pareto import Pareto, failure_causes, pareto

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from ordercore.kpi.attribution import LatenessPolicy
    from ordercore.kpi.conformance import ConformancePolicy
    from ordercore.kpi.policies import OtifPolicy

__all__ = ["ImprovementReport", "improvement_report"]


def _previous(period: str) -> str:
    month = _common.period_month(period) or 0
    year, number = divmod(month, 100)
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


@attrs.frozen
class ImprovementReport:
    """The month's causes, drivers and conformance.

    Attributes:
        period: The month (``"2026-07"``).
        attribution: The lateness attribution of every order (all months).
        lateness: The month's lateness by part: one dict per part (`lateness_by` rows for
            the orders due in the month), the most late hours first.
        causes: The Pareto of failure causes up to `as_of`.
        drivers: Rate -> its change from the month before (empty when that month has no
            data), from a report grouped by `by`.
        by: The grouping of the drivers.
        conformance: The conformance report.
    """

    period: str
    attribution: LatenessAttribution
    lateness: tuple[Mapping[str, Any], ...]
    causes: Pareto
    drivers: Mapping[str, RateChange]
    by: tuple[str, ...]
    conformance: ConformanceReport

    @property
    def biggest_cause(self) -> Mapping[str, Any] | None:
        """The part that consumed most of the month's late hours (None: nothing was late)."""
        late = [row for row in self.lateness if row["late_hours"] > 0]
        return late[0] if late else None

    @property
    def worst_checks(self) -> list[Mapping[str, Any]]:
        """The three checks with the lowest pass rate (only checks that failed somewhere)."""
        return [s for s in self.conformance.worst(3) if s["failed"]]

    def headlines(self, lang: str = "en") -> list[str]:
        """Two sentences a manager reads first: the biggest cause, the failing checks."""
        zh = _words.check_lang(lang, "ImprovementReport.headlines")
        lines = []
        cause = self.biggest_cause
        if cause is None:
            lines.append(f"{self.period}：无延迟订单" if zh else f"{self.period}: no late orders")
        else:
            name = _words.word(str(cause["part"]), lang)
            share = f"{cause['share']:.0%}"
            hours = f"{cause['late_hours']:.0f}"
            lines.append(
                f"{self.period} 最大延迟原因：{name}（占延迟时间 {share}，{hours} 小时，"
                f"{cause['over_budget']} 个订单超出预算）"
                if zh
                else f"{self.period} biggest cause of lateness: {name} ({share} of the late "
                f"hours, {hours} h, over budget on {cause['over_budget']} orders)"
            )
        worst = self.worst_checks
        checks = self.conformance.checks
        if not worst:
            lines.append("所有制度检查均通过" if zh else "every policy check passed")
        else:
            parts = [(checks[s["check"]].label(lang), f"{s['rate']:.0%}") for s in worst]
            listed = (
                "；".join(f"{name}（{rate}）" for name, rate in parts)
                if zh
                else ", ".join(f"{name} ({rate})" for name, rate in parts)
            )
            lines.append(
                f"未通过最多的制度检查：{listed}" if zh else f"checks that fail most: {listed}"
            )
        return lines

    def to_markdown(self, lang: str = "en") -> str:
        """The whole companion as Markdown: headlines, lateness, causes, drivers, conformance."""
        zh = _words.check_lang(lang, "ImprovementReport.to_markdown")
        titles = (
            ("改进分析", "延迟去向", "失败原因", "指标变化驱动", "制度执行")
            if zh
            else ("Improvement", "Where the lateness went", "Causes", "Drivers", "Conformance")
        )
        out = [f"## {titles[0]} {self.period}", ""]
        out += [f"- {line}" for line in self.headlines(lang)]
        out += ["", f"### {titles[1]}", ""]
        head = (
            ("部分", "订单", "超预算", "延迟小时", "占比")
            if zh
            else (
                "part",
                "orders",
                "over budget",
                "late hours",
                "share",
            )
        )
        out += ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|---:|"]
        for row in self.lateness:
            if row["late_hours"] <= 0:
                continue
            share = "–" if row["share"] is None else f"{row['share']:.1%}"
            out.append(
                f"| {_words.word(str(row['part']), lang)} | {row['orders']} | "
                f"{row['over_budget']} | {row['late_hours']:.1f} | {share} |"
            )
        out += [
            "",
            f"### {titles[2]}",
            "",
            self.causes.to_markdown(lang),
            "",
            f"### {titles[3]}",
            "",
        ]
        if not self.drivers:
            out.append("（上月无数据）" if zh else "(no data for the month before)")
        for change in self.drivers.values():
            out += [change.to_markdown(lang), ""]
        out += ["", f"### {titles[4]}", "", self.conformance.to_markdown(lang)]
        return "\n".join(out)


def improvement_report(
    orders: object,
    events: object,
    *,
    as_of: dt.datetime,
    period: str,
    lines: object | None = None,
    errors: object | None = None,
    cases: object | None = None,
    surveys: object | None = None,
    by: Sequence[str] = ("channel",),
    lateness: LatenessPolicy | None = None,
    rules: ConformancePolicy | None = None,
    otif: OtifPolicy | None = None,
    tz: str = "UTC",
) -> ImprovementReport:
    """The monthly report's companion for `period`.

    Args:
        orders: The orders frame.
        events: The trail frame (`trail_frame`).
        as_of: The moment of the report.
        period: The month (``"2026-07"``); the drivers compare it with the month before.
        lines: The lines frame, for seller short-closes among the causes.
        errors: The errors frame, for order errors among the causes.
        cases: The cases frame, for after-sales and complaint causes and the complaint check.
        surveys: The surveys frame, for the CSAT rate among the drivers.
        by: The grouping of the drivers (any the monthly report takes).
        lateness: The stage budgets (`LatenessPolicy()` by default).
        rules: The conformance limits (`ConformancePolicy()` by default).
        otif: The OTIF policy of the drivers' monthly report (``scor_commit``, the report's
            default, by default).
        tz: The zone of the months.

    Raises:
        ConfigurationError: A period that does not look like ``"2026-07"``.
        FrameSchemaError: As the analyses it runs.
    """
    from ordercore.kpi.report import monthly_report  # noqa: PLC0415 - the report imports the KPIs

    _backend.require_frames(
        "improvement_report",
        optional=["lines", "errors", "cases", "surveys"],
        orders=orders,
        events=events,
        lines=lines,
        errors=errors,
        cases=cases,
        surveys=surveys,
    )
    _common.period_month(period)
    attribution = lateness_attribution(orders, events, as_of=as_of, policy=lateness, tz=tz)
    by_part = lateness_by(attribution, ["part"], month=period)
    frame = nw.from_native(by_part)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    lateness_rows = tuple(dict(r) for r in eager.rows(named=True))
    causes = pareto(
        failure_causes(
            attribution=attribution, lines=lines, errors=errors, cases=cases, as_of=as_of, tz=tz
        )
    )
    report = monthly_report(
        orders,
        as_of=as_of,
        by=list(by),
        surveys=surveys,
        tz=tz,
        policy="scor_commit" if otif is None else otif,
    )
    periods = {r["period"] for r in report.rows()}
    previous = _previous(period)
    drivers = (
        rate_drivers(report, base=previous, compare=period)
        if previous in periods and period in periods
        else {}
    )
    checked = conformance(orders, events, as_of=as_of, cases=cases, policy=rules, tz=tz)
    return ImprovementReport(
        period=period,
        attribution=attribution,
        lateness=lateness_rows,
        causes=causes,
        drivers=drivers,
        by=tuple(by),
        conformance=checked,
    )
