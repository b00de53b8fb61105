"""OTIF (on time in full) under an explicit `OtifPolicy`.

Grain *order* reads the orders frame, grains *line*, *unit* and *value* read the lines frame
(which then needs its own reference and ``delivered_at`` columns). For each row:

* **owed** = ``qty_ordered − qty_cancelled`` (customer cancellations reduce what is owed;
  seller short-closes do not, so they fail in full);
* **complete** = delivered by `as_of` and ``qty_delivered ≥ owed × (1 − in_full_tolerance)``
  (and ``≤ owed`` unless over-delivery is allowed); ``delivered_at`` is the last delivery;
* **in window** = the last delivery's local date (in `tz`) is within
  ``[reference − early_days, reference + late_days]`` (≤: on the deadline is on time), in
  calendar or business days; with ``compare="instant"`` timestamps are compared instead;
* **past due** = `as_of` is beyond the last on-time day;
* **on time** = complete and in window; **in full** = complete and not seller-cancelled;
  **OTIF** = both.

Counted: complete rows, and rows past due (which fail: open past due is late). Excluded, by
reason: ``not_yet_due`` (open, deadline not passed), ``cancelled_before_commit`` (customer
cancelled before ``approved_at``), ``cancelled_after_commit`` (customer, after commitment, when
the policy says ``exclude``), ``no_reference_date``, ``nothing_owed`` (fully cancelled lines).
Seller cancellations are counted and fail.

Unit grain: Σ min(delivered, owed) over on-time rows / Σ owed; value grain weights the same by
``value / qty_ordered``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.policies import CalendarLike, OtifPolicy, business_day_ordinals
from ordercore.kpi.result import KpiResult, proportion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

__all__ = ["EXCLUSION_REASONS", "OUTCOME_STAMPS", "add_outcomes", "otif"]

EXCLUSION_REASONS = (
    "not_yet_due",
    "cancelled_before_commit",
    "cancelled_after_commit",
    "no_reference_date",
    "nothing_owed",
)
"""Why a row can be left out of OTIF (and of the perfect order rate)."""

OUTCOME_STAMPS = (
    "received_at",
    "approved_at",
    "promised_at",
    "requested_at",
    "delivered_at",
    "cancelled_at",
)
"""The timestamp columns OTIF outcomes read."""

_D = _backend.DAY_SUFFIX
_B = "__bday"


def _col_or(lf: nw.LazyFrame[Any], name: str, default: float | str | None) -> nw.Expr:
    return nw.col(name) if _common.has(lf, name) else nw.lit(default)


def _with_bdays(
    lf: nw.LazyFrame[Any], like: object, calendar: CalendarLike, columns: Mapping[str, nw.Expr]
) -> nw.LazyFrame[Any]:
    """Add ``<name>__bday`` = business days before each given day number, via a lookup join."""
    # day numbers are integers, or on pandas float64 with NaN for a missing day (see
    # `_backend.prepare`); either joins the integer `_day` key by value
    lf = lf.with_columns(**columns)
    bounds = _backend.rows(
        lf.select(
            nw.min_horizontal(*[nw.col(n).min() for n in columns]).alias("lo"),
            nw.max_horizontal(*[nw.col(n).max() for n in columns]).alias("hi"),
        )
    )[0]
    lo, hi = bounds["lo"], bounds["hi"]
    if lo is None or hi is None:
        lo = hi = 0
    days, ordinals = business_day_ordinals(calendar, int(lo), int(hi) + 1)
    table = _backend.small_table(like, {"_day": days, "_ord": ordinals})
    for name in columns:
        lf = lf.join(table, left_on=name, right_on="_day", how="left").rename({"_ord": name + _B})
    return lf


def add_outcomes(
    lf: nw.LazyFrame[Any],
    policy: OtifPolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    like: object,
    calendar: CalendarLike | None = None,
) -> nw.LazyFrame[Any]:
    """Add 0/1 columns ``_base``, ``_on_time``, ``_in_full``, ``_otif`` and ``_x_<reason>``.

    Also ``_complete`` and ``_in_window`` (0/1), and the boolean facts they are built from
    (``_cancelled`` = cancelled by `as_of`, which the monthly report reuses, ``_by_customer``,
    ``_committed``, ``_seller``, ...). `lf` is a frame prepared by `ordercore.kpi` (epoch
    seconds, local days). Used by OTIF, perfect order and the monthly report so that they agree
    by construction.
    """
    now, today = _common.as_of_values(as_of, tz)
    ref = "promised_at" if policy.reference == "promised" else "requested_at"
    owed = _col_or(lf, "qty_ordered", 1.0) - _col_or(lf, "qty_cancelled", 0.0).fill_null(0.0)
    delivered_qty = _col_or(lf, "qty_delivered", 1.0).fill_null(0.0)
    delivered = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)
    enough = delivered_qty >= owed * (1 - policy.in_full_tolerance)
    not_over = nw.lit(value=True) if policy.over_delivery_ok else delivered_qty <= owed
    if _common.has(lf, "cancelled_at"):
        cancelled = ~nw.col("cancelled_at").is_null() & (nw.col("cancelled_at") <= now)
        by_customer = cancelled & (_col_or(lf, "cancelled_by", "customer") == "customer").fill_null(
            value=False
        )
        committed = ~_col_or(lf, "approved_at", None).is_null() & (
            _col_or(lf, "approved_at", None) <= nw.col("cancelled_at")
        )
    else:
        cancelled = by_customer = committed = nw.lit(value=False)
    late = policy.late_days
    if policy.business_days:
        if calendar is None:
            from ordercore.errors import ConfigurationError  # noqa: PLC0415

            raise ConfigurationError("business_days=True needs a calendar", component="OtifPolicy")
        lf = _with_bdays(
            lf,
            like,
            calendar,
            {
                "_ref_next": nw.col(ref + _D) + 1,
                "_ref": nw.col(ref + _D),
                "_del_next": nw.col("delivered_at" + _D) + 1,
                "_del": nw.col("delivered_at" + _D),
                "_today_next": nw.lit(today + 1) + nw.col(ref + _D) * 0,
            },
        )
        in_window = nw.col("_del_next" + _B) - nw.col("_ref_next" + _B) <= late
        if policy.early_days is not None:
            in_window = in_window & (nw.col("_ref" + _B) - nw.col("_del" + _B) <= policy.early_days)
        past_due = nw.col("_today_next" + _B) - nw.col("_ref_next" + _B) > late
    elif policy.compare == "date":
        in_window = nw.col("delivered_at" + _D) <= nw.col(ref + _D) + late
        if policy.early_days is not None:
            in_window = in_window & (
                nw.col("delivered_at" + _D) >= nw.col(ref + _D) - policy.early_days
            )
        past_due = nw.col(ref + _D) + late < today
    else:
        in_window = nw.col("delivered_at") <= nw.col(ref) + late * 86400.0
        if policy.early_days is not None:
            in_window = in_window & (
                nw.col("delivered_at") >= nw.col(ref) - policy.early_days * 86400.0
            )
        past_due = nw.col(ref) + late * 86400.0 < now
    # Facts first, as non-null booleans in columns of their own: eager backends (pandas)
    # evaluate every output expression on its own, so a sub-expression shared by several
    # outcomes (the string test on ``cancelled_by``, say) is computed once. Booleans are an
    # eighth of the memory traffic of 0/1 integers; only the columns callers sum become Int64.
    lf = lf.with_columns(
        _complete=(delivered & enough).fill_null(value=False),
        _in_window=in_window.fill_null(value=False),
        _past_due=past_due.fill_null(value=False),
        _cancelled=cancelled.fill_null(value=False),
        _by_customer=by_customer.fill_null(value=False),
        _committed=committed.fill_null(value=False),
        _owes_nothing=(owed <= 0).fill_null(value=False),
        _has_ref=~nw.col(ref).is_null(),
        _ok_qty=not_over.fill_null(value=False),
    )
    customer, has_ref = nw.col("_by_customer"), nw.col("_has_ref")
    lf = lf.with_columns(
        _seller=nw.col("_cancelled") & ~customer,
        _x_cancelled_before_commit=customer & ~nw.col("_committed"),
        _x_cancelled_after_commit=customer & nw.col("_committed")
        if policy.customer_cancel_after_commit == "exclude"
        else nw.lit(value=False),
        _x_nothing_owed=~customer & nw.col("_owes_nothing"),
    )
    kept = ~(
        nw.col("_x_cancelled_before_commit")
        | nw.col("_x_cancelled_after_commit")
        | nw.col("_x_nothing_owed")
    )
    undecided = ~nw.col("_complete") & ~nw.col("_seller")
    lf = lf.with_columns(
        _x_no_reference_date=kept & ~has_ref,
        _x_not_yet_due=kept & has_ref & undecided & ~nw.col("_past_due"),
    )
    lf = lf.with_columns(_base=kept & has_ref & ~nw.col("_x_not_yet_due"))
    good = nw.col("_base") & nw.col("_complete") & ~nw.col("_seller")
    lf = lf.with_columns(_on_time=good & nw.col("_in_window"), _in_full=good & nw.col("_ok_qty"))
    summed = ["_base", "_on_time", "_in_full", "_complete", "_in_window"]
    summed += [f"_x_{reason}" for reason in EXCLUSION_REASONS]
    return lf.with_columns(
        *[nw.col(name).cast(nw.Int64) for name in summed],
        _otif=(nw.col("_on_time") & nw.col("_in_full")).cast(nw.Int64),
    )


def otif(
    frame: object,
    policy: OtifPolicy | str = "scor_commit",
    *,
    as_of: dt.datetime,
    tz: str = "UTC",
    calendar: CalendarLike | None = None,
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
) -> KpiResult:
    """OTIF share under `policy`; details carry the on-time and in-full component rates.

    Args:
        frame: The orders frame (grain ``order``) or the lines frame (other grains).
        policy: An `OtifPolicy` or a preset name.
        as_of: The moment the data stands for; later deliveries are ignored.
        tz: Time zone of local dates and of period bucketing.
        calendar: Business calendar, needed when ``policy.business_days``.
        period: Restrict to one month ``"YYYY-MM"`` of `period_by` in `tz`.
        period_by: The timestamp column that assigns rows to periods.
        where: Equality filters, e.g. ``{"owner_id": "S-01"}``.
        min_sample: Below this many counted rows the status is ``insufficient_sample``.

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 3, d, 12, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b"], "customer_id": ["c", "c"],
        ...     "channel": ["web", "web"], "received_at": [t(1), t(1)],
        ...     "promised_at": [t(5), t(5)], "delivered_at": [t(5), t(6)],
        ...     "qty_ordered": [2.0, 2.0], "qty_delivered": [2.0, 2.0]})
        >>> r = otif(orders, as_of=t(20))
        >>> r.value, r.numerator, r.denominator, r.status.value
        (0.5, 1.0, 2.0, 'insufficient_sample')
    """
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    kind = "orders" if policy.grain == "order" else "lines"
    ref = "promised_at" if policy.reference == "promised" else "requested_at"
    lf = _common.load(
        frame,
        kind,
        tz=tz,
        needed=[ref, "delivered_at"],
        period_by=period_by if period else None,
        period=period,
        where=where,
        local=[ref, "delivered_at"],
        stamps=OUTCOME_STAMPS,
    )
    lf = add_outcomes(lf, policy, as_of=as_of, tz=tz, like=frame, calendar=calendar)
    reasons = [f"_x_{r}" for r in EXCLUSION_REASONS]
    if policy.grain in ("unit", "value"):
        owed = nw.col("qty_ordered") - _col_or(lf, "qty_cancelled", 0.0).fill_null(0.0)
        weight = nw.lit(1.0) if policy.grain == "unit" else nw.col("value") / nw.col("qty_ordered")
        got = nw.min_horizontal(nw.col("qty_delivered").fill_null(0.0), owed)
        lf = lf.with_columns(
            _w_base=nw.col("_base") * owed * weight,
            _w_otif=nw.col("_base") * nw.col("_in_window") * nw.col("_complete") * got * weight,
        )
        totals = _common.sums(lf, ["_w_base", "_w_otif", "_base", "_on_time", "_in_full", *reasons])
        num, den = totals["_w_otif"], totals["_w_base"]
    else:
        totals = _common.sums(lf, ["_base", "_otif", "_on_time", "_in_full", *reasons])
        num, den = totals["_otif"], totals["_base"]
    base = totals["_base"]
    details = {
        "counted": base,
        "on_time": totals["_on_time"] / base if base else None,
        "in_full": totals["_in_full"] / base if base else None,
        "on_time_count": totals["_on_time"],
        "in_full_count": totals["_in_full"],
    }
    return proportion(
        "otif",
        num,
        den,
        min_sample=min_sample,
        exclusions={r[3:]: int(totals[r]) for r in reasons},
        policy=policy,
        period=period,
        group=dict(where or {}),
        details=details,
    )
