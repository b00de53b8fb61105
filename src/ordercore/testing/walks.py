"""Walks through the lifecycle: steps that `drive` turns into commands fitting the order.

A [`Step`][ordercore.testing.walks.Step] is a handful of small integers. `drive` resolves each
step against the order as it stands: either the command that moves the order forward (submit,
review, approve, allocate, pack, ship, deliver, invoice, pay, feedback, close, archive; now
and then an allocation released, as when a supplier lets one down, or a closed order
reopened) or
any command the table allows in the state, with arguments that fit (an existing line, a
quantity within the ledger's room, an active hold, an open case), and moves the clock on. So
random walks reach fulfilment, after-sales and closing, while raw commands mixed in exercise
the refusals. Hypothesis shrinks steps like any integers.

Examples:
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle import create
    >>> from ordercore.testing.factories import make_order
    >>> order, _ = create(make_order(), at=make_order().received_at, actor=Actor.user("a"))
    >>> order, events = drive(order, [Step(progress=True)] * 30, at=order.received_at,
    ...                       actor=Actor.user("a"))
    >>> order.status.value
    'closed'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

import attrs

from ordercore.aftersales import (
    CaseAction,
    CaseKind,
    CaseStatus,
    RepairTerms,
    ReturnCondition,
    RootCause,
)
from ordercore.billing import DocumentKind
from ordercore.errors import OrderCoreError
from ordercore.holds import HoldReason
from ordercore.ledger import LIMITS, LedgerField, LineLedger
from ordercore.lifecycle import (
    CANONICAL,
    DEFAULT_POLICY,
    AdvanceCase,
    AmendHeader,
    AmendOrder,
    Approve,
    Backorder,
    Cancel,
    Command,
    CommandName,
    ConfirmDelivery,
    Dispatch,
    HostTrigger,
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    LifecyclePolicy,
    LifecycleSpec,
    MergeInto,
    OpenCase,
    Party,
    PlaceHold,
    ReceivePayment,
    RecordCheckpoint,
    RecordFeedback,
    RecordRiskAssessment,
    RecordTransit,
    ReleaseHold,
    Reopen,
    Repromise,
    ShortClose,
    SplitOff,
    TakeLines,
    WaiveFeedback,
    allowed_commands,
    apply,
)
from ordercore.lifecycle.aftersales import CaseMachines
from ordercore.lifecycle.table import MOVEMENTS, ROWS, Transition
from ordercore.money import Money
from ordercore.orders import Address, OrderLine
from ordercore.shipments import Shipment, ShipmentStatus, TransportMode
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from ordercore.events import Actor, OrderEvent
    from ordercore.orders import Order

__all__ = ["APPROVE", "Step", "command_for", "drive", "plan"]

APPROVE: Final = "approve"
"""A marker `drive` turns into `Approve` with a passing verdict for the order's current version."""

_N = CommandName
_ZERO: Final = Decimal(0)
_FORWARD: Final = (_N.ALLOCATE, _N.PACK, _N.SHIP, _N.DELIVER)
_BILL: Final = (_N.INVOICE, _N.RECORD_PAYMENT)
_MONEY: Final = frozenset(
    {_N.ISSUE_INVOICE, _N.ISSUE_CREDIT_NOTE, _N.RECEIVE_PAYMENT, _N.ISSUE_REFUND}
)
# Commands that end a walk early or lengthen it (lines taken in): a random pick lands on them
# only now and then, so walks still reach fulfilment and closing.
_THINNED: Final = frozenset({_N.CANCEL, _N.REJECT, _N.EXPIRE, _N.MERGE_INTO, _N.TAKE_LINES})


@attrs.frozen
class Step:
    """One step of a walk; `drive` turns it into a command for the order as it stands.

    Attributes:
        progress: Take the command that moves the order forward, rather than any allowed one.
        pick: Which allowed command (modulo their number) when not `progress`.
        line: Which line (modulo the number of lines), hold reason or case kind.
        amount: How much: a multiple of 3 takes the whole room the ledger leaves, others a
            part of it. Also thins out the commands that end a walk early (cancel, reject,
            expire, merge into another order) or lengthen it (lines taken in): a random pick
            lands on them only when `amount` is a multiple of 3, else the walk steps forward.
        hours: How far the clock moves before the command.
        passing: For an approval, whether the verdict passes.
    """

    progress: bool = False
    pick: int = 0
    line: int = 0
    amount: int = 0
    hours: int = 0
    passing: bool = True


