"""`order_in_status`: every state it accepts is what its name says, and no further along."""

from __future__ import annotations

import pytest

from ordercore import Dimension, OrderStatus, Progress
from ordercore.lifecycle import replay
from ordercore.testing.factories import order_in_status, order_with_trail_in_status

NONE, PART, FULL = Progress.NONE, Progress.PARTIAL, Progress.FULL
DIMENSIONS = (
    Dimension.ALLOCATION,
    Dimension.SHIPPING,
    Dimension.FULFILMENT,
    Dimension.BILLING,
    Dimension.PAYMENT,
)

# state -> status, then allocation, shipping, delivery, billing and payment progress
STATES = {
    "draft": (OrderStatus.DRAFT, NONE, NONE, NONE, NONE, NONE),
    "submitted": (OrderStatus.SUBMITTED, NONE, NONE, NONE, NONE, NONE),
    "under_review": (OrderStatus.UNDER_REVIEW, NONE, NONE, NONE, NONE, NONE),
    "approved": (OrderStatus.APPROVED, NONE, NONE, NONE, NONE, NONE),
    "in_fulfilment": (OrderStatus.IN_FULFILMENT, FULL, FULL, NONE, NONE, NONE),
    "shipped": (OrderStatus.IN_FULFILMENT, FULL, FULL, NONE, NONE, NONE),
    "delivered": (OrderStatus.FULFILLED, FULL, FULL, FULL, NONE, NONE),
    "fulfilled": (OrderStatus.FULFILLED, FULL, FULL, FULL, NONE, NONE),
    "invoiced": (OrderStatus.FULFILLED, FULL, FULL, FULL, FULL, NONE),
    "paid": (OrderStatus.FULFILLED, FULL, FULL, FULL, FULL, FULL),
    "closed": (OrderStatus.CLOSED, FULL, FULL, FULL, FULL, FULL),
    "rejected": (OrderStatus.REJECTED, NONE, NONE, NONE, NONE, NONE),
    "cancelled": (OrderStatus.CANCELLED, NONE, NONE, NONE, NONE, NONE),
    "expired": (OrderStatus.EXPIRED, NONE, NONE, NONE, NONE, NONE),
}

# with partial=True: the first line half moved, so each dimension reached is PARTIAL
PARTIAL_STATES = {
    "in_fulfilment": (PART, PART, NONE, NONE, NONE),
    "shipped": (PART, PART, NONE, NONE, NONE),
    "delivered": (PART, PART, PART, NONE, NONE),
    "invoiced": (PART, PART, PART, PART, NONE),
    "paid": (PART, PART, PART, PART, PART),
}


@pytest.mark.parametrize(("state", "expected"), STATES.items())
def test_each_state_has_its_status_and_the_progress_its_name_says(
    state: str, expected: tuple[object, ...]
) -> None:
    order = order_in_status(state)
    assert (order.status, *(order.progress(d) for d in DIMENSIONS)) == expected


@pytest.mark.parametrize(("state", "expected"), PARTIAL_STATES.items())
def test_each_partial_state_moves_part_of_the_order_that_far(
    state: str, expected: tuple[object, ...]
) -> None:
    order = order_in_status(state, partial=True)
    assert order.status is OrderStatus.IN_FULFILMENT
    assert tuple(order.progress(d) for d in DIMENSIONS) == expected


def test_a_partial_order_touches_only_its_first_line() -> None:
    order = order_in_status("paid", partial=True)
    first, *others = order.lines
    assert 0 < first.ledger.paid == first.ledger.delivered < first.quantity
    assert all(line.ledger.allocated == 0 for line in others)


def test_a_closed_order_has_its_feedback_waived() -> None:
    feedback = order_in_status("closed").feedback
    assert feedback is not None
    assert feedback.score is None


def test_a_paid_order_is_not_yet_closed_nor_given_feedback() -> None:
    assert order_in_status("paid").feedback is None


@pytest.mark.parametrize("state", ["draft", "approved", "fulfilled", "closed", "rejected"])
def test_partial_is_refused_for_a_state_without_a_part(state: str) -> None:
    with pytest.raises(ValueError, match=f"partial applies to .*, not '{state}'"):
        order_in_status(state, partial=True)


def test_the_states_are_accepted_in_upper_case() -> None:
    assert order_in_status("DELIVERED").progress(Dimension.BILLING) is Progress.NONE


@pytest.mark.parametrize("state", ["delivered", "paid"])
def test_each_state_is_the_replay_of_its_trail(state: str) -> None:
    order, events = order_with_trail_in_status(state, partial=True)
    assert replay(events) == order


def test_every_state_the_factory_accepts_is_checked_here() -> None:
    from ordercore.testing.factories import _STATES  # noqa: PLC0415

    assert set(_STATES) == set(STATES)
