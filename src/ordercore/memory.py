"""The reference [`OrderRepository`][ordercore.ports.OrderRepository]: in memory, thread-safe.

It is what the contract suite is checked against, the repository the demo and the pytest
plugin use, and a readable model for adapter authors. Orders and events are frozen values,
so storing the objects themselves is storing copies: nothing a caller does afterwards can
change what is stored.

Examples:
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle import Submit, apply, create
    >>> from ordercore.testing.factories import make_order
    >>> repo, clerk = InMemoryOrderRepository(), Actor.user("ana")
    >>> order, events = create(make_order(order_id="SO-1"), at=make_order().received_at, actor=clerk)
    >>> repo.add(order, events)
    >>> submitted, events = apply(order, Submit(), at=order.received_at, actor=clerk)
    >>> repo.save(submitted, expected_version=0, events=events)
    >>> repo.get("SO-1").version
    1
    >>> repo.save(submitted, expected_version=0, events=events)
    Traceback (most recent call last):
    ...
    ordercore.errors.ConcurrencyConflict: order SO-1: expected version 0 but the stored order is at version 1; reload it and apply the command again
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ordercore.errors import (
    ConcurrencyConflict,
    InvalidArgument,
    OrderAlreadyExists,
    OrderNotFound,
    TrailError,
)
from ordercore.ports import FeedEntry

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from ordercore.events import OrderEvent
    from ordercore.orders import Order
    from ordercore.status import OrderStatus

__all__ = ["InMemoryOrderRepository", "check_events_belong", "check_feed_window"]


def check_feed_window(position: object, limit: object) -> None:
    """Check the arguments of `events_since`: `position` an int ≥ 0, `limit` an int ≥ 1.

    Adapters call it first, so every repository refuses the same arguments the same way.

    Raises:
        InvalidArgument: Naming the argument refused.

    Examples:
        >>> check_feed_window(-1, 10)
        Traceback (most recent call last):
        ...
        ordercore.errors.InvalidArgument: events_since(): position must be an int >= 0 (the last position read, 0 for the start), got -1
    """
    if type(position) is not int or position < 0:
        raise InvalidArgument(
            "events_since",
            "position",
            f"must be an int >= 0 (the last position read, 0 for the start), got {position!r}",
        )
    if type(limit) is not int or limit < 1:
        raise InvalidArgument("events_since", "limit", f"must be an int >= 1, got {limit!r}")


def check_events_belong(
    order: Order, events: Sequence[OrderEvent], *, after_version: int | None
) -> None:
    """Check that events belong to `order` and cover every version after `after_version`.

    Every accepted command moves the version by one and emits at least one event at that
    version, so a save from `after_version` to `order.version` must carry events whose
    versions run from ``after_version + 1`` to ``order.version`` without a gap (several
    events may share a version). A save that moves the version without events, or carries an
    event at the old version, is refused. Adapters call this before writing anything, so a bad
    batch is refused whole. For `add`, pass ``after_version=None``: a new trail starts at
    its first event's version (an `OrderCreated` carries the version of the order it
    snapshots) and must then reach the order's version.

    Raises:
        TrailError: Naming the first event that does not fit (also a `ValueError`).
    """
    if after_version is None:
        if not events:
            return
        after_version = events[0].order_version - 1
    previous = after_version
    for index, event in enumerate(events):
        if event.order_id != order.order_id:
            raise TrailError(
                event.event_id,
                order.order_id,
                f"events[{index}] belongs to order {event.order_id!r}",
            )
        version = event.order_version
        if (
            version not in (previous, previous + 1)
            or version > order.version
            or (index == 0 and version != after_version + 1)
        ):
            raise TrailError(
                event.event_id,
                order.order_id,
                f"events[{index}] has order_version {version}; expected "
                f"{after_version + 1 if index == 0 else f'{previous} or {previous + 1}'} "
                f"(versions run from {after_version + 1} to {order.version} without gaps)",
            )
        previous = version
    if previous != order.version:
        raise TrailError(
            events[-1].event_id if events else "-",
            order.order_id,
            f"the order is at version {order.version} but the events reach only {previous}: "
            "every version needs its events",
        )


class InMemoryOrderRepository:
    """Orders and events in dictionaries behind one lock.

    Every public method takes the lock, so concurrent `save` calls with the same expected
    version serialise: exactly one wins, the others raise `ConcurrencyConflict`.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._orders: dict[str, Order] = {}
        self._events: dict[str, list[OrderEvent]] = {}
        self._log: list[OrderEvent] = []
        self._event_ids: set[str] = set()

    def _check_new_event_ids(self, events: Sequence[OrderEvent]) -> None:
        seen: set[str] = set()
        for index, event in enumerate(events):
            if event.event_id in self._event_ids or event.event_id in seen:
                raise ValueError(f"events[{index}] id {event.event_id!r} is already stored")
            seen.add(event.event_id)

    def _append(self, order_id: str, events: Sequence[OrderEvent]) -> None:
        self._events.setdefault(order_id, []).extend(events)
        self._log.extend(events)
        self._event_ids.update(event.event_id for event in events)

    def add(self, order: Order, events: Sequence[OrderEvent] = ()) -> None:
        """Store a new order and its first events (see the protocol)."""
        with self._lock:
            if order.order_id in self._orders:
                raise OrderAlreadyExists(order.order_id)
            check_events_belong(order, events, after_version=None)
            self._check_new_event_ids(events)
            self._orders[order.order_id] = order
            self._append(order.order_id, events)

    def save(
        self, order: Order, *, expected_version: int, events: Sequence[OrderEvent] = ()
    ) -> None:
        """Replace a stored order and append its events, atomically (see the protocol)."""
        with self._lock:
            stored = self._orders.get(order.order_id)
            actual = None if stored is None else stored.version
            if actual != expected_version:
                raise ConcurrencyConflict(order.order_id, expected_version, actual)
            if order.version <= expected_version:
                raise ValueError(
                    f"order {order.order_id}: version {order.version} does not move forward "
                    f"from {expected_version}"
                )
            check_events_belong(order, events, after_version=expected_version)
            self._check_new_event_ids(events)
            self._orders[order.order_id] = order
            self._append(order.order_id, events)

    def get(self, order_id: str) -> Order:
        """Return the stored order or raise `OrderNotFound`."""
        with self._lock:
            try:
                return self._orders[order_id]
            except KeyError:
                raise OrderNotFound(order_id) from None

    def find(self, order_id: str) -> Order | None:
        """Return the stored order, or `None`."""
        with self._lock:
            return self._orders.get(order_id)

    def __contains__(self, order_id: object) -> bool:
        with self._lock:
            return order_id in self._orders

    def __len__(self) -> int:
        with self._lock:
            return len(self._orders)

    def _sorted(self) -> list[Order]:
        with self._lock:
            return [self._orders[key] for key in sorted(self._orders)]

    def __iter__(self) -> Iterator[Order]:
        return iter(self._sorted())

    def by_status(self, *statuses: OrderStatus) -> list[Order]:
        """Orders in any of the given statuses, by id."""
        wanted = set(statuses)
        return [order for order in self._sorted() if order.status in wanted]

    def by_customer(self, customer_id: str) -> list[Order]:
        """Orders of one customer, by id."""
        return [order for order in self._sorted() if order.customer.customer_id == customer_id]

    def received_between(self, start: datetime, end: datetime) -> list[Order]:
        """Orders received in [start, end), by id."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("received_between needs timezone-aware datetimes")
        return [order for order in self._sorted() if start <= order.received_at < end]

    def with_active_hold(self, reason: str | None = None) -> list[Order]:
        """Orders with an active hold (of `reason`, if given), by id."""
        return [
            order
            for order in self._sorted()
            if any(reason is None or hold.reason == reason for hold in order.active_holds)
        ]

    def events(self, order_id: str) -> list[OrderEvent]:
        """The events of one order, in append order."""
        with self._lock:
            return list(self._events.get(order_id, ()))

    def all_events(self) -> Iterator[OrderEvent]:
        """Every event, in global append order (a snapshot taken when called)."""
        with self._lock:
            return iter(list(self._log))

    def events_since(self, position: int = 0, limit: int = 1000) -> list[FeedEntry]:
        """The events after `position`, at most `limit` (see the protocol).

        An event's position is its 1-based index in the global log: this feed has no gaps.
        """
        check_feed_window(position, limit)
        with self._lock:
            chunk = self._log[position : position + limit]
        return [FeedEntry(position + 1 + n, event) for n, event in enumerate(chunk)]
