"""The lifecycle table: every command, where it is allowed, its guards, its event, its ledger field.

This is the one definition of the lifecycle. Each [`Transition`][ordercore.lifecycle.table.Transition]
row says, for one command (or one derived trigger the lifecycle fires itself): the statuses
it is allowed in, where it leads (`None`: the status stays), the guards that run on it, the
event it emits, and the ledger field it moves. Everything else is read from here:

- the class-level `transitions.Machine` (`ordercore.lifecycle.machine`), whose conditions
  are these guards, so the diagram shows exactly the guards that run;
- `apply` (which event to emit, which field to move, which guards to run, which derived
  transitions to fire) and `replay` (which status or ledger field an event changes);
- the testing kit's strategies (which commands are movements) and the docs' tables.

Examples:
    >>> row = ROWS["ship"]
    >>> row.moves, row.event.__name__, [g.__name__ for g in row.guards]
    (<LedgerField.SHIPPED: 'shipped'>, 'QuantityShipped', ['known_line', 'not_held', 'allocation_covers', 'advance_received'])
    >>> [r.command for r in TABLE if r.derived]
    ['send_back_to_review', 'start_fulfilment', 'complete_fulfilment']
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import ordercore.lifecycle.billing as b
import ordercore.lifecycle.commands as c
import ordercore.lifecycle.guards as g
import ordercore.lifecycle.header as h
from ordercore.events import (
    AllocationReleased,
    CaseAdvanced,
    CaseOpened,
    CheckpointRecorded,
    CreditNoteIssued,
    DeliveryRepromised,
    FeedbackRecorded,
    FeedbackWaived,
    FulfilmentStarted,
    HeaderAmended,
    HoldPlaced,
    HoldReleased,
    InvoiceIssued,
    LineBackordered,
    LineShortClosed,
    LinesMerged,
    MaterialProcured,
    OrderAmended,
    OrderApproved,
    OrderArchived,
    OrderCancelled,
    OrderClosed,
    OrderEvent,
    OrderExpired,
    OrderFulfilled,
    OrderMerged,
    OrderRejected,
    OrderReopened,
    OrderSplit,
    OrderSubmitted,
    PaymentReceived,
    PaymentRecorded,
    ProductionPlanned,
    QuantityAllocated,
    QuantityDelivered,
    QuantityInvoiced,
    QuantityPacked,
    QuantityProduced,
    QuantityShipped,
    RefundIssued,
    ReviewReopened,
    ReviewStarted,
    RiskAssessed,
    ShipmentCollected,
    ShipmentDelivered,
    ShipmentDispatched,
)
from ordercore.ledger import LedgerField
from ordercore.lifecycle.commands import CommandName as N
from ordercore.lifecycle.split import merge_fits, split_fits, takes_lines_fits
from ordercore.status import OrderStatus as S

__all__ = [
    "DERIVED",
    "FINAL_STATUSES",
    "MOVEMENTS",
    "REOPENINGS",
    "ROWS",
    "TABLE",
    "Transition",
]

FINAL_STATUSES: Final = frozenset({S.CLOSED, S.REJECTED, S.CANCELLED, S.EXPIRED})
"""The statuses where an order ends: it can be archived there, and a closed one reopened."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the lifecycle table.

    Attributes:
        command: The command name (the trigger).
        sources: The statuses the command is allowed in.
        dest: Where it leads; `None` keeps the status (an internal transition).
        guards: Run in this order on the transition; the first refusal wins.
        event: The event class the command emits.
        command_class: The command's class; `None` for a derived trigger.
        moves: For a ledger movement, the field it moves.
        derived: Fired by the lifecycle itself when its guards pass, never by a caller.
        lowers: The movement lowers its field (a release) instead of raising it.
        reopens: The one kind of exit a final status may have: reopening a closed order.
        fired_by: For a derived trigger, the commands after which it is tried (empty: after
            any command); its guards are not run after any other.
    """

    command: str
    sources: tuple[S, ...]
    dest: S | None
    guards: tuple[g.Guard, ...]
    event: type[OrderEvent]
    command_class: type[c.Command] | None = None
    moves: LedgerField | None = None
    derived: bool = False
    lowers: bool = False
    reopens: bool = False
    fired_by: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Names are plain strings, as the machine, error messages and events carry them.
        object.__setattr__(self, "command", str(self.command))


_OPEN: Final = (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_FULFILMENT, S.FULFILLED)
_BEFORE_SHIPPING: Final = (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_FULFILMENT)
_UNREVIEWED: Final = (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW)
_FULFILLING: Final = (S.APPROVED, S.IN_FULFILMENT)
_BILLING: Final = (S.APPROVED, S.IN_FULFILMENT, S.FULFILLED)
_AFTER_SALES: Final = (S.IN_FULFILMENT, S.FULFILLED)
_ENDS: Final = tuple(sorted(FINAL_STATUSES))

_MOVE: Final = g.MOVEMENT_GUARDS


def _movement(
    cls: type[c.Movement],
    field: LedgerField,
    event: type[OrderEvent],
    guards: tuple[g.Guard, ...] = _MOVE,
    sources: tuple[S, ...] = _FULFILLING,
    *,
    lowers: bool = False,
) -> Transition:
    return Transition(cls.name, sources, None, guards, event, cls, field, lowers=lowers)


TABLE: Final[tuple[Transition, ...]] = (
    # 1 receipt and review
    Transition(N.SUBMIT, (S.DRAFT,), S.SUBMITTED, (), OrderSubmitted, c.Submit),
    Transition(N.START_REVIEW, (S.SUBMITTED,), S.UNDER_REVIEW, (), ReviewStarted, c.StartReview),
    Transition(
        N.APPROVE,
        (S.UNDER_REVIEW,),
        S.APPROVED,
        (g.review_passed, g.not_held),
        OrderApproved,
        c.Approve,
    ),
    Transition(
        N.REJECT,
        (S.UNDER_REVIEW,),
        S.REJECTED,
        (g.reason_given, g.nothing_shipped_or_paid),
        OrderRejected,
        c.Reject,
    ),
    Transition(
        N.EXPIRE,
        _UNREVIEWED,
        S.EXPIRED,
        (g.past_review_expiry, g.nothing_shipped_or_paid),
        OrderExpired,
        c.Expire,
    ),
    Transition(
        N.CANCEL,
        _BEFORE_SHIPPING,
        S.CANCELLED,
        (g.nothing_shipped_or_paid,),
        OrderCancelled,
        c.Cancel,
    ),
    Transition(
        N.AMEND,
        (*_UNREVIEWED, *_FULFILLING),
        None,
        (g.amendment_valid,),
        OrderAmended,
        c.AmendOrder,
    ),
    Transition(
        N.AMEND_HEADER, _OPEN, None, (h.header_amendment_valid,), HeaderAmended, c.AmendHeader
    ),
    Transition(
        N.REPROMISE,
        (*_UNREVIEWED, *_FULFILLING),
        None,
        (g.reason_given, h.repromise_valid),
        DeliveryRepromised,
        c.Repromise,
    ),
    # 2-4 processing, tracking, delivery: ledger movements (the status follows the ledger)
    _movement(c.Allocate, LedgerField.ALLOCATED, QuantityAllocated),
    _movement(
        c.ReleaseAllocation,
        LedgerField.ALLOCATED,
        AllocationReleased,
        (g.known_line, g.reason_given, g.allocation_unpacked),
        lowers=True,
    ),
    _movement(c.PlanProduction, LedgerField.PLANNED, ProductionPlanned),
    _movement(c.Procure, LedgerField.PROCURED, MaterialProcured),
    _movement(c.Produce, LedgerField.PRODUCED, QuantityProduced),
    _movement(c.Pack, LedgerField.PACKED, QuantityPacked),
    _movement(c.Ship, LedgerField.SHIPPED, QuantityShipped, g.SHIP_GUARDS),
    _movement(c.Deliver, LedgerField.DELIVERED, QuantityDelivered, g.DELIVER_GUARDS),
    _movement(
        c.ShortClose,
        LedgerField.CANCELLED,
        LineShortClosed,
        (g.known_line, g.leaves_something_open),
    ),
    # billing in units (a host that bills elsewhere records what it billed and was paid)
    _movement(
        c.Invoice,
        LedgerField.INVOICED,
        QuantityInvoiced,
        (*_MOVE, g.billed_in_units),
        sources=_BILLING,
    ),
    _movement(
        c.RecordPayment,
        LedgerField.PAID,
        PaymentRecorded,
        (g.known_line, g.billed_in_units),
        sources=_BILLING,
    ),
    # billing in money: invoices and credit notes, payments (advances too) and refunds
    Transition(
        N.ISSUE_INVOICE,
        _BILLING,
        None,
        (b.document_new, b.unit_billing_absent, b.invoice_fits, b.invoice_not_held),
        InvoiceIssued,
        c.IssueInvoice,
    ),
    Transition(
        N.ISSUE_CREDIT_NOTE,
        _BILLING,
        None,
        (b.document_new, b.credit_fits),
        CreditNoteIssued,
        c.IssueCreditNote,
    ),
    Transition(
        N.RECEIVE_PAYMENT,
        _OPEN,
        None,
        (b.unit_billing_absent, b.payment_fits),
        PaymentReceived,
        c.ReceivePayment,
    ),
    Transition(
        N.ISSUE_REFUND,
        _OPEN,
        None,
        (g.reason_given, b.refund_fits),
        RefundIssued,
        c.IssueRefund,
    ),
    # shipments as records: several lines at once, carrier and tracking, delivery per shipment
    Transition(
        N.DISPATCH,
        _BILLING,  # fulfilled too: replacements for after-sales cases
        None,
        (g.new_shipment, g.replacement_fits, g.lines_shippable),
        ShipmentDispatched,
        c.Dispatch,
    ),
    Transition(
        N.RECORD_TRANSIT,
        _AFTER_SALES,
        None,
        (g.shipment_dispatched,),
        ShipmentCollected,
        c.RecordTransit,
    ),
    Transition(
        N.CONFIRM_DELIVERY,
        _AFTER_SALES,
        None,
        (g.shipment_deliverable, g.lines_deliverable),
        ShipmentDelivered,
        c.ConfirmDelivery,
    ),
    Transition(
        N.BACKORDER,
        _FULFILLING,
        None,
        (g.known_line, g.backorder_fits),
        LineBackordered,
        c.Backorder,
    ),
    # split: unfulfilled quantities move into a new order (`split` creates it, linked)
    Transition(N.SPLIT_OFF, _BEFORE_SHIPPING, None, (split_fits,), OrderSplit, c.SplitOff),
    # merge: orders with nothing started end, their lines move into a target (`merge`)
    Transition(
        N.MERGE_INTO,
        (*_UNREVIEWED, S.APPROVED),
        S.CANCELLED,
        (merge_fits,),
        OrderMerged,
        c.MergeInto,
    ),
    Transition(
        N.TAKE_LINES,
        (*_UNREVIEWED, *_FULFILLING),
        None,
        (takes_lines_fits,),
        LinesMerged,
        c.TakeLines,
    ),
    # derived: fired by the lifecycle after a command, first match first, until none applies
    Transition(
        N.SEND_BACK_TO_REVIEW,
        _FULFILLING,
        S.UNDER_REVIEW,
        (g.amendment_worsened,),
        ReviewReopened,
        derived=True,
        fired_by=frozenset({N.AMEND, N.AMEND_HEADER, N.TAKE_LINES}),
    ),
    Transition(
        N.START_FULFILMENT,
        (S.APPROVED,),
        S.IN_FULFILMENT,
        (g.started_fulfilment,),
        FulfilmentStarted,
        derived=True,
    ),
    Transition(
        N.COMPLETE_FULFILMENT,
        (S.IN_FULFILMENT,),
        S.FULFILLED,
        (g.delivered_in_full,),
        OrderFulfilled,
        derived=True,
    ),
    # holds and risk, in every open status
    Transition(N.PLACE_HOLD, _OPEN, None, (g.new_hold,), HoldPlaced, c.PlaceHold),
    Transition(
        N.RELEASE_HOLD,
        _OPEN,
        None,
        (g.active_hold, g.reason_given, g.release_authorised),
        HoldReleased,
        c.ReleaseHold,
    ),
    Transition(N.RECORD_RISK_ASSESSMENT, _OPEN, None, (), RiskAssessed, c.RecordRiskAssessment),
    Transition(N.RECORD_CHECKPOINT, _OPEN, None, (), CheckpointRecorded, c.RecordCheckpoint),
    # after-sales and 5 closing
    Transition(N.OPEN_CASE, _AFTER_SALES, None, (g.case_can_open,), CaseOpened, c.OpenCase),
    Transition(N.ADVANCE_CASE, _AFTER_SALES, None, (), CaseAdvanced, c.AdvanceCase),
    Transition(
        N.RECORD_FEEDBACK,
        (S.FULFILLED,),
        None,
        (g.feedback_once,),
        FeedbackRecorded,
        c.RecordFeedback,
    ),
    Transition(
        N.WAIVE_FEEDBACK,
        (S.FULFILLED,),
        None,
        (g.reason_given, g.feedback_once),
        FeedbackWaived,
        c.WaiveFeedback,
    ),
    Transition(N.CLOSE, (S.FULFILLED,), S.CLOSED, (g.closing_gate,), OrderClosed, c.Close),
    Transition(
        N.REOPEN,
        (S.CLOSED,),
        S.FULFILLED,
        (g.reason_given, g.reopen_authorised),
        OrderReopened,
        c.Reopen,
        reopens=True,
    ),
    Transition(N.ARCHIVE, _ENDS, None, (), OrderArchived, c.Archive),
)
"""The canonical lifecycle, one row per command and derived trigger."""

ROWS: Final = MappingProxyType({row.command: row for row in TABLE})
"""The rows by command name."""

MOVEMENTS: Final = MappingProxyType({row.command: row for row in TABLE if row.moves is not None})
"""The ledger movements by command name."""

DERIVED: Final = frozenset(row.command for row in TABLE if row.derived)
"""Triggers the lifecycle fires itself; callers cannot send them."""

REOPENINGS: Final = frozenset(
    (source.value, row.command) for row in TABLE if row.reopens for source in row.sources
)
"""The (final status, command) pairs that may leave a final status: reopening."""
