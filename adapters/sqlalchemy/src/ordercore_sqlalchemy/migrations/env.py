"""Alembic's environment for the adapter's migrations (run through `ordercore_sqlalchemy.upgrade`)."""

from __future__ import annotations

from alembic import context

from ordercore.errors import ConfigurationError
from ordercore_sqlalchemy.migrate import VERSION_TABLE
from ordercore_sqlalchemy.schema import METADATA

connection = context.config.attributes.get("connection")
if connection is None:
    raise ConfigurationError(
        "run these migrations with ordercore_sqlalchemy.upgrade(engine_or_connection)",
        component="ordercore_sqlalchemy migrations",
    )
context.configure(connection=connection, target_metadata=METADATA, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
