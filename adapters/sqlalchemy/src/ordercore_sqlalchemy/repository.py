"""`SQLAlchemyOrderRepository`: ordercore's `OrderRepository` on SQLAlchemy 2 Core.

Give it an `Engine` and it opens one transaction per call; give it a `Connection` or a
`Session` and it works inside the caller's transaction, committing nothing: the host commits
an order, its events and its own rows (a delivery note, a stock movement) together, or rolls
them all back. Each write then runs in a SAVEPOINT, so a refused save leaves the host's
transaction usable.

## What keeps it consistent

- `save` changes the order row with one statement, ``UPDATE ... WHERE order_id = :id AND
  version = :expected``; no row changed means someone saved first (`ConcurrencyConflict`,
  with the version actually stored, read in the same transaction). The events are appended
  in the same transaction, and a unique (`order_id`, `order_version`, `seq`) refuses a
  second writer's events for a version even if the version check were bypassed.
- The event feed (`events_since`) never lets a reader miss an event. On PostgreSQL a
  sequence hands out positions before transactions commit, so a transaction that took
  position 7 could commit after one that took 8, and a reader that already read 8 would
  never look at 7 again. Every write therefore takes ``LOCK TABLE ordercore_events IN
  EXCLUSIVE MODE`` first (the mechanism of eventsourcing's PostgreSQL recorder): writers of
  events run one after another, positions are handed out in commit order, and readers are
  not blocked (the lock mode lets plain `SELECT`s through). Keep host transactions that
  save orders short: the lock is held until they commit. On SQLite a database has one
  writer at a time, so positions are in commit order already.

## Threads

A repository on an `Engine` may be shared between threads (each call checks out its own
connection). One on a `Connection` or `Session` is as shareable as that object: one thread
at a time.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import pydantic
from sqlalchemy import bindparam, func, insert, literal_column, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ordercore.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    CorruptRecord,
    InvalidArgument,
    OrderAlreadyExists,
    OrderNotFound,
)
from ordercore.memory import check_events_belong, check_feed_window
from ordercore.orders import Order
from ordercore.ports import FeedEntry
from ordercore.status import OrderStatus
from ordercore.upcasting import DEFAULT_SCHEMAS, EventSchemas, collector_paused
from ordercore_sqlalchemy._driver import DriverStatement, driver_instant
from ordercore_sqlalchemy.engines import READ_ONLY, is_configured
from ordercore_sqlalchemy.schema import EVENTS, ORDERS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from datetime import datetime

    from sqlalchemy.pool import PoolProxiedConnection

    from ordercore.events import OrderEvent

__all__ = ["SQLAlchemyOrderRepository"]

_DIALECTS: Final = frozenset({"postgresql", "sqlite"})
_PAGE: Final = 1000

_LOCK_EVENTS: Final = text("LOCK TABLE ordercore_events IN EXCLUSIVE MODE")
_ORDER_COLUMNS: Final = (ORDERS.c.order_id, ORDERS.c.version, ORDERS.c.body)
_SELECT_ORDERS: Final = select(*_ORDER_COLUMNS).order_by(ORDERS.c.order_id)
_GET: Final = select(*_ORDER_COLUMNS).where(ORDERS.c.order_id == bindparam("key"))
_EXISTS: Final = select(ORDERS.c.version).where(ORDERS.c.order_id == bindparam("key"))
_COUNT: Final = select(func.count()).select_from(ORDERS)
_INSERT_ORDER: Final = insert(ORDERS).values(
    {column.name: bindparam(column.name) for column in ORDERS.columns}
)
_UPDATE_ORDER: Final = (
    update(ORDERS)
    .where(ORDERS.c.order_id == bindparam("key"), ORDERS.c.version == bindparam("expected"))
    .values(
        version=bindparam("new_version"),
        status=bindparam("new_status"),
        customer_id=bindparam("new_customer_id"),
        received_at=bindparam("new_received_at"),
        active_holds=bindparam("new_active_holds"),
        body=bindparam("new_body"),
    )
)
_EVENT_COLUMNS: Final = (
    "event_id",
    "order_id",
    "order_version",
    "seq",
    "event_type",
    "schema_version",
    "at",
    "body",
)
_INSERT_EVENTS: Final = insert(EVENTS).values({name: bindparam(name) for name in _EVENT_COLUMNS})
_EVENTS_OF: Final = (
    select(EVENTS.c.body, EVENTS.c.schema_version)
    .where(EVENTS.c.order_id == bindparam("key"))
    .order_by(EVENTS.c.position)
)
_FEED: Final = (
    select(EVENTS.c.position, EVENTS.c.body, EVENTS.c.schema_version)
    .where(EVENTS.c.position > bindparam("after"))
    .order_by(EVENTS.c.position)
    .limit(bindparam("limit"))
)


def _active_holds(order: Order) -> str:
    # Each reason framed as |reason|, so that a lookup matches a whole reason, never a part.
    reasons = sorted({str(hold.reason) for hold in order.active_holds})
    return "".join(f"|{reason}|" for reason in reasons)


def _order_row(order: Order, *, sqlite: bool) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "version": order.version,
        "status": order.status.value,
        "customer_id": order.customer.customer_id,
        "received_at": driver_instant(order.received_at, sqlite=sqlite),
        "active_holds": _active_holds(order),
        "body": order.model_dump_json(),
    }


class SQLAlchemyOrderRepository:
    """Orders and their events in the `ordercore_*` tables (see `ordercore_sqlalchemy.schema`).

    Args:
        bind: An `Engine` (the repository opens a transaction per call), or a `Connection`
            or `Session` whose transaction the host owns and commits.
        schemas: The event schema versions and upcasters to read and write with.

    Raises:
        ConfigurationError: For another database than PostgreSQL or SQLite, a SQLite engine
            not set up by `sqlite_engine` or `configure_sqlite`, or a `bind` of another kind.

    The tables must exist: create them with `ordercore_sqlalchemy.upgrade(engine)`.
    """

    def __init__(
        self, bind: Engine | Connection | Session, *, schemas: EventSchemas = DEFAULT_SCHEMAS
    ) -> None:
        self._engine: Engine | None
        self._host: Callable[[], Connection] | None
        if isinstance(bind, Engine):
            self._engine, self._host, engine = bind, None, bind
        elif isinstance(bind, Connection):
            self._engine, self._host, engine = None, lambda: bind, bind.engine
        elif isinstance(bind, Session):
            self._engine, self._host = None, bind.connection
            engine = bind.connection().engine
        else:
            raise ConfigurationError(
                f"bind must be a SQLAlchemy Engine, Connection or Session, not {type(bind).__name__}",
                component="SQLAlchemyOrderRepository",
            )
        if not isinstance(schemas, EventSchemas):
            raise ConfigurationError(
                f"schemas must be an EventSchemas, not {type(schemas).__name__}",
                component="SQLAlchemyOrderRepository",
            )
        dialect = engine.dialect.name
        if dialect not in _DIALECTS:
            raise ConfigurationError(
                f"{dialect} is not supported; use PostgreSQL (postgresql+psycopg) or SQLite",
                component="SQLAlchemyOrderRepository",
            )
        if not is_configured(engine):
            raise ConfigurationError(
                "this SQLite engine begins transactions only before writes, which loses "
                "SAVEPOINTs and lets a read-then-write transaction fail midway; make it with "
                "ordercore_sqlalchemy.sqlite_engine(path) or pass it through "
                "configure_sqlite(engine) first",
                component="SQLAlchemyOrderRepository",
            )
        self._serialise_feed = dialect == "postgresql"
        self._sqlite = dialect == "sqlite"
        self._update = _compiled(_UPDATE_ORDER, engine)
        self._insert_order = _compiled(_INSERT_ORDER, engine)
        self._version = _compiled(_EXISTS, engine)
        self._lock = _compiled(_LOCK_EVENTS, engine)
        self._insert_events = _compiled(_INSERT_EVENTS, engine)
        self._feed = _compiled(_FEED, engine)
        self._integrity_error: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError
        self._schemas = schemas
        self._reader = engine.execution_options(
            **({READ_ONLY: True} if dialect == "sqlite" else {"isolation_level": "AUTOCOMMIT"})
        )

    def __repr__(self) -> str:
        where = "engine" if self._engine is not None else "host transaction"
        return f"SQLAlchemyOrderRepository({self._reader.dialect.name}, {where})"

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[PoolProxiedConnection]:
        """One write transaction on the driver's connection (see `_driver`)."""
        if self._engine is not None:
            connection = self._engine.raw_connection()
            try:
                if self._sqlite:
                    # The driver does not begin by itself (`configure_sqlite`): take the lock now.
                    connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
                if self._serialise_feed:
                    self._lock.execute(connection, {})
                yield connection
            except BaseException:
                connection.rollback()
                raise
            else:
                connection.commit()
            finally:
                connection.close()
            return
        assert self._host is not None  # noqa: S101 - set together with _engine in __init__
        host = self._host()
        with host.begin_nested():
            if self._serialise_feed:
                self._lock.execute(host.connection, {})
            yield host.connection

    def _feed_rows(self, params: dict[str, Any]) -> Sequence[Any]:
        """The feed's rows: in the host's transaction, or on the driver's cursor (`_driver`).

        On its own connection the query runs outside a transaction: SQLite's driver is in
        autocommit mode (see `configure_sqlite`), and psycopg's is switched to it for the
        query, which saves the round trips of ``BEGIN`` and ``ROLLBACK``. One statement, one
        consistent snapshot either way.
        """
        if self._engine is None:
            return self._rows(_FEED, params)
        connection = self._engine.raw_connection()
        try:
            driver: Any = connection.driver_connection
            if self._sqlite or driver.autocommit:
                return self._feed.rows(connection, params)
            driver.autocommit = True
            try:
                return self._feed.rows(connection, params)
            finally:
                if not driver.broken:  # a lost connection is discarded by the pool
                    driver.autocommit = False
        finally:
            connection.rollback()
            connection.close()

    def _rows(self, statement: Any, params: dict[str, Any] | None = None) -> Sequence[Any]:
        if self._host is not None:
            return self._host().execute(statement, params).all()
        with self._reader.connect() as connection:
            return connection.execute(statement, params).all()

    # -- writing ----------------------------------------------------------------------------

    def _event_rows(self, events: Sequence[OrderEvent]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        seq, previous = 0, None
        version_of = self._schemas.version_of
        for event in events:
            seq = seq + 1 if event.order_version == previous else 0
            previous = event.order_version
            rows.append(
                {
                    "event_id": event.event_id,
                    "order_id": event.order_id,
                    "order_version": event.order_version,
                    "seq": seq,
                    "event_type": event.type,
                    "schema_version": version_of(event.type),
                    "at": driver_instant(event.at, sqlite=self._sqlite),
                    "body": event.model_dump_json(),
                }
            )
        return rows

    def _append(self, connection: PoolProxiedConnection, events: Sequence[OrderEvent]) -> None:
        if not events:
            return
        try:
            self._insert_events.execute_many(connection, self._event_rows(events))
        except self._integrity_error as error:
            detail = str(error).strip().splitlines()
            if "event_id" in str(error):
                raise ValueError(
                    f"an event id of this batch is already stored ({' '.join(detail)})"
                ) from None
            raise ValueError(
                f"another writer stored events for these versions ({' '.join(detail)})"
            ) from None

    def add(self, order: Order, events: Sequence[OrderEvent] = ()) -> None:
        """Store a new order and its first events in one transaction (see the protocol).

        Raises:
            OrderAlreadyExists: If the id is stored; nothing changes.
            ValueError: If an event belongs to another order or its id is stored.
            InvalidArgument: If `order` is not an `Order`.
        """
        _check_order("add", order)
        check_events_belong(order, events, after_version=None)
        with self._write() as connection:
            try:
                self._insert_order.execute(connection, _order_row(order, sqlite=self._sqlite))
            except self._integrity_error:
                raise OrderAlreadyExists(order.order_id) from None
            self._append(connection, events)

    def save(
        self, order: Order, *, expected_version: int, events: Sequence[OrderEvent] = ()
    ) -> None:
        """Replace the order if still at `expected_version`, and append its events.

        Raises:
            ConcurrencyConflict: If the stored version differs or the order is absent.
            ValueError: If the version does not move forward or the events do not cover
                every new version (`TrailError`), or an event id is stored.
            InvalidArgument: If `order` is not an `Order` or `expected_version` not an int.
        """
        _check_order("save", order)
        if type(expected_version) is not int:
            raise InvalidArgument(
                "save", "expected_version", f"must be an int, got {expected_version!r}"
            )
        if order.version <= expected_version:
            raise ValueError(
                f"order {order.order_id}: version {order.version} does not move forward "
                f"from {expected_version}"
            )
        check_events_belong(order, events, after_version=expected_version)
        params = {
            "new_version": order.version,
            "new_status": order.status.value,
            "new_customer_id": order.customer.customer_id,
            "new_received_at": driver_instant(order.received_at, sqlite=self._sqlite),
            "new_active_holds": _active_holds(order),
            "new_body": order.model_dump_json(),
            "key": order.order_id,
            "expected": expected_version,
        }
        with self._write() as connection:
            changed = self._update.execute(connection, params)
            if changed != 1:
                actual = self._version.scalar(connection, {"key": order.order_id})
                raise ConcurrencyConflict(order.order_id, expected_version, actual)
            self._append(connection, events)

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _order(row: Sequence[Any]) -> Order:
        key, version, body = row
        try:
            order = Order.model_validate_json(body)
        except pydantic.ValidationError as error:
            raise CorruptRecord("order", str(key), _first_problem(error)) from error
        if order.order_id != key or order.version != version:
            raise CorruptRecord(
                "order",
                str(key),
                f"row says {key!r} v{version}, body says {order.order_id!r} v{order.version}",
            )
        return order

    def _orders(self, where: Any = None) -> list[Order]:
        statement = _SELECT_ORDERS if where is None else _SELECT_ORDERS.where(where)
        return [self._order(row) for row in self._rows(statement)]

    def get(self, order_id: str) -> Order:
        """The stored order, or `OrderNotFound`."""
        found = self.find(order_id)
        if found is None:
            raise OrderNotFound(order_id)
        return found

    def find(self, order_id: str) -> Order | None:
        """The stored order, or `None`."""
        rows = self._rows(_GET, {"key": order_id})
        return self._order(rows[0]) if rows else None

    def __contains__(self, order_id: object) -> bool:
        return isinstance(order_id, str) and bool(self._rows(_EXISTS, {"key": order_id}))

    def __len__(self) -> int:
        return int(self._rows(_COUNT)[0][0])

    def __iter__(self) -> Iterator[Order]:
        return iter(self._orders())

    def by_status(self, *statuses: OrderStatus) -> list[Order]:
        """Orders in any of the statuses, by id."""
        if not statuses:
            return []
        for status in statuses:
            if not isinstance(status, OrderStatus):
                raise InvalidArgument(
                    "by_status", "statuses", f"must be OrderStatus values, got {status!r}"
                )
        return self._orders(ORDERS.c.status.in_([str(status.value) for status in statuses]))

    def by_customer(self, customer_id: str) -> list[Order]:
        """Orders of one customer (the id matched exactly), by id."""
        return self._orders(ORDERS.c.customer_id == customer_id)

    def received_between(self, start: datetime, end: datetime) -> list[Order]:
        """Orders received in [start, end), compared as instants, by id.

        Raises:
            InvalidArgument: If `start` or `end` is not a timezone-aware datetime.
        """
        for name, value in (("start", start), ("end", end)):
            if getattr(value, "tzinfo", None) is None or value.utcoffset() is None:
                raise InvalidArgument(
                    "received_between", name, f"must be a timezone-aware datetime, got {value!r}"
                )
        return self._orders((ORDERS.c.received_at >= start) & (ORDERS.c.received_at < end))

    def with_active_hold(self, reason: str | None = None) -> list[Order]:
        """Orders with a hold not yet released (of `reason`, matched exactly), by id."""
        # `active_holds != ''` in both, written out (a bound parameter would hide it from
        # the planner): the condition of the partial index of held orders.
        held = ORDERS.c.active_holds != literal_column("''")
        if reason is None:
            return self._orders(held)
        return self._orders(held & ORDERS.c.active_holds.contains(f"|{reason}|", autoescape=True))

    def events(self, order_id: str) -> list[OrderEvent]:
        """One order's events in append order."""
        rows = self._rows(_EVENTS_OF, {"key": order_id})
        return self._schemas.read_many((body, version) for body, version in rows)

    def events_since(self, position: int = 0, limit: int = 1000) -> list[FeedEntry]:
        """The events after `position`, at most `limit`, by position (see the module)."""
        check_feed_window(position, limit)
        # The whole page with the collector paused, the driver's rows and the entries too:
        # any allocation with the collector running would set off a pass over the events
        # built so far or over the page the reader still holds (see `collector_paused`).
        with collector_paused():
            rows = self._feed_rows({"after": position, "limit": limit})
            if not rows:
                return []
            positions, bodies, versions = zip(*rows, strict=True)
            events = self._schemas.read_many(zip(bodies, versions, strict=True))
            return list(map(FeedEntry, positions, events))

    def all_events(self) -> Iterator[OrderEvent]:
        """Every event in append order, read page by page as the iterator advances."""
        position = 0
        while True:
            page = self.events_since(position, _PAGE)
            for entry in page:
                yield entry.event
            if len(page) < _PAGE:
                return
            position = page[-1].position


_COMPILED: dict[tuple[str, str, int], DriverStatement] = {}


def _compiled(statement: Any, engine: Engine) -> DriverStatement:
    # Compiled once per statement and dialect, however many repositories hosts make.
    key = (engine.dialect.name, engine.dialect.paramstyle, id(statement))
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = DriverStatement(statement, engine.dialect)
    return found


def _check_order(method: str, order: object) -> None:
    if not isinstance(order, Order):
        raise InvalidArgument(method, "order", f"must be an Order, got {type(order).__name__}")


def _first_problem(error: pydantic.ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(the record)"
    return f"{where}: {first['msg']} ({error.error_count()} problem(s))"
