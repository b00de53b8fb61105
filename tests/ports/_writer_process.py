"""A writer in its own OS process, for the feed and crash tests; run as a script.

    python _writer_process.py feed URL PREFIX ORDERS SAVES   # prints "ready", waits for a line
    python _writer_process.py hang URL ORDER_ID              # saves, prints, never commits
    python _writer_process.py race URL ORDER_ID N            # one save on a go; won/conflict

URL is a SQLAlchemy URL; ``sqlite:///path`` is opened with `sqlite_engine`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine

from ordercore.errors import ConcurrencyConflict
from ordercore.testing.factories import make_order
from ordercore_sqlalchemy import SQLAlchemyOrderRepository, sqlite_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' support modules
from _sqlalchemy_support import step

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        return sqlite_engine(url.removeprefix("sqlite:///"))
    return create_engine(url)


def feed(url: str, prefix: str, orders: int, saves: int) -> None:
    """Add `orders` orders and save each `saves` times, once the parent says go."""
    engine = _engine(url)
    repo = SQLAlchemyOrderRepository(engine)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    for n in range(orders):
        order = make_order(f"{prefix}-{n}")
        repo.add(order)
        for s in range(1, saves + 1):
            new_order, events = step(order, s)
            repo.save(new_order, expected_version=order.version, events=events)
            order = new_order
    engine.dispose()


def hang(url: str, order_id: str) -> None:
    """Save inside a transaction, say so, and wait to be killed before committing."""
    engine = _engine(url)
    with engine.connect() as connection:
        repo = SQLAlchemyOrderRepository(connection)
        order = repo.get(order_id)
        new_order, events = step(order, order.version + 1)
        repo.save(new_order, expected_version=order.version, events=events)
        sys.stdout.write("saved, not committed\n")
        sys.stdout.flush()
        time.sleep(300)


def race(url: str, order_id: str, n: int) -> None:
    """Read the order, wait for go, save step `n` on it; print whether the save won."""
    engine = _engine(url)
    repo = SQLAlchemyOrderRepository(engine)
    order = repo.get(order_id)
    new_order, events = step(order, n)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    try:
        repo.save(new_order, expected_version=order.version, events=events)
    except ConcurrencyConflict as conflict:
        sys.stdout.write(f"conflict {conflict.actual_version}\n")
    else:
        sys.stdout.write("won\n")
    sys.stdout.flush()
    engine.dispose()


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "feed":
        feed(args[0], args[1], int(args[2]), int(args[3]))
    elif mode == "race":
        race(args[0], args[1], int(args[2]))
    else:
        hang(args[0], args[1])
