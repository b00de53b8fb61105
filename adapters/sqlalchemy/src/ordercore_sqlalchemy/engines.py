"""Engines set up the way the repository needs them, for hosts that do not bring their own.

PostgreSQL needs nothing special: any SQLAlchemy 2 engine on psycopg 3
(``postgresql+psycopg://...``) works as it is. SQLite needs three things the standard
driver does not do by default, which `sqlite_engine` sets on every connection:

- write-ahead logging (`journal_mode=WAL`), so readers do not block the writer;
- a busy timeout, so a second writer waits for the lock instead of failing at once;
- transactions that begin when SQLAlchemy begins them: `BEGIN IMMEDIATE` (the write lock
  is taken at the start, so a transaction that read first cannot fail later when it
  writes), or a deferred `BEGIN` for the repository's own reads. Python's `sqlite3` would
  otherwise start transactions only before a write, which also breaks SAVEPOINTs
  (SQLAlchemy's pysqlite documentation describes this).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import create_engine, event

from ordercore.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Connection, Engine

__all__ = ["READ_ONLY", "configure_sqlite", "is_configured", "sqlite_engine"]

_CONFIGURED: Final[weakref.WeakSet[Engine]] = weakref.WeakSet()

READ_ONLY = "ordercore_read_only"
"""The execution option with which the repository marks its own read-only connections."""


def sqlite_engine(path: str | Path, *, busy_timeout_ms: int = 30_000, **options: Any) -> Engine:
    """An engine on one SQLite file, set up for concurrent writers (see the module).

    Args:
        path: The database file (created on first use). ``":memory:"`` is refused: each
            connection would see its own empty database.
        busy_timeout_ms: How long a writer waits for another writer's lock.
        **options: Passed to `sqlalchemy.create_engine`.

    Raises:
        ConfigurationError: For an in-memory path or a timeout that is not a positive int.
    """
    if str(path) in {":memory:", ""}:
        raise ConfigurationError(
            "an in-memory SQLite database is private to each connection; give a file path",
            component="sqlite_engine",
        )
    engine = create_engine(f"sqlite+pysqlite:///{path}", **options)
    configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms)
    return engine


def is_configured(engine: Engine) -> bool:
    """Whether the repository can work on this engine: PostgreSQL, or SQLite set up here."""
    return engine.dialect.name != "sqlite" or engine in _CONFIGURED


def configure_sqlite(engine: Engine, *, busy_timeout_ms: int = 30_000) -> Engine:
    """Set up a host's own SQLite engine as `sqlite_engine` does; returns the same engine.

    Raises:
        ConfigurationError: If the engine is not SQLite or the timeout is not a positive int.
    """
    if engine in _CONFIGURED:
        return engine
    if engine.dialect.name != "sqlite":
        raise ConfigurationError(
            f"configure_sqlite needs a SQLite engine, not {engine.dialect.name}",
            component="configure_sqlite",
        )
    if type(busy_timeout_ms) is not int or busy_timeout_ms <= 0:
        raise ConfigurationError(
            f"busy_timeout_ms must be a positive int, got {busy_timeout_ms!r}",
            component="configure_sqlite",
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        # Straight to the driver: this runs before every transaction.
        connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN" if read_only else "BEGIN IMMEDIATE"
        )

    _CONFIGURED.add(engine)
    return engine
