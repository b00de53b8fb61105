"""Folding events into orders: `evolve` applies one event, `replay` folds a whole trail.

`apply` itself uses `evolve` to produce the new order from the events it has decided on, so
replaying a trail rebuilds exactly the order `apply` returned. Replay trusts its events (they
were checked when they were decided) except for the ledger, whose invariants every movement
re-checks.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle import Submit, apply, create
    >>> at = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    >>> order = Order(order_id="SO-9", customer=CustomerRef(customer_id="C", name="C"),
    ...     channel=Channel.WEB, currency="EUR", received_at=at,
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(1), uom="pcs",
    ...                      unit_price=Money.of("5.00", "EUR"))])
    >>> clerk = Actor.user("ana")
    >>> order, trail = create(order, at=at, actor=clerk)
    >>> order, events = apply(order, Submit(), at=at, actor=clerk)
    >>> replay([*trail, *events]) == order
    True
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ordercore.aftersales import (
    FINAL_CASE_STATUSES,
    CaseAction,
    CaseKind,
    Feedback,
)
from ordercore.errors import ConfigurationError
from ordercore.events import (
    CaseAdvanced,
    CaseOpened,
    FeedbackRecorded,
    FeedbackWaived,
    FulfilmentStarted,
    HoldPlaced,
    HoldReleased,
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
    _LineMovement,
)
from ordercore.ledger import LedgerField, LineLedger, check_movement
from ordercore.lifecycle._fast import construct, replace
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ordercore.orders import Order, OrderLine

__all__ = ["STATUS_AFTER", "evolve", "replay"]

_ZERO: Final = Decimal(0)

STATUS_AFTER: Final[dict[type[OrderEvent], OrderStatus]] = {
    OrderSubmitted: OrderStatus.SUBMITTED,
    ReviewStarted: OrderStatus.UNDER_REVIEW,
    OrderApproved: OrderStatus.APPROVED,
    OrderRejected: OrderStatus.REJECTED,
    OrderCancelled: OrderStatus.CANCELLED,
    OrderExpired: OrderStatus.EXPIRED,
    OrderClosed: OrderStatus.CLOSED,
    FulfilmentStarted: OrderStatus.IN_FULFILMENT,
    OrderFulfilled: OrderStatus.FULFILLED,
    ReviewReopened: OrderStatus.UNDER_REVIEW,
}
"""The status each status-changing event class leads to."""

_MOVED: Final[dict[type[OrderEvent], LedgerField]] = {
    QuantityAllocated: LedgerField.ALLOCATED,
    ProductionPlanned: LedgerField.PLANNED,
    MaterialProcured: LedgerField.PROCURED,
    QuantityProduced: LedgerField.PRODUCED,
    QuantityPacked: LedgerField.PACKED,
    QuantityShipped: LedgerField.SHIPPED,
    QuantityDelivered: LedgerField.DELIVERED,
    QuantityInvoiced: LedgerField.INVOICED,
    PaymentRecorded: LedgerField.PAID,
    LineShortClosed: LedgerField.CANCELLED,
}


def _move(line: OrderLine, field: LedgerField, delta: Decimal) -> OrderLine:
    # LineLedger.moved, without pydantic's model_construct overhead on the hot path.
    values = line.ledger.__dict__.copy()
    values[field.value] += delta
    ledger = construct(LineLedger, values)
    check_movement(
        ledger,
        field.value,
        ordered=line.quantity,
        tolerance=line.over_delivery_tolerance,
        line_id=line.line_id,
    )
    return replace(line, {"ledger": ledger})


def _with_line(order: Order, line_id: str, change: Callable[[OrderLine], OrderLine]) -> Any:
    lines = list(order.lines)
    for index, line in enumerate(lines):
        if line.line_id == line_id:
            lines[index] = change(line)
            return tuple(lines)
    raise ConfigurationError(f"event names unknown line {line_id!r}", component="replay")


def _status(order: Order, event: OrderEvent) -> Order:
    return replace(
        order,
        {
            "status": STATUS_AFTER[type(event)],
            "sub_status": None,
            "version": event.order_version,
        },
    )


def _movement(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, _LineMovement)  # noqa: S101 - dispatched by type
    field = _MOVED[type(event)]
    lines = _with_line(order, event.line_id, lambda line: _move(line, field, event.quantity))
    return replace(order, {"lines": lines, "version": event.order_version})


def _amended(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, OrderAmended)  # noqa: S101 - dispatched by type
    quantities = {change.line_id: change.quantity for change in event.quantities}
    lines = tuple(
        replace(line, {"quantity": quantities[line.line_id]})
        if line.line_id in quantities
        else line
        for line in order.lines
    )
    changes: dict[str, Any] = {
        "lines": lines + event.new_lines,
        "version": event.order_version,
        "content_version": event.order_version,
    }
    if event.requested_delivery_at is not None:
        changes["requested_delivery_at"] = event.requested_delivery_at
    return replace(order, changes)


def _hold_placed(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, HoldPlaced)  # noqa: S101 - dispatched by type
    return replace(order, {"holds": (*order.holds, event.hold), "version": event.order_version})


def _hold_released(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, HoldReleased)  # noqa: S101 - dispatched by type
    released = {"released_at": event.at, "released_by": str(event.actor)}
    holds = tuple(
        replace(hold, released) if hold.hold_id == event.hold_id else hold for hold in order.holds
    )
    return replace(order, {"holds": holds, "version": event.order_version})


def _case_opened(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, CaseOpened)  # noqa: S101 - dispatched by type
    case = event.case
    changes: dict[str, Any] = {"cases": (*order.cases, case), "version": event.order_version}
    if case.kind in (CaseKind.RETURN, CaseKind.EXCHANGE):
        changes["lines"] = _with_line(
            order,
            case.line_id,
            lambda line: _move(line, LedgerField.RETURN_REQUESTED, case.quantity),
        )
    return replace(order, changes)


def _refund(line: OrderLine, quantity: Decimal) -> OrderLine:
    invoiced = max(line.ledger.invoiced - quantity, _ZERO)
    paid = min(line.ledger.paid, invoiced)
    line = _move(line, LedgerField.PAID, paid - line.ledger.paid)
    return _move(line, LedgerField.INVOICED, invoiced - line.ledger.invoiced)


def _case_effect(kind: CaseKind, action: CaseAction, quantity: Decimal) -> Any:
    goods_back = kind in (CaseKind.RETURN, CaseKind.EXCHANGE)
    effects: dict[CaseAction, Any] = {
        CaseAction.RECEIVE: (lambda line: _move(line, LedgerField.RETURNED, quantity))
        if goods_back
        else None,
        CaseAction.DECLINE: (lambda line: _move(line, LedgerField.RETURN_REQUESTED, -quantity))
        if goods_back
        else None,
        CaseAction.REFUND: lambda line: _refund(line, quantity),
        CaseAction.REPLACE: lambda line: _move(line, LedgerField.EXCHANGED, quantity),
        CaseAction.REPAIR: lambda line: _move(line, LedgerField.REPAIRED, quantity),
    }
    return effects.get(action)


def _case_advanced(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, CaseAdvanced)  # noqa: S101 - dispatched by type
    cases = list(order.cases)
    for index, case in enumerate(cases):
        if case.case_id == event.case_id:
            update: dict[str, Any] = {"status": event.status}
            if event.condition is not None:
                update["condition"] = event.condition
            if event.root_cause is not None:
                update["root_cause"] = event.root_cause
            if event.status in FINAL_CASE_STATUSES:
                update["closed_at"] = event.at
            cases[index] = replace(case, update)
            break
    else:
        raise ConfigurationError(f"event names unknown case {event.case_id!r}", component="replay")
    changes: dict[str, Any] = {"cases": tuple(cases), "version": event.order_version}
    effect = _case_effect(case.kind, event.action, case.quantity)
    if effect is not None:
        changes["lines"] = _with_line(order, case.line_id, effect)
    return replace(order, changes)


def _feedback(order: Order, event: OrderEvent) -> Order:
    if isinstance(event, FeedbackRecorded):
        feedback = Feedback(recorded_at=event.at, score=event.score, comment=event.comment)
    else:
        feedback = Feedback(recorded_at=event.at, waived=True)
    return replace(order, {"feedback": feedback, "version": event.order_version})


def _archived(order: Order, event: OrderEvent) -> Order:
    return replace(order, {"archived": True, "version": event.order_version})


def _sub_status(order: Order, event: OrderEvent) -> Order:
    assert isinstance(event, SubStatusChanged)  # noqa: S101 - dispatched by type
    return replace(order, {"sub_status": event.sub_status, "version": event.order_version})


def _trail_only(order: Order, event: OrderEvent) -> Order:
    # Nothing on the order changes, but the trail grew: the version moves like any change,
    # so a repository's optimistic check also guards the append of this event.
    return replace(order, {"version": event.order_version})


_EVOLVE: Final[dict[type[OrderEvent], Callable[[Order, OrderEvent], Order]]] = {
    **dict.fromkeys(STATUS_AFTER, _status),
    **dict.fromkeys(_MOVED, _movement),
    OrderAmended: _amended,
    HoldPlaced: _hold_placed,
    HoldReleased: _hold_released,
    CaseOpened: _case_opened,
    CaseAdvanced: _case_advanced,
    FeedbackRecorded: _feedback,
    FeedbackWaived: _feedback,
    OrderArchived: _archived,
    SubStatusChanged: _sub_status,
    RiskAssessed: _trail_only,
}


def evolve(order: Order, event: OrderEvent) -> Order:
    """Return the order after one event (the order given is not changed).

    Raises:
        ConfigurationError: If the event does not belong to this order or cannot follow.
        LedgerViolation: If a movement breaks a ledger invariant (a corrupt trail).
    """
    if event.order_id != order.order_id:
        raise ConfigurationError(
            f"event {event.event_id} is for order {event.order_id}, not {order.order_id}",
            component="replay",
        )
    step = _EVOLVE.get(type(event))
    if step is None:
        raise ConfigurationError(
            f"event {event.event_id} ({event.type}) cannot be applied to an existing order",
            component="replay",
        )
    return step(order, event)


def replay(events: Iterable[OrderEvent]) -> Order:
    """Rebuild an order from its whole trail, starting with its `OrderCreated`.

    Raises:
        ConfigurationError: If the trail is empty, does not start with `OrderCreated`, or
            mixes orders.
    """
    iterator = iter(events)
    first = next(iterator, None)
    if not isinstance(first, OrderCreated):
        raise ConfigurationError(
            "a trail starts with OrderCreated; got "
            + ("nothing" if first is None else type(first).__name__),
            component="replay",
        )
    order = first.snapshot
    for event in iterator:
        order = evolve(order, event)
    return order
