"""The commands: what a person or a system asks the lifecycle to do to an order.

Commands are frozen, validated values (pydantic models), built by hosts from Python, JSON or
a form. Every field is checked when the command is built, with the limits the entities
enforce: ids and texts as on `Order`, quantities as on the ledger (positive, at most a
billion, at most six places), enum members given as their values (``"credit"``) or refused
with the allowed values. A bad field raises [`InvalidCommand`][ordercore.errors.InvalidCommand]
naming the command and the field, before anything is decided, so nothing `apply` emits
can fail to parse back.

Each command has a `name` (a [`CommandName`][ordercore.lifecycle.commands.CommandName], the
trigger in the transition table), and every command may carry a `reason` and a
`correlation_id`, copied into its events.

Examples:
    >>> from decimal import Decimal
    >>> Ship(line_id="1", quantity=Decimal(4), reason="first truck").name
    <CommandName.SHIP: 'ship'>
    >>> PlaceHold(hold_id="H-1", hold_reason="credit").hold_reason
    <HoldReason.CREDIT: 'credit'>
    >>> Ship(line_id="1", quantity=Decimal(0))
    Traceback (most recent call last):
    ...
    ordercore.errors.InvalidCommand: invalid Ship command: quantity: Input should be greater than 0
    >>> PlaceHold.model_validate_json('{"hold_id": "H-2", "hold_reason": "credit", "blocks": ["ship"]}').blocks
    (<HoldAction.SHIP: 'ship'>,)
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Protocol, Self, runtime_checkable

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)

from ordercore._base import (
    Id,
    PositiveQuantity,
    Quantity,
    ShortText,
    Text,
    Timestamp,
)
from ordercore.aftersales import (
    CaseAction,
    CaseKind,
    Disposition,
    RepairTerms,
    ReturnCondition,
    RootCause,
)
from ordercore.billing import PaymentTerms, positive_in_minor_units
from ordercore.errors import InvalidCommand
from ordercore.events import Party
from ordercore.holds import HoldAction, HoldReason
from ordercore.money import Money
from ordercore.orders import (
    MAX_LINES,
    Address,
    Contact,
    OrderLine,
    PackagingRequirements,
    Rate,
    RiskLevelValue,
)
from ordercore.shipments import TransportMode

__all__ = [
    "AdvanceCase",
    "Allocate",
    "AmendHeader",
    "AmendOrder",
    "Approve",
    "Archive",
    "Backorder",
    "Cancel",
    "Close",
    "Command",
    "CommandName",
    "ConfirmDelivery",
    "Deliver",
    "Dispatch",
    "Expire",
    "HostTrigger",
    "Invoice",
    "IssueCreditNote",
    "IssueInvoice",
    "IssueRefund",
    "MergeInto",
    "Movement",
    "OpenCase",
    "Pack",
    "PlaceHold",
    "PlanProduction",
    "Procure",
    "Produce",
    "ReceivePayment",
    "RecordCheckpoint",
    "RecordFeedback",
    "RecordPayment",
    "RecordRiskAssessment",
    "RecordTransit",
    "Reject",
    "ReleaseAllocation",
    "ReleaseHold",
    "Reopen",
    "Repromise",
    "ReviewVerdict",
    "Ship",
    "ShortClose",
    "SplitOff",
    "StartReview",
    "Submit",
    "TakeLines",
    "WaiveFeedback",
    "model_refusal",
]


class CommandName(StrEnum):
    """The name of every canonical command (and of the derived triggers the lifecycle fires)."""

    SUBMIT = "submit"
    """Finish entry."""
    START_REVIEW = "start_review"
    """Begin the order review."""
    APPROVE = "approve"
    """Approve with a passing review result."""
    REJECT = "reject"
    """Refuse in review."""
    CANCEL = "cancel"
    """Cancel the whole order (nothing shipped yet)."""
    EXPIRE = "expire"
    """Expire an order left unreviewed past the policy's limit."""
    AMEND = "amend"
    """Change quantities, lines or the date on the unfulfilled part."""
    AMEND_HEADER = "amend_header"
    """Change ship-to, contact, references, packaging, or prices not yet invoiced."""
    REPROMISE = "repromise"
    """Promise a new delivery date, with a reason and who asked."""
    ALLOCATE = "allocate"
    """Allocate stock or capacity to a line."""
    RELEASE_ALLOCATION = "release_allocation"
    """Release (de-allocate) unpacked allocated quantity of a line, with a reason."""
    PLAN_PRODUCTION = "plan_production"
    """Put line quantity into a production plan."""
    PROCURE = "procure"
    """Record material procured for line quantity."""
    PRODUCE = "produce"
    """Record line quantity produced."""
    PACK = "pack"
    """Record line quantity packed."""
    SHIP = "ship"
    """Record line quantity shipped."""
    DELIVER = "deliver"
    """Record line quantity delivered."""
    INVOICE = "invoice"
    """Record line quantity invoiced."""
    RECORD_PAYMENT = "record_payment"
    """Record payment for line quantity."""
    SHORT_CLOSE = "short_close"
    """Cancel part of a line that will not be delivered."""
    DISPATCH = "dispatch"
    """Ship several lines at once as one shipment, with carrier and tracking."""
    RECORD_TRANSIT = "record_transit"
    """Record that the carrier has taken a shipment."""
    CONFIRM_DELIVERY = "confirm_delivery"
    """Confirm a shipment received, in full or in part, with a proof of delivery."""
    BACKORDER = "backorder"
    """Record line quantity waiting for stock, with the date it is expected."""
    SPLIT_OFF = "split_off"
    """Move unfulfilled line quantities into a new order (`split` makes that order)."""
    MERGE_INTO = "merge_into"
    """End an order whose lines move into another of the same customer (`merge`)."""
    TAKE_LINES = "take_lines"
    """Take the lines of an order merged into this one (`merge`)."""
    PLACE_HOLD = "place_hold"
    """Place a hold."""
    RELEASE_HOLD = "release_hold"
    """Release a hold."""
    RECORD_RISK_ASSESSMENT = "record_risk_assessment"
    """Record a risk assessment in the trail."""
    ISSUE_INVOICE = "issue_invoice"
    """Issue an invoice in money for delivered (or open) quantities."""
    ISSUE_CREDIT_NOTE = "issue_credit_note"
    """Credit goods of an invoice back (a return, a correction)."""
    RECEIVE_PAYMENT = "receive_payment"
    """Record money received, against an invoice or on account."""
    ISSUE_REFUND = "issue_refund"
    """Record money paid back to the customer."""
    RECORD_CHECKPOINT = "record_checkpoint"
    """Record a supervision checkpoint (a second approval, an inspection) on the order."""
    OPEN_CASE = "open_case"
    """Open an after-sales case on a line."""
    ADVANCE_CASE = "advance_case"
    """Take a step on an after-sales case."""
    RECORD_FEEDBACK = "record_feedback"
    """Record customer feedback."""
    WAIVE_FEEDBACK = "waive_feedback"
    """Decide not to collect feedback."""
    CLOSE = "close"
    """Close a fulfilled, settled order."""
    ARCHIVE = "archive"
    """Set the archive flag on a finished order."""
    REOPEN = "reopen"
    """Reopen a closed order for a late case (a reason and the authority needed)."""
    START_FULFILMENT = "start_fulfilment"
    """Derived trigger: the first fulfilment movement moves APPROVED to IN_FULFILMENT."""
    COMPLETE_FULFILMENT = "complete_fulfilment"
    """Derived trigger: everything open delivered moves IN_FULFILMENT to FULFILLED."""
    SEND_BACK_TO_REVIEW = "send_back_to_review"
    """Derived trigger: an amendment beyond the policy moves the order back to review."""


