"""Milestones: what an order's trail says about it, carried by the order itself.

The lifecycle keeps them as it folds each event in (`ordercore.lifecycle.apply`, `replay`,
`evolve`), by the rules `ordercore.lifecycle._marks` holds, the same rules the KPI frames read
a trail by (`ordercore.kpi.convert`). An order whose trail is known from its creation carries
them; an order built by hand, or stored before the field existed, has `None`: nobody knows
what its trail said, and the frames read its events instead.

Examples:
    >>> from datetime import datetime, timezone
    >>> marks = Milestones(status_since=datetime(2026, 3, 2, tzinfo=timezone.utc),
    ...     approved_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> marks.approved_at.isoformat(), marks.ended_at is None
    ('2026-03-02T00:00:00+00:00', True)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Literal, Self

from pydantic import model_validator

from ordercore._base import EXACT, Entity, Timestamp, decimal_field

__all__ = ["Milestones"]

_ZERO: Final = Decimal(0)
_Total = Annotated[Decimal, decimal_field(ge=0, decimal_places=6), EXACT]


class Milestones(Entity):
    """The moments of an order's trail the KPIs read, as the lifecycle recorded them.

    Attributes:
        status_since: The last event that changed the status (the creation, at first).
        approved_at: The first approval: the moment of commitment.
        shipped_at: The last shipment of any line (the frames show it only once nothing is
            left to ship).
        delivered_at: The last delivery of any line (likewise, once everything is delivered).
        ended_at: The last cancellation, rejection or expiry.
        ended_by: Who ended it: ``customer`` or ``seller`` for a cancellation that says who
            asked, ``seller`` for a rejection or expiry, `None` when the trail does not say.
        seller_cut: The quantity the seller short-closed, over all lines (still owed, never
            filled, unlike what the customer cancelled).
    """

    status_since: Timestamp | None = None
    approved_at: Timestamp | None = None
    shipped_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    ended_by: Literal["customer", "seller"] | None = None
    seller_cut: _Total = _ZERO

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.ended_by is not None and self.ended_at is None:
            raise ValueError(f"ended_by is {self.ended_by!r} but ended_at is not set")
        return self

    def earliest(self) -> Timestamp | None:
        """The earliest moment recorded (`None` if none): no milestone precedes receipt."""
        moments = [
            m
            for m in (
                self.status_since,
                self.approved_at,
                self.shipped_at,
                self.delivered_at,
                self.ended_at,
            )
            if m is not None
        ]
        return min(moments) if moments else None
