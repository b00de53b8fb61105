"""The enumerations that describe where an order stands.

The primary [`OrderStatus`][ordercore.status.OrderStatus] is moved only by the lifecycle's
commands. Everything else an ERP usually crams into the same field (allocated? shipped? paid?
returned?) is a [`Progress`][ordercore.status.Progress] derived from the quantity ledger, see
[`ordercore.ledger`][ordercore.ledger].
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Channel", "OrderStatus", "Progress"]


class OrderStatus(StrEnum):
    """The primary status of an order; one state machine moves it (see `ordercore.lifecycle`)."""

    DRAFT = "draft"
    """Being entered; nothing is committed yet."""
    SUBMITTED = "submitted"
    """Entry finished; waiting for review."""
    UNDER_REVIEW = "under_review"
    """Amount, quantity and delivery date are being reviewed."""
    APPROVED = "approved"
    """Review passed; the order is committed to the customer."""
    IN_FULFILMENT = "in_fulfilment"
    """Allocation, production, procurement, packing, shipping or delivery has started."""
    FULFILLED = "fulfilled"
    """Everything not cancelled has been delivered; settlement and feedback follow."""
    CLOSED = "closed"
    """Settled, feedback recorded or waived, no open after-sales case."""
    REJECTED = "rejected"
    """Refused in review."""
    CANCELLED = "cancelled"
    """Cancelled as a whole before anything shipped."""
    EXPIRED = "expired"
    """Left unreviewed past the allowed time."""


class Progress(StrEnum):
    """How far one dimension of the ledger has come: none, partial or full."""

    NONE = "none"
    """Nothing yet."""
    PARTIAL = "partial"
    """Some, not all."""
    FULL = "full"
    """All of the quantity that counts."""


class Channel(StrEnum):
    """How the customer placed the order."""

    PHONE = "phone"
    """By telephone; needs a confirmation reference."""
    FAX = "fax"
    """By fax; needs a confirmation reference."""
    WEB = "web"
    """Through a web shop or portal."""
    EDI = "edi"
    """By electronic data interchange."""
    EMAIL = "email"
    """By e-mail."""
    API = "api"
    """Through a system-to-system API."""
