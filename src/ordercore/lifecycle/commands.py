"""The commands: what a person or a system asks the lifecycle to do to an order.

Commands are plain frozen dataclasses (cheap to build, no validation of their own: the
lifecycle's guards check them). Each has a `name` (a
[`CommandName`][ordercore.lifecycle.commands.CommandName], the trigger in the transition
table), and every command may carry a `reason` and a `correlation_id`, copied into its events.

Examples:
    >>> from decimal import Decimal
    >>> Ship(line_id="1", quantity=Decimal(4), reason="first truck").name
    <CommandName.SHIP: 'ship'>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime  # noqa: TC003 - dataclass fields are read at runtime by tools
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ordercore.aftersales import CaseAction, CaseKind, ReturnCondition, RootCause
    from ordercore.holds import HoldAction, HoldReason
    from ordercore.lifecycle.guards import ReviewVerdict
    from ordercore.orders import OrderLine

__all__ = [
    "MOVEMENT_COMMANDS",
    "AdvanceCase",
    "Allocate",
    "AmendOrder",
    "Approve",
    "Archive",
    "Cancel",
    "Close",
    "Command",
    "CommandName",
    "Deliver",
    "Expire",
    "HostTrigger",
    "Invoice",
    "OpenCase",
    "Pack",
    "PlaceHold",
    "PlanProduction",
    "Procure",
    "Produce",
    "RecordFeedback",
    "RecordPayment",
    "RecordRiskAssessment",
    "Reject",
    "ReleaseHold",
    "Ship",
    "ShortClose",
    "StartReview",
    "Submit",
    "WaiveFeedback",
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
    ALLOCATE = "allocate"
    """Allocate stock or capacity to a line."""
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
    PLACE_HOLD = "place_hold"
    """Place a hold."""
    RELEASE_HOLD = "release_hold"
    """Release a hold."""
    RECORD_RISK_ASSESSMENT = "record_risk_assessment"
    """Record a risk assessment in the trail."""
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
    START_FULFILMENT = "start_fulfilment"
    """Derived trigger: the first fulfilment movement moves APPROVED to IN_FULFILMENT."""
    COMPLETE_FULFILMENT = "complete_fulfilment"
    """Derived trigger: everything open delivered moves IN_FULFILMENT to FULFILLED."""
    SEND_BACK_TO_REVIEW = "send_back_to_review"
    """Derived trigger: an amendment beyond the policy moves the order back to review."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """Base of every command.

    Attributes:
        reason: Why; copied into every event the command emits.
        correlation_id: Ties the command's events to a wider business transaction.
    """

    name: ClassVar[str] = ""
    reason: str = ""
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Submit(Command):
    """Finish entry: DRAFT -> SUBMITTED."""

    name: ClassVar[str] = CommandName.SUBMIT


@dataclass(frozen=True, slots=True, kw_only=True)
class StartReview(Command):
    """Begin review: SUBMITTED -> UNDER_REVIEW."""

    name: ClassVar[str] = CommandName.START_REVIEW


@dataclass(frozen=True, slots=True, kw_only=True)
class Approve(Command):
    """Approve: UNDER_REVIEW -> APPROVED, with a passing review result for this very version."""

    name: ClassVar[str] = CommandName.APPROVE
    verdict: ReviewVerdict


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject(Command):
    """Refuse in review: UNDER_REVIEW -> REJECTED (a reason is required)."""

    name: ClassVar[str] = CommandName.REJECT


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancel(Command):
    """Cancel the whole order; refused once anything has shipped (short-close lines instead)."""

    name: ClassVar[str] = CommandName.CANCEL


@dataclass(frozen=True, slots=True, kw_only=True)
class Expire(Command):
    """Expire an unreviewed order older than the policy's `review_expiry`."""

    name: ClassVar[str] = CommandName.EXPIRE


@dataclass(frozen=True, slots=True, kw_only=True)
class Close(Command):
    """Close: FULFILLED -> CLOSED once settled, no open case, no hold, feedback handled."""

    name: ClassVar[str] = CommandName.CLOSE


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive(Command):
    """Set the archive flag on a closed, rejected, cancelled or expired order."""

    name: ClassVar[str] = CommandName.ARCHIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class _Movement(Command):
    line_id: str
    quantity: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Allocate(_Movement):
    """Allocate stock or capacity to a line (policy stage 2)."""

    name: ClassVar[str] = CommandName.ALLOCATE


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanProduction(_Movement):
    """Put line quantity into the production plan."""

    name: ClassVar[str] = CommandName.PLAN_PRODUCTION


@dataclass(frozen=True, slots=True, kw_only=True)
class Procure(_Movement):
    """Record material procured for line quantity."""

    name: ClassVar[str] = CommandName.PROCURE


@dataclass(frozen=True, slots=True, kw_only=True)
class Produce(_Movement):
    """Record line quantity finished in production."""

    name: ClassVar[str] = CommandName.PRODUCE


