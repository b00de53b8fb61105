"""The contract every `OrderRepository` adapter must pass.

Subclass [`OrderRepositoryContract`][ordercore.testing.contracts.OrderRepositoryContract] in
your own test suite, give it a `make_repository` that returns a fresh, empty repository, and
name the subclass so that pytest collects it:

```python
from ordercore.testing.contracts import OrderRepositoryContract

class TestPostgresOrderRepository(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url):     # any fixture of yours, set up per clause
        self.engine = create_engine(postgres_url)

    def make_repository(self):
        return PostgresOrderRepository(self.engine)

    def close_repository(self, repo):      # after every clause, passed or failed
        truncate_tables(self.engine)
        self.engine.dispose()
```

`make_repository` may read anything an autouse fixture of the subclass set up (a database,
a temporary folder); `close_repository` is called once for every repository a clause made,
after the clause, whether it passed or failed.

The clauses were chosen so that plausible adapter bugs fail by name: a save that keeps only
the first event of a batch, events ordered by id (wrong from version 10), released holds
still found, a column that drops time zones or compares instants as text, an `add` that
stores the order without its events, a conflict reporting the wrong version, unsorted or
collation-sorted results, `LIKE` matching, a feed that lets a reader skip an event.

Each clause is one test method whose name says what broke
(`test_save_with_stale_version_raises_conflict`), and every assertion says what was
expected and what came back. This module's import path is public API and will not move.
"""

from __future__ import annotations

import itertools
import threading
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import pytest

from ordercore.errors import (
    ConcurrencyConflict,
    InvalidArgument,
    OrderAlreadyExists,
    OrderNotFound,
)
from ordercore.events import Actor, OrderEvent
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, ReleaseHold, Submit, apply
from ordercore.status import OrderStatus
from ordercore.testing.factories import DEFAULT_RECEIVED_AT, make_customer, make_line, make_order

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ordercore.orders import Order
    from ordercore.ports import FeedEntry, OrderRepository

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


def _last_change(order: Order) -> datetime:
    return order.updated_at or order.received_at


def _hold(order: Order, hold_id: str, reason: HoldReason) -> tuple[Order, list[OrderEvent]]:
    command = PlaceHold(hold_id=hold_id, hold_reason=reason, note="contract hold")
    new_order, events = apply(order, command, at=_last_change(order), actor=_ACTOR)
    return new_order, list(events)


def _release(order: Order, hold_id: str) -> tuple[Order, list[OrderEvent]]:
    command = ReleaseHold(hold_id=hold_id, reason="contract release")
    new_order, events = apply(order, command, at=_last_change(order), actor=_ACTOR)
    return new_order, list(events)


def _ids(orders: Sequence[Order]) -> list[str]:
    return [order.order_id for order in orders]


# Ids that a language's collation sorts differently from code points: case, accents, the
# punctuation that collations skip, and digits compared as text.
_COLLATION_IDS: Final = (
    "SO-b",
    "SO-B",
    "so-a",
    "SO-a",
    "SO-A",
    "SO_1",
    "SO-10",
    "SO-2",
    "SO-É",
    "SO-e",
    "SO-ä",
    "SO-z",
    "SO 1",
    "SO-Z",
)


