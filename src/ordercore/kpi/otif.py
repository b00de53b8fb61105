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

With ``OtifPolicy(every_line=True)`` (preset ``every_line_commit``) an order is judged from its
lines (``lines=``): each line against its own reference date and last delivery, and the order
is on time and in full when every line it still owes is.

Counted: complete rows, and rows past due (which fail: open past due is late). Excluded, each
row under the first reason that applies: the rows no KPI can judge (``duplicate_key``,
``missing_received_at``, ``not_yet_received``, ``reversed_timestamps``; see the KPI pages),
``invalid_quantity`` (a quantity read is null, NaN, infinite or negative, or more is cancelled
than ordered), ``no_lines`` (every-line policy: the order has no line), ``cancelled_before_commit``
(customer cancelled before ``approved_at``), ``cancelled_after_commit`` (customer, after
commitment, when the policy says ``exclude``), ``nothing_owed`` (fully cancelled), and
``no_reference_date``, ``not_yet_due`` (open, deadline not passed). Seller cancellations are
counted and fail.

A frame with ``cancelled_at`` must have ``cancelled_by`` (``customer`` or ``seller`` on every
cancelled row) and ``approved_at``; without ``cancelled_at`` no row was cancelled, and without
``qty_cancelled`` nothing was cancelled in part: the result's ``details["defaults"]`` says so.

Unit grain: Σ min(delivered, owed) over on-time rows / Σ owed; value grain weights the same by
``value / qty_ordered``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError, FrameProblem, FrameSchemaError
from ordercore.kpi import _backend, _common
from ordercore.kpi.policies import CalendarLike, OtifPolicy, business_day_ordinals
from ordercore.kpi.result import KpiResult, proportion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from ordercore.kpi.check import Duplicates

__all__ = ["EXCLUSION_REASONS", "OUTCOME_STAMPS", "add_outcomes", "otif"]

EXCLUSION_REASONS = (
    "invalid_quantity",
    "cancelled_before_commit",
    "cancelled_after_commit",
    "nothing_owed",
    "no_reference_date",
    "not_yet_due",
)
"""Why OTIF (and the perfect order rate) leaves a row out, after the reasons of every KPI."""

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
_DATA_REASONS = ("invalid_quantity",)
"""Line reasons that make the whole order one that cannot be judged (with load's own)."""


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
    if lo is None or hi is None or lo != lo or hi != hi:  # noqa: PLR0124 - NaN on pandas
        lo = hi = 0
    days, ordinals = business_day_ordinals(calendar, int(lo), int(hi) + 1)
    table = _backend.small_table(like, {"_day": days, "_ord": ordinals})
    for name in columns:
        lf = lf.join(table, left_on=name, right_on="_day", how="left").rename({"_ord": name + _B})
    return lf


def outcome_defaults(lf: nw.LazyFrame[Any], policy: OtifPolicy) -> dict[str, str]:
    """The documented readings `add_outcomes` applies for absent optional columns."""
    defaults = {}
    if not _common.has(lf, "cancelled_at"):
        defaults["cancelled_at"] = "absent: no row was cancelled"
    if not policy.every_line and not _common.has(lf, "qty_cancelled"):
        defaults["qty_cancelled"] = "absent: nothing was cancelled in part (owed = qty_ordered)"
    return defaults


def _require(lf: nw.LazyFrame[Any], frame: str, columns: list[str], why: str) -> None:
    missing = [c for c in columns if not _common.has(lf, c)]
    if missing:
        raise FrameSchemaError(
            frame,
            [
                FrameProblem(f"missing column {c!r} ({why})", column=c, problem="missing column")
                for c in missing
            ],
        )


