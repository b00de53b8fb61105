"""Cost per order: processing cost of a period / orders received in that period.

There is no standard definition, so ordercore fixes one: Σ ``amount`` of the cost postings
whose ``incurred_at`` falls in the month (in `tz`) / number of orders whose ``received_at``
falls in the same month (cancelled ones included: they were processed too). With `where`, both
frames are filtered by the same columns (e.g. ``owner_id``). No orders: ``no_data``.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 3, 3, tzinfo=timezone.utc)
    >>> costs = pd.DataFrame({"cost_id": ["1", "2"], "incurred_at": t, "amount": [300.0, 100.0]})
    >>> orders = pd.DataFrame({"order_id": list("abcd"), "customer_id": "c",
    ...                        "channel": "web", "received_at": t})
    >>> cost_per_order(costs, orders, period="2026-03").value
    100.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import narwhals.stable.v2 as nw

from ordercore.kpi import _common
from ordercore.kpi.result import KpiResult, KpiStatus

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from ordercore.kpi.check import Duplicates

__all__ = ["cost_per_order"]


def cost_per_order(
    costs: object,
    orders: object,
    *,
    period: str | None = None,
    tz: str = "UTC",
    where: Mapping[str, object] | None = None,
    as_of: dt.datetime | None = None,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """Processing cost / orders received, over a month (or all data when `period` is None).

    With `as_of`, postings incurred and orders received after it are left out. Postings
    whose amount cannot be read (null, NaN, infinite or negative) are excluded; exclusions
    are keyed by frame (``costs_invalid_amount``, ``orders_not_yet_received``, ...).
    """
    c = _common.load(
        costs,
        "costs",
        tz=tz,
        period_by="incurred_at" if period else None,
        period=period,
        where=where,
        stamps=["incurred_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="cost_per_order",
    )
    c = _common.exclusive(
        c, [("invalid_amount", ~_common.valid_number(c, "amount"))], ok="_kept", within="_ok"
    )
    c = c.with_columns(_amount=nw.when(nw.col("_kept")).then(nw.col("amount")).otherwise(0.0))
    o = _common.load(
        orders,
        "orders",
        tz=tz,
        period_by="received_at" if period else None,
        period=period,
        where=where,
        stamps=["received_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="cost_per_order",
    )
    cost_reasons, order_reasons = _common.reasons(c), _common.reasons(o)
    ct = _common.sums(c, ["_amount", *cost_reasons])
    ot = _common.sums(o, ["_ok", *order_reasons])
    amount, n = ct["_amount"], ot["_ok"]
    excluded = {
        **{f"costs_{k}": v for k, v in _common.exclusions(ct, cost_reasons).items()},
        **{f"orders_{k}": v for k, v in _common.exclusions(ot, order_reasons).items()},
    }
    fields = {
        "period": period,
        "group": dict(where or {}),
        "unit": "amount",
        "exclusions": excluded,
    }
    if not n:
        return KpiResult("cost_per_order", None, amount, 0.0, KpiStatus.NO_DATA, **fields)  # type: ignore[arg-type]
    return KpiResult("cost_per_order", amount / n, amount, n, KpiStatus.OK, **fields)  # type: ignore[arg-type]
