"""The contract every `OrderRepository` adapter must pass.

Subclass [`OrderRepositoryContract`][ordercore.testing.contracts.OrderRepositoryContract] in
your own test suite, give it a `make_repository` that returns a fresh, empty repository, and
name the subclass so that pytest collects it:

```python
from ordercore.testing.contracts import OrderRepositoryContract

class TestPostgresOrderRepository(OrderRepositoryContract):
    def make_repository(self):
        return PostgresOrderRepository(dsn=..., schema=fresh_schema())
```

Each clause is one test method whose name says what broke
(`test_save_with_stale_version_raises_conflict`), and every assertion says what was
expected and what came back. This module's import path is public API and will not move.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import pytest

from ordercore.errors import ConcurrencyConflict, OrderAlreadyExists, OrderNotFound
from ordercore.events import Actor, OrderEvent
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, Submit, apply
from ordercore.status import OrderStatus
from ordercore.testing.factories import DEFAULT_RECEIVED_AT, make_customer, make_line, make_order

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore.orders import Order
    from ordercore.ports import OrderRepository

__all__ = ["OrderRepositoryContract"]

_ACTOR: Final = Actor.system("contract-suite")
_THREADS: Final = 8


def _advance(order: Order, minutes: int = 5) -> tuple[Order, list[OrderEvent]]:
    """Submit a draft (or place a hold on anything else): a real command, real events."""
    at = order.received_at + timedelta(minutes=minutes)
    command = (
        Submit()
        if order.status is OrderStatus.DRAFT
        else PlaceHold(
            hold_id=f"H-{order.version}-{minutes}",
            hold_reason=HoldReason.CUSTOMER_REQUEST,
            note=f"contract step {minutes}",
        )
    )
    new_order, events = apply(order, command, at=at, actor=_ACTOR)
    return new_order, list(events)


class OrderRepositoryContract(ABC):
    """Clauses an order repository must satisfy; subclass it and implement `make_repository`."""

    @abstractmethod
    def make_repository(self) -> OrderRepository:
        """Return a new, empty repository (called once per clause)."""

    # -- add / get -----------------------------------------------------------------------

    def test_get_returns_the_added_order(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        got = repo.get("SO-1")
        assert got == order, f"get() returned {got!r}, expected the order that was added"

    def test_get_of_a_missing_order_raises_order_not_found(self) -> None:
        repo = self.make_repository()
        with pytest.raises(OrderNotFound):
            repo.get("SO-404")

    def test_find_of_a_missing_order_returns_none(self) -> None:
        repo = self.make_repository()
        found = repo.find("SO-404")
        assert found is None, f"find() of a missing order returned {found!r}, expected None"

    def test_adding_an_existing_id_raises_order_already_exists(self) -> None:
        repo = self.make_repository()
        repo.add(make_order("SO-1"))
        with pytest.raises(OrderAlreadyExists):
            repo.add(make_order("SO-1", lines=1))
        assert len(repo.get("SO-1").lines) == 2, "a refused add() changed the stored order"

    def test_adding_with_another_orders_events_stores_nothing(self) -> None:
        repo = self.make_repository()
        _, foreign = _advance(make_order("SO-2"))
        with pytest.raises(ValueError, match="belongs to order"):
            repo.add(make_order("SO-1"), foreign)
        assert "SO-1" not in repo, "a refused add() stored the order anyway"
        assert repo.events("SO-1") == [], "a refused add() stored events anyway"

    def test_contains_and_len_count_stored_orders(self) -> None:
        repo = self.make_repository()
        repo.add(make_order("SO-1"))
        repo.add(make_order("SO-2"))
        assert len(repo) == 2, f"len() is {len(repo)} after adding two orders"
        assert "SO-1" in repo, "an added order is not `in` the repository"
        assert "SO-3" not in repo, "a missing order is `in` the repository"

    # -- save ----------------------------------------------------------------------------

    def test_save_with_the_current_version_replaces_the_order(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        got = repo.get("SO-1")
        assert got == submitted, f"after save() get() returned version {got.version}"

    def test_save_with_stale_version_raises_conflict(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        first, events = _advance(order)
        repo.save(first, expected_version=order.version, events=events)
        second, more = _advance(order, minutes=9)
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(second, expected_version=order.version, events=more)
        assert caught.value.actual_version == first.version, (
            f"the conflict reports version {caught.value.actual_version}, stored is {first.version}"
        )

    def test_a_refused_save_changes_neither_order_nor_events(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        first, events = _advance(order)
        repo.save(first, expected_version=order.version, events=events)
        stale, stale_events = _advance(order, minutes=9)
        with pytest.raises(ConcurrencyConflict):
            repo.save(stale, expected_version=order.version, events=stale_events)
        assert repo.get("SO-1") == first, "a refused save() changed the stored order"
        assert repo.events("SO-1") == events, "a refused save() appended events"

    def test_saving_an_order_that_was_never_added_raises_conflict(self) -> None:
        repo = self.make_repository()
        order, events = _advance(make_order("SO-1"))
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(order, expected_version=0, events=events)
        assert caught.value.actual_version is None, "a missing order should report no version"
        assert "SO-1" not in repo, "a refused save() stored the order"

    def test_save_must_move_the_version_forward(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        with pytest.raises(ValueError, match="does not move forward"):
            repo.save(order, expected_version=order.version)

    def test_save_with_another_orders_events_changes_nothing(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, _ = _advance(order)
        _, foreign = _advance(make_order("SO-2"))
        with pytest.raises(ValueError, match="belongs to order"):
            repo.save(submitted, expected_version=order.version, events=foreign)
        assert repo.get("SO-1") == order, "a refused save() changed the stored order"

    def test_an_event_id_cannot_be_stored_twice(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        held, _ = _advance(submitted)
        replayed = [e.model_copy(update={"order_version": held.version}) for e in events]
        with pytest.raises(ValueError, match="already stored"):
            repo.save(held, expected_version=submitted.version, events=replayed)
        assert repo.get("SO-1") == submitted, "a refused save() changed the stored order"

    def test_a_save_that_moves_the_version_without_events_changes_nothing(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, _ = _advance(order)
        with pytest.raises(ValueError, match="version"):
            repo.save(submitted, expected_version=order.version, events=())
        assert repo.get("SO-1") == order, "a version move without events was stored"
        assert repo.events("SO-1") == [], "a refused save() appended events"

    def test_a_save_with_events_at_the_old_version_changes_nothing(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        stale = [e.model_copy(update={"order_version": order.version}) for e in events]
        with pytest.raises(ValueError, match="version"):
            repo.save(submitted, expected_version=order.version, events=stale)
        assert repo.get("SO-1") == order, "events at the old version were accepted"

    def test_an_event_id_is_unique_across_orders(self) -> None:
        repo = self.make_repository()
        first, second = make_order("SO-1"), make_order("SO-2")
        repo.add(first)
        repo.add(second)
        submitted, events = _advance(first)
        repo.save(submitted, expected_version=first.version, events=events)
        other, other_events = _advance(second)
        clashing = [e.model_copy(update={"event_id": events[0].event_id}) for e in other_events]
        with pytest.raises(ValueError, match="already stored"):
            repo.save(other, expected_version=second.version, events=clashing)
        assert repo.get("SO-2") == second, "an event id of another order was stored again"

    def test_events_read_back_cannot_be_edited(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        stored = repo.events("SO-1")[0]
        with pytest.raises(TypeError):
            stored.after["status"] = "closed"
        assert repo.events("SO-1") == events, "an event read back could be changed in store"

    # -- events --------------------------------------------------------------------------

    def test_events_are_returned_in_append_order(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        appended: list[OrderEvent] = []
        for step in range(1, 4):
            new_order, events = _advance(order, minutes=step)
            repo.save(new_order, expected_version=order.version, events=events)
            appended.extend(events)
            order = new_order
        got = [e.event_id for e in repo.events("SO-1")]
        assert got == [e.event_id for e in appended], f"events came back as {got}"

    def test_events_read_back_equal_the_events_saved(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        assert repo.events("SO-1") == events, "stored events differ from the saved ones"

    def test_events_of_an_unknown_order_are_empty(self) -> None:
        repo = self.make_repository()
        got = repo.events("SO-404")
        assert got == [], f"events() of an unknown order returned {got!r}"

    def test_all_events_are_in_global_append_order(self) -> None:
        repo = self.make_repository()
        first, second = make_order("SO-2"), make_order("SO-1")
        repo.add(first)
        repo.add(second)
        expected: list[str] = []
        for order in (first, second, first):
            current = repo.get(order.order_id)
            new_order, events = _advance(current, minutes=len(expected) + 1)
            repo.save(new_order, expected_version=current.version, events=events)
            expected.extend(e.event_id for e in events)
        got = [e.event_id for e in repo.all_events()]
        assert got == expected, f"all_events() order is {got}, expected {expected}"

    # -- lookups -------------------------------------------------------------------------

    def test_iteration_is_sorted_by_order_id(self) -> None:
        repo = self.make_repository()
        for order_id in ("SO-3", "SO-1", "SO-2"):
            repo.add(make_order(order_id))
        got = [order.order_id for order in repo]
        assert got == ["SO-1", "SO-2", "SO-3"], f"iteration order is {got}"

    def test_by_status_returns_only_orders_in_those_statuses(self) -> None:
        repo = self.make_repository()
        draft = make_order("SO-1")
        repo.add(draft)
        submitted, events = _advance(make_order("SO-2"))
        repo.add(make_order("SO-2"))
        repo.save(submitted, expected_version=0, events=events)
        got = [o.order_id for o in repo.by_status(OrderStatus.SUBMITTED)]
        assert got == ["SO-2"], f"by_status(SUBMITTED) returned {got}"
        both = [o.order_id for o in repo.by_status(OrderStatus.DRAFT, OrderStatus.SUBMITTED)]
        assert both == ["SO-1", "SO-2"], f"by_status(DRAFT, SUBMITTED) returned {both}"

    def test_by_customer_returns_only_that_customers_orders(self) -> None:
        repo = self.make_repository()
        repo.add(make_order("SO-1", customer=make_customer("C-1")))
        repo.add(make_order("SO-2", customer=make_customer("C-2")))
        got = [o.order_id for o in repo.by_customer("C-2")]
        assert got == ["SO-2"], f"by_customer('C-2') returned {got}"

    def test_received_between_is_half_open(self) -> None:
        repo = self.make_repository()
        start = DEFAULT_RECEIVED_AT
        for minutes, order_id in ((0, "SO-1"), (59, "SO-2"), (60, "SO-3")):
            repo.add(make_order(order_id, received_at=start + timedelta(minutes=minutes)))
        got = [o.order_id for o in repo.received_between(start, start + timedelta(hours=1))]
        assert got == ["SO-1", "SO-2"], f"received_between([start, +1h)) returned {got}"

    def test_with_active_hold_finds_held_orders_by_reason(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        held, more = _advance(submitted)
        repo.save(held, expected_version=order.version, events=[*events, *more])
        repo.add(make_order("SO-2"))
        got = [o.order_id for o in repo.with_active_hold()]
        assert got == ["SO-1"], f"with_active_hold() returned {got}"
        by_reason = [o.order_id for o in repo.with_active_hold(HoldReason.CUSTOMER_REQUEST)]
        assert by_reason == ["SO-1"], f"with_active_hold(customer_request) returned {by_reason}"
        assert repo.with_active_hold(HoldReason.CREDIT) == [], "a hold of another reason matched"

    # -- what is stored comes back exactly ------------------------------------------------

    def test_unicode_names_long_notes_and_exact_decimals_come_back_exactly(self) -> None:
        repo = self.make_repository()
        order = make_order(
            "订单-2026-001",
            customer=make_customer("C-华东", name="华东机械有限公司 (上海) 🚚"),
            notes="备注 " * 900,
            lines=[make_line("1", quantity=Decimal("1234.567891"))],
        )
        repo.add(order)
        assert repo.get(order.order_id) == order, "the stored order differs after reading back"

    def test_ids_that_look_like_sql_are_stored_verbatim(self) -> None:
        repo = self.make_repository()
        hostile = "'; DROP TABLE orders; --"
        repo.add(make_order(hostile, customer=make_customer("C' OR '1'='1")))
        repo.add(make_order("SO-2"))
        assert repo.get(hostile).order_id == hostile, "the hostile id did not round-trip"
        assert len(repo) == 2, "the hostile id changed what else is stored"
        got = [o.order_id for o in repo.by_customer("C' OR '1'='1")]
        assert got == [hostile], f"by_customer with a hostile id returned {got}"

    # -- concurrency -----------------------------------------------------------------------

    def _race(self, repo: OrderRepository, order: Order) -> tuple[list[Order], list[Exception]]:
        candidates = [_advance(order, minutes=n + 1) for n in range(_THREADS)]
        barrier = threading.Barrier(_THREADS)
        winners: list[Order] = []
        failures: list[Exception] = []
        lock = threading.Lock()

        def attempt(new_order: Order, events: Sequence[OrderEvent]) -> None:
            barrier.wait()
            try:
                repo.save(new_order, expected_version=order.version, events=events)
            except Exception as error:  # noqa: BLE001 - every failure is collected and checked
                with lock:
                    failures.append(error)
            else:
                with lock:
                    winners.append(new_order)

        threads = [threading.Thread(target=attempt, args=pair) for pair in candidates]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return winners, failures

    def test_concurrent_saves_with_the_same_expected_version_let_exactly_one_win(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        winners, failures = self._race(repo, order)
        assert len(winners) == 1, f"{len(winners)} concurrent saves succeeded, expected exactly 1"
        unexpected = [f for f in failures if not isinstance(f, ConcurrencyConflict)]
        assert not unexpected, (
            f"losers raised something else than ConcurrencyConflict: {unexpected!r}"
        )
        assert repo.get("SO-1") == winners[0], "the stored order is not the winner's"

    def test_concurrent_saves_lose_no_event_and_duplicate_none(self) -> None:
        repo = self.make_repository()
        order = make_order("SO-1")
        repo.add(order)
        winners, _ = self._race(repo, order)
        stored = repo.events("SO-1")
        ids = [e.event_id for e in stored]
        assert len(ids) == len(set(ids)), f"events were duplicated: {ids}"
        assert all(e.order_version <= winners[0].version for e in stored), (
            "events of a losing save were stored"
        )
        assert stored, "the winning save's events were lost"
