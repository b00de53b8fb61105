"""Create and migrate the adapter's tables with Alembic, from code.

The migrations ship inside the package (`ordercore_sqlalchemy/migrations`) and record their
revision in `ordercore_alembic_version`, apart from a host's own Alembic history: a host
runs `upgrade(engine)` when it deploys, before or after its own migrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["VERSION_TABLE", "alembic_config", "current_revision", "head_revision", "upgrade"]

VERSION_TABLE: Final = "ordercore_alembic_version"
"""The table in which Alembic records this schema's revision."""

_SCRIPTS: Final = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic `Config` for the adapter's migrations, running on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this release knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # noqa: S101 - the package always ships its first migration
    return head


def _on(bind: Engine | Connection, run: Callable[[Connection], None]) -> None:
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            run(connection)
    else:
        run(bind)


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Migrate the database to `revision` (the newest by default); idempotent.

    On an `Engine` it commits; on a `Connection` it runs in the caller's transaction.
    """
    _on(bind, lambda connection: command.upgrade(alembic_config(connection), revision))


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at (`None` for a database never migrated)."""
    found: list[str | None] = []

    def read(connection: Connection) -> None:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        found.append(context.get_current_revision())

    _on(bind, read)
    return found[0]