@runtime_checkable
class ReviewVerdict(Protocol):
    """What approval needs from an order review: for which order and version, and the outcome."""

    @property
    def order_id(self) -> str:
        """The order reviewed."""
        ...

    @property
    def order_version(self) -> int:
        """The version of the order reviewed; approval needs the order's current version."""
        ...

    @property
    def passed(self) -> bool:
        """Whether the review found nothing blocking."""
        ...

    @property
    def failure_reasons(self) -> tuple[str, ...]:
        """Why it failed (shown in the refusal)."""
        ...


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [
        (".".join(str(part) for part in item["loc"]), item["msg"])
        for item in error.errors(include_url=False)
    ]


def model_refusal(error: ValidationError) -> str:
    """A model's validation error as one refusal text (``"lines.0.quantity: ...; ..."``).

    The guards that build an amended order with the entity's own validators refuse with it.
    """
    return "; ".join(f"{where}: {msg}" if where else msg for where, msg in _problems(error))


class Command(BaseModel):
    """Base of every command: a frozen, validated value.

    Building a command with a bad field raises `InvalidCommand` (also a `ValueError`) that
    names the command and each field; `model_validate` and `model_validate_json` do the same.

    Attributes:
        reason: Why; copied into every event the command emits (free text, at most 4000
            characters, no control characters but tab and newline).
        correlation_id: Ties the command's events to a wider business transaction (a short
            text of at most 200 characters).
    """

    model_config = ConfigDict(
        frozen=True,
        strict=True,
        extra="forbid",
        revalidate_instances="never",
        hide_input_in_errors=True,
    )

    name: ClassVar[str] = ""
    reason: Text = ""
    correlation_id: ShortText | None = None

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise InvalidCommand(type(self).__name__, _problems(error)) from None

    # This `__init__` only changes the error type, so pydantic may treat it as its own: then
    # `model_validate_json` reads JSON by the JSON rules (decimal strings, ISO timestamps,
    # arrays for pairs) instead of calling `__init__` with the parsed values.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping (or a command) into this command; `InvalidCommand` if bad."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as error:
            raise InvalidCommand(cls.__name__, _problems(error)) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate JSON into this command; `InvalidCommand` if bad."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as error:
            raise InvalidCommand(cls.__name__, _problems(error)) from None


