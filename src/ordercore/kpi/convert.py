"""Frames from entities and events, so a host using the lifecycle gets KPIs for free.

Quantities and amounts become floats (the KPI frames are statistics, not books); timestamps
stay timezone-aware (UTC, microseconds). The moments of an order's trail (approval,
shipment, delivery, cancellation, and who asked for it) come from the order itself when it
carries its milestones (`Order.milestones`, which the lifecycle keeps from `create` on, by
the rules below): the orders frame then reads no event at all. For orders without them
(built by hand, or stored before the field existed), and for the lines' own moments, pass
the events (any iterable of `ordercore.events.OrderEvent`, in any order: each order's
events are ordered by their `order_version`). The rules, which
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

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal, DecimalException
from functools import cache
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, Final

from ordercore._base import ARITHMETIC, ROUNDING
from ordercore.errors import InvalidArgument
from ordercore.events import (
    CaseAdvanced,
    CaseOpened,
    OrderEvent,
    QuantityDelivered,
    ShipmentDelivered,
    ShipmentDispatched,
)

# What an event means for the frames: the milestones' own table (one definition of the rules,
# which the lifecycle folds into the orders that carry their milestones).
from ordercore.lifecycle._marks import (
    APPROVED,
    CANCELLED,
    DELIVERED,
    ENDED,
    KIND_OF_CLASS,
    SHIPPED,
    SHORT,
    SKIP,
    SPLIT,
    STATUS,
    UNKNOWN,
    kind_by_type,
)
from ordercore.lifecycle._marks import (
    party as _party,
)
from ordercore.links import OrderRelation
from ordercore.money import minor_units
from ordercore.orders import Order, line_net, line_sums
from ordercore.totals import TOTAL_FIELDS
from ordercore.upcasting import collector_paused

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore.holds import Hold
    from ordercore.milestones import Milestones
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
_ONE: Final = Decimal(1)
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply


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


class _Marks:
    """What the events tell the frames: one list per mark, by order code and by line slot.

    An order's code is its place in the book (the last of its id's orders, should ids
    repeat); a line's slot is given to each (code, line id) the events move. A milestone is
    the event with the highest version (the lowest for approval and a line's first
    shipment), the later one read on a tie; a cancellation is the last one read. The few
    cancelled, rejected or expired orders and short-closed lines are in dicts.
    """

    def __init__(self, size: int) -> None:
        self.status_v = [-1] * size  # the last change of status
        self.status_at: list[dt.datetime | None] = [None] * size
        self.approved_v = [_NEVER] * size  # the first approval
        self.approved_at: list[dt.datetime | None] = [None] * size
        self.shipped_v = [-1] * size  # the last shipment of any line
        self.shipped_at: list[dt.datetime | None] = [None] * size
        self.delivered_v = [-1] * size  # the last delivery of any line
        self.delivered_at: list[dt.datetime | None] = [None] * size
        self.ended: dict[int, tuple[dt.datetime, str | None]] = {}  # cancelled, and who asked
        self.seller: dict[int, Decimal] = {}  # short-closed by the seller, over all lines
        self.slots: dict[tuple[int, str], int] = {}
        self.line_shipped_v: list[int] = []  # the line's last shipment
        self.line_shipped_at: list[dt.datetime | None] = []
        self.first_v: list[int] = []  # the line's first shipment, and its quantity
        self.first_qty: list[Decimal] = []
        self.line_delivered_v: list[int] = []  # the line's last delivery
        self.line_delivered_at: list[dt.datetime | None] = []
        self.line_seller: dict[int, Decimal] = {}  # short-closed by the seller
        self.cut: dict[int, tuple[int, dt.datetime, str | None]] = {}  # the last short-close

    def carry(self, carried: Iterable[tuple[int, Milestones]]) -> None:
        """The marks of orders that carry their milestones, by code."""
        for code, milestones in carried:
            fields = milestones.__dict__
            self.status_at[code] = fields["status_since"]
            self.approved_at[code] = fields["approved_at"]
            self.shipped_at[code] = fields["shipped_at"]
            self.delivered_at[code] = fields["delivered_at"]
            ended_at = fields["ended_at"]
            if ended_at is not None:
                self.ended[code] = (ended_at, fields["ended_by"])
            else:
                self.ended.pop(code, None)
            if fields["seller_cut"]:
                self.seller[code] = fields["seller_cut"]
            else:
                self.seller.pop(code, None)

    def slot(self, code: int, line_id: str) -> int:
        """The slot of a line, given on its first movement."""
        key = (code, line_id)
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = len(self.slots)
            self.line_shipped_v.append(-1)
            self.line_shipped_at.append(None)
            self.first_v.append(_NEVER)
            self.first_qty.append(_ZERO)
            self.line_delivered_v.append(-1)
            self.line_delivered_at.append(None)
        return slot

    def move(
        self,
        kind: int,
        code: int,
        version: int,
        at: dt.datetime,
        *,
        line_id: str | None,
        quantity: Decimal | None,
    ) -> None:
        """A shipment or delivery of one line (`line_id` None: the order's marks only).

        `_read_events` does the same inline for the one-line movements.
        """
        if kind == SHIPPED:
            if version >= self.shipped_v[code]:
                self.shipped_v[code], self.shipped_at[code] = version, at
            if line_id is not None:
                slot = self.slot(code, line_id)
                if version >= self.line_shipped_v[slot]:
                    self.line_shipped_v[slot], self.line_shipped_at[slot] = version, at
                if version < self.first_v[slot]:
                    self.first_v[slot], self.first_qty[slot] = version, quantity or _ZERO
        else:
            if version >= self.delivered_v[code]:
                self.delivered_v[code], self.delivered_at[code] = version, at
            if line_id is not None:
                slot = self.slot(code, line_id)
                if version >= self.line_delivered_v[slot]:
                    self.line_delivered_v[slot], self.line_delivered_at[slot] = version, at

    def status(self, kind: int, code: int, version: int, at: dt.datetime) -> None:
        """A change of status; an approval also is the commitment (`_read_events` inlines it)."""
        if version >= self.status_v[code]:
            self.status_v[code], self.status_at[code] = version, at
        if kind == APPROVED and version < self.approved_v[code]:
            self.approved_v[code], self.approved_at[code] = version, at

    def rare(  # noqa: C901, PLR0912 - one branch per kind of rare event
        self,
        kind: int,
        code: int,
        event: OrderEvent,
        fields: dict[str, Any],
        *,
        lines: bool,
    ) -> None:
        """Events of the rarer kinds: cancellations, short-closes, shipments, unknown classes."""
        version, at = fields["order_version"], fields["at"]
        if kind == UNKNOWN:  # a class the table does not know: its type says
            kind = kind_by_type(fields)
            if kind == SKIP:
                return
            if kind in (SHIPPED, DELIVERED):
                line_id = fields["line_id"] if lines else None
                quantity = fields["quantity"] if lines and kind == SHIPPED else None
                self.move(kind, code, version, at, line_id=line_id, quantity=quantity)
                return
        if kind == SPLIT:  # a shipment moves several lines at once: one movement each
            if type(event) is ShipmentDispatched:
                moves = [(line.line_id, line.quantity) for line in fields["shipment"].lines]
                kind = SHIPPED
            else:
                moves, kind = list(fields["lines"]), DELIVERED
            for line_id, quantity in moves:
                self.move(
                    kind, code, version, at, line_id=line_id if lines else None, quantity=quantity
                )
        elif kind == SHORT:
            party = _party(fields)
            if party == "seller":
                self.seller[code] = _add(self.seller.get(code, _ZERO), fields["quantity"])
            if lines:
                slot = self.slot(code, fields["line_id"])
                if party == "seller":
                    seller = self.line_seller.get(slot, _ZERO)
                    self.line_seller[slot] = _add(seller, fields["quantity"])
                cut = self.cut.get(slot)
                if cut is None or version >= cut[0]:
                    self.cut[slot] = (version, at, party)
        else:  # a change of status
            self.status(kind, code, version, at)
            if kind == CANCELLED:
                self.ended[code] = (at, _party(fields))
            elif kind == ENDED:
                self.ended[code] = (at, "seller")


# Entities are read through their `__dict__`, several fields at a time: a pydantic model's
# attribute access goes through its `__getattr__` hook, several times slower than a dict
# lookup, and these loops read a dozen fields of every event, order and line.
_EVENT_FIELDS: Final = itemgetter("order_id", "order_version", "at")
_ORDER_FIELDS: Final = itemgetter("order_id", "currency", "received_at", "lines", "holds")
_LINE_FIELDS: Final = itemgetter("line_id", "quantity", "ledger", "unit_price", "discount_rate")
_LEDGER_FIELDS: Final = itemgetter("cancelled", "shipped", "delivered")
_TOTALS: Final = itemgetter(*TOTAL_FIELDS)
_DICT: Final = attrgetter("__dict__")
_VALUE: Final = attrgetter("_value_")
_CUSTOMER: Final = itemgetter("customer")
_CUSTOMER_ID: Final = itemgetter("customer_id")
_CHANNEL: Final = itemgetter("channel")
_STATUS: Final = itemgetter("status")


def _read_events(  # noqa: C901, PLR0912, PLR0915 - the hot loop, kept flat
    events: Iterable[OrderEvent] | None,
    codes_of: dict[str, int],
    size: int,
    *,
    lines: bool,
    read: tuple[Sequence[str], Sequence[int], Sequence[dt.datetime]] | None = None,
) -> _Marks:
    """One pass over the events: what they tell each order (by code) and, with `lines`, line.

    The commonest kinds (changes of status, one-line shipments and deliveries) are handled
    inline, the rest by `_Marks.rare`. `read`, the events' order ids, versions and moments
    when the events frame reads them too, saves reading them again.
    """
    marks = _Marks(size)
    if events is None:
        return marks
    status_v, status_at = marks.status_v, marks.status_at
    shipped_v, shipped_at = marks.shipped_v, marks.shipped_at
    delivered_v, delivered_at = marks.delivered_v, marks.delivered_at
    line_shipped_v, line_shipped_at = marks.line_shipped_v, marks.line_shipped_at
    first_v, first_qty = marks.first_v, marks.first_qty
    line_delivered_v, line_delivered_at = marks.line_delivered_v, marks.line_delivered_at
    slot_of, new_slot = marks.slots.get, marks.slot
    kind_of, find = KIND_OF_CLASS.__getitem__, codes_of.get
    last: object = None
    code = -1
    known_fields: Iterable[Any] = repeat(None) if read is None else zip(*read, strict=True)
    marked = zip(events, known_fields, strict=False)  # repeat(None) never ends
    for event, known in marked:
        kind = kind_of(type(event))
        if kind == SKIP:
            continue
        fields = event.__dict__
        order_id, version, at = _EVENT_FIELDS(fields) if known is None else known
        if order_id != last:  # an order's events tend to come one after the other
            last, code = order_id, find(order_id, -1)
        if code < 0:
            continue  # an order the book does not have
        if kind == STATUS:
            if version >= status_v[code]:
                status_v[code] = version
                status_at[code] = at
        elif kind == SHIPPED:  # as `_Marks.move`
            if version >= shipped_v[code]:
                shipped_v[code] = version
                shipped_at[code] = at
            if lines:
                key = (code, fields["line_id"])
                slot = slot_of(key)
                if slot is None:
                    slot = new_slot(*key)
                if version >= line_shipped_v[slot]:
                    line_shipped_v[slot] = version
                    line_shipped_at[slot] = at
                if version < first_v[slot]:
                    first_v[slot] = version
                    first_qty[slot] = fields["quantity"]
        elif kind == DELIVERED:  # as `_Marks.move`
            if version >= delivered_v[code]:
                delivered_v[code] = version
                delivered_at[code] = at
            if lines:
                key = (code, fields["line_id"])
                slot = slot_of(key)
                if slot is None:
                    slot = new_slot(*key)
                if version >= line_delivered_v[slot]:
                    line_delivered_v[slot] = version
                    line_delivered_at[slot] = at
        elif kind == APPROVED:
            marks.status(kind, code, version, at)
        else:
            marks.rare(kind, code, event, fields, lines=lines)
    return marks


def _listed(function: str, argument: str, values: object) -> list[Any]:
    """`values` as a list (read once); refused unless an iterable of entities."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        kind = "orders" if argument == "orders" else "events"
        raise InvalidArgument(
            function, argument, f"must be an iterable of {kind}, got {_short(values)}"
        )
    return values if isinstance(values, list) else list(values)


def _maybe_listed(function: str, argument: str, values: object) -> list[Any] | None:
    """As `_listed`, None staying None."""
    return None if values is None else _listed(function, argument, values)


def _moment(function: str, as_of: object) -> None:
    if as_of is not None and (not isinstance(as_of, dt.datetime) or as_of.tzinfo is None):
        raise InvalidArgument(
            function, "as_of", f"must be a timezone-aware datetime or None, got {_short(as_of)}"
        )


_SHOWN: Final = 80


def _short(value: object) -> str:
    """A value as an error message shows it (its repr, cut to `_SHOWN` characters)."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


@contextmanager
def _refusing_foreign(function: str, **inputs: list[Any] | None) -> Iterator[None]:
    """Convert with the collector paused; on a failure, name the first foreign input.

    The converters read the entities' fields directly (no check per item on the fast path);
    when something fails, the inputs are scanned once, and a foreign item is refused with
    `InvalidArgument` naming the argument and its place. A failure with only entities in
    the inputs is raised as it is.

    Every tuple, list and dict a conversion builds is dropped or handed to the frame, so
    the cyclic collector's passes during it would only walk the heap (about a tenth of
    `events_frame`'s time at 100,000 orders): it is paused for the conversion
    (`collector_paused`, which restores its state, on error too).
    """
    try:
        with collector_paused():
            yield
    except (AttributeError, TypeError, KeyError, ValueError):
        for argument, values in inputs.items():
            kind = Order if argument == "orders" else OrderEvent
            for place, value in enumerate(values or ()):
                if not isinstance(value, kind):
                    raise InvalidArgument(
                        function,
                        argument,
                        f"item {place} is {_short(value)}, not an {kind.__name__}",
                    ) from None
        raise


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


_SHARED_STAMPS: Final = {
    "received_at": "received_at",
    "approved_at": "",  # from the events
    "requested_at": "requested_delivery_at",
    "promised_at": "promised_delivery_at",
}
"""The order's timestamps both frames carry (the lines frame once per line): their fields."""
_NOT_ENDED: Final = (None, None)
_NO_CUT: Final = (-1, None, None)


def _net(open_: Decimal, price: Decimal, discount: Decimal, quantum: Decimal) -> Decimal:
    """`line_net`, inline: the same operations, and its error should one fail."""
    try:
        raw = _multiply(open_, price)
        if discount:
            raw = _multiply(raw, _subtract(_ONE, discount))
        return raw.quantize(quantum, ROUND_HALF_EVEN, ROUNDING)
    except DecimalException:
        return line_net(open_, price, discount, quantum)


def _held(
    dicts: Sequence[dict[str, Any]],
    delivered_at: Sequence[dt.datetime | None],
    as_of: dt.datetime | None,
) -> tuple[list[float], list[dt.datetime | None]]:
    """Each order's hours on hold (up to its delivery, or `as_of`) and its oldest active hold."""
    hours: list[float] = [0.0] * len(dicts)
    since: list[dt.datetime | None] = [None] * len(dicts)
    for place, holds in enumerate(map(itemgetter("holds"), dicts)):
        if holds:
            stop = delivered_at[place] or as_of
            hours[place] = _hold_hours(holds, dicts[place]["received_at"], stop, as_of)
            active = [h.placed_at for h in holds if h.released_at is None]
            since[place] = min(active) if active else None
    return hours, since


class _Book:
    """Orders with their trails, turned into the rows of the orders and lines frames.

    Per line: *open* = ordered − cancelled (the ledger); *seller* = what the seller
    short-closed; the rest of the cancelled quantity is no longer owed. When the order was
    cancelled as a whole, its open rest goes to the seller's side if the seller cancelled,
    else to what is no longer owed. The orders frame sums the lines.
    """

    def __init__(
        self,
        orders: Iterable[Order],
        events: Iterable[OrderEvent] | None,
        *,
        lines: bool,
        read: tuple[Sequence[str], Sequence[int], Sequence[dt.datetime]] | None = None,
    ) -> None:
        # A merged order's lines are counted on the order it merged into: it is left out.
        self.orders = [o for o in orders if not o.links or not _merged_away(o)]
        self.dicts = list(map(attrgetter("__dict__"), self.orders))
        ids = list(map(itemgetter("order_id"), self.dicts))
        codes_of = dict(zip(ids, range(len(ids)), strict=True))
        # an order's marks are its id's: orders that repeat an id share the last one's
        self.codes: Sequence[int] = (
            range(len(ids)) if len(codes_of) == len(ids) else [codes_of[i] for i in ids]
        )
        size = len(ids)
        # an order's milestones, where it carries them, say what its events would of the
        # order as a whole; the lines' own marks are in the events only
        carried = [
            (place, milestones)
            for place, milestones in enumerate(map(itemgetter("milestones"), self.dicts))
            if milestones is not None and self.codes[place] == place
        ]
        if lines:
            self.marks = _read_events(events, codes_of, size, lines=True, read=read)
        elif len(carried) < len(codes_of):
            unread = codes_of
            if carried:  # only the events of orders without milestones
                known = {ids[place] for place, _ in carried}
                unread = {i: code for i, code in codes_of.items() if i not in known}
            self.marks = _read_events(events, unread, size, lines=False, read=read)
        else:  # every order carries its milestones: no event read, but each is checked
            self.marks = _Marks(size)
            if events is not None and not all(
                issubclass(kind, OrderEvent) for kind in set(map(type, events))
            ):
                raise TypeError("an item of events is not an OrderEvent")  # named by the caller
        self.marks.carry(carried)
        self.with_events = events is not None
        self.quanta = _Quanta()
        self._shared: dict[str, Any] = {}

    def stamps(self, name: str) -> Any:
        """A timestamp of `_SHARED_STAMPS`, one per order, converted once for both frames."""
        if name not in self._shared:
            if name == "approved_at":
                approved = self.marks.approved_at
                values = [approved[code] for code in self.codes]
            else:
                values = list(map(itemgetter(_SHARED_STAMPS[name]), self.dicts))
            self._shared[name] = _stamps(values)
        return self._shared[name]

    def order_ids(self) -> Any:
        """The order ids as text, converted once for both frames."""
        if "order_id" not in self._shared:
            self._shared["order_id"] = _texts(list(map(itemgetter("order_id"), self.dicts)))
        return self._shared["order_id"]

    def order_columns(self, as_of: dt.datetime | None) -> dict[str, list[Any]]:
        """The columns of the orders frame but the order's own (`_SHARED_STAMPS`, the id).

        Built column by column, each read off all the orders at once (C loops over the
        orders' fields), and only the orders that need more (cancelled, short-closed, held,
        without totals) visited one by one.
        """
        dicts, codes, marks = self.dicts, self.codes, self.marks
        size = len(dicts)
        per_code = isinstance(codes, range)  # each order's marks are at its own place
        totals = list(map(itemgetter("totals"), dicts))
        if all(totals):  # every order carries its totals
            sums = list(map(_TOTALS, map(_DICT, totals)))
        else:  # an order without totals: its lines, summed by the same function
            quanta = self.quanta
            sums = [
                _TOTALS(t.__dict__)
                if t is not None
                else line_sums(fields["lines"], quanta[fields["currency"]])
                for t, fields in zip(totals, dicts, strict=True)
            ]
        if size:
            ordered, cancelled, delivered, value, open_, unshipped, undelivered = map(
                list, zip(*sums, strict=True)
            )
        else:
            ordered = cancelled = delivered = value = open_ = unshipped = undelivered = []
        # an order's marks are its code's (orders that repeat an id share the last one's)
        ended = list(map(marks.ended.get, codes, repeat(_NOT_ENDED, size)))
        gone = cancelled
        seller_of = marks.seller.get
        for place, (ended_at, by) in enumerate(ended):
            if ended_at is not None and by != "seller":  # nothing owed any more
                gone[place] = ordered[place]
        if marks.seller:
            for place, code in enumerate(codes):
                seller = seller_of(code)
                if seller:  # still owed: the seller's shortfall
                    gone[place] = _subtract(gone[place], seller)
        status_at, shipped_of, delivered_of = marks.status_at, marks.shipped_at, marks.delivered_at
        if not per_code:
            status_at = list(map(status_at.__getitem__, codes))
            shipped_of = list(map(shipped_of.__getitem__, codes))
            delivered_of = list(map(delivered_of.__getitem__, codes))
        shipped_at = [
            at if lines and not left else None
            for at, lines, left in zip(shipped_of, open_, unshipped, strict=True)
        ]
        delivered_at = [
            at if lines and not left else None
            for at, lines, left in zip(delivered_of, open_, undelivered, strict=True)
        ]
        hours, hold_since = _held(dicts, delivered_at, as_of)
        owners = map(itemgetter("owner"), dicts)
        return {
            "customer_id": list(map(_CUSTOMER_ID, map(_DICT, map(_CUSTOMER, dicts)))),
            "channel": list(map(_VALUE, map(_CHANNEL, dicts))),
            "channel_detail": list(map(itemgetter("channel_detail"), dicts)),
            "owner_id": [None if owner is None else owner.__dict__["staff_id"] for owner in owners],
            "status": list(map(_VALUE, map(_STATUS, dicts))),
            "status_since": status_at,
            "shipped_at": shipped_at,
            "delivered_at": delivered_at,
            "cancelled_at": [at for at, _ in ended],
            "cancelled_by": [None if at is None else by for at, by in ended],
            "hold_hours": hours,
            "hold_since": hold_since,
            "qty_ordered": ordered,
            "qty_cancelled": gone,
            "qty_delivered": delivered,
            "value": value,
            "risk_level": list(map(itemgetter("risk_level"), dicts)),
        }

    def line_rows(self) -> tuple[list[tuple[Any, ...]], list[int], list[dt.datetime | None]]:
        """The rows of the lines frame but the order's columns (`_SHARED_STAMPS`, the id).

        Also each line's order (its place in the book) and each line's own requested date.
        """
        rows: list[tuple[Any, ...]] = []
        at: list[int] = []
        own: list[dt.datetime | None] = []
        marks = self.marks
        ended_of, slot_of, seller_of, cut_of = (
            marks.ended.get,
            marks.slots.get,
            marks.line_seller.get,
            marks.cut.get,
        )
        shipped_of, delivered_of, first_of = (
            marks.line_shipped_at,
            marks.line_delivered_at,
            marks.first_qty,
        )
        quanta = self.quanta
        for place, (fields, code) in enumerate(zip(self.dicts, self.codes, strict=True)):
            _, currency, _, lines, _ = _ORDER_FIELDS(fields)
            ended_at, by = ended_of(code, _NOT_ENDED)
            quantum = quanta[currency]
            at.extend(repeat(place, len(lines)))
            for entity in lines:
                line = entity.__dict__
                line_id, quantity, ledger, price, discount = _LINE_FIELDS(line)
                cancelled, shipped, got = _LEDGER_FIELDS(ledger.__dict__)
                slot = slot_of((code, line_id))
                open_ = _subtract(quantity, cancelled) if cancelled else quantity
                seller = _ZERO if slot is None else seller_of(slot, _ZERO)
                not_owed = _subtract(cancelled, seller) if seller else cancelled
                cut_at, cut_by = None, None
                if ended_at is not None and open_ > 0:  # cancelled with the whole order
                    cut_at, cut_by = ended_at, by
                    if by == "seller":
                        seller = _add(seller, open_)
                    else:
                        not_owed = _add(not_owed, open_)
                elif open_ <= 0:  # short-closed to nothing
                    _, cut_at, cut_by = _NO_CUT if slot is None else cut_of(slot, _NO_CUT)
                    cut_by = "seller" if seller else cut_by
                own.append(line["requested_delivery_at"])
                rows.append(
                    (
                        line_id,
                        line["sku"],
                        quantity,
                        not_owed,
                        seller,
                        _ZERO if slot is None else first_of[slot],
                        shipped,
                        got,
                        ledger.__dict__["returned"],
                        _net(open_, price.__dict__["amount"], discount, quantum),
                        shipped_of[slot]
                        if slot is not None and open_ > 0 and shipped >= open_
                        else None,
                        delivered_of[slot]
                        if slot is not None and open_ > 0 and got >= open_
                        else None,
                        cut_at,
                        None if cut_at is None else cut_by,
                    )
                )
        return rows, at, own


def _stamps(values: Sequence[Any] | Any) -> Any:
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
    given: dict[str, Any] | None = None,
) -> Any:
    """A pandas frame from row tuples, built column by column (strings for the rest).

    The `given` columns are built already; the rows hold the others, in order.
    """
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    stamps, numbers, integers = set(stamps), set(numbers), set(integers)
    given = given or {}
    read = [name for name in columns if name not in given]
    # transposed by slicing the rows laid end to end (no iterator kept per row)
    flat = list(chain.from_iterable(rows))
    values = [flat[i :: len(read)] for i in range(len(read))]
    data: dict[str, Any] = dict(given)
    for name, column in zip(read, values, strict=True):
        if name in stamps:
            data[name] = _stamps(column)
        elif name in numbers:
            data[name] = _floats(column)
        elif name in integers:
            data[name] = np.array(column, dtype="int64")
        else:
            data[name] = _texts(column)
    return pd.DataFrame(data, columns=list(columns))