def _facts(
    lf: nw.LazyFrame[Any],
    policy: OtifPolicy,
    *,
    now: float,
    today: int,
    like: object,
    calendar: CalendarLike | None,
) -> nw.LazyFrame[Any]:
    """Delivery facts of each row from its own columns, and whether its quantities are usable."""
    frame = "orders" if policy.grain == "order" else "lines"
    ref = policy.reference_column
    _require(
        lf,
        frame,
        [ref, "delivered_at", "qty_ordered", "qty_delivered"],
        "OTIF judges in full from the quantities ordered and delivered",
    )
    cancelled_qty = _common.has(lf, "qty_cancelled")
    owed = nw.col("qty_ordered") - (nw.col("qty_cancelled") if cancelled_qty else nw.lit(0.0))
    delivered = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)
    got = nw.col("qty_delivered")
    late = policy.late_days
    if policy.business_days:
        if calendar is None:
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
    usable = _common.valid_number(lf, "qty_ordered")
    if cancelled_qty:
        usable = usable & _common.valid_number(lf, "qty_cancelled") & (owed >= 0)
    if policy.grain == "value":
        _require(lf, frame, ["value"], "value-weighted OTIF weights lines by their value")
        usable = usable & _common.valid_number(lf, "value")
    delivered = delivered.fill_null(value=False)
    # a delivered row must say how much arrived; an open one is judged without it
    usable = usable & (~delivered | _common.valid_number(lf, "qty_delivered"))
    not_over = nw.lit(value=True) if policy.over_delivery_ok else got <= owed
    # Facts first, as non-null booleans in columns of their own: eager backends (pandas)
    # evaluate every output expression on its own, so a sub-expression shared by several
    # outcomes is computed once. Booleans are an eighth of the memory traffic of 0/1
    # integers, and they stay booleans: sums count them (`_backend.count`).
    return lf.with_columns(
        _delivered=delivered,
        _qty_bad=~usable.fill_null(value=False),
    ).with_columns(
        _complete=(
            nw.col("_delivered")
            & ~nw.col("_qty_bad")
            & (got >= owed * (1 - policy.in_full_tolerance))
        ).fill_null(value=False),
        _in_window=in_window.fill_null(value=False),
        _past_due=past_due.fill_null(value=False),
        _owes_nothing=(owed <= 0).fill_null(value=False),
        _has_ref=~nw.col(ref).is_null(),
        _ok_qty=not_over.fill_null(value=False),
    )


def _line_facts(
    lines: object,
    policy: OtifPolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    calendar: CalendarLike | None,
    duplicates: Duplicates,
) -> nw.LazyFrame[Any]:
    """Per order, the facts of its lines judged each against its own reference (every line)."""
    line_policy = policy.evolve(grain="line", every_line=False, name=policy.name)
    ref = line_policy.reference_column
    lf = _common.load(
        lines,
        "lines",
        tz=tz,
        needed=[ref, "delivered_at", "qty_delivered"],
        local=[ref, "delivered_at"],
        stamps=OUTCOME_STAMPS,
        as_of=as_of,
        duplicates=duplicates,
        kpi="otif",
    )
    lf = add_outcomes(lf, line_policy, as_of=as_of, tz=tz, like=lines, calendar=calendar)
    data = [r for r in _common.reasons(lf) if r[len(_common.X) :] not in EXCLUSION_REASONS]
    data += [_common.X + r for r in _DATA_REASONS]

    def on(name: str) -> nw.Expr:
        return _common.is_set(lf, name)

    ignored = on("_x_cancelled_before_commit") | on("_x_cancelled_after_commit")
    ignored = ignored | on("_x_nothing_owed")
    owing = ~ignored & ~nw.any_horizontal(*[on(r) for r in data], ignore_nulls=True)
    lf = lf.with_columns(_owing=owing)
    owes = nw.col("_owing")
    lf = lf.with_columns(
        _l_owing=_backend.flag(owes),
        _l_open=_backend.flag(owes & on("_base") & ~on("_complete")),
        _l_no_ref=_backend.flag(owes & on("_x_no_reference_date")),
        _l_incomplete=_backend.flag(owes & ~on("_complete")),
        _l_out=_backend.flag(owes & on("_complete") & ~on("_in_window")),
        _l_over=_backend.flag(owes & ~on("_ok_qty")),
        _l_delivered=_backend.flag(owes & on("_delivered")),
        **{f"_l{r}": _backend.flag(on(r)) for r in data},
    )
    names = ["_l_owing", "_l_open", "_l_no_ref", "_l_incomplete", "_l_out", "_l_over"]
    names += ["_l_delivered", *[f"_l{r}" for r in data]]
    return lf.group_by("order_id").agg(*[nw.col(n).max() for n in names], _l_n=nw.len())


