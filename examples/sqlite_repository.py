"""An ordercore repository on SQLite: the whole adapter pattern in one readable file.

Run it as a script to see an order saved, changed, refused on a stale write, and read back
with its events. The test suite runs the same class through
`ordercore.testing.contracts.OrderRepositoryContract` against a real SQLite file.

Why it stays beside `ordercore_sqlalchemy` (the adapter to use on PostgreSQL or SQLite): it
is the whole pattern in one file on the standard library alone, for hosts that write an
adapter for another database or without SQLAlchemy. It passes the same contract; it does
not join a host's transaction, migrate its schema or upcast old events, which the
SQLAlchemy adapter does.

The pattern, for any database:

- each order is one row: the entity's own JSON (`Order.model_dump_json`) plus the columns
  that lookups need (status, customer, receipt time, active holds) and a `version` column;
- each event is one row in an append-only table, ordered by an autoincrement position,
  which is also the event feed's position: SQLite has one writer at a time (`BEGIN
  IMMEDIATE` below), so positions are handed out in commit order and a reader of
  `events_since` can never miss an event committed later with a smaller position;
- `save` is one transaction: it changes the order row only `WHERE version = expected`, and
  appends the events in the same transaction, so an order and its events never disagree;
- every query is parameterised; ids are data, never SQL;
- a row that cannot be read back raises `CorruptRecord` naming it, never half an order.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pydantic

from ordercore import ConcurrencyConflict, Order, OrderAlreadyExists, OrderNotFound, OrderStatus
from ordercore.errors import CorruptRecord
from ordercore.events import OrderEvent, parse_event
from ordercore.memory import check_events_belong, check_feed_window
from ordercore.ports import FeedEntry

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    received_utc TEXT NOT NULL,
    hold_reasons TEXT NOT NULL,          -- ' credit risk ' : active hold reasons, space-framed
    body         TEXT NOT NULL           -- the order as its own JSON
);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id);
CREATE INDEX IF NOT EXISTS orders_received ON orders (received_utc);
CREATE TABLE IF NOT EXISTS events (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT NOT NULL UNIQUE,
    order_id      TEXT NOT NULL,
    order_version INTEGER NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_order ON events (order_id, position);
"""

_COLUMNS = "order_id, version, body"


def _utc(moment: datetime) -> str:
    # One fixed-width UTC spelling, so that text comparison is time comparison.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hold_reasons(order: Order) -> str:
    return " " + " ".join(sorted({str(hold.reason) for hold in order.active_holds})) + " "