class Submit(Command):
    """Finish entry: DRAFT -> SUBMITTED."""

    name: ClassVar[str] = CommandName.SUBMIT


class StartReview(Command):
    """Begin review: SUBMITTED -> UNDER_REVIEW."""

    name: ClassVar[str] = CommandName.START_REVIEW


def _check_verdict(value: object) -> object:
    if not isinstance(value, ReviewVerdict):
        raise ValueError(  # noqa: TRY004 - pydantic turns ValueError into a field error
            "a review result is needed: an object with order_id, order_version, passed and "
            f"failure_reasons (ordercore.validation.ReviewResult), got {type(value).__name__}"
        )
    if type(value.order_id) is not str or type(value.order_version) is not int:
        raise ValueError("the review result's order_id must be a str and order_version an int")
    if type(value.passed) is not bool:
        raise ValueError("the review result's passed must be a bool")
    return value


def _dump_verdict(value: ReviewVerdict) -> dict[str, object]:
    return {
        "order_id": value.order_id,
        "order_version": value.order_version,
        "passed": value.passed,
        "failure_reasons": list(value.failure_reasons),
    }


_Verdict = Annotated[Any, AfterValidator(_check_verdict), PlainSerializer(_dump_verdict)]


class Approve(Command):
    """Approve: UNDER_REVIEW -> APPROVED, with a passing review result for this very version.

    Attributes:
        verdict: The review result (any `ReviewVerdict`; `ordercore.validation.review`
            returns one). It is not rebuilt from JSON: a verdict comes from a review.
        override: Approve although the review failed (a credit override, say): needs a
            reason and the policy's authority; the event records what was overridden.
    """

    name: ClassVar[str] = CommandName.APPROVE
    verdict: _Verdict
    override: bool = False


