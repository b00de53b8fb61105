"""`apply(order, command, *, at, actor) -> (new_order, events)`: the lifecycle as a pure function.

The input order is never changed. `apply` checks its arguments (`InvalidArgument` for a
wrong type, `None`, a naive or out-of-range `at`), looks the command up in the spec's table for
the order's state (raising `InvalidTransition` naming the command, the status and what is
allowed), refuses an `at` before the order's last change, runs the guards attached to that
transition (raising `GuardRejected` with the first refusal), decides the events, and folds
them into the new order with `fold`, the step `replay` takes after checking each event. Then it fires
the derived transitions of the table until none applies (an amendment that makes an approved
order worse sends it back to review; the first fulfilment movement moves APPROVED to
IN_FULFILMENT; everything open delivered moves it to FULFILLED, in the same command if a
re-approval finds the order already delivered). Every accepted command moves the version by
exactly one; all its events carry that version.

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
    >>> order, trail = create(order, at=at, actor=clerk)
    >>> order, events = apply(order, Submit(), at=at, actor=clerk)
    >>> order.status, [e.type for e in events], allowed_commands(order)[:2]
    (<OrderStatus.SUBMITTED: 'submitted'>, ['order_submitted'], ('start_review', 'expire'))
    >>> apply(order, Ship(line_id="1", quantity=Decimal(1)), at=at, actor=clerk)
    Traceback (most recent call last):
    ...
    ordercore.errors.InvalidTransition: cannot ship order SO-7 in status submitted; allowed: start_review, expire, cancel, amend, amend_header, repromise, receive_payment, issue_refund, split_off, merge_into, take_lines, place_hold, release_hold, record_risk_assessment, record_checkpoint
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pydantic import TypeAdapter, ValidationError

from ordercore._base import ARITHMETIC, ShortText, Text, normalise_timestamp
from ordercore._refusals import Refusal, listed
from ordercore.aftersales import AfterSalesCase, CaseKind, CaseStatus
from ordercore.billing import Payment, Refund
from ordercore.errors import GuardRejected, InvalidArgument, InvalidTransition
from ordercore.events import (
    Actor,
    CaseAdvanced,
    CaseOpened,
    CheckpointRecorded,
    CreditNoteIssued,
    FeedbackRecorded,
    FeedbackWaived,
    FrozenMap,
    HoldPlaced,
    HoldReleased,
    InvoiceIssued,
    LineBackordered,
    LineQuantity,
    LinesMerged,
    OrderAmended,
    OrderApproved,
    OrderCreated,
    OrderEvent,
    OrderSplit,
    PaymentReceived,
    RefundIssued,
    RiskAssessed,
    ShipmentCollected,
    ShipmentDelivered,
    ShipmentDispatched,
    SubStatusChanged,
)
from ordercore.holds import DEFAULT_BLOCKS, Hold
from ordercore.labels import label
from ordercore.lifecycle._fast import construct, replace, update_fresh
from ordercore.lifecycle._summaries import summary_text
from ordercore.lifecycle.aftersales import INITIAL_CASE_STATUS, CaseMachines
from ordercore.lifecycle.billing import credit_note_document, invoice_document
from ordercore.lifecycle.commands import (
    AdvanceCase,
    AmendHeader,
    AmendOrder,
    Approve,
    Backorder,
    Command,
    CommandName,
    ConfirmDelivery,
    Dispatch,
    HostTrigger,
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    MergeInto,
    Movement,
    OpenCase,
    PlaceHold,
    ReceivePayment,
    RecordCheckpoint,
    RecordFeedback,
    RecordRiskAssessment,
    RecordTransit,
    ReleaseHold,
    Repromise,
    ShortClose,
    SplitOff,
    TakeLines,
)
from ordercore.lifecycle.guards import (
    Guard,
    GuardContext,
    LifecyclePolicy,
    amended_order,
    excess_allocation,
    shipment_lines,
    shipment_of,
)
from ordercore.lifecycle.header import HEADER_FIELDS, changed_fields
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec
from ordercore.lifecycle.replay import changes_of, totals_of
from ordercore.lifecycle.split import moved_lines, remaining_order
from ordercore.lifecycle.table import DERIVED, ROWS, Transition
from ordercore.links import OrderLink, OrderRelation
from ordercore.milestones import Milestones
from ordercore.money import Money
from ordercore.orders import Order, OrderLine
from ordercore.shipments import Shipment, ShipmentLine, ShipmentStatus
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DEFAULT_POLICY",
    "EventIdFactory",
    "Merge",
    "Split",
    "allowed_commands",
    "apply",
    "create",
    "merge",
    "split",
]

DEFAULT_POLICY: Final = LifecyclePolicy()
"""The policy `apply` uses when none is given (30-day expiry, any worsening re-reviews)."""

EventIdFactory = Callable[[str, int, str, int], str]
"""Makes an event id from (order id, order version, event type, index within the command)."""

_CANONICAL_STATES: Final = frozenset(s.value for s in OrderStatus)
# Status -> its value as a plain str, by dictionary lookup (the enum's `.value` property costs
# more than the rest of a status check on the hot path).
_STATE: Final = {s: s.value for s in OrderStatus}
_TYPE: Final = {row.event: row.event.model_fields["type"].default for row in ROWS.values()}
_TYPE[SubStatusChanged] = "sub_status_changed"
_TYPE[OrderCreated] = "order_created"


# The table's rows in a plain dict: read on every command, where the public read-only view
# costs a method call more per lookup.
_ROWS: Final[dict[str, Transition]] = dict(ROWS)
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_ZERO: Final = Decimal(0)
# GuardContext is a NamedTuple: built from its four values without the keyword machinery.
_context = tuple.__new__


def _default_id(order_id: str, version: int, event_type: str, index: int) -> str:
    return f"{order_id}:{version}:{index}:{event_type}"


_EVENT_ID: Final = TypeAdapter(ShortText)
_REASON: Final = TypeAdapter(Text)
_CORRELATION: Final = TypeAdapter(ShortText | None)
_NO_SUMMARY: Final = FrozenMap()
_CREATED_AFTER: Final = {s: FrozenMap({"status": s.value}) for s in OrderStatus}
_NO_MILESTONES: Final = {name: field.default for name, field in Milestones.model_fields.items()}
# The summaries of status changes, shared by every event (they are read-only).
_STATUS_SUMMARY: Final = {s.value: FrozenMap({"status": s.value}) for s in OrderStatus}


def _status_summary(state: str) -> Mapping[str, str]:
    summary = _STATUS_SUMMARY.get(state)
    return {"status": state} if summary is None else summary


def _event_id(ids: EventIdFactory, order_id: str, version: int, event_type: str, index: int) -> str:
    event_id = ids(order_id, version, event_type, index)
    try:
        return _EVENT_ID.validate_python(event_id, strict=True)
    except ValidationError as error:
        raise InvalidArgument(
            "apply", "ids", f"made the event id {event_id!r}: {error.errors()[0]['msg']}"
        ) from None


class _Emitter:
    """Builds the events of one command: shared metadata, one version, numbered ids."""

    __slots__ = (
        "actor",
        "at",
        "base",
        "count",
        "ids",
        "order_id",
        "policy",
        "prefix",
        "version",
    )

    def __init__(  # noqa: PLR0917 - built once per command, positionally
        self,
        order: Order,
        command: Command,
        at: datetime,
        actor: Actor,
        version: int,
        ids: Any,
        policy: LifecyclePolicy,
    ) -> None:
        self.policy = policy
        self.order_id = order.order_id
        self.version = version
        self.at = at
        self.actor = actor
        self.ids = ids
        self.count = 0
        self.prefix = f"{self.order_id}:{version}:"  # of the default event ids
        # What every event of the command shares; each event copies it and adds its own.
        self.base = {
            "event_id": "",
            "order_id": self.order_id,
            "order_version": version,
            "type": "",
            "at": at,
            "actor": actor,
            "reason": command.reason,
            "correlation_id": command.correlation_id,
        }

    def __call__(
        self,
        cls: type[OrderEvent],
        before: Mapping[str, str],
        after: Mapping[str, str],
        payload: dict[str, Any] | None = None,
    ) -> OrderEvent:
        # Every value here was validated before: the command's fields when it was built,
        # `at` and `actor` by `apply`, the records (holds, cases, lines) by their own
        # entities, the event id by `_event_id`, and the summaries are built from those.
        # So the event is assembled without a second validation; the lifecycle's property
        # tests check that every event `apply` returns equals its JSON round trip.
        event_type = _TYPE[cls]
        if self.ids is _default_id:  # an Id, two numbers and a type name: always valid
            event_id = f"{self.prefix}{self.count}:{event_type}"
        else:
            event_id = _event_id(self.ids, self.order_id, self.version, event_type, self.count)
        values = self.base.copy()
        values["event_id"] = event_id
        values["type"] = event_type
        values["before"] = before if type(before) is FrozenMap else FrozenMap(before)
        values["after"] = after if type(after) is FrozenMap else FrozenMap(after)
        if payload:
            values.update(payload)
        self.count += 1
        return construct(cls, values)


_Decider = Callable[[Order, Command, str, Transition, _Emitter], list[OrderEvent]]


def _carried(row: Transition) -> tuple[str, ...]:
    """The fields a row's event takes from its command by name (``requested_by``, say)."""
    if row.command_class is None:
        return ()
    base = set(OrderEvent.model_fields) | {"line_id", "quantity"}
    fields = row.command_class.model_fields
    return tuple(f for f in row.event.model_fields if f not in base and f in fields)


