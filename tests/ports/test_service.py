"""handle(): load, apply, save with the version read, and a bounded retry on conflict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ordercore.errors import ConcurrencyConflict, InvalidArgument, InvalidTransition, OrderNotFound
from ordercore.events import Actor
from ordercore.holds import HoldReason
from ordercore.lifecycle import PlaceHold, StartReview, Submit, apply, create
from ordercore.memory import InMemoryOrderRepository
from ordercore.service import handle
from ordercore.testing.factories import make_order

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ordercore.events import OrderEvent
    from ordercore.orders import Order

CLERK = Actor.user("clerk-7")


class Contended(InMemoryOrderRepository):
    """Before each of the first `interruptions` saves, another writer places a hold first."""

    def __init__(self, interruptions: int) -> None:
        super().__init__()
        self.interruptions = interruptions
        self.gets = 0
        self.saves = 0

    def get(self, order_id: str) -> Order:
        self.gets += 1
        return super().get(order_id)

    def save(
        self, order: Order, *, expected_version: int, events: Sequence[OrderEvent] = ()
    ) -> None:
        self.saves += 1
        if self.interruptions:
            self.interruptions -= 1
            current = super().get(order.order_id)
            command = PlaceHold(hold_id=f"H-{current.version}", hold_reason=HoldReason.STOCK)
            other, other_events = apply(current, command, at=current.received_at, actor=CLERK)
            super().save(other, expected_version=current.version, events=other_events)
        super().save(order, expected_version=expected_version, events=events)


def _stored(repo: InMemoryOrderRepository) -> Order:
    order, events = create(make_order("SO-1"), at=make_order().received_at, actor=CLERK)
    repo.add(order, events)
    return order


def test_handle_applies_the_command_and_saves_it() -> None:
    repo = InMemoryOrderRepository()
    order = _stored(repo)
    new_order, events = handle(repo, "SO-1", Submit(), at=order.received_at, actor=CLERK)
    assert repo.get("SO-1") == new_order
    assert repo.events("SO-1")[-len(events) :] == events
    assert new_order.status.value == "submitted"


def test_without_retries_a_conflict_is_raised_and_nothing_of_the_command_is_saved() -> None:
    repo = Contended(interruptions=1)
    order = _stored(repo)
    with pytest.raises(ConcurrencyConflict) as caught:
        handle(repo, "SO-1", Submit(), at=order.received_at, actor=CLERK)
    assert caught.value.actual_version == 1  # the other writer's hold
    assert [e.type for e in repo.events("SO-1")] == ["order_created", "hold_placed"]


def test_a_retry_reloads_and_decides_again_on_the_order_as_it_is_now() -> None:
    repo = Contended(interruptions=2)
    order = _stored(repo)
    new_order, _ = handle(repo, "SO-1", Submit(), at=order.received_at, actor=CLERK, retries=2)
    assert repo.gets == 3
    assert new_order.version == 3  # two holds by the other writer, then the submit
    assert len(new_order.active_holds) == 2
    assert repo.get("SO-1") == new_order


def test_retries_are_bounded() -> None:
    repo = Contended(interruptions=10)
    order = _stored(repo)
    with pytest.raises(ConcurrencyConflict):
        handle(repo, "SO-1", Submit(), at=order.received_at, actor=CLERK, retries=3)
    assert repo.saves == 4


def test_a_refusal_is_not_retried_and_changes_nothing() -> None:
    repo = Contended(interruptions=0)
    order = _stored(repo)
    with pytest.raises(InvalidTransition, match="order SO-1 in status draft"):
        handle(repo, "SO-1", StartReview(), at=order.received_at, actor=CLERK, retries=5)
    assert repo.gets == 1
    assert repo.saves == 0
    assert repo.get("SO-1") == order


def test_a_missing_order_raises_order_not_found() -> None:
    with pytest.raises(OrderNotFound):
        handle(
            InMemoryOrderRepository(), "SO-404", Submit(), at=make_order().received_at, actor=CLERK
        )


@pytest.mark.parametrize("retries", [-1, 1.5, "2", True])
def test_bad_retries_are_refused_before_anything_is_read(retries: object) -> None:
    repo = Contended(interruptions=0)
    with pytest.raises(InvalidArgument, match="retries must be an int >= 0"):
        handle(repo, "SO-1", Submit(), at=make_order().received_at, actor=CLERK, retries=retries)  # type: ignore[arg-type]
    assert repo.gets == 0
