"""Processing speed: order completion (cycle) time and stage durations, in hours.

**Cycle time** (SCOR RS.1.1) of an order complete by `as_of` = ``delivered_at − received_at``
(*gross*); *net* subtracts ``hold_hours`` (dwell on hold). Complete is what OTIF calls complete:
delivered by `as_of` and, when the frame has the quantities, everything owed delivered
(``qty_delivered ≥ qty_ordered − qty_cancelled``), so that a partly delivered order is still
open. Reported: mean (the value), p50 and p90 (linear interpolation), and the share delivered
within the committed cycle time (``promised_at − received_at``). Open orders (received by `as_of`, neither delivered nor
cancelled) are **censored**: counted, with their age at `as_of` (p50 and max), never dropped.
Cancelled orders are excluded and counted. Orders that cannot be judged are excluded and
counted first (``duplicate_key`` under ``duplicates="exclude"``, ``missing_received_at``,
``not_yet_received``: received after `as_of`, ``reversed_timestamps``: delivered before
received), ``invalid_quantity`` (a delivered order whose quantities are null, NaN, infinite or
negative, when the frame has them), and for net cycle time ``invalid_hold_hours`` (null, NaN, negative, or more hold
than cycle).

**Stage durations** come from the events frame: for each order, the first event of the start
type to the first event of the end type; orders missing either are counted as open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.result import KpiResult, KpiStatus, proportion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from ordercore.kpi.check import Duplicates

__all__ = ["DEFAULT_STAGES", "cycle_time", "stage_durations"]

DEFAULT_STAGES: dict[str, tuple[str, str]] = {
    "receipt_to_approval": ("order_submitted", "order_approved"),
    "approval_to_ship": ("order_approved", "quantity_shipped"),
    "ship_to_delivery": ("quantity_shipped", "quantity_delivered"),
}
"""Default stages: name -> (start event type, end event type)."""


_HOURS: dict[str, nw.Expr | _backend.Quantile] = {
    "n": nw.col("_h").count(),
    "total": nw.col("_h").sum(),
    "mean": nw.col("_h").mean(),
    "p50": _backend.Quantile("_h", 0.5),
    "p90": _backend.Quantile("_h", 0.9),
}
"""The summary of the hours column ``_h`` every duration KPI reports."""


def _summary(name: str, row: Mapping[str, Any], min_sample: int, **fields: Any) -> KpiResult:
    n = float(row["n"] or 0)
    if not n:
        return KpiResult(name, None, None, 0.0, KpiStatus.NO_DATA, unit="hours", **fields)
    status = KpiStatus.OK if n >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    details = {
        "mean": row["mean"],
        "p50": row["p50"],
        "p90": row["p90"],
        **fields.pop("details", {}),
    }
    return KpiResult(
        name, row["mean"], row["total"], n, status, details=details, unit="hours", **fields
    )


def _quantities_usable(lf: nw.LazyFrame[Any]) -> nw.Expr | None:
    """Whether the quantities completeness reads are usable numbers (None: not in the frame)."""
    if not (_common.has(lf, "qty_ordered") and _common.has(lf, "qty_delivered")):
        return None
    usable = _common.valid_number(lf, "qty_ordered") & _common.valid_number(lf, "qty_delivered")
    if _common.has(lf, "qty_cancelled"):
        usable = usable & _common.valid_number(lf, "qty_cancelled")
    return usable


def _unreadable(lf: nw.LazyFrame[Any], now: float, *, usable: str | None = None) -> nw.Expr:
    """Delivered by `now` with quantities that are not usable numbers: neither complete nor open.

    Cycle time excludes such orders as ``invalid_quantity``; the monthly report leaves them out
    of its cycle columns the same way. `usable` names a column holding `_quantities_usable`
    already (computed once for this and `_completed`).
    """
    usable_expr = _quantities_usable(lf) if usable is None else nw.col(usable)
    if usable_expr is None:
        return nw.lit(value=False)
    delivered = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)
    return delivered.fill_null(value=False) & ~usable_expr


def _completed(lf: nw.LazyFrame[Any], now: float, *, usable: str | None = None) -> nw.Expr:
    """Whether each order is complete at `now` (in the frame's units): OTIF's definition, exactly.

    Delivered by `now` and, when the frame has the quantities, everything owed delivered
    (``qty_delivered ≥ qty_ordered − qty_cancelled``): a partly delivered order is complete
    neither here nor for OTIF, even with a ``delivered_at``. Null reads as not complete, and so
    does a quantity that is not a usable number (NaN compares differently on each backend).
    """
    done = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)
    usable_expr = _quantities_usable(lf) if usable is None else nw.col(usable)
    if usable_expr is not None:
        cancelled = nw.col("qty_cancelled") if _common.has(lf, "qty_cancelled") else nw.lit(0.0)
        owed = nw.col("qty_ordered") - cancelled
        done = done & usable_expr & (nw.col("qty_delivered") >= owed)
    return done.fill_null(value=False)


def cycle_time(
    orders: object,
    *,
    as_of: dt.datetime,
    net: bool = False,
    tz: str = "UTC",
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Order completion time in hours (mean as the value; p50/p90 and censoring in details).

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d, h=0: datetime(2026, 3, d, h, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": "c",
        ...     "channel": "web", "received_at": [t(1), t(1), t(2)],
        ...     "delivered_at": [t(2), t(3), None], "hold_hours": [0.0, 12.0, 0.0]})
        >>> r = cycle_time(orders, as_of=t(4))
        >>> r.value, r.details["p50"], r.details["censored"], r.details["censored_age_max"]
        (36.0, 36.0, 1, 48.0)
        >>> cycle_time(orders, as_of=t(4), net=True).value
        30.0
    """
    stamps = ["received_at", "delivered_at", "cancelled_at", "promised_at"]
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=["delivered_at", *(["hold_hours"] if net else [])],
        period_by=period_by if period else None,
        period=period,
        where=where,
        stamps=stamps,
        as_of=as_of,
        duplicates=duplicates,
        kpi="cycle_time",
    )
    now, _ = _common.as_of_values(as_of, tz)
    cancelled = (
        (~nw.col("cancelled_at").is_null() & (nw.col("cancelled_at") <= now)).fill_null(value=False)
        if _common.has(lf, "cancelled_at")
        else nw.lit(value=False)
    )
    done = _completed(lf, now)
    gross = _backend.hours("delivered_at", "received_at")
    hours = gross
    reasons: list[tuple[str, nw.Expr]] = []
    if _quantities_usable(lf) is not None:
        # a delivered order whose quantities cannot be read cannot be called complete or open
        reasons.append(("invalid_quantity", _unreadable(lf, now)))
    if net:
        hold = nw.col("hold_hours")
        hours = gross - hold
        # hold time is part of the cycle: more hold than cycle is a record that cannot be judged
        usable = _common.valid_number(lf, "hold_hours") & (hold <= gross).fill_null(value=False)
        reasons.append(("invalid_hold_hours", done & ~cancelled & ~usable))
    reasons.append(("cancelled", cancelled))
    lf = _common.exclusive(lf, reasons, ok="_kept", within="_ok")
    kept = nw.col("_kept")
    commit = (
        (nw.col("delivered_at") <= nw.col("promised_at")).fill_null(value=False)
        if _common.has(lf, "promised_at")
        else nw.lit(value=False)
    )
    has_commit = (
        ~nw.col("promised_at").is_null() if _common.has(lf, "promised_at") else nw.lit(value=False)
    )
    lf = lf.with_columns(
        _done=_backend.flag(kept & done),
        _open=_backend.flag(kept & ~done),
        _within=_backend.flag(kept & done & has_commit & commit),
        _cd=_backend.flag(kept & done & has_commit),
        _h=nw.when(kept & done).then(hours),
        _age=nw.when(kept & ~done).then((nw.lit(now) - nw.col("received_at")) / 3600.0),
    )
    names = _common.reasons(lf)
    row = _backend.rows(
        _backend.aggregate(
            lf,
            [],
            {
                **_HOURS,
                "censored": nw.col("_open").sum(),
                "age_p50": _backend.Quantile("_age", 0.5),
                "age_max": nw.col("_age").max(),
                "within": nw.col("_within").sum(),
                "with_commit": nw.col("_cd").sum(),
                **{n: nw.col(n).sum() for n in names},  # booleans: aggregate counts them
            },
        )
    )[0]
    within = proportion(
        "within_commit",
        float(row["within"] or 0),
        float(row["with_commit"] or 0),
        min_sample=min_sample,
    )
    details = {
        "censored": int(row["censored"] or 0),
        "censored_age_p50": row["age_p50"],
        "censored_age_max": row["age_max"],
        "within_commit": within.value,
        "within_commit_count": within.numerator,
    }
    return _summary(
        "cycle_time_net" if net else "cycle_time_gross",
        row,
        min_sample,
        exclusions={n[len(_common.X) :]: int(row[n] or 0) for n in names},
        details=details,
        period=period,
        group=dict(where or {}),
        policy={"net": net, "tz": tz, "period_by": period_by},
    )


