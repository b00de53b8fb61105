"""Accuracy: perfect order (SCOR count and APQC product), order accuracy, backorders, returns.

**Perfect order rate** (SCOR RL.1.1) = perfect orders / counted orders, where an order is
counted as in OTIF (same exclusions, same policy; ``scor_commit`` by default) and is perfect
when all four components hold:

* *in full* (RL.2.1): OTIF's in full, and no ``wrong_item``, ``wrong_quantity`` or
  ``missing_item`` error;
* *on time to commit* (RL.2.2): OTIF's on time, and no ``wrong_address`` error;
* *documentation accurate* (RL.2.3): no ``documentation`` or ``pricing`` error;
* *perfect condition* (RL.2.4): no ``damaged`` error.

Documentation and condition can only be judged once something was delivered: their rates in
`details` are over the counted orders delivered by `as_of` (``details["delivered"]``), while in
full and on time are over every counted order. The headline counts **past-due orders not yet
delivered** like OTIF does: they are counted and are not perfect (they failed on time), whatever
their documents and condition turn out to be. An order is perfect only if all its lines are,
which at order grain is the same thing: its last delivery is on time and everything owed
arrived. The **multiplicative variant** (APQC: product of the four rates, each over its own
denominator) is a separate KPI, ``perfect_order_multiplicative``; it equals the count only if
failures are independent, and has no value until a counted order has been delivered.

Errors count once found: an error found after `as_of` is not seen, an error without
``found_at`` is taken as found (its time was not recorded). Errors about orders the orders
frame does not have are not scored; they are counted as ``exclusions["unknown_order"]`` (error
rows). Both the perfect order rate and order accuracy read errors this way.

**Order accuracy** = orders delivered by `as_of` with no error of any type / orders delivered;
errors are broken down by type and attributed to staff (the error's ``staff_id``, else the
order's ``owner_id``). **Backorder rate** = orders with a backordered line / orders with lines.
**Return rate** = Σ returned / Σ delivered units, split by ``return_cause``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.fill import order_outcomes
from ordercore.kpi.otif import OUTCOME_STAMPS, add_outcomes, outcome_defaults
from ordercore.kpi.policies import CalendarLike, OtifPolicy
from ordercore.kpi.result import KpiResult, KpiStatus, proportion
from ordercore.kpi.schema import ErrorType

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from ordercore.kpi.check import Duplicates

__all__ = [
    "ErrorType",
    "backorder_rate",
    "errors_by_staff",
    "order_accuracy",
    "perfect_order",
    "perfect_order_multiplicative",
    "return_rate",
]


_COMPONENT = {
    "_e_full": (ErrorType.WRONG_ITEM, ErrorType.WRONG_QUANTITY, ErrorType.MISSING_ITEM),
    "_e_place": (ErrorType.WRONG_ADDRESS,),
    "_e_doc": (ErrorType.DOCUMENTATION, ErrorType.PRICING),
    "_e_cond": (ErrorType.DAMAGED,),
}


def _found(
    errors: object, *, tz: str, as_of: dt.datetime | None, duplicates: Duplicates, kpi: str
) -> nw.LazyFrame[Any]:
    """The error rows found by `as_of` (a null ``found_at`` counts as found), checked."""
    lf = _common.load(errors, "errors", tz=tz, stamps=["found_at"], duplicates=duplicates, kpi=kpi)
    lf = lf.filter(nw.col("_ok"))
    if as_of is not None and _common.has(lf, "found_at"):
        now, _ = _common.as_of_values(as_of, tz)
        lf = lf.filter(nw.col("found_at").is_null() | (nw.col("found_at") <= now))
    return lf


def _flags(found: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per order id, 0/1 flags of the errors found: any, and one per component."""
    flags = {
        name: _backend.flag(nw.col("error_type").is_in([t.value for t in types]))
        for name, types in _COMPONENT.items()
    }
    return (
        found.with_columns(_e_any=nw.lit(1), **flags)
        .group_by("order_id")
        .agg(*[nw.col(c).max() for c in ["_e_any", *_COMPONENT]])
    )


def _error_flags(
    errors: object | None,
    like: object,
    tz: str,
    as_of: dt.datetime | None,
    *,
    duplicates: Duplicates = "refuse",
) -> nw.LazyFrame[Any] | None:
    """Per order id, 0/1 flags of the errors found by `as_of`: any, and one per component."""
    del like
    if errors is None:
        return None
    return _flags(_found(errors, tz=tz, as_of=as_of, duplicates=duplicates, kpi="perfect_order"))


