"""Totals: what an order's lines add up to, carried by the order itself.

The sums the KPI frames read of every order (ordered, cancelled and delivered quantities,
the net value of what is still open, and how many open lines are not yet shipped or
delivered) follow from the lines alone. The lifecycle keeps them on the order as it folds each
event in (`ordercore.lifecycle.create`, `apply`, `evolve`, `replay`), and the `Order` model
refuses totals that are not what its lines give, so an order read back from storage cannot
carry stale ones. There is one definition of a line's share, `ordercore.orders.line_sums`,
which the model, the lifecycle and the frames all call. An order built by hand, or stored
before the field existed, has `None`, and the frames sum its lines instead.

Examples:
    >>> from decimal import Decimal
    >>> totals = OrderTotals(ordered=Decimal(5), open_net=Decimal("12.50"), open_lines=1,
    ...     unshipped_lines=1, undelivered_lines=1)
    >>> totals.cancelled, totals.open_lines
    (Decimal('0'), 1)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Self

from pydantic import Field, model_validator

from ordercore._base import EXACT, MAX_AMOUNT, Entity, decimal_field

__all__ = ["TOTAL_FIELDS", "OrderTotals"]

_ZERO: Final = Decimal(0)
_Quantity = Annotated[Decimal, decimal_field(ge=0, decimal_places=6), EXACT]
_Amount = Annotated[Decimal, decimal_field(ge=0, le=MAX_AMOUNT, decimal_places=8), EXACT]
_Count = Annotated[int, Field(ge=0, strict=True)]

TOTAL_FIELDS: Final = (
    "ordered",
    "cancelled",
    "delivered",
    "open_net",
    "open_lines",
    "unshipped_lines",
    "undelivered_lines",
)
"""The fields of `OrderTotals`, in the order `ordercore.orders.line_sums` returns them."""


class OrderTotals(Entity):
    """What an order's lines add up to (see `ordercore.orders.line_sums`).

    A line is *open* while its ordered quantity exceeds what was cancelled of it.

    Attributes:
        ordered: The ordered quantities, summed over the lines.
        cancelled: The cancelled quantities (the ledgers' ``cancelled``), summed.
        delivered: The delivered quantities (the ledgers' ``delivered``), summed.
        open_net: The net amount of the open quantities (each line's `net_amount`), summed,
            in the order's currency.
        open_lines: How many lines are open.
        unshipped_lines: How many open lines have shipped less than their open quantity.
        undelivered_lines: How many open lines have had less than their open quantity
            delivered.
    """

    ordered: _Quantity
    cancelled: _Quantity = _ZERO
    delivered: _Quantity = _ZERO
    open_net: _Amount = _ZERO
    open_lines: _Count = 0
    unshipped_lines: _Count = 0
    undelivered_lines: _Count = 0

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.cancelled > self.ordered:
            raise ValueError(f"cancelled {self.cancelled} exceeds ordered {self.ordered}")
        for name in ("unshipped_lines", "undelivered_lines"):
            if getattr(self, name) > self.open_lines:
                raise ValueError(
                    f"{name} {getattr(self, name)} exceeds open_lines {self.open_lines}"
                )
        return self
