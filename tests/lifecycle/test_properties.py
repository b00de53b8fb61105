from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from hypothesis import given, settings

from _lifecycle_support import AT, CLERK
from _support import make_order
from ordercore import Order
from ordercore.events import parse_event
from ordercore.lifecycle import (
    Command,
    create,
    replay,
)
from ordercore.testing.strategies import command_sequences, drive

if TYPE_CHECKING:
    from ordercore.testing.walks import Step


@settings(max_examples=150, deadline=None)
@given(command_sequences(max_size=60))
def test_random_commands_keep_the_order_valid_and_replayable(
    commands: list[Command | Step | Literal["approve"]],
) -> None:
    order, trail = create(make_order(), at=AT, actor=CLERK)
    order, events = drive(order, commands, at=AT, actor=CLERK)  # only typed errors are skipped
    trail.extend(events)
    assert Order.model_validate_json(order.model_dump_json()) == order
    assert replay(trail) == order
    assert replay([parse_event(e.model_dump_json()) for e in trail]) == order
