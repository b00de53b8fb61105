"""The canonical frames ordercore.kpi reads: names, types, optional columns.

Eight frames, one row per grain. Timestamps are timezone-aware (any zone; they are compared
as instants and bucketed into periods in the time zone you declare). Quantities are floats
in one unit of measure per line (convert upstream). Strings are ids or codes.

Each column says what the KPIs accept in it: ids and codes marked ``not_null`` may not be
null, codes with ``values`` must be one of them (``cancelled_by`` is ``customer`` or
``seller``, a channel one of `ordercore.Channel`), and a column ``required_with`` another must
be present, and set, wherever that one is (``cancelled_by`` wherever ``cancelled_at`` is).
A frame that breaks these rules is refused; rows whose numbers or timestamps cannot be judged
are left out and counted (see [`check_frame`][ordercore.kpi.check.check_frame]).

| frame | grain | key |
|---|---|---|
| orders | one order | order_id |
| lines | one order line | order_id, line_id |
| events | one lifecycle event | event_id (or order_id, at, event_type) |
| deliveries | one delivery (proof of delivery) | delivery_id |
| surveys | one survey sent (score null = no response) | survey_id |
| errors | one accuracy error found on an order | error_id |
| costs | one processing-cost posting | cost_id |
| cases | one after-sales case (return, exchange, repair, complaint) | order_id, case_id |

Examples:
    >>> spec = FRAMES["orders"]
    >>> [c.name for c in spec.columns if c.required]
    ['order_id', 'customer_id', 'channel', 'received_at']
    >>> spec.column("promised_at").kind
    'datetime'
    >>> spec.column("cancelled_by").values
    ('customer', 'seller')
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

import attrs

from ordercore.aftersales import CaseKind, CaseStatus, ReturnCondition, RootCause
from ordercore.events import ActorKind
from ordercore.status import Channel

__all__ = ["CANCELLED_BY", "FRAMES", "Column", "ColumnKind", "ErrorType", "FrameSpec"]

ColumnKind = Literal["string", "datetime", "float", "int", "bool"]
"""The kind of a column: ``string``, ``datetime`` (timezone-aware), ``float``, ``int`` or ``bool``."""

CANCELLED_BY: Final = ("customer", "seller")
"""Who can cancel: the customer (nothing is owed any more) or the seller (owed, not filled)."""


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


@attrs.frozen
class Column:
    """One column of a canonical frame.

    Attributes:
        name: The canonical name.
        kind: Its kind; ``float`` accepts any numeric column.
        required: Whether every KPI on this frame needs it.
        description: What it holds.
        non_negative: Whether negative values are a problem (numbers).
        not_null: Whether nulls are a problem: ids and codes are refused, numbers and
            timestamps make the row one that cannot be judged.
        values: The documented codes (empty: any text).
        required_with: Another column; wherever it is set, this one must be too, and a
            KPI reading both needs this one whenever the other is present.
    """

    name: str
    kind: ColumnKind
    required: bool
    description: str
    non_negative: bool = False
    not_null: bool = False
    values: tuple[str, ...] = ()
    required_with: str | None = None


@attrs.frozen
class FrameSpec:
    """A canonical frame: its name, grain, key columns and columns.

    Attributes:
        name: ``orders``, ``lines``, ``events``, ``deliveries``, ``surveys``, ``errors`` or ``costs``.
        grain: What one row is.
        key: Columns that identify a row (duplicates are refused).
        columns: Every known column.
        ordering: Pairs ``(earlier, later)`` of timestamp columns that must not be reversed.
        arrival: The timestamp at which a row comes into existence (rows after `as_of` are
            not yet known), or `None`.
    """

    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    ordering: tuple[tuple[str, str], ...] = ()
    arrival: str | None = None

    def column(self, name: str) -> Column:
        """Return the column called `name` (KeyError listing the known ones otherwise)."""
        for column in self.columns:
            if column.name == name:
                return column
        known = ", ".join(c.name for c in self.columns)
        raise KeyError(f"{self.name} frame has no column {name!r}; known: {known}")

    @property
    def names(self) -> tuple[str, ...]:
        """All column names."""
        return tuple(c.name for c in self.columns)


def _c(
    name: str,
    kind: ColumnKind,
    description: str,
    *,
    required: bool = False,
    not_null: bool | None = None,
    values: tuple[str, ...] = (),
    required_with: str | None = None,
) -> Column:
    """A column; required ids, codes and timestamps and every quantity are not null by default."""
    if not_null is None:
        not_null = required or kind == "float"
    return Column(
        name,
        kind,
        required,
        description,
        non_negative=kind in ("float", "int"),
        not_null=not_null,
        values=values,
        required_with=required_with,
    )


_CHANNELS = tuple(c.value for c in Channel)


_ORDERS = FrameSpec(
    "orders",
    "one order",
    ("order_id",),
    (
        _c("order_id", "string", "The order number.", required=True),
        _c("customer_id", "string", "The customer.", required=True),
        _c(
            "channel",
            "string",
            "How it came in: phone, fax, web, edi, email, api.",
            required=True,
            values=_CHANNELS,
        ),
        _c("received_at", "datetime", "When the order was received.", required=True),
        _c(
            "channel_detail",
            "string",
            "The host's own channel within `channel` (``wechat_mini_program``); group by it.",
        ),
        _c("owner_id", "string", "The staff member responsible (KPIs attribute to it)."),
        _c("status", "string", "The primary status (an `OrderStatus` value)."),
        _c("status_since", "datetime", "When the order entered its current status."),
        _c("approved_at", "datetime", "When review passed: the moment of commitment."),
        _c("requested_at", "datetime", "The delivery date the customer requested."),
        _c("promised_at", "datetime", "The delivery date committed to the customer."),
        _c("shipped_at", "datetime", "When the last shipment left."),
        _c("delivered_at", "datetime", "When the last delivery arrived (even if partial)."),
        _c("cancelled_at", "datetime", "When the whole order was cancelled."),
        _c(
            "cancelled_by",
            "string",
            "Who cancelled it: ``customer`` or ``seller`` (set wherever ``cancelled_at`` is).",
            values=CANCELLED_BY,
            required_with="cancelled_at",
        ),
        _c("hold_hours", "float", "Hours spent on hold in total (for net cycle time)."),
        _c("hold_since", "datetime", "Start of the oldest hold still active."),
        _c("qty_ordered", "float", "Units ordered over all lines."),
        _c("qty_cancelled", "float", "Units the customer cancelled (no longer owed)."),
        _c(
            "qty_delivered",
            "float",
            "Units delivered so far (set wherever ``delivered_at`` is).",
            not_null=False,
            required_with="delivered_at",
        ),
        _c("value", "float", "Net order value in one currency."),
    ),
    (
        ("received_at", "approved_at"),
        ("received_at", "shipped_at"),
        ("received_at", "delivered_at"),
        ("shipped_at", "delivered_at"),
    ),
    "received_at",
)

_LINES = FrameSpec(
    "lines",
    "one order line",
    ("order_id", "line_id"),
    (
        _c("order_id", "string", "The order.", required=True),
        _c("line_id", "string", "The line, unique within the order.", required=True),
        _c("qty_ordered", "float", "Units ordered.", required=True),
        _c("sku", "string", "The product."),
        _c("qty_cancelled", "float", "Units the customer cancelled (no longer owed)."),
        _c("qty_short_closed", "float", "Units the seller short-closed (owed, not filled)."),
        _c(
            "qty_backordered",
            "float",
            "Units that could not be allocated when the order was entered.",
        ),
        _c("qty_shipped_first", "float", "Units shipped in the first shipment (first-time fill)."),
        _c("qty_shipped", "float", "Units shipped."),
        _c(
            "qty_delivered",
            "float",
            "Units delivered (set wherever ``delivered_at`` is).",
            not_null=False,
            required_with="delivered_at",
        ),
        _c("qty_returned", "float", "Units returned."),
        _c(
            "return_cause",
            "string",
            "Why they came back: ``error`` or ``preference`` (or a finer code).",
        ),
        _c("value", "float", "Net line value (for value-weighted OTIF)."),
        _c("requested_at", "datetime", "Requested delivery date of the line."),
        _c("promised_at", "datetime", "Committed delivery date of the line."),
        _c("shipped_at", "datetime", "When the last shipment of the line left."),
        _c("delivered_at", "datetime", "When the last delivery of the line arrived."),
        _c("received_at", "datetime", "When the order was received (for period bucketing)."),
        _c("approved_at", "datetime", "When the order was approved: the moment of commitment."),
        _c("cancelled_at", "datetime", "When the whole line was cancelled."),
        _c(
            "cancelled_by",
            "string",
            "Who cancelled the line: ``customer`` or ``seller`` (set wherever ``cancelled_at`` is).",
            values=CANCELLED_BY,
            required_with="cancelled_at",
        ),
    ),
    (
        ("received_at", "approved_at"),
        ("received_at", "shipped_at"),
        ("received_at", "delivered_at"),
        ("shipped_at", "delivered_at"),
    ),
    "received_at",
)

_EVENTS = FrameSpec(
    "events",
    "one lifecycle event",
    ("event_id",),
    (
        _c("order_id", "string", "The order.", required=True),
        _c(
            "event_type",
            "string",
            "What happened (the event `type`, e.g. ``order_approved``).",
            required=True,
        ),
        _c("at", "datetime", "When it happened.", required=True),
        _c("event_id", "string", "Unique event id.", not_null=True),
        _c("version", "int", "The order version after the event."),
        _c("status_before", "string", "Primary status before."),
        _c("status_after", "string", "Primary status after."),
        _c("actor", "string", "Who did it (user, system or integration id)."),
        _c(
            "actor_kind",
            "string",
            "``user``, ``system`` or ``integration``.",
            values=tuple(k.value for k in ActorKind),
        ),
        _c("reason", "string", "Why, when given."),
    ),
    (),
    "at",
)

_DELIVERIES = FrameSpec(
    "deliveries",
    "one delivery of goods",
    ("delivery_id",),
    (
        _c("delivery_id", "string", "Unique delivery id.", required=True),
        _c("order_id", "string", "The order.", required=True),
        _c("delivered_at", "datetime", "When it arrived.", required=True),
        _c("line_id", "string", "The line, when deliveries are per line."),
        _c("shipped_at", "datetime", "When it left."),
        _c("qty", "float", "Units delivered."),
        _c("qty_damaged", "float", "Units that arrived damaged."),
        _c(
            "has_proof",
            "bool",
            "Whether a proof of delivery (signature, photo) is on file (null: none on file).",
        ),
    ),
    (("shipped_at", "delivered_at"),),
    "delivered_at",
)

_SURVEYS = FrameSpec(
    "surveys",
    "one survey sent",
    ("survey_id",),
    (
        _c("survey_id", "string", "Unique survey id.", required=True),
        _c(
            "kind",
            "string",
            "``csat`` (1–5), ``nps`` (0–10) or ``ces`` (1–7).",
            required=True,
            values=("csat", "nps", "ces"),
        ),
        _c(
            "sent_at", "datetime", "When it was sent (surveys are bucketed by this).", required=True
        ),
        _c(
            "score",
            "float",
            "The answer; null (or NaN) when there was no response.",
            not_null=False,
        ),
        _c("order_id", "string", "The order it is about."),
        _c("owner_id", "string", "The staff member responsible."),
        _c("channel", "string", "The order channel.", values=_CHANNELS),
        _c("customer_id", "string", "The customer."),
        _c("responded_at", "datetime", "When the answer came."),
    ),
    (("sent_at", "responded_at"),),
    "sent_at",
)

_ERRORS = FrameSpec(
    "errors",
    "one accuracy error found on an order",
    ("error_id",),
    (
        _c("error_id", "string", "Unique error id.", required=True),
        _c("order_id", "string", "The order.", required=True),
        _c(
            "error_type",
            "string",
            "An `ErrorType` value (map other codes onto one of them first).",
            required=True,
            values=tuple(t.value for t in ErrorType),
        ),
        _c("line_id", "string", "The line, when known."),
        _c("staff_id", "string", "Who made the error (falls back to the order owner)."),
        _c(
            "found_at",
            "datetime",
            "When it was found (null: found at a time not recorded, counted as known).",
        ),
    ),
    (),
    "found_at",
)

_COSTS = FrameSpec(
    "costs",
    "one processing-cost posting",
    ("cost_id",),
    (
        _c("cost_id", "string", "Unique posting id.", required=True),
        _c(
            "incurred_at",
            "datetime",
            "When the cost was incurred (bucketed like orders).",
            required=True,
        ),
        _c("amount", "float", "Amount in one currency.", required=True),
        _c("cost_center", "string", "Where it was booked."),
        _c("owner_id", "string", "The staff member, for per-staff cost."),
        _c("channel", "string", "The channel, for per-channel cost.", values=_CHANNELS),
    ),
    (),
    "incurred_at",
)


def _codes(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


_CASES = FrameSpec(
    "cases",
    "one after-sales case",
    ("order_id", "case_id"),
    (
        _c("order_id", "string", "The order.", required=True),
        _c("case_id", "string", "The case, unique within the order.", required=True),
        _c(
            "kind",
            "string",
            "``return``, ``exchange``, ``repair`` or ``complaint``.",
            required=True,
            values=_codes(CaseKind),
        ),
        _c("opened_at", "datetime", "When the case was opened.", required=True),
        _c("line_id", "string", "The line, when the case is about one."),
        _c("sku", "string", "The product of that line."),
        _c(
            "status", "string", "The case status (a `CaseStatus` value).", values=_codes(CaseStatus)
        ),
        _c("quantity", "float", "Units concerned (null when not about units).", not_null=False),
        _c(
            "condition",
            "string",
            "The condition goods came back in (a `ReturnCondition` value).",
            values=_codes(ReturnCondition),
        ),
        _c(
            "root_cause",
            "string",
            "Why it happened (a `RootCause` value).",
            values=_codes(RootCause),
        ),
        _c("root_cause_at", "datetime", "When the root cause was first recorded."),
        _c("closed_at", "datetime", "When the case was closed."),
        _c("replacement_shipment_id", "string", "The shipment of an exchange's replacement."),
        _c("replacement_planned_at", "datetime", "When the replacement was planned to arrive."),
        _c("replacement_delivered_at", "datetime", "When the replacement was confirmed received."),
        _c("customer_id", "string", "The customer."),
        _c("owner_id", "string", "The staff member responsible for the order."),
        _c("channel", "string", "The order channel.", values=_CHANNELS),
    ),
    (
        ("opened_at", "closed_at"),
        ("opened_at", "root_cause_at"),
        ("opened_at", "replacement_delivered_at"),
    ),
    "opened_at",
)

_PACKAGES = FrameSpec(
    "packages",
    "one package of a shipment's packing (policy 10.1, green packaging)",
    ("order_id", "shipment_id", "package_id"),
    (
        _c("order_id", "string", "The order the shipment is for.", required=True),
        _c("shipment_id", "string", "The shipment.", required=True),
        _c("package_id", "string", "The package, unique within its shipment.", required=True),
        _c(
            "packed_at",
            "datetime",
            "When the shipment was packed (packages are bucketed by this).",
            required=True,
        ),
        _c("green", "bool", "Its material is recyclable or reusable.", required=True),
        _c("material_id", "string", "Its packaging material."),
        _c("weight_kg", "float", "Its weight in kilograms.", not_null=False),
    ),
    (),
    "packed_at",
)

FRAMES: Final[dict[str, FrameSpec]] = {
    spec.name: spec
    for spec in (
        _ORDERS,
        _LINES,
        _EVENTS,
        _DELIVERIES,
        _SURVEYS,
        _ERRORS,
        _COSTS,
        _CASES,
        _PACKAGES,
    )
}
"""Every canonical frame by name."""
