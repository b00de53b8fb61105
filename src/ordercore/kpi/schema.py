"""The canonical frames ordercore.kpi reads: names, types, optional columns.

Seven frames, one row per grain. Timestamps are timezone-aware (any zone; they are compared
as instants and bucketed into periods in the time zone you declare). Quantities are floats
in one unit of measure per line (convert upstream). Strings are ids or codes.

| frame | grain | key |
|---|---|---|
| orders | one order | order_id |
| lines | one order line | order_id, line_id |
| events | one lifecycle event | event_id (or order_id, at, event_type) |
| deliveries | one delivery (proof of delivery) | delivery_id |
| surveys | one survey sent (score null = no response) | survey_id |
| errors | one accuracy error found on an order | error_id |
| costs | one processing-cost posting | cost_id |

Examples:
    >>> spec = FRAMES["orders"]
    >>> [c.name for c in spec.columns if c.required]
    ['order_id', 'customer_id', 'channel', 'received_at']
    >>> spec.column("promised_at").kind
    'datetime'
"""

from __future__ import annotations

from typing import Final, Literal

import attrs

__all__ = ["FRAMES", "Column", "ColumnKind", "FrameSpec"]

ColumnKind = Literal["string", "datetime", "float", "int", "bool"]
"""The kind of a column: ``string``, ``datetime`` (timezone-aware), ``float``, ``int`` or ``bool``."""


@attrs.frozen
class Column:
    """One column of a canonical frame.

    Attributes:
        name: The canonical name.
        kind: Its kind; ``float`` accepts any numeric column.
        required: Whether every KPI on this frame needs it.
        description: What it holds.
        non_negative: Whether negative values are refused by the frame check.
    """

    name: str
    kind: ColumnKind
    required: bool
    description: str
    non_negative: bool = False


@attrs.frozen
class FrameSpec:
    """A canonical frame: its name, grain, key columns and columns.

    Attributes:
        name: ``orders``, ``lines``, ``events``, ``deliveries``, ``surveys``, ``errors`` or ``costs``.
        grain: What one row is.
        key: Columns that identify a row (duplicates are refused).
        columns: Every known column.
        ordering: Pairs ``(earlier, later)`` of timestamp columns that must not be reversed.
    """

    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    ordering: tuple[tuple[str, str], ...] = ()

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


def _c(name: str, kind: ColumnKind, description: str, *, required: bool = False) -> Column:
    return Column(name, kind, required, description, non_negative=kind in ("float", "int"))


_ORDERS = FrameSpec(
    "orders",
    "one order",
    ("order_id",),
    (
        _c("order_id", "string", "The order number.", required=True),
        _c("customer_id", "string", "The customer.", required=True),
        _c("channel", "string", "How it came in: phone, fax, web, edi, email, api.", required=True),
        _c("received_at", "datetime", "When the order was received.", required=True),
        _c("owner_id", "string", "The staff member responsible (KPIs attribute to it)."),
        _c("status", "string", "The primary status (an `OrderStatus` value)."),
        _c("status_since", "datetime", "When the order entered its current status."),
        _c("approved_at", "datetime", "When review passed: the moment of commitment."),
        _c("requested_at", "datetime", "The delivery date the customer requested."),
        _c("promised_at", "datetime", "The delivery date committed to the customer."),
        _c("shipped_at", "datetime", "When the last shipment left."),
        _c("delivered_at", "datetime", "When the last delivery arrived (even if partial)."),
        _c("cancelled_at", "datetime", "When the whole order was cancelled."),
        _c("cancelled_by", "string", "Who cancelled it: ``customer`` or ``seller``."),
        _c("hold_hours", "float", "Hours spent on hold in total (for net cycle time)."),
        _c("hold_since", "datetime", "Start of the oldest hold still active."),
        _c("qty_ordered", "float", "Units ordered over all lines."),
        _c("qty_cancelled", "float", "Units the customer cancelled (no longer owed)."),
        _c("qty_delivered", "float", "Units delivered so far."),
        _c("value", "float", "Net order value in one currency."),
    ),
    (
        ("received_at", "approved_at"),
        ("received_at", "shipped_at"),
        ("received_at", "delivered_at"),
        ("shipped_at", "delivered_at"),
    ),
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
        _c("qty_delivered", "float", "Units delivered."),
        _c("qty_returned", "float", "Units returned."),
        _c(
            "return_cause",
            "string",
            "Why they came back: ``error`` or ``preference`` (or a finer code).",
        ),
        _c("value", "float", "Net line value (for value-weighted OTIF)."),
        _c("requested_at", "datetime", "Requested delivery date of the line."),
        _c("promised_at", "datetime", "Committed delivery date of the line."),
        _c("delivered_at", "datetime", "When the last delivery of the line arrived."),
        _c("received_at", "datetime", "When the order was received (for period bucketing)."),
    ),
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
        _c("event_id", "string", "Unique event id."),
        _c("version", "int", "The order version after the event."),
        _c("status_before", "string", "Primary status before."),
        _c("status_after", "string", "Primary status after."),
        _c("actor", "string", "Who did it (user, system or integration id)."),
        _c("actor_kind", "string", "``user``, ``system`` or ``integration``."),
        _c("reason", "string", "Why, when given."),
    ),
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
        _c("has_proof", "bool", "Whether a proof of delivery (signature, photo) is on file."),
    ),
    (("shipped_at", "delivered_at"),),
)

_SURVEYS = FrameSpec(
    "surveys",
    "one survey sent",
    ("survey_id",),
    (
        _c("survey_id", "string", "Unique survey id.", required=True),
        _c("kind", "string", "``csat`` (1–5), ``nps`` (0–10) or ``ces`` (1–7).", required=True),
        _c(
            "sent_at", "datetime", "When it was sent (surveys are bucketed by this).", required=True
        ),
        _c("score", "float", "The answer; null when there was no response."),
        _c("order_id", "string", "The order it is about."),
        _c("owner_id", "string", "The staff member responsible."),
        _c("channel", "string", "The order channel."),
        _c("customer_id", "string", "The customer."),
        _c("responded_at", "datetime", "When the answer came."),
    ),
    (("sent_at", "responded_at"),),
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
            "An `ErrorType` value (other codes count as accuracy errors only).",
            required=True,
        ),
        _c("line_id", "string", "The line, when known."),
        _c("staff_id", "string", "Who made the error (falls back to the order owner)."),
        _c("found_at", "datetime", "When it was found."),
    ),
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
        _c("channel", "string", "The channel, for per-channel cost."),
    ),
)

FRAMES: Final[dict[str, FrameSpec]] = {
    spec.name: spec for spec in (_ORDERS, _LINES, _EVENTS, _DELIVERIES, _SURVEYS, _ERRORS, _COSTS)
}
"""Every canonical frame by name."""
