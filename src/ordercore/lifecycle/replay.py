"""Folding events into orders: `evolve` applies one event, `replay` folds a whole trail.

`apply` itself uses `evolve` to produce the new order from the events it has decided on, so
replaying a trail rebuilds exactly the order `apply` returned.

The trail is checked as it is folded: an event must belong to the order, carry the next
version (the first event of a command) or the same version (a derived status change that
the same command caused), start from the status the order is in, and not go back in time;
`replay` also refuses an event id seen before. What an event records of the change, its
`before` and `after` texts (``{"lines.1.shipped": "10"}``), must say what the order it
follows and the order it makes say (`ordercore.lifecycle._summaries`), so an edited body
is refused too. A duplicated, missing, reordered, foreign or edited event raises
[`TrailError`][ordercore.errors.TrailError] naming it; every ledger movement re-checks the
ledger invariants (`LedgerViolation`).

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
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from ordercore._base import ARITHMETIC, MAX_QUANTITY
from ordercore.aftersales import (
    FINAL_CASE_STATUSES,
    CaseAction,
    CaseKind,
    Feedback,
)
from ordercore.billing import DocumentKind
from ordercore.checkpoints import Checkpoint
from ordercore.errors import InvalidArgument, LedgerViolation, TrailError
from ordercore.events import (
    CaseAdvanced,
    CaseOpened,
    CheckpointRecorded,
    CreditNoteIssued,
    DeliveryRepromised,
    FeedbackRecorded,
    FeedbackWaived,
    HeaderAmended,
    HoldPlaced,
    HoldReleased,
    InvoiceIssued,
    LineBackordered,
    LineQuantity,
    LineShortClosed,
    LinesMerged,
    OrderAmended,
    OrderApproved,
    OrderArchived,
    OrderCreated,
    OrderEvent,
    OrderMerged,
    OrderSplit,
    PaymentReceived,
    RefundIssued,
    RiskAssessed,
    ShipmentCollected,
    ShipmentDelivered,
    ShipmentDispatched,
    SubStatusChanged,
    _LineMovement,
)
from ordercore.ledger import LedgerField, LineLedger, check_movement
from ordercore.lifecycle._fast import construct, replace
from ordercore.lifecycle._marks import advance
from ordercore.lifecycle._summaries import matches, summary_of
from ordercore.lifecycle.aftersales import CaseMachines
from ordercore.lifecycle.guards import review_version_refusal
from ordercore.lifecycle.header import header_changes
from ordercore.lifecycle.table import TABLE
from ordercore.links import OrderLink, OrderRelation
from ordercore.orders import Order, OrderLine, currency_quantum, line_sums, same_sums
from ordercore.shipments import LineBackorder, Shipment, ShipmentStatus
from ordercore.status import OrderStatus
from ordercore.totals import OrderTotals

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ordercore.orders import OrderLine

__all__ = ["STATUS_AFTER", "evolve", "fold", "replay"]

_ZERO: Final = Decimal(0)

STATUS_AFTER: Final[dict[type[OrderEvent], OrderStatus]] = {
    row.event: row.dest for row in TABLE if row.dest is not None
}
"""The status each status-changing event class leads to (read from the lifecycle table)."""

_MOVED: Final[dict[type[OrderEvent], LedgerField]] = {
    row.event: row.moves for row in TABLE if row.moves is not None
}
_LOWERED: Final = frozenset(row.event for row in TABLE if row.lowers)
_SAME_VERSION: Final = frozenset(row.event for row in TABLE if row.derived)
_Changes = dict[str, Any]
_add = ARITHMETIC.add
_STATE: Final = {s: s.value for s in OrderStatus}


def _move(line: OrderLine, field: LedgerField, delta: Decimal) -> OrderLine:
    # LineLedger.moved, without pydantic's model_construct overhead on the hot path: the
    # delta was validated (command or event), the sum is exact, and every invariant a
    # change of this field can break is checked, the Quantity bound included.
    values = line.ledger.__dict__.copy()
    name: str = field  # a StrEnum member is its own value: no enum property lookup
    value = values[name] = _add(values[name], delta)
    if value > MAX_QUANTITY:
        raise LedgerViolation(line.line_id, name, value, MAX_QUANTITY, "the largest quantity")
    ledger = construct(LineLedger, values)
    check_movement(
        ledger,
        name,
        ordered=line.quantity,
        tolerance=line.over_delivery_tolerance,
        line_id=line.line_id,
    )
    return replace(line, {"ledger": ledger})


def _with_line(
    order: Order, event: OrderEvent, line_id: str, change: Callable[[OrderLine], OrderLine]
) -> tuple[OrderLine, ...]:
    lines = list(order.lines)
    for index, line in enumerate(lines):
        if line.line_id == line_id:
            lines[index] = change(line)
            return tuple(lines)
    raise TrailError(event.event_id, order.order_id, f"it names unknown line {line_id!r}")


def _status(_: Order, event: OrderEvent) -> _Changes:
    return {"status": STATUS_AFTER[type(event)], "sub_status": None}


def _movement(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, _LineMovement)  # noqa: S101 - dispatched by type
    line_id = event.line_id
    lines = list(order.lines)
    for index, line in enumerate(lines):
        if line.line_id == line_id:
            kind = type(event)
            delta = -event.quantity if kind in _LOWERED else event.quantity
            lines[index] = _move(line, _MOVED[kind], delta)
            return {"lines": tuple(lines)}
    raise TrailError(event.event_id, order.order_id, f"it names unknown line {line_id!r}")


def _amended(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, OrderAmended)  # noqa: S101 - dispatched by type
    changes_by_line = {change.line_id: change for change in event.quantities}
    lines = tuple(
        _amended_line(line, changes_by_line[line.line_id])
        if line.line_id in changes_by_line
        else line
        for line in order.lines
    )
    changes: _Changes = {
        "lines": lines + event.new_lines,
        "content_version": event.order_version,
    }
    if event.requested_delivery_at is not None:
        changes["requested_delivery_at"] = event.requested_delivery_at
    return changes


def _amended_line(line: OrderLine, change: LineQuantity) -> OrderLine:
    if change.released:  # allocation released with the change, before it
        line = _move(line, LedgerField.ALLOCATED, -change.released)
    return replace(line, {"quantity": change.quantity})


def _short_closed(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, LineShortClosed)  # noqa: S101 - dispatched by type

    def cut(line: OrderLine) -> OrderLine:
        if event.released:  # allocation released with the cut, before it
            line = _move(line, LedgerField.ALLOCATED, -event.released)
        return _move(line, LedgerField.CANCELLED, event.quantity)

    return {"lines": _with_line(order, event, event.line_id, cut)}


def _header_amended(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, HeaderAmended)  # noqa: S101 - dispatched by type
    changes = header_changes(order, event)
    known = {line.line_id for line in order.lines}
    named = {line_id for line_id, _ in (*event.unit_prices, *event.discount_rates)}
    if not named <= known:
        unknown = ", ".join(sorted(named - known))
        raise TrailError(event.event_id, order.order_id, f"it prices unknown lines {unknown}")
    if event.content_changed:
        changes["content_version"] = event.order_version
    return changes


def _repromised(_: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, DeliveryRepromised)  # noqa: S101 - dispatched by type
    return {"promised_delivery_at": event.promised_delivery_at}


def _hold_placed(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, HoldPlaced)  # noqa: S101 - dispatched by type
    if any(hold.hold_id == event.hold.hold_id for hold in order.holds):
        raise TrailError(event.event_id, order.order_id, f"hold {event.hold.hold_id} exists")
    return {"holds": (*order.holds, event.hold)}


def _hold_released(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, HoldReleased)  # noqa: S101 - dispatched by type
    if not any(hold.hold_id == event.hold_id and hold.active for hold in order.holds):
        raise TrailError(event.event_id, order.order_id, f"no active hold {event.hold_id}")
    released = {
        "released_at": event.at,
        "released_by": str(event.actor),
        "release_reason": event.reason,
    }
    holds = tuple(
        replace(hold, released) if hold.hold_id == event.hold_id else hold for hold in order.holds
    )
    return {"holds": holds}


def _case_opened(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, CaseOpened)  # noqa: S101 - dispatched by type
    case = event.case
    if any(known.case_id == case.case_id for known in order.cases):
        raise TrailError(event.event_id, order.order_id, f"case {case.case_id} exists")
    changes: _Changes = {"cases": (*order.cases, case)}
    if case.kind in (CaseKind.RETURN, CaseKind.EXCHANGE):
        changes["lines"] = _with_line(
            order,
            event,
            case.line_id,
            lambda line: _move(line, LedgerField.RETURN_REQUESTED, case.quantity),
        )
    else:
        _with_line(order, event, case.line_id, lambda line: line)
    return changes


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


def _case_advanced(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, CaseAdvanced)  # noqa: S101 - dispatched by type
    cases = list(order.cases)
    for index, case in enumerate(cases):
        if case.case_id == event.case_id:
            update: _Changes = {"status": event.status}
            if event.condition is not None:
                update["condition"] = event.condition
            if event.root_cause is not None:
                update["root_cause"] = event.root_cause
            if event.disposition is not None:
                update["disposition"] = event.disposition
            if event.status in FINAL_CASE_STATUSES:
                update["closed_at"] = event.at
            cases[index] = replace(case, update)
            break
    else:
        raise TrailError(event.event_id, order.order_id, f"it names unknown case {event.case_id!r}")
    changes: _Changes = {"cases": tuple(cases)}
    effect = _case_effect(case.kind, event.action, case.quantity)
    if event.action == CaseAction.REFUND and order.billed_in_money:
        effect = None  # billed in money: the credit note moved `invoiced`, IssueRefund pays
    if effect is not None:
        changes["lines"] = _with_line(order, event, case.line_id, effect)
    return changes


def _feedback(order: Order, event: OrderEvent) -> _Changes:
    if order.feedback is not None:
        raise TrailError(event.event_id, order.order_id, "feedback is already recorded")
    if isinstance(event, FeedbackRecorded):
        feedback = Feedback(recorded_at=event.at, score=event.score, comment=event.comment)
    else:
        feedback = Feedback(recorded_at=event.at, waived=True)
    return {"feedback": feedback}


def _shipment_dispatched(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, ShipmentDispatched)  # noqa: S101 - dispatched by type
    shipment = event.shipment
    if any(known.shipment_id == shipment.shipment_id for known in order.shipments):
        raise TrailError(event.event_id, order.order_id, f"shipment {shipment.shipment_id} exists")
    if shipment.case_id is not None:
        return _replacement_dispatched(order, event, shipment)
    lines = {line.line_id: line for line in order.lines}
    for carried in shipment.lines:
        line = lines.get(carried.line_id)
        if line is None:
            raise TrailError(
                event.event_id, order.order_id, f"it ships unknown line {carried.line_id!r}"
            )
        lines[carried.line_id] = _move(line, LedgerField.SHIPPED, carried.quantity)
    return {"lines": tuple(lines.values()), "shipments": (*order.shipments, shipment)}


def _replacement_dispatched(order: Order, event: OrderEvent, shipment: Shipment) -> _Changes:
    """A replacement: the case takes its `replace` step, the line's `exchanged` moves."""
    cases = list(order.cases)
    index = next((i for i, c in enumerate(cases) if c.case_id == shipment.case_id), None)
    if index is None:
        raise TrailError(
            event.event_id, order.order_id, f"it replaces for unknown case {shipment.case_id!r}"
        )
    case = cases[index]
    status = CaseMachines.next_status(case.kind, case.status, CaseAction.REPLACE)
    if status is None or shipment.lines[0].line_id != case.line_id or len(shipment.lines) != 1:
        raise TrailError(
            event.event_id,
            order.order_id,
            f"case {case.case_id} ({case.kind.value}, {case.status.value}) cannot take this "
            "replacement",
        )
    update: _Changes = {"status": status}
    if status in FINAL_CASE_STATUSES:
        update["closed_at"] = event.at
    cases[index] = replace(case, update)
    quantity = shipment.lines[0].quantity
    return {
        "cases": tuple(cases),
        "shipments": (*order.shipments, shipment),
        "lines": _with_line(
            order, event, case.line_id, lambda line: _move(line, LedgerField.EXCHANGED, quantity)
        ),
    }


