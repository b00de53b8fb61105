"""Hostile input, a checked trail, no dead ends, and the one-line bugs the suite must catch."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal, Inexact, InvalidOperation, Overflow, Rounded, localcontext
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _lifecycle_support import AT, CLERK, Trail
from _support import make_order
from ordercore import InvalidArgument, InvalidCommand, Order, OrderStatus, TrailError
from ordercore.errors import ConfigurationError, GuardRejected, LedgerViolation, OrderCoreError
from ordercore.events import Party, parse_event
from ordercore.holds import HoldAction, HoldReason
from ordercore.lifecycle import (
    Allocate,
    AmendOrder,
    Cancel,
    Close,
    Expire,
    HostTrigger,
    Invoice,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    Reject,
    Ship,
    Submit,
    apply,
    create,
    replay,
)
from ordercore.lifecycle.extend import extend
from ordercore.memory import InMemoryOrderRepository
from ordercore.orders import OrderLine

CREDIT = cast("HoldReason", "credit")  # an enum given as its value, as JSON and forms give it


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PlaceHold(hold_id="H\x00", hold_reason=CREDIT), "hold_id"),
        (lambda: PlaceHold(hold_id="H", hold_reason=cast("HoldReason", "bogus")), "hold_reason"),
        (
            lambda: PlaceHold(
                hold_id="H", hold_reason=CREDIT, blocks=cast("tuple[HoldAction, ...]", "ship")
            ),
            "blocks",
        ),
        (lambda: PlaceHold(hold_id="H", hold_reason=CREDIT, note="a\x01b"), "note"),
        (lambda: PlaceHold(hold_id="H", hold_reason=CREDIT, reason="x" * 5000), "reason"),
        (
            lambda: PlaceHold(hold_id="H", hold_reason=CREDIT, correlation_id="c" * 300),
            "correlation_id",
        ),
        (lambda: Ship(line_id="1", quantity=Decimal("1E+999999999")), "quantity"),
        (lambda: Ship(line_id="1", quantity=Decimal("NaN")), "quantity"),
        (lambda: Ship(line_id="1", quantity=Decimal("0.0000001")), "quantity"),
        (lambda: AmendOrder(quantities=(("1", Decimal("2E+9")),)), "quantities.0.1"),
        (lambda: AmendOrder(quantities=(("1", Decimal(1)), ("1", Decimal(2)))), "quantities"),
    ],
)
def test_a_bad_command_field_is_refused_when_built_naming_command_and_field(
    build: Any, field: str
) -> None:
    with pytest.raises(InvalidCommand) as error:
        build()
    assert isinstance(error.value, ValueError)
    assert field in [path for path, _ in error.value.problems]


def test_an_enum_given_as_its_value_is_coerced_and_the_order_still_renders() -> None:
    trail = Trail().to_review()
    trail.do(PlaceHold(hold_id="H-1", hold_reason=CREDIT))
    assert trail.order.holds[0].reason is HoldReason.CREDIT
    assert "credit" in trail.order._repr_html_()


@pytest.mark.parametrize(
    "arguments",
    [
        {"order": None},
        {"command": None},
        {"command": "submit"},
        {"at": None},
        {"at": "2026-03-03T09:00:00Z"},
        {"at": datetime(2026, 3, 3, 9)},  # noqa: DTZ001 - a naive datetime is the point
        {"at": datetime.max.replace(tzinfo=ZoneInfo("America/New_York"))},
        {"actor": "li.wei"},
        {"policy": None},
        {"spec": None},
    ],
)
def test_bad_arguments_raise_invalid_argument_and_change_nothing(
    arguments: dict[str, Any],
) -> None:
    order = make_order()
    values: dict[str, Any] = {"order": order, "command": Submit(), "at": AT, "actor": CLERK}
    values.update(arguments)
    dump = order.model_dump_json()
    with pytest.raises(InvalidArgument) as error:
        apply(values.pop("order"), values.pop("command"), **values)
    assert isinstance(error.value, OrderCoreError)
    assert order.model_dump_json() == dump


def test_results_do_not_depend_on_the_callers_decimal_context() -> None:
    def walk() -> Order:
        trail = Trail().to_approved().deliver_line("1", 3)
        trail.do(Invoice(line_id="1", quantity=Decimal(3)))
        return trail.order

    expected = walk()
    with localcontext() as context:
        context.prec = 3
        for signal in (InvalidOperation, Overflow, Inexact, Rounded):
            context.traps[signal] = True
        assert walk() == expected


def test_movement_summaries_are_exact_under_a_three_digit_context() -> None:
    from ordercore.testing.factories import make_line  # noqa: PLC0415

    order = make_order(lines=[make_line("1", quantity=Decimal("123456.789"))])
    trail = Trail(order).to_approved()
    with localcontext() as context:
        context.prec = 3
        events = trail.do(Allocate(line_id="1", quantity=Decimal("1000.001")))
    assert events[0].after == {"lines.1.allocated": "1000.001"}
    assert trail.order.lines[0].ledger.allocated == Decimal("1000.001")


def test_an_amendment_is_refused_for_whatever_the_order_model_refuses() -> None:
    trail = Trail().to_approved()
    early = trail.order.lines[0].model_copy(
        update={"line_id": "3", "requested_delivery_at": AT - timedelta(days=400)}
    )
    with pytest.raises(GuardRejected, match="before the order was received"):
        trail.do(AmendOrder(new_lines=(early,)))
    many = tuple(
        OrderLine.model_validate({**trail.order.lines[0].__dict__, "line_id": f"N{i}"})
        for i in range(5000)
    )
    with pytest.raises(GuardRejected, match="at most 5000 lines"):
        trail.do(AmendOrder(new_lines=many))


def test_a_command_dated_before_the_last_change_is_refused() -> None:
    trail = Trail()
    with pytest.raises(GuardRejected, match="not_before_last_change"):
        apply(trail.order, Submit(), at=AT - timedelta(seconds=1), actor=CLERK)


@pytest.mark.parametrize("fold", [0, 1])
def test_a_time_in_a_dst_fold_or_gap_round_trips_through_json_and_replay(fold: int) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    order, trail = create(make_order(), at=AT, actor=CLERK)
    for at in (
        datetime(2027, 3, 28, 2, 30, tzinfo=berlin),
        datetime(2027, 10, 31, 2, 30, fold=fold, tzinfo=berlin),
    ):
        order, events = apply(
            order,
            Submit()
            if order.status is OrderStatus.DRAFT
            else PlaceHold(hold_id=f"H{fold}", hold_reason=cast("HoldReason", "other")),
            at=at,
            actor=CLERK,
        )
        trail += events
    assert Order.model_validate_json(order.model_dump_json()) == order
    assert replay([parse_event(e.model_dump_json()) for e in trail]) == order


def _status(trail: Trail) -> OrderStatus:
    return trail.order.status


def _trail() -> list[Any]:
    trail = Trail().to_approved().ship_line("1", 2)
    return trail.events


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: [*t[:3], t[2], *t[3:]], "id is used twice"),
        (lambda t: [*t[:3], *t[4:]], "events are missing"),
        (lambda t: [*t[:3], t[4], t[3], *t[5:]], "version"),
        (
            lambda t: [*t[:3], t[3].model_copy(update={"order_id": "SO-X"}), *t[4:]],
            "belongs to order SO-X",
        ),
        (
            lambda t: [
                *t[:3],
                t[3].model_copy(update={"event_id": "x", "at": AT - timedelta(1)}),
                *t[4:],
            ],
            "before",
        ),
    ],
)
def test_replay_refuses_a_mangled_trail_naming_the_event(mangle: Any, message: str) -> None:
    with pytest.raises(TrailError, match=message):
        replay(mangle(_trail()))


def test_stored_event_summaries_cannot_be_changed() -> None:
    event = _trail()[1]
    with pytest.raises(TypeError):
        event.after["status"] = "closed"
    with pytest.raises(TypeError):
        event.before.update({"status": "closed"})


def test_a_save_that_moves_the_version_without_events_is_refused() -> None:
    repo = InMemoryOrderRepository()
    order, created = create(make_order(), at=AT, actor=CLERK)
    repo.add(order, created)
    submitted, _ = apply(order, Submit(), at=AT, actor=CLERK)
    with pytest.raises(TrailError, match="every version needs its events"):
        repo.save(submitted, expected_version=0)
    with pytest.raises(TrailError, match="expected 1"):
        repo.save(submitted, expected_version=0, events=created)
    assert repo.get(order.order_id) == order


def test_a_reapproved_fully_delivered_order_goes_on_to_fulfilled_and_can_close() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 9)
    trail.do(AmendOrder(quantities=(("2", Decimal(9)),), requested_delivery_at=AT))
    assert _status(trail) is OrderStatus.UNDER_REVIEW
    trail.approve()
    assert _status(trail) is OrderStatus.FULFILLED
    for line in trail.order.lines:
        trail.do(Invoice(line_id=line.line_id, quantity=line.ledger.delivered))
        trail.do(RecordPayment(line_id=line.line_id, quantity=line.ledger.delivered))
    trail.do(RecordFeedback(score=4))
    trail.do(Close())
    assert _status(trail) is OrderStatus.CLOSED


@pytest.mark.parametrize(
    "ending", [Reject(reason="no"), Expire(), Cancel(requested_by=Party.CUSTOMER)]
)
def test_a_shipped_order_back_in_review_cannot_end_in_a_final_state(ending: Any) -> None:
    trail = Trail().to_approved().ship_line("1", 2)
    trail.do(AmendOrder(quantities=(("1", Decimal(11)),)))
    assert _status(trail) is OrderStatus.UNDER_REVIEW
    with pytest.raises(GuardRejected, match="have shipped"):
        apply(trail.order, ending, at=AT + timedelta(days=60), actor=CLERK)


def test_an_order_holding_payments_cannot_be_cancelled() -> None:
    trail = Trail().to_approved()
    trail.do(Invoice(line_id="1", quantity=Decimal(2)))
    trail.do(RecordPayment(line_id="1", quantity=Decimal(2)))
    with pytest.raises(GuardRejected, match="hold payments"):
        trail.do(Cancel(requested_by=Party.CUSTOMER))


def test_orders_returned_by_apply_keep_their_changes_in_exclude_unset_dumps() -> None:
    trail = Trail().to_review()
    trail.do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT))
    dumped = trail.order.model_dump(exclude_unset=True)
    assert dumped["status"] == "under_review"
    assert dumped["version"] == trail.order.version
    assert dumped["holds"][0]["hold_id"] == "H-1"


# ---------------------------------------------------------------- one-line bugs


def _settled() -> Trail:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 9)
    trail.do(AmendOrder(quantities=(("2", Decimal(9)),)))
    for line in trail.order.lines:
        trail.do(Invoice(line_id=line.line_id, quantity=line.ledger.delivered))
        trail.do(RecordPayment(line_id=line.line_id, quantity=line.ledger.delivered))
    trail.do(RecordFeedback(score=5))
    return trail


def test_the_closing_gate_refuses_an_active_hold() -> None:
    trail = _settled()
    trail.do(PlaceHold(hold_id="H-9", hold_reason=HoldReason.OTHER))
    with pytest.raises(GuardRejected, match="hold H-9 is active"):
        trail.do(Close())


def test_the_closing_gate_refuses_an_unpaid_invoice() -> None:
    trail = Trail().to_approved().deliver_line("1", 10).deliver_line("2", 10)
    for line in trail.order.lines:
        trail.do(Invoice(line_id=line.line_id, quantity=line.ledger.delivered))
    trail.do(RecordPayment(line_id="1", quantity=Decimal(10)))
    trail.do(RecordFeedback(score=5))
    with pytest.raises(GuardRejected, match="line 2 paid 0 of 10"):
        trail.do(Close())


def test_a_line_hold_blocks_an_order_wide_action() -> None:
    trail = Trail().to_review()
    trail.do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT, line_ids=("2",)))
    with pytest.raises(GuardRejected, match="hold H-1"):
        trail.approve()


def test_an_amendment_that_keeps_the_total_does_not_reopen_review() -> None:
    trail = Trail().to_approved()
    quantity = trail.order.lines[0].quantity
    trail.do(AmendOrder(quantities=(("1", quantity),)))
    assert _status(trail) is OrderStatus.APPROVED
    trail.do(AmendOrder(quantities=(("1", quantity + 1),)))
    assert _status(trail) is OrderStatus.UNDER_REVIEW


def test_the_ship_event_reads_before_and_after_from_the_shipped_field() -> None:
    trail = Trail().to_approved().ship_line("1", 3)
    (shipped,) = [e for e in trail.events if e.type == "quantity_shipped"]
    assert shipped.before == {"lines.1.shipped": "0"}
    assert shipped.after == {"lines.1.shipped": "3"}


_ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.lists(st.integers(), max_size=2),
    st.just(Submit()),
    st.just(make_order()),
)


@settings(max_examples=300, deadline=None)
@given(
    order=st.one_of(st.just(make_order()), _ANYTHING),
    command=st.one_of(st.just(Submit()), _ANYTHING),
    at=st.one_of(st.just(AT), _ANYTHING),
    actor=st.one_of(st.just(CLERK), _ANYTHING),
)
def test_apply_raises_only_typed_errors_for_any_arguments(
    order: Any, command: Any, at: Any, actor: Any
) -> None:
    with contextlib.suppress(OrderCoreError):  # anything else fails the test
        apply(order, command, at=at, actor=actor)


@settings(max_examples=200, deadline=None)
@given(trail=st.one_of(_ANYTHING, st.lists(st.one_of(_ANYTHING, st.sampled_from(_trail())))))
def test_replay_raises_only_typed_errors_for_any_trail(trail: Any) -> None:
    with contextlib.suppress(OrderCoreError):  # anything else fails the test
        replay(trail)


@pytest.mark.parametrize("trigger", ["ship", "approve", "close"])
def test_a_host_trigger_named_like_a_canonical_command_is_refused(trigger: str) -> None:
    trail = Trail().to_approved()
    with pytest.raises(InvalidArgument, match="canonical command"):
        trail.do(HostTrigger(trigger=trigger))


def test_a_host_guard_refusing_with_a_non_text_value_still_gives_a_typed_refusal() -> None:
    def odd(_order: Order, _command: Any, _context: Any) -> Any:
        return 42  # a host guard that breaks the Guard contract

    spec = extend(guards={"submit": [odd]}, name="odd")
    with pytest.raises(GuardRejected, match="42"):
        apply(make_order(), Submit(), at=AT, actor=CLERK, spec=spec)


@pytest.mark.parametrize("bad", ["", "credit\x00check", " padded", "x" * 65])
def test_host_sub_state_and_trigger_names_must_be_ids(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="must be an id"):
        extend(sub_states={bad: OrderStatus.UNDER_REVIEW}, name="bad")
    with pytest.raises(ConfigurationError, match="must be an id"):
        extend(triggers=[(bad, "under_review", "under_review")], name="bad")


def test_a_movement_past_the_largest_quantity_is_refused_even_within_tolerance() -> None:
    line = (
        make_order()
        .lines[0]
        .model_copy(
            update={"quantity": Decimal(1_000_000_000), "over_delivery_tolerance": Decimal("0.5")}
        )
    )
    trail = Trail(make_order().model_copy(update={"lines": (line,)})).to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(1_000_000_000)))
    with pytest.raises(LedgerViolation, match="the largest quantity"):
        trail.do(Allocate(line_id="1", quantity=Decimal(400_000_000)))
    assert Order.model_validate_json(trail.order.model_dump_json()) == trail.order


def test_every_command_a_walk_builds_reads_back_its_own_json() -> None:
    from ordercore.lifecycle import allowed_commands, create  # noqa: PLC0415 - local to the check
    from ordercore.testing.walks import Step, command_for, drive  # noqa: PLC0415

    order, _ = create(make_order(), at=AT, actor=CLERK)
    seen: set[str] = set()
    for steps in range(0, 40, 2):
        walked, _ = drive(order, [Step(progress=True, amount=steps)] * steps, at=AT, actor=CLERK)
        for name in allowed_commands(walked):
            for amount in range(4):
                command = command_for(walked, name, Step(amount=amount, line=amount))
                if name == "approve":  # a verdict comes from a review, never from JSON
                    continue
                assert type(command).model_validate_json(command.model_dump_json()) == command
                seen.add(type(command).__name__)
    assert {"Allocate", "AmendOrder", "Dispatch", "Backorder", "SplitOff", "Repromise"} <= seen