class Reject(Command):
    """Refuse in review: UNDER_REVIEW -> REJECTED (a reason is required)."""

    name: ClassVar[str] = CommandName.REJECT


class Cancel(Command):
    """Cancel the whole order; refused once anything has shipped or been paid.

    Attributes:
        requested_by: Who asked: the customer or the seller (a `Party` or its value). The
            KPIs need it: a customer's cancellation is left out of OTIF, a seller's fails it.
    """

    name: ClassVar[str] = CommandName.CANCEL
    requested_by: Annotated[Party, Field(strict=False)]


class Expire(Command):
    """Expire an unreviewed order older than the policy's `review_expiry`."""

    name: ClassVar[str] = CommandName.EXPIRE


class Close(Command):
    """Close: FULFILLED -> CLOSED once settled, no open case, no hold, feedback handled."""

    name: ClassVar[str] = CommandName.CLOSE


class Reopen(Command):
    """Reopen a closed order: CLOSED -> FULFILLED, for a late complaint or return.

    A reason is required and the policy's authority decides who may (action
    `REOPEN_ORDER`). The order closes again through the closing gate once its new case
    is resolved. An archived order cannot be reopened.
    """

    name: ClassVar[str] = CommandName.REOPEN


class Archive(Command):
    """Set the archive flag on a closed, rejected, cancelled or expired order."""

    name: ClassVar[str] = CommandName.ARCHIVE


class Movement(Command):
    """Base of the commands that move one ledger field of one line.

    Attributes:
        line_id: The line.
        quantity: How much, in the line's unit: greater than zero, at most a billion, at
            most six decimal places.
    """

    line_id: Id
    quantity: PositiveQuantity


class Allocate(Movement):
    """Allocate stock or capacity to a line (policy stage 2)."""

    name: ClassVar[str] = CommandName.ALLOCATE


class ReleaseAllocation(Movement):
    """Release allocated quantity of a line that is not packed (a reason is required).

    Stock or capacity goes back to the host's pool; allocate again when it is there. A
    short-close or an amendment below the allocation releases the excess by itself.
    """

    name: ClassVar[str] = CommandName.RELEASE_ALLOCATION


class PlanProduction(Movement):
    """Put line quantity into the production plan."""

    name: ClassVar[str] = CommandName.PLAN_PRODUCTION


class Procure(Movement):
    """Record material procured for line quantity."""

    name: ClassVar[str] = CommandName.PROCURE


class Produce(Movement):
    """Record line quantity finished in production."""

    name: ClassVar[str] = CommandName.PRODUCE


class Pack(Movement):
    """Record line quantity packed (no more than allocated)."""

    name: ClassVar[str] = CommandName.PACK


class Ship(Movement):
    """Record line quantity shipped (needs allocation and packing, and no blocking hold)."""

    name: ClassVar[str] = CommandName.SHIP


class Deliver(Movement):
    """Record line quantity delivered (no more than shipped)."""

    name: ClassVar[str] = CommandName.DELIVER


class Invoice(Movement):
    """Record line quantity invoiced."""

    name: ClassVar[str] = CommandName.INVOICE


class RecordPayment(Movement):
    """Record payment received for line quantity (no more than invoiced)."""

    name: ClassVar[str] = CommandName.RECORD_PAYMENT


class ShortClose(Movement):
    """Cancel part of a line that will not be delivered (line-level cancellation).

    Attributes:
        requested_by: Who asked: the customer (the quantity is no longer owed) or the seller
            (it is owed and will not come, which fill rates and OTIF count as a shortfall).
    """

    name: ClassVar[str] = CommandName.SHORT_CLOSE
    requested_by: Annotated[Party, Field(strict=False)]


