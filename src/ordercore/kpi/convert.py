"""Frames from entities and events, so a host using the lifecycle gets KPIs for free.

Quantities and amounts become floats (the KPI frames are statistics, not books); timestamps
stay timezone-aware (UTC, microseconds). From `Order` entities alone the frames lack the
moments only events know (approval, shipment, delivery, cancellation) and who asked for a
cancellation; pass the events (any iterable of `ordercore.events.OrderEvent`, in any order:
each order's events are ordered by their `order_version`) to fill them. The rules, which
[KPI frames from the lifecycle](../kpi-frames.md) explains at length:

* ``approved_at`` = the first ``order_approved`` (the moment of commitment);
* ``shipped_at`` / ``delivered_at`` = the last ``quantity_shipped`` / ``quantity_delivered``
  of the order (of the line in the lines frame), set only once everything still open is
  shipped / delivered: a partly delivered order has no ``delivered_at``;
* ``cancelled_at`` / ``cancelled_by`` = an ``order_cancelled`` and its ``requested_by``
  (``customer`` or ``seller``; null for events stored before the field existed). A rejected
  or expired order is carried as cancelled by the seller at that moment: it never became a
  commitment, and it is not open any more;
* ``qty_cancelled`` counts what the customer asked to cancel (their short-closes, and the
  open rest of an order they cancelled): no longer owed. ``qty_short_closed`` (lines) counts
  what the seller short-closed or cancelled: still owed, never filled. Cancelled quantities
  whose origin no event tells (no events given, or events stored before ``requested_by``)
  count as no longer owed, the ledger's own reading;
* ``hold_hours`` = the hours of the union of the hold intervals between receipt and the
  order's delivery (or `as_of`); overlapping holds count once;
* ``status_since`` = the last event that changed ``status``.

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

from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from ordercore._base import ARITHMETIC
from ordercore.events import (
    CaseAdvanced,
    CaseOpened,
    OrderEvent,
    QuantityDelivered,
    ShipmentDelivered,
    ShipmentDispatched,
    event_types,
)
from ordercore.ledger import LedgerField
from ordercore.lifecycle.table import MOVEMENTS
from ordercore.links import OrderRelation
from ordercore.money import minor_units
from ordercore.orders import line_net

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Sequence

    from ordercore.holds import Hold
    from ordercore.orders import Order
    from ordercore.shipments import Shipment

__all__ = [
    "CASE_COLUMNS",
    "DELIVERY_COLUMNS",
    "EVENT_COLUMNS",
    "LINE_COLUMNS",
    "ORDER_COLUMNS",
    "SURVEY_COLUMNS",
    "cases_frame",
    "deliveries_frame",
    "events_frame",
    "lifecycle_frames",
    "lines_frame",
    "orders_frame",
    "surveys_frame",
]

_ZERO: Final = Decimal(0)
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract

# What an event means for the frames. Types not listed change nothing but perhaps the status
# (a host's sub-status trigger, say), which is looked up in their `after`.
_SKIP, _OTHER, _STATUS, _APPROVED, _CANCELLED, _ENDED, _SHIPPED, _DELIVERED, _SHORT = range(9)
# A ledger movement's event means what its field means: shipments, deliveries and
# short-closes are milestones, any other movement (a new row of the table too) is skipped.
_KIND_OF_FIELD: Final[dict[LedgerField, int]] = {
    LedgerField.SHIPPED: _SHIPPED,
    LedgerField.DELIVERED: _DELIVERED,
    LedgerField.CANCELLED: _SHORT,
}
_KIND_OF_TYPE: Final[dict[str, int]] = {
    **{
        row.event.model_fields["type"].default: _KIND_OF_FIELD.get(row.moves, _SKIP)
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
        _STATUS,
    ),
    "order_approved": _APPROVED,
    "order_cancelled": _CANCELLED,
    "order_rejected": _ENDED,
    "order_expired": _ENDED,
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
            # billing in money: no frame column reads invoices or payments yet
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
            "order_merged",  # a merged order is left out of the frames (see `_Book`)
        ),
        _SKIP,
    ),
    # A shipment moves several lines at once: `_per_line` reads it as one movement per line.
    "shipment_dispatched": _SHIPPED,
    "shipment_delivered": _DELIVERED,
}


class _LineOf:
    """One line of a shipment event, read as the one-line movement it amounts to."""

    __slots__ = ("__dict__",)

    def __init__(self, fields: dict[str, Any], line_id: str, quantity: Decimal) -> None:
        self.__dict__ = {**fields, "line_id": line_id, "quantity": quantity}


class _ShippedLine(_LineOf):
    __slots__ = ()


class _DeliveredLine(_LineOf):
    __slots__ = ()


def _per_line(events: Iterable[OrderEvent]) -> Iterable[OrderEvent | _LineOf]:
    """The events, with each shipment event read as one movement per line it moves."""
    for event in events:
        cls = type(event)
        if cls is ShipmentDispatched:
            fields = event.__dict__
            for line in fields["shipment"].lines:
                yield _ShippedLine(fields, line.line_id, line.quantity)
        elif cls is ShipmentDelivered:
            fields = event.__dict__
            for line_id, quantity in fields["lines"]:
                yield _DeliveredLine(fields, line_id, quantity)
        else:
            yield event


# The same by class: `type(event)` reads only the object's header, where its `type` field
# would cost a walk through its fields (most events are skipped on that look alone).
_KIND_OF_CLASS: Final[dict[type[OrderEvent | _LineOf], int]] = {
    **{
        cls: _KIND_OF_TYPE[name]
        for name, cls in event_types().items()
        if name in _KIND_OF_TYPE and cls not in (ShipmentDispatched, ShipmentDelivered)
    },
    _ShippedLine: _SHIPPED,
    _DeliveredLine: _DELIVERED,
}

ORDER_COLUMNS: Final = (
    "order_id",
    "customer_id",
    "channel",
    "channel_detail",
    "received_at",
    "owner_id",
    "status",
    "status_since",
    "approved_at",
    "requested_at",
    "promised_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "cancelled_by",
    "hold_hours",
    "hold_since",
    "qty_ordered",
    "qty_cancelled",
    "qty_delivered",
    "value",
    "risk_level",
)
"""The columns of `orders_frame`, in order (``risk_level``: `Order.risk_level`, for supervision)."""
LINE_COLUMNS: Final = (
    "order_id",
    "line_id",
    "sku",
    "qty_ordered",
    "qty_cancelled",
    "qty_short_closed",
    "qty_shipped_first",
    "qty_shipped",
    "qty_delivered",
    "qty_returned",
    "value",
    "received_at",
    "approved_at",
    "requested_at",
    "promised_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "cancelled_by",
)
"""The columns of `lines_frame`, in order (``qty_shipped_first`` only with events)."""
EVENT_COLUMNS: Final = (
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
"""The columns of `events_frame`, in order."""
DELIVERY_COLUMNS: Final = (
    "delivery_id",
    "order_id",
    "delivered_at",
    "line_id",
    "shipped_at",
    "qty",
    "has_proof",
)
"""The columns of `deliveries_frame`, in order (no ``qty_damaged``: see `deliveries_frame`)."""

SURVEY_COLUMNS: Final = (
    "survey_id",
    "kind",
    "sent_at",
    "score",
    "order_id",
    "owner_id",
    "channel",
    "customer_id",
    "responded_at",
)
"""The columns of `surveys_frame`, in order."""
CASE_COLUMNS: Final = (
    "order_id",
    "case_id",
    "kind",
    "opened_at",
    "line_id",
    "sku",
    "status",
    "quantity",
    "condition",
    "root_cause",
    "root_cause_at",
    "closed_at",
    "replacement_shipment_id",
    "replacement_planned_at",
    "replacement_delivered_at",
    "customer_id",
    "owner_id",
    "channel",
)
"""The columns of `cases_frame`, in order."""


_NEVER: Final = 1 << 62  # a version later than any


class _Line:
    """What the events tell about one line: its shipments, deliveries and short-closes.

    The class attributes are the defaults, so that making one runs no `__init__` (there are
    millions); an instance holds what its events set.
    """

    shipped_at: dt.datetime | None = None  # the last shipment
    shipped_v: int = -1
    first_qty: Decimal = _ZERO  # the first shipment's quantity
    first_v: int = _NEVER
    delivered_at: dt.datetime | None = None  # the last delivery
    delivered_v: int = -1
    seller: Decimal = _ZERO  # short-closed by the seller
    cut_at: dt.datetime | None = None  # the last short-close, and who asked
    cut_by: str | None = None
    cut_v: int = -1


class _Trail:
    """What the events tell about one order (defaults as for `_Line`)."""

    approved_at: dt.datetime | None = None  # the first approval
    approved_v: int = _NEVER
    ended_at: dt.datetime | None = None  # cancelled, rejected or expired
    ended_by: str | None = None
    status_at: dt.datetime | None = None  # the last change of status
    status_v: int = -1
    shipped_at: dt.datetime | None = None  # the last shipment of any line
    shipped_v: int = -1
    delivered_at: dt.datetime | None = None  # the last delivery of any line
    delivered_v: int = -1
    seller: Decimal = _ZERO  # short-closed by the seller, over all lines


_NO_TRAIL: Final = _Trail()
_NO_LINE: Final = _Line()

# Entities are read through their `__dict__`, several fields at a time: a pydantic model's
# attribute access goes through its `__getattr__` hook, several times slower than a dict
# lookup, and these loops read a dozen fields of every event, order and line.
_EVENT_FIELDS: Final = itemgetter("order_id", "order_version", "at")
_ORDER_FIELDS: Final = itemgetter(
    "order_id",
    "currency",
    "received_at",
    "requested_delivery_at",
    "promised_delivery_at",
    "lines",
    "holds",
)
_ORDER_TAGS: Final = itemgetter("customer", "channel", "owner", "status")
_LINE_FIELDS: Final = itemgetter("line_id", "quantity", "ledger", "unit_price", "discount_rate")
_LEDGER_FIELDS: Final = itemgetter("cancelled", "shipped", "delivered")


def _party(fields: dict[str, Any]) -> str | None:
    party = fields.get("requested_by")
    return None if party is None else str(party._value_)


def _trails(  # noqa: C901, PLR0912, PLR0915 - one pass, one branch per kind of event
    events: Iterable[OrderEvent] | None, lines: dict[tuple[str, str], _Line] | None = None
) -> dict[str, _Trail]:
    """One pass over the events: what each order's trail tells the frames.

    With `lines`, also what they tell about each line, by ``(order_id, line_id)``.
    """
    trails: dict[str, _Trail] = {}
    if events is None:
        return trails
    find = trails.get
    by_class = _KIND_OF_CLASS.get
    for event in _per_line(events):
        kind = by_class(type(event))
        if kind == _SKIP:
            continue
        fields = event.__dict__
        if kind is None:
            kind = _KIND_OF_TYPE.get(fields["type"], _OTHER)
            if kind == _SKIP or (kind == _OTHER and "status" not in fields["after"]):
                continue
        order_id, version, at = _EVENT_FIELDS(fields)
        trail = find(order_id)
        if trail is None:
            trail = trails[order_id] = _Trail()
        if kind < _SHIPPED:  # a change of status (the commonest kind first)
            if version >= trail.status_v:
                trail.status_v = version
                trail.status_at = at
            if kind == _STATUS or kind == _OTHER:  # noqa: PLR1714, SIM109 - two int tests beat a tuple
                continue
            if kind == _APPROVED:
                if version < trail.approved_v:
                    trail.approved_v = version
                    trail.approved_at = at
            elif kind == _CANCELLED:
                trail.ended_at, trail.ended_by = at, _party(fields)
            else:
                trail.ended_at, trail.ended_by = at, "seller"
            continue
        line = _NO_LINE
        if lines is not None:
            key = (order_id, fields["line_id"])
            line = lines.get(key, _NO_LINE)
            if line is _NO_LINE:
                line = lines[key] = _Line()
        if kind == _DELIVERED:
            if version >= trail.delivered_v:
                trail.delivered_v = version
                trail.delivered_at = at
            if line is not _NO_LINE and version >= line.delivered_v:
                line.delivered_v = version
                line.delivered_at = at
        elif kind == _SHIPPED:
            if version >= trail.shipped_v:
                trail.shipped_v = version
                trail.shipped_at = at
            if line is not _NO_LINE:
                if version >= line.shipped_v:
                    line.shipped_v = version
                    line.shipped_at = at
                if version < line.first_v:
                    line.first_v = version
                    line.first_qty = fields["quantity"]
        else:
            party = _party(fields)
            if party == "seller":
                trail.seller = _add(trail.seller, fields["quantity"])
            if line is not _NO_LINE:
                if party == "seller":
                    line.seller = _add(line.seller, fields["quantity"])
                if version >= line.cut_v:
                    line.cut_v, line.cut_at, line.cut_by = version, at, party
    return trails


def _hold_hours(
    holds: Sequence[Hold], start: dt.datetime, stop: dt.datetime | None, as_of: dt.datetime | None
) -> float:
    """Hours of the union of the hold intervals within [start, stop]."""
    spans = []
    for hold in holds:
        end = hold.released_at or as_of
        if end is None:
            continue  # active, and no as_of to count it up to
        if stop is not None and end > stop:
            end = stop
        begin = max(hold.placed_at, start)
        if end > begin:
            spans.append((begin, end))
    spans.sort()
    total = 0.0
    reach: dt.datetime | None = None
    for begin, end in spans:
        if reach is not None and begin < reach:
            begin = reach  # noqa: PLW2901 - the part not yet counted
        if end > begin:
            total += (end - begin).total_seconds()
            reach = end
    return total / 3600


class _Quanta(dict[str, Decimal]):
    """The minor unit of each currency, computed once."""

    def __missing__(self, currency: str) -> Decimal:
        quantum = self[currency] = Decimal(1).scaleb(-minor_units(currency), ARITHMETIC)
        return quantum


def _merged_away(order: Order) -> bool:
    return any(link.relation is OrderRelation.MERGED_INTO for link in order.links)


class _Book:
    """Orders with their trails, turned into the rows of the orders and lines frames.

    Per line: *open* = ordered − cancelled (the ledger); *seller* = what the seller
    short-closed; the rest of the cancelled quantity is no longer owed. When the order was
    cancelled as a whole, its open rest goes to the seller's side if the seller cancelled,
    else to what is no longer owed. The orders frame sums the lines.
    """

    def __init__(
        self, orders: Iterable[Order], events: Iterable[OrderEvent] | None, *, lines: bool
    ) -> None:
        # A merged order's lines are counted on the order it merged into: it is left out.
        self.orders = [o for o in orders if not o.links or not _merged_away(o)]
        self.lines: dict[tuple[str, str], _Line] | None = {} if lines else None
        self.trails = _trails(events, self.lines)
        self.with_events = events is not None
        self.quanta = _Quanta()

    def order_rows(self, as_of: dt.datetime | None) -> list[tuple[Any, ...]]:  # noqa: C901 - the hot loop, kept flat
        rows: list[tuple[Any, ...]] = []
        find = self.trails.get
        quanta = self.quanta
        for order in self.orders:
            fields = order.__dict__
            order_id, currency, received, requested, promised, lines, holds = _ORDER_FIELDS(fields)
            trail = find(order_id, _NO_TRAIL)
            ended_at, by = trail.ended_at, trail.ended_by
            everything = ended_at is not None and by != "seller"  # nothing owed any more
            quantum = quanta[currency]
            ordered = gone = delivered = value = _ZERO
            counts = shipping = delivering = False
            for entity in lines:
                _, quantity, ledger, price, discount = _LINE_FIELDS(entity.__dict__)
                cancelled, shipped, got = _LEDGER_FIELDS(ledger.__dict__)
                open_ = _subtract(quantity, cancelled) if cancelled else quantity
                ordered = _add(ordered, quantity)
                if everything:
                    gone = _add(gone, quantity)
                elif cancelled:
                    gone = _add(gone, cancelled)
                if got:
                    delivered = _add(delivered, got)
                value = _add(value, line_net(open_, price.__dict__["amount"], discount, quantum))
                if open_ > 0:
                    counts = True
                    if shipped < open_:
                        shipping = True
                    if got < open_:
                        delivering = True
            if trail.seller:
                gone = _subtract(gone, trail.seller)  # still owed: the seller's shortfall
            shipped_at = trail.shipped_at if counts and not shipping else None
            delivered_at = trail.delivered_at if counts and not delivering else None
            hours, hold_since = 0.0, None
            if holds:
                hours = _hold_hours(holds, received, delivered_at or as_of, as_of)
                active = [h.placed_at for h in holds if h.released_at is None]
                hold_since = min(active) if active else None
            customer, channel, owner, status = _ORDER_TAGS(fields)
            rows.append(
                (
                    order_id,
                    customer.__dict__["customer_id"],
                    channel._value_,
                    fields["channel_detail"],
                    received,
                    None if owner is None else owner.__dict__["staff_id"],
                    status._value_,
                    trail.status_at,
                    trail.approved_at,
                    requested,
                    promised,
                    shipped_at,
                    delivered_at,
                    ended_at,
                    None if ended_at is None else by,
                    hours,
                    hold_since,
                    ordered,
                    gone,
                    delivered,
                    value,
                    fields["risk_level"],
                )
            )
        return rows

    def line_rows(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        find = self.trails.get
        marks_of = (self.lines or {}).get
        quanta = self.quanta
        for order in self.orders:
            fields = order.__dict__
            order_id, currency, received, requested, promised, lines, _ = _ORDER_FIELDS(fields)
            trail = find(order_id, _NO_TRAIL)
            ended_at, by, approved = trail.ended_at, trail.ended_by, trail.approved_at
            quantum = quanta[currency]
            for entity in lines:
                line = entity.__dict__
                line_id, quantity, ledger, price, discount = _LINE_FIELDS(line)
                cancelled, shipped, got = _LEDGER_FIELDS(ledger.__dict__)
                marks = marks_of((order_id, line_id), _NO_LINE)
                open_ = _subtract(quantity, cancelled) if cancelled else quantity
                seller = marks.seller
                not_owed = _subtract(cancelled, seller) if seller else cancelled
                cut_at, cut_by = None, None
                if ended_at is not None and open_ > 0:  # cancelled with the whole order
                    cut_at, cut_by = ended_at, by
                    if by == "seller":
                        seller = _add(seller, open_)
                    else:
                        not_owed = _add(not_owed, open_)
                elif open_ <= 0:  # short-closed to nothing
                    cut_at = marks.cut_at
                    cut_by = "seller" if seller else marks.cut_by
                rows.append(
                    (
                        order_id,
                        line_id,
                        line["sku"],
                        quantity,
                        not_owed,
                        seller,
                        marks.first_qty,
                        shipped,
                        got,
                        ledger.__dict__["returned"],
                        line_net(open_, price.__dict__["amount"], discount, quantum),
                        received,
                        approved,
                        line["requested_delivery_at"] or requested,
                        promised,
                        marks.shipped_at if open_ > 0 and shipped >= open_ else None,
                        marks.delivered_at if open_ > 0 and got >= open_ else None,
                        cut_at,
                        None if cut_at is None else cut_by,
                    )
                )
        return rows


def _stamps(values: Sequence[Any]) -> Any:
    """Timezone-aware datetimes (or None) as a UTC microsecond datetime array."""
    import pandas as pd  # noqa: PLC0415

    try:
        index = pd.DatetimeIndex(list(values))  # the fast path: one UTC offset throughout
    except (TypeError, ValueError):
        index = pd.DatetimeIndex(pd.to_datetime(list(values), utc=True))  # mixed offsets
    if index.tz is None:  # only missing values (timestamps are never naive)
        index = index.tz_localize("UTC")
    return index.tz_convert("UTC").as_unit("us")


def _floats(values: Sequence[Any]) -> Any:
    """Decimals, floats or None as float64: each distinct value is converted once."""
    import numpy as np  # noqa: PLC0415

    table = {value: np.nan if value is None else float(value) for value in dict.fromkeys(values)}
    return np.fromiter(map(table.__getitem__, values), dtype="float64", count=len(values))


def _frame(
    rows: list[tuple[Any, ...]],
    columns: Sequence[str],
    *,
    stamps: Iterable[str] = (),
    numbers: Iterable[str] = (),
    integers: Iterable[str] = (),
) -> Any:
    """A pandas frame from row tuples, built column by column (strings for the rest)."""
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    stamps, numbers, integers = set(stamps), set(numbers), set(integers)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    data: dict[str, Any] = {}
    for name, column in zip(columns, values, strict=True):
        if name in stamps:
            data[name] = _stamps(column)
        elif name in numbers:
            data[name] = _floats(column)
        elif name in integers:
            data[name] = np.array(column, dtype="int64")
        else:
            data[name] = pd.array(column, dtype="str")
    return pd.DataFrame(data, columns=list(columns))


_ORDER_STAMPS: Final = (
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
_ORDER_NUMBERS: Final = ("hold_hours", "qty_ordered", "qty_cancelled", "qty_delivered", "value")
_LINE_STAMPS: Final = (
    "received_at",
    "approved_at",
    "requested_at",
    "promised_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
)
_LINE_NUMBERS: Final = tuple(c for c in LINE_COLUMNS if c.startswith("qty_") or c == "value")


def _orders(book: _Book, as_of: dt.datetime | None) -> Any:
    rows = book.order_rows(as_of)
    return _frame(rows, ORDER_COLUMNS, stamps=_ORDER_STAMPS, numbers=_ORDER_NUMBERS)


def _lines(book: _Book) -> Any:
    frame = _frame(book.line_rows(), LINE_COLUMNS, stamps=_LINE_STAMPS, numbers=_LINE_NUMBERS)
    # only the events know the first shipment: without them there is no such column
    return frame if book.with_events else frame.drop(columns="qty_shipped_first")


def orders_frame(
    orders: Iterable[Order],
    events: Iterable[OrderEvent] | None = None,
    *,
    as_of: dt.datetime | None = None,
) -> Any:
    """The orders frame (pandas) of some orders, with milestones from their events if given.

    Args:
        orders: The orders, as they stand.
        events: Their events, in any order (each order's are ordered by version).
        as_of: The moment the data stands for: an active hold counts up to it (and not at
            all without it).

    Returns:
        One row per order, in the columns `ORDER_COLUMNS`.
    """
    return _orders(_Book(orders, events, lines=False), as_of)


def lines_frame(orders: Iterable[Order], events: Iterable[OrderEvent] | None = None) -> Any:
    """The lines frame (pandas): one row per line with its ledger, milestones and origin.

    Args:
        orders: The orders, as they stand.
        events: Their events, in any order. Without them the milestones are null, every
            cancelled quantity counts as no longer owed, and there is no
            ``qty_shipped_first`` (the line's first shipment, for first-time fill).

    Returns:
        One row per line, in the columns `LINE_COLUMNS`.
    """
    return _lines(_Book(orders, events, lines=True))


def events_frame(events: Iterable[OrderEvent]) -> Any:
    """The events frame (pandas) of lifecycle events, in the order given."""
    rows: list[tuple[Any, ...]] = []
    for event in events:
        fields = event.__dict__
        actor = fields["actor"].__dict__
        rows.append(
            (
                fields["event_id"],
                fields["order_id"],
                fields["order_version"],
                fields["type"],
                fields["at"],
                fields["before"].get("status"),
                fields["after"].get("status"),
                actor["id"],
                actor["kind"]._value_,
                fields["reason"],
            )
        )
    return _frame(rows, EVENT_COLUMNS, stamps=("at",), integers=("version",))


def deliveries_frame(orders: Iterable[Order], events: Iterable[OrderEvent]) -> Any:
    """The deliveries frame (pandas): one row per line of each delivery the trails record.

    A shipment's confirmation (`ShipmentDelivered`) gives a row per line it confirms, with
    the shipment's dispatch as ``shipped_at`` and ``has_proof`` true when the confirmation
    named a proof of delivery; a plain `Deliver` gives a row with ``shipped_at`` and
    ``has_proof`` null (nothing on file). There is no ``qty_damaged`` column: a delivery
    confirmation records no damage (the after-sales cases do, in `cases_frame`), so a KPI
    that needs it refuses the frame rather than reading a guess. Only events of the given
    orders count.

    Args:
        orders: The orders, as they stand (their shipments).
        events: Their events, in any order.

    Returns:
        One row per delivered line, in the columns `DELIVERY_COLUMNS`, passing
        `check_frame` as the ``deliveries`` frame.
    """
    import pandas as pd  # noqa: PLC0415

    dispatched = {
        (order.order_id, shipment.shipment_id): shipment.dispatched_at
        for order in orders
        for shipment in order.shipments
    }
    known = {order_id for order_id, _ in dispatched} | {
        order.order_id for order in orders if not order.shipments
    }
    rows: list[tuple[Any, ...]] = []
    proofs: list[bool | None] = []
    for event in events:
        kind = type(event)  # the class alone: most events are not deliveries
        if (kind is not ShipmentDelivered and kind is not QuantityDelivered) or (
            event.order_id not in known
        ):
            continue
        if isinstance(event, ShipmentDelivered):
            shipped = dispatched.get((event.order_id, event.shipment_id))
            for line_id, quantity in event.lines:
                key = f"{event.event_id}/{line_id}"
                rows.append((key, event.order_id, event.at, line_id, shipped, quantity))
                proofs.append(event.proof_of_delivery is not None)
        elif isinstance(event, QuantityDelivered):
            rows.append(
                (
                    event.event_id,
                    event.order_id,
                    event.at,
                    event.line_id,
                    None,
                    event.quantity,
                )
            )
            proofs.append(None)
    frame = _frame(
        [(*row, None) for row in rows],  # has_proof: set below, with nulls kept
        DELIVERY_COLUMNS,
        stamps=("delivered_at", "shipped_at"),
        numbers=("qty",),
    )
    frame["has_proof"] = pd.array(proofs, dtype="boolean")
    return frame


def surveys_frame(orders: Iterable[Order]) -> Any:
    """The surveys frame (pandas) of the feedback collected when closing the orders.

    One CSAT survey (1 to 5) per order with feedback: ``sent_at`` is when the feedback was
    recorded, and ``responded_at`` too when it has a score. A waived feedback, or one recorded
    without a score, is a survey without an answer (null ``score``). Orders without feedback
    have no row.

    Examples:
        >>> from ordercore.testing.book import synthetic_book
        >>> frame = surveys_frame(synthetic_book(orders=40, seed=3).orders)
        >>> sorted(frame["kind"].unique()), frame["score"].between(1, 5).sum() > 0
        (['csat'], np.True_)
    """
    rows: list[tuple[Any, ...]] = []
    for order in orders:
        feedback = order.feedback
        if feedback is None:
            continue
        owner = order.owner
        score = None if feedback.waived else feedback.score
        rows.append(
            (
                f"{order.order_id}:feedback",
                "csat",
                feedback.recorded_at,
                score,
                order.order_id,
                None if owner is None else owner.staff_id,
                order.channel.value,
                order.customer.customer_id,
                None if score is None else feedback.recorded_at,
            )
        )
    return _frame(rows, SURVEY_COLUMNS, stamps=("sent_at", "responded_at"), numbers=("score",))


def _replacement(shipment: Shipment | None) -> tuple[Any, ...]:
    """A case's replacement shipment: its id, planned and actual delivery (nulls if none)."""
    if shipment is None:
        return (None, None, None)
    return (shipment.shipment_id, shipment.planned_delivery_at, shipment.delivered_at)


def cases_frame(orders: Iterable[Order], events: Iterable[OrderEvent] | None = None) -> Any:
    """The cases frame (pandas): one row per after-sales case, with its root cause.

    Args:
        orders: The orders, as they stand (their `cases`).
        events: Their events; they give ``root_cause_at``, when the root cause was first
            recorded (by the case's opening or a later step), null without them.

    An exchange's replacement shipment (`Dispatch(case_id=...)`) gives
    ``replacement_shipment_id``, ``replacement_planned_at`` and
    ``replacement_delivered_at``: a late replacement is one delivered after its plan.

    Returns:
        One row per case, in the columns `CASE_COLUMNS`.
    """
    found: dict[tuple[str, str], dt.datetime] = {}
    for event in events or ():
        kind = type(event)  # the class alone: most events are not about cases
        if kind is CaseOpened or kind is CaseAdvanced:
            case_id, cause = (
                (event.case.case_id, event.case.root_cause)  # type: ignore[attr-defined]
                if kind is CaseOpened
                else (event.case_id, event.root_cause)  # type: ignore[attr-defined]
            )
            if cause is not None:
                key = (event.order_id, case_id)
                found[key] = min(found.get(key, event.at), event.at)
    rows: list[tuple[Any, ...]] = []
    for order in orders:
        if not order.cases:
            continue
        owner = order.owner
        skus = {line.line_id: line.sku for line in order.lines}
        replacements = {s.case_id: s for s in order.shipments if s.case_id is not None}
        rows.extend(
            (
                order.order_id,
                case.case_id,
                case.kind.value,
                case.opened_at,
                case.line_id,
                skus.get(case.line_id),
                case.status.value,
                case.quantity,
                None if case.condition is None else case.condition.value,
                None if case.root_cause is None else case.root_cause.value,
                found.get((order.order_id, case.case_id)),
                case.closed_at,
                *_replacement(replacements.get(case.case_id)),
                order.customer.customer_id,
                None if owner is None else owner.staff_id,
                order.channel.value,
            )
            for case in order.cases
        )
    return _frame(
        rows,
        CASE_COLUMNS,
        stamps=(
            "opened_at",
            "root_cause_at",
            "closed_at",
            "replacement_planned_at",
            "replacement_delivered_at",
        ),
        numbers=("quantity",),
    )


def lifecycle_frames(
    orders: Iterable[Order],
    events: Iterable[OrderEvent],
    *,
    as_of: dt.datetime | None = None,
) -> dict[str, Any]:
    """Every frame the lifecycle gives, reading the events once for orders and lines.

    Args:
        orders: The orders, as they stand.
        events: Their events, in any order.
        as_of: As for `orders_frame`.

    Returns:
        The ``orders``, ``lines``, ``events``, ``surveys``, ``cases`` and ``deliveries``
        frames (pandas).
    """
    events = list(events)
    book = _Book(orders, events, lines=True)
    return {
        "orders": _orders(book, as_of),
        "lines": _lines(book),
        "events": events_frame(events),
        "surveys": surveys_frame(book.orders),
        "cases": cases_frame(book.orders, events),
        "deliveries": deliveries_frame(book.orders, events),
    }
