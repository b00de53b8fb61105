"""`apply(order, command, *, at, actor) -> (new_order, events)`: the lifecycle as a pure function.

The input order is never changed. `apply` looks the command up in the spec's table for the
order's state (raising `InvalidTransition` naming the command, the status and what is allowed),
runs the command's guards (raising `GuardRejected` with the first refusal), decides the events,
and folds them into the new order with `evolve`, the same function `replay` uses. Then it fires
the derived triggers the ledger calls for (APPROVED -> IN_FULFILMENT on the first fulfilment
movement, IN_FULFILMENT -> FULFILLED once everything open is delivered). Every accepted command
bumps the version once, except `RecordRiskAssessment`, which only adds to the trail.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle.commands import Ship, Submit
    >>> at = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    >>> order = Order(order_id="SO-7", customer=CustomerRef(customer_id="C", name="C"),
    ...     channel=Channel.WEB, currency="EUR", received_at=at,
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(1), uom="pcs",
    ...                      unit_price=Money.of("5.00", "EUR"))])
    >>> clerk = Actor.user("ana")
    >>> order, events = apply(order, Submit(), at=at, actor=clerk)
    >>> order.status, [e.type for e in events], allowed_commands(order)[:2]
    (<OrderStatus.SUBMITTED: 'submitted'>, ['order_submitted'], ('start_review', 'expire'))
    >>> apply(order, Ship(line_id="1", quantity=Decimal(1)), at=at, actor=clerk)
    Traceback (most recent call last):
    ...
    ordercore.errors.InvalidTransition: cannot ship order SO-7 in status submitted; allowed: start_review, expire, cancel, amend, place_hold, release_hold, record_risk_assessment
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from ordercore.aftersales import AfterSalesCase
from ordercore.errors import GuardRejected, InvalidTransition
from ordercore.events import (
    Actor,
    CaseAdvanced,
    CaseOpened,
    FeedbackRecorded,
    FeedbackWaived,
    FulfilmentStarted,
    HoldPlaced,
    HoldReleased,
    LineQuantity,
    LineShortClosed,
    MaterialProcured,
    OrderAmended,
    OrderApproved,
    OrderArchived,
    OrderCancelled,
    OrderClosed,
    OrderCreated,
    OrderEvent,
    OrderExpired,
    OrderFulfilled,
    OrderRejected,
    OrderSubmitted,
    PaymentRecorded,
    ProductionPlanned,
    QuantityAllocated,
    QuantityDelivered,
    QuantityInvoiced,
    QuantityPacked,
    QuantityProduced,
    QuantityShipped,
    ReviewReopened,
    ReviewStarted,
    RiskAssessed,
    SubStatusChanged,
)
from ordercore.holds import DEFAULT_BLOCKS, Hold
from ordercore.lifecycle._fast import construct
from ordercore.lifecycle.aftersales import INITIAL_CASE_STATUS, CaseMachines
from ordercore.lifecycle.commands import (
    AdvanceCase,
    AmendOrder,
    Approve,
    CommandName,
    HostTrigger,
    OpenCase,
    PlaceHold,
    RecordFeedback,
    RecordRiskAssessment,
    ReleaseHold,
    _Movement,
)
from ordercore.lifecycle.guards import (
    GUARDS,
    GuardContext,
    LifecyclePolicy,
    all_delivered,
    amendment_needs_review,
    fulfilment_started,
)
from ordercore.lifecycle.machine import CANONICAL, DERIVED_TRIGGERS, LifecycleSpec
from ordercore.lifecycle.replay import evolve
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from datetime import datetime

    from ordercore.lifecycle.commands import Command
    from ordercore.orders import Order

__all__ = ["DEFAULT_POLICY", "EventIdFactory", "allowed_commands", "apply", "create"]

DEFAULT_POLICY: Final = LifecyclePolicy()
"""The policy `apply` uses when none is given (30-day expiry, any worsening re-reviews)."""

EventIdFactory = Callable[[str, int, str, int], str]
"""Makes an event id from (order id, order version, event type, index within the command)."""

_STATUS_EVENTS: Final[dict[str, type[OrderEvent]]] = {
    CommandName.SUBMIT: OrderSubmitted,
    CommandName.START_REVIEW: ReviewStarted,
    CommandName.REJECT: OrderRejected,
    CommandName.CANCEL: OrderCancelled,
    CommandName.EXPIRE: OrderExpired,
    CommandName.CLOSE: OrderClosed,
    CommandName.ARCHIVE: OrderArchived,
}
_MOVEMENT_EVENTS: Final[dict[str, type[OrderEvent]]] = {
    CommandName.ALLOCATE: QuantityAllocated,
    CommandName.PLAN_PRODUCTION: ProductionPlanned,
    CommandName.PROCURE: MaterialProcured,
    CommandName.PRODUCE: QuantityProduced,
    CommandName.PACK: QuantityPacked,
    CommandName.SHIP: QuantityShipped,
    CommandName.DELIVER: QuantityDelivered,
    CommandName.INVOICE: QuantityInvoiced,
    CommandName.RECORD_PAYMENT: PaymentRecorded,
    CommandName.SHORT_CLOSE: LineShortClosed,
}
_DERIVING: Final = frozenset({*_MOVEMENT_EVENTS, CommandName.APPROVE, CommandName.AMEND})
_CANONICAL_STATES: Final = frozenset(s.value for s in OrderStatus)
_TYPE: Final = {cls: cls.model_fields["type"].default for cls in OrderEvent.__subclasses__()}
_TYPE.update({cls: cls.model_fields["type"].default for cls in _MOVEMENT_EVENTS.values()})


def _default_id(order_id: str, version: int, event_type: str, index: int) -> str:
    return f"{order_id}:{version}:{index}:{event_type}"


class _Emitter:
    """Builds the events of one command: shared metadata, one version, numbered ids."""

    __slots__ = ("actor", "at", "command", "count", "ids", "order_id", "version")

    def __init__(  # noqa: PLR0917 - built once per command, positionally
        self, order: Order, command: Command, at: datetime, actor: Actor, version: int, ids: Any
    ) -> None:
        self.order_id = order.order_id
        self.version = version
        self.command = command
        self.at = at
        self.actor = actor
        self.ids = ids
        self.count = 0

    def __call__(
        self,
        cls: type[OrderEvent],
        before: dict[str, str],
        after: dict[str, str],
        payload: dict[str, Any] | None = None,
    ) -> OrderEvent:
        event_type = _TYPE[cls]
        values = {
            "event_id": self.ids(self.order_id, self.version, event_type, self.count),
            "order_id": self.order_id,
            "order_version": self.version,
            "type": event_type,
            "at": self.at,
            "actor": self.actor,
            "reason": self.command.reason,
            "correlation_id": self.command.correlation_id,
            "before": before,
            "after": after,
        }
        if payload:
            values.update(payload)
        self.count += 1
        return construct(cls, values)


_FIELD_OF: Final[dict[str, str]] = {
    CommandName.ALLOCATE: "allocated",
    CommandName.PLAN_PRODUCTION: "planned",
    CommandName.PROCURE: "procured",
    CommandName.PRODUCE: "produced",
    CommandName.PACK: "packed",
    CommandName.SHIP: "shipped",
    CommandName.DELIVER: "delivered",
    CommandName.INVOICE: "invoiced",
    CommandName.RECORD_PAYMENT: "paid",
    CommandName.SHORT_CLOSE: "cancelled",
}

_Decider = Callable[
    ["Order", "Command", str, "str | None", _Emitter, LifecyclePolicy], list[OrderEvent]
]


def _movement(
    order: Order, command: Command, _: str, __: str | None, emit: _Emitter, ___: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, _Movement)  # noqa: S101 - the table routes movements here
    name = command.name
    field = _FIELD_OF[name]
    line = order.line(command.line_id)
    value = line.ledger.__dict__[field]
    # The ledger invariants are checked when `apply` folds the event in, before it returns.
    key = f"lines.{line.line_id}.{field}"
    payload = {"line_id": command.line_id, "quantity": command.quantity}
    return [
        emit(
            _MOVEMENT_EVENTS[name], {key: str(value)}, {key: str(value + command.quantity)}, payload
        )
    ]


def _status(
    _: Order, command: Command, state: str, dest: str | None, emit: _Emitter, __: LifecyclePolicy
) -> list[OrderEvent]:
    cls = _STATUS_EVENTS[command.name]
    if dest is None:  # archive: the only status command that keeps the status
        return [emit(cls, {"archived": "false"}, {"archived": "true"})]
    return [emit(cls, {"status": state}, {"status": dest})]


def _approve(
    _order: Order,
    command: Command,
    state: str,
    dest: str | None,
    emit: _Emitter,
    _: LifecyclePolicy,
) -> list[OrderEvent]:
    assert isinstance(command, Approve)  # noqa: S101 - routed by name
    payload = {"review_version": command.verdict.order_version}
    return [emit(OrderApproved, {"status": state}, {"status": str(dest)}, payload)]


def _amend(
    order: Order,
    command: Command,
    state: str,
    _: str | None,
    emit: _Emitter,
    policy: LifecyclePolicy,
) -> list[OrderEvent]:
    assert isinstance(command, AmendOrder)  # noqa: S101 - routed by name
    quantities = tuple(
        LineQuantity.model_construct(line_id=line_id, quantity=quantity)
        for line_id, quantity in command.quantities
    )
    before = {
        f"lines.{q.line_id}.quantity": str(order.line(q.line_id).quantity) for q in quantities
    }
    after = {f"lines.{q.line_id}.quantity": str(q.quantity) for q in quantities}
    for line in command.new_lines:
        after[f"lines.{line.line_id}.quantity"] = str(line.quantity)
    if command.requested_delivery_at is not None:
        before["requested_delivery_at"] = str(order.requested_delivery_at)
        after["requested_delivery_at"] = command.requested_delivery_at.isoformat()
    before["total"] = str(order.total.amount)
    payload = {
        "quantities": quantities,
        "new_lines": tuple(command.new_lines),
        "requested_delivery_at": command.requested_delivery_at,
    }
    amended = emit(OrderAmended, before, after, payload)
    new_order = evolve(order, amended)
    after["total"] = str(new_order.total.amount)
    events = [amended]
    canonical = order.status
    if canonical in (OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT) and amendment_needs_review(
        order, new_order, policy
    ):
        dest = str(OrderStatus.UNDER_REVIEW)
        events.append(emit(ReviewReopened, {"status": state}, {"status": dest}))
    return events


def _place_hold(
    _order: Order, command: Command, _: str, __: str | None, emit: _Emitter, ___: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, PlaceHold)  # noqa: S101 - routed by name
    hold = Hold.model_construct(
        hold_id=command.hold_id,
        reason=command.hold_reason,
        line_ids=tuple(command.line_ids),
        blocks=tuple(command.blocks or DEFAULT_BLOCKS[command.hold_reason]),
        note=command.note,
        placed_at=emit.at,
        placed_by=str(emit.actor),
        released_at=None,
        released_by=None,
    )
    key = f"holds.{command.hold_id}"
    return [emit(HoldPlaced, {key: "none"}, {key: "active"}, {"hold": hold})]


def _release_hold(
    _: Order, command: Command, __: str, ___: str | None, emit: _Emitter, ____: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, ReleaseHold)  # noqa: S101 - routed by name
    key = f"holds.{command.hold_id}"
    return [emit(HoldReleased, {key: "active"}, {key: "released"}, {"hold_id": command.hold_id})]


def _risk(
    _: Order, command: Command, __: str, ___: str | None, emit: _Emitter, ____: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, RecordRiskAssessment)  # noqa: S101 - routed by name
    payload = {
        "score": command.score,
        "level": command.level,
        "recommendation": command.recommendation,
        "policy_version": command.policy_version,
        "reasons": tuple(command.reasons),
    }
    return [emit(RiskAssessed, {}, {"risk_level": command.level}, payload)]


def _open_case(
    _: Order, command: Command, __: str, ___: str | None, emit: _Emitter, ____: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, OpenCase)  # noqa: S101 - routed by name
    status = INITIAL_CASE_STATUS[command.kind]
    case = AfterSalesCase.model_construct(
        case_id=command.case_id,
        kind=command.kind,
        line_id=command.line_id,
        quantity=command.quantity,
        status=status,
        opened_at=emit.at,
        description=command.description,
        condition=None,
        root_cause=None,
        closed_at=None,
    )
    key = f"cases.{command.case_id}"
    return [emit(CaseOpened, {key: "none"}, {key: status.value}, {"case": case})]


def _advance_case(
    order: Order, command: Command, _: str, __: str | None, emit: _Emitter, ___: LifecyclePolicy
) -> list[OrderEvent]:
    assert isinstance(command, AdvanceCase)  # noqa: S101 - routed by name
    case = next((c for c in order.cases if c.case_id == command.case_id), None)
    if case is None:
        known = ", ".join(c.case_id for c in order.cases) or "none"
        raise GuardRejected(
            command.name,
            "case_exists",
            [f"no case {command.case_id!r}; cases: {known}"],
            order.order_id,
        )
    status = CaseMachines.next_status(case.kind, case.status, command.action)
    if status is None:
        raise InvalidTransition(
            str(command.action),
            case.status.value,
            CaseMachines.actions(case.kind, case.status),
            command.case_id,
            subject=f"{case.kind.value} case",
        )
    if command.action == "investigate" and command.root_cause is None:
        raise GuardRejected(
            command.name, "root_cause_given", ["investigating needs a root_cause"], order.order_id
        )
    key = f"cases.{case.case_id}"
    payload = {
        "case_id": case.case_id,
        "action": command.action,
        "status": status,
        "condition": command.condition,
        "root_cause": command.root_cause,
    }
    return [emit(CaseAdvanced, {key: case.status.value}, {key: status.value}, payload)]


def _feedback(
    _: Order, command: Command, __: str, ___: str | None, emit: _Emitter, ____: LifecyclePolicy
) -> list[OrderEvent]:
    if isinstance(command, RecordFeedback):
        payload = {"score": command.score, "comment": command.comment}
        return [emit(FeedbackRecorded, {"feedback": "none"}, {"feedback": "recorded"}, payload)]
    return [emit(FeedbackWaived, {"feedback": "none"}, {"feedback": "waived"})]


_DECIDERS: Final[dict[str, _Decider]] = {
    **dict.fromkeys(_MOVEMENT_EVENTS, _movement),
    **dict.fromkeys(_STATUS_EVENTS, _status),
    CommandName.APPROVE: _approve,
    CommandName.AMEND: _amend,
    CommandName.PLACE_HOLD: _place_hold,
    CommandName.RELEASE_HOLD: _release_hold,
    CommandName.RECORD_RISK_ASSESSMENT: _risk,
    CommandName.OPEN_CASE: _open_case,
    CommandName.ADVANCE_CASE: _advance_case,
    CommandName.RECORD_FEEDBACK: _feedback,
    CommandName.WAIVE_FEEDBACK: _feedback,
}


def _host_trigger(
    command: HostTrigger, state: str, dest: str | None, emit: _Emitter
) -> list[OrderEvent]:
    sub_status = None if dest in _CANONICAL_STATES else dest
    payload = {"trigger": command.trigger, "sub_status": sub_status}
    return [emit(SubStatusChanged, {"state": state}, {"state": str(dest)}, payload)]


def _derive(order: Order, emit: _Emitter) -> list[OrderEvent]:
    status = order.status
    if status is OrderStatus.APPROVED and fulfilment_started(order):
        return [emit(FulfilmentStarted, {"status": "approved"}, {"status": "in_fulfilment"})]
    if status is OrderStatus.IN_FULFILMENT and all_delivered(order):
        return [emit(OrderFulfilled, {"status": "in_fulfilment"}, {"status": "fulfilled"})]
    return []


def _refuse(order: Order, name: str, state: str, spec: LifecycleSpec) -> InvalidTransition:
    if order.archived:
        return InvalidTransition(name, f"{state} (archived)", (), order.order_id)
    return InvalidTransition(name, state, spec.commands(state), order.order_id)


def apply(
    order: Order,
    command: Command,
    *,
    at: datetime,
    actor: Actor,
    policy: LifecyclePolicy = DEFAULT_POLICY,
    spec: LifecycleSpec = CANONICAL,
    ids: EventIdFactory = _default_id,
) -> tuple[Order, list[OrderEvent]]:
    """Apply one command: return the new order and the events it emitted.

    Args:
        order: The order as it stands (not changed).
        command: What to do.
        at: When (timezone-aware); the library never reads a clock.
        actor: Who.
        policy: Expiry and re-review thresholds.
        spec: The lifecycle definition (canonical, or a host's `extend`ed one).
        ids: Makes event ids; the default is deterministic
            (``"{order_id}:{version}:{index}:{type}"``).

    Returns:
        The new order and the events, in the order they happened.

    Raises:
        InvalidTransition: The command is not allowed in the order's state (the message
            lists what is); also for a case action its case machine does not allow.
        GuardRejected: A guard refused it; the message says why.
        LedgerViolation: A movement would break a ledger invariant.
    """
    name = command.trigger if type(command) is HostTrigger else command.name
    state = order.sub_status or order.status.value
    row = spec.table.get(state)
    if order.archived or row is None or name not in row or name in DERIVED_TRIGGERS:
        raise _refuse(order, name, state, spec)
    dest = row[name]
    if at.tzinfo is None or type(actor) is not Actor:
        raise GuardRejected(
            name, "well_formed", ["at must be timezone-aware and actor an Actor"], order.order_id
        )
    guards = GUARDS.get(name, ())
    extra = spec.guards.get(name)
    if guards or extra:
        context = GuardContext(at, actor, policy)
        for guard in (*guards, *extra) if extra else guards:
            refusal = guard(order, command, context)
            if refusal is not None:
                raise GuardRejected(name, guard.__name__, [refusal], order.order_id)
    version = order.version + 1
    emit = _Emitter(order, command, at, actor, version, ids)
    decide = _DECIDERS.get(name)
    if decide is None:
        assert isinstance(command, HostTrigger)  # noqa: S101 - only host triggers lack a decider
        events = _host_trigger(command, state, dest, emit)
    else:
        events = decide(order, command, state, dest, emit, policy)
    new = order
    for event in events:
        new = evolve(new, event)
    if name in _DERIVING:
        derived = _derive(new, emit)
        for event in derived:
            new = evolve(new, event)
        events.extend(derived)
    return new, events


def allowed_commands(order: Order, spec: LifecycleSpec = CANONICAL) -> tuple[str, ...]:
    """The commands the table allows for the order now (guards not run); never raises.

    An archived order allows nothing.
    """
    if order.archived:
        return ()
    return spec.commands(order.sub_status or order.status.value)


def create(
    order: Order, *, at: datetime, actor: Actor, reason: str = "", correlation_id: str | None = None
) -> tuple[Order, list[OrderEvent]]:
    """Start an order's trail: return the order and its `OrderCreated` event.

    The event carries the whole order as entered (or imported, in any status), so that
    `replay` can rebuild everything that follows.
    """
    if at.tzinfo is None or type(actor) is not Actor:
        raise GuardRejected(
            "create",
            "well_formed",
            ["at must be timezone-aware and actor an Actor"],
            order.order_id,
        )
    values = {
        "event_id": _default_id(order.order_id, order.version, "order_created", 0),
        "order_id": order.order_id,
        "order_version": order.version,
        "type": "order_created",
        "at": at,
        "actor": actor,
        "reason": reason,
        "correlation_id": correlation_id,
        "before": {},
        "after": {"status": order.status.value},
        "snapshot": order,
    }
    return order, [construct(OrderCreated, values)]
