"""The monthly assessment: one row per month (and per staff, channel or customer).

[`monthly_report`][ordercore.kpi.report.monthly_report] reads the orders frame at order grain;
[`line_report`][ordercore.kpi.report.line_report] reads the lines frame at line grain. Rows are
assigned to months by `period_by` (``received_at`` by default) in the declared time zone, and
everything stands as of `as_of`: orders received after it, surveys sent after it and errors
found after it do not count yet. Each figure is the one its KPI function gives for the same
month and group with the same `as_of`, `tz` and policy (a test holds them equal):

| column | definition | the same as |
|---|---|---|
| ``orders`` | orders received in the month by `as_of` | |
| ``unjudged`` | of these, orders no KPI can judge (repeated keys under ``duplicates="exclude"``, reversed timestamps) | the KPIs' ``duplicate_key`` and ``reversed_timestamps`` exclusions |
| ``delivered``, ``censored`` | complete by `as_of` (everything owed delivered; not cancelled) / still open | `cycle_time`'s sample and ``censored`` |
| ``cycle_mean_h``, ``cycle_p50_h``, ``cycle_p90_h`` | gross cycle time of delivered orders, hours (linear quantiles) | `cycle_time` |
| ``counted`` | orders counted for OTIF (see `ordercore.kpi.otif` for the exclusions) | `otif`'s denominator |
| ``on_time``, ``in_full``, ``otif``, ``perfect`` | counts among ``counted`` | `otif`, `perfect_order` |
| ``*_rate`` | count / ``counted`` (null when nothing is counted, never 0) | |
| ``csat_responses``, ``csat_top2``, ``csat_rate`` | CSAT answers of surveys sent in the month | `survey_score(..., "csat")` |
| ``status`` | ``ok``, ``insufficient_sample`` (counted < `min_sample`) or ``no_data`` | |

Every month from the first to the last one with data is a row, in every group: a month with
no orders, or with orders none of which can be judged yet, has ``status`` ``no_data`` and null
rates. Counts are integers. The line report has ``lines``, ``unjudged``, ``counted``, ``on_time``,
``in_full``, ``otif`` and their rates over counted lines (line OTIF), and ``units_owed``,
``units_filled`` and ``unit_fill_rate`` (the unit fill rate of `fill_rate`).

The views ([`to_markdown`][ordercore.kpi.report.MonthlyReport.to_markdown], the HTML table of
notebooks, [`plot`][ordercore.kpi.report.MonthlyReport.plot]) show a figure resting on fewer
than `min_sample` observations in parentheses, and leave it out of the trend lines.

[`staff_ranking`][ordercore.kpi.report.staff_ranking] ranks staff on a rate shrunk toward the
team rate, ``(k + m·p_team) / (n + m)``, and flags small samples, so that one lucky order does
not top the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import narwhals.stable.v2 as nw

from ordercore._lang import is_zh, text
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import _backend, _common, _report_frame, _report_view
from ordercore.kpi._texts import TABLE, column_label
from ordercore.kpi.accuracy import _error_flags, _join_errors, add_perfect
from ordercore.kpi.otif import OUTCOME_STAMPS, add_outcomes
from ordercore.kpi.result import MIN_SAMPLE
from ordercore.kpi.speed import _completed, _quantities_usable, _unreadable

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from ordercore.kpi.check import Duplicates
    from ordercore.kpi.policies import CalendarLike, OtifPolicy
    from ordercore.labels import Language

__all__ = ["MonthlyReport", "column_label", "line_report", "monthly_report", "staff_ranking"]

Grain = _report_frame.Grain

_RATES: dict[str, dict[str, tuple[str, str]]] = {
    "order": {
        "on_time_rate": ("on_time", "counted"),
        "in_full_rate": ("in_full", "counted"),
        "otif_rate": ("otif", "counted"),
        "perfect_rate": ("perfect", "counted"),
        "csat_rate": ("csat_top2", "csat_responses"),
        "green_packaging_rate": ("packages_green", "packages"),
    },
    "line": {
        "on_time_rate": ("on_time", "counted"),
        "in_full_rate": ("in_full", "counted"),
        "otif_rate": ("otif", "counted"),
        "unit_fill_rate": ("units_filled", "units_owed"),
    },
}
"""The rates of each report grain: rate column -> (numerator column, denominator column)."""

_SAMPLES: dict[str, dict[str, str]] = {
    "order": {
        **{rate: den for rate, (_, den) in _RATES["order"].items()},
        "cycle_mean_h": "delivered",
        "cycle_p50_h": "delivered",
        "cycle_p90_h": "delivered",
    },
    "line": {rate: den for rate, (_, den) in _RATES["line"].items()},
}
_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "order": (
        "orders",
        "cycle_p50_h",
        "cycle_p90_h",
        "on_time_rate",
        "otif_rate",
        "perfect_rate",
        "csat_rate",
        "status",
    ),
    "line": ("lines", "counted", "on_time_rate", "otif_rate", "unit_fill_rate", "status"),
}
_DEFAULT_PLOT: dict[str, tuple[str, ...]] = {
    "order": ("on_time_rate", "otif_rate", "perfect_rate", "csat_rate"),
    "line": ("on_time_rate", "otif_rate", "unit_fill_rate"),
}

_M = _backend.MONTH_SUFFIX
_ORDER_COUNTS = (
    "orders",
    "unjudged",
    "delivered",
    "censored",
    "counted",
    "on_time",
    "in_full",
    "otif",
    "perfect",
)
_HOURS = ("cycle_mean_h", "cycle_p50_h", "cycle_p90_h")
_CYCLE_STAMPS = ("received_at", "delivered_at", "cancelled_at", "promised_at")
"""The timestamps `cycle_time` reads (and so checks the order of)."""
_FILL_STAMPS = ("received_at", "promised_at")
"""The timestamps `fill_rate` reads (and so checks the order of)."""
_CSAT = ("csat_responses", "csat_top2")
_PACKAGES = ("packages", "packages_green")
_LINE_COUNTS = ("lines", "unjudged", "counted", "on_time", "in_full", "otif")
_UNITS = ("units_owed", "units_filled")


def _language(_instance: object, _attribute: object, lang: str) -> str:
    """Refuse a language the views cannot speak (an attrs validator, also called directly)."""
    is_zh(lang)
    return lang


@attrs.frozen
class MonthlyReport:
    """A monthly report: the tidy frame in the caller's library, plus views of it.

    Attributes:
        frame: One row per period (and group); see the module table for the columns.
        by: The grouping columns.
        policy: The OTIF policy used.
        as_of: The moment the figures stand for.
        tz: The time zone of the months.
        min_sample: Below this many observations a figure is flagged as a small sample.
        grain: ``order`` (from `monthly_report`) or ``line`` (from `line_report`).
        lang: The language of the views (``"en"`` or ``"zh"``); see `in_language`.
    """

    frame: Any
    by: tuple[str, ...]
    policy: OtifPolicy
    as_of: dt.datetime
    tz: str
    min_sample: int = MIN_SAMPLE
    grain: Grain = "order"
    lang: Language = attrs.field(default="en", validator=_language)

    def in_language(self, lang: Language) -> MonthlyReport:
        """The same report whose views (notebook table, Markdown, chart) speak `lang`.

        In Chinese the headers, the notes, the status, channels and the chart's title, axis,
        legend and notes are Chinese; the frame and its column names do not change.

        Raises:
            ValueError: If `lang` is neither ``"en"`` nor ``"zh"``.

        Examples:
            >>> from ordercore.kpi.synthetic import generate
            >>> data = generate(500, seed=1, months=1)
            >>> report = monthly_report(data.orders, as_of=data.as_of, tz="Asia/Shanghai")
            >>> print(report.in_language("zh").to_markdown(["period", "orders", "status"]))  # io-ok
            | 期间 | 订单数 | 状态 |
            |---|---|---|
            | 2026-01 | 500 | 正常 |
            <BLANKLINE>
        """
        return attrs.evolve(self, lang=lang)

    @property
    def rates(self) -> dict[str, tuple[str, str]]:
        """The report's rate columns: rate -> (numerator column, denominator column)."""
        return dict(_RATES[self.grain])

    def rows(self) -> list[dict[str, Any]]:
        """The report as a list of dicts (small: one per period and group); NaN reads as None."""
        return [
            {k: None if isinstance(v, float) and v != v else v for k, v in row.items()}  # noqa: PLR0124 - NaN
            for row in _backend.rows(_backend.lazy(self.frame))
        ]

    def _repr_html_(self) -> str:
        """Rich display in notebooks: every row, rates as percentages, small samples marked."""
        rows = self.rows()
        headers = list(rows[0]) if rows else ["period", *self.by]
        caption = text(
            TABLE, "caption", self.lang, as_of=f"{self.as_of:%Y-%m-%d %H:%M}", tz=self.tz
        )
        return _report_view.html(
            rows, headers, _SAMPLES[self.grain], self.min_sample, caption=caption, lang=self.lang
        )

    def to_markdown(
        self, columns: Sequence[str] | None = None, *, lang: Language | None = None
    ) -> str:
        """A Markdown table of the report (rates as percentages, hours to one decimal).

        A figure resting on fewer than `min_sample` observations is shown in parentheses,
        explained below the table; "–" means there was nothing to count.

        Args:
            columns: The columns to show (``period`` and the `by` columns, then the main
                figures, by default).
            lang: ``"en"`` (headers are the column names) or ``"zh"`` (headers, status and
                notes in Chinese); the report's `lang` by default.

        Raises:
            ConfigurationError: If a column is not in the report.
        """
        rows = self.rows()
        if columns is None:
            present = set(rows[0]) if rows else set()
            defaults = [c for c in _DEFAULT_COLUMNS[self.grain] if not rows or c in present]
            cols = ["period", *self.by, *defaults]
        else:
            cols = list(columns)
            _known(rows, cols, "MonthlyReport.to_markdown")
        return _report_view.markdown(
            rows,
            cols,
            _SAMPLES[self.grain],
            self.min_sample,
            _language(None, None, lang or self.lang),
        )

    def plot(
        self,
        measures: Sequence[str] | None = None,
        *,
        overall: bool = False,
        lang: Language | None = None,
    ) -> Any:
        """A matplotlib figure of the rates by month (needs the ``plot`` extra).

        The figure shows itself in Jupyter (as a PNG) when it is a cell's value, with no
        ``%matplotlib`` magic and nothing to close; `savefig` writes it to a file.

        Every month of the report is on the axis. A rate resting on fewer than `min_sample`
        observations (or on none) is left out of its line, which shows a gap there, and the
        figure says which points were left out. A report grouped `by` columns draws one
        panel per measure with one line per group; with ``overall=True`` it draws the overall
        rate instead, Σ numerator / Σ denominator over the groups (not a mean of group rates).

        Args:
            measures: Rate columns (by default the report's main rates that it has; see
                `rates`).
            overall: For a grouped report, draw the overall rate rather than one line per group.
            lang: ``"en"`` or ``"zh"`` (title, axis, legend and notes in Chinese, set in an
                installed font with Chinese glyphs such as Noto Sans CJK SC); the report's
                `lang` by default.

        Raises:
            ConfigurationError: If a measure is not a rate of the report.
            ImportError: If matplotlib is not installed (``pip install 'ordercore-domain[plot]'``).
        """
        rows = self.rows()
        present = set(rows[0]) if rows else set(self.rates)
        rates = {m: self.rates[m] for m in self.rates if m in present}
        # by default the main rates the report has (CSAT only when surveys were given)
        wanted = list(measures or [m for m in _DEFAULT_PLOT[self.grain] if m in rates])
        unknown = [m for m in wanted if m not in rates]
        if unknown:
            raise ConfigurationError(
                f"no column {', '.join(map(repr, unknown))} in the report; "
                f"rates: {', '.join(sorted(rates))}",
                component="MonthlyReport.plot",
            )
        return _report_view.plot(
            rows,
            {m: rates[m] for m in wanted},
            by=() if overall else self.by,
            min_sample=self.min_sample,
            as_of=f"{self.as_of:%Y-%m-%d}",
            tz=self.tz,
            lang=_language(None, None, lang or self.lang),
        )