def _distinct_lines(
    value: tuple[tuple[str, Decimal], ...],
) -> tuple[tuple[str, Decimal], ...]:
    seen: set[str] = set()
    for line_id, _ in value:
        if line_id in seen:
            raise ValueError(f"line {line_id!r} is named twice")
        seen.add(line_id)
    return value


_LineQuantities = Annotated[
    tuple[tuple[Id, PositiveQuantity], ...],
    Field(strict=False, max_length=MAX_LINES),
    AfterValidator(_distinct_lines),
]
"""Quantities by line id, each line once (a JSON array of ``[line_id, quantity]`` pairs)."""
_SomeLineQuantities = Annotated[_LineQuantities, Field(min_length=1)]
"""As `_LineQuantities`, with at least one line."""


class Dispatch(Command):
    """Ship several lines at once as one shipment (a delivery note), with its carrier and tracking.

    Each line moves its `shipped` as `Ship` would, with the same checks (known line, no
    hold blocking shipping, packed quantity covering it); the shipment is recorded on the
    order (`Order.shipments`) and delivered later with `ConfirmDelivery`.

    Attributes:
        shipment_id: New within the order.
        lines: Quantity by line id (each line once, at least one).
        warehouse: The warehouse or location it leaves from.
        carrier: Who carries it.
        mode: How it travels (a `TransportMode` or its value).
        tracking_ref: The carrier's tracking reference.
        planned_delivery_at: When it is planned to arrive.
        case_id: Ship the replacement for an exchange (or return) case whose goods came
            back: the one line of the case and its quantity. It replaces the goods (the
            case becomes `replaced`, the line's `exchanged` moves) and is tracked like any
            shipment, so a late replacement shows. Allowed in `fulfilled` too.
    """

    name: ClassVar[str] = CommandName.DISPATCH
    shipment_id: Id
    lines: _SomeLineQuantities
    warehouse: Id | None = None
    carrier: ShortText | None = None
    mode: Annotated[TransportMode, Field(strict=False)] | None = None
    tracking_ref: ShortText | None = None
    planned_delivery_at: Timestamp | None = None
    case_id: Id | None = None


class RecordTransit(Command):
    """Record that the carrier has taken a dispatched shipment.

    Attributes:
        shipment_id: The shipment.
        tracking_ref: The tracking reference, if it is known only now.
    """

    name: ClassVar[str] = CommandName.RECORD_TRANSIT
    shipment_id: Id
    tracking_ref: ShortText | None = None


class ConfirmDelivery(Command):
    """Confirm a shipment received: every line in full, or the quantities given.

    Each line moves its `delivered` as `Deliver` would (no hold blocking delivery). What is
    not confirmed stays out on the shipment and may be confirmed later.

    Attributes:
        shipment_id: The shipment.
        lines: Quantity received by line id (each line once); empty: everything on the
            shipment not yet confirmed.
        proof_of_delivery: The reference of the signed delivery note or photo.
    """

    name: ClassVar[str] = CommandName.CONFIRM_DELIVERY
    shipment_id: Id
    lines: _LineQuantities = ()
    proof_of_delivery: ShortText | None = None


class Backorder(Command):
    """Record how much of a line waits for stock or production, and when it is expected.

    It replaces the line's previous backorder; shipping works it off (`OrderLine.backordered`).

    Attributes:
        line_id: The line.
        quantity: How much waits (no more than the line's open, unshipped quantity).
        expected_at: When it is expected to be available to ship (not before receipt).
    """

    name: ClassVar[str] = CommandName.BACKORDER
    line_id: Id
    quantity: PositiveQuantity
    expected_at: Timestamp


_PositiveMoney = Annotated[Money, AfterValidator(positive_in_minor_units)]