def _with_shipment(
    order: Order, event: OrderEvent, shipment_id: str
) -> tuple[int, Shipment, list[Shipment]]:
    shipments = list(order.shipments)
    for index, shipment in enumerate(shipments):
        if shipment.shipment_id == shipment_id:
            return index, shipment, shipments
    raise TrailError(event.event_id, order.order_id, f"it names unknown shipment {shipment_id!r}")


def _shipment_collected(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, ShipmentCollected)  # noqa: S101 - dispatched by type
    index, shipment, shipments = _with_shipment(order, event, event.shipment_id)
    if shipment.status is not ShipmentStatus.DISPATCHED:
        raise TrailError(
            event.event_id, order.order_id, f"shipment {shipment.shipment_id} is not dispatched"
        )
    update: _Changes = {"in_transit_at": event.at, "status": ShipmentStatus.IN_TRANSIT}
    if event.tracking_ref is not None:
        update["tracking_ref"] = event.tracking_ref
    shipments[index] = replace(shipment, update)
    return {"shipments": tuple(shipments)}


def _shipment_delivered(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, ShipmentDelivered)  # noqa: S101 - dispatched by type
    index, shipment, shipments = _with_shipment(order, event, event.shipment_id)
    received = dict(event.lines)
    if len(received) != len(event.lines):
        raise TrailError(event.event_id, order.order_id, "it names a line twice")
    carried = []
    for line in shipment.lines:
        quantity = received.pop(line.line_id, None)
        if quantity is not None:
            delivered = _add(line.delivered, quantity)
            if delivered > line.quantity:
                raise TrailError(
                    event.event_id,
                    order.order_id,
                    f"it confirms {delivered} of line {line.line_id} on shipment "
                    f"{shipment.shipment_id}, which carries {line.quantity}",
                )
            line = replace(line, {"delivered": delivered})  # noqa: PLW2901 - the updated entry
        carried.append(line)
    if received:
        raise TrailError(
            event.event_id,
            order.order_id,
            f"shipment {shipment.shipment_id} does not carry lines {', '.join(sorted(received))}",
        )
    updated = replace(shipment, {"lines": tuple(carried)})
    status = shipment.status_after(dict(event.lines))
    update: _Changes = {"status": status}
    if status is ShipmentStatus.DELIVERED:
        update["delivered_at"] = event.at
    if event.proof_of_delivery is not None:
        update["proof_of_delivery"] = event.proof_of_delivery
    shipments[index] = replace(updated, update)
    if shipment.replacement:  # the goods it replaced were counted when they first came
        return {"shipments": tuple(shipments)}
    lines = {line.line_id: line for line in order.lines}
    for line_id, quantity in event.lines:
        lines[line_id] = _move(lines[line_id], LedgerField.DELIVERED, quantity)
    return {"lines": tuple(lines.values()), "shipments": tuple(shipments)}


