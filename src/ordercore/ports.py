"""The ports through which ordercore reaches storage: protocols the host application implements.

ordercore does no I/O. A host ERP keeps orders and their events wherever it likes and hands
ordercore an object satisfying [`OrderRepository`][ordercore.ports.OrderRepository].
[`InMemoryOrderRepository`][ordercore.memory.InMemoryOrderRepository] is the reference
implementation, and `ordercore.testing.contracts.OrderRepositoryContract` is the test suite
every adapter must pass.

## Consistency: an order and its events change together

The unit of work is one call: [`save`][ordercore.ports.OrderRepository.save] stores the new
order *and* appends the events that produced it, atomically, or does neither. It succeeds
only if the stored order is still at `expected_version` (optimistic concurrency); otherwise
it raises [`ConcurrencyConflict`][ordercore.errors.ConcurrencyConflict] and nothing changes.
A typical command handler in a host therefore reads:

```text
order = repo.get(order_id)
new_order, events = apply(order, command, at=now, actor=user)
repo.save(new_order, expected_version=order.version, events=events)   # or retry on conflict
```

Events are appended only through `add` and `save`, so an event log can never run ahead of
(or behind) the order it describes. [`ordercore.service.handle`][ordercore.service.handle]
is that handler, for any repository, with a bounded retry on conflict.

## The event feed: positions a reader can trust

[`events_since`][ordercore.ports.OrderRepository.events_since] reads every stored event in
global append order, each with its *position*: a positive integer, strictly increasing in
the feed, not necessarily contiguous (a database sequence may skip numbers). A reader keeps
the last position it processed and asks for what follows. The promise: once a reader has
seen position `p`, no event with a position at or below `p` ever appears later, even with
writers committing concurrently. A store whose positions are handed out before its
transactions commit (a PostgreSQL sequence) must serialise the writers of its event table
to keep this promise; `ordercore_sqlalchemy` documents how it does.

## Threads

A repository object must be safe to share between threads: each call behaves as if it ran
alone (concurrent `save` calls with the same `expected_version` let exactly one win and the
others raise `ConcurrencyConflict`; a reader never sees half a save). The contract suite
checks this with several threads on one repository object. The one exception is a
repository bound to a host's own connection or transaction: it is exactly as shareable as
that connection (a database connection belongs to one thread at a time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from ordercore.events import OrderEvent  # noqa: TC001 - a NamedTuple field needs it at runtime

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from ordercore.orders import Order
    from ordercore.status import OrderStatus

__all__ = ["Clock", "FeedEntry", "OrderRepository"]


class FeedEntry(NamedTuple):
    """One event of the feed with its position (see `OrderRepository.events_since`).

    Attributes:
        position: Positive, strictly increasing along the feed; gaps are allowed.
        event: The stored event, read back as today's class.
    """

    position: int
    event: OrderEvent


@runtime_checkable
class Clock(Protocol):
    """Where a host's application layer gets the current time from.

    ordercore itself never reads a clock: commands take `at=` and KPIs take `as_of=`. A host
    passes `clock.now()` in, and tests pass a `FrozenClock` (see `ordercore.testing.plugin`).
    """

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@runtime_checkable
class OrderRepository(Protocol):
    """Stores orders with optimistic concurrency, and the events that produced them.

    Every method that returns orders returns them sorted by `order_id` in code point order
    (Python's `sorted` of the ids; a database must compare them bytewise, not by a
    language's collation); lookups match ids exactly, never as patterns; events come back in
    append order. An object of this protocol must be safe to share between threads (see
    "Threads" above).
    """

    def add(self, order: Order, events: Sequence[OrderEvent] = ()) -> None:
        """Store a new order and its first events.

        Raises:
            OrderAlreadyExists: If an order with this id is stored; nothing changes.
            ValueError: If an event belongs to another order; nothing changes.
        """
        ...

    def save(
        self, order: Order, *, expected_version: int, events: Sequence[OrderEvent] = ()
    ) -> None:
        """Replace a stored order and append its new events, atomically.

        Args:
            order: The new state; its `version` must be greater than `expected_version`.
            expected_version: The version the caller read; the save succeeds only if the
                stored order still has it.
            events: The events that turned the old order into `order`, in order.

        Raises:
            ConcurrencyConflict: If the stored version differs (someone saved first) or the
                order is not stored at all; nothing changes.
            ValueError: If `order.version` does not move forward, or an event belongs to
                another order; nothing changes.
        """
        ...

    def get(self, order_id: str) -> Order:
        """Return the stored order.

        Raises:
            OrderNotFound: If there is none.
        """
        ...

    def find(self, order_id: str) -> Order | None:
        """Return the stored order, or `None`."""
        ...

    def __contains__(self, order_id: object) -> bool:
        """Whether an order with this id is stored."""
        ...

    def __len__(self) -> int:
        """How many orders are stored."""
        ...

    def __iter__(self) -> Iterator[Order]:
        """Every stored order, by `order_id`."""
        ...

    def by_status(self, *statuses: OrderStatus) -> list[Order]:
        """Orders in any of the given statuses."""
        ...

    def by_customer(self, customer_id: str) -> list[Order]:
        """Orders of one customer."""
        ...

    def received_between(self, start: datetime, end: datetime) -> list[Order]:
        """Orders received in the half-open interval [start, end) (aware datetimes)."""
        ...

    def with_active_hold(self, reason: str | None = None) -> list[Order]:
        """Orders with at least one hold not yet released (of `reason`, if given)."""
        ...

    def events(self, order_id: str) -> list[OrderEvent]:
        """The events of one order, in append order (empty if none or unknown)."""
        ...

    def all_events(self) -> Iterator[OrderEvent]:
        """Every stored event, in global append order (for KPI and audit feeds)."""
        ...

    def events_since(self, position: int = 0, limit: int = 1000) -> list[FeedEntry]:
        """The events after `position` in global append order, at most `limit` of them.

        Pass the `position` of the last entry processed to read on; `0` reads from the start.
        Once any reader has seen an entry at position `p`, no entry at `p` or below appears
        later (see "The event feed" above).

        Raises:
            InvalidArgument: If `position` is negative or `limit` is below 1 (or not ints).
        """
        ...