# Event fields copied from the command, by command name (most rows copy nothing).
_CARRY: Final = {name: _carried(row) for name, row in ROWS.items()}


def _movement(
    order: Order, command: Command, _: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, Movement)  # noqa: S101 - the table routes movements here
    assert row.moves is not None  # noqa: S101 - a movement row names its field
    move = command
    field: str = row.moves  # a StrEnum member is its own value
    value = order.line(move.line_id).ledger.__dict__[field]
    # The ledger invariants are checked when `apply` folds the event in, before it returns.
    key = f"lines.{move.line_id}.{field}"
    quantity = move.quantity
    payload = {"line_id": move.line_id, "quantity": quantity}
    for carried in _CARRY[row.command]:
        payload[carried] = getattr(move, carried)
    # Exact whatever the caller's decimal context (the fold checks the same sum's limits).
    moved = _subtract(value, quantity) if row.lowers else _add(value, quantity)
    return [emit(row.event, {key: str(value)}, {key: str(moved)}, payload)]


def _released(
    line: OrderLine, quantity: Decimal, before: dict[str, str], after: dict[str, str]
) -> None:
    """Add an allocation released with a change to the change's summaries."""
    key = f"lines.{line.line_id}.allocated"
    before[key] = str(line.ledger.allocated)
    after[key] = str(_subtract(line.ledger.allocated, quantity))


