"""Helpers of the adapter's tests: fresh databases from a migrated template."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine


def empty_postgres(engine: Engine) -> None:
    """Remove every order and event, and restart the feed's positions."""
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE ordercore_events, ordercore_orders RESTART IDENTITY"))


def fresh_sqlite(template: Path, folder: Path, name: str = "orders.sqlite3") -> Path:
    """A copy of the migrated template in `folder`."""
    path = folder / name
    shutil.copyfile(template, path)
    return path
