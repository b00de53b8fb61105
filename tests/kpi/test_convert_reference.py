"""The converters give, value for value, what a straightforward converter gives.

The reference below reads each order with its own events sorted by version, one dict per row,
in the plainest words of the rules (`ordercore.kpi.convert`'s docstring): the milestone is the
last event of its kind (the first for approval and a line's first shipment), a change of status
is an event whose `after` names a status, and quantities are summed in decimals. The
converters read the events in one pass in any order, by class, and do their arithmetic in bulk;
every frame must come out equal, on a book driven through the real lifecycle (events as stored,
shuffled, or only some of them) and on the rarer events a synthetic book does not have
(shipments, a host's own event class, repeated order ids, events of orders not given).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import pytest

from _support import RECEIVED, make_line, make_order
from ordercore.events import Actor, OrderEvent, QuantityShipped, ShipmentDelivered
from ordercore.kpi.convert import (
    EVENT_COLUMNS,
    LINE_COLUMNS,
    ORDER_COLUMNS,
    events_frame,
    lifecycle_frames,
    lines_frame,
    orders_frame,
)
from ordercore.lifecycle import (
    Allocate,
    Approve,
    Cancel,
    ConfirmDelivery,
    Deliver,
    Dispatch,
    Pack,
    Party,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    apply,
    create,
)
from ordercore.money import minor_units
from ordercore.orders import line_net
from ordercore.shipments import TransportMode
from ordercore.testing.book import synthetic_book

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore import Order

CLERK = Actor.user("li.wei")
_SHIPPED_TYPES = {"quantity_shipped", "shipment_dispatched"}
_DELIVERED_TYPES = {"quantity_delivered", "shipment_delivered"}


def _moves(event: OrderEvent) -> list[tuple[str, Decimal]]:
    """The (line id, quantity) pairs a shipment or delivery event moves."""
    if event.type == "shipment_dispatched":
        return [(line.line_id, line.quantity) for line in event.shipment.lines]  # type: ignore[attr-defined]
    if event.type == "shipment_delivered":
        return list(event.lines)  # type: ignore[attr-defined]
    return [(event.line_id, event.quantity)]  # type: ignore[attr-defined]


def _party(event: OrderEvent) -> str | None:
    party = getattr(event, "requested_by", None)
    return None if party is None else party.value


class _Read:
    """One order's trail, read in version order (the order given breaks ties)."""

    def __init__(self, events: Sequence[OrderEvent]) -> None:
        trail = sorted(enumerate(events), key=lambda pair: (pair[1].order_version, pair[0]))
        self.status_since: dt.datetime | None = None
        self.approved_at: dt.datetime | None = None
        self.shipped_at: dt.datetime | None = None
        self.delivered_at: dt.datetime | None = None
        self.ended_at: dt.datetime | None = None
        self.ended_by: str | None = None
        self.seller = Decimal(0)
        self.lines: dict[str, dict[str, Any]] = {}
        for _, event in trail:
            if "status" in event.after:
                self.status_since = event.at
            if event.type == "order_approved" and self.approved_at is None:
                self.approved_at = event.at
            if event.type in _SHIPPED_TYPES | _DELIVERED_TYPES:
                self.moved(event)
            if event.type == "line_short_closed":
                self.cut(event)
        # a cancellation: the last one given (a trail has one)
        for event in events:
            if event.type == "order_cancelled":
                self.ended_at, self.ended_by = event.at, _party(event)
            elif event.type in ("order_rejected", "order_expired"):
                self.ended_at, self.ended_by = event.at, "seller"

    def moved(self, event: OrderEvent) -> None:
        shipped = event.type in _SHIPPED_TYPES
        for line_id, quantity in _moves(event):
            line = self.line(line_id)
            if shipped:
                self.shipped_at = line["shipped_at"] = event.at
                if line["first"] is None:
                    line["first"] = quantity
            else:
                self.delivered_at = line["delivered_at"] = event.at

    def cut(self, event: OrderEvent) -> None:
        line = self.line(event.line_id)  # type: ignore[attr-defined]
        line["cut"] = (event.at, _party(event))
        if _party(event) == "seller":
            self.seller += event.quantity  # type: ignore[attr-defined]
            line["seller"] += event.quantity  # type: ignore[attr-defined]

    def line(self, line_id: str) -> dict[str, Any]:
        empty = {"shipped_at": None, "delivered_at": None, "first": None, "seller": Decimal(0)}
        return self.lines.setdefault(line_id, {**empty, "cut": (None, None)})


