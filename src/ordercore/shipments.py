"""Shipments and backorders: the delivery records behind the ledger's shipped and delivered.

A [`Shipment`][ordercore.shipments.Shipment] is one dispatch: several lines at once, from one
warehouse or location, with a carrier, a transport mode, a tracking reference and a planned
delivery date. It goes in transit and is delivered, in full or in parts, with a proof of
delivery. The lifecycle's `Dispatch`, `RecordTransit` and `ConfirmDelivery` commands write
these records and move each line's `shipped` and `delivered` with them, so the ledger and the
records always agree (the `Order` model checks it). A
[`LineBackorder`][ordercore.shipments.LineBackorder] says how much of a line waits for stock
and when it is expected.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> shipment = Shipment(
    ...     shipment_id="SH-1", lines=[ShipmentLine(line_id="1", quantity=Decimal(4))],
    ...     warehouse="NGB-1", carrier="SF Express", mode="road", tracking_ref="SF123",
    ...     dispatched_at=at,
    ... )
    >>> shipment.status, shipment.undelivered("1")
    (<ShipmentStatus.DISPATCHED: 'dispatched'>, Decimal('4'))
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final, Self

from pydantic import Field, model_validator

from ordercore._base import Entity, Id, PositiveQuantity, Quantity, ShortText, Timestamp

__all__ = [
    "LineBackorder",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "TransportMode",
]

_ZERO: Final = Decimal(0)
_MAX_LINES: Final = 5000


class TransportMode(StrEnum):
    """How a shipment travels."""

    ROAD = "road"
    """By truck or van."""
    RAIL = "rail"
    """By rail."""
    SEA = "sea"
    """By sea freight."""
    AIR = "air"
    """By air freight."""
    COURIER = "courier"
    """By a parcel or express courier."""
    PICKUP = "pickup"
    """Collected by the customer."""


class ShipmentStatus(StrEnum):
    """Where a shipment is: dispatched, in transit, partly or wholly delivered."""

    DISPATCHED = "dispatched"
    """Left the warehouse."""
    IN_TRANSIT = "in_transit"
    """With the carrier."""
    PARTLY_DELIVERED = "partly_delivered"
    """Some of it confirmed received; the rest still out."""
    DELIVERED = "delivered"
    """Everything on it confirmed received."""


class ShipmentLine(Entity):
    """One order line on a shipment.

    Attributes:
        line_id: The order line.
        quantity: How much of it the shipment carries (greater than zero).
        delivered: How much of that the customer confirmed receiving.
    """

    line_id: Id
    quantity: PositiveQuantity
    delivered: Quantity = _ZERO

    @model_validator(mode="after")
    def _delivered_within(self) -> Self:
        if self.delivered > self.quantity:
            raise ValueError(
                f"line {self.line_id}: delivered {self.delivered} is more than shipped "
                f"{self.quantity}"
            )
        return self


class Shipment(Entity):
    """One dispatch of goods to the customer: several lines, one carrier, one tracking reference.

    Attributes:
        shipment_id: Unique within the order (the delivery note number, say).
        lines: The lines it carries, each once (at least one).
        warehouse: The warehouse or location it leaves from.
        carrier: Who carries it.
        mode: How it travels.
        tracking_ref: The carrier's tracking reference.
        planned_delivery_at: When it is planned to arrive.
        dispatched_at: When it left.
        in_transit_at: When the carrier took it; `None` before.
        delivered_at: When the last of it was confirmed received; `None` before.
        proof_of_delivery: The reference of the signed delivery note or photo.
        case_id: For a replacement: the exchange (or return) case it replaces goods for.
            A replacement moves the line's `exchanged`, not its `shipped` or `delivered`.
        status: Derived from the dates and the lines' delivered quantities, and checked.
    """

    shipment_id: Id
    lines: tuple[ShipmentLine, ...] = Field(strict=False, min_length=1, max_length=_MAX_LINES)
    warehouse: Id | None = None
    carrier: ShortText | None = None
    mode: Annotated[TransportMode, Field(strict=False)] | None = None
    tracking_ref: ShortText | None = None
    planned_delivery_at: Timestamp | None = None
    dispatched_at: Timestamp
    in_transit_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    proof_of_delivery: ShortText | None = None
    case_id: Id | None = None
    status: Annotated[ShipmentStatus, Field(strict=False)] = ShipmentStatus.DISPATCHED

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: set[str] = set()
        for line in self.lines:
            if line.line_id in seen:
                raise ValueError(f"line {line.line_id!r} is on the shipment twice")
            seen.add(line.line_id)
        if self.in_transit_at is not None and self.in_transit_at < self.dispatched_at:
            raise ValueError("in_transit_at is before dispatched_at")
        if self.delivered_at is not None and self.delivered_at < self.dispatched_at:
            raise ValueError("delivered_at is before dispatched_at")
        expected = self.derived_status()
        if self.status is not expected:
            raise ValueError(f"status is {self.status.value}, but its lines say {expected.value}")
        if (self.delivered_at is None) != (expected is not ShipmentStatus.DELIVERED):
            raise ValueError("delivered_at is set exactly when everything is delivered")
        return self

    def derived_status(self) -> ShipmentStatus:
        """The status its dates and lines' delivered quantities say (`status` must equal it)."""
        delivered = [line.delivered for line in self.lines]
        if all(d == line.quantity for d, line in zip(delivered, self.lines, strict=True)):
            return ShipmentStatus.DELIVERED
        if any(delivered):
            return ShipmentStatus.PARTLY_DELIVERED
        if self.in_transit_at is not None:
            return ShipmentStatus.IN_TRANSIT
        return ShipmentStatus.DISPATCHED

    @property
    def replacement(self) -> bool:
        """Whether it carries replacement goods for an after-sales case."""
        return self.case_id is not None

    def status_after(self, received: dict[str, Decimal]) -> ShipmentStatus:
        """The status once `received` (quantity by line id) is confirmed on top of what is."""
        whole = all(
            line.delivered + received.get(line.line_id, _ZERO) >= line.quantity
            for line in self.lines
        )
        if whole:
            return ShipmentStatus.DELIVERED
        if received or any(line.delivered for line in self.lines):
            return ShipmentStatus.PARTLY_DELIVERED
        return self.status

    def line(self, line_id: str) -> ShipmentLine | None:
        """The shipment's entry for an order line, if it carries that line."""
        return next((line for line in self.lines if line.line_id == line_id), None)

    def undelivered(self, line_id: str) -> Decimal:
        """How much of an order line this shipment carries and is not yet confirmed received."""
        line = self.line(line_id)
        return _ZERO if line is None else line.quantity - line.delivered


class LineBackorder(Entity):
    """How much of a line waits for stock or production, and when it is expected.

    Attributes:
        quantity: The quantity waiting, as recorded (greater than zero).
        expected_at: When it is expected to be available to ship.
        recorded_at: When the backorder was recorded.
    """

    quantity: PositiveQuantity
    expected_at: Timestamp
    recorded_at: Timestamp
