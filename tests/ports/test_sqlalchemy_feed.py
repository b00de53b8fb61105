"""Writers in several OS processes: the feed, a race for one version, the lock, and crashes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from _sqlalchemy_support import empty_postgres, fresh_sqlite, step
from ordercore.testing.factories import make_order
from ordercore_sqlalchemy import SQLAlchemyOrderRepository, sqlite_engine

pytest_plugins = ["_sqlalchemy_fixtures"]

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

    from ordercore.ports import FeedEntry
    from ordercore_sqlalchemy.testing import TemporaryPostgres

WRITER = Path(__file__).with_name("_writer_process.py")
PROCESSES, ORDERS, SAVES = 4, 4, 6


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[str, Engine]]:
    """(URL for another process, engine for this one) of an empty, migrated database."""
    if request.param == "sqlite":
        path = fresh_sqlite(sqlite_template, tmp_path)
        engine = sqlite_engine(path)
        yield f"sqlite:///{path}", engine
        engine.dispose()
        return
    server: TemporaryPostgres = request.getfixturevalue("postgres_server")
    shared: Engine = request.getfixturevalue("postgres_engine")
    empty_postgres(shared)
    yield server.url, shared


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, str(WRITER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_reader_misses_no_event_of_writers_in_other_processes(
    store: tuple[str, Engine],
) -> None:
    url, engine = store
    repo = SQLAlchemyOrderRepository(engine)
    with contextlib.ExitStack() as stack:
        writers = [
            stack.enter_context(_spawn("feed", url, f"P{n}", str(ORDERS), str(SAVES)))
            for n in range(PROCESSES)
        ]
        seen = _follow(repo, writers)
    everything = repo.events_since(0, 100_000)
    assert len(everything) == PROCESSES * ORDERS * SAVES
    missed = sorted({e.position for e in everything} - {e.position for e in seen})
    assert not missed, f"the reader missed the events at positions {missed}"
    assert seen == everything, "the reader saw an event twice or out of order"


def test_processes_saving_the_same_version_let_exactly_one_win(
    store: tuple[str, Engine],
) -> None:
    url, engine = store
    repo = SQLAlchemyOrderRepository(engine)
    repo.add(make_order("SO-1"))
    with contextlib.ExitStack() as stack:
        racers = [
            stack.enter_context(_spawn("race", url, "SO-1", str(n + 1))) for n in range(PROCESSES)
        ]
        for racer in racers:
            assert racer.stdout is not None
            assert racer.stdout.readline().strip() == "ready"
        for racer in racers:
            assert racer.stdin is not None
            racer.stdin.write("go\n")
            racer.stdin.flush()
        outcomes = sorted(racer.communicate(timeout=60)[0].strip() for racer in racers)
    assert outcomes == [*["conflict 1"] * (PROCESSES - 1), "won"], outcomes
    stored = repo.events("SO-1")
    assert len(stored) == 1, f"{len(stored)} events stored by {PROCESSES} racers"
    assert repo.get("SO-1").version == 1


def _follow(
    repo: SQLAlchemyOrderRepository, writers: list[subprocess.Popen[str]]
) -> list[FeedEntry]:
    """Start the writers together and read the feed until they are done."""
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:  # all start at once
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    seen: list[FeedEntry] = []
    position, deadline = 0, time.monotonic() + 120
    while time.monotonic() < deadline:
        running = any(writer.poll() is None for writer in writers)
        page = repo.events_since(position, 5)
        seen.extend(page)
        if page:
            position = page[-1].position
        elif not running:
            break
    assert [writer.wait(timeout=60) for writer in writers] == [0] * PROCESSES
    return seen


def test_on_postgres_a_second_writer_waits_until_the_first_commits(
    postgres_engine: Engine,
) -> None:
    empty_postgres(postgres_engine)
    repo = SQLAlchemyOrderRepository(postgres_engine)
    for order_id in ("SO-1", "SO-2"):
        repo.add(make_order(order_id))
    one, one_events = step(repo.get("SO-1"), 1)
    two, two_events = step(repo.get("SO-2"), 1)
    finished = threading.Event()

    def second_writer() -> None:
        repo.save(two, expected_version=0, events=two_events)
        finished.set()

    with postgres_engine.connect() as connection:
        transaction = connection.begin()
        SQLAlchemyOrderRepository(connection).save(one, expected_version=0, events=one_events)
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.5)
        assert not finished.is_set(), "a second writer appended events while the first was open"
        assert repo.events_since(0, 10) == [], "uncommitted events are visible"
        transaction.commit()
    other.join(timeout=30)
    assert finished.is_set()
    feed = [(entry.position, entry.event.order_id) for entry in repo.events_since(0, 10)]
    assert [order_id for _, order_id in feed] == ["SO-1", "SO-2"], feed


def test_without_the_lock_a_reader_could_miss_an_event_on_postgres(
    postgres_engine: Engine,
) -> None:
    # Why the lock is there: the same two writers, with the lock switched off.
    empty_postgres(postgres_engine)
    repo = SQLAlchemyOrderRepository(postgres_engine)
    for order_id in ("SO-1", "SO-2"):
        repo.add(make_order(order_id))
    one, one_events = step(repo.get("SO-1"), 1)
    two, two_events = step(repo.get("SO-2"), 1)
    with postgres_engine.connect() as connection:
        transaction = connection.begin()
        unlocked = SQLAlchemyOrderRepository(connection)
        unlocked._serialise_feed = False
        unlocked.save(one, expected_version=0, events=one_events)  # takes position 1
        other = SQLAlchemyOrderRepository(postgres_engine)
        other._serialise_feed = False
        other.save(two, expected_version=0, events=two_events)  # takes 2, commits first
        read = repo.events_since(0, 10)
        transaction.commit()
    assert [entry.position for entry in read] == [2]
    after = repo.events_since(read[-1].position, 10)
    assert after == [], "position 1 committed after a reader passed 2: it is lost to that reader"
    assert [entry.position for entry in repo.events_since(0, 10)] == [1, 2]


def test_a_writer_killed_inside_its_transaction_leaves_the_store_consistent(
    store: tuple[str, Engine],
) -> None:
    url, engine = store
    repo = SQLAlchemyOrderRepository(engine)
    order = make_order("SO-1")
    repo.add(order)
    with _spawn("hang", url, "SO-1") as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "saved, not committed"
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.wait(timeout=30) == -signal.SIGKILL
    assert repo.get("SO-1") == order, "a killed writer's save is visible"
    assert repo.events("SO-1") == []
    assert repo.events_since(0, 10) == []
    # Its locks died with it: the next writer goes through at once.
    submitted, events = step(order, 1)
    repo.save(submitted, expected_version=0, events=events)
    assert repo.get("SO-1") == submitted
    assert [entry.event for entry in repo.events_since(0, 10)] == events
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