@attrs.frozen
class _Verdict:
    order_id: str
    order_version: int
    passed: bool = True
    failure_reasons: tuple[str, ...] = ()


def _room(line: OrderLine, field: LedgerField, *, lowers: bool = False) -> Decimal:
    ledger = line.ledger
    if lowers:  # a release: what is allocated and not packed
        return max(ledger.get(field) - ledger.packed, _ZERO)
    if field is LedgerField.CANCELLED:
        return line.outstanding_quantity
    bound = LIMITS.get(field)
    limit = line.open_quantity if bound is None else ledger.get(bound)
    if field is LedgerField.INVOICED:
        limit = ledger.delivered - ledger.returned + ledger.exchanged
    return max(limit - ledger.get(field), _ZERO)


def _quantity(room: Decimal, amount: int) -> Decimal:
    if room <= 0:
        return Decimal(1)  # refused by the ledger: walks exercise refusals too
    if amount % 3 == 0:
        return room
    return min(room, Decimal(amount % 5 + 1))


def _first_move(order: Order, names: tuple[str, ...], amount: int) -> Command | None:
    """The first of `names` that some line has room for, on the first such line."""
    for name in names:
        row = MOVEMENTS[name]
        assert row.moves is not None  # noqa: S101 - a movement row names its field
        for line in order.lines:
            room = _room(line, row.moves, lowers=row.lowers)
            if room > 0:
                return _move_command(
                    row, line.line_id, _quantity(room, amount), Step(amount=amount)
                )
    return None


def _forward(order: Order, step: Step) -> Command | None:  # noqa: PLR0911 - one per stage
    status = order.status
    blocking = order.active_holds
    if blocking and status not in (OrderStatus.DRAFT, OrderStatus.SUBMITTED):
        return ReleaseHold(hold_id=blocking[0].hold_id, reason="walk")
    if status in (OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT):
        move = _fulfil(order, step)
        if move is not None:
            return move
    if status is OrderStatus.CLOSED and not order.archived and step.amount % 3 == 2:  # noqa: PLR2004
        return Reopen(reason="walk: a late complaint")
    if status is OrderStatus.FULFILLED:
        # one walk in four bills in money (if nothing was billed in units)
        money = order.billed_in_money or (step.amount % 4 == 2 and not _billed_in_units(order))  # noqa: PLR2004
        bill = _settle_in_money(order, step) if money else _first_move(order, _BILL, 0)
        move = _shipment_out(order, step) or bill or _case_step(order, step)
        if move is not None:
            return move
        if order.feedback is None and step.amount % 3 == 1:
            return WaiveFeedback(reason="walk")
        if order.feedback is None:
            return RecordFeedback(score=step.amount % 5 + 1)
    return None


def _fulfil(order: Order, step: Step) -> Command | None:
    """The next fulfilment step: release now and then, shipments out first, then the ledger."""
    if step.amount % 7 == 6:  # noqa: PLR2004 - now and then a supplier lets one down
        release = _first_move(order, (_N.RELEASE_ALLOCATION,), step.amount)
        if release is not None:
            return release
    out = _shipment_out(order, step)
    if out is not None:
        return out
    if step.amount % 4 == 1 and _shippable(order):  # now and then a delivery note
        return _dispatch(order, step)
    return _first_move(order, _FORWARD, step.amount)


def _shippable(order: Order) -> list[tuple[str, Decimal]]:
    """Per line, what is packed and not shipped."""
    return [
        (line.line_id, line.ledger.packed - line.ledger.shipped)
        for line in order.lines
        if line.ledger.packed > line.ledger.shipped
    ]


