"""Fill rates: unit, line and order, final or first-time.

With *owed* = ``qty_ordered − qty_cancelled`` and *shipped* = ``qty_shipped`` (final) or
``qty_shipped_first`` (first-time, before backorders and later shipments):

* unit fill rate = Σ min(shipped, owed) / Σ owed;
* line fill rate = lines with shipped ≥ owed / lines with owed > 0;
* order fill rate = orders whose every owed line is filled / orders with an owed line.

Excluded and counted, each line under the first reason that applies: the rows no KPI can
judge (see the KPI pages), ``invalid_quantity`` (a quantity read is null, NaN, infinite or
negative, or more is cancelled than ordered), ``nothing_owed``, and with `as_of`:
``no_reference_date`` and ``not_yet_due``, a line not yet filled whose promised day (in `tz`)
has not passed. A line is counted once it is filled or due, as OTIF counts a row once it is
complete or past due. Without `as_of` every line is taken as due (``details["defaults"]``
says so). At order grain an order is excluded when one of its lines cannot be judged, is
counted (unfilled) as soon as one of its due lines is unfilled, and waits while a line is not
yet due; the exclusions then count orders.

Examples:
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"order_id": ["a", "a", "b"], "line_id": ["1", "2", "1"],
    ...     "qty_ordered": [10.0, 5.0, 4.0], "qty_shipped": [10.0, 3.0, 4.0]})
    >>> [round(fill_rate(lines, kind=k).value, 4) for k in ("unit", "line", "order")]
    [0.8947, 0.6667, 0.5]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import narwhals.stable.v2 as nw

from ordercore.errors import InvalidArgument
from ordercore.kpi import _backend, _common
from ordercore.kpi.result import KpiResult, proportion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence
    from typing import Any

    from ordercore.kpi.check import Duplicates

__all__ = ["fill_rate"]

_PENDING = ("no_reference_date", "not_yet_due")
_IGNORED = ("nothing_owed",)


def order_outcomes(
    lf: nw.LazyFrame[Any],
    *,
    ok: str,
    yes: str | None,
    no: str | None,
) -> nw.LazyFrame[Any]:
    """Roll line outcomes up to one row per order, with order-level ``_x_`` reasons.

    An order is excluded under the first reason any of its lines has, in the lines' order of
    reasons, except that ``nothing_owed`` lines are left out and pending reasons
    (``no_reference_date``, ``not_yet_due``) give way when a counted line already says
    ``no``. Adds ``_o_counted`` and ``_o_yes``: any counted line has `yes`, or (with `no`)
    no counted line has `no`.
    """
    reasons = _common.reasons(lf)
    names = {r: "_a" + r for r in reasons}
    lines = lf.with_columns(
        _c=_backend.flag(nw.col(ok)),
        _y=_backend.flag(nw.col(ok) & nw.col(yes)) if yes else nw.lit(0),
        _no=_backend.flag(nw.col(ok) & nw.col(no)) if no else nw.lit(0),
        **{names[r]: _backend.flag(_common.is_set(lf, r)) for r in reasons},
    )
    per = lines.group_by("order_id").agg(
        *[nw.col(c).max() for c in ["_c", "_y", "_no", *names.values()]]
    )
    failed = nw.col("_no") == 1
    order_reasons: list[tuple[str, nw.Expr]] = []
    for r in reasons:
        reason = r[len(_common.X) :]
        if reason in _IGNORED:
            continue
        hit = nw.col(names[r]) == 1
        order_reasons.append((reason, hit & ~failed if reason in _PENDING else hit))
    order_reasons.append(("nothing_owed", nw.col("_c") == 0))
    per = _common.exclusive(per, order_reasons, ok="_o_ok")
    counted = nw.col("_o_ok")
    answer = (nw.col("_y") == 1) if yes else ~failed
    return per.with_columns(_o_counted=counted, _o_yes=counted & answer)


def fill_rate(
    lines: object,
    *,
    kind: Literal["unit", "line", "order"] = "unit",
    basis: Literal["final", "first"] = "final",
    as_of: dt.datetime | None = None,
    tz: str = "UTC",
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Unit, line or order fill rate from the lines frame.

    Args:
        lines: The lines frame.
        kind: ``unit``, ``line`` or ``order``.
        basis: ``final`` (``qty_shipped``) or ``first`` (``qty_shipped_first``).
        as_of: The moment the data stands for: lines of orders received after it are left
            out and lines not yet due are not judged (the lines need ``received_at`` and
            ``promised_at``). Without it, the frame is read as final: every line is due.
        tz: Time zone of local days and of period bucketing.
        period: Restrict to one month ``"YYYY-MM"`` of `period_by` in `tz`.
        period_by: The lines' timestamp column that assigns them to periods.
        where: Equality filters on lines columns, e.g. ``{"sku": "X-1"}``.
        min_sample: Below this many counted lines (or orders) the status is
            ``insufficient_sample``.
        duplicates: ``"refuse"`` repeated ``(order_id, line_id)`` keys or ``"exclude"`` them.
    """
    if kind not in ("unit", "line", "order") or basis not in ("final", "first"):
        raise InvalidArgument(
            "fill_rate",
            "kind" if kind not in ("unit", "line", "order") else "basis",
            f"must be one of unit, line, order (kind) and final, first (basis); got {kind!r}, "
            f"{basis!r}",
        )
    shipped_col = "qty_shipped" if basis == "final" else "qty_shipped_first"
    due = ["received_at", "promised_at"] if as_of is not None else []
    lf = _common.load(
        lines,
        "lines",
        tz=tz,
        needed=[shipped_col, *due],
        period_by=period_by if period else None,
        period=period,
        where=where,
        local=["promised_at"] if as_of is not None else [],
        stamps=["received_at", "promised_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="fill_rate",
    )
    has_cancelled = _common.has(lf, "qty_cancelled")
    owed = nw.col("qty_ordered") - (nw.col("qty_cancelled") if has_cancelled else nw.lit(0.0))
    shipped = nw.col(shipped_col)
    usable = _common.valid_number(lf, "qty_ordered") & _common.valid_number(lf, shipped_col)
    if has_cancelled:
        usable = (
            usable & _common.valid_number(lf, "qty_cancelled") & (owed >= 0).fill_null(value=False)
        )
    filled = (shipped >= owed).fill_null(value=False)
    reasons: list[tuple[str, nw.Expr]] = [
        ("invalid_quantity", ~usable),
        ("nothing_owed", owed <= 0),
    ]
    defaults: dict[str, str] = {}
    if not has_cancelled:
        defaults["qty_cancelled"] = "absent: nothing was cancelled (owed = qty_ordered)"
    if as_of is None:
        defaults["as_of"] = "not given: the frame is read as final, every line is due"
    else:
        _, today = _common.as_of_values(as_of, tz)
        promised_day = nw.col("promised_at" + _backend.DAY_SUFFIX)
        reasons += [
            ("no_reference_date", ~filled & nw.col("promised_at").is_null()),
            ("not_yet_due", ~filled & ~(promised_day < today).fill_null(value=False)),
        ]
    lf = _common.exclusive(lf, reasons, ok="_counted", within="_ok")
    counted = nw.col("_counted")
    lf = lf.with_columns(
        _filled=counted & filled,
        _unfilled=counted & ~filled,
        # guarded by when: an excluded line's NaN must not reach the sums
        _owed_c=nw.when(counted).then(owed).otherwise(0.0),
        _got_c=nw.when(counted).then(nw.min_horizontal(shipped, owed)).otherwise(0.0),
    )
    if kind == "order":
        per_order = order_outcomes(lf, ok="_counted", yes=None, no="_unfilled")
        names: Sequence[str] = _common.reasons(per_order)
        t = _common.sums(per_order, ["_o_yes", "_o_counted", *names])
        num, den = t["_o_yes"], t["_o_counted"]
    else:
        names = _common.reasons(lf)
        t = _common.sums(lf, ["_owed_c", "_got_c", "_filled", "_counted", *names])
        num, den = (t["_got_c"], t["_owed_c"]) if kind == "unit" else (t["_filled"], t["_counted"])
    return proportion(
        f"fill_rate_{kind}" + ("_first" if basis == "first" else ""),
        num,
        den,
        min_sample=min_sample,
        exclusions=_common.exclusions(t, names),
        policy={"kind": kind, "basis": basis},
        period=period,
        group=dict(where or {}),
        details=_common.defaults_note(defaults),
    )