def _hold_hours(order: Order, stop: dt.datetime | None, as_of: dt.datetime | None) -> float:
    """The union of the hold intervals within [received, stop], in hours."""
    spans = sorted(
        (max(h.placed_at, order.received_at), min(end, stop) if stop else end)
        for h in order.holds
        if (end := h.released_at or as_of) is not None
    )
    total, reach = 0.0, None
    for begin, end in spans:
        begin = max(begin, reach) if reach else begin  # noqa: PLW2901 - only what is new
        if end > begin:
            total += (end - begin).total_seconds()
            reach = end
    return total / 3600


def _kept(orders: Sequence[Order]) -> list[Order]:
    return [o for o in orders if not any(link.relation.value == "merged_into" for link in o.links)]


def _reference(
    orders: Sequence[Order], events: Sequence[OrderEvent] | None, as_of: dt.datetime | None
) -> dict[str, pd.DataFrame]:
    trails: dict[str, list[OrderEvent]] = {}
    for event in events or ():
        trails.setdefault(event.order_id, []).append(event)
    order_rows, line_rows = [], []
    for order in _kept(orders):
        read = _Read(trails.get(order.order_id, []))
        carried = order.milestones
        if carried is not None:  # the order's own milestones say what its events would
            read.status_since, read.approved_at = carried.status_since, carried.approved_at
            read.shipped_at, read.delivered_at = carried.shipped_at, carried.delivered_at
            read.ended_at, read.ended_by = carried.ended_at, carried.ended_by
            read.seller = carried.seller_cut
        quantum = Decimal(1).scaleb(-minor_units(order.currency))
        everything = read.ended_at is not None and read.ended_by != "seller"
        opens = [line.quantity - line.ledger.cancelled for line in order.lines]
        owing = [(line, open_) for line, open_ in zip(order.lines, opens, strict=True) if open_ > 0]
        shipped = bool(owing) and all(line.ledger.shipped >= o for line, o in owing)
        delivered = bool(owing) and all(line.ledger.delivered >= o for line, o in owing)
        delivered_at = read.delivered_at if delivered else None
        active = [h.placed_at for h in order.holds if h.released_at is None]
        order_rows.append(
            {
                "order_id": order.order_id,
                "customer_id": order.customer.customer_id,
                "channel": order.channel.value,
                "channel_detail": order.channel_detail,
                "received_at": order.received_at,
                "owner_id": order.owner.staff_id if order.owner else None,
                "status": order.status.value,
                "status_since": read.status_since,
                "approved_at": read.approved_at,
                "requested_at": order.requested_delivery_at,
                "promised_at": order.promised_delivery_at,
                "shipped_at": read.shipped_at if shipped else None,
                "delivered_at": delivered_at,
                "cancelled_at": read.ended_at,
                "cancelled_by": read.ended_by if read.ended_at else None,
                "hold_hours": _hold_hours(order, delivered_at or as_of, as_of),
                "hold_since": min(active) if active else None,
                "qty_ordered": sum(line.quantity for line in order.lines),
                "qty_cancelled": sum(
                    line.quantity if everything else line.ledger.cancelled for line in order.lines
                )
                - read.seller,
                "qty_delivered": sum(line.ledger.delivered for line in order.lines),
                "value": sum(
                    line_net(o, line.unit_price.amount, line.discount_rate, quantum)
                    for line, o in zip(order.lines, opens, strict=True)
                ),
                "risk_level": order.risk_level,
            }
        )
        for line, open_ in zip(order.lines, opens, strict=True):
            marks = read.lines.get(line.line_id) or read.line(line.line_id)
            seller = marks["seller"]
            not_owed = line.ledger.cancelled - seller
            cut: tuple[Any, Any] = (None, None)
            if read.ended_at is not None and open_ > 0:
                cut = (read.ended_at, read.ended_by)
                if read.ended_by == "seller":
                    seller += open_
                else:
                    not_owed += open_
            elif open_ <= 0:
                cut = (marks["cut"][0], "seller" if seller else marks["cut"][1])
            line_rows.append(
                {
                    "order_id": order.order_id,
                    "line_id": line.line_id,
                    "sku": line.sku,
                    "qty_ordered": line.quantity,
                    "qty_cancelled": not_owed,
                    "qty_short_closed": seller,
                    "qty_shipped_first": marks["first"] or 0,
                    "qty_shipped": line.ledger.shipped,
                    "qty_delivered": line.ledger.delivered,
                    "qty_returned": line.ledger.returned,
                    "value": line_net(open_, line.unit_price.amount, line.discount_rate, quantum),
                    "received_at": order.received_at,
                    "approved_at": read.approved_at,
                    "requested_at": line.requested_delivery_at or order.requested_delivery_at,
                    "promised_at": order.promised_delivery_at,
                    "shipped_at": marks["shipped_at"]
                    if open_ > 0 and line.ledger.shipped >= open_
                    else None,
                    "delivered_at": marks["delivered_at"]
                    if open_ > 0 and line.ledger.delivered >= open_
                    else None,
                    "cancelled_at": cut[0],
                    "cancelled_by": cut[1] if cut[0] is not None else None,
                }
            )
    lines = _typed(line_rows, LINE_COLUMNS)
    frames = {"orders": _typed(order_rows, ORDER_COLUMNS), "lines": lines}
    if events is None:
        frames["lines"] = lines.drop(columns="qty_shipped_first")
        return frames
    event_rows = [
        {
            "event_id": e.event_id,
            "order_id": e.order_id,
            "version": e.order_version,
            "event_type": e.type,
            "at": e.at,
            "status_before": e.before.get("status"),
            "status_after": e.after.get("status"),
            "actor": e.actor.id,
            "actor_kind": e.actor.kind.value,
            "reason": e.reason,
        }
        for e in events
    ]
    frames["events"] = _typed(event_rows, EVENT_COLUMNS)
    return frames


