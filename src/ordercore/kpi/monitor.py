"""Supervision: rules evaluated against `as_of` that return alerts.

Rules (each an attrs value; pass any subset):

* [`PastDueNotShipped`][ordercore.kpi.monitor.PastDueNotShipped]: the reference date (the
  requested date where no promise exists) has passed, nothing shipped, not cancelled; age =
  hours past the reference date.
* [`ShippedNotDelivered`][ordercore.kpi.monitor.ShippedNotDelivered]: shipped and not
  delivered beyond the carrier's SLA; age = hours since shipping.
* [`StageOverdue`][ordercore.kpi.monitor.StageOverdue]: a stage (review, fulfilment,
  transit, or two timestamps of your own) begun and not finished within its SLA; age =
  hours since it began.
* [`StuckInStatus`][ordercore.kpi.monitor.StuckInStatus]: in `status` longer than `sla_hours`
  (from ``status_since``); age = hours in the status.
* [`HoldTooLong`][ordercore.kpi.monitor.HoldTooLong]: an active hold (``hold_since``) older
  than `limit_hours`.
* [`DeliveryWithoutProof`][ordercore.kpi.monitor.DeliveryWithoutProof]: a delivery older than
  `grace_hours` with ``has_proof`` false (deliveries frame).

`StuckInStatus`, `ShippedNotDelivered` and `StageOverdue` take `levels`: then they watch only
the orders whose ``risk_level`` column (`orders_frame` has it) is one of them, so that a
supervision plan can give each risk level its own, tighter SLAs.

Severity is ``critical`` when the age is at least `critical_factor` × the limit, else
``warning``. Alerts come back as a frame in the caller's library: ``order_id``, ``rule``,
``age_hours``, ``severity``, and with ``lang=`` a ``message`` for a person, in English or
Chinese (``订单 a：已超过承诺交期 48.0 小时，尚未发货（严重）``).

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
    >>> for message in alerts(orders, [PastDueNotShipped()], as_of=t(5), lang="zh")["message"]:
    ...     print(message)  # io-ok - the doctest shows the message
    订单 a：已超过承诺交期 48.0 小时，尚未发货（严重）
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from string import Formatter
from typing import TYPE_CHECKING, Any, get_args

import attrs
import narwhals.stable.v2 as nw

from ordercore import _settings
from ordercore._lang import is_zh
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import _backend, _common
from ordercore.kpi._texts import ALERTS, REFERENCES
from ordercore.labels import label

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ordercore.kpi.check import Duplicates
    from ordercore.labels import Language

__all__ = [
    "DeliveryWithoutProof",
    "HoldTooLong",
    "PastDueNotShipped",
    "Rule",
    "Severity",
    "ShippedNotDelivered",
    "StageOverdue",
    "StuckInStatus",
    "alerts",
]


class Severity(StrEnum):
    """How urgent an alert is."""

    WARNING = "warning"
    """Beyond the limit."""
    CRITICAL = "critical"
    """Far beyond it (at least `critical_factor` × the limit)."""


def _levels(value: Iterable[str]) -> tuple[str, ...]:
    """Risk levels as a tuple (any iterable of level names; one string is refused, not split)."""
    return _settings.levels(value, component="monitor")


_MAY_BE_ZERO = frozenset({"grace_hours", "critical_hours"})
_COLUMNS = frozenset({"reference", "fallback", "start", "end", "stage"})
_OPTIONAL = frozenset({"fallback", "start", "end"})  # None: no such column


def _check_rule(rule: attrs.AttrsInstance) -> None:
    """Refuse a rule whose settings could never judge an order as written.

    Hours are finite numbers > 0 (a grace period or critical delay >= 0), a critical
    factor is >= 1 (the critical tier comes after the warning), a status is one of the
    order's statuses, names and columns are text.

    Raises:
        ConfigurationError: Naming the rule, the setting and the value.
    """
    component = type(rule).__name__
    for field in attrs.fields(type(rule)):
        name, value = field.name, getattr(rule, field.name)
        if name.endswith("_hours"):
            _settings.hours(value, component=component, name=name, zero=name in _MAY_BE_ZERO)
        elif name == "critical_factor":
            if _settings.hours(value, component=component, name=name) < 1:
                raise ConfigurationError(
                    f"critical_factor must be >= 1 (critical comes after the warning), "
                    f"got {value!r}",
                    component=component,
                )
        elif name == "status":
            _settings.status(value, component=component)
        elif name == "name" or (name in _COLUMNS and not (value is None and name in _OPTIONAL)):
            _settings.text(value, component=component, name=name)


@attrs.frozen
class PastDueNotShipped:
    """Reference date passed and nothing shipped (grace in hours; critical after 24 h by default).

    Where the reference is null, the `fallback` column stands in when the frame has it (an
    order promised nothing is due by the date the customer asked for); `None`: no fallback.
    """

    reference: str = "promised_at"
    grace_hours: float = 0.0
    critical_hours: float = 24.0
    name: str = "past_due_not_shipped"
    fallback: str | None = "requested_at"

    def __attrs_post_init__(self) -> None:
        _check_rule(self)


@attrs.frozen
class StuckInStatus:
    """In one status longer than its SLA."""

    status: str
    sla_hours: float
    critical_factor: float = 3.0
    name: str = "stuck_in_status"
    levels: tuple[str, ...] = attrs.field(default=(), converter=_levels)

    def __attrs_post_init__(self) -> None:
        _check_rule(self)


@attrs.frozen
class HoldTooLong:
    """An active hold older than a limit."""

    limit_hours: float = 48.0
    critical_factor: float = 3.0
    name: str = "hold_too_long"

    def __attrs_post_init__(self) -> None:
        _check_rule(self)


@attrs.frozen
class DeliveryWithoutProof:
    """A delivery without proof of delivery after a grace period (reads the deliveries frame)."""

    grace_hours: float = 24.0
    critical_factor: float = 7.0
    name: str = "delivery_without_proof"

    def __attrs_post_init__(self) -> None:
        _check_rule(self)


_STAGE_SPANS: dict[str, tuple[str, str]] = {
    "review": ("received_at", "approved_at"),
    "fulfilment": ("approved_at", "shipped_at"),
    "transit": ("shipped_at", "delivered_at"),
}
_STAGE_WORDS: dict[str, tuple[str, str]] = {
    "review": ("review", "评审"),
    "fulfilment": ("fulfilment", "履行"),
    "transit": ("transit", "运输"),
}


@attrs.frozen
class ShippedNotDelivered:
    """Shipped (``shipped_at``) and not delivered beyond the carrier's SLA, in hours."""

    carrier_sla_hours: float = 72.0
    critical_factor: float = 2.0
    name: str = "shipped_not_delivered"
    levels: tuple[str, ...] = attrs.field(default=(), converter=_levels)

    def __attrs_post_init__(self) -> None:
        _check_rule(self)


