from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercore import OrderStatus
from ordercore.kpi import check_frame, generate
from ordercore.lifecycle import replay
from ordercore.testing.book import CHANNEL_MIX, synthetic_book
from ordercore.testing.clock import FrozenClock
from ordercore.testing.factories import (
    make_order,
    make_review_context,
    order_in_status,
    order_with_trail_in_status,
)
from ordercore.testing.strategies import (
    command_sequences,
    drive,
    ids,
    lines,
    money,
    orders,
    quantities,
    review_contexts,
)
from ordercore.validation import review


@pytest.fixture(scope="module")
def book():  # type: ignore[no-untyped-def]
    return synthetic_book(orders=240, seed=5)


def test_factory_orders_are_equal_for_equal_arguments() -> None:
    assert make_order("SO-9", lines=4) == make_order("SO-9", lines=4)


def test_factory_orders_pass_the_default_review_in_the_factory_context() -> None:
    assert review(make_order(), make_review_context()).passed


@pytest.mark.parametrize("status", [s.value for s in OrderStatus])
def test_order_in_status_reaches_every_status(status: str) -> None:
    assert order_in_status(status).status.value == status


def test_order_in_status_accepts_upper_case_and_the_shipped_alias() -> None:
    order = order_in_status("SHIPPED", partial=True)
    assert order.status is OrderStatus.IN_FULFILMENT
    assert 0 < order.lines[0].ledger.shipped < order.lines[0].quantity


def test_order_in_status_refuses_an_unknown_status_listing_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown status 'lost'; use one of: draft"):
        order_in_status("lost")


def test_order_in_status_is_the_replay_of_its_trail() -> None:
    order, events = order_with_trail_in_status("closed")
    assert replay(events) == order


def test_the_book_is_the_same_for_the_same_seed() -> None:
    assert synthetic_book(orders=20, seed=3).orders == synthetic_book(orders=20, seed=3).orders


def test_every_book_order_equals_the_replay_of_its_events(book) -> None:  # type: ignore[no-untyped-def]
    trails: dict[str, list[object]] = {}
    for event in book.events:
        trails.setdefault(event.order_id, []).append(event)
    for order in book.orders:
        assert replay(trails[order.order_id]) == order  # type: ignore[arg-type]


def test_the_book_has_open_rejected_and_closed_orders(book) -> None:  # type: ignore[no-untyped-def]
    statuses = Counter(order.status for order in book.orders)
    assert statuses[OrderStatus.CLOSED] > 0
    assert statuses[OrderStatus.REJECTED] > 0
    assert statuses[OrderStatus.IN_FULFILMENT] + statuses[OrderStatus.APPROVED] > 0


def test_the_book_frames_pass_the_kpi_frame_check(book) -> None:  # type: ignore[no-untyped-def]
    for name, frame in book.frames().items():
        check_frame(frame, name)


def test_the_book_and_the_frame_generator_share_the_orders_schema(book) -> None:  # type: ignore[no-untyped-def]
    generated = set(generate(200, seed=5).orders.columns)
    # the entity-level book also knows each order's value, status, active-hold start and
    # risk level
    assert set(book.frames()["orders"].columns) <= generated | {
        "value",
        "status",
        "hold_since",
        "channel_detail",
        "risk_level",
    }


def test_the_book_and_the_frame_generator_agree_on_the_channel_mix(book) -> None:  # type: ignore[no-untyped-def]
    generated = generate(20000, seed=5).orders["channel"].value_counts(normalize=True)
    for channel, share in CHANNEL_MIX:
        assert generated[channel.value] == pytest.approx(share, abs=0.02)
    built = Counter(order.channel for order in book.orders)
    for channel, share in CHANNEL_MIX:
        assert built[channel] / len(book.orders) == pytest.approx(share, abs=0.08)


def test_the_frozen_clock_refuses_to_go_backwards() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))


def test_the_frozen_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


@settings(max_examples=30)
@given(orders())
def test_generated_orders_are_valid_and_round_trip(order) -> None:  # type: ignore[no-untyped-def]
    assert type(order).model_validate_json(order.model_dump_json()) == order


@settings(max_examples=30)
@given(quantities(), money("JPY"), ids("SO-"), lines(currency="EUR"))
def test_strategies_respect_their_bounds(qty, price, identifier, line) -> None:  # type: ignore[no-untyped-def]
    assert 1 <= qty <= 10000
    assert price.currency == "JPY"
    assert price.amount > 0
    assert identifier.startswith("SO-")
    assert line.unit_price.currency == "EUR"


def test_decimal_strategies_never_produce_nan_or_infinity() -> None:
    @settings(max_examples=50)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        value = data.draw(quantities(places=3))
        assert value.is_finite()

    check()


def test_seeded_factory_orders_are_reproducible_and_vary_between_seeds() -> None:
    assert make_order(seed=11) == make_order(seed=11)
    assert len({make_order(seed=s).model_dump_json() for s in range(20)}) == 20


def test_seeded_factory_orders_are_valid_for_review() -> None:
    order = make_order(seed=3, lines=4)
    assert review(order, make_review_context(as_of=order.received_at)).order_id == order.order_id


@settings(max_examples=40, deadline=None)
@given(command_sequences(max_size=25))
def test_driven_command_sequences_leave_a_replayable_order(sequence) -> None:  # type: ignore[no-untyped-def]
    from ordercore.events import Actor  # noqa: PLC0415
    from ordercore.lifecycle import create  # noqa: PLC0415

    order, trail = create(make_order(), at=make_order().received_at, actor=Actor.user("u"))
    order, events = drive(order, sequence, at=order.received_at, actor=Actor.user("u"))
    assert replay([*trail, *events]) == order


@settings(max_examples=25, deadline=None)
@given(review_contexts(customers=2))
def test_generated_review_contexts_review_without_configuration_errors(context) -> None:  # type: ignore[no-untyped-def]
    result = review(make_order(), context)
    assert result.order_id == "SO-1"
    assert set(context.customers) == {"C-001", "C-002"}
