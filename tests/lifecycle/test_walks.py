"""Walks through the machine: every status and event type reached, every step checked."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from _lifecycle_support import AT, CLERK, trail_says
from _support import make_order
from ordercore import Order
from ordercore.errors import OrderCoreError
from ordercore.events import OrderEvent, Party, event_types, parse_event
from ordercore.ledger import check_ledger
from ordercore.lifecycle import (
    CANONICAL,
    Cancel,
    Command,
    CommandName,
    Expire,
    HostTrigger,
    Reject,
    allowed_commands,
    apply,
    create,
    replay,
)
from ordercore.lifecycle.extend import extend
from ordercore.lifecycle.guards import all_delivered
from ordercore.lifecycle.table import ROWS
from ordercore.milestones import Milestones
from ordercore.orders import order_totals
from ordercore.status import OrderStatus
from ordercore.testing.strategies import command_sequences, commands, steps
from ordercore.testing.walks import Step, command_for, drive, plan
from ordercore.totals import TOTAL_FIELDS

if TYPE_CHECKING:
    from ordercore.lifecycle import LifecycleSpec

HOST = extend(
    sub_states={"credit_check": OrderStatus.UNDER_REVIEW},
    triggers=[
        ("begin_credit_check", "under_review", "credit_check"),
        ("finish_credit_check", "credit_check", "under_review"),
    ],
    name="walk-host",
)


# which totals the walks moved, and whether lines changed while the totals were kept
TOTALLED: set[str] = set()


def _check_step(
    before: Order, after: Order, events: list[OrderEvent], trail: list[OrderEvent]
) -> None:
    assert after.version == before.version + 1
    assert events
    assert all(e.order_version == after.version for e in events)
    assert Order.model_validate_json(after.model_dump_json()) == after
    for event in events:
        assert parse_event(event.model_dump_json()) == event
    for line in after.lines:
        check_ledger(
            line.ledger,
            ordered=line.quantity,
            tolerance=line.over_delivery_tolerance,
            line_id=line.line_id,
        )
    if after.status in (OrderStatus.FULFILLED, OrderStatus.CLOSED):
        assert all_delivered(after)
    if after.status is OrderStatus.IN_FULFILMENT:
        assert not all_delivered(after)
    assert replay(trail) == after
    assert replay([parse_event(e.model_dump_json()) for e in trail]) == after
    # the order's milestones are what the KPI frames would read off its trail
    assert after.milestones == trail_says(after, trail)
    # and its totals what its lines add up to, summed afresh and validated
    assert after.totals == order_totals(after.lines, after.currency)
    assert before.totals is not None
    for name in TOTAL_FIELDS:
        if getattr(after.totals, name) != getattr(before.totals, name):
            TOTALLED.add(name)
    if after.lines != before.lines and after.totals is before.totals:
        TOTALLED.add("kept")  # lines changed, sums did not: the totals were not summed again


class LifecycleWalk(RuleBasedStateMachine):
    """Commands drawn against the order as it stands; every invariant after every step."""

    statuses: set[OrderStatus] = set()  # noqa: RUF012 - coverage gathered across runs
    types: set[str] = set()  # noqa: RUF012
    # how billing went on the orders that closed: "money" (invoices, payments) or "units"
    closed_billed_in: set[str] = set()  # noqa: RUF012
    # which milestones the orders came to carry (and who ended them)
    marked: set[str] = set()  # noqa: RUF012
    SPEC: LifecycleSpec = CANONICAL

    def __init__(self) -> None:
        super().__init__()
        self.spec: LifecycleSpec = self.SPEC
        self.order, self.trail = create(make_order(), at=AT, actor=CLERK)
        self.now = AT
        LifecycleWalk.types.add("order_created")

    def _apply(self, command: Command | None) -> None:
        if command is None:
            return
        before = self.order
        dump = before.model_dump_json()
        try:
            after, events = apply(before, command, at=self.now, actor=CLERK, spec=self.spec)
        except OrderCoreError:
            assert before.model_dump_json() == dump  # a refusal changes nothing
            return
        assert before.model_dump_json() == dump  # the input is never changed
        self.trail.extend(events)
        _check_step(before, after, events, self.trail)
        self.order = after
        LifecycleWalk.types.update(e.type for e in events)
        if after.milestones is not None:
            marks = after.milestones.model_dump(exclude_defaults=True)
            LifecycleWalk.marked.update(marks)
            LifecycleWalk.marked.add(f"ended_by={marks.get('ended_by')}")
        if after.status is OrderStatus.CLOSED:
            LifecycleWalk.closed_billed_in.add("money" if after.billed_in_money else "units")

    @rule(step=steps())
    def step(self, step: Step) -> None:
        self.now += timedelta(hours=step.hours)
        self._apply(plan(self.order, step, self.spec))

    @rule()
    def forward(self) -> None:
        self._apply(plan(self.order, Step(progress=True), self.spec))

    @rule(which=st.sampled_from([Expire, Cancel, Reject]))
    def end_early(self, which: type[Command]) -> None:
        if which is Expire:
            self.now += timedelta(days=31)
        if which is Cancel:
            self._apply(Cancel(requested_by=Party.SELLER, reason="walk ends early"))
        else:
            self._apply(which(reason="walk ends early"))

    @rule(step=steps())
    def release_and_allocate_again(self, step: Step) -> None:
        # A supplier failure: allocate, release with a reason, allocate again.
        for name in (CommandName.ALLOCATE, CommandName.RELEASE_ALLOCATION, CommandName.ALLOCATE):
            if name in allowed_commands(self.order, self.spec):
                self._apply(command_for(self.order, name, step))

    @rule(step=steps())
    def produce_and_ship(self, step: Step) -> None:
        # The make-to-order path: produce, dispatch a shipment, the carrier collects it.
        for name in (
            CommandName.PRODUCE,
            CommandName.DISPATCH,
            CommandName.RECORD_TRANSIT,
            CommandName.CONFIRM_DELIVERY,
        ):
            if name in allowed_commands(self.order, self.spec):
                self._apply(command_for(self.order, name, step))

    @rule(step=steps())
    def pay_in_advance_and_refund(self, step: Step) -> None:
        # A payment on account, then part or all of it paid back (a cancelled deal, say).
        for name in (CommandName.RECEIVE_PAYMENT, CommandName.ISSUE_REFUND):
            if name in allowed_commands(self.order, self.spec):
                self._apply(command_for(self.order, name, step))

    @rule()
    def forward_again(self) -> None:
        self.forward()

    @rule(data=st.data(), step=steps())
    def named(self, data: st.DataObject, step: Step) -> None:
        allowed = allowed_commands(self.order, self.spec)
        if allowed:
            name = data.draw(st.sampled_from(allowed))
            self._apply(command_for(self.order, name, step))

    @rule(command=commands())
    def raw(self, command: Command | Literal["approve"]) -> None:
        if isinstance(command, Command):
            self._apply(command)

    @invariant()
    def seen(self) -> None:
        LifecycleWalk.statuses.add(self.order.status)


class HostLifecycleWalk(LifecycleWalk):
    """The same walk on a host's extended lifecycle (a sub-state inside review)."""

    SPEC = HOST

    @rule()
    def host_trigger(self) -> None:
        host = [name for name in allowed_commands(self.order, self.spec) if name not in ROWS]
        if host:
            self._apply(HostTrigger(trigger=host[0]))


