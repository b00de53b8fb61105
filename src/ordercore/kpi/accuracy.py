"""Accuracy: perfect order (SCOR count and APQC product), order accuracy, backorders, returns.

**Perfect order rate** (SCOR RL.1.1) = perfect orders / counted orders, where an order is
counted as in OTIF (same exclusions, same policy; ``scor_commit`` by default) and is perfect
when all four components hold:

* *in full* (RL.2.1): OTIF's in full, and no ``wrong_item``, ``wrong_quantity`` or
  ``missing_item`` error;
* *on time to commit* (RL.2.2): OTIF's on time, and no ``wrong_address`` error;
* *documentation accurate* (RL.2.3): no ``documentation`` or ``pricing`` error;
* *perfect condition* (RL.2.4): no ``damaged`` error.

An order is perfect only if all its lines are, which at order grain is the same thing: its last
delivery is on time and everything owed arrived. The four component rates come in `details`.
The **multiplicative variant** (APQC: product of the four rates) is a separate KPI,
``perfect_order_multiplicative``; it equals the count only if failures are independent.

**Order accuracy** = orders delivered by `as_of` with no error of any type / orders delivered;
errors are broken down by type and attributed to staff (the error's ``staff_id``, else the
order's ``owner_id``). **Backorder rate** = orders with a backordered line / orders with lines.
**Return rate** = Σ returned / Σ delivered units, split by ``return_cause``.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.otif import EXCLUSION_REASONS, OUTCOME_STAMPS, add_outcomes
from ordercore.kpi.policies import CalendarLike, OtifPolicy
from ordercore.kpi.result import KpiResult, KpiStatus, proportion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

__all__ = [
    "ErrorType",
    "backorder_rate",
    "errors_by_staff",
    "order_accuracy",
    "perfect_order",
    "perfect_order_multiplicative",
    "return_rate",
]


class ErrorType(StrEnum):
    """The order-error taxonomy (and the perfect-order component each one breaks)."""

    WRONG_ITEM = "wrong_item"
    """A different product was sent (breaks in full)."""
    WRONG_QUANTITY = "wrong_quantity"
    """The quantity sent differs from the order (breaks in full)."""
    MISSING_ITEM = "missing_item"
    """A line was left out (breaks in full)."""
    WRONG_ADDRESS = "wrong_address"
    """Delivered to the wrong place or entity (breaks on time to commit)."""
    DOCUMENTATION = "documentation"
    """Packing slip, bill of lading or invoice wrong or late (breaks documentation)."""
    PRICING = "pricing"
    """Price or discount on the invoice wrong (breaks documentation)."""
    DAMAGED = "damaged"
    """Arrived damaged or not to specification (breaks perfect condition)."""


_COMPONENT = {
    "_e_full": (ErrorType.WRONG_ITEM, ErrorType.WRONG_QUANTITY, ErrorType.MISSING_ITEM),
    "_e_place": (ErrorType.WRONG_ADDRESS,),
    "_e_doc": (ErrorType.DOCUMENTATION, ErrorType.PRICING),
    "_e_cond": (ErrorType.DAMAGED,),
}


def _error_flags(
    errors: object | None, like: object, tz: str, as_of: dt.datetime | None
) -> nw.LazyFrame[Any] | None:
    if errors is None:
        return None
    lf = _common.load(errors, "errors", tz=tz, stamps=["found_at"])
    if as_of is not None and _common.has(lf, "found_at"):
        now, _ = _common.as_of_values(as_of, tz)
        lf = lf.filter(nw.col("found_at").is_null() | (nw.col("found_at") <= now))
    flags = {
        name: _backend.flag(nw.col("error_type").is_in([t.value for t in types]))
        for name, types in _COMPONENT.items()
    }
    del like
    return (
        lf.with_columns(_e_any=nw.lit(1), **flags)
        .group_by("order_id")
        .agg(*[nw.col(c).max() for c in ["_e_any", *_COMPONENT]])
    )


def _join_errors(
    lf: nw.LazyFrame[Any], flags: nw.LazyFrame[Any] | None, like: object
) -> nw.LazyFrame[Any]:
    names = list(_COMPONENT)
    if flags is None:
        return lf.with_columns(**{c: nw.lit(value=False) for c in names})
    return _backend.mark(lf, flags, "order_id", names, like)


def add_perfect(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add the 0/1 component columns and ``_perfect`` to a frame with outcomes and error flags.

    The error flags are booleans (see `_join_errors`); the components are combined as
    booleans and only the summed columns become Int64.
    """
    base = nw.col("_base") == 1
    components = {
        "_c_full": (nw.col("_in_full") == 1) & ~nw.col("_e_full"),
        "_c_time": (nw.col("_on_time") == 1) & ~nw.col("_e_place"),
        "_c_doc": base & ~nw.col("_e_doc"),
        "_c_cond": base & ~nw.col("_e_cond"),
    }
    return lf.with_columns(**components).with_columns(
        *[nw.col(c).cast(nw.Int64) for c in components],
        _perfect=(
            nw.col("_c_full") & nw.col("_c_time") & nw.col("_c_doc") & nw.col("_c_cond")
        ).cast(nw.Int64),
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
) -> KpiResult:
    """Perfect order rate, counted the SCOR way, with its four component rates in details.

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 3, d, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b"], "customer_id": "c", "channel": "web",
        ...     "received_at": t(1), "promised_at": t(5), "delivered_at": [t(4), t(4)],
        ...     "qty_ordered": 1.0, "qty_delivered": 1.0})
        >>> errors = pd.DataFrame({"error_id": ["e1"], "order_id": ["b"], "error_type": ["pricing"]})
        >>> r = perfect_order(orders, errors, as_of=t(9))
        >>> r.value, r.details["documentation"]
        (0.5, 0.5)
    """
    if isinstance(policy, str):
        policy = OtifPolicy.preset(policy)
    ref = "promised_at" if policy.reference == "promised" else "requested_at"
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=[ref, "delivered_at"],
        period_by=period_by if period else None,
        period=period,
        where=where,
        local=[ref, "delivered_at"],
        stamps=OUTCOME_STAMPS,
    )
    lf = add_outcomes(lf, policy, as_of=as_of, tz=tz, like=orders, calendar=calendar)
    lf = add_perfect(_join_errors(lf, _error_flags(errors, orders, tz, as_of), orders))
    reasons = [f"_x_{r}" for r in EXCLUSION_REASONS]
    t = _common.sums(lf, ["_base", "_perfect", "_c_full", "_c_time", "_c_doc", "_c_cond", *reasons])
    base = t["_base"]
    rates = {
        "in_full": t["_c_full"] / base if base else None,
        "on_time": t["_c_time"] / base if base else None,
        "documentation": t["_c_doc"] / base if base else None,
        "condition": t["_c_cond"] / base if base else None,
    }
    fields: dict[str, Any] = {
        "exclusions": {r[3:]: int(t[r]) for r in reasons},
        "policy": policy,
        "period": period,
        "group": dict(where or {}),
        "details": rates,
    }
    if not multiplicative:
        return proportion("perfect_order", t["_perfect"], base, min_sample=min_sample, **fields)
    if not base:
        return KpiResult(
            "perfect_order_multiplicative", None, None, 0.0, KpiStatus.NO_DATA, **fields
        )
    value = math.prod(v for v in rates.values() if v is not None)
    status = KpiStatus.OK if base >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    return KpiResult("perfect_order_multiplicative", value, None, base, status, **fields)


