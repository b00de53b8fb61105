"""The testing kit as a downstream project meets it: the plugin, factories and contract suite."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

CONFTEST = 'pytest_plugins = ["ordercore.testing.plugin"]\n'

USES_THE_FIXTURES = """
from datetime import timedelta

from hypothesis import given, settings, strategies as st

from ordercore import Order, OrderStatus
from ordercore.lifecycle import Submit, apply, create


def test_factory_orders_are_valid_drafts(ordercore_order_factory):
    order = ordercore_order_factory(order_id="SO-77", lines=3)
    assert order.status is OrderStatus.DRAFT and len(order.lines) == 3


def test_the_clock_only_moves_when_told(ordercore_clock):
    start = ordercore_clock.now()
    assert ordercore_clock.now() == start
    assert ordercore_clock.advance(timedelta(hours=1)) == start + timedelta(hours=1)


def test_commands_and_repository_work_together(ordercore_order_factory, ordercore_repository, ordercore_clock, ordercore_actor):
    order, events = create(ordercore_order_factory(), at=ordercore_clock.now(), actor=ordercore_actor)
    ordercore_repository.add(order, events)
    submitted, more = apply(order, Submit(), at=ordercore_clock.advance(timedelta(minutes=5)), actor=ordercore_actor)
    ordercore_repository.save(submitted, expected_version=order.version, events=more)
    assert ordercore_repository.get(order.order_id).status is OrderStatus.SUBMITTED


def test_factory_orders_pass_review_in_the_factory_context(ordercore_order_factory, ordercore_review_context):
    from ordercore.validation import review
    assert review(ordercore_order_factory(), ordercore_review_context).passed


def test_the_synthetic_book_replays(ordercore_synthetic_book):
    from ordercore.lifecycle import replay
    order = ordercore_synthetic_book.orders[0]
    trail = [e for e in ordercore_synthetic_book.events if e.order_id == order.order_id]
    assert replay(trail) == order


@settings(max_examples=5)
@given(st.from_type(Order))
def test_the_plugin_alone_registers_the_order_strategy(order):
    assert order.status is OrderStatus.DRAFT
"""

GOOD_ADAPTER = """
from ordercore.memory import InMemoryOrderRepository
from ordercore.testing.contracts import OrderRepositoryContract


class TestMyRepository(OrderRepositoryContract):
    def make_repository(self):
        return InMemoryOrderRepository()
"""

BROKEN_ADAPTER = '''
from ordercore.memory import InMemoryOrderRepository
from ordercore.testing.contracts import OrderRepositoryContract


class CarelessRepository(InMemoryOrderRepository):
    """Forgets optimistic concurrency: every save wins."""

    def save(self, order, *, expected_version, events=()):
        with self._lock:
            self._orders[order.order_id] = order
            self._append(order.order_id, events)


class TestCarelessRepository(OrderRepositoryContract):
    def make_repository(self):
        return CarelessRepository()
'''


def test_a_downstream_project_using_the_plugin_passes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_uses_fixtures=USES_THE_FIXTURES)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_a_correct_adapter_passes_the_contract_suite_downstream(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_my_repository=GOOD_ADAPTER)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["passed"] >= 20


def test_a_broken_adapter_fails_the_clauses_it_breaks_by_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_careless=BROKEN_ADAPTER)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-rf")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 3
    result.stdout.fnmatch_lines(
        [
            "*FAILED*test_save_with_stale_version_raises_conflict*",
            "*FAILED*test_concurrent_saves_with_the_same_expected_version_let_exactly_one_win*",
        ]
    )
    assert "test_get_returns_the_added_order" not in "\n".join(
        line for line in result.stdout.lines if "FAILED" in line
    )


def test_the_plugin_is_not_an_auto_loaded_entry_point() -> None:
    from importlib.metadata import entry_points  # noqa: PLC0415

    assert not [ep for ep in entry_points(group="pytest11") if ep.value.startswith("ordercore")]