class IssueInvoice(Command):
    """Issue an invoice in money: lines at the order's prices, due as the terms say.

    Each line's net and tax are computed from the order line's unit price, discount and
    tax rate, rounded once per line; the invoice's instalments come from `terms` (or the
    order's `terms`, or due on the invoice date). The line's `invoiced` moves by the
    quantity, up to what is open. An order billed this way is billed in money throughout:
    the unit commands `Invoice` and `RecordPayment` are refused on it.

    Attributes:
        invoice_id: New among the order's billing documents.
        lines: Quantity by line id (each line once, at least one).
        terms: The payment terms of this invoice, if not the order's.
    """

    name: ClassVar[str] = CommandName.ISSUE_INVOICE
    invoice_id: Id
    lines: _SomeLineQuantities
    terms: PaymentTerms | None = None


class IssueCreditNote(Command):
    """Credit goods of an invoice back, at the prices it billed them at.

    Attributes:
        credit_note_id: New among the order's billing documents.
        invoice_id: The invoice it credits.
        lines: Quantity by line id, at most what the invoice bills less earlier credits.
        case_id: The after-sales case it is for (a return), if any.
    """

    name: ClassVar[str] = CommandName.ISSUE_CREDIT_NOTE
    credit_note_id: Id
    invoice_id: Id
    lines: _SomeLineQuantities
    case_id: Id | None = None


class ReceivePayment(Command):
    """Record money received, against an invoice or on account (an advance payment).

    Attributes:
        payment_id: New among the order's payments.
        amount: How much, in the order's currency (more than zero).
        invoice_id: The invoice it pays; `None` for a payment on account.
        method: How it was paid.
        reference: The bank's or provider's reference.
    """

    name: ClassVar[str] = CommandName.RECEIVE_PAYMENT
    payment_id: Id
    amount: _PositiveMoney
    invoice_id: Id | None = None
    method: ShortText | None = None
    reference: ShortText | None = None


class IssueRefund(Command):
    """Record money paid back to the customer; a reason is required.

    Attributes:
        refund_id: New among the order's refunds.
        amount: How much, in the order's currency (more than zero), at most what was paid.
        payment_id: The payment it pays back, if one is named.
        case_id: The after-sales case it is for, if any.
    """

    name: ClassVar[str] = CommandName.ISSUE_REFUND
    refund_id: Id
    amount: _PositiveMoney
    payment_id: Id | None = None
    case_id: Id | None = None


class SplitOff(Command):
    """Move unfulfilled line quantities off this order into a new one (the split's source side).

    Use `ordercore.lifecycle.split`, which applies this and creates the new order with the
    moved lines; both orders are linked. A line moved in full leaves the order (nothing may
    be recorded on it); a line moved in part keeps what is committed, as an amendment
    would (allocation above the rest is released). At least one line stays.

    Attributes:
        new_order_id: The order the quantities move to.
        lines: Quantity moved by line id (each line once, at least one).
    """

    name: ClassVar[str] = CommandName.SPLIT_OFF
    new_order_id: Id
    lines: _SomeLineQuantities


class MergeInto(Command):
    """End this order because its lines move into another (the merge's source side).

    Use `ordercore.lifecycle.merge`, which applies this to each merged order and
    `TakeLines` to the target. Only an order with nothing started may merge: no ledger
    movement, shipment, case or active hold. It ends `cancelled`, linked `merged_into`
    the target; the KPI frames leave it out (its lines are counted on the target).

    Attributes:
        target_order_id: The order the lines move to.
    """

    name: ClassVar[str] = CommandName.MERGE_INTO
    target_order_id: Id


class TakeLines(Command):
    """Take the lines of an order merged into this one (the merge's target side).

    The lines are new here (new ids, empty ledgers) and change the order's content like
    an amendment, so an approved order goes back to review when the policy says so.

    Attributes:
        source_order_id: The order merged in.
        new_lines: Its lines, under ids new to this order.
    """

    name: ClassVar[str] = CommandName.TAKE_LINES
    source_order_id: Id
    new_lines: Annotated[
        tuple[OrderLine, ...], Field(strict=False, min_length=1, max_length=MAX_LINES)
    ]


