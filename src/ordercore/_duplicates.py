"""What makes an order a possible duplicate of another: one definition for review and risk.

Review's [`no_duplicate_order`][ordercore.validation.duplicates.no_duplicate_order] flags an
order when some recent order is a possible duplicate of it, and risk's ``duplicate_orders``
feature counts the recent orders that are; both decide it with `duplicate_kind`, so they
always find the same orders. Two orders are possible duplicates when they are different
orders (different ids) of the same customer and

- both carry a customer purchase-order number and it is the same (at any distance in time:
  ``"same_po"``), or
- at most one of them carries a purchase-order number, they have the same lines (the same
  multiset of (SKU, quantity, unit), in any order) and they were received at most `window`
  apart (``"same_lines"``; a gap of exactly the window still counts).

Two orders with different purchase-order numbers are a genuine repeat order, never a
duplicate. An empty purchase-order number counts as none. The relation is symmetric.

Examples:
    >>> from datetime import UTC, datetime, timedelta
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> def fax(order_id, hours, po=None):
    ...     return Order(order_id=order_id, customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...         channel="fax", currency="CNY", customer_po=po,
    ...         received_at=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(hours=hours),
    ...         lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                          unit_price=Money.of("0.85", "CNY"))])
    >>> is_possible_duplicate(fax("SO-2", 72), fax("SO-1", 0))  # exactly the window apart
    True
    >>> is_possible_duplicate(fax("SO-2", 73), fax("SO-1", 0))
    False
    >>> is_possible_duplicate(fax("SO-2", 1, po="PO-8"), fax("SO-1", 0, po="PO-7"))
    False
    >>> duplicate_kind(duplicate_key(fax("SO-2", 900, po="PO-7")), duplicate_key(fax("SO-1", 0, po="PO-7")))
    'same_po'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal, final

if TYPE_CHECKING:
    from ordercore.orders import Order

__all__ = [
    "DEFAULT_DUPLICATE_WINDOW",
    "DuplicateKey",
    "DuplicateKind",
    "Lines",
    "duplicate_key",
    "duplicate_kind",
    "is_possible_duplicate",
    "lines_of",
]

DEFAULT_DUPLICATE_WINDOW: Final = timedelta(days=3)
"""Orders with the same lines received at most three days apart are possible duplicates."""

Lines = tuple[tuple[str, Decimal, str], ...]
"""An order's lines as the sorted tuple of their (SKU, quantity, unit)."""

DuplicateKind = Literal["same_po", "same_lines"]
"""Why two orders are possible duplicates."""


@final
class DuplicateKey:
    """What duplicate detection compares of an order (`duplicate_key` makes it).

    The sorted lines are worked out only when a comparison gets that far (most candidates
    are ruled out by customer, purchase order or time first), then kept.
    """

    __slots__ = ("_lines", "_order", "customer_id", "customer_po", "order_id", "received_at")

    def __init__(self, order: Order) -> None:
        self._order = order
        self._lines: Lines | None = None
        self.order_id: str = order.order_id
        """The order's id: an order is never a duplicate of itself."""
        self.customer_id: str = order.customer.customer_id
        """The ordering customer."""
        self.received_at: datetime = order.received_at
        """When the order was received."""
        self.customer_po: str | None = order.customer_po or None
        """The customer's purchase-order number; `None` when it has none (or an empty one)."""

    @property
    def lines(self) -> Lines:
        """The order's lines (`lines_of`)."""
        found = self._lines
        if found is None:
            found = self._lines = lines_of(self._order)
        return found

    def __repr__(self) -> str:
        return f"DuplicateKey({self.order_id!r}, customer {self.customer_id!r})"


def lines_of(order: Order) -> Lines:
    """The order's lines as a sorted tuple of (SKU, quantity, unit): their multiset."""
    return tuple(sorted([(line.sku, line.quantity, line.uom) for line in order.lines]))


def duplicate_key(order: Order) -> DuplicateKey:
    """What `duplicate_kind` compares of an order."""
    return DuplicateKey(order)


def duplicate_kind(
    order: DuplicateKey, other: DuplicateKey, window: timedelta = DEFAULT_DUPLICATE_WINDOW
) -> DuplicateKind | None:
    """Why `other` is a possible duplicate of `order`, or `None` when it is not one.

    The module's introduction gives the definition; this is the only place that decides it.

    Args:
        order: The order under review.
        other: An order received before or after it.
        window: How far apart two orders with the same lines may be received.
    """
    if order.order_id == other.order_id or order.customer_id != other.customer_id:
        return None
    po, other_po = order.customer_po, other.customer_po
    if po is not None and other_po is not None:
        return "same_po" if po == other_po else None
    if abs(order.received_at - other.received_at) > window:
        return None
    return "same_lines" if order.lines == other.lines else None


def is_possible_duplicate(
    order: Order, other: Order, *, window: timedelta = DEFAULT_DUPLICATE_WINDOW
) -> bool:
    """Whether `other` is a possible duplicate of `order` (see `duplicate_kind`).

    Review's `no_duplicate_order(window=window)` flags `order` exactly when one of the
    context's recent orders is a possible duplicate of it, and risk's ``duplicate_orders``
    feature counts the recent orders that are (with the default window).

    Args:
        order: The order under review.
        other: An order received before or after it.
        window: How far apart two orders with the same lines may be received.

    Raises:
        ValueError: If `window` is negative.
    """
    if window < timedelta(0):
        raise ValueError(f"window must not be negative, got {window}")
    return duplicate_kind(duplicate_key(order), duplicate_key(other), window) is not None