@cache
def _arrow_strings() -> bool:
    """Whether pandas' ``str`` dtype keeps its text in Arrow (pandas 3 with pyarrow)."""
    import pandas as pd  # noqa: PLC0415

    dtype = pd.api.types.pandas_dtype("str")
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _texts(values: Sequence[Any]) -> Any:
    """Text (or None) as pandas' ``str`` array, built by Arrow when pandas keeps it there."""
    import pandas as pd  # noqa: PLC0415

    if _arrow_strings():
        import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - a core dependency, imported only here

        try:
            return pd.array(pa.array(values, type=pa.large_string()), dtype="str")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass  # not all text: pandas writes each value as text
    return pd.array(values, dtype="str")


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
    import pandas as pd  # noqa: PLC0415

    data: dict[str, Any] = {name: book.stamps(name) for name in _SHARED_STAMPS}
    data["order_id"] = book.order_ids()
    for name, column in book.order_columns(as_of).items():
        if name in _ORDER_STAMPS:
            data[name] = _stamps(column)
        elif name in _ORDER_NUMBERS:
            data[name] = _floats(column)
        else:
            data[name] = _texts(column)
    return pd.DataFrame(data, columns=list(ORDER_COLUMNS))


def _lines(book: _Book) -> Any:
    import numpy as np  # noqa: PLC0415

    rows, places, own = book.line_rows()
    at = np.array(places, dtype=np.intp)
    given = {name: book.stamps(name).take(at) for name in _SHARED_STAMPS}
    given["order_id"] = book.order_ids().take(at)
    if any(requested is not None for requested in own):  # a line's own requested date
        mine = _stamps(own)
        given["requested_at"] = mine.where(mine.notna(), given["requested_at"])
    frame = _frame(rows, LINE_COLUMNS, stamps=_LINE_STAMPS, numbers=_LINE_NUMBERS, given=given)
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
        events: Their events, in any order (each order's are ordered by version). Only the
            events of orders that carry no milestones are read: an order's own milestones
            are what the lifecycle read off the same trail.
        as_of: The moment the data stands for: an active hold counts up to it (and not at
            all without it).

    Returns:
        One row per order, in the columns `ORDER_COLUMNS`.
    """
    orders = _listed("orders_frame", "orders", orders)
    events = _maybe_listed("orders_frame", "events", events)
    _moment("orders_frame", as_of)
    with _refusing_foreign("orders_frame", orders=orders, events=events):
        return _orders(_Book(orders, events, lines=False), as_of)


def lines_frame(orders: Iterable[Order], events: Iterable[OrderEvent] | None = None) -> Any:
    """The lines frame (pandas): one row per line with its ledger, milestones and origin.

    Args:
        orders: The orders, as they stand.
        events: Their events, in any order: the lines' own moments (shipment, delivery,
            short-close) and who short-closed them are read there; the order's approval and
            cancellation come from its milestones when it carries them. Without events the
            lines' moments are null, every short-closed quantity counts as no longer owed,
            and there is no ``qty_shipped_first`` (the line's first shipment, for first-time
            fill).

    Returns:
        One row per line, in the columns `LINE_COLUMNS`.
    """
    orders = _listed("lines_frame", "orders", orders)
    events = _maybe_listed("lines_frame", "events", events)
    with _refusing_foreign("lines_frame", orders=orders, events=events):
        return _lines(_Book(orders, events, lines=True))


_EVENT_ROW: Final = (
    "event_id",
    "order_id",
    "order_version",
    "type",
    "at",
    "before",
    "after",
    "actor",
    "reason",
)
_ACTOR_FIELDS: Final = itemgetter("id", "kind")


def _shared(values: Sequence[Any]) -> tuple[Any, Any]:
    """Each value's number among the distinct objects (by identity), and each one's first place.

    One command's events share their actor and their moment: each is read once.
    """
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    count = len(values)
    codes, _ = pd.factorize(np.fromiter(map(id, values), dtype=np.uint64, count=count))
    # numbered in order of first appearance: the running maximum rises at each first one
    first = np.ones(count, dtype=bool)
    if count > 1:
        np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=first[1:])
    return codes, np.flatnonzero(first)


def _event_columns(events: Sequence[OrderEvent]) -> list[list[Any]]:
    """The events' fields of the events frame (`_EVENT_ROW`), one list per field.

    One C loop reads each event's fields into a tuple and flattens it away at once (the
    next tuple reuses its memory); every field's column is then a slice. Keeping a tuple per
    event would not do: it holds the event's summaries and actor, objects the garbage
    collector tracks, and millions of them set off its full passes over the caller's whole
    heap, which cost more than the reading.
    """
    fields = itemgetter(*_EVENT_ROW)
    flat = list(chain.from_iterable(map(fields, map(attrgetter("__dict__"), events))))
    width = len(_EVENT_ROW)
    return [flat[i::width] for i in range(width)]


def _events(columns: Sequence[Sequence[Any]]) -> Any:
    """The events frame from `_event_columns`."""
    import numpy as np  # noqa: PLC0415

    ids, order_ids, versions, types, moments, before, after, actors, reasons = columns
    count = len(ids)
    codes, first = _shared(actors)
    who = [_ACTOR_FIELDS(actors[i].__dict__) for i in first.tolist()]
    actor_ids = np.array([None, *(a for a, _ in who)], dtype=object)[1:][codes]
    actor_kinds = np.array([None, *(k._value_ for _, k in who)], dtype=object)[1:][codes]
    codes, first = _shared(moments)
    distinct = np.empty(len(first), dtype=object)
    distinct[:] = [moments[i] for i in first.tolist()]
    data = {
        "event_id": _texts(ids),
        "order_id": _texts(order_ids),
        "version": np.fromiter(versions, dtype="int64", count=count),
        "event_type": _texts(types),
        "at": _stamps(distinct).take(codes),
        "status_before": _texts(list(map(dict.get, before, repeat("status")))),
        "status_after": _texts(list(map(dict.get, after, repeat("status")))),
        "actor": _texts(actor_ids),
        "actor_kind": _texts(actor_kinds),
        "reason": _texts(reasons),
    }
    import pandas as pd  # noqa: PLC0415

    return pd.DataFrame(data, columns=list(EVENT_COLUMNS))


def events_frame(events: Iterable[OrderEvent]) -> Any:
    """The events frame (pandas) of lifecycle events, in the order given."""
    events = _listed("events_frame", "events", events)
    with _refusing_foreign("events_frame", events=events):
        return _events(_event_columns(events))


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
    orders = _listed("deliveries_frame", "orders", orders)
    events = _listed("deliveries_frame", "events", events)
    with _refusing_foreign("deliveries_frame", orders=orders, events=events):
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
    orders = _listed("surveys_frame", "orders", orders)
    with _refusing_foreign("surveys_frame", orders=orders):
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
    orders = _listed("cases_frame", "orders", orders)
    events = _maybe_listed("cases_frame", "events", events)
    with _refusing_foreign("cases_frame", orders=orders, events=events):
        found: dict[tuple[str, str], dt.datetime] = {}
        for event in events or ():
            kind = type(event)  # the class alone: most events are not about cases
            if kind is CaseOpened or kind is CaseAdvanced:
                case_id, cause = (
                    (event.case.case_id, event.case.root_cause)
                    if kind is CaseOpened
                    else (event.case_id, event.root_cause)
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
    orders = _listed("lifecycle_frames", "orders", orders)
    events = _listed("lifecycle_frames", "events", events)
    _moment("lifecycle_frames", as_of)
    with _refusing_foreign("lifecycle_frames", orders=orders, events=events):
        columns = _event_columns(events)  # each event's fields read once, for every frame
        book = _Book(orders, events, lines=True, read=(columns[1], columns[2], columns[4]))
        return {
            "orders": _orders(book, as_of),
            "lines": _lines(book),
            "events": _events(columns),
            "surveys": surveys_frame(book.orders),
            "cases": cases_frame(book.orders, events),
            "deliveries": deliveries_frame(book.orders, events),
        }