def _known(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], component: str) -> None:
    unknown = [c for c in columns if rows and c not in rows[0]]
    if unknown:
        raise ConfigurationError(
            f"no column {', '.join(map(repr, unknown))} in the report; "
            f"columns: {', '.join(rows[0])}",
            component=component,
        )


def monthly_report(
    orders: object,
    *,
    as_of: dt.datetime,
    surveys: object | None = None,
    errors: object | None = None,
    by: Sequence[str] = (),
    tz: str = "UTC",
    policy: OtifPolicy | str = "scor_commit",
    calendar: CalendarLike | None = None,
    period_by: str = "received_at",
    min_sample: int = MIN_SAMPLE,
    lines: object | None = None,
    duplicates: Duplicates = "refuse",
    packages: object | None = None,
) -> MonthlyReport:
    """Compute the monthly report, grouped by month and the `by` columns.

    Args:
        orders: The orders frame.
        as_of: The moment the report stands for: orders received, surveys sent and errors
            found after it are left out.
        surveys: The surveys frame, for the CSAT columns (grouped by ``sent_at``).
        errors: The errors frame, for the perfect order rate.
        by: Grouping columns of the orders (and, with surveys, of the surveys) frame.
        tz: The time zone of the months and of local dates.
        policy: An order-grain `OtifPolicy` or preset name.
        calendar: Business calendar, needed when ``policy.business_days``.
        period_by: The orders' timestamp column that assigns them to months; orders where it
            is null (not yet delivered, for ``delivered_at``) form a row with a null period.
        min_sample: Below this many counted orders the status is ``insufficient_sample``.
        lines: The lines frame, for a policy with ``every_line=True`` (as for `otif`).
        duplicates: ``"refuse"`` frames with repeated keys (default) or ``"exclude"`` every
            row of a repeated key (counted in ``unjudged``), as the KPI functions do.
        packages: The packages frame (`ordercore.kpi.packaging.packages_frame`), for the
            green-packaging share (policy 10.1): ``packages`` and ``packages_green`` by month
            of ``packed_at`` and ``green_packaging_rate``. Grouping columns it lacks are
            looked up on the orders frame by ``order_id``.

    Raises:
        ConfigurationError: For a line-, unit- or value-grain policy (use `line_report` or
            `otif` on the lines frame), a `by` that is not a list of names, or a
            `min_sample` below 1.
        FrameSchemaError: If a frame lacks a column the report needs.

    Examples:
        >>> from ordercore.kpi.synthetic import generate
        >>> data = generate(2000, seed=1, months=2)
        >>> report = monthly_report(data.orders, surveys=data.surveys, errors=data.errors,
        ...                         as_of=data.as_of, tz="Asia/Shanghai")
        >>> [(r["period"], r["status"]) for r in report.rows()]
        [('2026-01', 'ok'), ('2026-02', 'ok'), ('2026-03', 'no_data')]
    """
    component = "monthly_report"
    policy = _report_frame.policy(policy, "order", component)
    by = _report_frame.settings(by, min_sample, component)
    now, _ = _common.as_of_values(as_of, tz)
    keys = [period_by + _M, *by]
    own = [] if policy.every_line else [policy.reference_column, "delivered_at"]
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=["delivered_at", *own, *by],
        period_by=period_by,
        local=[c for c in own if c != period_by],
        stamps=OUTCOME_STAMPS,
        as_of=as_of,
        duplicates=duplicates,
        kpi=component,
    )
    # an order received after as_of (or never) is in no month yet
    lf = lf.filter((nw.col("received_at") <= now).fill_null(value=False))
    lf = add_outcomes(
        lf,
        policy,
        as_of=as_of,
        tz=tz,
        like=orders,
        calendar=calendar,
        lines=lines,
        duplicates=duplicates,
    )
    flags = _error_flags(errors, orders, tz, as_of, duplicates=duplicates)
    lf = add_perfect(_join_errors(lf, flags, orders))
    # cycle time as `cycle_time` has it: its own rows, cancelled orders left out, complete
    # as OTIF has it (`_cancelled`, cancelled by as_of, comes from add_outcomes)
    usable = _quantities_usable(lf)  # read by both below: computed once
    read_usable = None
    if usable is not None:
        lf, read_usable = lf.with_columns(_qty_usable=usable), "_qty_usable"
    kept = _report_frame.judged(lf, "orders", [*_CYCLE_STAMPS, period_by]) & ~nw.col("_cancelled")
    # as cycle_time: neither complete nor open
    kept = kept & ~_unreadable(lf, now, usable=read_usable)
    done = _completed(lf, now, usable=read_usable)
    # each read twice: computed once (pandas evaluates every output expression on its own)
    lf = lf.with_columns(_kept=kept, _complete_now=done).with_columns(
        _done=nw.col("_kept") & nw.col("_complete_now"),
        _open=nw.col("_kept") & ~nw.col("_complete_now"),
        _unjudged=~nw.col("_ok"),
    )
    lf = lf.with_columns(
        _h=nw.when(nw.col("_done")).then(_backend.hours("delivered_at", "received_at"))
    )
    parts = [
        _backend.aggregate(
            lf,
            keys,
            {
                "orders": _backend.Count(),
                "unjudged": _backend.Count("_unjudged"),
                "delivered": _backend.Count("_done"),
                "censored": _backend.Count("_open"),
                "cycle_mean_h": nw.col("_h").mean(),
                "cycle_p50_h": _backend.Quantile("_h", 0.5),
                "cycle_p90_h": _backend.Quantile("_h", 0.9),
                "counted": _backend.Count("_base"),
                "on_time": _backend.Count("_on_time"),
                "in_full": _backend.Count("_in_full"),
                "otif": _backend.Count("_otif"),
                "perfect": _backend.Count("_perfect"),
            },
        )
    ]
    columns: dict[str, _report_frame.Kind] = {
        **dict.fromkeys(_ORDER_COUNTS, "count"),
        **dict.fromkeys(_HOURS, "stat"),
    }
    if surveys is not None:
        parts.append(
            _report_frame.csat(surveys, by, tz=tz, as_of=as_of, duplicates=duplicates).rename(
                {"sent_at" + _M: keys[0]}
            )
        )
        columns.update(dict.fromkeys(_CSAT, "count"))
    if packages is not None:
        parts.append(
            _report_frame.green_packages(
                packages, orders, by, tz=tz, as_of=as_of, duplicates=duplicates
            ).rename({"packed_at" + _M: keys[0]})
        )
        columns.update(dict.fromkeys(_PACKAGES, "count"))
    out = _report_frame.complete(parts, keys, columns, like=orders, as_of=as_of, tz=tz)
    order = [
        *_ORDER_COUNTS[:4],
        *_HOURS,
        *_ORDER_COUNTS[4:],
        *(_CSAT if surveys is not None else ()),
        *(_PACKAGES if packages is not None else ()),
        *_RATES["order"],
    ]
    out = _report_frame.finish(out, keys, order, _RATES["order"], min_sample)
    return MonthlyReport(
        _backend.to_caller(out, orders), by, policy, as_of, tz, min_sample, "order"
    )


