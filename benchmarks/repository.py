"""The SQLAlchemy repository on SQLite and PostgreSQL: saves, gets and the event feed.

Baseline in the same run: the same rows written by hand with the same driver (`sqlite3`,
`psycopg`) on one open connection, in one transaction per save: the same statements (on
PostgreSQL the same table lock), the same JSON (both serialise the order and its events
from the entities). What the ratio measures is what the adapter adds: SQLAlchemy Core, the
argument and trail checks, a pooled connection per call. The bar: a save through the
adapter costs at most 2.0x the hand-written one. The feed reads events back as today's
classes (parsing and validating each body), and must reach 50,000 events/s; the rate of
validating the same bodies without any database (a page at a time with the collector paused,
as the feed does, alternating with the feed's runs) is printed beside it, as its ceiling,
and the ratio of the two: what the database adds.

PostgreSQL runs on a throwaway server (`ordercore_sqlalchemy.testing.TemporaryPostgres`,
Unix socket, `fsync=off`), so its figures are round trips and CPU, not disk; SQLite writes
a file in a memory-backed folder (`/dev/shm` when there is one) with its default settings
(WAL, `synchronous=FULL`), so its figures are CPU too.
Without PostgreSQL's binaries its part is skipped, with one line saying so.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, insert

from benchmarks._harness import Report
from ordercore.events import Actor, OrderEvent, parse_events
from ordercore.lifecycle import Submit, apply, create
from ordercore.orders import Order
from ordercore.testing.factories import make_order
from ordercore.testing.walks import Step, drive
from ordercore.upcasting import collector_paused
from ordercore_sqlalchemy import SQLAlchemyOrderRepository, sqlite_engine, upgrade
from ordercore_sqlalchemy.schema import EVENTS
from ordercore_sqlalchemy.testing import ENABLE_HINT, TemporaryPostgres

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine

SAVES = 300
REPEATS = 5
GETS = 500
FEED_EVENTS = 50_000
PAGE = 1000
CLERK = Actor.user("bench")

_UPDATE = (
    "UPDATE ordercore_orders SET version = {p}, status = {p}, customer_id = {p}, "
    "received_at = {p}, active_holds = {p}, body = {p}{cast} "
    "WHERE order_id = {p} AND version = {p}"
)
_INSERT = (
    "INSERT INTO ordercore_events (event_id, order_id, order_version, seq, event_type, "
    "schema_version, at, body) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}{cast})"
)

Batch = list[tuple[Order, list[OrderEvent]]]


def _batch(tag: str) -> tuple[list[Order], Batch]:
    """Drafts to add, and the submit of each: one order row and one event per save."""
    drafts, saves = [], []
    for n in range(SAVES):
        order = make_order(f"{tag}-{n}", seed=n)
        drafts.append(order)
        saves.append(apply(order, Submit(), at=order.received_at, actor=CLERK))
    return drafts, saves


def _holds(order: Order) -> str:
    return "".join(f"|{r}|" for r in sorted({str(h.reason) for h in order.active_holds}))


def _rows(
    order: Order, events: list[OrderEvent], *, sqlite: bool
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    def instant(moment: Any) -> Any:
        utc = moment.astimezone(UTC)
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z" if sqlite else utc

    update = (
        order.version,
        order.status.value,
        order.customer.customer_id,
        instant(order.received_at),
        _holds(order),
        order.model_dump_json(),
        order.order_id,
        order.version - 1,
    )
    inserts = [
        (e.event_id, e.order_id, e.order_version, 0, e.type, 1, instant(e.at), e.model_dump_json())
        for e in events
    ]
    return update, inserts


def _per_save(run: Callable[[Batch], None], prepare: Callable[[str], Batch]) -> float:
    times = []
    for repeat in range(REPEATS):
        batch = prepare(f"R{repeat}")
        start = time.perf_counter()
        run(batch)
        times.append((time.perf_counter() - start) / SAVES)
    return statistics.median(times)


def _measure(report: Report, name: str, engine: Engine, by_hand: Callable[[Batch], None]) -> None:
    repo = SQLAlchemyOrderRepository(engine)
    counter = iter(range(10_000))

    def prepare(kind: str) -> Callable[[str], Batch]:
        def made(tag: str) -> Batch:
            drafts, saves = _batch(f"{kind}{tag}-{next(counter)}")
            for draft in drafts:
                repo.add(draft)
            return saves

        return made

    def through_adapter(batch: Batch) -> None:
        for order, events in batch:
            repo.save(order, expected_version=order.version - 1, events=events)

    # Alternate the two, so that neither gets the warmer cache or the emptier table.
    adapter_times, hand_times = [], []
    for _ in range(2):
        hand_times.append(_per_save(by_hand, prepare("H")))
        adapter_times.append(_per_save(through_adapter, prepare("A")))
    report.add(f"{name}: save by hand (same driver, one transaction)", min(hand_times))
    report.add(f"{name}: save through the adapter", min(adapter_times))
    report.add(f"{name}: saves per second", 1 / min(adapter_times), "saves/s")
    report.ratio(
        f"{name}: adapter save / hand-written save",
        f"{name}: save through the adapter",
        f"{name}: save by hand (same driver, one transaction)",
        bar=2.0,
    )
    ids = [order.order_id for order in list(repo)[:GETS]]
    gets = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for order_id in ids:
            repo.get(order_id)
        gets.append((time.perf_counter() - start) / len(ids))
    report.add(f"{name}: get latency", statistics.median(gets))
    _feed(report, name, engine)


def _templates() -> list[OrderEvent]:
    """A realistic mix of events: whole order lives, from entry to archive."""
    events: list[OrderEvent] = []
    for seed in range(20):
        order, created = create(
            make_order(f"T-{seed}", seed=seed), at=make_order(seed=seed).received_at, actor=CLERK
        )
        _, trail = drive(
            order, [Step(progress=True, amount=seed)] * 40, at=order.received_at, actor=CLERK
        )
        events.extend([*created, *trail])
    return events


def _feed(report: Report, name: str, engine: Engine) -> None:
    templates = _templates()
    rows = []
    for n in range(FEED_EVENTS):
        event = templates[n % len(templates)]
        body = event.model_dump_json().replace(f'"{event.event_id}"', f'"F-{n}"', 1)
        rows.append(
            {
                "event_id": f"F-{n}",
                "order_id": f"F-{n}",
                "order_version": event.order_version,
                "seq": 0,
                "event_type": event.type,
                "schema_version": 1,
                "at": event.at,
                "body": body,
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(EVENTS), rows[start : start + 5000])
    repo = SQLAlchemyOrderRepository(engine)
    first = repo.events_since(0, 1)[0].position

    def read_all() -> int:
        count, position = 0, first - 1
        while page := repo.events_since(position, PAGE):
            count += len(page)
            position = page[-1].position
        return count

    # What reading costs without the database: the same bodies validated as events, a page
    # at a time with the collector paused, as the feed reads them. The two alternate, so
    # that neither gets the quieter moment of a shared machine.
    bodies = [str(row["body"]) for row in rows]

    def validate_all() -> None:
        for start in range(0, len(bodies), PAGE):
            with collector_paused():
                parse_events("[" + ",".join(bodies[start : start + PAGE]) + "]")

    total = read_all()
    times, parsing = [], []
    for _ in range(3):
        began = time.perf_counter()
        read_all()
        times.append(time.perf_counter() - began)
        began = time.perf_counter()
        validate_all()
        parsing.append(time.perf_counter() - began)
    rate = total / statistics.median(times)
    report.add(f"{name}: feed read ({total} events, pages of {PAGE})", rate, "events/s")
    verdict = "meets bar >= 50000" if rate >= 50_000 else "MISSES bar >= 50000"
    print(f"{report.name}: {name}: feed  [{verdict}]")
    report.add(
        f"{name}: validating the same bodies alone (parse_events)",
        len(bodies) / statistics.median(parsing),
        "events/s",
    )
    report.ratio(
        f"{name}: feed time / validating alone",
        f"{name}: validating the same bodies alone (parse_events)",
        f"{name}: feed read ({total} events, pages of {PAGE})",
    )


def _sqlite(report: Report, folder: Path) -> None:
    path = folder / "bench.sqlite3"
    engine = sqlite_engine(path)
    upgrade(engine)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    update, insert_sql = _UPDATE.format(p="?", cast=""), _INSERT.format(p="?", cast="")

    def by_hand(batch: Batch) -> None:
        for order, events in batch:
            row, event_rows = _rows(order, events, sqlite=True)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(update, row)
            connection.executemany(insert_sql, event_rows)
            connection.execute("COMMIT")

    _measure(report, "sqlite", engine, by_hand)
    connection.close()
    engine.dispose()


def _postgres(report: Report) -> None:
    import psycopg  # noqa: PLC0415 - only when a server runs

    if TemporaryPostgres.find_binaries() is None:
        print(f"{report.name}: postgresql: skipped: {ENABLE_HINT}")
        return
    with TemporaryPostgres() as server:
        engine = create_engine(server.url)
        upgrade(engine)
        connection = psycopg.connect(
            host=str(server.socket_folder),
            port=server.port,
            user=server.user,
            dbname=server.database,
        )
        update, insert_sql = (
            _UPDATE.format(p="%s", cast="::jsonb"),
            _INSERT.format(p="%s", cast="::jsonb"),
        )

        def by_hand(batch: Batch) -> None:
            for order, events in batch:
                row, event_rows = _rows(order, events, sqlite=False)
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE ordercore_events IN EXCLUSIVE MODE")
                    cursor.execute(update, row)
                    cursor.executemany(insert_sql, event_rows)

        _measure(report, "postgresql", engine, by_hand)
        connection.close()
        engine.dispose()


def main() -> None:
    """Measure and print."""
    report = Report("repository")
    # A memory-backed folder when there is one: fsync on a shared disk varies tenfold between
    # runs and would drown what the ratio is about, the adapter's own cost.
    shm = Path("/dev/shm")  # noqa: S108 - a scratch folder the benchmark removes
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as folder:
        _sqlite(report, Path(folder))
    _postgres(report)