def _typed(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as the canonical frame's types: UTC microseconds, float64, int64 or text."""
    data: dict[str, Any] = {}
    for name in columns:
        values = [row[name] for row in rows]
        if name.endswith(("_at", "_since")) or name == "at":
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).dt.as_unit("us")
        elif name.startswith("qty_") or name in ("value", "hold_hours"):
            data[name] = pd.Series([float(v) for v in values], dtype="float64")
        elif name == "version":
            data[name] = pd.Series(values, dtype="int64")
        else:
            data[name] = pd.Series(pd.array(values, dtype="str"))
    return pd.DataFrame(data, columns=list(columns))


def _stripped(orders: Sequence[Order]) -> list[Order]:
    """The orders as stored before they carried milestones and totals.

    Their events say what they did, and their lines are summed.
    """
    return [o.model_copy(update={"milestones": None, "totals": None}) for o in orders]


def _same(
    orders: Sequence[Order],
    events: Sequence[OrderEvent] | None,
    as_of: dt.datetime | None,
) -> None:
    _same_as_reference(orders, events, as_of)
    if any(o.milestones is not None for o in orders):  # and the events read in their place
        _same_as_reference(_stripped(orders), events, as_of)


def _same_as_reference(
    orders: Sequence[Order],
    events: Sequence[OrderEvent] | None,
    as_of: dt.datetime | None,
) -> None:
    expected = _reference(orders, events, as_of)
    pd.testing.assert_frame_equal(
        orders_frame(orders, events, as_of=as_of), expected["orders"], check_exact=True
    )
    pd.testing.assert_frame_equal(lines_frame(orders, events), expected["lines"], check_exact=True)
    if events is None:
        return
    pd.testing.assert_frame_equal(events_frame(events), expected["events"], check_exact=True)
    frames = lifecycle_frames(orders, events, as_of=as_of)
    for name in ("orders", "lines", "events"):
        pd.testing.assert_frame_equal(frames[name], expected[name], check_exact=True)