def line_report(
    lines: object,
    *,
    as_of: dt.datetime,
    orders: object | None = None,
    by: Sequence[str] = (),
    tz: str = "UTC",
    policy: OtifPolicy | str = "line_commit",
    calendar: CalendarLike | None = None,
    period_by: str = "received_at",
    min_sample: int = MIN_SAMPLE,
    duplicates: Duplicates = "refuse",
) -> MonthlyReport:
    """The line-grain monthly report: line OTIF and unit fill by month and group.

    Reads the lines frame (which needs ``received_at``, ``promised_at``, the reference date
    of the policy, ``delivered_at``, ``qty_delivered`` and ``qty_shipped``). Lines of orders
    received after `as_of` are left out; ``unjudged`` counts the lines no KPI can judge
    (repeated keys excluded with ``duplicates="exclude"``, reversed timestamps). ``counted``,
    ``on_time``, ``in_full`` and ``otif`` count lines as `otif` with the same line-grain policy
    does; ``units_owed`` and ``units_filled`` are Σ owed and Σ min(shipped, owed) over the
    lines `fill_rate` (with the same `as_of`) counts: usable quantities, something owed, and
    filled or due (a line not yet filled before its promised day is not judged unfilled).

    Args:
        lines: The lines frame.
        as_of: The moment the report stands for.
        orders: The orders frame, to group by order columns the lines frame lacks (such as
            ``owner_id`` or ``channel``), looked up by ``order_id``.
        by: Grouping columns, of the lines frame or else of `orders`.
        tz: The time zone of the months and of local dates.
        policy: A line-grain `OtifPolicy` or preset name (``line_commit`` by default).
        calendar: Business calendar, needed when ``policy.business_days``.
        period_by: The lines' timestamp column that assigns them to months.
        min_sample: Below this many counted lines the status is ``insufficient_sample``.
        duplicates: ``"refuse"`` frames with repeated keys (default) or ``"exclude"`` every
            row of a repeated key (counted in ``unjudged``), as the KPI functions do.

    Raises:
        ConfigurationError: For a policy that is not line-grain, a `by` that is not a list
            of names, or a `min_sample` below 1.
        FrameSchemaError: If a frame lacks a column the report needs.

    Examples:
        >>> from ordercore.kpi.synthetic import generate
        >>> data = generate(2000, seed=1, months=2)
        >>> report = line_report(data.lines, orders=data.orders, by=["channel"],
        ...                      as_of=data.as_of, tz="Asia/Shanghai")
        >>> row = report.rows()[0]
        >>> row["period"], row["channel"], row["lines"] >= row["counted"]
        ('2026-01', 'api', True)
    """
    component = "line_report"
    policy = _report_frame.policy(policy, "line", component)
    by = _report_frame.settings(by, min_sample, component)
    now, today = _common.as_of_values(as_of, tz)
    keys = [period_by + _M, *by]
    ref = policy.reference_column
    names = set(_backend.lazy(lines).collect_schema().names())
    from_orders = [c for c in by if c not in names] if orders is not None else []
    lf = _common.load(
        lines,
        "lines",
        tz=tz,
        needed=[
            "received_at",
            "promised_at",
            ref,
            "delivered_at",
            "qty_delivered",
            "qty_shipped",
            *[c for c in by if c not in from_orders],
        ],
        period_by=period_by,
        local=[c for c in dict.fromkeys((ref, "delivered_at", "promised_at")) if c != period_by],
        stamps=OUTCOME_STAMPS,
        as_of=as_of,
        duplicates=duplicates,
        kpi=component,
    )
    if from_orders:
        attributes = _common.load(
            orders, "orders", tz=tz, needed=from_orders, stamps=[], kpi=component
        )
        lf = lf.join(attributes.select("order_id", *from_orders), on="order_id", how="left")
    lf = lf.filter((nw.col("received_at") <= now).fill_null(value=False))
    lf = add_outcomes(
        lf, policy, as_of=as_of, tz=tz, like=lines, calendar=calendar, duplicates=duplicates
    )
    lf = _unit_fill(lf, today, _report_frame.judged(lf, "lines", [*_FILL_STAMPS, period_by]))
    lf = lf.with_columns(_unjudged=~nw.col("_ok"))
    parts = [
        _backend.aggregate(
            lf,
            keys,
            {
                "lines": _backend.Count(),
                "unjudged": _backend.Count("_unjudged"),
                "counted": _backend.Count("_base"),
                "on_time": _backend.Count("_on_time"),
                "in_full": _backend.Count("_in_full"),
                "otif": _backend.Count("_otif"),
                "units_owed": nw.col("_owed").sum(),
                "units_filled": nw.col("_got").sum(),
            },
        )
    ]
    columns: dict[str, _report_frame.Kind] = {
        **dict.fromkeys(_LINE_COUNTS, "count"),
        **dict.fromkeys(_UNITS, "sum"),
    }
    out = _report_frame.complete(parts, keys, columns, like=lines, as_of=as_of, tz=tz)
    out = _report_frame.finish(
        out, keys, [*_LINE_COUNTS, *_UNITS, *_RATES["line"]], _RATES["line"], min_sample
    )
    return MonthlyReport(_backend.to_caller(out, lines), by, policy, as_of, tz, min_sample, "line")