def _dispatch(order: Order, step: Step) -> Dispatch:
    """A shipment of what is packed (a part of it unless `amount` is a multiple of 3)."""
    lines = tuple(
        (line_id, _quantity(room, step.amount)) for line_id, room in _shippable(order)
    ) or ((order.lines[step.line % len(order.lines)].line_id, Decimal(1)),)
    number = len(order.shipments) + 1
    return Dispatch(
        shipment_id=f"SH{number}",
        lines=lines,
        warehouse=("WH-NGB", "WH-SHA")[step.line % 2],
        carrier="Walk Freight",
        mode=list(TransportMode)[step.amount % len(TransportMode)],
        tracking_ref=f"WF{order.version:06d}",
    )


def _billed_in_units(order: Order) -> bool:
    return any(line.ledger.invoiced or line.ledger.paid for line in order.lines)


def _settle_in_money(order: Order, step: Step) -> Command | None:
    """The next step of settling in money: credit what came back, invoice, pay or refund."""
    for line in order.lines:
        ledger = line.ledger
        billable = ledger.delivered - ledger.returned + ledger.exchanged
        if ledger.invoiced > billable:
            return _billing(order, _N.ISSUE_CREDIT_NOTE, step)
    if order.unbilled():
        return _billing(order, _N.ISSUE_INVOICE, attrs.evolve(step, amount=0))
    balance = order.billing_position.balance
    if balance.amount > 0:
        return _billing(order, _N.RECEIVE_PAYMENT, attrs.evolve(step, amount=0))
    if balance.amount < 0:
        return _billing(order, _N.ISSUE_REFUND, attrs.evolve(step, amount=0))
    return None


def _billing(order: Order, name: str, step: Step) -> Command:
    """A billing-in-money command that fits the order (a part now and then, unless amount % 3 == 0)."""
    currency = order.currency
    if name == _N.ISSUE_INVOICE:
        unbilled = order.unbilled()
        lines = tuple(
            (line_id, _quantity(room, step.amount)) for line_id, room in unbilled.items()
        ) or ((order.lines[0].line_id, Decimal(1)),)
        return IssueInvoice(invoice_id=f"INV{len(order.billing) + 1}", lines=lines)
    if name == _N.ISSUE_CREDIT_NOTE:
        invoices = [d for d in order.billing if d.kind is DocumentKind.INVOICE]
        invoice = invoices[-1] if invoices else None
        number = f"CN{len(order.billing) + 1}"
        if invoice is None:
            return IssueCreditNote(
                credit_note_id=number, invoice_id="INV1", lines=(("1", Decimal(1)),)
            )
        entry = invoice.lines[step.line % len(invoice.lines)]
        line = order.line(entry.line_id)
        ledger = line.ledger
        over = ledger.invoiced - (ledger.delivered - ledger.returned + ledger.exchanged)
        room = min(over, entry.quantity) if over > 0 else entry.quantity
        return IssueCreditNote(
            credit_note_id=number,
            invoice_id=invoice.document_id,
            lines=((entry.line_id, _quantity(room, step.amount)),),
        )
    position = order.billing_position
    if name == _N.RECEIVE_PAYMENT:
        owed = position.balance if position.balance.amount > 0 else order.total
        whole = step.amount % 3 == 0 or owed.amount < 1
        amount = owed if whole else owed * Decimal("0.5")
        return ReceivePayment(
            payment_id=f"P{len(order.payments) + 1}",
            amount=Money.of(str(amount.rounded().amount), currency),
            invoice_id=None
            if step.amount % 2 or not order.billing
            else order.billing[0].document_id,
        )
    owed_back = -position.balance if position.balance.amount < 0 else position.paid
    if owed_back.amount <= 0:
        owed_back = Money.of(1, currency)  # refused: walks exercise refusals too
    return IssueRefund(refund_id=f"R{len(order.refunds) + 1}", amount=owed_back, reason="walk")


def _case_step(order: Order, step: Step) -> Command | None:
    """The next step of the first open case: a replacement shipped now and then."""
    for case in order.open_cases:
        actions = CaseMachines.actions(case.kind, case.status)
        if CaseAction.REPLACE in actions and step.amount % 2:
            return _replacement(order, case.case_id, step)
        return _advance(case.case_id, actions[0])
    return None


