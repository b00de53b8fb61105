"""Replay checks what each event's `before` and `after` say against the order it folds."""

from __future__ import annotations

import random
from decimal import Decimal
from functools import cache

import pytest

from _lifecycle_support import AT, CLERK, Trail
from _support import make_order
from ordercore.errors import TrailError
from ordercore.events import OrderApproved, OrderCreated, OrderEvent, event_types
from ordercore.lifecycle import AmendOrder, create, replay
from ordercore.lifecycle._summaries import matches, summary_of
from ordercore.testing.walks import Step, drive


@cache
def _trails() -> tuple[tuple[OrderEvent, ...], ...]:
    """Seeded walks through the machine: every event type, most of them many times."""
    draw = random.Random(7)  # noqa: S311 - a seeded walk, not a secret
    trails = []
    for _ in range(120):
        order, trail = create(make_order(), at=AT, actor=CLERK)
        steps = [
            Step(
                progress=draw.random() < 0.6,
                pick=draw.randrange(50),
                line=draw.randrange(5),
                amount=draw.randrange(9),
                hours=draw.randrange(30),
                passing=draw.random() < 0.9,
            )
            for _ in range(60)
        ]
        _, events = drive(order, list(steps), at=AT, actor=CLERK)
        trails.append((*trail, *events))
    return tuple(trails)


def _family(key: str) -> str:
    prefix, _, rest = key.partition(".")
    return f"{prefix}.*.{rest.rpartition('.')[2]}" if prefix == "lines" else prefix


def test_the_walks_reach_every_event_type_and_replay_with_every_summary_checked() -> None:
    types = {event.type for trail in _trails() for event in trail}
    assert len(types) >= len(event_types()) - 3
    families = set()
    for trail in _trails():
        assert replay(trail).version == trail[-1].order_version
        first = trail[0]
        assert isinstance(first, OrderCreated)
        for event in trail:
            for key in (*event.before, *event.after):
                families.add(_family(key))
                # Every key the canonical lifecycle records is one replay checks.
                assert summary_of(first.snapshot, key) is not None, (event.type, key)
    assert {
        "status",
        "total",
        "paid",
        "balance",
        "feedback",
        "archived",
        "risk_level",
        "shipments",
        "cases",
        "holds",
        "billing",
        "links",
        "checkpoints",
        "lines.*.quantity",
        "lines.*.allocated",
        "lines.*.shipped",
        "lines.*.delivered",
        "lines.*.invoiced",
        "lines.*.cancelled",
        "lines.*.exchanged",
    } <= families


def _tampered(text: str) -> str:
    return "none" if text != "none" else "active"


@pytest.mark.parametrize("side", ["before", "after"])
def test_an_event_whose_summary_was_edited_is_refused_naming_event_and_key(side: str) -> None:
    edited: set[str] = set()
    for trail in _trails():
        for index, event in enumerate(trail[1:], start=1):
            recorded = getattr(event, side)
            for key, text in recorded.items():
                family = _family(key)
                if family in edited:
                    continue
                changed = event.model_copy(update={side: {**recorded, key: _tampered(text)}})
                with pytest.raises(TrailError) as error:
                    replay([*trail[:index], changed, *trail[index + 1 :]])
                assert error.value.event_id == event.event_id
                if (side, key) == ("before", "status"):  # the status it starts from
                    assert "it starts from status none" in str(error.value)
                else:
                    assert f"its {side} records {key} as" in str(error.value)
                edited.add(family)
    # Every kind of summary was edited at least once, on this side.
    assert len(edited) >= (14 if side == "before" else 15)


def test_a_line_a_split_moved_out_reads_removed_or_none_and_nothing_else() -> None:
    assert matches("removed", "none")
    assert matches("none", "none")
    assert not matches("removed", "0")
    assert not matches("10", "10.0")


def test_a_key_outside_the_vocabulary_is_not_read() -> None:
    order = make_order()
    assert summary_of(order, "lines.1.colour") is None
    assert summary_of(order, "host.anything") is None
    assert summary_of(order, "lines") is None


def test_a_stored_approval_on_a_review_of_another_version_is_refused() -> None:
    trail = Trail().to_review()
    trail.do(AmendOrder(quantities=(("1", Decimal(3)),)))  # the content changes in review
    trail.approve()
    approved = trail.events[-1]
    assert isinstance(approved, OrderApproved)
    assert replay(trail.events) == trail.order
    for version, problem in [
        (approved.order_version + 3, "the order is only at version"),
        (approved.review_version - 1, "content changed at version"),
    ]:
        forged = approved.model_copy(update={"review_version": version})
        with pytest.raises(TrailError, match=f"it cannot approve: .*{problem}") as error:
            replay([*trail.events[:-1], forged])
        assert error.value.event_id == approved.event_id