class OrderRepositoryContract(ABC):
    """Clauses an order repository must satisfy; subclass it and implement `make_repository`."""

    @abstractmethod
    def make_repository(self) -> OrderRepository:
        """Return a new, empty repository (a clause may call it more than once)."""

    def close_repository(self, repo: OrderRepository) -> None:  # noqa: B027 - an optional hook
        """Release what `make_repository` opened; called after each clause, pass or fail.

        The default does nothing; override it to close connections or drop a database.
        """

    @pytest.fixture(autouse=True)
    def _ordercore_contract_repositories(self) -> Iterator[None]:
        self._made: list[OrderRepository] = []
        yield
        for repo in reversed(self._made):
            self.close_repository(repo)

    def _fresh(self) -> OrderRepository:
        repo = self.make_repository()
        self._made.append(repo)
        return repo

    # -- add / get -----------------------------------------------------------------------

    def test_get_returns_the_added_order(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        got = repo.get("SO-1")
        assert got == order, f"get() returned {got!r}, expected the order that was added"

    def test_get_of_a_missing_order_raises_order_not_found(self) -> None:
        repo = self._fresh()
        with pytest.raises(OrderNotFound):
            repo.get("SO-404")

    def test_find_of_a_missing_order_returns_none(self) -> None:
        repo = self._fresh()
        found = repo.find("SO-404")
        assert found is None, f"find() of a missing order returned {found!r}, expected None"

    def test_adding_an_existing_id_raises_order_already_exists(self) -> None:
        repo = self._fresh()
        repo.add(make_order("SO-1"))
        with pytest.raises(OrderAlreadyExists):
            repo.add(make_order("SO-1", lines=1))
        assert len(repo.get("SO-1").lines) == 2, "a refused add() changed the stored order"

    def test_adding_with_another_orders_events_stores_nothing(self) -> None:
        repo = self._fresh()
        _, foreign = _advance(make_order("SO-2"))
        with pytest.raises(ValueError, match="belongs to order"):
            repo.add(make_order("SO-1"), foreign)
        assert "SO-1" not in repo, "a refused add() stored the order anyway"
        assert repo.events("SO-1") == [], "a refused add() stored events anyway"

    def test_contains_and_len_count_stored_orders(self) -> None:
        repo = self._fresh()
        repo.add(make_order("SO-1"))
        repo.add(make_order("SO-2"))
        assert len(repo) == 2, f"len() is {len(repo)} after adding two orders"
        assert "SO-1" in repo, "an added order is not `in` the repository"
        assert "SO-3" not in repo, "a missing order is `in` the repository"

    # -- save ----------------------------------------------------------------------------

    def test_save_with_the_current_version_replaces_the_order(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        got = repo.get("SO-1")
        assert got == submitted, f"after save() get() returned version {got.version}"

    def test_save_with_stale_version_raises_conflict(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
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
        repo = self._fresh()
        order, events = _advance(make_order("SO-1"))
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(order, expected_version=0, events=events)
        assert caught.value.actual_version is None, "a missing order should report no version"
        assert "SO-1" not in repo, "a refused save() stored the order"

    def test_save_must_move_the_version_forward(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        with pytest.raises(ValueError, match="does not move forward"):
            repo.save(order, expected_version=order.version)

    def test_save_with_another_orders_events_changes_nothing(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, _ = _advance(order)
        _, foreign = _advance(make_order("SO-2"))
        with pytest.raises(ValueError, match="belongs to order"):
            repo.save(submitted, expected_version=order.version, events=foreign)
        assert repo.get("SO-1") == order, "a refused save() changed the stored order"

    def test_an_event_id_cannot_be_stored_twice(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, _ = _advance(order)
        with pytest.raises(ValueError, match="version"):
            repo.save(submitted, expected_version=order.version, events=())
        assert repo.get("SO-1") == order, "a version move without events was stored"
        assert repo.events("SO-1") == [], "a refused save() appended events"

    def test_a_save_with_events_at_the_old_version_changes_nothing(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        stale = [e.model_copy(update={"order_version": order.version}) for e in events]
        with pytest.raises(ValueError, match="version"):
            repo.save(submitted, expected_version=order.version, events=stale)
        assert repo.get("SO-1") == order, "events at the old version were accepted"

    def test_an_event_id_is_unique_across_orders(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
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
        repo = self._fresh()
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
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        repo.save(submitted, expected_version=order.version, events=events)
        assert repo.events("SO-1") == events, "stored events differ from the saved ones"

    def test_events_of_an_unknown_order_are_empty(self) -> None:
        repo = self._fresh()
        got = repo.events("SO-404")
        assert got == [], f"events() of an unknown order returned {got!r}"

    def test_all_events_are_in_global_append_order(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
        for order_id in ("SO-3", "SO-1", "SO-2"):
            repo.add(make_order(order_id))
        got = [order.order_id for order in repo]
        assert got == ["SO-1", "SO-2", "SO-3"], f"iteration order is {got}"

    def test_by_status_returns_only_orders_in_those_statuses(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
        repo.add(make_order("SO-1", customer=make_customer("C-1")))
        repo.add(make_order("SO-2", customer=make_customer("C-2")))
        got = [o.order_id for o in repo.by_customer("C-2")]
        assert got == ["SO-2"], f"by_customer('C-2') returned {got}"

    def test_received_between_is_half_open(self) -> None:
        repo = self._fresh()
        start = DEFAULT_RECEIVED_AT
        for minutes, order_id in ((0, "SO-1"), (59, "SO-2"), (60, "SO-3")):
            repo.add(make_order(order_id, received_at=start + timedelta(minutes=minutes)))
        got = [o.order_id for o in repo.received_between(start, start + timedelta(hours=1))]
        assert got == ["SO-1", "SO-2"], f"received_between([start, +1h)) returned {got}"

    def test_with_active_hold_finds_held_orders_by_reason(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
        order = make_order(
            "订单-2026-001",
            customer=make_customer("C-华东", name="华东机械有限公司 (上海) 🚚"),
            notes="备注 " * 900,
            lines=[make_line("1", quantity=Decimal("1234.567891"))],
        )
        repo.add(order)
        assert repo.get(order.order_id) == order, "the stored order differs after reading back"

    def test_ids_that_look_like_sql_are_stored_verbatim(self) -> None:
        repo = self._fresh()
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
        repo = self._fresh()
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
        repo = self._fresh()
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

    def test_concurrent_writers_of_different_orders_all_succeed(self) -> None:
        repo = self._fresh()
        barrier = threading.Barrier(_THREADS)
        failures: list[Exception] = []

        def write(n: int) -> None:
            order = make_order(f"SO-{n}")
            barrier.wait()
            try:
                repo.add(order)
                for step in range(1, 4):
                    new_order, events = _advance(order, minutes=step)
                    repo.save(new_order, expected_version=order.version, events=events)
                    order = new_order
            except Exception as error:  # noqa: BLE001 - every failure is reported
                failures.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, f"writers of different orders failed: {failures!r}"
        versions = {order.order_id: order.version for order in repo}
        assert versions == {f"SO-{n}": 3 for n in range(_THREADS)}, (
            f"after {_THREADS} threads each saved their own order 3 times: {versions}"
        )

    # -- several events in one save, long trails -------------------------------------------

    def test_a_multi_event_save_is_stored_whole_and_in_order(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, first = _advance(order)
        held, second = _hold(submitted, "H-1", HoldReason.CREDIT)
        released, third = _release(held, "H-1")
        batch = [*first, *second, *third]
        repo.save(released, expected_version=order.version, events=batch)
        got = [e.event_id for e in repo.events("SO-1")]
        assert got == [e.event_id for e in batch], (
            f"a save of {len(batch)} events stored {got}, expected all of them in order"
        )
        fed = [entry.event.event_id for entry in repo.events_since(0, 100)]
        assert fed == got, f"the feed shows {fed}, expected {got}"

    def test_events_keep_append_order_past_version_ten(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        appended: list[OrderEvent] = []
        for step in range(1, 13):  # event ids such as 'SO-1:10:…' sort before 'SO-1:9:…'
            new_order, events = _advance(order, minutes=step)
            repo.save(new_order, expected_version=order.version, events=events)
            appended.extend(events)
            order = new_order
        got = [e.order_version for e in repo.events("SO-1")]
        assert got == [e.order_version for e in appended], (
            f"events came back at versions {got}, expected append order 1..12"
        )
        fed = [entry.event.order_version for entry in repo.events_since(0, 100)]
        assert fed == got, f"the feed shows versions {fed}"

    # -- holds ------------------------------------------------------------------------------

    def test_a_released_hold_is_no_longer_found(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        held, more = _hold(submitted, "H-1", HoldReason.CREDIT)
        repo.save(held, expected_version=order.version, events=[*events, *more])
        found = _ids(repo.with_active_hold(HoldReason.CREDIT))
        assert found == ["SO-1"], f"with_active_hold(credit) after placing returned {found}"
        released, released_events = _release(held, "H-1")
        repo.save(released, expected_version=held.version, events=released_events)
        still = _ids(repo.with_active_hold())
        assert still == [], f"with_active_hold() after the release returned {still}"
        by_reason = _ids(repo.with_active_hold(HoldReason.CREDIT))
        assert by_reason == [], f"with_active_hold(credit) after the release returned {by_reason}"

    def test_only_the_reasons_of_active_holds_are_found(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        submitted, events = _advance(order)
        held, more = _hold(submitted, "H-1", HoldReason.CREDIT)
        both, stock = _hold(held, "H-2", HoldReason.STOCK)
        released, gone = _release(both, "H-1")
        repo.save(released, expected_version=order.version, events=[*events, *more, *stock, *gone])
        credit = _ids(repo.with_active_hold(HoldReason.CREDIT))
        assert credit == [], f"the released credit hold is still found: {credit}"
        active = _ids(repo.with_active_hold(HoldReason.STOCK))
        assert active == ["SO-1"], f"the active stock hold is not found: {active}"
        assert _ids(repo.with_active_hold()) == ["SO-1"], "an order with an active hold is missed"

    # -- time -------------------------------------------------------------------------------

    def test_orders_received_in_several_zones_compare_as_instants(self) -> None:
        repo = self._fresh()
        start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        zones = {
            "SO-1": (start - timedelta(minutes=30), timezone(timedelta(hours=8))),
            "SO-2": (start, timezone(timedelta(hours=-5))),
            "SO-3": (start + timedelta(minutes=10), timezone(timedelta(hours=5, minutes=45))),
            "SO-4": (start + timedelta(minutes=59), timezone(timedelta(hours=-9, minutes=-30))),
            "SO-5": (start + timedelta(hours=1), timezone(timedelta(hours=14))),
            "SO-6": (start + timedelta(minutes=90), UTC),
        }
        for order_id, (instant, zone) in zones.items():
            repo.add(make_order(order_id, received_at=instant.astimezone(zone)))
        shanghai = timezone(timedelta(hours=8))
        got = _ids(repo.received_between(start.astimezone(shanghai), (start + timedelta(hours=1))))
        assert got == ["SO-2", "SO-3", "SO-4"], (
            f"received_between([12:00Z, 13:00Z)) with bounds in +08:00 and UTC returned {got}"
        )
        back = repo.get("SO-3").received_at
        assert back == zones["SO-3"][0], f"SO-3 was received at {back}, not at the stored instant"

    def test_received_between_refuses_naive_bounds(self) -> None:
        repo = self._fresh()
        with pytest.raises(ValueError, match="aware"):
            repo.received_between(datetime(2026, 3, 2), datetime(2026, 3, 3))  # noqa: DTZ001 - the point

    # -- ordering and matching ---------------------------------------------------------------

    def test_ordering_is_by_code_point_whatever_the_collation(self) -> None:
        repo = self._fresh()
        for order_id in _COLLATION_IDS:
            repo.add(make_order(order_id, customer=make_customer("C-1")))
        expected = sorted(_COLLATION_IDS)
        assert _ids(list(repo)) == expected, f"iteration order is {_ids(list(repo))}"
        got = _ids(repo.by_customer("C-1"))
        assert got == expected, f"by_customer order is {got}, expected {expected}"
        drafts = _ids(repo.by_status(OrderStatus.DRAFT))
        assert drafts == expected, f"by_status order is {drafts}, expected {expected}"

    def test_by_status_is_sorted_by_order_id(self) -> None:
        repo = self._fresh()
        for order_id in ("SO-5", "SO-2", "SO-4", "SO-1", "SO-3"):
            order = make_order(order_id)
            repo.add(order)
            if order_id in {"SO-5", "SO-1"}:
                submitted, events = _advance(order)
                repo.save(submitted, expected_version=order.version, events=events)
        got = _ids(repo.by_status(OrderStatus.SUBMITTED, OrderStatus.DRAFT))
        assert got == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"], f"by_status returned {got}"
        submitted_ids = _ids(repo.by_status(OrderStatus.SUBMITTED))
        assert submitted_ids == ["SO-1", "SO-5"], f"by_status(SUBMITTED) returned {submitted_ids}"

    def test_lookups_match_ids_exactly_not_as_patterns(self) -> None:
        repo = self._fresh()
        for order_id, customer_id in (
            ("SO-1", "C_1"),
            ("SO-2", "CX1"),
            ("SO-3", "C%"),
            ("SO-4", "C-100"),
            ("SO-5", "c_1"),
            ("SO-6", "C_10"),
        ):
            repo.add(make_order(order_id, customer=make_customer(customer_id)))
        for customer_id, expected in (
            ("C_1", ["SO-1"]),
            ("C%", ["SO-3"]),
            ("C%1", []),
            ("%", []),
            ("C-1", []),
        ):
            got = _ids(repo.by_customer(customer_id))
            assert got == expected, (
                f"by_customer({customer_id!r}) returned {got}, expected {expected}"
            )
        assert repo.find("SO_1") is None, "find('SO_1') matched another id"
        assert "SO%" not in repo, "'SO%' is `in` the repository"
        assert repo.with_active_hold("%") == [], "with_active_hold('%') matched"

    # -- atomicity and conflicts ---------------------------------------------------------------

    def test_add_is_atomic_with_its_events(self) -> None:
        repo = self._fresh()
        first, events = _advance(make_order("SO-1"))
        repo.add(first, events)
        second, second_events = _advance(make_order("SO-2"))
        clash = [second_events[0].model_copy(update={"event_id": events[0].event_id})]
        with pytest.raises(ValueError, match="already stored"):
            repo.add(second, clash)
        assert "SO-2" not in repo, "add() stored the order although its events were refused"
        assert repo.events("SO-2") == [], "add() stored events of a refused order"
        assert len(repo) == 1, f"len() is {len(repo)} after one add and one refused add"

    def test_a_conflict_reports_the_version_actually_stored(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        original = order
        for step in range(1, 4):
            new_order, events = _advance(order, minutes=step)
            repo.save(new_order, expected_version=order.version, events=events)
            order = new_order
        for expected in (original.version, order.version + 2):
            stale, stale_events = _advance(original, minutes=50 + expected)
            moved = stale.model_copy(update={"version": expected + 1})
            versioned = [e.model_copy(update={"order_version": expected + 1}) for e in stale_events]
            with pytest.raises(ConcurrencyConflict) as caught:
                repo.save(moved, expected_version=expected, events=versioned)
            assert caught.value.actual_version == order.version, (
                f"a save expecting version {expected} reports the stored version as "
                f"{caught.value.actual_version}; it is {order.version}"
            )
            assert caught.value.expected_version == expected, "the conflict misreports expected"

    # -- the event feed --------------------------------------------------------------------------

    def test_the_feed_pages_through_every_event_with_increasing_positions(self) -> None:
        repo = self._fresh()
        for order_id in ("SO-2", "SO-1"):
            order = make_order(order_id)
            repo.add(order)
            for step in range(1, 4):
                new_order, events = _advance(order, minutes=step)
                repo.save(new_order, expected_version=order.version, events=events)
                order = new_order
        pages: list[FeedEntry] = []
        position = 0
        while page := repo.events_since(position, 2):
            assert len(page) <= 2, f"events_since(limit=2) returned {len(page)} entries"
            pages.extend(page)
            position = page[-1].position
        positions = [entry.position for entry in pages]
        assert all(a < b for a, b in itertools.pairwise(positions)), positions
        assert positions[0] >= 1, f"the first position is {positions[0]}, positions start at 1"
        fed = [entry.event for entry in pages]
        assert fed == list(repo.all_events()), "the feed and all_events() disagree"
        assert len(fed) == 6, f"the feed holds {len(fed)} events, 6 were saved"

    def test_the_feed_refuses_a_negative_position_or_a_limit_below_one(self) -> None:
        repo = self._fresh()
        for position, limit in ((-1, 10), (0, 0), (0, -5), ("0", 10), (0, 2.5)):
            with pytest.raises(InvalidArgument):
                repo.events_since(position, limit)  # type: ignore[arg-type]
        assert repo.events_since(0, 10) == [], "an empty store has an empty feed"

    def test_the_feed_under_concurrent_writers_lets_no_reader_skip_an_event(self) -> None:
        repo = self._fresh()
        writers, saves = 4, 6
        done = threading.Event()
        seen: list[FeedEntry] = []
        failures: list[Exception] = []

        def write(n: int) -> None:
            try:
                order = make_order(f"SO-{n}")
                repo.add(order)
                for step in range(1, saves + 1):
                    new_order, events = _advance(order, minutes=step)
                    repo.save(new_order, expected_version=order.version, events=events)
                    order = new_order
            except Exception as error:  # noqa: BLE001 - every failure is reported
                failures.append(error)

        def read() -> None:
            position = 0
            while True:
                finished = done.is_set()
                page = repo.events_since(position, 3)
                seen.extend(page)
                if page:
                    position = page[-1].position
                elif finished:
                    return

        reader = threading.Thread(target=read)
        reader.start()
        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        done.set()
        reader.join(timeout=60)
        assert not failures, f"writers failed: {failures!r}"
        everything = [entry.event.event_id for entry in repo.events_since(0, 10_000)]
        assert len(everything) == writers * saves, f"{len(everything)} events stored"
        read_ids = [entry.event.event_id for entry in seen]
        missed = sorted(set(everything) - set(read_ids))
        assert not missed, f"a reader following the feed missed {missed}"
        assert read_ids == everything, "the reader saw events twice or out of feed order"

    def test_a_reader_never_sees_half_a_save(self) -> None:
        repo = self._fresh()
        order = make_order("SO-1")
        repo.add(order)
        saves = 20
        done = threading.Event()
        torn: list[str] = []

        def write() -> None:
            current = order
            for step in range(1, saves + 1):
                new_order, events = _advance(current, minutes=step)
                repo.save(new_order, expected_version=current.version, events=events)
                current = new_order
            done.set()

        def read() -> None:
            while not done.is_set():
                # Each save moves the version by one with one event: a reader that saw k
                # events must see the order at k or later, and the other way round.
                seen = len(repo.events("SO-1"))
                version = repo.get("SO-1").version
                if version < seen:
                    torn.append(f"{seen} events, then the order at version {version}")
                version = repo.get("SO-1").version
                seen = len(repo.events("SO-1"))
                if seen < version:
                    torn.append(f"the order at version {version}, then {seen} events")

        readers = [threading.Thread(target=read) for _ in range(2)]
        writer = threading.Thread(target=write)
        for thread in (*readers, writer):
            thread.start()
        for thread in (writer, *readers):
            thread.join(timeout=60)
        assert done.is_set(), "the writer did not finish"
        assert not torn, f"a reader saw half a save: {torn[:3]}"
