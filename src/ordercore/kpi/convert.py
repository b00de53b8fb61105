"""Frames from entities and events, so a host using the lifecycle gets KPIs for free.

Quantities and amounts become floats (the KPI frames are statistics, not books); timestamps
stay timezone-aware. From `Order` entities alone the frames lack the moments only events know
(approval, shipment, delivery, cancellation); pass the events (any iterable of
`ordercore.events.OrderEvent`) to fill them:

* ``approved_at`` = first ``order_approved``; ``cancelled_at`` = first ``order_cancelled``;
* ``shipped_at`` / ``delivered_at`` = last ``quantity_shipped`` / ``quantity_delivered``,
  set only once the whole open quantity is shipped / delivered (a partly delivered order
  is not yet delivered);
* ``status_since`` = the last event that changed ``status`` (its ``after["status"]``).

``cancelled_by`` is left null (the event log does not say who asked), which OTIF counts as a
seller cancellation; set it from your own data when you know better.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel=Channel.WEB, currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(4), uom="pcs",
    ...                      unit_price=Money.of("2.50", "CNY"))])
    >>> frame = orders_frame([order])
    >>> frame.loc[0, "qty_ordered"], frame.loc[0, "value"], str(frame["delivered_at"].dtype)
    (np.float64(4.0), np.float64(10.0), 'datetime64[us, UTC]')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ordercore.ledger import Dimension
from ordercore.status import Progress

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ordercore.events import OrderEvent
    from ordercore.orders import Order

__all__ = ["events_frame", "lines_frame", "orders_frame"]

_STAMPS = (
    "received_at",
    "status_since",
    "approved_at",
    "requested_at",
    "promised_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "hold_since",
)


def _frame(rows: list[dict[str, Any]], columns: Iterable[str], stamps: Iterable[str]) -> Any:
    import pandas as pd  # noqa: PLC0415

    frame = pd.DataFrame(rows, columns=list(columns))
    for column in stamps:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    for column in frame.columns:
        if column not in stamps and frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    return frame


def _milestones(events: Iterable[OrderEvent] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for event in sorted(events or (), key=lambda e: (e.order_id, e.at, e.order_version)):
        m = out.setdefault(event.order_id, {})
        if event.type == "order_approved":
            m.setdefault("approved_at", event.at)
        elif event.type == "order_cancelled":
            m.setdefault("cancelled_at", event.at)
        elif event.type == "quantity_shipped":
            m["shipped_at"] = event.at
        elif event.type == "quantity_delivered":
            m["delivered_at"] = event.at
        if "status" in event.after:
            m["status_since"] = event.at
    return out


def _full(order: Order, dimension: Dimension) -> bool:
    return order.progress(dimension) is Progress.FULL


def _hold_hours(order: Order, as_of: dt.datetime | None) -> float:
    total = 0.0
    for hold in order.holds:
        end = hold.released_at or as_of
        if end is not None:
            total += max((end - hold.placed_at).total_seconds(), 0.0) / 3600
    return total


def orders_frame(
    orders: Iterable[Order],
    events: Iterable[OrderEvent] | None = None,
    *,
    as_of: dt.datetime | None = None,
) -> Any:
    """The orders frame (pandas) of some orders, with milestones from their events if given.

    ``hold_hours`` adds up every hold's time (an active hold counts up to `as_of`, or not
    at all without it); ``hold_since`` is the start of the oldest active hold.
    """
    marks = _milestones(events)
    rows = []
    for order in orders:
        m = marks.get(order.order_id, {})
        rows.append(
            {
                "order_id": order.order_id,
                "customer_id": order.customer.customer_id,
                "channel": order.channel.value,
                "received_at": order.received_at,
                "owner_id": order.owner.staff_id if order.owner else None,
                "status": order.status.value,
                "status_since": m.get("status_since"),
                "approved_at": m.get("approved_at"),
                "requested_at": order.requested_delivery_at,
                "promised_at": order.promised_delivery_at,
                # complete-order milestones: set only once everything open has moved
                "shipped_at": m.get("shipped_at") if _full(order, Dimension.SHIPPING) else None,
                "delivered_at": m.get("delivered_at")
                if _full(order, Dimension.FULFILMENT)
                else None,
                "cancelled_at": m.get("cancelled_at"),
                "cancelled_by": None,
                "hold_hours": _hold_hours(order, as_of),
                "hold_since": min((h.placed_at for h in order.active_holds), default=None),
                "qty_ordered": float(order.total_quantity()),
                "qty_cancelled": float(sum(line.ledger.cancelled for line in order.lines)),
                "qty_delivered": float(sum(line.ledger.delivered for line in order.lines)),
                "value": float(order.net_total.amount),
            }
        )
    columns = rows[0].keys() if rows else ("order_id", "customer_id", "channel", *_STAMPS)
    return _frame(rows, columns, [c for c in _STAMPS if c in columns])


def lines_frame(orders: Iterable[Order]) -> Any:
    """The lines frame (pandas): one row per line with its ledger quantities."""
    rows = [
        {
            "order_id": order.order_id,
            "line_id": line.line_id,
            "sku": line.sku,
            "qty_ordered": float(line.quantity),
            "qty_cancelled": float(line.ledger.cancelled),
            "qty_shipped": float(line.ledger.shipped),
            "qty_delivered": float(line.ledger.delivered),
            "qty_returned": float(line.ledger.returned),
            "value": float(line.net_amount.amount),
            "requested_at": line.requested_delivery_at or order.requested_delivery_at,
            "promised_at": order.promised_delivery_at,
            "received_at": order.received_at,
        }
        for order in orders
        for line in order.lines
    ]
    columns = (
        rows[0].keys()
        if rows
        else ("order_id", "line_id", "qty_ordered", "requested_at", "promised_at", "received_at")
    )
    return _frame(rows, columns, ["requested_at", "promised_at", "received_at"])


def events_frame(events: Iterable[OrderEvent]) -> Any:
    """The events frame (pandas) of lifecycle events, in the order given."""
    rows = [
        {
            "event_id": e.event_id,
            "order_id": e.order_id,
            "version": e.order_version,
            "event_type": e.type,
            "at": e.at,
            "status_before": e.before.get("status"),
            "status_after": e.after.get("status"),
            "actor": e.actor.id,
            "actor_kind": str(e.actor.kind.value),
            "reason": e.reason,
        }
        for e in events
    ]
    columns = (
        "event_id",
        "order_id",
        "version",
        "event_type",
        "at",
        "status_before",
        "status_after",
        "actor",
        "actor_kind",
        "reason",
    )
    return _frame(rows, columns, ["at"])