@attrs.frozen
class StageOverdue:
    """A stage begun and not finished within its SLA (hours), on the orders frame.

    Stages: ``review`` (``received_at`` to ``approved_at``), ``fulfilment`` (``approved_at``
    to ``shipped_at``), ``transit`` (``shipped_at`` to ``delivered_at``), or any name with
    your own `start` and `end` timestamp columns.

    Raises:
        ConfigurationError: A stage of your own without `start` and `end`.
    """

    stage: str
    sla_hours: float
    start: str | None = None
    end: str | None = None
    critical_factor: float = 3.0
    name: str = "stage_overdue"
    levels: tuple[str, ...] = attrs.field(default=(), converter=_levels)

    def __attrs_post_init__(self) -> None:
        _check_rule(self)
        if self.stage not in _STAGE_SPANS and (self.start is None or self.end is None):
            raise ConfigurationError(
                f"stage {self.stage!r} needs start and end columns; known stages: "
                f"{', '.join(_STAGE_SPANS)}",
                component="StageOverdue",
            )

    @property
    def span(self) -> tuple[str, str]:
        """The timestamp columns the stage runs between."""
        start, end = _STAGE_SPANS.get(self.stage, (self.start, self.end))
        return (self.start or start or "", self.end or end or "")


Rule = (
    PastDueNotShipped
    | StuckInStatus
    | HoldTooLong
    | DeliveryWithoutProof
    | ShippedNotDelivered
    | StageOverdue
)
"""Any monitoring rule."""
_RULE_TYPES: tuple[type, ...] = get_args(Rule)