def _line_backordered(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, LineBackordered)  # noqa: S101 - dispatched by type
    backorder = LineBackorder(
        quantity=event.quantity, expected_at=event.expected_at, recorded_at=event.at
    )
    return {
        "lines": _with_line(
            order, event, event.line_id, lambda line: replace(line, {"backorder": backorder})
        )
    }


def _split(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, OrderSplit)  # noqa: S101 - dispatched by type
    if any(link.order_id == event.new_order_id for link in order.links):
        raise TrailError(
            event.event_id, order.order_id, f"it is already linked to {event.new_order_id}"
        )
    changes_by_line = {change.line_id: change for change in event.quantities}
    removed = set(event.removed)
    known = {line.line_id for line in order.lines}
    unknown = (removed | changes_by_line.keys()) - known
    if unknown:
        raise TrailError(
            event.event_id, order.order_id, f"it names unknown lines {', '.join(sorted(unknown))}"
        )
    lines = []
    for line in order.lines:
        if line.line_id in removed:
            if any(line.ledger.__dict__.values()):
                raise TrailError(
                    event.event_id,
                    order.order_id,
                    f"it removes line {line.line_id} with work on it",
                )
            continue
        change = changes_by_line.get(line.line_id)
        lines.append(line if change is None else _amended_line(line, change))
    if not lines:
        raise TrailError(event.event_id, order.order_id, "it leaves no line")
    link = OrderLink(relation=OrderRelation.SPLIT_INTO, order_id=event.new_order_id, at=event.at)
    return {
        "lines": tuple(lines),
        "links": (*order.links, link),
        "content_version": event.order_version,
    }