def _join_errors(
    lf: nw.LazyFrame[Any], flags: nw.LazyFrame[Any] | None, like: object
) -> nw.LazyFrame[Any]:
    names = list(_COMPONENT)
    if flags is None:
        return lf.with_columns(**{c: nw.lit(value=False) for c in names})
    return _backend.mark(lf, flags, "order_id", names, like)


def add_perfect(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add the boolean component columns and ``_perfect`` to a frame with outcomes and error flags.

    Documentation and condition are judged on counted orders delivered by `as_of` only
    (``_j_delivered``); a counted order not yet delivered (past due) is not perfect. The
    outcomes and error flags are booleans (see `_join_errors`), and so are the components.
    """
    delivered = nw.col("_base") & nw.col("_delivered")
    components = {
        "_c_full": nw.col("_in_full") & ~nw.col("_e_full"),
        "_c_time": nw.col("_on_time") & ~nw.col("_e_place"),
        "_c_doc": delivered & ~nw.col("_e_doc"),
        "_c_cond": delivered & ~nw.col("_e_cond"),
        "_j_delivered": delivered,
    }
    return lf.with_columns(**components).with_columns(
        _perfect=nw.col("_c_full") & nw.col("_c_time") & nw.col("_c_doc") & nw.col("_c_cond")
    )


def perfect_order(
    orders: object,
    errors: object | None = None,
    *,
    as_of: dt.datetime,
    policy: OtifPolicy | str = "scor_commit",
    tz: str = "UTC",
    calendar: CalendarLike | None = None,
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    multiplicative: bool = False,
    lines: object | None = None,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Perfect order rate, counted the SCOR way, with its four component rates in details.

    Takes the arguments of `ordercore.kpi.otif.otif` (the same policy decides which orders
    are counted), and the errors frame.

    Raises:
        FrameSchemaError: A frame lacks a column, or has null or unknown codes or repeated
            keys (see the KPI pages, "What the KPIs refuse").

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 3, d, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b"], "customer_id": "c", "channel": "web",
        ...     "received_at": t(1), "promised_at": t(5), "delivered_at": [t(4), t(4)],
        ...     "qty_ordered": 1.0, "qty_delivered": 1.0})
        >>> errors = pd.DataFrame({"error_id": ["e1"], "order_id": ["b"], "error_type": ["pricing"]})
        >>> r = perfect_order(orders, errors, as_of=t(9))
        >>> r.value, r.details["documentation"], r.details["delivered"]
        (0.5, 0.5, 2)
    """
    name = "perfect_order_multiplicative" if multiplicative else "perfect_order"
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    own = [] if policy.every_line else [policy.reference_column, "delivered_at"]
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=own,
        period_by=period_by if period else None,
        period=period,
        where=where,
        local=own,
        stamps=OUTCOME_STAMPS,
        as_of=as_of,
        duplicates=duplicates,
        kpi=name,
    )
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
    found = (
        None
        if errors is None
        else _found(errors, tz=tz, as_of=as_of, duplicates=duplicates, kpi=name)
    )
    lf = add_perfect(_join_errors(lf, None if found is None else _flags(found), orders))
    reasons = _common.reasons(lf)
    components = ["_c_full", "_c_time", "_c_doc", "_c_cond", "_j_delivered"]
    t = _common.sums(lf, ["_base", "_perfect", *components, *reasons])
    base, delivered = t["_base"], t["_j_delivered"]
    rates = {
        "in_full": t["_c_full"] / base if base else None,
        "on_time": t["_c_time"] / base if base else None,
        "documentation": t["_c_doc"] / delivered if delivered else None,
        "condition": t["_c_cond"] / delivered if delivered else None,
    }
    excluded = _common.exclusions(t, reasons)
    excluded["unknown_order"] = (
        0
        if found is None
        else _backend.count_unmatched(found, "order_id", _backend.lazy(orders), like=errors)
    )
    fields: dict[str, Any] = {
        "exclusions": excluded,
        "policy": policy,
        "period": period,
        "group": dict(where or {}),
        "details": {
            **rates,
            "delivered": int(delivered),
            **_common.defaults_note(outcome_defaults(lf, policy)),
        },
    }
    if not multiplicative:
        return proportion(name, t["_perfect"], base, min_sample=min_sample, **fields)
    if any(v is None for v in rates.values()):
        return KpiResult(name, None, None, base, KpiStatus.NO_DATA, **fields)
    value = math.prod(v for v in rates.values() if v is not None)
    status = KpiStatus.OK if base >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    return KpiResult(name, value, None, base, status, **fields)


