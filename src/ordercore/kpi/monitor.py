"""Supervision: rules evaluated against `as_of` that return alerts.

Rules (each an attrs value; pass any subset):

* [`PastDueNotShipped`][ordercore.kpi.monitor.PastDueNotShipped]: the reference date has
  passed, nothing shipped, not cancelled; age = hours past the reference date.
* [`StuckInStatus`][ordercore.kpi.monitor.StuckInStatus]: in `status` longer than `sla_hours`
  (from ``status_since``); age = hours in the status.
* [`HoldTooLong`][ordercore.kpi.monitor.HoldTooLong]: an active hold (``hold_since``) older
  than `limit_hours`.
* [`DeliveryWithoutProof`][ordercore.kpi.monitor.DeliveryWithoutProof]: a delivery older than
  `grace_hours` with ``has_proof`` false (deliveries frame).

Severity is ``critical`` when the age is at least `critical_factor` × the limit, else
``warning``. Alerts come back as a frame in the caller's library: ``order_id``, ``rule``,
``age_hours``, ``severity``.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = lambda d: datetime(2026, 3, d, tzinfo=timezone.utc)
    >>> orders = pd.DataFrame({"order_id": ["a", "b"], "customer_id": "c", "channel": "web",
    ...     "received_at": t(1), "promised_at": [t(3), t(9)],
    ...     "shipped_at": pd.Series([None, None], dtype="datetime64[us, UTC]"),
    ...     "status": "approved", "status_since": t(1)})
    >>> alerts(orders, [PastDueNotShipped(), StuckInStatus("approved", 48)], as_of=t(5))
      order_id                  rule  age_hours  severity
    0        a  past_due_not_shipped       48.0  critical
    1        a       stuck_in_status       96.0   warning
    2        b       stuck_in_status       96.0   warning
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import attrs
import narwhals.stable.v2 as nw

from ordercore.kpi import _backend, _common

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ordercore.kpi.check import Duplicates

__all__ = [
    "DeliveryWithoutProof",
    "HoldTooLong",
    "PastDueNotShipped",
    "Rule",
    "Severity",
    "StuckInStatus",
    "alerts",
]


class Severity(StrEnum):
    """How urgent an alert is."""

    WARNING = "warning"
    """Beyond the limit."""
    CRITICAL = "critical"
    """Far beyond it (at least `critical_factor` × the limit)."""


@attrs.frozen
class PastDueNotShipped:
    """Reference date passed and nothing shipped (grace in hours; critical after 24 h by default)."""

    reference: str = "promised_at"
    grace_hours: float = 0.0
    critical_hours: float = 24.0
    name: str = "past_due_not_shipped"


@attrs.frozen
class StuckInStatus:
    """In one status longer than its SLA."""

    status: str
    sla_hours: float
    critical_factor: float = 3.0
    name: str = "stuck_in_status"


@attrs.frozen
class HoldTooLong:
    """An active hold older than a limit."""

    limit_hours: float = 48.0
    critical_factor: float = 3.0
    name: str = "hold_too_long"


@attrs.frozen
class DeliveryWithoutProof:
    """A delivery without proof of delivery after a grace period (reads the deliveries frame)."""

    grace_hours: float = 24.0
    critical_factor: float = 7.0
    name: str = "delivery_without_proof"


Rule = PastDueNotShipped | StuckInStatus | HoldTooLong | DeliveryWithoutProof
"""Any monitoring rule."""


_FINAL_STATUSES = ("closed", "cancelled", "rejected", "expired")


def _one(lf: nw.LazyFrame[Any], now: float, rule: Rule) -> nw.LazyFrame[Any]:
    if isinstance(rule, PastDueNotShipped):
        age = (nw.lit(now) - nw.col(rule.reference)) / 3600.0
        # what happened after as_of has not happened yet at as_of
        shipped = (
            (nw.col("shipped_at").is_null() | (nw.col("shipped_at") > now))
            if _common.has(lf, "shipped_at")
            else nw.lit(value=True)
        )
        alive = (
            (nw.col("cancelled_at").is_null() | (nw.col("cancelled_at") > now))
            if _common.has(lf, "cancelled_at")
            else nw.lit(value=True)
        )
        if _common.has(lf, "status"):  # a closed, rejected or expired order is not due any more
            final = nw.col("status").is_in(list(_FINAL_STATUSES))
            if _common.has(lf, "status_since"):
                final = final & ~(nw.col("status_since") > now).fill_null(value=False)
            alive = alive & ~final.fill_null(value=False)
        hit = shipped & alive & (age > rule.grace_hours)
        critical = age >= rule.critical_hours
    elif isinstance(rule, StuckInStatus):
        age = (nw.lit(now) - nw.col("status_since")) / 3600.0
        hit = (nw.col("status") == rule.status) & (age > rule.sla_hours)
        critical = age >= rule.sla_hours * rule.critical_factor
    elif isinstance(rule, HoldTooLong):
        age = (nw.lit(now) - nw.col("hold_since")) / 3600.0
        hit = age > rule.limit_hours
        critical = age >= rule.limit_hours * rule.critical_factor
    else:
        age = (nw.lit(now) - nw.col("delivered_at")) / 3600.0
        hit = ~nw.col("has_proof").fill_null(value=False) & (age > rule.grace_hours)
        critical = age >= rule.grace_hours * rule.critical_factor
    return (
        lf.with_columns(_age=age, _hit=_backend.flag(hit), _crit=_backend.flag(critical))
        .filter(nw.col("_hit") == 1)
        .select(
            nw.col("order_id"),
            nw.lit(rule.name).alias("rule"),
            nw.col("_age").alias("age_hours"),
            nw.when(nw.col("_crit") == 1)
            .then(nw.lit("critical"))
            .otherwise(nw.lit("warning"))
            .alias("severity"),
        )
    )


def alerts(
    frame: object,
    rules: Sequence[Rule],
    *,
    as_of: dt.datetime,
    tz: str = "UTC",
    duplicates: Duplicates = "refuse",
) -> Any:
    """Evaluate `rules` on an orders frame (or a deliveries frame for `DeliveryWithoutProof`).

    `as_of` bounds everything: orders received (deliveries made) after it raise nothing, and
    a shipment, cancellation or final status after it has not happened yet. Rows whose
    timestamps cannot be judged (missing ``received_at``, reversed moments) raise nothing.

    Returns the alerts sorted by rule and order id, in the caller's library.

    Raises:
        FrameSchemaError: A column a rule reads is missing or mistyped, ids or codes are null
            or unknown, or keys repeat (unless `duplicates` is ``"exclude"``).
    """
    kind = (
        "deliveries"
        if rules and all(isinstance(r, DeliveryWithoutProof) for r in rules)
        else "orders"
    )
    needed: list[str] = []
    for rule in rules:
        if isinstance(rule, PastDueNotShipped):
            needed.append(rule.reference)
        elif isinstance(rule, StuckInStatus):
            needed += ["status", "status_since"]
        elif isinstance(rule, HoldTooLong):
            needed.append("hold_since")
        else:
            needed.append("has_proof")
    if not rules:
        from ordercore.errors import ConfigurationError  # noqa: PLC0415

        raise ConfigurationError("alerts() needs at least one rule", component="monitor")
    read = ["received_at", "delivered_at", "shipped_at", "cancelled_at", *needed]
    lf = _common.load(
        frame,
        kind,
        tz=tz,
        needed=needed,
        stamps=read,
        as_of=as_of,
        duplicates=duplicates,
        kpi="alerts",
    )
    # rows not received (or delivered) by as_of, or whose timestamps cannot be judged, raise
    # no alert
    lf = lf.filter(nw.col("_ok"))
    now, _ = _common.as_of_values(as_of, tz)
    parts = [_one(lf, now, rule) for rule in rules]
    out = nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    return _backend.to_caller(out.sort("rule", "order_id"), frame)