def _merged(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, OrderMerged)  # noqa: S101 - dispatched by type
    link = OrderLink(
        relation=OrderRelation.MERGED_INTO, order_id=event.target_order_id, at=event.at
    )
    return {**_status(order, event), "links": (*order.links, link)}


def _lines_merged(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, LinesMerged)  # noqa: S101 - dispatched by type
    if any(link.order_id == event.source_order_id for link in order.links):
        raise TrailError(
            event.event_id, order.order_id, f"it is already linked to {event.source_order_id}"
        )
    known = {line.line_id for line in order.lines}
    taken = [line.line_id for line in event.new_lines if line.line_id in known]
    if taken:
        raise TrailError(event.event_id, order.order_id, f"it adds lines it has ({taken[0]})")
    link = OrderLink(
        relation=OrderRelation.MERGED_FROM, order_id=event.source_order_id, at=event.at
    )
    return {
        "lines": order.lines + event.new_lines,
        "links": (*order.links, link),
        "content_version": event.order_version,
    }


def _archived(_: Order, __: OrderEvent) -> _Changes:
    return {"archived": True}


def _sub_status(_: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, SubStatusChanged)  # noqa: S101 - dispatched by type
    return {"sub_status": event.sub_status}


def _risk_assessed(_: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, RiskAssessed)  # noqa: S101 - dispatched by type
    return {"risk_level": event.level}


