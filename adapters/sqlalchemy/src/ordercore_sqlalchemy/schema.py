"""The tables: one row per order with its lookup columns, one row per event.

The same `MetaData` describes the schema on PostgreSQL and on SQLite; the Alembic
migrations, applied in order, create exactly these tables (a test compares the two). Every table name starts
with `ordercore_`, so the tables sit beside a host's own in one database, and Alembic
records this schema's revision in its own table, `ordercore_alembic_version`.

- `ordercore_orders`: the order's JSON (JSONB on PostgreSQL, text on SQLite) and what the
  lookups filter on: `status`, `customer_id`, `received_at` (UTC; a `timestamptz` on
  PostgreSQL, fixed-width UTC text on SQLite, so that comparing is comparing instants), and
  `active_holds` (the reasons of the holds not yet released, each framed as ``|reason|``).
  Ids compare bytewise (`COLLATE "C"` on PostgreSQL, SQLite's default `BINARY`): ordering
  follows code points, as Python's `sorted` does, whatever the database's locale. A
  partial index holds the ids of the orders with an active hold (since revision 0002), so
  `with_active_hold` reads those orders only.
- `ordercore_events`: one row per event, with its feed `position` (an identity column),
  a unique `event_id`, and a unique (`order_id`, `order_version`, `seq`) so that two
  writers can never both append an order's next version. `schema_version` is the version of
  the event type's shape the body was written in (see `ordercore.upcasting`). An index on
  (`order_id`, `position`) reads one order's trail in append order (since revision 0002).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    text,
)
from sqlalchemy.types import TypeDecorator, UserDefinedType

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.types import TypeEngine

__all__ = ["EVENTS", "METADATA", "ORDERS", "JsonBody", "UtcTimestamp"]


class _Jsonb(UserDefinedType[str]):
    """PostgreSQL's JSONB, written from and read back as JSON text (no second encoding)."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "JSONB"

    def bind_expression(self, bindvalue: Any) -> ColumnElement[str]:
        return cast(bindvalue, self)

    def column_expression(self, colexpr: Any) -> ColumnElement[str]:
        return cast(colexpr, Text)


class JsonBody(TypeDecorator[str]):
    """A JSON document held as text by Python: JSONB on PostgreSQL, TEXT elsewhere.

    The entity writes its own JSON (`model_dump_json`) and reads it back
    (`model_validate_json`), so no driver-level JSON encoding or decoding happens.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSONB on PostgreSQL, TEXT elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_Jsonb())
        return dialect.type_descriptor(Text())


_SQLITE_INSTANT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"


class UtcTimestamp(TypeDecorator[datetime]):
    """An aware instant stored in UTC: `timestamptz` on PostgreSQL, fixed-width text on SQLite.

    SQLite has no time type, and SQLAlchemy's `DateTime` drops the offset there: a time
    stored as its wall clock would compare wrongly with one from another zone. Fixed-width
    UTC text (``2026-03-02T01:30:00.000000Z``) sorts exactly as the instants do.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """`timestamptz` on PostgreSQL; 27 characters of UTC text on SQLite."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(27))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """The instant in UTC (text on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # The repository checks its arguments first; this guards direct table use.
            raise ValueError(f"a naive datetime cannot be stored as an instant: {value!r}")
        moment = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
        return moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """An aware datetime in UTC."""
        if value is None:
            return None
        if dialect.name == "sqlite":
            return datetime.strptime(str(value), _SQLITE_INSTANT).replace(tzinfo=UTC)
        stored: datetime = value
        return stored.astimezone(UTC)


def _id() -> TypeEngine[str]:
    # Bytewise comparison on PostgreSQL; SQLite's default collation is already bytewise.
    return String().with_variant(String(collation="C"), "postgresql")


METADATA: Final = MetaData()
"""The tables of this adapter (for `create_all` in a scratch database, or for Alembic)."""

ORDERS: Final = Table(
    "ordercore_orders",
    METADATA,
    Column("order_id", _id(), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(40), nullable=False),
    Column("customer_id", _id(), nullable=False),
    Column("received_at", UtcTimestamp(), nullable=False),
    Column("active_holds", Text, nullable=False),
    Column("body", JsonBody(), nullable=False),
    Index("ordercore_orders_status", "status", "order_id"),
    Index("ordercore_orders_customer", "customer_id", "order_id"),
    Index("ordercore_orders_received", "received_at"),
    Index(
        "ordercore_orders_held",
        "order_id",
        postgresql_where=text("active_holds <> ''"),
        sqlite_where=text("active_holds <> ''"),
    ),
)
"""One row per order: its JSON and the columns lookups filter on."""

EVENTS: Final = Table(
    "ordercore_events",
    METADATA,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        Identity(always=False),
        primary_key=True,
    ),
    Column("event_id", String, nullable=False),
    Column("order_id", _id(), nullable=False),
    Column("order_version", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("at", UtcTimestamp(), nullable=False),
    Column("body", JsonBody(), nullable=False),
    UniqueConstraint("event_id", name="ordercore_events_event_id"),
    UniqueConstraint("order_id", "order_version", "seq", name="ordercore_events_trail"),
    Index("ordercore_events_order", "order_id", "position"),
)
"""One row per event; `position` orders the feed."""