def _replacement(order: Order, case_id: str, step: Step) -> Dispatch:
    """The shipment of the replacement for a case (its line and quantity)."""
    case = next((c for c in order.cases if c.case_id == case_id), order.cases[0])
    return Dispatch(
        shipment_id=f"SH{len(order.shipments) + 1}",
        lines=((case.line_id, max(case.quantity, Decimal(1))),),
        carrier="Walk Freight",
        planned_delivery_at=order.received_at + timedelta(days=step.amount % 20 + 1),
        case_id=case.case_id,
    )


def _shipment_out(order: Order, step: Step) -> Command | None:
    """The next step of a shipment still out: collected by the carrier, then confirmed."""
    for shipment in order.shipments:
        if shipment.status is ShipmentStatus.DISPATCHED and step.amount % 2:
            return RecordTransit(shipment_id=shipment.shipment_id)
        if shipment.status is not ShipmentStatus.DELIVERED:
            return _confirm(shipment, step)
    return None


def _confirm(shipment: Shipment, step: Step) -> ConfirmDelivery:
    """Confirm a shipment: all of it, or (when `amount` is 2 mod 3) part of its first line."""
    first = next(line for line in shipment.lines if line.delivered < line.quantity)
    if step.amount % 3 == 2 and first.quantity - first.delivered > 1:  # noqa: PLR2004
        return ConfirmDelivery(
            shipment_id=shipment.shipment_id,
            lines=((first.line_id, Decimal(1)),),
            proof_of_delivery="POD-walk",
        )
    return ConfirmDelivery(shipment_id=shipment.shipment_id, proof_of_delivery="POD-walk")


def _backorder(order: Order, step: Step) -> Backorder:
    line = order.lines[step.line % len(order.lines)]
    unshipped = max(line.open_quantity - line.ledger.shipped, _ZERO)
    return Backorder(
        line_id=line.line_id,
        quantity=_quantity(unshipped, step.amount),
        expected_at=order.received_at + timedelta(days=step.amount % 9 + 1),
    )


def _take_lines(order: Order, step: Step) -> TakeLines:
    """Take in a copy of one of the order's lines, as another order merged into it would."""
    line = order.lines[step.line % len(order.lines)]
    source = f"SO-M{len(order.links) + 1}"
    copy = OrderLine.model_validate(
        {
            **line.__dict__,
            "line_id": f"{source}/{line.line_id}",
            "ledger": LineLedger(),
            "backorder": None,
        }
    )
    return TakeLines(source_order_id=source, new_lines=(copy,), reason="walk")


def _split_off(order: Order, step: Step) -> SplitOff:
    """Move part of a line's free quantity (above what is committed) into a new order."""
    line = order.lines[step.line % len(order.lines)]
    free = line.quantity - line.ledger.cancelled - _committed(line) - 1  # leave one open
    quantity = _quantity(free, step.amount) if free > 0 else Decimal(1)
    return SplitOff(
        new_order_id=f"{order.order_id}-S{len(order.links) + 1}", lines=((line.line_id, quantity),)
    )


def _advance(case_id: str, action: str) -> AdvanceCase:
    return AdvanceCase(
        case_id=case_id,
        action=CaseAction(action),
        condition=ReturnCondition.RESALEABLE if action == CaseAction.RECEIVE else None,
        root_cause=next(iter(RootCause)) if action == CaseAction.INVESTIGATE else None,
    )


def _movement(order: Order, name: str, step: Step) -> Command:
    row = MOVEMENTS[name]
    assert row.moves is not None  # noqa: S101 - a movement row names its field
    line = order.lines[step.line % len(order.lines)]
    if row.lowers:  # a release: the first line with allocation to free, if any
        line = next((x for x in order.lines if _room(x, row.moves, lowers=True) > 0), line)
    quantity = _quantity(_room(line, row.moves, lowers=row.lowers), step.amount)
    return _move_command(row, line.line_id, quantity, step)


def _move_command(row: Transition, line_id: str, quantity: Decimal, step: Step) -> Command:
    """The movement command of a row, with what its kind needs besides line and quantity."""
    if row.lowers:  # a release needs a reason
        return row.command_class(line_id=line_id, quantity=quantity, reason="walk")  # type: ignore[misc]
    if row.command_class is ShortClose:
        return ShortClose(line_id=line_id, quantity=quantity, requested_by=_party(step))
    return row.command_class(line_id=line_id, quantity=quantity)  # type: ignore[misc]


