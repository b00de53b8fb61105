"""The contract's hooks: make_repository may use fixtures, close_repository runs after each clause."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

RUN = """
from __future__ import annotations

import pytest

from ordercore.memory import InMemoryOrderRepository
from ordercore.testing.contracts import OrderRepositoryContract

MADE, CLOSED = [], []


class Broken(InMemoryOrderRepository):
    def by_customer(self, customer_id):
        return []


class TestHooks(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path

    def make_repository(self):
        assert self.folder.is_dir()
        repo = Broken()
        MADE.append(repo)
        return repo

    def close_repository(self, repo):
        CLOSED.append(repo)


def test_zz_every_repository_made_was_closed():
    assert MADE
    assert sorted(map(id, CLOSED)) == sorted(map(id, MADE))
"""


def test_close_repository_runs_after_every_clause_passed_or_failed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_hooks=RUN)
    result = pytester.inline_run("test_hooks.py", "-p", "no:cacheprovider")
    passed, _, failed = result.listoutcomes()
    failed_names = {report.nodeid.rsplit("::", 1)[-1] for report in failed}
    assert "test_by_customer_returns_only_that_customers_orders" in failed_names
    assert "test_zz_every_repository_made_was_closed" in {
        report.nodeid.rsplit("::", 1)[-1] for report in passed
    }
