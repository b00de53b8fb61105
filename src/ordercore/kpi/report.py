"""The monthly assessment: one row per month (and per staff, channel or customer).

Orders are assigned to months by `period_by` (``received_at`` by default) in the declared time
zone. Every measure uses the definitions of its KPI module, evaluated at `as_of`:

| column | definition |
|---|---|
| ``orders`` | orders in the month |
| ``delivered``, ``censored`` | delivered by `as_of` (not cancelled) / still open |
| ``cycle_mean_h``, ``cycle_p50_h``, ``cycle_p90_h`` | gross cycle time of delivered orders, hours (linear quantiles) |
| ``counted`` | orders counted for OTIF (see `ordercore.kpi.otif` for the exclusions) |
| ``on_time``, ``in_full``, ``otif``, ``perfect`` | counts among ``counted`` |
| ``*_rate`` | count / ``counted`` (null when nothing is counted, never 0) |
| ``csat_responses``, ``csat_top2``, ``csat_rate`` | CSAT answers of surveys sent in the month |
| ``status`` | ``ok``, ``insufficient_sample`` (counted < `min_sample`) or ``no_data`` |

[`staff_ranking`][ordercore.kpi.report.staff_ranking] ranks staff on a rate shrunk toward the
team rate, ``(k + m·p_team) / (n + m)``, and flags small samples, so that one lucky order does
not top the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.accuracy import _error_flags, _join_errors, add_perfect
from ordercore.kpi.otif import OUTCOME_STAMPS, add_outcomes
from ordercore.kpi.policies import CalendarLike, OtifPolicy

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

__all__ = ["MonthlyReport", "monthly_report", "staff_ranking"]

_M = _backend.MONTH_SUFFIX
_RATES = ("on_time", "in_full", "otif", "perfect")


@attrs.frozen
class MonthlyReport:
    """A monthly report: the tidy frame in the caller's library, plus views of it.

    Attributes:
        frame: One row per period (and group); see the module table for the columns.
        by: The grouping columns.
        policy: The OTIF policy used.
        as_of: The moment the figures stand for.
        tz: The time zone of the months.
    """

    frame: Any
    by: tuple[str, ...]
    policy: OtifPolicy
    as_of: dt.datetime
    tz: str

    def rows(self) -> list[dict[str, Any]]:
        """The report as a list of dicts (small: one per period and group); NaN reads as None."""
        return [
            {k: None if isinstance(v, float) and v != v else v for k, v in row.items()}  # noqa: PLR0124 - NaN
            for row in _backend.rows(_backend.lazy(self.frame))
        ]

    def _repr_html_(self) -> str:
        """Rich display in notebooks: the report's rows as a table."""
        from ordercore import _html  # noqa: PLC0415 - only notebooks call this

        rows = self.rows()
        headers = list(rows[0]) if rows else ["period"]
        caption = f"Monthly report as of {self.as_of:%Y-%m-%d %H:%M} ({self.tz})"
        cells = [
            [
                f"{value:.4g}" if isinstance(value, float) else ("–" if value is None else value)
                for value in (row.get(h) for h in headers)
            ]
            for row in rows
        ]
        return _html.table(headers, cells, caption=caption)

    def to_markdown(self, columns: Sequence[str] | None = None) -> str:
        """A Markdown table of the report (rates as percentages, hours to one decimal)."""
        rows = self.rows()
        cols = list(
            columns
            or [
                "period",
                *self.by,
                "orders",
                "cycle_p50_h",
                "cycle_p90_h",
                "on_time_rate",
                "otif_rate",
                "perfect_rate",
                "csat_rate",
                "status",
            ]
        )

        def fmt(name: str, value: object) -> str:
            if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124 - NaN
                return "–"
            if name.endswith("_rate") and isinstance(value, float):
                return f"{100 * value:.1f} %"
            if isinstance(value, float):
                return f"{value:.1f}"
            return str(value)

        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines.extend("| " + " | ".join(fmt(c, r.get(c)) for c in cols) + " |" for r in rows)
        return "\n".join(lines) + "\n"

    def plot(
        self, measures: Sequence[str] = ("on_time_rate", "otif_rate", "perfect_rate", "csat_rate")
    ) -> Any:
        """A matplotlib figure of the rates by month (needs the ``plot`` extra).

        Raises:
            ImportError: If matplotlib is not installed (``pip install ordercore[plot]``).
        """
        try:
            import matplotlib.figure  # noqa: PLC0415 - optional extra
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("plot() needs matplotlib: pip install 'ordercore[plot]'") from error
        rows = sorted(self.rows(), key=lambda r: r["period"])
        known = set(rows[0]) if rows else set()
        unknown = [m for m in measures if rows and m not in known]
        if unknown:
            from ordercore.errors import ConfigurationError  # noqa: PLC0415

            rates = ", ".join(sorted(c for c in known if c.endswith("_rate")))
            raise ConfigurationError(
                f"no column {', '.join(map(repr, unknown))} in the report; rates: {rates}",
                component="MonthlyReport.plot",
            )
        figure = matplotlib.figure.Figure(figsize=(8, 4))
        axes = figure.subplots()
        periods = sorted({r["period"] for r in rows})
        for measure in measures:
            by_period: dict[str, list[float]] = {}
            for r in rows:
                if r.get(measure) is not None:
                    by_period.setdefault(r["period"], []).append(float(r[measure]))
            ys = [
                sum(by_period[p]) / len(by_period[p]) if p in by_period else float("nan")
                for p in periods
            ]
            axes.plot(periods, ys, marker="o", label=measure)
        axes.set_ylabel("share")
        axes.set_title(f"Monthly KPIs (as of {self.as_of:%Y-%m-%d}, {self.tz})")
        axes.legend()
        return figure


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
    min_sample: int = 30,
) -> MonthlyReport:
    """Compute the monthly report, grouped by month and the `by` columns.

    Examples:
        >>> from ordercore.kpi.synthetic import generate
        >>> data = generate(2000, seed=1, months=2)
        >>> report = monthly_report(data.orders, surveys=data.surveys, errors=data.errors,
        ...                         as_of=data.as_of, tz="Asia/Shanghai")
        >>> [r["period"] for r in report.rows()]
        ['2026-01', '2026-02', '2026-03']
    """
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    keys = [period_by + _M, *by]
    ref = "promised_at" if policy.reference == "promised" else "requested_at"
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=[ref, "delivered_at", *by],
        period_by=period_by,
        local=[ref, "delivered_at"],
        stamps=OUTCOME_STAMPS,
    )
    lf = add_outcomes(lf, policy, as_of=as_of, tz=tz, like=orders, calendar=calendar)
    lf = add_perfect(_join_errors(lf, _error_flags(errors, orders, tz, as_of), orders))
    now, _ = _common.as_of_values(as_of, tz)
    # `_cancelled` (cancelled by as_of) comes from add_outcomes
    delivered = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)
    lf = lf.with_columns(_done=delivered.fill_null(value=False) & ~nw.col("_cancelled"))
    lf = lf.with_columns(
        _h=nw.when(nw.col("_done")).then(_backend.hours("delivered_at", "received_at")),
        _open=_backend.flag(~nw.col("_cancelled") & ~delivered),
        _done=nw.col("_done").cast(nw.Int64),
    )
    out = _backend.aggregate(
        lf,
        keys,
        {
            "orders": nw.len(),
            "delivered": nw.col("_done").sum(),
            "censored": nw.col("_open").sum(),
            "cycle_mean_h": nw.col("_h").mean(),
            "cycle_p50_h": _backend.Quantile("_h", 0.5),
            "cycle_p90_h": _backend.Quantile("_h", 0.9),
            "counted": nw.col("_base").sum(),
            "on_time": nw.col("_on_time").sum(),
            "in_full": nw.col("_in_full").sum(),
            "otif": nw.col("_otif").sum(),
            "perfect": nw.col("_perfect").sum(),
        },
    )
    if surveys is not None:
        sv = _common.load(
            surveys,
            "surveys",
            tz=tz,
            needed=["score", *by],
            period_by="sent_at",
            stamps=["sent_at"],
        )
        sv = sv.filter(nw.col("kind") == "csat").with_columns(
            _r=_backend.flag(
                ~nw.col("score").is_null() & (nw.col("score") >= 1) & (nw.col("score") <= 5)  # noqa: PLR2004 - the CSAT scale
            ),
            _t=_backend.flag((nw.col("score") >= 4) & (nw.col("score") <= 5)),  # noqa: PLR2004
        )
        sv_keys = ["sent_at" + _M, *by]
        agg = sv.group_by(sv_keys).agg(
            nw.col("_r").sum().alias("csat_responses"), nw.col("_t").sum().alias("csat_top2")
        )
        agg = agg.rename({"sent_at" + _M: period_by + _M})
        out = out.join(agg, on=keys, how="full", suffix="_sv")
        out = out.with_columns(
            nw.col(period_by + _M).fill_null(nw.col(period_by + _M + "_sv")),
            *[nw.col(k).fill_null(nw.col(k + "_sv")) for k in by],
        ).drop([period_by + _M + "_sv", *[k + "_sv" for k in by]])
        out = out.with_columns(
            *[
                nw.col(c).fill_null(0)
                for c in (
                    "orders",
                    "delivered",
                    "censored",
                    "counted",
                    *_RATES,
                    "csat_responses",
                    "csat_top2",
                )
            ]
        )
        out = out.with_columns(
            csat_rate=nw.when(nw.col("csat_responses") > 0).then(
                nw.col("csat_top2") / nw.col("csat_responses")
            )
        )
    month = nw.col(period_by + _M).cast(nw.Int64)
    out = out.with_columns(
        period=nw.concat_str(
            [
                (month // 100).cast(nw.String),
                nw.lit("-"),
                (month % 100).cast(nw.String).str.zfill(2),
            ]
        ),
        **{
            f"{r}_rate": nw.when(nw.col("counted") > 0).then(nw.col(r) / nw.col("counted"))
            for r in _RATES
        },
        status=nw.when(nw.col("counted") == 0)
        .then(nw.lit("no_data"))
        .when(nw.col("counted") < min_sample)
        .then(nw.lit("insufficient_sample"))
        .otherwise(nw.lit("ok")),
    ).drop(period_by + _M)
    counts = [
        c
        for c in (
            "orders",
            "delivered",
            "censored",
            "counted",
            *_RATES,
            "csat_responses",
            "csat_top2",
        )
        if c in out.collect_schema()
    ]
    out = out.with_columns(*[nw.col(c).cast(nw.Int64) for c in counts])
    first = ["period", *by]
    out = out.select(*first, *[c for c in out.collect_schema().names() if c not in first]).sort(
        first
    )
    return MonthlyReport(_backend.to_caller(out, orders), tuple(by), policy, as_of, tz)


def staff_ranking(
    report: MonthlyReport,
    measure: str = "otif",
    *,
    staff_column: str = "owner_id",
    prior_strength: float = 30.0,
    min_sample: int = 30,
) -> Any:
    """Rank staff on a rate shrunk toward the team rate, flagging small samples.

    Needs a report grouped by `staff_column`. Over all its periods, for each staff member with
    ``k`` successes out of ``n`` counted orders and the team rate ``p`` = Σk / Σn, the score is
    ``(k + m·p) / (n + m)`` with ``m = prior_strength``. Returned in the caller's library with
    ``staff``, ``n``, ``raw_rate``, ``shrunk_rate``, ``low_sample`` and ``rank`` (1 = best).
    """
    if staff_column not in report.by:
        from ordercore.errors import ConfigurationError  # noqa: PLC0415

        raise ConfigurationError(
            f"the report is not grouped by {staff_column!r} (by={report.by})",
            component="staff_ranking",
        )
    totals: dict[str, list[float]] = {}
    for row in report.rows():
        k, n = float(row[measure] or 0), float(row["counted"] or 0)
        acc = totals.setdefault(str(row[staff_column]), [0.0, 0.0])
        acc[0] += k
        acc[1] += n
    team_k = sum(v[0] for v in totals.values())
    team_n = sum(v[1] for v in totals.values())
    team = team_k / team_n if team_n else 0.0
    scored = sorted(
        (
            (s, k, n, (k + prior_strength * team) / (n + prior_strength))
            for s, (k, n) in totals.items()
        ),
        key=lambda t: (-t[3], t[0]),
    )
    table: dict[str, list[Any]] = {
        "staff": [s for s, *_ in scored],
        "n": [int(n) for _, _, n, _ in scored],
        "raw_rate": [k / n if n else None for _, k, n, _ in scored],
        "shrunk_rate": [v for *_, v in scored],
        "low_sample": [n < min_sample for _, _, n, _ in scored],
        "rank": list(range(1, len(scored) + 1)),
    }
    return _backend.to_caller(_backend.small_table(report.frame, table), report.frame)