@cache
def _book() -> tuple[tuple[Order, ...], tuple[OrderEvent, ...], dt.datetime]:
    book = synthetic_book(orders=400, seed=13)
    return book.orders, book.events, book.as_of


def test_the_book_s_frames_are_the_reference_s() -> None:
    orders, events, as_of = _book()
    _same(orders, events, as_of)


def test_the_milestones_orders_carry_are_what_their_trails_say() -> None:
    orders, events, as_of = _book()
    assert all(o.milestones is not None for o in orders)
    old = _stripped(orders)
    for carried, read in (
        (orders_frame(orders, None, as_of=as_of), orders_frame(old, events, as_of=as_of)),
        (orders_frame(orders, events, as_of=as_of), orders_frame(old, events, as_of=as_of)),
        (lines_frame(orders, events), lines_frame(old, events)),
    ):
        pd.testing.assert_frame_equal(carried, read, check_exact=True)
    frame = orders_frame(orders, None, as_of=as_of)  # milestones without a single event
    for column in ("status_since", "approved_at", "delivered_at", "cancelled_at"):
        assert frame[column].notna().any(), column
    assert set(frame["cancelled_by"].dropna()) == {"customer", "seller"}


def test_a_book_of_orders_with_and_without_milestones_gives_the_reference_s_frames() -> None:
    orders, events, as_of = _book()
    mixed = [*orders[:200], *_stripped(orders[200:])]  # only the second half's events are read
    _same_as_reference(mixed, events, as_of)
    _same_as_reference(mixed, list(events[::3]), as_of)


def test_a_book_of_orders_with_and_without_totals_gives_the_reference_s_frames() -> None:
    orders, events, as_of = _book()
    assert all(o.totals is not None for o in orders)
    untotalled = [o.model_copy(update={"totals": None}) for o in orders[::2]]
    mixed = [*untotalled, *orders[1::2]]  # every other order's lines summed by the frames
    _same_as_reference(mixed, events, as_of)
    _same_as_reference(mixed, None, as_of)


def test_shuffled_events_give_the_reference_s_frames() -> None:
    orders, events, as_of = _book()
    shuffled = list(events)
    random.Random(5).shuffle(shuffled)  # noqa: S311 - a reproducible shuffle
    _same(orders, shuffled, as_of)


def test_some_of_the_events_give_the_reference_s_frames() -> None:
    orders, events, as_of = _book()
    _same(orders, list(events[::3]), as_of)
    _same(orders, None, as_of)
    _same(orders, [], None)


def test_repeated_ids_and_events_of_other_orders_give_the_reference_s_frames() -> None:
    orders, events, as_of = _book()
    others = {o.order_id for o in orders[:50]}
    _same([*orders[50:120], *orders[60:70]], [e for e in events if e.order_id not in others], as_of)


def test_no_orders_give_empty_frames_of_the_reference_s_types() -> None:
    _same([], [], None)


class _Story:
    """One order driven through the lifecycle, an hour per command."""

    def __init__(self, order_id: str, *quantities: int) -> None:
        lines = [
            make_line(str(n + 1), quantity=Decimal(q)) for n, q in enumerate(quantities or (10,))
        ]
        self.at = RECEIVED
        self.order, self.events = create(
            make_order(order_id=order_id, lines=lines), at=self.at, actor=CLERK
        )

    def do(self, *commands: Any) -> _Story:
        for command in commands:
            self.at += dt.timedelta(hours=1)
            if callable(command) and not hasattr(command, "model_fields"):
                command = command(self.order)  # noqa: PLW2901 - a command made from the order
            self.order, new = apply(self.order, command, at=self.at, actor=CLERK)
            self.events.extend(new)
        return self


class _Verdict:
    def __init__(self, order: Order) -> None:
        self.order_id, self.order_version = order.order_id, order.version
        self.passed, self.failure_reasons = True, ()


def _approved(order_id: str, *quantities: int) -> _Story:
    return _Story(order_id, *quantities).do(
        Submit(), StartReview(), lambda o: Approve(verdict=_Verdict(o))
    )


