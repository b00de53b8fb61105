"""The per-line quantity ledger and the progress dimensions derived from it.

Every line carries a [`LineLedger`][ordercore.ledger.LineLedger]: how much of the ordered
quantity has been cancelled, allocated, planned, procured, produced, packed, shipped,
delivered, asked back, returned, exchanged, repaired, invoiced and paid. Quantities are
`Decimal`s in the line's unit of measure, never percentages, so a 99.9996 % delivery cannot
masquerade as complete.

The invariants (checked whenever a ledger is built or moved):

| field | may not exceed |
|---|---|
| cancelled | ordered |
| allocated, planned, procured, produced, invoiced | open × (1 + tolerance) |
| packed | allocated |
| shipped | packed |
| delivered | shipped |
| return_requested | delivered |
| returned | return_requested |
| exchanged | returned |
| repaired | delivered |
| paid | invoiced |

where *open* = ordered − cancelled and *tolerance* is the line's explicit over-delivery
tolerance (0 by default). No field is ever negative. The arithmetic is exact and ignores the
caller's decimal context.

Examples:
    >>> from decimal import Decimal
    >>> ledger = LineLedger().moved(LedgerField.ALLOCATED, Decimal(6), ordered=Decimal(10))
    >>> ledger = ledger.moved(LedgerField.PACKED, Decimal(6), ordered=Decimal(10))
    >>> ledger.moved(LedgerField.SHIPPED, Decimal(7), ordered=Decimal(10), line_id="L1")
    Traceback (most recent call last):
    ...
    ordercore.errors.LedgerViolation: line L1: shipped would become 7, more than packed (6)
"""

from __future__ import annotations

from decimal import Decimal, DecimalException
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Final

from ordercore._base import (
    ARITHMETIC,
    EXACT,
    MAX_QUANTITY,
    ROUNDING,
    Entity,
    Quantity,
    decimal_field,
)
from ordercore.errors import AmountOutOfRange, LedgerViolation
from ordercore.status import Progress

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "LIMITS",
    "Dimension",
    "LedgerField",
    "LineLedger",
    "Tolerance",
    "check_ledger",
    "check_movement",
    "combine_progress",
    "line_progress",
    "open_ceiling",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_PLACES: Final = 6
_MICRO: Final = Decimal("1E-6")
_LOWEST: Final = -MAX_QUANTITY
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply

Tolerance = Annotated[Decimal, decimal_field(ge=0, le=Decimal("0.5")), EXACT]
"""A fraction between 0 and 0.5 (50 %) by which a quantity may exceed the open quantity."""


class LedgerField(StrEnum):
    """A quantity column of the line ledger."""

    CANCELLED = "cancelled"
    """Cancelled or short-closed; no longer owed."""
    ALLOCATED = "allocated"
    """Reserved from stock or capacity for this line."""
    PLANNED = "planned"
    """Put into a production plan."""
    PROCURED = "procured"
    """Covered by material procurement."""
    PRODUCED = "produced"
    """Finished in production."""
    PACKED = "packed"
    """Packed to the customer's requirements."""
    SHIPPED = "shipped"
    """Handed to the carrier."""
    DELIVERED = "delivered"
    """Received by the customer."""
    RETURN_REQUESTED = "return_requested"
    """Asked back by the customer (an RMA was opened)."""
    RETURNED = "returned"
    """Received back from the customer."""
    EXCHANGED = "exchanged"
    """Returned units replaced by new ones."""
    REPAIRED = "repaired"
    """Delivered units repaired under warranty or for a fee."""
    INVOICED = "invoiced"
    """Billed to the customer."""
    PAID = "paid"
    """Paid by the customer."""


# field -> (the field it may not exceed, or None for the open quantity with tolerance)
_LIMITS: Final[dict[LedgerField, LedgerField | None]] = {
    LedgerField.ALLOCATED: None,
    LedgerField.PLANNED: None,
    LedgerField.PROCURED: None,
    LedgerField.PRODUCED: None,
    LedgerField.INVOICED: None,
    LedgerField.PACKED: LedgerField.ALLOCATED,
    LedgerField.SHIPPED: LedgerField.PACKED,
    LedgerField.DELIVERED: LedgerField.SHIPPED,
    LedgerField.RETURN_REQUESTED: LedgerField.DELIVERED,
    LedgerField.RETURNED: LedgerField.RETURN_REQUESTED,
    LedgerField.EXCHANGED: LedgerField.RETURNED,
    LedgerField.REPAIRED: LedgerField.DELIVERED,
    LedgerField.PAID: LedgerField.INVOICED,
}


LIMITS: Final = MappingProxyType(_LIMITS)
"""Each capped ledger field -> the field it may not exceed (`None`: the open quantity with
its tolerance); `cancelled` is capped by the ordered quantity."""