def _every_line_facts(
    lf: nw.LazyFrame[Any],
    per_order: nw.LazyFrame[Any],
) -> nw.LazyFrame[Any]:
    """Order facts from the per-order line facts (an order without lines has `_l_n` null)."""
    lf = lf.join(per_order, on="order_id", how="left")
    prefix = "_l" + _common.X
    data = [c[len(prefix) :] for c in per_order.collect_schema().names() if c.startswith(prefix)]

    def any_(name: str) -> nw.Expr:
        return nw.col(name).fill_null(0) == 1

    return lf.with_columns(
        _has_lines=~nw.col("_l_n").is_null(),
        _delivered=any_("_l_delivered"),
        _qty_bad=nw.lit(value=False),
        **{f"_bad_{r}": any_(prefix + r) for r in data},
        _complete=~any_("_l_incomplete") & any_("_l_owing"),
        _in_window=~any_("_l_out"),
        _past_due=any_("_l_open"),
        _owes_nothing=~any_("_l_owing"),
        _has_ref=~any_("_l_no_ref"),
        _ok_qty=~any_("_l_over"),
    )


def _line_reasons(lf: nw.LazyFrame[Any]) -> list[str]:
    """The line reasons carried onto orders by `_every_line_facts` (``_bad_<reason>``)."""
    return [c[len("_bad_") :] for c in lf.collect_schema().names() if c.startswith("_bad_")]