def perfect_order_multiplicative(
    orders: object, errors: object | None = None, **kwargs: Any
) -> KpiResult:
    """The APQC variant: product of the four component rates (no interval; not a count).

    Takes the same arguments as `perfect_order`; documentation and condition are rates over
    delivered orders, so the product has no value (``no_data``) until one is delivered.
    """
    return perfect_order(orders, errors, multiplicative=True, **kwargs)


def order_accuracy(
    orders: object,
    errors: object,
    *,
    as_of: dt.datetime,
    tz: str = "UTC",
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Error-free delivered orders / delivered orders; details count orders per error type.

    Orders received after `as_of` and errors found after it are not seen (as in
    `perfect_order`); exclusions count the orders not delivered by `as_of`, those that
    cannot be judged, and the error rows about unknown orders.

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 3, d, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": "c",
        ...     "channel": "web", "received_at": t(1), "delivered_at": [t(2), t(2), None]})
        >>> errors = pd.DataFrame({"error_id": ["1", "2"], "order_id": ["b", "b"],
        ...     "error_type": ["damaged", "pricing"]})
        >>> r = order_accuracy(orders, errors, as_of=t(5))
        >>> r.value, r.denominator, r.details["damaged"], r.exclusions["not_delivered"]
        (0.5, 2, 1, 1)
    """
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=["delivered_at"],
        period_by=period_by if period else None,
        period=period,
        where=where,
        stamps=["received_at", "delivered_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="order_accuracy",
    )
    now, _ = _common.as_of_values(as_of, tz)
    delivered = (~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now)).fill_null(
        value=False
    )
    lf = _common.exclusive(lf, [("not_delivered", ~delivered)], ok="_d", within="_ok")
    err = _found(errors, tz=tz, as_of=as_of, duplicates=duplicates, kpi="order_accuracy")
    per_type = (
        err.with_columns(
            _e_any=nw.lit(1),
            **{f"_t_{t.value}": _backend.flag(nw.col("error_type") == t.value) for t in ErrorType},
        )
        .group_by("order_id")
        .agg(nw.col("_e_any").max(), *[nw.col(f"_t_{t.value}").max() for t in ErrorType])
    )
    names = ["_e_any", *[f"_t_{t.value}" for t in ErrorType]]
    reasons = _common.reasons(lf)
    joined = lf.join(per_type, on="order_id", how="left").with_columns(
        *[_backend.flag(nw.col("_d") & (nw.col(c) == 1)).alias(c) for c in names],
        _n=_backend.flag(nw.col("_d")),
    )
    t = _common.sums(joined, ["_n", *names, *reasons])
    details = {e.value: int(t[f"_t_{e.value}"]) for e in ErrorType}
    excluded = _common.exclusions(t, reasons)
    excluded["unknown_order"] = _backend.count_unmatched(
        err, "order_id", _backend.lazy(orders), like=errors
    )
    n = t["_n"]
    return proportion(
        "order_accuracy",
        n - t["_e_any"],
        n,
        min_sample=min_sample,
        details=details,
        period=period,
        group=dict(where or {}),
        exclusions=excluded,
    )


def errors_by_staff(
    orders: object,
    errors: object,
    *,
    tz: str = "UTC",
    as_of: dt.datetime | None = None,
    duplicates: Duplicates = "refuse",
) -> Any:
    """Errors attributed to staff, as a frame in the caller's library.

    Columns: ``staff_id``, ``errors`` (rows), ``orders_with_errors``. Attribution: the error's
    ``staff_id``, else the order's ``owner_id``, else ``"(unattributed)"``. With `as_of`,
    errors found after it are not counted.
    """
    err = _found(errors, tz=tz, as_of=as_of, duplicates=duplicates, kpi="errors_by_staff")
    owners = _common.load(
        orders, "orders", tz=tz, needed=["owner_id"], stamps=[], duplicates=duplicates
    ).select("order_id", "owner_id")
    joined = err.join(owners, on="order_id", how="left")
    staff = nw.col("staff_id") if _common.has(err, "staff_id") else nw.lit(None, dtype=nw.String)
    joined = joined.with_columns(
        _staff=staff.fill_null(nw.col("owner_id")).fill_null("(unattributed)")
    )
    out = joined.group_by("_staff").agg(
        nw.len().alias("errors"), nw.col("order_id").n_unique().alias("orders_with_errors")
    )
    return _backend.to_caller(out.rename({"_staff": "staff_id"}).sort("staff_id"), errors)


def backorder_rate(
    lines: object,
    *,
    as_of: dt.datetime | None = None,
    tz: str = "UTC",
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Orders with at least one backordered line / orders in the lines frame.

    With `as_of`, orders received after it are left out (the lines need ``received_at``).
    An order with a line whose ``qty_backordered`` cannot be read is excluded
    (``invalid_quantity``), as are the orders of lines that cannot be judged.
    """
    lf = _common.load(
        lines,
        "lines",
        tz=tz,
        needed=["qty_backordered", *(["received_at"] if as_of else [])],
        period_by=period_by if period else None,
        period=period,
        where=where,
        stamps=["received_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="backorder_rate",
    )
    lf = _common.exclusive(
        lf,
        [("invalid_quantity", ~_common.valid_number(lf, "qty_backordered"))],
        ok="_line_ok",
        within="_ok",
    )
    lf = lf.with_columns(_b=nw.col("_line_ok") & (nw.col("qty_backordered") > 0))
    per_order = order_outcomes(lf, ok="_line_ok", yes="_b", no=None)
    t = _common.sums(per_order, ["_o_yes", "_o_counted", *_common.reasons(per_order)])
    return proportion(
        "backorder_rate",
        t["_o_yes"],
        t["_o_counted"],
        min_sample=min_sample,
        exclusions=_common.exclusions(t, _common.reasons(per_order)),
        period=period,
        group=dict(where or {}),
    )


def return_rate(
    lines: object,
    *,
    as_of: dt.datetime | None = None,
    tz: str = "UTC",
    period: str | None = None,
    period_by: str = "received_at",
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Returned units / delivered units; details give the returned units per cause.

    Lines whose returned or delivered quantity cannot be read, or that returned more than
    was delivered, are excluded (``invalid_quantity``). With `as_of`, lines of orders received
    after it and lines delivered after it (``not_yet_delivered``) are left out: the lines
    need ``received_at`` and ``delivered_at``. Quantities are read as the frame states them.
    """
    needed = ["qty_returned", "qty_delivered", *(["received_at", "delivered_at"] if as_of else [])]
    lf = _common.load(
        lines,
        "lines",
        tz=tz,
        needed=needed,
        period_by=period_by if period else None,
        period=period,
        where=where,
        stamps=["received_at", "delivered_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="return_rate",
    )
    returned, delivered = nw.col("qty_returned"), nw.col("qty_delivered")
    usable = (
        _common.valid_number(lf, "qty_returned")
        & _common.valid_number(lf, "qty_delivered")
        & (returned <= delivered).fill_null(value=False)
    )
    reasons: list[tuple[str, nw.Expr]] = [("invalid_quantity", ~usable)]
    if as_of is not None:
        now, _ = _common.as_of_values(as_of, tz)
        later = ~nw.col("delivered_at").is_null() & (nw.col("delivered_at") > now)
        reasons.append(("not_yet_delivered", later))
        # something delivered at no recorded time cannot be placed before or after as_of
        unplaced = nw.col("delivered_at").is_null() & (delivered > 0)
        reasons.append(("missing_delivered_at", unplaced))
    lf = _common.exclusive(lf, reasons, ok="_counted", within="_ok")
    lf = lf.with_columns(
        _ret=nw.when(nw.col("_counted")).then(returned).otherwise(0.0),
        _del=nw.when(nw.col("_counted")).then(delivered).otherwise(0.0),
    )
    names = _common.reasons(lf)
    totals = _common.sums(lf, ["_ret", "_del", *names])
    details: dict[str, object] = {}
    if _common.has(lf, "return_cause"):
        for row in _backend.rows(
            lf.filter(nw.col("_counted") & (nw.col("_ret") > 0))
            .with_columns(nw.col("return_cause").fill_null("unknown"))
            .group_by("return_cause")
            .agg(nw.col("_ret").sum())
        ):
            details[str(row["return_cause"])] = float(row["_ret"])
    fields: dict[str, Any] = {
        "exclusions": _common.exclusions(totals, names),
        "period": period,
        "group": dict(where or {}),
        "details": dict(sorted(details.items())),
    }
    den, num = totals["_del"], totals["_ret"]
    if den <= 0:
        return KpiResult("return_rate", None, num, den, KpiStatus.NO_DATA, **fields)
    status = KpiStatus.OK if den >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    return KpiResult("return_rate", num / den, num, den, status, **fields)
