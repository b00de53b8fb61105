"""Customer satisfaction: CSAT, NPS and CES with response counts, rates and intervals.

* **CSAT** = responses of 4 or 5 / responses on the 1–5 scale (top-2-box; the mean is *not*
  CSAT), Wilson interval.
* **NPS** = %promoters (9–10) − %detractors (0–6; **6 is a detractor**), −100…100, interval from
  Var = 100²·[p(1−p) + d(1−d) + 2pd]/n.
* **CES** = mean of the 1–7 answers; details also give the share of 5–7 (Wilson).

Surveys with a null (or NaN) score were sent but not answered: they count in the response rate
only. Scores outside the kind's scale are excluded as ``out_of_scale``. Surveys that cannot be
judged are left out and counted first: ``duplicate_key`` (under ``duplicates="exclude"``),
``missing_sent_at``, ``not_yet_sent`` (sent after `as_of`), ``reversed_timestamps`` (answered
before sent) and, given the orders frame, ``unknown_order``. A ``kind`` outside ``csat``,
``nps``, ``ces`` or a channel outside the documented ones is refused.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 3, 1, tzinfo=timezone.utc)
    >>> s = pd.DataFrame({"survey_id": list("abcd"), "kind": "nps", "sent_at": t,
    ...                   "score": [10.0, 6.0, 9.0, None]})
    >>> r = survey_score(s, "nps")
    >>> round(r.value, 2), r.denominator, r.details["response_rate"]
    (33.33, 3, 0.75)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import narwhals.stable.v2 as nw

from ordercore.errors import InvalidArgument
from ordercore.kpi import _backend, _common
from ordercore.kpi.result import (
    Interval,
    KpiResult,
    KpiStatus,
    nps_interval,
    proportion,
    wilson_interval,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from ordercore.kpi.check import Duplicates

__all__ = ["SCALES", "survey_score"]

SCALES: dict[str, tuple[float, float]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
"""The answer scale (inclusive) of each survey kind."""


def survey_score(
    surveys: object,
    kind: Literal["csat", "nps", "ces"],
    *,
    as_of: dt.datetime | None = None,
    tz: str = "UTC",
    period: str | None = None,
    where: Mapping[str, object] | None = None,
    min_sample: int = 30,
    orders: object | None = None,
    duplicates: Duplicates = "refuse",
) -> KpiResult:
    """CSAT, NPS or CES over the surveys of one kind (bucketed by ``sent_at``).

    Args:
        surveys: The surveys frame.
        kind: ``csat``, ``nps`` or ``ces``.
        as_of: The moment the data stands for: surveys sent after it are left out
            (``not_yet_sent``), and an answer that came after it (``responded_at``) is not
            yet an answer.
        tz: Time zone of period bucketing.
        period: Restrict to one month ``"YYYY-MM"`` of ``sent_at`` in `tz`.
        where: Equality filters on survey columns, e.g. ``{"channel": "web"}``.
        min_sample: Below this many answers the status is ``insufficient_sample``.
        orders: The orders frame: surveys about orders it does not have (or about no order)
            are left out as ``unknown_order``.
        duplicates: ``"refuse"`` repeated ``survey_id`` keys or ``"exclude"`` them.
    """
    if not isinstance(kind, str) or kind not in SCALES:
        raise InvalidArgument(
            "survey_score", "kind", f"must be one of {', '.join(SCALES)}, got {kind!r}"
        )
    lo, hi = SCALES[kind]
    lf = _common.load(
        surveys,
        "surveys",
        tz=tz,
        needed=["score", *(["order_id"] if orders is not None else [])],
        period_by="sent_at" if period else None,
        period=period,
        where=where,
        stamps=["sent_at", "responded_at"],
        as_of=as_of,
        duplicates=duplicates,
        kpi="survey_score",
    )
    lf = lf.filter(nw.col("kind") == kind)
    if orders is not None:
        known = (
            _common.load(orders, "orders", tz=tz, stamps=[], kpi="survey_score")
            .select("order_id")
            .with_columns(_known=nw.lit(1))
        )
        lf = _backend.mark(lf, known, "order_id", ["_known"], surveys)
        lf = _common.exclusive(lf, [("unknown_order", ~nw.col("_known"))], ok="_ok", within="_ok")
    answered = ~nw.col("score").is_null()
    if lf.collect_schema()["score"].is_float():
        # pandas reads NaN as missing, polars, DuckDB and Spark do not: NaN is no answer too
        answered = answered & ~nw.col("score").is_nan()
    if as_of is not None and _common.has(lf, "responded_at"):
        now, _ = _common.as_of_values(as_of, tz)
        answered = answered & ~(nw.col("responded_at") > now).fill_null(value=False)
    answered = nw.col("_ok") & answered.fill_null(value=False)
    in_scale = answered & (nw.col("score") >= lo) & (nw.col("score") <= hi)
    lf = lf.with_columns(
        _sent=_backend.flag(nw.col("_ok")),
        _n=_backend.flag(in_scale),
        _bad=_backend.flag(answered & ~in_scale),
        _s=nw.when(in_scale).then(nw.col("score")),
    ).with_columns(
        _top=_backend.flag(nw.col("_s") >= 4),  # noqa: PLR2004 - top-2-box of 1..5
        _pro=_backend.flag(nw.col("_s") >= 9),  # noqa: PLR2004
        _det=_backend.flag(nw.col("_s") <= 6),  # noqa: PLR2004
        _easy=_backend.flag(nw.col("_s") >= 5),  # noqa: PLR2004
    )
    reasons = _common.reasons(lf)
    t = _common.sums(lf, ["_sent", "_n", "_bad", "_top", "_pro", "_det", "_easy", "_s", *reasons])
    n, sent = t["_n"], t["_sent"]
    details: dict[str, Any] = {
        "responses": int(n),
        "sent": int(sent),
        "response_rate": (n / sent) if sent else None,
    }
    fields: dict[str, Any] = {
        "exclusions": {
            **_common.exclusions(t, reasons),
            "out_of_scale": int(t["_bad"]),
            "no_response": int(sent - n - t["_bad"]),
        },
        "period": period,
        "group": dict(where or {}),
        "details": details,
        "policy": {"kind": kind, "scale": (lo, hi)},
    }
    if kind == "csat":
        return proportion("csat", t["_top"], n, min_sample=min_sample, **fields)
    if not n:
        return KpiResult(
            kind,
            None,
            None,
            0.0,
            KpiStatus.NO_DATA,
            unit="nps" if kind == "nps" else "score",
            **fields,
        )
    status = KpiStatus.OK if n >= min_sample else KpiStatus.INSUFFICIENT_SAMPLE
    if kind == "nps":
        low, high = nps_interval(t["_pro"], t["_det"], n)
        details.update(promoters=int(t["_pro"]), detractors=int(t["_det"]))
        return KpiResult(
            "nps",
            100.0 * (t["_pro"] - t["_det"]) / n,
            t["_pro"] - t["_det"],
            n,
            status,
            interval=Interval(low, high, "nps-normal"),
            unit="nps",
            **fields,
        )
    low, high = wilson_interval(t["_easy"], n)
    details.update(share_5_to_7=t["_easy"] / n, share_interval=(low, high))
    return KpiResult("ces", t["_s"] / n, t["_s"], n, status, unit="score", **fields)