def perfect_order_multiplicative(
    orders: object, errors: object | None = None, **kwargs: Any
) -> KpiResult:
    """The APQC variant: product of the four component rates (no interval; not a count).

    Takes the same arguments as `perfect_order`.
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
) -> KpiResult:
    """Error-free delivered orders / delivered orders; details count orders per error type.

    Examples:
        >>> import pandas as pd
        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 3, d, tzinfo=timezone.utc)
        >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": "c",
        ...     "channel": "web", "received_at": t(1), "delivered_at": [t(2), t(2), None]})
        >>> errors = pd.DataFrame({"error_id": ["1", "2"], "order_id": ["b", "b"],
        ...     "error_type": ["damaged", "pricing"]})
        >>> r = order_accuracy(orders, errors, as_of=t(5))
        >>> r.value, r.denominator, r.details["damaged"]
        (0.5, 2.0, 1)
    """
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=["delivered_at"],
        period_by=period_by if period else None,
        period=period,
        where=where,
    )
    now, _ = _common.as_of_values(as_of, tz)
    lf = lf.with_columns(
        _d=_backend.flag(~nw.col("delivered_at").is_null() & (nw.col("delivered_at") <= now))
    )
    err = _common.load(errors, "errors", tz=tz)
    per_type = (
        err.with_columns(
            _e_any=nw.lit(1),
            **{f"_t_{t.value}": _backend.flag(nw.col("error_type") == t.value) for t in ErrorType},
        )
        .group_by("order_id")
        .agg(nw.col("_e_any").max(), *[nw.col(f"_t_{t.value}").max() for t in ErrorType])
    )
    joined = lf.filter(nw.col("_d") == 1).join(per_type, on="order_id", how="left")
    names = ["_e_any", *[f"_t_{t.value}" for t in ErrorType]]
    joined = joined.with_columns(
        *[nw.col(c).fill_null(0).cast(nw.Int64) for c in names], _ok=nw.lit(1)
    )
    t = _common.sums(joined, ["_ok", *names])
    details = {e.value: int(t[f"_t_{e.value}"]) for e in ErrorType}
    n = t["_ok"]
    return proportion(
        "order_accuracy",
        n - t["_e_any"],
        n,
        min_sample=min_sample,
        details=details,
        period=period,
        group=dict(where or {}),
        exclusions={
            "not_delivered": int(
                _common.sums(lf.with_columns(_nd=1 - nw.col("_d")), ["_nd"])["_nd"]
            )
        },
    )


def errors_by_staff(orders: object, errors: object, *, tz: str = "UTC") -> Any:
    """Errors attributed to staff, as a frame in the caller's library.

    Columns: ``staff_id``, ``errors`` (rows), ``orders_with_errors``. Attribution: the error's
    ``staff_id``, else the order's ``owner_id``, else ``"(unattributed)"``.
    """
    err = _common.load(errors, "errors", tz=tz)
    owners = _common.load(orders, "orders", tz=tz, needed=["owner_id"]).select(
        "order_id", "owner_id"
    )
    joined = err.join(owners, on="order_id", how="left")
    staff = nw.col("staff_id") if _common.has(err, "staff_id") else nw.lit(None, dtype=nw.String)
    joined = joined.with_columns(
        _staff=staff.fill_null(nw.col("owner_id")).fill_null("(unattributed)")
    )
    out = joined.group_by("_staff").agg(
        nw.len().alias("errors"), nw.col("order_id").n_unique().alias("orders_with_errors")
    )
    return _backend.to_caller(out.rename({"_staff": "staff_id"}).sort("staff_id"), errors)


def backorder_rate(lines: object, *, min_sample: int = 30) -> KpiResult:
    """Orders with at least one backordered line / orders in the lines frame."""
    lf = _common.load(lines, "lines", tz="UTC", needed=["qty_backordered"])
    per_order = (
        lf.with_columns(_b=_backend.flag(nw.col("qty_backordered") > 0))
        .group_by("order_id")
        .agg(nw.col("_b").max())
    )
    t = _common.sums(per_order.with_columns(_n=nw.lit(1)), ["_b", "_n"])
    return proportion("backorder_rate", t["_b"], t["_n"], min_sample=min_sample)


def return_rate(lines: object, *, min_sample: int = 30) -> KpiResult:
    """Returned units / delivered units; details give the returned units per cause."""
    lf = _common.load(lines, "lines", tz="UTC", needed=["qty_returned", "qty_delivered"])
    totals = _common.sums(lf, ["qty_returned", "qty_delivered"])
    details: dict[str, object] = {}
    if _common.has(lf, "return_cause"):
        for row in _backend.rows(
            lf.filter(nw.col("qty_returned") > 0)
            .with_columns(nw.col("return_cause").fill_null("unknown"))
            .group_by("return_cause")
            .agg(nw.col("qty_returned").sum())
        ):
            details[str(row["return_cause"])] = float(row["qty_returned"])
    den = totals["qty_delivered"]
    if den <= 0:
        return KpiResult(
            "return_rate", None, totals["qty_returned"], den, KpiStatus.NO_DATA, details=details
        )
    status = KpiStatus.OK if den >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    return KpiResult(
        "return_rate",
        totals["qty_returned"] / den,
        totals["qty_returned"],
        den,
        status,
        details=dict(sorted(details.items())),
    )