def _short_close(
    order: Order, command: Command, _: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, ShortClose)  # noqa: S101 - routed by name
    line = order.line(command.line_id)
    cancelled = _add(line.ledger.cancelled, command.quantity)
    key = f"lines.{line.line_id}.cancelled"
    before, after = {key: str(line.ledger.cancelled)}, {key: str(cancelled)}
    excess = excess_allocation(line, line.quantity, cancelled)
    if excess:
        _released(line, excess, before, after)
    payload = {"line_id": line.line_id, "quantity": command.quantity, "released": excess}
    payload.update((name, getattr(command, name)) for name in _CARRY[row.command])
    return [emit(row.event, before, after, payload)]


def _status(
    _: Order, command: Command, state: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    if row.dest is None:  # archive: the only status command that keeps the status
        return [emit(row.event, {"archived": "false"}, {"archived": "true"})]
    payload = {carried: getattr(command, carried) for carried in _CARRY[row.command]}
    return [emit(row.event, _status_summary(state), _STATUS_SUMMARY[row.dest], payload)]


def _approve(
    _: Order, command: Command, state: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, Approve)  # noqa: S101 - routed by name
    assert row.dest is not None  # noqa: S101 - approve changes the status
    verdict = command.verdict
    overridden = () if verdict.passed else tuple(str(r) for r in verdict.failure_reasons)
    payload = {"review_version": verdict.order_version, "overridden": overridden}
    return [emit(OrderApproved, _status_summary(state), _STATUS_SUMMARY[row.dest], payload)]


def _amend(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, AmendOrder)  # noqa: S101 - routed by name
    quantities = tuple(
        LineQuantity(
            line_id=line_id,
            quantity=quantity,
            # allocation above a lowered quantity is released with the change
            released=excess_allocation(
                order.line(line_id), quantity, order.line(line_id).ledger.cancelled
            ),
        )
        for line_id, quantity in command.quantities
    )
    before = {
        f"lines.{q.line_id}.quantity": str(order.line(q.line_id).quantity) for q in quantities
    }
    after = {f"lines.{q.line_id}.quantity": str(q.quantity) for q in quantities}
    for line in command.new_lines:
        after[f"lines.{line.line_id}.quantity"] = str(line.quantity)
    if command.requested_delivery_at is not None:
        before["requested_delivery_at"] = summary_text(order.requested_delivery_at)
        after["requested_delivery_at"] = summary_text(command.requested_delivery_at)
    before["total"] = str(order.total.amount)
    after["total"] = str(amended_order(order, command).total.amount)
    payload = {
        "quantities": quantities,
        "new_lines": command.new_lines,
        "requested_delivery_at": command.requested_delivery_at,
    }
    for change in quantities:
        if change.released:
            _released(order.line(change.line_id), change.released, before, after)
    return [emit(OrderAmended, before, after, payload)]


def _amend_header(
    order: Order, command: Command, _: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, AmendHeader)  # noqa: S101 - routed by name
    changed = changed_fields(order, command)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name in changed:
        if name in HEADER_FIELDS:
            before[name] = summary_text(getattr(order, name))
            after[name] = summary_text(getattr(command, name))
    lines = {line.line_id: line for line in order.lines}
    for line_id, price in command.unit_prices:
        before[f"lines.{line_id}.unit_price"] = str(lines[line_id].unit_price.amount)
        after[f"lines.{line_id}.unit_price"] = str(price.amount)
    for line_id, rate in command.discount_rates:
        before[f"lines.{line_id}.discount_rate"] = str(lines[line_id].discount_rate)
        after[f"lines.{line_id}.discount_rate"] = str(rate)
    content = bool(
        {"unit_prices", "discount_rates"} & set(changed)
        or emit.policy.re_review_fields & set(changed)
    )
    payload = {name: getattr(command, name) for name in _CARRY[row.command]}
    payload["content_changed"] = content
    return [emit(row.event, before, after, payload)]


def _repromise(
    order: Order, command: Command, _: str, row: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, Repromise)  # noqa: S101 - routed by name
    before = {"promised_delivery_at": summary_text(order.promised_delivery_at)}
    after = {"promised_delivery_at": summary_text(command.promised_delivery_at)}
    payload = {name: getattr(command, name) for name in _CARRY[row.command]}
    return [emit(row.event, before, after, payload)]


def _dispatch(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, Dispatch)  # noqa: S101 - routed by name
    key = f"shipments.{command.shipment_id}"
    before, after = {key: "none"}, {key: ShipmentStatus.DISPATCHED.value}
    # A replacement moves the case and the line's `exchanged`; any other dispatch `shipped`.
    field = "shipped" if command.case_id is None else "exchanged"
    for line_id, quantity in command.lines:
        value = order.line(line_id).ledger.__dict__[field]
        before[f"lines.{line_id}.{field}"] = str(value)
        after[f"lines.{line_id}.{field}"] = str(_add(value, quantity))
    if command.case_id is not None:
        case = f"cases.{command.case_id}"
        before[case] = next(c.status.value for c in order.cases if c.case_id == command.case_id)
        after[case] = CaseStatus.REPLACED.value
    shipment = Shipment(
        shipment_id=command.shipment_id,
        lines=tuple(ShipmentLine(line_id=i, quantity=q) for i, q in command.lines),
        warehouse=command.warehouse,
        carrier=command.carrier,
        mode=command.mode,
        tracking_ref=command.tracking_ref,
        planned_delivery_at=command.planned_delivery_at,
        dispatched_at=emit.at,
        case_id=command.case_id,
    )
    return [emit(ShipmentDispatched, before, after, {"shipment": shipment})]


def _transit(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, RecordTransit)  # noqa: S101 - routed by name
    key = f"shipments.{command.shipment_id}"
    before, after = {key: ShipmentStatus.DISPATCHED.value}, {key: ShipmentStatus.IN_TRANSIT.value}
    payload = {"shipment_id": command.shipment_id, "tracking_ref": command.tracking_ref}
    return [emit(ShipmentCollected, before, after, payload)]


def _confirm_delivery(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, ConfirmDelivery)  # noqa: S101 - routed by name
    shipment = shipment_of(order, command.shipment_id)
    assert shipment is not None  # noqa: S101 - shipment_deliverable ran first
    lines = shipment_lines(order, command)
    key = f"shipments.{shipment.shipment_id}"
    done = shipment.status_after(dict(lines))
    before, after = {key: shipment.status.value}, {key: done.value}
    for line_id, quantity in () if shipment.replacement else lines:
        delivered = order.line(line_id).ledger.delivered
        before[f"lines.{line_id}.delivered"] = str(delivered)
        after[f"lines.{line_id}.delivered"] = str(_add(delivered, quantity))
    payload = {
        "shipment_id": shipment.shipment_id,
        "lines": lines,
        "proof_of_delivery": command.proof_of_delivery,
    }
    return [emit(ShipmentDelivered, before, after, payload)]


def _backorder(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, Backorder)  # noqa: S101 - routed by name
    line = order.line(command.line_id)
    key = f"lines.{line.line_id}.backordered"
    before, after = {key: str(line.backordered)}, {key: str(command.quantity)}
    payload = {
        "line_id": line.line_id,
        "quantity": command.quantity,
        "expected_at": command.expected_at,
    }
    return [emit(LineBackordered, before, after, payload)]


def _split_off(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, SplitOff)  # noqa: S101 - routed by name
    removed = remaining_order(order, command)[1]  # the guard split_fits checked it
    moved = dict(command.lines)
    quantities = []
    before = {f"links.{command.new_order_id}": "none"}
    after = {f"links.{command.new_order_id}": OrderRelation.SPLIT_INTO.value}
    for line in order.lines:
        if line.line_id not in moved:
            continue
        key = f"lines.{line.line_id}.quantity"
        before[key] = str(line.quantity)
        if line.line_id in removed:
            after[key] = "removed"
            continue
        rest = _subtract(line.quantity, moved[line.line_id])
        after[key] = str(rest)
        excess = excess_allocation(line, rest, line.ledger.cancelled)
        quantities.append(LineQuantity(line_id=line.line_id, quantity=rest, released=excess))
        if excess:
            _released(line, excess, before, after)
    payload = {
        "new_order_id": command.new_order_id,
        "quantities": tuple(quantities),
        "removed": removed,
    }
    return [emit(OrderSplit, before, after, payload)]


def _take_lines(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, TakeLines)  # noqa: S101 - routed by name
    key = f"links.{command.source_order_id}"
    before, after = {key: "none"}, {key: OrderRelation.MERGED_FROM.value}
    for line in command.new_lines:
        before[f"lines.{line.line_id}.quantity"] = "none"
        after[f"lines.{line.line_id}.quantity"] = str(line.quantity)
    before["total"] = str(order.total.amount)
    after["total"] = str(amended_order(order, AmendOrder(new_lines=command.new_lines)).total.amount)
    payload = {"source_order_id": command.source_order_id, "new_lines": command.new_lines}
    return [emit(LinesMerged, before, after, payload)]


def _place_hold(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, PlaceHold)  # noqa: S101 - routed by name
    hold = Hold(
        hold_id=command.hold_id,
        reason=command.hold_reason,
        line_ids=command.line_ids,
        blocks=command.blocks or DEFAULT_BLOCKS[command.hold_reason],
        note=command.note,
        placed_at=emit.at,
        placed_by=str(emit.actor),
    )
    key = f"holds.{command.hold_id}"
    return [emit(HoldPlaced, {key: "none"}, {key: "active"}, {"hold": hold})]


def _release_hold(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, ReleaseHold)  # noqa: S101 - routed by name
    key = f"holds.{command.hold_id}"
    return [emit(HoldReleased, {key: "active"}, {key: "released"}, {"hold_id": command.hold_id})]


def _risk(_: Order, command: Command, __: str, ___: Transition, emit: _Emitter) -> list[OrderEvent]:
    assert isinstance(command, RecordRiskAssessment)  # noqa: S101 - routed by name
    payload = {
        "score": command.score,
        "level": command.level,
        "recommendation": command.recommendation,
        "policy_version": command.policy_version,
        "reasons": command.reasons,
    }
    return [emit(RiskAssessed, {}, {"risk_level": command.level}, payload)]


def _billing_document(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    if isinstance(command, IssueInvoice):
        document = invoice_document(order, command, emit.at)
        cls: type[OrderEvent] = InvoiceIssued
        step = _add
    else:
        assert isinstance(command, IssueCreditNote)  # noqa: S101 - routed by name
        document = credit_note_document(order, command, emit.at)
        cls = CreditNoteIssued
        step = _subtract
    key = f"billing.{document.document_id}"
    before, after = {key: "none"}, {key: f"{document.kind.value} {document.gross}"}
    for entry in document.lines:
        invoiced = order.line(entry.line_id).ledger.invoiced
        before[f"lines.{entry.line_id}.invoiced"] = str(invoiced)
        after[f"lines.{entry.line_id}.invoiced"] = str(step(invoiced, entry.quantity))
    return [emit(cls, before, after, {"document": document})]


def _money_summary(
    order: Order, received: Money, refunded: Money
) -> tuple[dict[str, str], dict[str, str]]:
    position = order.billing_position
    paid = position.paid + received - refunded
    return (
        {"paid": str(position.paid), "balance": str(position.balance)},
        {"paid": str(paid), "balance": str(position.billed - paid)},
    )


def _payment(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, ReceivePayment)  # noqa: S101 - routed by name
    payment = Payment(
        payment_id=command.payment_id,
        amount=command.amount,
        received_at=emit.at,
        document_id=command.invoice_id,
        method=command.method,
        reference=command.reference,
    )
    zero = Money.zero(order.currency)
    before, after = _money_summary(order, command.amount, zero)
    return [emit(PaymentReceived, before, after, {"payment": payment})]


def _refund(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, IssueRefund)  # noqa: S101 - routed by name
    refund = Refund(
        refund_id=command.refund_id,
        amount=command.amount,
        refunded_at=emit.at,
        payment_id=command.payment_id,
        case_id=command.case_id,
        reason=command.reason,
    )
    zero = Money.zero(order.currency)
    before, after = _money_summary(order, zero, command.amount)
    return [emit(RefundIssued, before, after, {"refund": refund})]


def _checkpoint(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, RecordCheckpoint)  # noqa: S101 - routed by name
    key = f"checkpoints.{command.checkpoint}"
    payload = {"checkpoint": command.checkpoint, "passed": command.passed}
    outcome = "passed" if command.passed else "failed"
    return [emit(CheckpointRecorded, {}, {key: outcome}, payload)]


def _open_case(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, OpenCase)  # noqa: S101 - routed by name
    status = INITIAL_CASE_STATUS[command.kind]
    case = AfterSalesCase(
        case_id=command.case_id,
        kind=command.kind,
        line_id=command.line_id,
        quantity=command.quantity,
        status=status,
        opened_at=emit.at,
        description=command.description,
        repair_terms=command.repair_terms,
    )
    key = f"cases.{command.case_id}"
    return [emit(CaseOpened, {key: "none"}, {key: status.value}, {"case": case})]


def _advance_case(
    order: Order, command: Command, _: str, __: Transition, emit: _Emitter
) -> list[OrderEvent]:
    assert isinstance(command, AdvanceCase)  # noqa: S101 - routed by name
    case = next((c for c in order.cases if c.case_id == command.case_id), None)
    if case is None:
        known = ", ".join(c.case_id for c in order.cases) or "none"
        known_zh = listed(c.case_id for c in order.cases)
        raise GuardRejected(
            command.name,
            "case_exists",
            [
                Refusal(
                    f"no case {command.case_id!r}; cases: {known}",
                    f"没有售后单 {command.case_id!r}；现有售后单：{known_zh}",
                )
            ],
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
            command.name,
            "root_cause_given",
            [Refusal("investigating needs a root_cause", "调查须注明根因（root_cause）")],
            order.order_id,
        )
    if (
        command.action == "refund"
        and order.billed_in_money
        and not any(d.case_id == case.case_id for d in order.billing)
    ):
        raise GuardRejected(
            command.name,
            "refund_credited",
            [
                Refusal(
                    f"order {order.order_id} is billed in money: credit the goods of case "
                    f"{case.case_id} first (IssueCreditNote with case_id={case.case_id!r}), "
                    "then pay the money back with IssueRefund",
                    f"订单 {order.order_id} 按金额开票：请先为售后单 {case.case_id} 的货物开具"
                    f"红字发票（IssueCreditNote，case_id={case.case_id!r}），再用 IssueRefund 退款",
                )
            ],
            order.order_id,
        )
    goods_back = command.action == "receive" and case.kind in (CaseKind.RETURN, CaseKind.EXCHANGE)
    if command.disposition is not None and not goods_back:
        raise GuardRejected(
            command.name,
            "disposition_fits",
            [
                Refusal(
                    f"a disposition is for goods received back, not {command.action} on a "
                    f"{case.kind}",
                    f"处置方式只用于收回的退货或换货，不能用于{label(case.kind, 'zh')}售后单的"
                    f"「{label(command.action, 'zh')}」",
                )
            ],
            order.order_id,
        )
    key = f"cases.{case.case_id}"
    payload = {
        "case_id": case.case_id,
        "action": command.action,
        "status": status,
        "condition": command.condition,
        "root_cause": command.root_cause,
        "disposition": command.disposition,
    }
    return [emit(CaseAdvanced, {key: case.status.value}, {key: status.value}, payload)]


def _feedback(
    _: Order, command: Command, __: str, ___: Transition, emit: _Emitter
) -> list[OrderEvent]:
    if isinstance(command, RecordFeedback):
        payload = {"score": command.score, "comment": command.comment}
        return [emit(FeedbackRecorded, {"feedback": "none"}, {"feedback": "recorded"}, payload)]
    return [emit(FeedbackWaived, {"feedback": "none"}, {"feedback": "waived"})]


_SPECIAL: Final[dict[str, _Decider]] = {
    CommandName.APPROVE: _approve,
    CommandName.AMEND: _amend,
    CommandName.AMEND_HEADER: _amend_header,
    CommandName.REPROMISE: _repromise,
    CommandName.SHORT_CLOSE: _short_close,
    CommandName.DISPATCH: _dispatch,
    CommandName.RECORD_TRANSIT: _transit,
    CommandName.CONFIRM_DELIVERY: _confirm_delivery,
    CommandName.BACKORDER: _backorder,
    CommandName.SPLIT_OFF: _split_off,
    CommandName.TAKE_LINES: _take_lines,
    CommandName.PLACE_HOLD: _place_hold,
    CommandName.RELEASE_HOLD: _release_hold,
    CommandName.RECORD_RISK_ASSESSMENT: _risk,
    CommandName.RECORD_CHECKPOINT: _checkpoint,
    CommandName.ISSUE_INVOICE: _billing_document,
    CommandName.ISSUE_CREDIT_NOTE: _billing_document,
    CommandName.RECEIVE_PAYMENT: _payment,
    CommandName.ISSUE_REFUND: _refund,
    CommandName.OPEN_CASE: _open_case,
    CommandName.ADVANCE_CASE: _advance_case,
    CommandName.RECORD_FEEDBACK: _feedback,
    CommandName.WAIVE_FEEDBACK: _feedback,
}
_DECIDERS: Final[dict[str, _Decider]] = {
    name: _SPECIAL.get(name, _movement if row.moves is not None else _status)
    for name, row in ROWS.items()
    if not row.derived
}


def _host_trigger(
    command: HostTrigger, state: str, dest: str | None, emit: _Emitter
) -> list[OrderEvent]:
    sub_status = None if dest in _CANONICAL_STATES else dest
    payload = {"trigger": command.trigger, "sub_status": sub_status}
    return [emit(SubStatusChanged, {"state": state}, {"state": str(dest)}, payload)]


def _derive(  # noqa: PLR0917 - apply's state, passed on positionally
    order: Order,
    command: Command,
    context: GuardContext,
    spec: LifecycleSpec,
    emit: _Emitter,
    state: str,
    name: str,
    candidates: tuple[tuple[str, str, tuple[Guard, ...]], ...],
) -> list[OrderEvent]:
    """Fire derived transitions until none applies (each status at most once: no cycles).

    `order` is the copy this call made from the command's own events, not yet returned to
    anyone: each derived change is folded into it rather than into one more copy.
    """
    events: list[OrderEvent] = []
    for _ in spec.states:
        for trigger, dest, guards in candidates:
            for guard in guards:
                if guard(order, command, context) is not None:
                    break
            else:
                summary = _STATUS_SUMMARY.get(state) or {"status": state}
                event = emit(_ROWS[trigger].event, summary, _status_summary(dest))
                update_fresh(order, changes_of(order, event))
                events.append(event)
                state = dest
                candidates = spec.derived_after(dest, name)
                break
        else:
            break
    return events


def _refuse(order: Order, name: str, state: str, spec: LifecycleSpec) -> InvalidTransition:
    if order.archived:
        return InvalidTransition(name, f"{state} (archived)", (), order.order_id)
    return InvalidTransition(name, state, spec.commands(state), order.order_id)


def _moment(function: str, value: object) -> datetime:
    if type(value) is datetime and value.tzinfo is UTC and not value.fold:
        return value  # already as every Timestamp holds it
    try:
        return normalise_timestamp(value, field="at")  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise InvalidArgument(function, "at", str(error)) from None


def _check_arguments(function: str, order: object, actor: object) -> None:
    if not isinstance(order, Order):
        raise InvalidArgument(function, "order", f"must be an Order, got {type(order).__name__}")
    if not isinstance(actor, Actor):
        raise InvalidArgument(
            function, "actor", f"must be an Actor (Actor.user(...)), got {type(actor).__name__}"
        )


def _check_apply(  # noqa: PLR0917 - apply's arguments, as apply received them
    order: object,
    command: object,
    at: object,
    actor: object,
    policy: object,
    spec: object,
    ids: object,
) -> datetime:
    _check_arguments("apply", order, actor)
    if not isinstance(command, Command):
        raise InvalidArgument(
            "apply", "command", f"must be a Command, got {type(command).__name__}"
        )
    moment = _moment("apply", at)
    if not isinstance(policy, LifecyclePolicy):
        raise InvalidArgument("apply", "policy", "must be a LifecyclePolicy")
    if not isinstance(spec, LifecycleSpec):
        raise InvalidArgument("apply", "spec", "must be a LifecycleSpec (see extend)")
    if not callable(ids):
        raise InvalidArgument("apply", "ids", "must be callable")
    return moment


def apply(  # noqa: C901, PLR0912 - one straight path; each branch a refusal or a fast check
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
        at: When (timezone-aware, not before the order's last change); the library never
            reads a clock. It is normalised to a fixed UTC offset (see `Timestamp`).
        actor: Who.
        policy: Expiry and re-review thresholds.
        spec: The lifecycle definition (canonical, or a host's `extend`ed one).
        ids: Makes event ids; the default is deterministic
            (``"{order_id}:{version}:{index}:{type}"``).

    Returns:
        The new order and the events, in the order they happened.

    Raises:
        InvalidArgument: An argument of the wrong type, `None`, or a naive or
            out-of-range `at`; or an id factory that made an unusable id.
        InvalidTransition: The command is not allowed in the order's state (the message
            lists what is); also for a case action its case machine does not allow.
        GuardRejected: A guard refused it (the message says which and why), or `at` is
            before the order's last change.
        LedgerViolation: A movement would break a ledger invariant.
    """
    if not (  # the common call, checked in one expression; anything else in full below
        type(at) is datetime
        and at.tzinfo is UTC
        and not at.fold
        and type(order) is Order
        and type(actor) is Actor
        and isinstance(command, Command)
        and type(policy) is LifecyclePolicy
        and type(spec) is LifecycleSpec
        and ids is _default_id
    ):
        at = _check_apply(order, command, at, actor, policy, spec, ids)
    if type(command) is HostTrigger:
        name = command.trigger
        if name in ROWS and name not in DERIVED:
            raise InvalidArgument(
                "apply",
                "command",
                f"HostTrigger({name!r}) names a canonical command; send {name} itself",
            )
    else:
        name = command.name
    state = order.sub_status or _STATE[order.status]
    step = spec.steps.get((state, name))
    if step is None or order.archived:
        raise _refuse(order, name, state, spec)
    last = order.updated_at or order.received_at
    if at < last:
        raise GuardRejected(
            name,
            "not_before_last_change",
            [
                Refusal(
                    f"at {at.isoformat()} is before the order's last change ({last.isoformat()})",
                    f"时间 {at.isoformat()} 早于订单最近一次变更（{last.isoformat()}）",
                )
            ],
            order.order_id,
        )
    context = _context(GuardContext, (at, actor, policy, order))
    for guard in step[1]:
        refusal = guard(order, command, context)
        if refusal is not None:
            raise GuardRejected(
                name, getattr(guard, "__name__", "guard"), [refusal], order.order_id
            )
    emit = _Emitter(order, command, at, actor, order.version + 1, ids, policy)
    decide = _DECIDERS.get(name)
    if decide is None:
        assert isinstance(command, HostTrigger)  # noqa: S101 - only host triggers lack a decider
        events = _host_trigger(command, state, step[0], emit)
    else:
        events = decide(order, command, state, _ROWS[name], emit)
    new = order
    for event in events:
        new = replace(new, changes_of(new, event))  # `fold`, inlined on the hot path
    if new is not order:  # every command emits an event, so `new` is this call's own copy
        state = new.sub_status or _STATE[new.status]
        candidates = spec.derived_after(state, name)
        if candidates:
            events.extend(_derive(new, command, context, spec, emit, state, name, candidates))
    return new, events


def allowed_commands(order: Order, spec: LifecycleSpec = CANONICAL) -> tuple[str, ...]:
    """The commands the table allows for the order now (guards not run).

    An archived order allows nothing.

    Raises:
        InvalidArgument: If `order` is not an `Order` or `spec` not a `LifecycleSpec`.
    """
    if not isinstance(order, Order):
        raise InvalidArgument("allowed_commands", "order", "must be an Order")
    if not isinstance(spec, LifecycleSpec):
        raise InvalidArgument("allowed_commands", "spec", "must be a LifecycleSpec")
    if order.archived:
        return ()
    return spec.commands(order.sub_status or order.status.value)


def _created_milestones(at: datetime) -> Milestones:
    # the creation is the trail's first change of status; the moment is a checked Timestamp
    return construct(Milestones, {**_NO_MILESTONES, "status_since": at})


def create(
    order: Order, *, at: datetime, actor: Actor, reason: str = "", correlation_id: str | None = None
) -> tuple[Order, list[OrderEvent]]:
    """Start an order's trail: return the order, stamped `updated_at=at`, and its `OrderCreated`.

    The event carries the whole order as entered (or imported, in any status), so that
    `replay` can rebuild everything that follows. Use the returned order from here on.

    Raises:
        InvalidArgument: For a wrong argument (as `apply`), a `reason` or `correlation_id`
            the trail cannot hold.
        GuardRejected: If `at` is before the order was received (or last changed).
    """
    _check_arguments("create", order, actor)
    at = _moment("create", at)
    last = order.updated_at or order.received_at
    if at < last:
        raise GuardRejected(
            "create",
            "not_before_last_change",
            [
                Refusal(
                    f"at {at.isoformat()} is before the order was received ({last.isoformat()})",
                    f"时间 {at.isoformat()} 早于订单接收时间（{last.isoformat()}）",
                )
            ],
            order.order_id,
        )
    try:
        if reason != "" or correlation_id is not None:  # the defaults need no check
            reason = _REASON.validate_python(reason, strict=True)
            correlation_id = _CORRELATION.validate_python(correlation_id, strict=True)
    except ValidationError as error:
        problem = "; ".join(item["msg"] for item in error.errors(include_url=False))
        raise InvalidArgument("create", "reason or correlation_id", problem) from None
    # the trail starts here: what it says of the order so far is its creation
    stamped = replace(
        order,
        {
            "updated_at": at,
            "milestones": _created_milestones(at),
            "totals": totals_of(order.lines, order.currency),
        },
    )
    # The snapshot is a validated Order and every other value was checked above.
    values = {
        "event_id": _default_id(order.order_id, order.version, "order_created", 0),
        "order_id": order.order_id,
        "order_version": order.version,
        "type": "order_created",
        "at": at,
        "actor": actor,
        "reason": reason,
        "correlation_id": correlation_id,
        "before": _NO_SUMMARY,
        "after": _CREATED_AFTER[order.status],
        "snapshot": stamped,
    }
    event = construct(OrderCreated, values)
    return stamped, [event]


class Split(NamedTuple):
    """What `split` returns: both orders, each with the events of its own trail."""

    source: Order
    source_events: list[OrderEvent]
    new: Order
    new_events: list[OrderEvent]


# The status a new order split off an order in this status starts in: reviewed work stays
# reviewed (the source's approval covered it), unreviewed work is reviewed like the rest.
_SPLIT_STATUS: Final = {
    OrderStatus.DRAFT: OrderStatus.DRAFT,
    OrderStatus.SUBMITTED: OrderStatus.SUBMITTED,
    OrderStatus.UNDER_REVIEW: OrderStatus.UNDER_REVIEW,
    OrderStatus.APPROVED: OrderStatus.APPROVED,
    OrderStatus.IN_FULFILMENT: OrderStatus.APPROVED,
}


def split(
    order: Order,
    lines: tuple[tuple[str, Decimal], ...],
    *,
    new_order_id: str,
    at: datetime,
    actor: Actor,
    reason: str = "",
    correlation_id: str | None = None,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> Split:
    """Split unfulfilled line quantities off an order into a new order, linked both ways.

    The source takes `SplitOff` (its trail gets `OrderSplit`); the new order has the same
    header and receipt time, the moved quantities on lines with the same ids and prices and
    empty ledgers, and starts its own trail with `OrderCreated`: in the source's status
    before approval, `approved` after it. Each order replays on its own, and each one's
    `links` names the other.

    Args:
        order: The order to split (not changed).
        lines: Quantity to move, by line id.
        new_order_id: The new order's id.
        at: When; as for `apply`.
        actor: Who.
        reason: Why; copied into both orders' events.
        correlation_id: Ties both trails together (recommended).
        policy: As for `apply`.

    Raises:
        InvalidCommand: For a malformed split (no lines, a line twice, a bad quantity or id).
        InvalidTransition: If the order's status allows no split (something shipped in full,
            or a final status).
        GuardRejected: If the split does not fit (guard `split_fits` says why).
    """
    command = SplitOff(
        new_order_id=new_order_id, lines=lines, reason=reason, correlation_id=correlation_id
    )
    source, source_events = apply(order, command, at=at, actor=actor, policy=policy)
    at = source.updated_at or at  # normalised by apply
    values = dict(order.__dict__)
    values.update(
        {
            "order_id": new_order_id,
            "lines": moved_lines(order, command),
            "status": _SPLIT_STATUS[order.status],
            "version": 0,
            "content_version": 0,
            "sub_status": None,
            "holds": (),
            "cases": (),
            "shipments": (),
            "billing": (),  # invoices, payments and refunds stay with the source
            "payments": (),
            "refunds": (),
            "feedback": None,
            "updated_at": None,
            "totals": None,  # `create` sums the new order's lines
            "links": (
                OrderLink(relation=OrderRelation.SPLIT_FROM, order_id=order.order_id, at=at),
            ),
        }
    )
    new, new_events = create(
        Order.model_validate(values),
        at=at,
        actor=actor,
        reason=reason,
        correlation_id=correlation_id,
    )
    return Split(source, source_events, new, new_events)


class Merge(NamedTuple):
    """What `merge` returns: the target and the merged orders, each with its new events."""

    target: Order
    target_events: list[OrderEvent]
    merged: tuple[tuple[Order, list[OrderEvent]], ...]


def merge(
    target: Order,
    orders: tuple[Order, ...],
    *,
    at: datetime,
    actor: Actor,
    reason: str = "",
    correlation_id: str | None = None,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> Merge:
    """Merge open orders of one customer into a target order, linked both ways.

    Each merged order must have nothing started on it (no ledger movement, shipment, case
    or active hold); it takes `MergeInto` and ends `cancelled`, linked `merged_into` the
    target. The target takes `TakeLines` for each: its lines under the ids
    ``"<order id>/<line id>"``, with empty ledgers, changing its content as an amendment
    would (an approved target goes back to review when the policy says so).

    Raises:
        InvalidArgument: If an order is of another customer or currency, or named twice.
        InvalidTransition: If an order's status allows no merge.
        GuardRejected: If an order has work started, or the lines do not fit the target.
    """
    if not isinstance(target, Order):
        raise InvalidArgument("merge", "target", f"must be an Order, got {type(target).__name__}")
    given: object = orders  # typed as orders, checked as anything a caller may pass
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise InvalidArgument("merge", "orders", f"must be Orders, got {type(given).__name__}")
    orders = tuple(given)
    seen = {target.order_id}
    for order in orders:
        if not isinstance(order, Order):
            raise InvalidArgument("merge", "orders", f"must be Orders, got {type(order).__name__}")
        if order.order_id in seen:
            raise InvalidArgument("merge", "orders", f"order {order.order_id} is named twice")
        seen.add(order.order_id)
        if (order.customer.customer_id, order.currency) != (
            target.customer.customer_id,
            target.currency,
        ):
            raise InvalidArgument(
                "merge",
                "orders",
                f"order {order.order_id} is of customer {order.customer.customer_id} in "
                f"{order.currency}; the target {target.order_id} of "
                f"{target.customer.customer_id} in {target.currency}",
            )
    merged = []
    events: list[OrderEvent] = []
    for order in orders:
        ended = apply(
            order,
            MergeInto(
                target_order_id=target.order_id, reason=reason, correlation_id=correlation_id
            ),
            at=at,
            actor=actor,
            policy=policy,
        )
        lines = tuple(
            OrderLine.model_validate(
                {**line.__dict__, "line_id": f"{order.order_id}/{line.line_id}"}
            )
            for line in order.lines
        )
        take = TakeLines(
            source_order_id=order.order_id,
            new_lines=lines,
            reason=reason,
            correlation_id=correlation_id,
        )
        target, taken = apply(target, take, at=at, actor=actor, policy=policy)
        merged.append(ended)
        events.extend(taken)
    return Merge(target, events, tuple(merged))