def _unit_fill(lf: nw.LazyFrame[Any], today: int, judged: nw.Expr) -> nw.LazyFrame[Any]:
    """Add ``_owed`` and ``_got``: the unit fill rate's owed and filled units, as `fill_rate`.

    A line counts when `fill_rate` would judge it: its quantities are usable, something is
    owed, and it is filled or due (its promised day in `tz` has passed).
    """
    has_cancelled = _common.has(lf, "qty_cancelled")
    owed = nw.col("qty_ordered") - (nw.col("qty_cancelled") if has_cancelled else nw.lit(0.0))
    shipped = nw.col("qty_shipped")
    usable = _common.valid_number(lf, "qty_ordered") & _common.valid_number(lf, "qty_shipped")
    if has_cancelled:
        usable = (
            usable & _common.valid_number(lf, "qty_cancelled") & (owed >= 0).fill_null(value=False)
        )
    filled = (shipped >= owed).fill_null(value=False)
    due = (nw.col("promised_at" + _backend.DAY_SUFFIX) < today).fill_null(value=False)
    counted = judged & usable & ~(owed <= 0).fill_null(value=False) & (filled | due)
    return lf.with_columns(_fill=counted).with_columns(
        # guarded by when: an excluded line's NaN must not reach the sums
        _owed=nw.when(nw.col("_fill")).then(owed).otherwise(nw.lit(0.0)),
        _got=nw.when(nw.col("_fill")).then(nw.min_horizontal(shipped, owed)).otherwise(nw.lit(0.0)),
    )


