"""Alembic creates the adapter's schema from nothing and upgrades every earlier revision."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect

from ordercore.events import Actor
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, ReleaseHold, Submit, apply, create
from ordercore.status import OrderStatus
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
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from ordercore.events import OrderEvent
    from ordercore.lifecycle import Command
    from ordercore.orders import Order
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


# --------------------------------------------- a database of the previous release, with data

_CLERK = Actor.user("clerk")


def _step(order: Order, command: Command, trail: list[OrderEvent]) -> Order:
    moment = order.updated_at or order.received_at
    new, events = apply(order, command, at=moment, actor=_CLERK)
    trail.extend(events)
    return new


def _release_one_data(repo: SQLAlchemyOrderRepository) -> None:
    """Orders of several customers and receipt times, held, released, submitted, stored."""
    for n in range(6):
        order, trail = create(
            make_order(f"SO-{n}", seed=n), at=make_order(seed=n).received_at, actor=_CLERK
        )
        repo.add(order, trail)
        version = order.version
        events: list[OrderEvent] = []
        if n % 2:
            order = _step(order, Submit(), events)
        if n % 3 == 0:
            hold = PlaceHold(hold_id=f"H-{n}", hold_reason=HoldReason.CREDIT, note="limit")
            order = _step(order, hold, events)
        if n == 3:
            order = _step(order, ReleaseHold(hold_id="H-3", reason="paid"), events)
        if events:
            repo.save(order, expected_version=version, events=events)


def _contents(repo: SQLAlchemyOrderRepository) -> dict[str, object]:
    """Everything the adapter reads back, by every lookup."""
    orders = list(repo)
    return {
        "orders": orders,
        "events": {order.order_id: repo.events(order.order_id) for order in orders},
        "feed": repo.events_since(0, 1000),
        "draft": repo.by_status(OrderStatus.DRAFT),
        "submitted": repo.by_status(OrderStatus.SUBMITTED),
        "customers": {
            o.customer.customer_id: repo.by_customer(o.customer.customer_id) for o in orders
        },
        "held": repo.with_active_hold(),
        "credit": repo.with_active_hold(HoldReason.CREDIT.value),
        "received": repo.received_between(
            min(o.received_at for o in orders), max(o.received_at for o in orders)
        ),
    }


def _still_works(repo: SQLAlchemyOrderRepository, before: dict[str, object]) -> None:
    """A save and a new order after the migration, appended to the feed after the old events."""
    feed = before["feed"]
    assert isinstance(feed, list)
    old = repo.get("SO-0")
    events: list[OrderEvent] = []
    new = _step(old, ReleaseHold(hold_id="H-0", reason="limit raised"), events)
    repo.save(new, expected_version=old.version, events=events)
    added, created = create(make_order("SO-9"), at=make_order().received_at, actor=_CLERK)
    repo.add(added, created)
    assert repo.get("SO-0") == new
    assert repo.events("SO-0") == [*before["events"]["SO-0"], *events]  # type: ignore[index]
    after = repo.events_since(feed[-1].position, 1000)
    assert [entry.event for entry in after] == [*events, *created]
    assert all(entry.position > feed[-1].position for entry in after)
    assert [o.order_id for o in repo.with_active_hold()] == []
    assert len(repo) == len(before["orders"]) + 1  # type: ignore[arg-type]


def test_a_database_with_data_at_revision_0001_upgrades_and_the_adapter_reads_all_of_it(
    blank: Engine,
) -> None:
    upgrade(blank, "0001")
    repo = SQLAlchemyOrderRepository(blank)
    _release_one_data(repo)
    before = _contents(repo)
    assert len(before["feed"]) > len(before["orders"])  # type: ignore[arg-type]
    assert [o.order_id for o in before["held"]] == ["SO-0"]  # type: ignore[attr-defined]
    upgrade(blank)
    assert current_revision(blank) == head_revision() != "0001"
    assert _differences(blank) == []
    assert _contents(SQLAlchemyOrderRepository(blank)) == before
    _still_works(SQLAlchemyOrderRepository(blank), before)


def test_the_latest_revision_goes_down_to_0001_keeping_every_row(blank: Engine) -> None:
    upgrade(blank)
    repo = SQLAlchemyOrderRepository(blank)
    _release_one_data(repo)
    before = _contents(repo)
    with blank.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    assert current_revision(blank) == "0001"
    assert _contents(SQLAlchemyOrderRepository(blank)) == before
    _still_works(SQLAlchemyOrderRepository(blank), before)
    upgrade(blank)
    assert _differences(blank) == []


def _indexes(engine: Engine) -> dict[str, set[str]]:
    found = inspect(engine)
    return {
        table: {str(index["name"]) for index in found.get_indexes(table)}
        for table in ("ordercore_orders", "ordercore_events")
    }


def test_revision_0002_adds_the_index_of_an_orders_events_and_of_held_orders(
    blank: Engine,
) -> None:
    upgrade(blank, "0001")
    first = _indexes(blank)
    upgrade(blank, "0002")
    added = {table: names - first[table] for table, names in _indexes(blank).items()}
    assert added == {
        "ordercore_orders": {"ordercore_orders_held"},
        "ordercore_events": {"ordercore_events_order"},
    }


def _plans(engine: Engine, run: Callable[[SQLAlchemyOrderRepository], object]) -> list[str]:
    """The query plans of the SELECTs the repository sends for `run`."""
    statements: list[tuple[str, Any]] = []

    def seen(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        run(SQLAlchemyOrderRepository(engine))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements
    plans = []
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        if engine.dialect.name == "postgresql":  # the tables are tiny: make scans the last resort
            cursor.execute("SET enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        for statement, parameters in statements:
            cursor.execute(explain + statement, parameters)
            plans.append(" ".join(str(part) for row in cursor.fetchall() for part in row))
        cursor.close()
    return plans


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        pytest.param(lambda repo: repo.with_active_hold(), "ordercore_orders_held", id="held"),
        pytest.param(
            lambda repo: repo.with_active_hold("credit"), "ordercore_orders_held", id="reason"
        ),
        pytest.param(lambda repo: repo.events("SO-1"), "ordercore_events_order", id="events"),
    ],
)
def test_the_lookups_read_through_the_indexes_of_revision_0002(
    blank: Engine, lookup: Callable[[SQLAlchemyOrderRepository], object], index: str
) -> None:
    upgrade(blank)
    _release_one_data(SQLAlchemyOrderRepository(blank))
    assert all(index in plan for plan in _plans(blank, lookup))
