"""After-sales records: return (RMA), exchange, repair / warranty and complaint cases, and feedback.

A case is linked to one order line and moves through its own small state machine (defined in
[`ordercore.lifecycle.aftersales`][ordercore.lifecycle.aftersales]). An order cannot close while
any case is open. Complaints carry a root-cause category, the input of quality feedback.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> case = AfterSalesCase(
    ...     case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(2),
    ...     status=CaseStatus.REQUESTED, opened_at=datetime(2026, 4, 1, tzinfo=timezone.utc),
    ... )
    >>> case.is_open
    True
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field

from ordercore._base import Entity, Id, Quantity, Text, Timestamp

__all__ = [
    "FINAL_CASE_STATUSES",
    "AfterSalesCase",
    "CaseAction",
    "CaseKind",
    "CaseStatus",
    "Disposition",
    "Feedback",
    "RepairTerms",
    "ReturnCondition",
    "RootCause",
]


class CaseKind(StrEnum):
    """The kind of an after-sales case."""

    RETURN = "return"
    """Return merchandise authorisation (RMA): goods back, money back or a replacement."""
    EXCHANGE = "exchange"
    """Goods back, other goods out."""
    REPAIR = "repair"
    """Repair, under warranty or for a fee."""
    COMPLAINT = "complaint"
    """A complaint to investigate and resolve."""


class CaseStatus(StrEnum):
    """Where an after-sales case stands."""

    REQUESTED = "requested"
    """Opened by the customer; waiting for a decision."""
    APPROVED = "approved"
    """Accepted; waiting for the goods."""
    DECLINED = "declined"
    """Refused (final)."""
    RECEIVED = "received"
    """Goods (or the complaint) received."""
    INVESTIGATED = "investigated"
    """A complaint has been investigated; root cause known."""
    REFUNDED = "refunded"
    """Money returned (final)."""
    REPLACED = "replaced"
    """Goods replaced (final)."""
    REPAIRED = "repaired"
    """Goods repaired (final)."""
    RESOLVED = "resolved"
    """Complaint resolved (final)."""


FINAL_CASE_STATUSES: Final = frozenset(
    {
        CaseStatus.DECLINED,
        CaseStatus.REFUNDED,
        CaseStatus.REPLACED,
        CaseStatus.REPAIRED,
        CaseStatus.RESOLVED,
    }
)
"""The statuses in which a case is finished."""


class CaseAction(StrEnum):
    """A step of an after-sales case (the triggers of the case machines)."""

    APPROVE = "approve"
    """Accept the request."""
    DECLINE = "decline"
    """Refuse the request."""
    RECEIVE = "receive"
    """Receive the goods back (with their condition)."""
    REFUND = "refund"
    """Refund the received goods (a credit note on the line)."""
    REPLACE = "replace"
    """Send replacement goods."""
    REPAIR = "repair"
    """Record the repair."""
    INVESTIGATE = "investigate"
    """Record the investigation of a complaint (needs a root cause)."""
    RESOLVE = "resolve"
    """Close a complaint."""


class ReturnCondition(StrEnum):
    """The condition of goods received back."""

    RESALEABLE = "resaleable"
    """As new; back to stock."""
    DAMAGED = "damaged"
    """Damaged."""
    DEFECTIVE = "defective"
    """Defective (a quality problem)."""
    WRONG_ITEM = "wrong_item"
    """Not what was shipped."""


class RepairTerms(StrEnum):
    """Who pays for a repair."""

    WARRANTY = "warranty"
    """Under warranty: at the seller's cost."""
    CHARGEABLE = "chargeable"
    """Outside warranty: the customer pays."""


class Disposition(StrEnum):
    """What happens to goods received back."""

    RESTOCK = "restock"
    """Back to sellable stock."""
    SCRAP = "scrap"
    """Written off."""


class RootCause(StrEnum):
    """The root-cause category of a problem (quality feedback)."""

    PRODUCT_DEFECT = "product_defect"
    """The product itself was faulty."""
    WRONG_ITEM = "wrong_item"
    """Picking or order-entry error."""
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    """Damaged by the carrier."""
    LATE_DELIVERY = "late_delivery"
    """Delivered late."""
    PACKAGING = "packaging"
    """Not packed to requirements."""
    CUSTOMER_CHANGE = "customer_change"
    """The customer changed their mind."""
    SERVICE = "service"
    """Service or communication problem."""
    OTHER = "other"
    """Anything else."""


class AfterSalesCase(Entity):
    """One after-sales case, linked to an order line.

    Attributes:
        case_id: Unique within the order.
        kind: Return, exchange, repair or complaint.
        line_id: The order line concerned.
        quantity: How many units (zero for a complaint about the service).
        status: Where the case stands.
        opened_at: When it was opened.
        description: What the customer said.
        condition: The condition of the goods received back.
        root_cause: The root-cause category, once known.
        closed_at: When it reached a final status.
        repair_terms: For a repair: under warranty or chargeable (`None` for other kinds).
        disposition: For goods received back: restocked or scrapped, once decided.
    """

    case_id: Id
    kind: Annotated[CaseKind, Field(strict=False)]
    line_id: Id
    quantity: Quantity
    status: Annotated[CaseStatus, Field(strict=False)]
    opened_at: Timestamp
    description: Text = ""
    condition: Annotated[ReturnCondition, Field(strict=False)] | None = None
    root_cause: Annotated[RootCause, Field(strict=False)] | None = None
    closed_at: Timestamp | None = None
    repair_terms: Annotated[RepairTerms, Field(strict=False)] | None = None
    disposition: Annotated[Disposition, Field(strict=False)] | None = None

    @property
    def is_open(self) -> bool:
        """Whether the case still needs work."""
        return self.status not in FINAL_CASE_STATUSES


class Feedback(Entity):
    """Customer feedback collected when closing the order (or the decision to waive it).

    Attributes:
        recorded_at: When it was recorded or waived.
        waived: True when no feedback will be collected (the reason is in the event).
        score: A satisfaction score from 1 to 5, when given.
        comment: What the customer said.
    """

    recorded_at: Timestamp
    waived: bool = False
    score: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: Text = ""