_CAPPED_BY_OPEN: Final = tuple(f.value for f, limit in _LIMITS.items() if limit is None)
_CAPPED_BY_FIELD: Final = tuple(
    (f.value, limit.value) for f, limit in _LIMITS.items() if limit is not None
)


class LineLedger(Entity):
    """The quantities recorded against one order line (all start at zero)."""

    cancelled: Quantity = _ZERO
    allocated: Quantity = _ZERO
    planned: Quantity = _ZERO
    procured: Quantity = _ZERO
    produced: Quantity = _ZERO
    packed: Quantity = _ZERO
    shipped: Quantity = _ZERO
    delivered: Quantity = _ZERO
    return_requested: Quantity = _ZERO
    returned: Quantity = _ZERO
    exchanged: Quantity = _ZERO
    repaired: Quantity = _ZERO
    invoiced: Quantity = _ZERO
    paid: Quantity = _ZERO

    def get(self, field: LedgerField) -> Decimal:
        """Return the quantity recorded in one field."""
        value: Decimal = getattr(self, field.value)
        return value

    def moved(
        self,
        field: LedgerField,
        delta: Decimal,
        *,
        ordered: Decimal,
        tolerance: Decimal = _ZERO,
        line_id: str = "?",
    ) -> LineLedger:
        """Return a new ledger with `delta` added to `field` (negative deltas reverse).

        Args:
            field: The column to move.
            delta: The change, in the line's unit of measure.
            ordered: The line's ordered quantity.
            tolerance: The line's over-delivery tolerance (a fraction).
            line_id: Used in error messages.

        Raises:
            LedgerViolation: If the result breaks an invariant; the ledger is unchanged.
            AmountOutOfRange: If `delta` is beyond `MAX_QUANTITY` either way or has more
                than 6 decimal places (no quantity can hold it).
        """
        if type(delta) is not Decimal or not delta.is_finite():
            raise TypeError(f"a ledger movement must be a finite Decimal, got {delta!r}")
        if not _LOWEST <= delta <= MAX_QUANTITY or ROUNDING.quantize(delta, _MICRO) != delta:
            raise AmountOutOfRange(
                f"move {field.value} of line {line_id} by {delta}", delta, MAX_QUANTITY, _PLACES
            )
        values = self.__dict__.copy()
        values[field.value] = _add(values[field.value], delta)
        candidate = LineLedger.model_construct(**values)
        check_movement(
            candidate, field.value, ordered=ordered, tolerance=tolerance, line_id=line_id
        )
        return candidate

    def open_quantity(self, ordered: Decimal) -> Decimal:
        """The quantity still owed: ordered minus cancelled."""
        return _subtract(ordered, self.cancelled)


def _ceiling(ordered: Decimal, cancelled: Decimal, tolerance: Decimal) -> Decimal:
    """Open quantity × (1 + tolerance), exactly: the cap of allocation and the like."""
    try:
        open_qty = _subtract(ordered, cancelled) if cancelled else ordered
        return _multiply(open_qty, _add(_ONE, tolerance)) if tolerance else open_qty
    except DecimalException:  # operands no line holds: far more digits than a quantity has
        raise AmountOutOfRange(
            f"compute the open quantity of {ordered} less {cancelled} with tolerance {tolerance}",
            ordered,
            MAX_QUANTITY,
            _PLACES,
        ) from None


def open_ceiling(ordered: Decimal, cancelled: Decimal, tolerance: Decimal = _ZERO) -> Decimal:
    """The most a line may allocate, plan, procure, produce or invoice: open × (1 + tolerance).

    Exact whatever the caller's decimal context.

    Examples:
        >>> open_ceiling(Decimal(10), Decimal(4), Decimal("0.05"))
        Decimal('6.30')

    Raises:
        AmountOutOfRange: For operands no line can hold.
    """
    return _ceiling(ordered, cancelled, tolerance)


def check_ledger(
    ledger: LineLedger, *, ordered: Decimal, tolerance: Decimal = _ZERO, line_id: str = "?"
) -> None:
    """Check every ledger invariant (see the module docs).

    Raises:
        LedgerViolation: For the first invariant broken, naming line, field and limit.
    """
    # Plain string keys and tuples: this runs on every ledger movement, so no enum lookups.
    values = ledger.__dict__
    for name, value in values.items():
        if value < 0:
            raise LedgerViolation(line_id, name, value, _ZERO, "zero")
    cancelled = values["cancelled"]
    if cancelled > ordered:
        raise LedgerViolation(line_id, "cancelled", cancelled, ordered, "ordered")
    ceiling = _ceiling(ordered, cancelled, tolerance)
    for name in _CAPPED_BY_OPEN:
        value = values[name]
        if value > ceiling:
            limit_name = "open quantity" if not tolerance else f"open quantity + {tolerance:%}"
            raise LedgerViolation(line_id, name, value, ceiling, limit_name)
    for name, limit_name in _CAPPED_BY_FIELD:
        value = values[name]
        limit = values[limit_name]
        if value > limit:
            raise LedgerViolation(line_id, name, value, limit, limit_name)


