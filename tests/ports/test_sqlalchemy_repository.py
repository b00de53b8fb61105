"""ordercore-sqlalchemy passes the contract on SQLite and PostgreSQL, and joins host transactions."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.orm import Session

from _sqlalchemy_support import empty_postgres, fresh_sqlite
from ordercore import ConcurrencyConflict, CorruptRecord
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.events import Actor
from ordercore.lifecycle import Submit, apply, create
from ordercore.ports import OrderRepository
from ordercore.testing.contracts import OrderRepositoryContract
from ordercore.testing.factories import make_order
from ordercore_sqlalchemy import SQLAlchemyOrderRepository, configure_sqlite, sqlite_engine

pytest_plugins = ["_sqlalchemy_fixtures"]

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from ordercore.events import OrderEvent
    from ordercore.orders import Order
    from ordercore_sqlalchemy.testing import TemporaryPostgres

CLERK = Actor.user("clerk-7")


class TestSQLAlchemyRepositoryOnSQLite(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _database(self, sqlite_template: Path, tmp_path: Path) -> None:
        self.template, self.folder, self.count = sqlite_template, tmp_path, 0

    def make_repository(self) -> OrderRepository:
        self.count += 1
        path = fresh_sqlite(self.template, self.folder, f"orders-{self.count}.sqlite3")
        self.engine = sqlite_engine(path)
        return SQLAlchemyOrderRepository(self.engine)

    def close_repository(self, repo: OrderRepository) -> None:
        assert isinstance(repo, SQLAlchemyOrderRepository)
        self.engine.dispose()


class TestSQLAlchemyRepositoryOnPostgres(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_engine: Engine) -> None:
        self.engine = postgres_engine

    def make_repository(self) -> OrderRepository:
        empty_postgres(self.engine)
        return SQLAlchemyOrderRepository(self.engine)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = sqlite_engine(fresh_sqlite(sqlite_template, tmp_path))
        yield made
        made.dispose()
        return
    shared: Engine = request.getfixturevalue("postgres_engine")
    empty_postgres(shared)
    yield shared


def _created(order_id: str) -> tuple[Order, list[OrderEvent]]:
    return create(make_order(order_id), at=make_order().received_at, actor=CLERK)


def test_the_repository_satisfies_the_protocol(engine: Engine) -> None:
    assert isinstance(SQLAlchemyOrderRepository(engine), OrderRepository)


def test_an_order_and_the_hosts_own_rows_commit_together(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE delivery_notes (note_id TEXT, order_id TEXT)"))
    order, events = _created("SO-1")
    with engine.begin() as connection:
        repo = SQLAlchemyOrderRepository(connection)
        repo.add(order, events)
        connection.execute(text("INSERT INTO delivery_notes VALUES ('DN-1', 'SO-1')"))
        assert "SO-1" not in SQLAlchemyOrderRepository(engine), "seen before the commit"
    assert SQLAlchemyOrderRepository(engine).get("SO-1") == order
    with engine.connect() as connection:
        notes = connection.execute(text("SELECT note_id FROM delivery_notes")).all()
    assert [row[0] for row in notes] == ["DN-1"]


def test_a_host_rollback_takes_the_order_and_its_events_back(engine: Engine) -> None:
    order, events = _created("SO-1")
    with engine.connect() as connection:
        repo = SQLAlchemyOrderRepository(connection)
        repo.add(order, events)
        assert repo.get("SO-1") == order  # visible inside the host's transaction
        connection.rollback()
    outside = SQLAlchemyOrderRepository(engine)
    assert "SO-1" not in outside
    assert outside.events("SO-1") == []
    assert outside.events_since(0, 10) == []


def test_a_refused_save_leaves_the_host_transaction_usable(engine: Engine) -> None:
    order, events = _created("SO-1")
    SQLAlchemyOrderRepository(engine).add(order, events)
    submitted, submit_events = apply(order, Submit(), at=order.received_at, actor=CLERK)
    with engine.begin() as connection:
        repo = SQLAlchemyOrderRepository(connection)
        repo.save(submitted, expected_version=order.version, events=submit_events)
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(submitted, expected_version=order.version, events=submit_events)
        assert caught.value.actual_version == submitted.version
        second, second_events = _created("SO-2")
        repo.add(second, second_events)  # the transaction goes on after the refusal
    stored = SQLAlchemyOrderRepository(engine)
    assert stored.get("SO-1") == submitted
    assert [o.order_id for o in stored] == ["SO-1", "SO-2"]


def test_a_session_owns_the_transaction(engine: Engine) -> None:
    order, events = _created("SO-1")
    with Session(engine) as session:
        SQLAlchemyOrderRepository(session).add(order, events)
        session.rollback()
    assert "SO-1" not in SQLAlchemyOrderRepository(engine)
    with Session(engine) as session, session.begin():
        SQLAlchemyOrderRepository(session).add(order, events)
    assert SQLAlchemyOrderRepository(engine).events("SO-1") == events


def test_a_sqlite_engine_not_set_up_for_it_is_refused(tmp_path: Path) -> None:
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    with pytest.raises(ConfigurationError, match="configure_sqlite"):
        SQLAlchemyOrderRepository(plain)
    assert isinstance(SQLAlchemyOrderRepository(configure_sqlite(plain)), OrderRepository)
    plain.dispose()


def test_a_bind_of_another_kind_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="Engine, Connection or Session"):
        SQLAlchemyOrderRepository("sqlite:///orders.sqlite3")  # type: ignore[arg-type]


def test_an_in_memory_sqlite_database_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="private to each connection"):
        sqlite_engine(":memory:")


def test_bad_arguments_raise_invalid_argument_and_change_nothing(engine: Engine) -> None:
    repo = SQLAlchemyOrderRepository(engine)
    order, events = _created("SO-1")
    repo.add(order, events)
    with pytest.raises(InvalidArgument, match="order must be an Order"):
        repo.add({"order_id": "SO-2"})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="expected_version must be an int"):
        repo.save(order, expected_version="0")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="statuses must be OrderStatus values"):
        repo.by_status("draft")  # type: ignore[arg-type]
    assert len(repo) == 1
    assert repo.get("SO-1") == order


def test_a_row_with_bad_json_raises_corrupt_record_naming_the_order(engine: Engine) -> None:
    repo = SQLAlchemyOrderRepository(engine)
    repo.add(make_order("SO-1"))
    body = '{"order_id": "SO-1"}'
    with engine.begin() as connection:
        connection.execute(text("UPDATE ordercore_orders SET body = :b"), {"b": body})
    with pytest.raises(CorruptRecord, match="stored order 'SO-1' cannot be read"):
        repo.get("SO-1")


def test_a_corrupt_event_raises_corrupt_record_naming_the_event(engine: Engine) -> None:
    from ordercore_sqlalchemy.schema import EVENTS  # noqa: PLC0415

    repo = SQLAlchemyOrderRepository(engine)
    order, events = _created("SO-1")
    repo.add(order, events)
    broken = events[0].model_dump_json().replace('"order_created"', '"no_such_event"')
    with engine.begin() as connection:
        connection.execute(update(EVENTS).values(body=broken))
    with pytest.raises(CorruptRecord, match=f"stored event '{events[0].event_id}'"):
        repo.events("SO-1")
    with pytest.raises(CorruptRecord, match=f"stored event '{events[0].event_id}'"):
        repo.events_since(0, 10)


def test_reading_the_feed_leaves_the_collector_as_it_found_it(engine: Engine) -> None:
    repo = SQLAlchemyOrderRepository(engine)
    repo.add(*_created("SO-1"))
    assert len(repo.events_since(0, 10)) == 1
    assert repo.events_since(10**9, 10) == []
    assert gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        repo.events_since(0, 10)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_feed_hands_a_postgres_connection_back_to_the_pool_out_of_autocommit(
    postgres_server: TemporaryPostgres, postgres_engine: Engine
) -> None:
    empty_postgres(postgres_engine)
    engine = create_engine(postgres_server.url, pool_size=1, max_overflow=0)
    try:
        repo = SQLAlchemyOrderRepository(engine)
        order, events = _created("SO-1")
        repo.add(order, events)
        assert [entry.event for entry in repo.events_since(0, 10)] == events
        connection = engine.raw_connection()
        try:
            assert connection.driver_connection.autocommit is False  # type: ignore[union-attr]
        finally:
            connection.close()
        submitted = apply(order, Submit(), at=order.received_at, actor=CLERK)
        repo.save(submitted[0], expected_version=order.version, events=submitted[1])
        assert len(repo.events_since(0, 10)) == len(events) + len(submitted[1])
    finally:
        engine.dispose()


def test_an_autocommit_postgres_engine_stays_in_autocommit_after_the_feed(
    postgres_server: TemporaryPostgres, postgres_engine: Engine
) -> None:
    empty_postgres(postgres_engine)
    SQLAlchemyOrderRepository(postgres_engine).add(*_created("SO-1"))
    engine = create_engine(
        postgres_server.url, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT"
    )
    try:
        assert len(SQLAlchemyOrderRepository(engine).events_since(0, 10)) == 1
        connection = engine.raw_connection()
        try:
            assert connection.driver_connection.autocommit is True  # type: ignore[union-attr]
        finally:
            connection.close()
    finally:
        engine.dispose()


def test_a_second_writer_of_the_same_version_is_refused_by_the_trail_constraint(
    engine: Engine,
) -> None:
    from sqlalchemy.exc import IntegrityError  # noqa: PLC0415

    from ordercore_sqlalchemy.schema import EVENTS  # noqa: PLC0415

    repo = SQLAlchemyOrderRepository(engine)
    order, events = _created("SO-1")
    repo.add(order, events)
    row = {
        "event_id": "other",
        "order_id": "SO-1",
        "order_version": 0,
        "seq": 0,
        "event_type": "order_created",
        "schema_version": 1,
        "at": order.received_at,
        "body": events[0].model_dump_json(),
    }
    with pytest.raises(IntegrityError, match=r"ordercore_events_trail|UNIQUE"), engine.begin() as c:
        c.execute(insert(EVENTS), row)


def test_bodies_are_jsonb_and_ids_compare_bytewise_on_postgres(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as connection:
        types: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type FROM "
                    "information_schema.columns WHERE column_name IN ('body', 'received_at')"
                )
            ).all()
        )
        collations: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT column_name, collation_name FROM information_schema.columns "
                    "WHERE table_name = 'ordercore_orders' AND column_name IN "
                    "('order_id', 'customer_id')"
                )
            ).all()
        )
        default = connection.execute(
            text("SELECT 'SO-a' < 'SO-B'")  # the database's own collation is not bytewise
        ).scalar()
    assert types["ordercore_orders.body"] == "jsonb"
    assert types["ordercore_events.body"] == "jsonb"
    assert types["ordercore_orders.received_at"] == "timestamp with time zone"
    assert collations == {"order_id": "C", "customer_id": "C"}
    assert default is True, "the test server should sort by a language, to catch collation bugs"
