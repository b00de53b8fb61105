"""ordercore's `OrderRepository` on SQLAlchemy 2 Core, for PostgreSQL and SQLite.

Examples:
    >>> import tempfile, pathlib
    >>> from ordercore.testing.factories import make_order
    >>> engine = sqlite_engine(pathlib.Path(tempfile.mkdtemp()) / "orders.sqlite3")
    >>> upgrade(engine)
    >>> repo = SQLAlchemyOrderRepository(engine)
    >>> repo.add(make_order("SO-1"))
    >>> repo.get("SO-1").order_id, len(repo)
    ('SO-1', 1)
    >>> engine.dispose()
"""

from __future__ import annotations

from ordercore_sqlalchemy.engines import configure_sqlite, sqlite_engine
from ordercore_sqlalchemy.migrate import current_revision, head_revision, upgrade
from ordercore_sqlalchemy.repository import SQLAlchemyOrderRepository
from ordercore_sqlalchemy.schema import METADATA

__all__ = [
    "METADATA",
    "SQLAlchemyOrderRepository",
    "configure_sqlite",
    "current_revision",
    "head_revision",
    "sqlite_engine",
    "upgrade",
]
