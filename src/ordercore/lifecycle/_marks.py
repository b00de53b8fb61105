"""What each event means for an order's milestones: one table, read by the lifecycle and the KPIs.

The lifecycle folds every event into the order's `ordercore.milestones.Milestones` with
`advance`; the KPI frames (`ordercore.kpi.convert`) read trails of orders that carry none by
the same kinds, in one pass over many orders. Both follow these rules:

* a change of status (any event whose kind is a status change, or an event of a class the
  table does not know whose `after` names a status) moves ``status_since``;
* the first approval is ``approved_at``;
* a cancellation ends the order (``ended_at``, and ``ended_by`` its `requested_by`); a
  rejection or expiry ends it by the seller;
* a shipment (or delivery) of any line moves ``shipped_at`` (``delivered_at``);
* a short-close the seller asked for adds its quantity to ``seller_cut``.

Later events win over earlier ones (the approval excepted): an order's events are read in
the order of their versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ordercore._base import ARITHMETIC
from ordercore.events import ShipmentDelivered, ShipmentDispatched, event_types
from ordercore.ledger import LedgerField
from ordercore.lifecycle._fast import replace
from ordercore.lifecycle.table import MOVEMENTS

if TYPE_CHECKING:
    import datetime as dt
    from decimal import Decimal

    from ordercore.events import OrderEvent
    from ordercore.milestones import Milestones

__all__ = ["KIND_OF_CLASS", "KIND_OF_TYPE", "advance", "kind_by_type", "kind_of", "party"]

# What an event means for the milestones. Types not listed change nothing but perhaps the
# status (a host's sub-status trigger, say), which is looked up in their `after`.
SKIP, OTHER, STATUS, APPROVED, CANCELLED, ENDED, SHIPPED, DELIVERED, SHORT = range(9)
# By class only: a class the table does not know is read by its `type` (`UNKNOWN`), and a
# shipment event is one movement per line it moves (`SPLIT`).
UNKNOWN, SPLIT = 9, 10
# A ledger movement's event means what its field means: shipments, deliveries and
# short-closes are milestones, any other movement (a new row of the table too) is skipped.
_KIND_OF_FIELD: Final[dict[LedgerField, int]] = {
    LedgerField.SHIPPED: SHIPPED,
    LedgerField.DELIVERED: DELIVERED,
    LedgerField.CANCELLED: SHORT,
}
KIND_OF_TYPE: Final[dict[str, int]] = {
    **{
        row.event.model_fields["type"].default: _KIND_OF_FIELD.get(row.moves, SKIP)
        for row in MOVEMENTS.values()
        if row.moves is not None
    },
    **dict.fromkeys(
        (
            "order_created",
            "order_submitted",
            "review_started",
            "order_closed",
            "order_reopened",
            "fulfilment_started",
            "order_fulfilled",
            "review_reopened",
        ),
        STATUS,
    ),
    "order_approved": APPROVED,
    "order_cancelled": CANCELLED,
    "order_rejected": ENDED,
    "order_expired": ENDED,
    **dict.fromkeys(
        (
            "order_archived",
            "order_amended",
            "header_amended",
            "delivery_repromised",
            "hold_placed",
            "hold_released",
            "risk_assessed",
            "checkpoint_recorded",
            # billing in money: no milestone reads invoices or payments yet
            "invoice_issued",
            "credit_note_issued",
            "payment_received",
            "refund_issued",
            "case_opened",
            "case_advanced",
            "feedback_recorded",
            "feedback_waived",
            "sub_status_changed",  # a host sub-state: its summary says "state", not "status"
            "shipment_collected",  # in transit: neither shipped nor delivered moves
            "line_backordered",
            "order_split",  # the lines as they stand say what the order still holds
            "lines_merged",
            "order_merged",
        ),
        SKIP,
    ),
    # A shipment moves several lines at once: read as one movement per line.
    "shipment_dispatched": SHIPPED,
    "shipment_delivered": DELIVERED,
}
"""Each event type's kind (a type not listed: `OTHER`, a status change if its `after` says so)."""


class _ClassKinds(dict[type, int]):
    """What each event class means; a class not listed is read by its `type` (`UNKNOWN`)."""

    def __missing__(self, cls: type) -> int:
        return UNKNOWN


# The same by class: `type(event)` reads only the object's header, where its `type` field
# would cost a walk through its fields (most events are skipped on that look alone).
KIND_OF_CLASS: Final = _ClassKinds(
    {cls: KIND_OF_TYPE[name] for name, cls in event_types().items() if name in KIND_OF_TYPE}
)
KIND_OF_CLASS.update({ShipmentDispatched: SPLIT, ShipmentDelivered: SPLIT})


def party(fields: dict[str, Any]) -> str | None:
    """Who asked, from an event's fields (`None` for trails stored before the field existed)."""
    asked = fields.get("requested_by")
    return None if asked is None else str(asked._value_)


def kind_by_type(fields: dict[str, Any]) -> int:
    """The kind of an event of a class the table does not know: by its type and summary."""
    kind = KIND_OF_TYPE.get(fields["type"], OTHER)
    return SKIP if kind == OTHER and "status" not in fields["after"] else kind


def kind_of(event: OrderEvent, fields: dict[str, Any]) -> int:
    """The event's kind, a class the table does not know read by its type and summary."""
    kind = KIND_OF_CLASS[type(event)]
    if kind == UNKNOWN:
        kind = kind_by_type(fields)
    if kind == SPLIT:  # a shipment with no line moves nothing
        moved = fields["shipment"].lines if type(event) is ShipmentDispatched else fields["lines"]
        kind = (SHIPPED if type(event) is ShipmentDispatched else DELIVERED) if moved else SKIP
    return kind


def advance(milestones: Milestones, event: OrderEvent) -> Milestones | None:
    """The milestones after one event of the order's trail (`None`: unchanged)."""
    fields = event.__dict__
    kind = kind_of(event, fields)
    if kind == SKIP:
        return None
    at: dt.datetime = fields["at"]
    changes: dict[str, Any]
    if kind == SHIPPED:
        changes = {"shipped_at": at}
    elif kind == DELIVERED:
        changes = {"delivered_at": at}
    elif kind == SHORT:
        if party(fields) != "seller":
            return None
        total: Decimal = ARITHMETIC.add(milestones.seller_cut, fields["quantity"])
        changes = {"seller_cut": total}
    else:  # a change of status
        changes = {"status_since": at}
        if kind == APPROVED and milestones.approved_at is None:
            changes["approved_at"] = at
        elif kind == CANCELLED:
            changes["ended_at"], changes["ended_by"] = at, party(fields)
        elif kind == ENDED:
            changes["ended_at"], changes["ended_by"] = at, "seller"
    return replace(milestones, changes)