def staff_ranking(
    report: MonthlyReport,
    measure: str = "otif",
    *,
    staff_column: str = "owner_id",
    prior_strength: float = 30.0,
    min_sample: int | None = None,
) -> Any:
    """Rank staff on a rate shrunk toward the team rate, flagging small samples.

    Needs a report grouped by `staff_column`. Over all its periods, for each staff member with
    ``k`` successes (the `measure` count) out of ``n`` (its denominator: counted orders or
    lines, or CSAT responses for ``csat_top2``) and the team rate ``p`` = Σk / Σn, the score
    is ``(k + m·p) / (n + m)`` with ``m = prior_strength``. Rows without a staff member (a
    null `staff_column`) are left out of the ranking and of the team rate. With nothing
    counted at all there is no team rate: ``shrunk_rate`` and ``rank`` are null.

    Returned in the caller's library with ``staff``, ``n``, ``raw_rate`` (null when ``n`` is
    0), ``shrunk_rate``, ``low_sample`` (``n`` < `min_sample`, the report's by default) and
    ``rank`` (1 = best).

    Raises:
        ConfigurationError: If the report is not grouped by `staff_column`, `measure` is not
            one of its counts, or `prior_strength` is not positive.
    """
    component = "staff_ranking"
    if not isinstance(report, MonthlyReport):
        raise InvalidArgument(component, "report", f"must be a MonthlyReport, got {report!r}")
    if staff_column not in report.by:
        raise ConfigurationError(
            f"the report is not grouped by {staff_column!r} (by={report.by})", component=component
        )
    counts = dict(report.rates.values())
    rows = report.rows()
    known = {num: den for num, den in counts.items() if not rows or num in rows[0]}
    if measure not in known:
        raise ConfigurationError(
            f"cannot rank on {measure!r}; the report's counts: {', '.join(sorted(known))}",
            component=component,
        )
    if not isinstance(prior_strength, int | float) or not prior_strength > 0:
        raise ConfigurationError(
            f"prior_strength must be a positive number, got {prior_strength!r}",
            component=component,
        )
    threshold = report.min_sample if min_sample is None else min_sample
    den = known[measure]
    totals: dict[str, list[float]] = {}
    for row in rows:
        if row[staff_column] is None:
            continue
        acc = totals.setdefault(str(row[staff_column]), [0.0, 0.0])
        acc[0] += row[measure] or 0
        acc[1] += row[den] or 0
    team_k = sum(v[0] for v in totals.values())
    team_n = sum(v[1] for v in totals.values())
    team = team_k / team_n if team_n else None
    scored = sorted(
        (
            (s, k, n, None if team is None else (k + prior_strength * team) / (n + prior_strength))
            for s, (k, n) in totals.items()
        ),
        key=lambda t: (t[3] is None, -(t[3] or 0.0), t[0]),
    )
    table: dict[str, list[Any]] = {
        "staff": [s for s, *_ in scored],
        "n": [round(n) if den != "units_owed" else n for _, _, n, _ in scored],
        "raw_rate": [k / n if n else None for _, k, n, _ in scored],
        "shrunk_rate": [v for *_, v in scored],
        "low_sample": [n < threshold for _, _, n, _ in scored],
        "rank": [i if v is not None else None for i, (*_, v) in enumerate(scored, 1)],
    }
    return _backend.to_caller(_backend.small_table(report.frame, table), report.frame)