# field -> the fields whose limit it is (what a decrease of it can break)
_DEPENDENTS: Final[dict[str, tuple[str, ...]]] = {
    f.value: tuple(g for g, limit in _CAPPED_BY_FIELD if limit == f.value) for f in LedgerField
}
_DEPENDENTS["cancelled"] = _CAPPED_BY_OPEN  # more cancelled lowers the open ceiling
_LIMIT_OF: Final[dict[str, str | None]] = {f.value: None for f in LedgerField} | dict(
    _CAPPED_BY_FIELD
)


def check_movement(
    ledger: LineLedger,
    field: str,
    *,
    ordered: Decimal,
    tolerance: Decimal = _ZERO,
    line_id: str = "?",
) -> None:
    """Check only the invariants a change of one field can break, on the changed ledger.

    Equivalent to [`check_ledger`][ordercore.ledger.check_ledger] when the ledger was valid
    before the change, at a fraction of the cost (it runs on every lifecycle movement).

    Raises:
        LedgerViolation: For the first invariant broken.
    """
    values = ledger.__dict__
    value = values[field]
    if value < 0:
        raise LedgerViolation(line_id, field, value, _ZERO, "zero")
    cancelled = values["cancelled"]
    ceiling = _ceiling(ordered, cancelled, tolerance)
    if field == "cancelled":
        if cancelled > ordered:
            raise LedgerViolation(line_id, "cancelled", cancelled, ordered, "ordered")
    else:
        limit_name = _LIMIT_OF[field]
        if limit_name is not None:
            limit = values[limit_name]
            if value > limit:
                raise LedgerViolation(line_id, field, value, limit, limit_name)
        elif value > ceiling:
            name = "open quantity" if not tolerance else f"open quantity + {tolerance:%}"
            raise LedgerViolation(line_id, field, value, ceiling, name)
    for dependent in _DEPENDENTS[field]:
        dependent_value = values[dependent]
        limit = ceiling if field == "cancelled" else value
        if dependent_value > limit:
            name = field if field != "cancelled" else "open quantity"
            raise LedgerViolation(line_id, dependent, dependent_value, limit, name)


class Dimension(StrEnum):
    """An order-level progress dimension derived from the ledger."""

    ALLOCATION = "allocation"
    """Allocated against open quantity."""
    PRODUCTION = "production"
    """Produced against open quantity."""
    PACKING = "packing"
    """Packed against open quantity."""
    SHIPPING = "shipping"
    """Shipped against open quantity."""
    FULFILMENT = "fulfilment"
    """Delivered against open quantity."""
    BILLING = "billing"
    """Invoiced against open quantity."""
    PAYMENT = "payment"
    """Paid against open quantity."""
    RETURNS = "returns"
    """Returned against delivered quantity."""


# dimension -> (numerator field, denominator: None for open quantity, else a ledger field)
_DIMENSIONS: Final[dict[Dimension, tuple[LedgerField, LedgerField | None]]] = {
    Dimension.ALLOCATION: (LedgerField.ALLOCATED, None),
    Dimension.PRODUCTION: (LedgerField.PRODUCED, None),
    Dimension.PACKING: (LedgerField.PACKED, None),
    Dimension.SHIPPING: (LedgerField.SHIPPED, None),
    Dimension.FULFILMENT: (LedgerField.DELIVERED, None),
    Dimension.BILLING: (LedgerField.INVOICED, None),
    Dimension.PAYMENT: (LedgerField.PAID, None),
    Dimension.RETURNS: (LedgerField.RETURNED, LedgerField.DELIVERED),
}


def line_progress(ledger: LineLedger, ordered: Decimal, dimension: Dimension) -> Progress | None:
    """Return a line's progress in one dimension, or `None` when nothing counts.

    Nothing counts when the base is zero: a fully cancelled line has no allocation progress,
    a line with nothing delivered has no returns progress.
    """
    numerator_field, base_field = _DIMENSIONS[dimension]
    base = ledger.open_quantity(ordered) if base_field is None else ledger.get(base_field)
    if base <= 0:
        return None
    done = ledger.get(numerator_field)
    if done <= 0:
        return Progress.NONE
    if done >= base:
        return Progress.FULL
    return Progress.PARTIAL


def combine_progress(progresses: Iterable[Progress | None]) -> Progress:
    """Combine line progresses into the order's: all full is full, all none is none.

    Lines that do not count (`None`) are skipped; if no line counts the result is `NONE`.
    """
    seen = {p for p in progresses if p is not None}
    if not seen or seen == {Progress.NONE}:
        return Progress.NONE
    if seen == {Progress.FULL}:
        return Progress.FULL
    return Progress.PARTIAL