def add_outcomes(
    lf: nw.LazyFrame[Any],
    policy: OtifPolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    like: object,
    calendar: CalendarLike | None = None,
    lines: object | None = None,
    duplicates: Duplicates = "refuse",
) -> nw.LazyFrame[Any]:
    """Add boolean columns ``_base``, ``_on_time``, ``_in_full``, ``_otif`` and ``_x_<reason>``.

    Also ``_complete``, ``_in_window`` and ``_delivered`` (delivered by `as_of`, even in
    part), and the boolean facts they are built from (``_cancelled`` = cancelled by `as_of`,
    which the monthly report reuses, ``_by_customer``, ``_committed``, ``_seller``, ...). `lf`
    is a frame prepared by `ordercore.kpi._common.load` (epoch seconds, local days, the
    ``_x_`` columns of rows no KPI can judge). Used by OTIF, perfect order and the monthly
    report so that they agree by construction. With ``policy.every_line``, `lines` is the
    lines frame the order facts are judged from.

    Raises:
        FrameSchemaError: A column the policy reads is missing (the reference date,
            ``delivered_at``, the quantities; ``cancelled_by`` and ``approved_at`` when
            ``cancelled_at`` is present).
        ConfigurationError: ``every_line`` without `lines`, or `lines` without it.
    """
    now, today = _common.as_of_values(as_of, tz)
    frame = "orders" if policy.grain == "order" else "lines"
    if policy.every_line:
        if lines is None:
            raise ConfigurationError(
                "every_line=True judges orders from their lines: pass lines=<the lines frame>",
                component="OtifPolicy",
            )
        per_order = _line_facts(
            lines, policy, as_of=as_of, tz=tz, calendar=calendar, duplicates=duplicates
        )
        lf = _every_line_facts(lf, per_order)
    elif lines is not None:
        raise ConfigurationError(
            "lines= is read only by a policy with every_line=True", component="OtifPolicy"
        )
    else:
        lf = _facts(lf, policy, now=now, today=today, like=like, calendar=calendar)
    if _common.has(lf, "cancelled_at"):
        _require(
            lf,
            frame,
            ["cancelled_by", "approved_at"],
            "cancelled_at is present: who cancelled, and whether before commitment, decide "
            "whether a cancelled row is excluded or fails",
        )
        cancelled = (~nw.col("cancelled_at").is_null() & (nw.col("cancelled_at") <= now)).fill_null(
            value=False
        )
        # the vocabulary is checked on load: a cancelled row says customer or seller
        by_customer = cancelled & (nw.col("cancelled_by") == "customer").fill_null(value=False)
        committed = ~nw.col("approved_at").is_null() & (
            nw.col("approved_at") <= nw.col("cancelled_at")
        )
    else:
        cancelled = by_customer = committed = nw.lit(value=False)
    lf = lf.with_columns(
        _cancelled=cancelled,
        _by_customer=by_customer,
        _committed=committed.fill_null(value=False),
    )
    customer = nw.col("_by_customer")
    # (every line: a line the seller cancelled is counted and open, so the order is past due)
    lf = lf.with_columns(_seller=nw.col("_cancelled") & ~customer)
    undecided = ~nw.col("_complete") & ~nw.col("_seller")
    reasons: list[tuple[str, nw.Expr]] = [("invalid_quantity", nw.col("_qty_bad"))]
    if policy.every_line:
        reasons.append(("no_lines", ~nw.col("_has_lines")))
        reasons += [(f"line_{r}", nw.col(f"_bad_{r}")) for r in _line_reasons(lf)]
    after_commit = (
        customer & nw.col("_committed")
        if policy.customer_cancel_after_commit == "exclude"
        else nw.lit(value=False)
    )
    reasons += [
        ("cancelled_before_commit", customer & ~nw.col("_committed")),
        ("cancelled_after_commit", after_commit),
        ("nothing_owed", ~customer & nw.col("_owes_nothing")),
        ("no_reference_date", ~nw.col("_has_ref")),
        ("not_yet_due", undecided & ~nw.col("_past_due")),
    ]
    within = "_ok" if _common.has(lf, "_ok") else None
    lf = _common.exclusive(lf, reasons, ok="_base", within=within)
    good = nw.col("_base") & nw.col("_complete") & ~nw.col("_seller")
    lf = lf.with_columns(_on_time=good & nw.col("_in_window"), _in_full=good & nw.col("_ok_qty"))
    # booleans throughout: summed as counts (`_backend.count`), never cast row by row
    return lf.with_columns(_otif=nw.col("_on_time") & nw.col("_in_full"))


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
    lines: object | None = None,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """OTIF share under `policy`; details carry the on-time and in-full component rates.

    Args:
        frame: The orders frame (grain ``order``) or the lines frame (other grains).
        policy: An `OtifPolicy` or a preset name.
        as_of: The moment the data stands for; later orders and deliveries are not seen.
        tz: Time zone of local dates and of period bucketing.
        calendar: Business calendar, needed when ``policy.business_days``.
        period: Restrict to one month ``"YYYY-MM"`` of `period_by` in `tz`.
        period_by: The timestamp column that assigns rows to periods.
        where: Equality filters, e.g. ``{"owner_id": "S-01"}``.
        min_sample: Below this many counted rows the status is ``insufficient_sample``.
        lines: The lines frame, for a policy with ``every_line=True``.
        duplicates: ``"refuse"`` a frame with repeated keys (default) or ``"exclude"`` every
            row of a repeated key, counted as ``duplicate_key``.

    Raises:
        FrameSchemaError: A column OTIF reads is missing or mistyped, ids or codes are null
            or unknown, or keys repeat (see the KPI pages, "What the KPIs refuse").

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
        (0.5, 1, 2, 'insufficient_sample')
        >>> r.details["defaults"]["cancelled_at"]
        'absent: no row was cancelled'
    """
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    kind = "orders" if policy.grain == "order" else "lines"
    ref = policy.reference_column
    own = [] if policy.every_line else [ref, "delivered_at"]
    lf = _common.load(
        frame,
        kind,
        tz=tz,
        needed=own,
        period_by=period_by if period else None,
        period=period,
        where=where,
        local=own,
        stamps=OUTCOME_STAMPS,
        as_of=as_of,
        duplicates=duplicates,
        kpi="otif",
    )
    lf = add_outcomes(
        lf,
        policy,
        as_of=as_of,
        tz=tz,
        like=frame,
        calendar=calendar,
        lines=lines,
        duplicates=duplicates,
    )
    reasons = _common.reasons(lf)
    if policy.grain in ("unit", "value"):
        owed = nw.col("qty_ordered") - (
            nw.col("qty_cancelled") if _common.has(lf, "qty_cancelled") else nw.lit(0.0)
        )
        weight = nw.lit(1.0) if policy.grain == "unit" else nw.col("value") / nw.col("qty_ordered")
        got = nw.min_horizontal(nw.col("qty_delivered"), owed)
        # guarded by when: an excluded row's NaN must not reach the sums (0 × NaN is NaN)
        lf = lf.with_columns(
            _w_base=nw.when(nw.col("_base")).then(owed * weight).otherwise(0.0),
            _w_otif=nw.when(nw.col("_base") & nw.col("_on_time")).then(got * weight).otherwise(0.0),
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
        **_common.defaults_note(outcome_defaults(lf, policy)),
    }
    return proportion(
        "otif",
        num,
        den,
        min_sample=min_sample,
        exclusions=_common.exclusions(totals, reasons),
        policy=policy,
        period=period,
        group=dict(where or {}),
        details=details,
    )
