"""Fill rates: unit, line and order, final or first-time.

With *owed* = ``qty_ordered − qty_cancelled`` and *shipped* = ``qty_shipped`` (final) or
``qty_shipped_first`` (first-time, before backorders and later shipments):

* unit fill rate = Σ min(shipped, owed) / Σ owed;
* line fill rate = lines with shipped ≥ owed / lines with owed > 0;
* order fill rate = orders whose every owed line is filled / orders with an owed line.

Lines with nothing owed are excluded (``nothing_owed``).

Examples:
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"order_id": ["a", "a", "b"], "line_id": ["1", "2", "1"],
    ...     "qty_ordered": [10.0, 5.0, 4.0], "qty_shipped": [10.0, 3.0, 4.0]})
    >>> [round(fill_rate(lines, kind=k).value, 4) for k in ("unit", "line", "order")]
    [0.8947, 0.6667, 0.5]
"""

from __future__ import annotations

from typing import Literal

import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common
from ordercore.kpi.result import KpiResult, proportion

__all__ = ["fill_rate"]


def fill_rate(
    lines: object,
    *,
    kind: Literal["unit", "line", "order"] = "unit",
    basis: Literal["final", "first"] = "final",
    min_sample: int = 30,
) -> KpiResult:
    """Unit, line or order fill rate from the lines frame."""
    shipped_col = "qty_shipped" if basis == "final" else "qty_shipped_first"
    lf = _common.load(lines, "lines", tz="UTC", needed=[shipped_col])
    cancelled = (
        nw.col("qty_cancelled").fill_null(0.0) if _common.has(lf, "qty_cancelled") else nw.lit(0.0)
    )
    lf = lf.with_columns(
        _owed=nw.col("qty_ordered") - cancelled, _s=nw.col(shipped_col).fill_null(0.0)
    )
    lf = lf.with_columns(
        _counted=_backend.flag(nw.col("_owed") > 0),
        _got=nw.min_horizontal(nw.col("_s"), nw.col("_owed")),
    ).with_columns(
        _filled=nw.col("_counted") * _backend.flag(nw.col("_s") >= nw.col("_owed")),
        _owed_c=nw.col("_owed") * nw.col("_counted"),
        _got_c=nw.col("_got") * nw.col("_counted"),
        _excluded=1 - nw.col("_counted"),
    )
    t = _common.sums(lf, ["_owed_c", "_got_c", "_filled", "_counted", "_excluded"])
    if kind == "unit":
        num, den = t["_got_c"], t["_owed_c"]
    elif kind == "line":
        num, den = t["_filled"], t["_counted"]
    else:
        orders = (
            lf.filter(nw.col("_counted") == 1).group_by("order_id").agg(nw.col("_filled").min())
        )
        o = _common.sums(orders.with_columns(_n=nw.lit(1)), ["_filled", "_n"])
        num, den = o["_filled"], o["_n"]
    return proportion(
        f"fill_rate_{kind}" + ("_first" if basis == "first" else ""),
        num,
        den,
        min_sample=min_sample,
        exclusions={"nothing_owed": int(t["_excluded"])},
        policy={"kind": kind, "basis": basis},
    )