def stage_durations(
    events: object,
    stages: Mapping[str, tuple[str, str]] | None = None,
    *,
    as_of: dt.datetime,
    tz: str = "UTC",
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> dict[str, KpiResult]:
    """Hours from the first start event to the first end event of each order, per stage.

    Events after `as_of` are not seen. Each stage's exclusions count the event rows that
    cannot be judged (``duplicate_key``, ``missing_at``, ``not_yet_happened``) and the orders
    whose first end event precedes their first start event (``reversed_timestamps``).

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda h: datetime(2026, 3, 1, h, tzinfo=timezone.utc)
        >>> events = pd.DataFrame({"order_id": ["a", "a", "b"],
        ...     "event_type": ["order_submitted", "order_approved", "order_submitted"],
        ...     "at": [t(1), t(4), t(2)]})
        >>> r = stage_durations(events, {"review": ("order_submitted", "order_approved")}, as_of=t(9))
        >>> r["review"].value, r["review"].details["censored"]
        (3.0, 1)
    """
    stages = dict(DEFAULT_STAGES if stages is None else stages)
    lf = _common.load(
        events, "events", tz=tz, as_of=as_of, duplicates=duplicates, kpi="stage_durations"
    )
    event_reasons = _common.reasons(lf)
    skipped = _common.sums(lf, event_reasons)
    lf = lf.filter(nw.col("_ok"))
    types = sorted({t for pair in stages.values() for t in pair})
    marks = lf.with_columns(
        **{
            f"_t{i}": nw.when(nw.col("event_type") == t).then(nw.col("at"))
            for i, t in enumerate(types)
        }
    )
    per_order = marks.group_by("order_id").agg(*[nw.col(f"_t{i}").min() for i in range(len(types))])
    index = {t: f"_t{i}" for i, t in enumerate(types)}
    out: dict[str, KpiResult] = {}
    for name, (start, end) in stages.items():
        s, e = index[start], index[end]
        frame = per_order.with_columns(
            _h=nw.when(nw.col(e) >= nw.col(s)).then(_backend.hours(e, s)),
            _open=_backend.flag(~nw.col(s).is_null() & nw.col(e).is_null()),
            _rev=_backend.flag(nw.col(e) < nw.col(s)),
        )
        row = _backend.rows(
            _backend.aggregate(
                frame,
                [],
                {**_HOURS, "censored": nw.col("_open").sum(), "reversed": nw.col("_rev").sum()},
            )
        )[0]
        out[name] = _summary(
            f"stage:{name}",
            row,
            min_sample,
            details={"censored": int(row["censored"] or 0)},
            exclusions={
                **_common.exclusions(skipped, event_reasons),
                "reversed_timestamps": int(row["reversed"] or 0),
            },
            policy={"start": start, "end": end},
        )
    return out
