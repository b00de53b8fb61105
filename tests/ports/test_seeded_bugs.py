"""The contract catches bad adapters: each plausible bug, seeded into a copy of the adapter, fails it.

A copy of `ordercore_sqlalchemy` is written to a temporary folder under another package
name, one bug is seeded into its source (each replacement must match exactly once, so the
test breaks loudly if the adapter is refactored), and the public contract runs against the
copy in a pytest run of its own. The untouched copy passes every clause; each mutant fails
at least the clause named for its bug.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

import ordercore_sqlalchemy

pytest_plugins = ["_sqlalchemy_fixtures"]

if TYPE_CHECKING:
    from ordercore_sqlalchemy.testing import TemporaryPostgres

SOURCE: Final = Path(ordercore_sqlalchemy.__file__).parent
_NAMES = itertools.count()

# (bug kind, file, text, replacement, the clause that must fail)
BUGS: Final = [
    (
        "save keeps only the first event of a batch",
        "repository.py",
        "self._insert_events.execute_many(connection, self._event_rows(events))",
        "self._insert_events.execute_many(connection, self._event_rows(events)[:1])",
        "test_a_multi_event_save_is_stored_whole_and_in_order",
    ),
    (
        "an order's events ordered by event_id",
        "repository.py",
        '    .where(EVENTS.c.order_id == bindparam("key"))\n    .order_by(EVENTS.c.position)',
        '    .where(EVENTS.c.order_id == bindparam("key"))\n    .order_by(EVENTS.c.event_id)',
        "test_events_keep_append_order_past_version_ten",
    ),
    (
        "released holds kept in the lookup column",
        "repository.py",
        "reasons = sorted({str(hold.reason) for hold in order.active_holds})",
        "reasons = sorted({str(hold.reason) for hold in order.holds})",
        "test_a_released_hold_is_no_longer_found",
    ),
    (
        "held orders found by searching the JSON for holds",
        "repository.py",
        "return self._orders(held)",
        "return self._orders(ORDERS.c.body.contains('\"hold_id\"'))",
        "test_a_released_hold_is_no_longer_found",
    ),
    (
        "a column that drops the time zone (stores the wall clock)",
        "schema.py",
        "moment = value.astimezone(UTC)",
        "moment = value.replace(tzinfo=None)",
        "test_orders_received_in_several_zones_compare_as_instants",
    ),
    (
        "received_between comparing ISO strings",
        "schema.py",
        'return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"',
        "return value.isoformat()",
        "test_orders_received_in_several_zones_compare_as_instants",
    ),
    (
        "add not atomic with its events",
        "repository.py",
        (
            "                raise OrderAlreadyExists(order.order_id) from None\n"
            "            self._append(connection, events)"
        ),
        (
            "                raise OrderAlreadyExists(order.order_id) from None\n"
            "        with self._write() as connection:\n"
            "            self._append(connection, events)"
        ),
        "test_add_is_atomic_with_its_events",
    ),
    (
        "a wrong actual_version in ConcurrencyConflict",
        "repository.py",
        "raise ConcurrencyConflict(order.order_id, expected_version, actual)",
        (
            "raise ConcurrencyConflict(order.order_id, expected_version, "
            "None if actual is None else expected_version + 1)"
        ),
        "test_a_conflict_reports_the_version_actually_stored",
    ),
    (
        "by_status not sorted",
        "repository.py",
        "return self._orders(ORDERS.c.status.in_([str(status.value) for status in statuses]))",
        (
            "return [self._order(row) for row in self._rows(select(*_ORDER_COLUMNS).where("
            "ORDERS.c.status.in_([str(status.value) for status in statuses])))]"
        ),
        "test_by_status_is_sorted_by_order_id",
    ),
    (
        "LIKE matching in by_customer",
        "repository.py",
        "return self._orders(ORDERS.c.customer_id == customer_id)",
        "return self._orders(ORDERS.c.customer_id.like(customer_id))",
        "test_lookups_match_ids_exactly_not_as_patterns",
    ),
]

# On PostgreSQL only: ids sorted by the database's collation instead of bytewise.
COLLATION_BUG: Final = (
    "ids sorted by the database's collation",
    "schema.py",
    'return String().with_variant(String(collation="C"), "postgresql")',
    "return String()",
    "test_ordering_is_by_code_point_whatever_the_collation",
)

_CONTRACT_RUN: Final = """
from __future__ import annotations