_FINAL_STATUSES = ("closed", "cancelled", "rejected", "expired")
_KINDS: dict[type, str] = {
    PastDueNotShipped: "past_due_not_shipped",
    StuckInStatus: "stuck_in_status",
    HoldTooLong: "hold_too_long",
    DeliveryWithoutProof: "delivery_without_proof",
    ShippedNotDelivered: "shipped_not_delivered",
    StageOverdue: "stage_overdue",
}
_MORE_ALERTS: dict[str, tuple[str, str]] = {
    "shipped_not_delivered": (
        "order {order_id}: shipped {age} h ago, not delivered, carrier SLA {limit} h ({severity})",
        "订单 {order_id}：已发货 {age} 小时仍未签收，承运时限 {limit} 小时（{severity}）",
    ),
    "stage_overdue": (
        "order {order_id}: {age} h in {stage}, SLA {limit} h ({severity})",
        "订单 {order_id}：{stage}阶段已 {age} 小时，时限 {limit} 小时（{severity}）",
    ),
}
"""Messages of the rules whose texts live here: ``rule -> (en, zh)``."""
"""The message template of each kind of rule (a rule's `name` may be the host's own)."""


def _fields(rule: Rule, lang: str) -> dict[str, str]:
    """The fixed parts of a rule's message: its limit, status or reference date."""
    index = 1 if is_zh(lang) else 0
    if isinstance(rule, PastDueNotShipped):
        pair = REFERENCES.get(rule.reference)
        return {"reference": pair[index] if pair else rule.reference}
    if isinstance(rule, StuckInStatus):
        try:
            status = label(("OrderStatus", rule.status), lang)
        except KeyError:  # a host's own status is shown as named
            status = rule.status
        return {"status": status, "limit": f"{rule.sla_hours:g}"}
    if isinstance(rule, HoldTooLong):
        return {"limit": f"{rule.limit_hours:g}"}
    if isinstance(rule, ShippedNotDelivered):
        return {"limit": f"{rule.carrier_sla_hours:g}"}
    if isinstance(rule, StageOverdue):
        words = _STAGE_WORDS.get(rule.stage)
        return {"stage": words[index] if words else rule.stage, "limit": f"{rule.sla_hours:g}"}
    return {"limit": f"{rule.grace_hours:g}"}


def _message(rule: Rule, lang: str, critical: nw.Expr) -> nw.Expr:
    """A rule's message per row: its template with the order id, the age and the severity."""
    kind = _KINDS[type(rule)]
    template = (ALERTS[kind] if kind in ALERTS else _MORE_ALERTS[kind])[1 if is_zh(lang) else 0]
    fixed = _fields(rule, lang)
    severity = (
        nw.when(critical)
        .then(nw.lit(label(Severity.CRITICAL, lang)))
        .otherwise(nw.lit(label(Severity.WARNING, lang)))
    )
    per_row = {
        "order_id": nw.col("order_id").cast(nw.String),
        "age": nw.col("_age").round(1).cast(nw.String),
        "severity": severity,
    }
    parts: list[nw.Expr] = []
    for literal, field, _, _ in Formatter().parse(template):
        if literal:
            parts.append(nw.lit(literal))
        if field is not None:
            parts.append(per_row[field] if field in per_row else nw.lit(fixed[field]))
    return nw.concat_str(parts)


def _not_yet(lf: nw.LazyFrame[Any], column: str, now: float) -> nw.Expr:
    """Whether the moment in `column` has not happened by `now` (null, later, or no column)."""
    if not _common.has(lf, column):
        return nw.lit(value=True)
    # what happened after as_of has not happened yet at as_of
    return nw.col(column).is_null() | (nw.col(column) > now)


def _alive(lf: nw.LazyFrame[Any], now: float) -> nw.Expr:
    """Not cancelled by `now`, and not closed, rejected or expired (when the frame says)."""
    alive = _not_yet(lf, "cancelled_at", now)
    if _common.has(lf, "status"):  # a closed, rejected or expired order is not due any more
        final = nw.col("status").is_in(list(_FINAL_STATUSES))
        if _common.has(lf, "status_since"):
            final = final & ~(nw.col("status_since") > now).fill_null(value=False)
        alive = alive & ~final.fill_null(value=False)
    return alive