def _checkpoint_recorded(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, CheckpointRecorded)  # noqa: S101 - dispatched by type
    record = Checkpoint(
        checkpoint=event.checkpoint,
        passed=event.passed,
        at=event.at,
        by=str(event.actor),
        reason=event.reason,
    )
    return {"checkpoints": (*order.checkpoints, record)}


def _billed(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, (InvoiceIssued, CreditNoteIssued))  # noqa: S101 - by type
    document = event.document
    refuse = partial(TrailError, event.event_id, order.order_id)
    if any(d.document_id == document.document_id for d in order.billing):
        raise refuse(f"billing document {document.document_id} exists")
    if document.currency != order.currency:
        raise refuse(f"its document is in {document.currency}, the order in {order.currency}")
    kind = DocumentKind.INVOICE if type(event) is InvoiceIssued else DocumentKind.CREDIT_NOTE
    if document.kind is not kind:
        raise refuse(f"it carries a {document.kind.value}")
    if kind is DocumentKind.CREDIT_NOTE and not any(
        d.document_id == document.credits and d.kind is DocumentKind.INVOICE for d in order.billing
    ):
        raise refuse(f"its credit note credits {document.credits}, no invoice of the order")
    if any(line.ledger.paid for line in order.lines):
        raise refuse("the order is billed in units (paid units are recorded)")
    lines = {line.line_id: line for line in order.lines}
    for entry in document.lines:
        line = lines.get(entry.line_id)
        if line is None:
            raise refuse(f"it names unknown line {entry.line_id!r}")
        delta = entry.quantity if kind is DocumentKind.INVOICE else -entry.quantity
        lines[entry.line_id] = _move(line, LedgerField.INVOICED, delta)
    return {"lines": tuple(lines.values()), "billing": (*order.billing, document)}


def _payment_received(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, PaymentReceived)  # noqa: S101 - dispatched by type
    payment = event.payment
    refuse = partial(TrailError, event.event_id, order.order_id)
    if any(p.payment_id == payment.payment_id for p in order.payments):
        raise refuse(f"payment {payment.payment_id} exists")
    if payment.amount.currency != order.currency:
        raise refuse(f"its payment is in {payment.amount.currency}")
    return {"payments": (*order.payments, payment)}


