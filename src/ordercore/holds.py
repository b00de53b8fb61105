"""Holds: records that stop some actions on an order (or some of its lines) until released.

A hold is not a status. Several holds can be active at once, each with a reason code, a scope
(the whole order, or some line ids), the actions it blocks, and who placed and released it and
when. The lifecycle refuses a blocked command with a `GuardRejected` naming the hold; closing
an order needs every hold released.

Examples:
    >>> from datetime import datetime, timezone
    >>> hold = Hold(
    ...     hold_id="H-1", reason=HoldReason.ADDRESS, blocks=DEFAULT_BLOCKS[HoldReason.ADDRESS],
    ...     placed_at=datetime(2026, 3, 2, tzinfo=timezone.utc), placed_by="user:li.wei",
    ... )
    >>> hold.active, hold.blocks_action(HoldAction.SHIP, "1"), hold.blocks_action(HoldAction.INVOICE, None)
    (True, True, False)
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import Field

from ordercore._base import Entity, Id, ShortText, Text, Timestamp

__all__ = ["DEFAULT_BLOCKS", "Hold", "HoldAction", "HoldReason"]


class HoldReason(StrEnum):
    """Why an order is held."""

    CREDIT = "credit"
    """Credit limit or overdue balance."""
    RISK = "risk"
    """Placed by risk assessment (usually automatically, by the system)."""
    ADDRESS = "address"
    """Ship-to address missing, wrong or unverifiable."""
    STOCK = "stock"
    """Stock or capacity is not available."""
    CUSTOMER_REQUEST = "customer_request"
    """The customer asked to wait."""
    QUALITY = "quality"
    """A quality check is pending."""
    OTHER = "other"
    """Anything else; say what in the note."""


class HoldAction(StrEnum):
    """An action a hold can block (the values are lifecycle command names)."""

    APPROVE = "approve"
    """Approving the order after review."""
    ALLOCATE = "allocate"
    """Allocating stock or capacity."""
    PLAN_PRODUCTION = "plan_production"
    """Putting quantity into a production plan."""
    PROCURE = "procure"
    """Procuring material."""
    PRODUCE = "produce"
    """Recording production."""
    PACK = "pack"
    """Packing."""
    SHIP = "ship"
    """Shipping."""
    DELIVER = "deliver"
    """Recording delivery."""
    INVOICE = "invoice"
    """Invoicing."""


DEFAULT_BLOCKS: Final = MappingProxyType(
    {
        HoldReason.CREDIT: (HoldAction.APPROVE, HoldAction.ALLOCATE, HoldAction.SHIP),
        HoldReason.RISK: (HoldAction.APPROVE, HoldAction.ALLOCATE, HoldAction.SHIP),
        HoldReason.ADDRESS: (HoldAction.SHIP,),
        HoldReason.STOCK: (HoldAction.ALLOCATE, HoldAction.SHIP),
        HoldReason.CUSTOMER_REQUEST: (
            HoldAction.ALLOCATE,
            HoldAction.PLAN_PRODUCTION,
            HoldAction.PRODUCE,
            HoldAction.PACK,
            HoldAction.SHIP,
        ),
        HoldReason.QUALITY: (HoldAction.PACK, HoldAction.SHIP),
        HoldReason.OTHER: (HoldAction.SHIP,),
    }
)
"""The actions a hold blocks when the command placing it does not say: reason -> actions."""


class Hold(Entity):
    """One hold on an order.

    Attributes:
        hold_id: Unique within the order.
        reason: The reason code.
        line_ids: The lines held; empty means the whole order.
        blocks: The actions refused while the hold is active (at least one).
        note: Free text.
        placed_at: When it was placed.
        placed_by: Who placed it, as ``"kind:id"`` (``"system:risk-engine"``).
        released_at: When it was released; `None` while active.
        released_by: Who released it.
        release_reason: Why it was released (the `ReleaseHold` reason).
    """

    hold_id: Id
    reason: Annotated[HoldReason, Field(strict=False)]
    line_ids: tuple[Id, ...] = Field(default=(), strict=False)
    blocks: Annotated[tuple[HoldAction, ...], Field(min_length=1, strict=False)]
    note: Text = ""
    placed_at: Timestamp
    placed_by: ShortText
    released_at: Timestamp | None = None
    released_by: ShortText | None = None
    release_reason: Text = ""

    @property
    def active(self) -> bool:
        """Whether the hold still applies."""
        return self.released_at is None

    def blocks_action(self, action: HoldAction | str, line_id: str | None) -> bool:
        """Whether this hold, if active, blocks `action` on `line_id` (None: the whole order).

        An order-level hold blocks the action everywhere; a line hold blocks it on its lines
        and on order-wide actions.
        """
        if self.released_at is not None or action not in self.blocks:
            return False
        return not self.line_ids or line_id is None or line_id in self.line_ids