def _ship_to(step: Step) -> Address:
    return Address(
        name="Walk", line1=f"{step.amount + 1} Harbour Road", city="Ningbo", country="CN"
    )


def _party(step: Step) -> Party:
    return Party.CUSTOMER if step.amount % 2 else Party.SELLER


def _committed(line: OrderLine) -> Decimal:
    """What an amendment or a split must leave on a line: its largest commitment."""
    ledger = line.ledger
    return max(ledger.allocated, ledger.planned, ledger.procured, ledger.produced, ledger.invoiced)


def _amend(order: Order, step: Step) -> Command:
    line = order.lines[step.line % len(order.lines)]
    ledger = line.ledger
    floor = max(_committed(line) + ledger.cancelled, ledger.cancelled + 1)
    quantity = max(floor, line.quantity + step.amount % 3 - 1)  # one less, the same, one more
    if step.amount % 4 == 3:  # noqa: PLR2004 - one in four amendments tightens the date
        return AmendOrder(requested_delivery_at=order.received_at, reason="walk")
    return AmendOrder(quantities=((line.line_id, quantity),), reason="walk")


def _case(order: Order, step: Step) -> Command:
    kind = list(CaseKind)[step.line % len(CaseKind)]
    delivered = [line for line in order.lines if line.ledger.delivered > 0] or list(order.lines)
    line = delivered[step.amount % len(delivered)]
    free = line.ledger.delivered - line.ledger.return_requested
    quantity = _ZERO if kind is CaseKind.COMPLAINT else min(max(free, Decimal(1)), Decimal(2))
    terms = list(RepairTerms)[step.amount % 2] if kind is CaseKind.REPAIR else None
    return OpenCase(
        case_id=f"C{len(order.cases) + 1}",
        kind=kind,
        line_id=line.line_id,
        quantity=quantity,
        repair_terms=terms,
    )