def _refund_issued(order: Order, event: OrderEvent) -> _Changes:
    assert isinstance(event, RefundIssued)  # noqa: S101 - dispatched by type
    refund = event.refund
    refuse = partial(TrailError, event.event_id, order.order_id)
    if any(r.refund_id == refund.refund_id for r in order.refunds):
        raise refuse(f"refund {refund.refund_id} exists")
    if refund.amount.currency != order.currency:
        raise refuse(f"its refund is in {refund.amount.currency}")
    if refund.amount > order.billing_position.paid:
        raise refuse(f"it refunds {refund.amount}, more than was paid")
    return {"refunds": (*order.refunds, refund)}


def _trail_only(_: Order, __: OrderEvent) -> _Changes:
    # Nothing on the order changes, but the trail grew: the version moves like any change,
    # so a repository's optimistic check also guards the append of this event.
    return {}


_EVOLVE: Final[dict[type[OrderEvent], Callable[[Order, OrderEvent], _Changes]]] = {
    **dict.fromkeys(STATUS_AFTER, _status),
    **dict.fromkeys(_MOVED, _movement),
    OrderAmended: _amended,
    LineShortClosed: _short_closed,
    HeaderAmended: _header_amended,
    DeliveryRepromised: _repromised,
    ShipmentDispatched: _shipment_dispatched,
    ShipmentCollected: _shipment_collected,
    ShipmentDelivered: _shipment_delivered,
    LineBackordered: _line_backordered,
    OrderSplit: _split,
    OrderMerged: _merged,
    LinesMerged: _lines_merged,
    HoldPlaced: _hold_placed,
    HoldReleased: _hold_released,
    CaseOpened: _case_opened,
    CaseAdvanced: _case_advanced,
    FeedbackRecorded: _feedback,
    FeedbackWaived: _feedback,
    OrderArchived: _archived,
    SubStatusChanged: _sub_status,
    RiskAssessed: _risk_assessed,
    CheckpointRecorded: _checkpoint_recorded,
    InvoiceIssued: _billed,
    CreditNoteIssued: _billed,
    PaymentReceived: _payment_received,
    RefundIssued: _refund_issued,
}


def _check_follows(order: Order, event: OrderEvent) -> None:
    def refuse(problem: str) -> TrailError:
        return TrailError(event.event_id, order.order_id, problem)

    if not isinstance(event, OrderEvent):
        raise TrailError(repr(event)[:80], order.order_id, "it is not an OrderEvent")
    if event.order_id != order.order_id:
        raise refuse(f"it belongs to order {event.order_id}")
    version = event.order_version
    if version != order.version + 1 and not (
        version == order.version and type(event) in _SAME_VERSION
    ):
        if version <= order.version:
            raise refuse(
                f"it is at version {version} but the order is already at version "
                f"{order.version} (a duplicated or reordered event)"
            )
        raise refuse(
            f"it is at version {version} but the next is {order.version + 1} (events are missing)"
        )
    last = order.updated_at or order.received_at
    if event.at < last:
        raise refuse(f"it happened at {event.at.isoformat()}, before {last.isoformat()}")
    expected = event.before.get("status")
    state = order.sub_status or _STATE[order.status]
    if expected is not None and expected != state:
        raise refuse(f"it starts from status {expected} but the order is {state}")
    if order.archived:
        raise refuse("the order is archived")


def evolve(order: Order, event: OrderEvent) -> Order:
    """Return the order after one event (the order given is not changed).

    The event must follow the order: the same order id, the next version (or the same
    version, for a derived status change of the same command), the status it starts from,
    a time no earlier than the order's last change, and `before` and `after` texts that say
    what this order and the order it makes say.

    Raises:
        InvalidArgument: If `order` is not an `Order`.
        TrailError: If the event does not belong to this order or cannot follow it.
        LedgerViolation: If a movement breaks a ledger invariant (a corrupt trail).
    """
    if not isinstance(order, Order):
        raise InvalidArgument("evolve", "order", f"must be an Order, got {type(order).__name__}")
    _check_follows(order, event)
    if isinstance(event, OrderApproved):
        stale = review_version_refusal(order, event.review_version)
        if stale is not None:
            raise TrailError(event.event_id, order.order_id, f"it cannot approve: {stale}")
    _check_summary(order, event, "before", event.before)
    after = fold(order, event)
    _check_summary(after, event, "after", event.after)
    return after