def _one(
    lf: nw.LazyFrame[Any], now: float, rule: Rule, lang: str | None = None
) -> nw.LazyFrame[Any]:
    if isinstance(rule, PastDueNotShipped):
        reference = nw.col(rule.reference)
        if rule.fallback and rule.fallback != rule.reference and _common.has(lf, rule.fallback):
            reference = nw.coalesce(reference, nw.col(rule.fallback))
        age = (nw.lit(now) - reference) / 3600.0
        hit = _not_yet(lf, "shipped_at", now) & _alive(lf, now) & (age > rule.grace_hours)
        critical = age >= rule.critical_hours
    elif isinstance(rule, (ShippedNotDelivered, StageOverdue)):
        start, end = rule.span if isinstance(rule, StageOverdue) else ("shipped_at", "delivered_at")
        limit = rule.sla_hours if isinstance(rule, StageOverdue) else rule.carrier_sla_hours
        age = (nw.lit(now) - nw.col(start)) / 3600.0
        begun = ~nw.col(start).is_null() & (nw.col(start) <= now)
        hit = begun & _not_yet(lf, end, now) & _alive(lf, now) & (age > limit)
        critical = age >= limit * rule.critical_factor
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
    levels = getattr(rule, "levels", ())
    if levels:  # only the orders at these risk levels
        hit = hit & nw.col("risk_level").is_in(list(levels)).fill_null(value=False)
    columns = [
        nw.col("order_id"),
        nw.lit(rule.name).alias("rule"),
        nw.col("_age").alias("age_hours"),
        nw.when(nw.col("_crit") == 1)
        .then(nw.lit("critical"))
        .otherwise(nw.lit("warning"))
        .alias("severity"),
    ]
    if lang is not None:
        columns.append(_message(rule, lang, nw.col("_crit") == 1).alias("message"))
    return (
        lf.with_columns(_age=age, _hit=_backend.flag(hit), _crit=_backend.flag(critical))
        .filter(nw.col("_hit") == 1)
        .select(*columns)
    )


def _columns(rules: Sequence[Rule]) -> tuple[list[str], list[str]]:
    """The columns the rules need, and those they read only when the frame has them."""
    needed: list[str] = []
    optional: list[str] = []
    for rule in rules:
        if getattr(rule, "levels", ()):
            needed.append("risk_level")
        if isinstance(rule, PastDueNotShipped):
            needed.append(rule.reference)
            if rule.fallback:
                optional.append(rule.fallback)
        elif isinstance(rule, ShippedNotDelivered):
            needed.append("shipped_at")
        elif isinstance(rule, StageOverdue):
            needed += list(rule.span)
        elif isinstance(rule, StuckInStatus):
            needed += ["status", "status_since"]
        elif isinstance(rule, HoldTooLong):
            needed.append("hold_since")
        else:
            needed.append("has_proof")
    return needed, optional


def alerts(
    frame: object,
    rules: Sequence[Rule],
    *,
    as_of: dt.datetime,
    tz: str = "UTC",
    duplicates: Duplicates = "refuse",
    lang: Language | None = None,
) -> Any:
    """Evaluate `rules` on an orders frame (or a deliveries frame for `DeliveryWithoutProof`).

    `as_of` bounds everything: orders received (deliveries made) after it raise nothing, and
    a shipment, cancellation or final status after it has not happened yet. Rows whose
    timestamps cannot be judged (missing ``received_at``, reversed moments) raise nothing.

    Returns the alerts sorted by rule and order id, in the caller's library. With `lang`
    (``"en"`` or ``"zh"``) they carry a ``message`` column: the order, the age in hours
    (one decimal), the rule's limit, status or reference date, and the severity.

    Raises:
        ValueError: If `lang` is neither ``"en"`` nor ``"zh"``.
        FrameSchemaError: A column a rule reads is missing or mistyped, ids or codes are null
            or unknown, or keys repeat (unless `duplicates` is ``"exclude"``).
    """
    given: object = rules  # typed as rules, checked as anything a caller may pass
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise InvalidArgument("alerts", "rules", f"must be a list of rules, got {given!r}")
    rules = list(given)
    foreign = [r for r in rules if not isinstance(r, _RULE_TYPES)]
    if foreign:
        names = ", ".join(t.__name__ for t in _RULE_TYPES)
        raise InvalidArgument("alerts", "rules", f"{foreign[0]!r} is not a rule ({names})")
    if not rules:
        raise ConfigurationError("alerts() needs at least one rule", component="monitor")
    kind = "deliveries" if all(isinstance(r, DeliveryWithoutProof) for r in rules) else "orders"
    needed, optional = _columns(rules)
    if lang is not None:
        is_zh(lang)  # refuses an unknown language before any work
    # status_since too: a past-due check reads it to tell when an order became final
    read = [
        "received_at",
        "delivered_at",
        "shipped_at",
        "cancelled_at",
        "status_since",
        *needed,
        *optional,
    ]
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
    parts = [_one(lf, now, rule, lang) for rule in rules]
    out = nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    return _backend.to_caller(out.sort("rule", "order_id"), frame)