def command_for(order: Order, name: str, step: Step | None = None) -> Command:  # noqa: C901, PLR0911, PLR0912 - one branch per command kind
    """A command named `name` with arguments that fit the order (see the module docs).

    A name that is not a canonical command is taken as a host trigger.
    """
    step = step or Step()
    if name in MOVEMENTS:
        return _movement(order, name, step)
    if name == _N.APPROVE:
        return Approve(verdict=_Verdict(order.order_id, order.version, passed=step.passing))
    if name == _N.AMEND:
        return _amend(order, step)
    if name == _N.PLACE_HOLD:
        reason = list(HoldReason)[step.line % len(HoldReason)]
        lines = (order.lines[0].line_id,) if step.amount % 3 == 1 else ()
        return PlaceHold(hold_id=f"H{len(order.holds) + 1}", hold_reason=reason, line_ids=lines)
    if name == _N.RELEASE_HOLD:
        active = order.active_holds
        return ReleaseHold(hold_id=active[0].hold_id if active else "H1", reason="walk")
    if name == _N.RECORD_RISK_ASSESSMENT:
        score = step.amount * 7 % 101
        levels: tuple[Literal["low", "medium", "high", "critical"], ...] = (
            "low",
            "medium",
            "high",
            "critical",
        )
        level = levels[min(score // 25, 3)]
        return RecordRiskAssessment(
            score=score, level=level, recommendation="review", policy_version="walk"
        )
    if name in _MONEY:
        return _billing(order, name, step)
    if name == _N.RECORD_CHECKPOINT:
        return RecordCheckpoint(checkpoint=f"check_{step.line % 3}", passed=step.amount % 4 != 1)
    if name == _N.OPEN_CASE:
        return _case(order, step)
    if name == _N.ADVANCE_CASE:
        if not order.cases:
            return AdvanceCase(case_id="C1", action=CaseAction.APPROVE)
        case = order.cases[step.line % len(order.cases)]
        actions = CaseMachines.actions(case.kind, case.status) or ("approve",)
        return _advance(case.case_id, actions[step.amount % len(actions)])
    if name == _N.RECORD_FEEDBACK:
        return RecordFeedback(score=step.amount % 5 + 1)
    if name == _N.CANCEL:
        return Cancel(requested_by=_party(step), reason="walk")
    if name == _N.AMEND_HEADER:
        if step.amount % 4 == 3:  # noqa: PLR2004 - one in four changes the ship-to
            return AmendHeader(requested_by=_party(step), ship_to=_ship_to(step))
        return AmendHeader(requested_by=_party(step), customer_po=f"PO-{order.version}")
    if name == _N.DISPATCH:
        received = [c for c in order.open_cases if c.status is CaseStatus.RECEIVED]
        if received and step.amount % 2:
            return _replacement(order, received[0].case_id, step)
        return _dispatch(order, step)
    if name == _N.RECORD_TRANSIT:
        dispatched = [x for x in order.shipments if x.status is ShipmentStatus.DISPATCHED]
        return RecordTransit(shipment_id=dispatched[0].shipment_id if dispatched else "SH1")
    if name == _N.CONFIRM_DELIVERY:
        out = [x for x in order.shipments if x.status is not ShipmentStatus.DELIVERED]
        if out:
            return _confirm(out[step.line % len(out)], step)
        return ConfirmDelivery(shipment_id="SH1")
    if name == _N.BACKORDER:
        return _backorder(order, step)
    if name == _N.SPLIT_OFF:
        return _split_off(order, step)
    if name == _N.MERGE_INTO:
        return MergeInto(target_order_id=f"{order.order_id}-T", reason="walk")
    if name == _N.TAKE_LINES:
        return _take_lines(order, step)
    if name == _N.REPROMISE:
        promised = order.received_at + timedelta(days=step.amount + 1, hours=order.version)
        return Repromise(promised_delivery_at=promised, requested_by=_party(step), reason="walk")
    if name in ROWS:
        command_class = ROWS[name].command_class
        assert command_class is not None  # noqa: S101 - callers never get derived triggers
        return command_class(reason="walk")
    return HostTrigger(trigger=name, reason="walk")


def plan(order: Order, step: Step, spec: LifecycleSpec = CANONICAL) -> Command | None:
    """The command a step stands for, for the order as it stands (`None`: nothing allowed)."""
    allowed = allowed_commands(order, spec)
    if not allowed:
        return None
    if step.progress:
        forward = _forward(order, step)
        if forward is not None:
            return forward
        for forward_name in (_N.SUBMIT, _N.START_REVIEW, _N.APPROVE, _N.CLOSE, _N.ARCHIVE):
            if forward_name in allowed:
                return command_for(order, forward_name, Step(amount=step.amount))
    name = allowed[step.pick % len(allowed)]
    if name in _THINNED and step.amount % 3 and not step.progress:
        return plan(order, attrs.evolve(step, progress=True), spec)  # a step forward instead
    return command_for(order, name, step)


def drive(
    order: Order,
    sequence: list[Command | Step | Literal["approve"]],
    *,
    at: datetime,
    actor: Actor,
    spec: LifecycleSpec = CANONICAL,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> tuple[Order, list[OrderEvent]]:
    """Apply a walk, skipping what the lifecycle refuses with its typed errors.

    Each `Step` becomes a command fitting the order (see `plan`) and moves the clock on by
    its `hours`; a raw `Command` is applied as it is; the `APPROVE` marker becomes `Approve`
    with a passing verdict for the order as it stands. Any error that is not an
    `OrderCoreError` propagates: that is a bug the property test should find.

    Returns:
        The final order and the events of the accepted commands.
    """
    events: list[OrderEvent] = []
    now = max(at, order.updated_at or order.received_at)
    for item in sequence:
        if isinstance(item, Step):
            now += timedelta(hours=item.hours)
            command = plan(order, item, spec)
            if command is None:
                continue
        elif isinstance(item, Command):
            command = item
        else:
            command = Approve(verdict=_Verdict(order.order_id, order.version))
        try:
            order, new = apply(order, command, at=now, actor=actor, spec=spec, policy=policy)
        except OrderCoreError:
            continue
        events.extend(new)
    return order, events
