"""Real databases for the adapter's tests, as a pytest plugin.

Test modules load it with ``pytest_plugins = ["_sqlalchemy_fixtures"]`` (one plugin, so one
server per session however many modules ask). A throwaway PostgreSQL server
(`ordercore_sqlalchemy.testing.TemporaryPostgres`, on a Unix socket in a temporary folder)
is started once per test session and stopped at its end. Without the server binaries the
PostgreSQL tests skip with one line saying how to enable them; under CI (`CI=true`) they
fail instead, so that a CI machine without PostgreSQL cannot pass by skipping. SQLite tests
copy a migrated template file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine

from ordercore_sqlalchemy import sqlite_engine, upgrade
from ordercore_sqlalchemy.testing import ENABLE_HINT, TemporaryPostgres

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from pathlib import Path

    from sqlalchemy.engine import Engine


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fold every skip for missing binaries into one line of the summary (`-ra`)."""
    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and ENABLE_HINT in str(longrepr[2]):
        report.longrepr = (__file__, 0, str(longrepr[2]))
    return report


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres]:
    if TemporaryPostgres.find_binaries() is None:
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"CI must run the PostgreSQL tests: {ENABLE_HINT}")
        pytest.skip(ENABLE_HINT)
    with TemporaryPostgres() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_engine(postgres_server: TemporaryPostgres) -> Iterator[Engine]:
    engine = create_engine(postgres_server.url, pool_size=12, max_overflow=8)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file; tests copy it instead of migrating again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "orders.sqlite3"
    engine = sqlite_engine(path)
    upgrade(engine)
    engine.dispose()
    return path