def _dispatch(shipment_id: str, *lines: tuple[str, int]) -> Dispatch:
    return Dispatch(
        shipment_id=shipment_id,
        lines=tuple((line_id, Decimal(q)) for line_id, q in lines),
        warehouse="WH-NGB",
        carrier="SF Express",
        mode=TransportMode.ROAD,
        planned_delivery_at=RECEIVED + dt.timedelta(days=3),
    )


def _ready(story: _Story, **quantities: int) -> _Story:
    for line_id, q in quantities.items():
        story.do(
            Allocate(line_id=line_id, quantity=Decimal(q)),
            Pack(line_id=line_id, quantity=Decimal(q)),
        )
    return story


def test_shipments_of_several_lines_give_the_reference_s_frames() -> None:
    story = _ready(_approved("SO-SHIP", 6, 4), **{"1": 6, "2": 4})
    story.do(_dispatch("DN-1", ("1", 2), ("2", 4)), ConfirmDelivery(shipment_id="DN-1"))
    story.do(_dispatch("DN-2", ("1", 4)))
    part = list(story.events)
    story.do(ConfirmDelivery(shipment_id="DN-2"))
    assert any(isinstance(e, ShipmentDelivered) for e in story.events)
    _same([story.order], story.events, story.at)
    frame = lines_frame([story.order], story.events)
    assert frame["qty_shipped_first"].tolist() == [2.0, 4.0]
    assert frame["delivered_at"].notna().all()
    _same([story.order], part, story.at)  # the order's delivery still out


def test_mixed_movements_cancellations_and_short_closes_give_the_reference_s_frames() -> None:
    seller = _ready(_approved("SO-A", 10, 5), **{"1": 10})
    seller.do(ShortClose(line_id="2", quantity=Decimal(5), requested_by=Party.SELLER))
    seller.do(Ship(line_id="1", quantity=Decimal(10)), Deliver(line_id="1", quantity=Decimal(10)))
    customer = _approved("SO-B", 3).do(Cancel(requested_by=Party.CUSTOMER))
    halves = _ready(_approved("SO-C", Decimal("2.5"), 1), **{"1": Decimal("2.5")})  # type: ignore[arg-type]
    halves.do(
        Ship(line_id="1", quantity=Decimal("1.25")), Ship(line_id="1", quantity=Decimal("1.25"))
    )
    stories = [seller, customer, halves]
    orders = [s.order for s in stories]
    events = [e for s in stories for e in s.events]
    _same(orders, events, halves.at)
    random.Random(2).shuffle(events)  # noqa: S311 - a reproducible shuffle
    _same(orders, events, halves.at)


class _HostFlagged(OrderEvent):
    """A host's own event class (private: not one of `event_types`), read by its `after`."""

    type: Literal["host_flagged"] = "host_flagged"


def test_a_hosts_own_event_class_is_read_by_what_it_says() -> None:
    story = _approved("SO-H", 4)
    version = story.order.version
    later = story.at + dt.timedelta(hours=5)

    def flagged(n: int, **after: str) -> _HostFlagged:
        return _HostFlagged(
            event_id=f"h{n}", order_id="SO-H", order_version=version + n, at=later, actor=CLERK,
            after=after,
        )  # fmt: skip

    events = [*story.events, flagged(1, status="approved"), flagged(2, note="x")]
    # events the lifecycle never folded: read for an order that carries no milestones
    order = story.order.model_copy(update={"milestones": None})
    frame = orders_frame([order], events)
    assert frame.loc[0, "status_since"] == later  # the first names a status, the second not
    _same([order], events, None)
    shipped = QuantityShipped(
        event_id="q1", order_id="SO-H", order_version=version + 3, at=later, actor=CLERK,
        line_id="1", quantity=Decimal(4),
    )  # fmt: skip
    _same([order], [*events, shipped], None)


@pytest.mark.parametrize("seed", [1, 2])
def test_small_books_of_other_seeds_give_the_reference_s_frames(seed: int) -> None:
    book = synthetic_book(orders=120, seed=seed)
    _same(book.orders, book.events, book.as_of)
