"""The write path's and the feed's statements, compiled once per dialect, run on the driver's cursor.

Writes are a few short statements per call. SQLAlchemy builds them from the Core
statements in `repository` and compiles them once per dialect; running them through a
`Connection` would then cost more than SQLite itself does (a `Connection` object per call,
parameter processing, result objects, event dispatch: twice the hand-written cost). So
they run on the driver's cursor of a connection from the engine's pool (the repository
begins and commits that transaction itself), or of the host's `Connection`, inside the
SAVEPOINT SQLAlchemy opened there, with the values already in the form the column types
bind them in. Engine event listeners therefore do not see these statements.

The event feed reads the same way: a page is a thousand rows, and a `Row` object per row
with SQLAlchemy's result processing costs as much as fetching it; the driver's tuples carry
the JSON text the events are validated from, and nothing else is needed.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.engine import Dialect
    from sqlalchemy.pool import PoolProxiedConnection
    from sqlalchemy.sql import ClauseElement
    from sqlalchemy.sql.elements import BindParameter

__all__ = ["DriverStatement", "driver_instant"]

_POSITIONAL: Final = frozenset({"qmark", "numeric", "format"})


def driver_instant(moment: datetime, *, sqlite: bool) -> Any:
    """An aware datetime as `UtcTimestamp` binds it: UTC text on SQLite, UTC elsewhere."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z" if sqlite else utc


class DriverStatement:
    """One Core statement compiled for a dialect, with its parameters in the driver's order."""

    __slots__ = ("_fixed", "_keys", "_positional", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        self._positional = dialect.paramstyle in _POSITIONAL
        self._keys: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())
        # Values the statement carries itself (SQLite's ``OFFSET ?`` beside a ``LIMIT``).
        names: dict[BindParameter[Any], str] = getattr(compiled, "bind_names", {})
        self._fixed: dict[str, Any] = {
            name: bind.value for bind, name in names.items() if not bind.required
        }

    def _params(self, values: dict[str, Any]) -> Any:
        if self._fixed:
            values = {**self._fixed, **values}
        return tuple(values[key] for key in self._keys) if self._positional else values

    def execute(self, connection: PoolProxiedConnection, values: dict[str, Any]) -> int:
        """Run it once; return the number of rows it changed."""
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, self._params(values))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def scalar(self, connection: PoolProxiedConnection, values: dict[str, Any]) -> Any:
        """Run a query; return the first column of its first row, or `None`."""
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, self._params(values))
            row = cursor.fetchone()
            return None if row is None else row[0]
        finally:
            cursor.close()

    def rows(self, connection: PoolProxiedConnection, values: dict[str, Any]) -> list[Any]:
        """Run a query; return its rows as the driver gives them (tuples)."""
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, self._params(values))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def execute_many(
        self, connection: PoolProxiedConnection, rows: Sequence[dict[str, Any]]
    ) -> None:
        """Run it once per row, as one batch."""
        cursor = connection.cursor()
        try:
            cursor.executemany(self.sql, [self._params(row) for row in rows])
        finally:
            cursor.close()