def _check_summary(order: Order, event: OrderEvent, side: str, recorded: Mapping[str, str]) -> None:
    """The event's `before` (or `after`) must say what the order it follows (or makes) says."""
    for key, text in recorded.items():
        actual = summary_of(order, key)
        if actual is not None and not matches(text, actual):
            raise TrailError(
                event.event_id,
                order.order_id,
                f"its {side} records {key} as {text!r} but the order has {actual!r}",
            )


def fold(order: Order, event: OrderEvent) -> Order:
    """Apply one event without checking that it follows the order (see `evolve`).

    `apply` folds the events it has just decided for this very order and version with it;
    everything read from outside (a stored trail) goes through `evolve`, which checks first.
    The ledger invariants are checked either way.

    Raises:
        TrailError: If the event is of a kind that cannot follow an existing order.
        LedgerViolation: If a movement breaks a ledger invariant.
    """
    return replace(order, changes_of(order, event))


def changes_of(order: Order, event: OrderEvent) -> dict[str, Any]:
    """The field changes one event makes to the order (`fold` copies the order with them).

    Raises:
        TrailError: If the event is of a kind that cannot follow an existing order.
        LedgerViolation: If a movement breaks a ledger invariant.
    """
    step = _EVOLVE.get(type(event))
    if step is None:
        raise TrailError(
            event.event_id, order.order_id, f"a {event.type} event cannot follow an existing order"
        )
    changes = step(order, event)
    changes["version"] = event.order_version
    changes["updated_at"] = event.at
    milestones = order.milestones
    if milestones is not None:  # a trail known from its creation: kept up
        moved = advance(milestones, event)
        if moved is not None:
            changes["milestones"] = moved
    if order.totals is not None and "lines" in changes:  # the lines' sums, kept up
        lines = changes["lines"]
        if not same_sums(order.lines, lines):
            changes["totals"] = totals_of(lines, order.currency)
    return changes


def totals_of(lines: Sequence[OrderLine], currency: str) -> OrderTotals:
    """The totals of lines the lifecycle built (`line_sums`, without validating the sums again)."""
    ordered, cancelled, delivered, open_net, open_lines, unshipped, undelivered = line_sums(
        lines, currency_quantum(currency)
    )
    values = {
        "ordered": ordered,
        "cancelled": cancelled,
        "delivered": delivered,
        "open_net": open_net,
        "open_lines": open_lines,
        "unshipped_lines": unshipped,
        "undelivered_lines": undelivered,
    }
    return construct(OrderTotals, values)


def replay(events: Iterable[OrderEvent]) -> Order:
    """Rebuild an order from its whole trail, starting with its `OrderCreated`.

    Raises:
        InvalidArgument: If `events` is not an iterable.
        TrailError: If the trail is empty, does not start with `OrderCreated`, repeats an
            event id, or has an event that cannot follow (see `evolve`).
        LedgerViolation: If a movement breaks a ledger invariant.
    """
    try:
        iterator = iter(events)
    except TypeError:
        raise InvalidArgument(
            "replay", "events", f"must be an iterable of events, got {type(events).__name__}"
        ) from None
    first = next(iterator, None)
    if not isinstance(first, OrderCreated):
        found = "nothing" if first is None else type(first).__name__
        raise TrailError(
            getattr(first, "event_id", "-"),
            getattr(first, "order_id", "-"),
            f"a trail starts with OrderCreated; got {found}",
        )
    order = first.snapshot
    if first.order_version != order.version or first.order_id != order.order_id:
        raise TrailError(first.event_id, order.order_id, "its snapshot is of another version")
    seen = {first.event_id}
    for event in iterator:
        event_id = getattr(event, "event_id", None)
        if event_id in seen:
            raise TrailError(str(event_id), order.order_id, "its id is used twice in the trail")
        order = evolve(order, event)
        seen.add(event.event_id)
    return order