class AmendOrder(Command):
    """Change the unfulfilled part of an order.

    The amended order must be one the `Order` model accepts (the lifecycle validates it
    with the model's own validators), and no quantity may go below what is already
    allocated, produced, shipped or invoiced.

    Attributes:
        quantities: New ordered quantities by line id (each line once).
        new_lines: Lines to add (their ids must be new, their ledgers empty).
        requested_delivery_at: A new requested delivery date; `None` leaves it unchanged.
    """

    name: ClassVar[str] = CommandName.AMEND
    quantities: _LineQuantities = ()
    new_lines: Annotated[tuple[OrderLine, ...], Field(strict=False, max_length=MAX_LINES)] = ()
    requested_delivery_at: Timestamp | None = None


class AmendHeader(Command):
    """Change the header after entry, before or after approval; `None` leaves a field as it is.

    A phone order's written confirmation arriving later, a new ship-to, a customer PO, a
    price agreed again: each is one versioned change. Prices and discounts change only on
    lines nothing is invoiced on. The amended order must be one the `Order` model accepts.
    A change of a field in `LifecyclePolicy.re_review_fields` (the ship-to, by default), or
    one that raises the total beyond `amount_increase_tolerance`, sends an approved order
    back to review.

    Attributes:
        requested_by: Who asked (the customer or the seller).
        ship_to: A new delivery address.
        contact: A new contact.
        customer_po: The customer's purchase-order reference.
        confirmation_ref: The reference of the written confirmation of a phone or fax order.
        packaging: New packing requirements.
        unit_prices: New unit prices by line id (each line once), in the order's currency.
        discount_rates: New discount rates by line id (each line once), from 0 to 1.
    """

    name: ClassVar[str] = CommandName.AMEND_HEADER
    requested_by: Annotated[Party, Field(strict=False)]
    ship_to: Address | None = None
    contact: Contact | None = None
    customer_po: ShortText | None = None
    confirmation_ref: ShortText | None = None
    packaging: PackagingRequirements | None = None
    unit_prices: Annotated[
        tuple[tuple[Id, Money], ...],
        Field(strict=False, max_length=MAX_LINES),
        AfterValidator(_distinct_lines),
    ] = ()
    discount_rates: Annotated[
        tuple[tuple[Id, Rate], ...],
        Field(strict=False, max_length=MAX_LINES),
        AfterValidator(_distinct_lines),
    ] = ()


class Repromise(Command):
    """Promise a new delivery date (a reason is required): the commitment OTIF measures against.

    Attributes:
        promised_delivery_at: The new promised date (not before the order was received).
        requested_by: Who asked: the customer (a later date wanted) or the seller (cannot
            make the old one).
    """

    name: ClassVar[str] = CommandName.REPROMISE
    promised_delivery_at: Timestamp
    requested_by: Annotated[Party, Field(strict=False)]


class PlaceHold(Command):
    """Place a hold; a risk engine places one with `reason=HoldReason.RISK` as a system actor.

    Attributes:
        hold_id: New within the order.
        hold_reason: The reason code (a `HoldReason` or its value).
        line_ids: The lines held; empty for the whole order.
        blocks: The actions blocked (at least one); `None` takes `DEFAULT_BLOCKS[hold_reason]`.
        note: Free text.
    """

    name: ClassVar[str] = CommandName.PLACE_HOLD
    hold_id: Id
    hold_reason: Annotated[HoldReason, Field(strict=False)]
    line_ids: Annotated[tuple[Id, ...], Field(strict=False, max_length=MAX_LINES)] = ()
    blocks: (
        Annotated[
            tuple[Annotated[HoldAction, Field(strict=False)], ...],
            Field(strict=False, min_length=1),
        ]
        | None
    ) = None
    note: Text = ""


