"""Alembic creates the adapter's schema from nothing and upgrades every earlier revision."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from ordercore.events import Actor
from ordercore.lifecycle import create
from ordercore.testing.factories import make_order
from ordercore_sqlalchemy import (
    METADATA,
    SQLAlchemyOrderRepository,
    current_revision,
    head_revision,
    sqlite_engine,
    upgrade,
)
from ordercore_sqlalchemy.migrate import VERSION_TABLE, alembic_config

pytest_plugins = ["_sqlalchemy_fixtures"]

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from ordercore_sqlalchemy.testing import TemporaryPostgres

_NAMES = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it."""
    if request.param == "sqlite":
        engine = sqlite_engine(tmp_path / "blank.sqlite3")
    else:
        server: TemporaryPostgres = request.getfixturevalue("postgres_server")
        engine = create_engine(server.create_database(f"blank_{next(_NAMES)}"))
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return list(compare_metadata(context, METADATA))


def _revisions() -> list[tuple[str | None, str]]:
    """(previous, revision) for every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    pairs = [(r.down_revision, r.revision) for r in script.walk_revisions()]
    return [(str(down) if down else None, str(up)) for down, up in reversed(pairs)]


def test_upgrading_an_empty_database_creates_exactly_the_tables_of_the_metadata(
    blank: Engine,
) -> None:
    assert current_revision(blank) is None
    upgrade(blank)
    assert current_revision(blank) == head_revision()
    assert _differences(blank) == []
    tables = set(inspect(blank).get_table_names())
    assert tables == {"ordercore_orders", "ordercore_events", VERSION_TABLE}


@pytest.mark.parametrize(("previous", "revision"), _revisions())
def test_a_database_at_the_previous_revision_upgrades_keeping_its_rows(
    blank: Engine, previous: str | None, revision: str
) -> None:
    if previous is not None:
        upgrade(blank, previous)
    assert current_revision(blank) == previous
    stored = []
    if previous is not None:  # a schema exists: rows written before the upgrade must survive
        order, events = create(
            make_order("SO-1"), at=make_order().received_at, actor=Actor.user("u")
        )
        SQLAlchemyOrderRepository(blank).add(order, events)
        stored = [order]
    upgrade(blank, revision)
    assert current_revision(blank) == revision
    if revision == head_revision():
        assert _differences(blank) == []
    assert list(SQLAlchemyOrderRepository(blank)) == stored


def test_upgrading_twice_changes_nothing_and_keeps_the_rows(blank: Engine) -> None:
    upgrade(blank)
    repo = SQLAlchemyOrderRepository(blank)
    order, events = create(make_order("SO-1"), at=make_order().received_at, actor=Actor.user("u"))
    repo.add(order, events)
    upgrade(blank)
    assert repo.get("SO-1") == order
    assert repo.events("SO-1") == events
    assert _differences(blank) == []


def test_the_schema_can_be_taken_down_and_built_again(blank: Engine) -> None:
    upgrade(blank)
    with blank.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert current_revision(blank) is None
    assert set(inspect(blank).get_table_names()) <= {VERSION_TABLE}
    upgrade(blank)
    assert _differences(blank) == []


def test_the_adapter_keeps_its_revision_apart_from_the_hosts_alembic_table(blank: Engine) -> None:
    upgrade(blank)
    assert "alembic_version" not in inspect(blank).get_table_names()