class SQLiteOrderRepository:
    """An `OrderRepository` on one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with closing(self._connect()) as connection:
            connection.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # A connection per call keeps threads apart; SQLite serialises the writers.
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE takes the write lock before reading."""
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with closing(self._connect()) as connection:
            return list(connection.execute(sql, params))

    # -- reading rows back --------------------------------------------------------------

    @staticmethod
    def _order(row: tuple[object, ...]) -> Order:
        key, version, body = row
        try:
            order = Order.model_validate_json(str(body))
        except pydantic.ValidationError as error:
            raise CorruptRecord("order", str(key), _first_problem(error)) from error
        if order.order_id != key or order.version != version:
            raise CorruptRecord(
                "order",
                str(key),
                f"row says {key!r} v{version}, body says {order.order_id!r} v{order.version}",
            )
        return order

    @staticmethod
    def _event(row: tuple[object, ...]) -> OrderEvent:
        event_id, body = row
        try:
            return parse_event(str(body))
        except pydantic.ValidationError as error:
            raise CorruptRecord("event", str(event_id), _first_problem(error)) from error

    def _orders(self, where: str = "", params: Sequence[object] = ()) -> list[Order]:
        rows = self._read(f"SELECT {_COLUMNS} FROM orders {where} ORDER BY order_id", params)  # noqa: S608 - fixed fragments, values bound
        return [self._order(row) for row in rows]

    # -- writing ------------------------------------------------------------------------

    @staticmethod
    def _insert_events(connection: sqlite3.Connection, events: Sequence[OrderEvent]) -> None:
        try:
            connection.executemany(
                "INSERT INTO events (event_id, order_id, order_version, body) VALUES (?, ?, ?, ?)",
                [(e.event_id, e.order_id, e.order_version, e.model_dump_json()) for e in events],
            )
        except sqlite3.IntegrityError as error:
            raise ValueError(f"an event id is already stored: {error}") from error

    def add(self, order: Order, events: Sequence[OrderEvent] = ()) -> None:
        """Store a new order and its first events, in one transaction."""
        check_events_belong(order, events, after_version=None)
        with self._write() as connection:
            try:
                connection.execute(
                    "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        order.order_id,
                        order.version,
                        order.status.value,
                        order.customer.customer_id,
                        _utc(order.received_at),
                        _hold_reasons(order),
                        order.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise OrderAlreadyExists(order.order_id) from None
            self._insert_events(connection, events)

    def save(
        self, order: Order, *, expected_version: int, events: Sequence[OrderEvent] = ()
    ) -> None:
        """Replace the order if still at `expected_version`, and append its events."""
        if order.version <= expected_version:
            raise ValueError(
                f"order {order.order_id}: version {order.version} does not move forward "
                f"from {expected_version}"
            )
        check_events_belong(order, events, after_version=expected_version)
        with self._write() as connection:
            changed = connection.execute(
                "UPDATE orders SET version = ?, status = ?, customer_id = ?, received_utc = ?,"
                " hold_reasons = ?, body = ? WHERE order_id = ? AND version = ?",
                (
                    order.version,
                    order.status.value,
                    order.customer.customer_id,
                    _utc(order.received_at),
                    _hold_reasons(order),
                    order.model_dump_json(),
                    order.order_id,
                    expected_version,
                ),
            ).rowcount
            if changed != 1:
                row = connection.execute(
                    "SELECT version FROM orders WHERE order_id = ?", (order.order_id,)
                ).fetchone()
                raise ConcurrencyConflict(
                    order.order_id, expected_version, None if row is None else int(row[0])
                )
            self._insert_events(connection, events)

    # -- lookups ------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        """The stored order, or `OrderNotFound`."""
        found = self.find(order_id)
        if found is None:
            raise OrderNotFound(order_id)
        return found

    def find(self, order_id: str) -> Order | None:
        """The stored order, or `None`."""
        orders = self._orders("WHERE order_id = ?", (order_id,))
        return orders[0] if orders else None

    def __contains__(self, order_id: object) -> bool:
        return bool(self._read("SELECT 1 FROM orders WHERE order_id = ?", (str(order_id),)))

    def __len__(self) -> int:
        return int(str(self._read("SELECT COUNT(*) FROM orders")[0][0]))

    def __iter__(self) -> Iterator[Order]:
        return iter(self._orders())

    def by_status(self, *statuses: OrderStatus) -> list[Order]:
        """Orders in any of the statuses."""
        if not statuses:
            return []
        marks = ", ".join("?" for _ in statuses)
        return self._orders(f"WHERE status IN ({marks})", [s.value for s in statuses])

    def by_customer(self, customer_id: str) -> list[Order]:
        """Orders of one customer."""
        return self._orders("WHERE customer_id = ?", (customer_id,))

    def received_between(self, start: datetime, end: datetime) -> list[Order]:
        """Orders received in [start, end)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("received_between needs timezone-aware datetimes")
        return self._orders(
            "WHERE received_utc >= ? AND received_utc < ?", (_utc(start), _utc(end))
        )

    def with_active_hold(self, reason: str | None = None) -> list[Order]:
        """Orders with an active hold (of `reason`, if given)."""
        if reason is None:
            return self._orders("WHERE hold_reasons <> '  '")
        return self._orders("WHERE instr(hold_reasons, ?) > 0", (f" {reason} ",))

    def events(self, order_id: str) -> list[OrderEvent]:
        """One order's events in append order."""
        rows = self._read(
            "SELECT event_id, body FROM events WHERE order_id = ? ORDER BY position", (order_id,)
        )
        return [self._event(row) for row in rows]

    def all_events(self) -> Iterator[OrderEvent]:
        """Every event in append order."""
        rows = self._read("SELECT event_id, body FROM events ORDER BY position")
        return iter([self._event(row) for row in rows])

    def events_since(self, position: int = 0, limit: int = 1000) -> list[FeedEntry]:
        """The events after `position`, at most `limit`, by position."""
        check_feed_window(position, limit)
        rows = self._read(
            "SELECT position, event_id, body FROM events WHERE position > ? "
            "ORDER BY position LIMIT ?",
            (position, limit),
        )
        return [FeedEntry(int(str(row[0])), self._event(row[1:])) for row in rows]


def _first_problem(error: pydantic.ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(the record)"
    return f"{where}: {first['msg']} ({error.error_count()} problem(s))"


def main() -> None:
    """Show the adapter at work on a temporary database."""
    from ordercore.events import Actor  # noqa: PLC0415 - only the demo needs these
    from ordercore.lifecycle import Submit, apply, create  # noqa: PLC0415
    from ordercore.testing.factories import make_order  # noqa: PLC0415

    folder = Path(os.environ.get("ORDERCORE_OUTPUT", tempfile.mkdtemp()))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "orders.sqlite3"
    database.unlink(missing_ok=True)  # the demo starts from an empty database every run
    repo = SQLiteOrderRepository(database)
    clerk = Actor.user("clerk-7")
    order, created = create(
        make_order(order_id="'; DROP TABLE orders; --"),
        at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        actor=clerk,
    )
    repo.add(order, created)
    submitted, events = apply(
        order, Submit(), at=order.received_at + timedelta(minutes=5), actor=clerk
    )
    repo.save(submitted, expected_version=order.version, events=events)
    print(f"stored {len(repo)} order(s); {submitted.order_id!r} is {submitted.status.value}")
    try:
        repo.save(submitted, expected_version=order.version, events=events)
    except ConcurrencyConflict as conflict:
        print(f"stale write refused: {conflict}")
    print(f"events read back: {[type(e).__name__ for e in repo.events(order.order_id)]}")
    print(f"read back equal: {repo.get(order.order_id) == submitted}")


if __name__ == "__main__":
    main()