class ReleaseHold(Command):
    """Release an active hold: a reason is required, and the policy's authority decides who may."""

    name: ClassVar[str] = CommandName.RELEASE_HOLD
    hold_id: Id


_Recommendation = Literal["accept", "review", "hold", "reject"]


class RecordRiskAssessment(Command):
    """Record a risk assessment in the trail; allowed in every open status.

    Attributes:
        score: Points from 0 to 100.
        level: The risk level (``"low"``, ``"medium"``, ``"high"``, ``"critical"``).
        recommendation: The recommended action (``"accept"``, ``"review"``, ``"hold"``,
            ``"reject"``).
        policy_version: The version of the risk policy that scored.
        reasons: The reason codes that contributed.
    """

    name: ClassVar[str] = CommandName.RECORD_RISK_ASSESSMENT
    score: Annotated[int, Field(ge=0, le=100)]
    level: RiskLevelValue
    recommendation: _Recommendation
    policy_version: Id
    reasons: Annotated[tuple[Id, ...], Field(strict=False, max_length=100)] = ()


class RecordCheckpoint(Command):
    """Record a supervision checkpoint on the order; allowed in every open status.

    The host's supervision plan says which checkpoints an order needs (by risk level and
    stage) and turns them into guards (see `ordercore.risk.supervision`); this command only
    records that one was done, by whom (the actor), with what result and note (`reason`).

    Attributes:
        checkpoint: The checkpoint's name in the plan (``"second_approval"``).
        passed: What the check found; `False` records a check done and failed.
    """

    name: ClassVar[str] = CommandName.RECORD_CHECKPOINT
    checkpoint: Id
    passed: bool = True


class OpenCase(Command):
    """Open an after-sales case on a delivered line.

    Attributes:
        case_id: New within the order.
        kind: Return, exchange, repair or complaint (a `CaseKind` or its value).
        line_id: The line concerned.
        quantity: Units concerned (returns and exchanges: no more than delivered and not
            yet asked back; zero only for a complaint).
        description: What the customer said.
        repair_terms: For a repair (required there, refused elsewhere): under warranty or
            chargeable.
    """

    name: ClassVar[str] = CommandName.OPEN_CASE
    case_id: Id
    kind: Annotated[CaseKind, Field(strict=False)]
    line_id: Id
    quantity: Quantity = Decimal(0)
    description: Text = ""
    repair_terms: Annotated[RepairTerms, Field(strict=False)] | None = None


class AdvanceCase(Command):
    """Take one step on an after-sales case (its own machine says which steps are allowed).

    Attributes:
        case_id: The case.
        action: The step (a `CaseAction` or its value).
        condition: For `receive`: the condition of the goods.
        root_cause: For `investigate` (required) and other steps (optional).
        disposition: For `receive` of a return or exchange (optional there, refused
            elsewhere): whether the goods are restocked or scrapped.
    """

    name: ClassVar[str] = CommandName.ADVANCE_CASE
    case_id: Id
    action: Annotated[CaseAction, Field(strict=False)]
    condition: Annotated[ReturnCondition, Field(strict=False)] | None = None
    root_cause: Annotated[RootCause, Field(strict=False)] | None = None
    disposition: Annotated[Disposition, Field(strict=False)] | None = None


class RecordFeedback(Command):
    """Record the customer's feedback (a 1-5 score and/or a comment)."""

    name: ClassVar[str] = CommandName.RECORD_FEEDBACK
    score: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: Text = ""


class WaiveFeedback(Command):
    """Decide not to collect feedback (give the reason)."""

    name: ClassVar[str] = CommandName.WAIVE_FEEDBACK


class HostTrigger(Command):
    """Fire a host-defined trigger of an extended machine (see `ordercore.lifecycle.extend`)."""

    name: ClassVar[str] = "host_trigger"
    trigger: Id