WALKS = settings(
    max_examples=200,
    stateful_step_count=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_stateful_walks_reach_every_status_and_event_type_and_keep_every_invariant() -> None:
    LifecycleWalk.statuses.clear()
    LifecycleWalk.types.clear()
    LifecycleWalk.closed_billed_in.clear()
    LifecycleWalk.marked.clear()
    TOTALLED.clear()
    run_state_machine_as_test(LifecycleWalk, settings=WALKS)
    run_state_machine_as_test(HostLifecycleWalk, settings=WALKS)
    assert LifecycleWalk.marked == {
        *Milestones.model_fields,
        "ended_by=customer",
        "ended_by=seller",
        "ended_by=None",
    }
    assert {*TOTAL_FIELDS, "kept"} == TOTALLED
    assert LifecycleWalk.statuses == set(OrderStatus)
    assert LifecycleWalk.types == set(event_types())
    assert LifecycleWalk.closed_billed_in == {"money", "units"}


def test_public_command_sequences_and_drive_reach_fulfilment_and_closing() -> None:
    statuses: set[OrderStatus] = {OrderStatus.DRAFT}
    types: set[str] = set()

    @settings(max_examples=400, deadline=None, derandomize=True, database=None)
    @given(command_sequences(min_size=60, max_size=120), st.booleans())
    def walk(sequence: list[Command | Step | Literal["approve"]], host: bool) -> None:
        order, trail = create(make_order(), at=AT, actor=CLERK)
        spec = HOST if host else CANONICAL
        order, events = drive(order, sequence, at=AT, actor=CLERK, spec=spec)
        trail.extend(events)
        statuses.add(order.status)
        statuses.update(OrderStatus(e.after["status"]) for e in events if "status" in e.after)
        types.update(e.type for e in trail)
        assert Order.model_validate_json(order.model_dump_json()) == order
        assert replay(trail) == order
        assert replay([parse_event(e.model_dump_json()) for e in trail]) == order

    walk()
    assert statuses == set(OrderStatus)
    # Host triggers are drawn only among many commands (the stateful walk covers them), so
    # this run need not reach ``sub_status_changed``.
    assert types | {"sub_status_changed"} == set(event_types())


@pytest.mark.slow
def test_ten_thousand_public_walks_keep_every_order_valid_and_replayable() -> None:
    statuses: set[OrderStatus] = {OrderStatus.DRAFT}

    @settings(max_examples=10_000, deadline=None, database=None)
    @given(command_sequences(min_size=20, max_size=100), st.booleans())
    def walk(sequence: list[Command | Step | Literal["approve"]], host: bool) -> None:
        order, trail = create(make_order(), at=AT, actor=CLERK)
        order, events = drive(order, sequence, at=AT, actor=CLERK, spec=HOST if host else CANONICAL)
        trail.extend(events)
        statuses.add(order.status)
        assert Order.model_validate_json(order.model_dump_json()) == order
        assert replay([parse_event(e.model_dump_json()) for e in trail]) == order

    walk()
    assert statuses == set(OrderStatus)