import shutil
import sys

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, {folder!r})
from {package} import SQLAlchemyOrderRepository, sqlite_engine  # noqa: E402
from {package}.schema import METADATA  # noqa: E402

from ordercore.testing.contracts import OrderRepositoryContract  # noqa: E402

URL = {url!r}


class TestSeeded(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _database(self, tmp_path):
        self.folder, self.count = tmp_path, 0

    def make_repository(self):
        self.count += 1
        if URL is None:
            self.engine = sqlite_engine(self.folder / f"orders-{{self.count}}.sqlite3")
        else:
            self.engine = create_engine(URL)
            METADATA.drop_all(self.engine)
        METADATA.create_all(self.engine)
        return SQLAlchemyOrderRepository(self.engine)

    def close_repository(self, repo):
        self.engine.dispose()
"""


def _copy_with(folder: Path, bug: tuple[str, str, str, str, str] | None) -> str:
    """Copy the adapter as a new package, seed `bug` into it, return the package name."""
    package = f"seeded_{next(_NAMES)}"
    target = folder / package
    shutil.copytree(SOURCE, target, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    for path in target.glob("*.py"):
        text = path.read_text(encoding="utf-8").replace("ordercore_sqlalchemy", package)
        path.write_text(text, encoding="utf-8")
    if bug is not None:
        _, name, old, new, _ = bug
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{name} no longer contains exactly one {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return package


def _failed_clauses(pytester: pytest.Pytester, package: str, url: str | None) -> set[str]:
    folder = str(pytester.path / "packages")
    pytester.makepyfile(
        **{f"test_{package}": _CONTRACT_RUN.format(folder=folder, package=package, url=url)}
    )
    result = pytester.inline_run(
        f"test_{package}.py", "-p", "no:cacheprovider", "-W", "ignore::ResourceWarning"
    )
    passed, _, failed = result.listoutcomes()
    assert passed or failed, "the contract did not run"
    return {report.nodeid.rsplit("::", 1)[-1] for report in failed}


@pytest.fixture
def packages(pytester: pytest.Pytester) -> Path:
    folder = pytester.path / "packages"
    folder.mkdir()
    return folder


def test_the_untouched_copy_passes_every_clause(pytester: pytest.Pytester, packages: Path) -> None:
    package = _copy_with(packages, None)
    assert _failed_clauses(pytester, package, None) == set()


@pytest.mark.parametrize("bug", BUGS, ids=[bug[0] for bug in BUGS])
def test_the_contract_fails_an_adapter_with_a_seeded_bug_by_name(
    pytester: pytest.Pytester, packages: Path, bug: tuple[str, str, str, str, str]
) -> None:
    package = _copy_with(packages, bug)
    failed = _failed_clauses(pytester, package, None)
    assert bug[4] in failed, f"{bug[0]}: the contract failed only {sorted(failed)}"


def test_the_contract_fails_ids_sorted_by_the_databases_collation(
    pytester: pytest.Pytester, packages: Path, postgres_server: TemporaryPostgres
) -> None:
    url = postgres_server.create_database(f"seeded_collation_{next(_NAMES)}")
    untouched = _copy_with(packages, None)
    assert _failed_clauses(pytester, untouched, url) == set()
    package = _copy_with(packages, COLLATION_BUG)
    failed = _failed_clauses(pytester, package, url)
    assert COLLATION_BUG[4] in failed, f"the contract failed only {sorted(failed)}"
