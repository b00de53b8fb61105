"""Helpers of the adapter's tests: fresh databases and one real lifecycle step.

The fixtures that start the databases are in `_sqlalchemy_fixtures`.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from ordercore.events import Actor
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, Submit, apply

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from ordercore.events import OrderEvent
    from ordercore.orders import Order

WRITER = Actor.system("writer-process")


def step(order: Order, n: int) -> tuple[Order, list[OrderEvent]]:
    """One real command: submit a draft, else place hold number `n`."""
    command = (
        Submit()
        if order.version == 0
        else PlaceHold(hold_id=f"H-{n}", hold_reason=HoldReason.CUSTOMER_REQUEST)
    )
    return apply(order, command, at=order.received_at + timedelta(minutes=n), actor=WRITER)


def empty_postgres(engine: Engine) -> None:
    """Remove every order and event, and restart the feed's positions."""
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE ordercore_events, ordercore_orders RESTART IDENTITY"))


def fresh_sqlite(template: Path, folder: Path, name: str = "orders.sqlite3") -> Path:
    """A copy of the migrated template in `folder`."""
    path = folder / name
    shutil.copyfile(template, path)
    return path