@dataclass(frozen=True, slots=True, kw_only=True)
class Pack(_Movement):
    """Record line quantity packed (no more than allocated)."""

    name: ClassVar[str] = CommandName.PACK


@dataclass(frozen=True, slots=True, kw_only=True)
class Ship(_Movement):
    """Record line quantity shipped (needs allocation and packing, and no blocking hold)."""

    name: ClassVar[str] = CommandName.SHIP


@dataclass(frozen=True, slots=True, kw_only=True)
class Deliver(_Movement):
    """Record line quantity delivered (no more than shipped)."""

    name: ClassVar[str] = CommandName.DELIVER


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice(_Movement):
    """Record line quantity invoiced."""

    name: ClassVar[str] = CommandName.INVOICE


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordPayment(_Movement):
    """Record payment received for line quantity (no more than invoiced)."""

    name: ClassVar[str] = CommandName.RECORD_PAYMENT


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortClose(_Movement):
    """Cancel part of a line that will not be delivered (line-level cancellation)."""

    name: ClassVar[str] = CommandName.SHORT_CLOSE


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendOrder(Command):
    """Change the unfulfilled part of an order.

    Attributes:
        quantities: New ordered quantities by line id; never below what is already
            allocated, produced, shipped or invoiced.
        new_lines: Lines to add (their ids must be new, their ledgers empty).
        requested_delivery_at: A new requested delivery date; `None` leaves it unchanged.
    """

    name: ClassVar[str] = CommandName.AMEND
    quantities: tuple[tuple[str, Decimal], ...] = ()
    new_lines: tuple[OrderLine, ...] = ()
    requested_delivery_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceHold(Command):
    """Place a hold; a risk engine places one with `reason=HoldReason.RISK` as a system actor.

    Attributes:
        hold_id: New within the order.
        hold_reason: The reason code.
        line_ids: The lines held; empty for the whole order.
        blocks: The actions blocked; `None` takes `DEFAULT_BLOCKS[hold_reason]`.
        note: Free text.
    """

    name: ClassVar[str] = CommandName.PLACE_HOLD
    hold_id: str
    hold_reason: HoldReason
    line_ids: tuple[str, ...] = ()
    blocks: tuple[HoldAction, ...] | None = None
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseHold(Command):
    """Release an active hold."""

    name: ClassVar[str] = CommandName.RELEASE_HOLD
    hold_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRiskAssessment(Command):
    """Record a risk assessment in the trail; allowed in every non-final status.

    Attributes:
        score: Points from 0 to 100.
        level: The risk level (``"low"``, ``"medium"``, ``"high"``, ``"critical"``).
        recommendation: The recommended action (``"accept"``, ``"review"``, ``"hold"``, ...).
        policy_version: The version of the risk policy that scored.
        reasons: The reason codes that contributed.
    """

    name: ClassVar[str] = CommandName.RECORD_RISK_ASSESSMENT
    score: int
    level: str
    recommendation: str
    policy_version: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCase(Command):
    """Open an after-sales case on a delivered line.

    Attributes:
        case_id: New within the order.
        kind: Return, exchange, repair or complaint.
        line_id: The line concerned.
        quantity: Units concerned (returns and exchanges: no more than delivered and not
            yet asked back).
        description: What the customer said.
    """

    name: ClassVar[str] = CommandName.OPEN_CASE
    case_id: str
    kind: CaseKind
    line_id: str
    quantity: Decimal = field(default_factory=Decimal)
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvanceCase(Command):
    """Take one step on an after-sales case (its own machine says which steps are allowed).

    Attributes:
        case_id: The case.
        action: The step.
        condition: For `receive`: the condition of the goods.
        root_cause: For `investigate` (required) and other steps (optional).
    """

    name: ClassVar[str] = CommandName.ADVANCE_CASE
    case_id: str
    action: CaseAction
    condition: ReturnCondition | None = None
    root_cause: RootCause | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordFeedback(Command):
    """Record the customer's feedback (a 1-5 score and/or a comment)."""

    name: ClassVar[str] = CommandName.RECORD_FEEDBACK
    score: int | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiveFeedback(Command):
    """Decide not to collect feedback (give the reason)."""

    name: ClassVar[str] = CommandName.WAIVE_FEEDBACK


@dataclass(frozen=True, slots=True, kw_only=True)
class HostTrigger(Command):
    """Fire a host-defined trigger of an extended machine (see `ordercore.lifecycle.extend`)."""

    name: ClassVar[str] = "host_trigger"
    trigger: str


MOVEMENT_COMMANDS: frozenset[str] = frozenset(
    {
        CommandName.ALLOCATE,
        CommandName.PLAN_PRODUCTION,
        CommandName.PROCURE,
        CommandName.PRODUCE,
        CommandName.PACK,
        CommandName.SHIP,
        CommandName.DELIVER,
        CommandName.INVOICE,
        CommandName.RECORD_PAYMENT,
        CommandName.SHORT_CLOSE,
    }
)
"""The commands that move one ledger field of one line."""
