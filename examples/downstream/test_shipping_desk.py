"""Tests a downstream project writes with ordercore's testing kit: no hand-made order fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shipping_desk import ShippingDesk

from ordercore import Channel, Dimension, OrderStatus, Progress
from ordercore.lifecycle import Approve, StartReview, Submit, apply, create
from ordercore.testing.factories import order_with_trail_in_status
from ordercore.testing.strategies import orders
from ordercore.validation import review


def _approved(order, context, actor, at):
    order, events = create(order, at=at, actor=actor)
    for command in (Submit(), StartReview()):
        order, more = apply(order, command, at=at, actor=actor)
        events += more
    verdict = review(order, context.model_copy(update={"as_of": at}))
    order, more = apply(order, Approve(verdict=verdict), at=at, actor=actor)
    return order, events + more


def test_ships_every_open_unit(
    ordercore_order_factory,
    ordercore_review_context,
    ordercore_repository,
    ordercore_clock,
    ordercore_actor,
):
    order, events = _approved(
        ordercore_order_factory(), ordercore_review_context, ordercore_actor, ordercore_clock.now()
    )
    ordercore_repository.add(order, events)
    ordercore_clock.advance(timedelta(hours=3))

    ShippingDesk(ordercore_repository, ordercore_clock, ordercore_actor).ship_in_full(
        order.order_id
    )

    stored = ordercore_repository.get(order.order_id)
    assert stored.progress(Dimension.SHIPPING) is Progress.FULL
    assert stored.status is OrderStatus.IN_FULFILMENT


def test_refuses_an_order_still_in_review(
    ordercore_order_factory, ordercore_repository, ordercore_clock, ordercore_actor
):
    order, events = create(
        ordercore_order_factory(), at=ordercore_clock.now(), actor=ordercore_actor
    )
    ordercore_repository.add(order, events)
    with pytest.raises(ValueError, match="not ready to ship"):
        ShippingDesk(ordercore_repository, ordercore_clock, ordercore_actor).ship_in_full(
            order.order_id
        )


def test_refuses_an_order_already_delivered(ordercore_repository, ordercore_clock, ordercore_actor):
    order, events = order_with_trail_in_status("delivered")  # delivered, not yet invoiced
    ordercore_repository.add(order, events)
    with pytest.raises(ValueError, match="is fulfilled, not ready to ship"):
        ShippingDesk(ordercore_repository, ordercore_clock, ordercore_actor).ship_in_full(
            order.order_id
        )


@settings(max_examples=20, deadline=None)
@given(order=orders(currency="CNY", channel=st.sampled_from([Channel.EDI, Channel.API])))
def test_any_valid_order_totals_match_its_lines(order):
    assert order.total.amount == sum(line.gross_amount.amount for line in order.lines)
