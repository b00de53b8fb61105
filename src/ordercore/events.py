"""The audit trail: immutable events, one class per kind of change, with their actor.

Every accepted lifecycle command emits one or more events. Each carries its event id, the
order id, the order version after the change, its `type`, when it happened (`at`), who did
it ([`Actor`][ordercore.events.Actor]), the reason given, the correlation id, and a small
`before`/`after` summary of what changed. The payload fields of each class are enough to
redo the change: folding an order's events from its `OrderCreated` rebuilds the order
exactly (see [`ordercore.lifecycle.replay`][ordercore.lifecycle.replay]).

Events are pydantic models: `event.model_dump_json()` writes one, and
[`parse_event`][ordercore.events.parse_event] reads it back as the right class.

Examples:
    >>> from datetime import datetime, timezone
    >>> event = OrderSubmitted(
    ...     event_id="SO-1:1:order_submitted", order_id="SO-1", order_version=1,
    ...     at=datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc), actor=Actor.user("li.wei"),
    ...     before={"status": "draft"}, after={"status": "submitted"},
    ... )
    >>> parse_event(event.model_dump_json()) == event
    True
    >>> str(event.actor)
    'user:li.wei'
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import AfterValidator, Field, TypeAdapter

from ordercore._base import Entity, Id, PositiveQuantity, Quantity, ShortText, Text, Timestamp
from ordercore.aftersales import (
    AfterSalesCase,
    CaseAction,
    CaseStatus,
    Disposition,
    ReturnCondition,
    RootCause,
)
from ordercore.billing import BillingDocument, Payment, Refund
from ordercore.holds import Hold
from ordercore.money import Money
from ordercore.orders import (
    Address,
    Contact,
    Order,
    OrderLine,
    PackagingRequirements,
    Rate,
    RiskLevelValue,
)
from ordercore.shipments import Shipment

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "Actor",
    "ActorKind",
    "AllocationReleased",
    "CaseAdvanced",
    "CaseOpened",
    "CheckpointRecorded",
    "CreditNoteIssued",
    "DeliveryRepromised",
    "Event",
    "FeedbackRecorded",
    "FeedbackWaived",
    "FrozenMap",
    "FulfilmentStarted",
    "HeaderAmended",
    "HoldPlaced",
    "HoldReleased",
    "InvoiceIssued",
    "LineBackordered",
    "LineQuantity",
    "LineShortClosed",
    "LinesMerged",
    "MaterialProcured",
    "OrderAmended",
    "OrderApproved",
    "OrderArchived",
    "OrderCancelled",
    "OrderClosed",
    "OrderCreated",
    "OrderEvent",
    "OrderExpired",
    "OrderFulfilled",
    "OrderMerged",
    "OrderRejected",
    "OrderReopened",
    "OrderSplit",
    "OrderSubmitted",
    "Party",
    "PaymentReceived",
    "PaymentRecorded",
    "ProductionPlanned",
    "QuantityAllocated",
    "QuantityDelivered",
    "QuantityInvoiced",
    "QuantityPacked",
    "QuantityProduced",
    "QuantityShipped",
    "RefundIssued",
    "ReviewReopened",
    "ReviewStarted",
    "RiskAssessed",
    "ShipmentCollected",
    "ShipmentDelivered",
    "ShipmentDispatched",
    "SubStatusChanged",
    "event_types",
    "parse_event",
    "parse_events",
]


class FrozenMap(dict[str, str]):
    """A read-only ``dict[str, str]``: the `before` and `after` summaries of an event.

    It is a `dict` (so JSON, equality and ``isinstance(value, dict)`` work as before), but
    every method that would change it raises `TypeError`: a stored event cannot be edited
    afterwards. It pickles and copies.

    Examples:
        >>> summary = FrozenMap({"status": "draft"})
        >>> summary["status"] = "closed"
        Traceback (most recent call last):
        ...
        TypeError: event summaries are immutable
    """

    __slots__ = ()

    def _refuse(self, *_: object, **__: object) -> Any:
        raise TypeError("event summaries are immutable")

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, str]]]:
        return (FrozenMap, (dict(self),))

    def __copy__(self) -> FrozenMap:
        return self

    def __deepcopy__(self, _: object) -> FrozenMap:
        return self


_Summary = Annotated[dict[str, str], AfterValidator(FrozenMap)]
_EMPTY: Final = FrozenMap()


class ActorKind(StrEnum):
    """Who can act on an order."""

    USER = "user"
    """A person (a clerk, a reviewer, a customer in a portal)."""
    SYSTEM = "system"
    """ordercore's host itself (a scheduler, the risk engine)."""
    INTEGRATION = "integration"
    """Another system (EDI, a warehouse, a carrier, a payment provider)."""


class Actor(Entity):
    """Who issued a command: a kind and an id.

    Examples:
        >>> str(Actor.integration("wms"))
        'integration:wms'
    """

    kind: Annotated[ActorKind, Field(strict=False)]
    id: Id

    @classmethod
    def user(cls, actor_id: str) -> Actor:
        """A person."""
        return cls(kind=ActorKind.USER, id=actor_id)

    @classmethod
    def system(cls, actor_id: str) -> Actor:
        """The host system or one of its engines."""
        return cls(kind=ActorKind.SYSTEM, id=actor_id)

    @classmethod
    def integration(cls, actor_id: str) -> Actor:
        """Another system."""
        return cls(kind=ActorKind.INTEGRATION, id=actor_id)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


class Party(StrEnum):
    """Who asked for a cancellation: the customer, or the seller (ordercore's user).

    The KPIs read it: a customer's cancellation leaves the order (or the cancelled part of
    a line) out of OTIF and fill rates, a seller's counts as a failure.
    """

    CUSTOMER = "customer"
    """The customer withdrew the order or asked to cut the line."""
    SELLER = "seller"
    """The seller cancelled (out of stock, cannot make it, refused to deliver)."""


class OrderEvent(Entity):
    """The fields every event has.

    Attributes:
        event_id: Unique in the order's trail (deterministic by default, or from an injected
            id factory).
        order_id: The order.
        order_version: The order's version after the change.
        type: The event type (the snake-case class name); the JSON discriminator.
        at: When it happened.
        actor: Who did it.
        reason: Why, as given with the command.
        correlation_id: Ties events of one business transaction together across orders.
        before: What the changed values were (text; read-only, a `FrozenMap`).
        after: What they became (text; read-only, a `FrozenMap`).
    """

    event_id: ShortText
    order_id: Id
    order_version: Annotated[int, Field(ge=0)]
    type: str
    at: Timestamp
    actor: Actor
    reason: Text = ""
    correlation_id: ShortText | None = None
    before: _Summary = Field(default=_EMPTY, validate_default=True)
    after: _Summary = Field(default=_EMPTY, validate_default=True)


class OrderCreated(OrderEvent):
    """The first event of every trail: the order as it was entered or imported."""

    type: Literal["order_created"] = "order_created"
    snapshot: Order


class OrderSubmitted(OrderEvent):
    """Entry finished: DRAFT -> SUBMITTED."""

    type: Literal["order_submitted"] = "order_submitted"


class ReviewStarted(OrderEvent):
    """Review began: SUBMITTED -> UNDER_REVIEW."""

    type: Literal["review_started"] = "review_started"


class OrderApproved(OrderEvent):
    """Review passed; `review_version` is the order version the review result was for.

    Attributes:
        review_version: The order version the review result was for.
        overridden: The failure reasons of a review approved anyway (`Approve(override=True)`;
            the event's actor and reason say who and why); empty for a passing review.
    """

    type: Literal["order_approved"] = "order_approved"
    review_version: Annotated[int, Field(ge=0)]
    overridden: tuple[Text, ...] = ()


class OrderRejected(OrderEvent):
    """Refused in review."""

    type: Literal["order_rejected"] = "order_rejected"


class OrderCancelled(OrderEvent):
    """Cancelled as a whole (nothing had shipped or been paid).

    Attributes:
        requested_by: Who asked. `None` only in trails written before the field existed
            (they parse unchanged; the KPI frames carry it as a null ``cancelled_by``).
    """

    type: Literal["order_cancelled"] = "order_cancelled"
    requested_by: Party | None = None


class OrderExpired(OrderEvent):
    """Left unreviewed past the policy's limit."""

    type: Literal["order_expired"] = "order_expired"


class OrderClosed(OrderEvent):
    """Settled, feedback recorded or waived, no open case, no hold."""

    type: Literal["order_closed"] = "order_closed"


class OrderReopened(OrderEvent):
    """A closed order was reopened (CLOSED -> FULFILLED); the reason says why."""

    type: Literal["order_reopened"] = "order_reopened"


class OrderArchived(OrderEvent):
    """The archive flag was set on a finished order."""

    type: Literal["order_archived"] = "order_archived"


class FulfilmentStarted(OrderEvent):
    """Derived: the first fulfilment movement was recorded (APPROVED -> IN_FULFILMENT)."""

    type: Literal["fulfilment_started"] = "fulfilment_started"


class OrderFulfilled(OrderEvent):
    """Derived: every open quantity is delivered (IN_FULFILMENT -> FULFILLED)."""

    type: Literal["order_fulfilled"] = "order_fulfilled"


class ReviewReopened(OrderEvent):
    """Derived: an amendment made the order worse, so it needs a new review."""

    type: Literal["review_reopened"] = "review_reopened"


class _LineMovement(OrderEvent):
    line_id: Id
    quantity: Quantity


class QuantityAllocated(_LineMovement):
    """Stock or capacity allocated to a line."""

    type: Literal["quantity_allocated"] = "quantity_allocated"


class AllocationReleased(_LineMovement):
    """Allocated quantity released (de-allocated) by `ReleaseAllocation`; `quantity` is how much.

    A short-close or an amendment that leaves less open than is allocated releases the
    excess within its own event (`LineShortClosed.released`, `LineQuantity.released`).
    """

    type: Literal["allocation_released"] = "allocation_released"


class ProductionPlanned(_LineMovement):
    """Quantity put into a production plan."""

    type: Literal["production_planned"] = "production_planned"


class MaterialProcured(_LineMovement):
    """Material procured for a quantity."""

    type: Literal["material_procured"] = "material_procured"


class QuantityProduced(_LineMovement):
    """Quantity finished in production."""

    type: Literal["quantity_produced"] = "quantity_produced"


class QuantityPacked(_LineMovement):
    """Quantity packed to the customer's requirements."""

    type: Literal["quantity_packed"] = "quantity_packed"


class QuantityShipped(_LineMovement):
    """Quantity handed to the carrier."""

    type: Literal["quantity_shipped"] = "quantity_shipped"


class QuantityDelivered(_LineMovement):
    """Quantity received by the customer."""

    type: Literal["quantity_delivered"] = "quantity_delivered"


class QuantityInvoiced(_LineMovement):
    """Quantity billed."""

    type: Literal["quantity_invoiced"] = "quantity_invoiced"


class PaymentRecorded(_LineMovement):
    """Payment received for a quantity."""

    type: Literal["payment_recorded"] = "payment_recorded"


class LineShortClosed(_LineMovement):
    """Part of a line cancelled (short-closed): no longer owed.

    Attributes:
        requested_by: Who asked (`None` only in trails written before the field existed).
        released: Allocation released with it, because less is now open than was allocated
            (folded in before the cut; zero when the allocation still fits).
    """

    type: Literal["line_short_closed"] = "line_short_closed"
    requested_by: Party | None = None
    released: Quantity = Decimal(0)


class LineQuantity(Entity):
    """A new ordered quantity for one line (part of an amendment).

    Attributes:
        line_id: The line.
        quantity: Its new ordered quantity.
        released: Allocation released with the change, because the new quantity is below
            what was allocated (folded in before the change; zero when it still fits).
    """

    line_id: Id
    quantity: Quantity
    released: Quantity = Decimal(0)


class OrderAmended(OrderEvent):
    """Quantities, lines or the requested date changed on the unfulfilled part."""

    type: Literal["order_amended"] = "order_amended"
    quantities: tuple[LineQuantity, ...] = Field(default=(), strict=False)
    new_lines: tuple[OrderLine, ...] = Field(default=(), strict=False)
    requested_delivery_at: Timestamp | None = None


class HeaderAmended(OrderEvent):
    """Header fields or line prices changed (`AmendHeader`); `None` and `()` mean unchanged.

    Attributes:
        requested_by: Who asked.
        ship_to: The new delivery address.
        contact: The new contact.
        customer_po: The new customer purchase-order reference.
        confirmation_ref: The new confirmation reference.
        packaging: The new packing requirements.
        unit_prices: New unit prices by line id.
        discount_rates: New discount rates by line id.
        content_changed: The change needs a new review before approval (prices, discounts,
            or a field the policy re-reviews); the order's `content_version` moves with it.
    """

    type: Literal["header_amended"] = "header_amended"
    requested_by: Party
    ship_to: Address | None = None
    contact: Contact | None = None
    customer_po: ShortText | None = None
    confirmation_ref: ShortText | None = None
    packaging: PackagingRequirements | None = None
    unit_prices: tuple[tuple[Id, Money], ...] = ()
    discount_rates: tuple[tuple[Id, Rate], ...] = ()
    content_changed: bool = False


class DeliveryRepromised(OrderEvent):
    """A new delivery date was promised (`Repromise`); the reason says why.

    Attributes:
        promised_delivery_at: The new promised date.
        requested_by: Who asked.
    """

    type: Literal["delivery_repromised"] = "delivery_repromised"
    promised_delivery_at: Timestamp
    requested_by: Party


class ShipmentDispatched(OrderEvent):
    """A shipment left (`Dispatch`): the record as dispatched; each line's `shipped` moves with it."""

    type: Literal["shipment_dispatched"] = "shipment_dispatched"
    shipment: Shipment


class ShipmentCollected(OrderEvent):
    """The carrier collected a shipment; it is in transit (`RecordTransit`)."""

    type: Literal["shipment_collected"] = "shipment_collected"
    shipment_id: Id
    tracking_ref: ShortText | None = None


class ShipmentDelivered(OrderEvent):
    """A shipment was confirmed received (`ConfirmDelivery`), in full or in part.

    Attributes:
        shipment_id: The shipment.
        lines: Quantity received by line id; each line's `delivered` moves by it.
        proof_of_delivery: The reference of the signed delivery note or photo.
    """

    type: Literal["shipment_delivered"] = "shipment_delivered"
    shipment_id: Id
    lines: tuple[tuple[Id, PositiveQuantity], ...] = Field(strict=False, min_length=1)
    proof_of_delivery: ShortText | None = None


class LineBackordered(OrderEvent):
    """Line quantity waits for stock or production until `expected_at` (`Backorder`)."""

    type: Literal["line_backordered"] = "line_backordered"
    line_id: Id
    quantity: PositiveQuantity
    expected_at: Timestamp


class OrderSplit(OrderEvent):
    """Line quantities moved off into a new order (`SplitOff`).

    The new order's own trail starts with `OrderCreated`, its snapshot linked back here.

    Attributes:
        new_order_id: The order they moved to.
        quantities: The new ordered quantity of each line moved in part (with the allocation
            released above it).
        removed: The lines moved in full, which leave this order.
    """

    type: Literal["order_split"] = "order_split"
    new_order_id: Id
    quantities: tuple[LineQuantity, ...] = Field(default=(), strict=False)
    removed: tuple[Id, ...] = Field(default=(), strict=False)


class OrderMerged(OrderEvent):
    """The order ended because its lines moved into another order (`MergeInto`)."""

    type: Literal["order_merged"] = "order_merged"
    target_order_id: Id


class LinesMerged(OrderEvent):
    """The lines of an order merged into this one were added (`TakeLines`)."""

    type: Literal["lines_merged"] = "lines_merged"
    source_order_id: Id
    new_lines: tuple[OrderLine, ...] = Field(strict=False, min_length=1)


class HoldPlaced(OrderEvent):
    """A hold was placed."""

    type: Literal["hold_placed"] = "hold_placed"
    hold: Hold


class HoldReleased(OrderEvent):
    """A hold was released."""

    type: Literal["hold_released"] = "hold_released"
    hold_id: Id


class RiskAssessed(OrderEvent):
    """A risk assessment was recorded in the trail (only the order's version moves)."""

    type: Literal["risk_assessed"] = "risk_assessed"
    score: Annotated[int, Field(ge=0, le=100)]
    level: RiskLevelValue
    recommendation: ShortText
    policy_version: ShortText
    reasons: tuple[ShortText, ...] = Field(default=(), strict=False)


class InvoiceIssued(OrderEvent):
    """An invoice was issued (`Order.billing` gains it; its lines' `invoiced` move up)."""

    type: Literal["invoice_issued"] = "invoice_issued"
    document: BillingDocument


class CreditNoteIssued(OrderEvent):
    """A credit note was issued (`Order.billing` gains it; its lines' `invoiced` move down)."""

    type: Literal["credit_note_issued"] = "credit_note_issued"
    document: BillingDocument


class PaymentReceived(OrderEvent):
    """Money was received (`Order.payments` gains it)."""

    type: Literal["payment_received"] = "payment_received"
    payment: Payment


class RefundIssued(OrderEvent):
    """Money was paid back (`Order.refunds` gains it)."""

    type: Literal["refund_issued"] = "refund_issued"
    refund: Refund


class CheckpointRecorded(OrderEvent):
    """A supervision checkpoint was recorded (`Order.checkpoints` gains it)."""

    type: Literal["checkpoint_recorded"] = "checkpoint_recorded"
    checkpoint: Id
    passed: bool


class CaseOpened(OrderEvent):
    """An after-sales case was opened."""

    type: Literal["case_opened"] = "case_opened"
    case: AfterSalesCase


class CaseAdvanced(OrderEvent):
    """An after-sales case took a step."""

    type: Literal["case_advanced"] = "case_advanced"
    case_id: Id
    action: Annotated[CaseAction, Field(strict=False)]
    status: Annotated[CaseStatus, Field(strict=False)]
    condition: Annotated[ReturnCondition, Field(strict=False)] | None = None
    root_cause: Annotated[RootCause, Field(strict=False)] | None = None
    disposition: Annotated[Disposition, Field(strict=False)] | None = None


class FeedbackRecorded(OrderEvent):
    """The customer's feedback was recorded."""

    type: Literal["feedback_recorded"] = "feedback_recorded"
    score: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: Text = ""


class FeedbackWaived(OrderEvent):
    """Feedback will not be collected (the reason says why)."""

    type: Literal["feedback_waived"] = "feedback_waived"


class SubStatusChanged(OrderEvent):
    """A host-defined trigger moved the order between sub-states of one canonical status."""

    type: Literal["sub_status_changed"] = "sub_status_changed"
    trigger: ShortText
    sub_status: ShortText | None = None


Event = Annotated[
    OrderCreated
    | OrderSubmitted
    | ReviewStarted
    | OrderApproved
    | OrderRejected
    | OrderCancelled
    | OrderExpired
    | OrderClosed
    | OrderArchived
    | OrderReopened
    | FulfilmentStarted
    | OrderFulfilled
    | ReviewReopened
    | QuantityAllocated
    | AllocationReleased
    | ProductionPlanned
    | MaterialProcured
    | QuantityProduced
    | QuantityPacked
    | QuantityShipped
    | QuantityDelivered
    | QuantityInvoiced
    | PaymentRecorded
    | LineShortClosed
    | OrderAmended
    | HeaderAmended
    | DeliveryRepromised
    | OrderSplit
    | OrderMerged
    | LinesMerged
    | ShipmentDispatched
    | ShipmentCollected
    | ShipmentDelivered
    | LineBackordered
    | HoldPlaced
    | HoldReleased
    | RiskAssessed
    | CheckpointRecorded
    | InvoiceIssued
    | CreditNoteIssued
    | PaymentReceived
    | RefundIssued
    | CaseOpened
    | CaseAdvanced
    | FeedbackRecorded
    | FeedbackWaived
    | SubStatusChanged,
    Field(discriminator="type"),
]
"""Any event; `type` tells them apart (a pydantic discriminated union)."""


@cache
def _adapter() -> TypeAdapter[Any]:
    # Built on first use, not at import (no import-time work).
    return TypeAdapter(Event)


@cache
def _list_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(list[Event])


def parse_event(data: str | bytes) -> OrderEvent:
    """Read one event back from the JSON that `event.model_dump_json()` wrote.

    Args:
        data: A JSON object with a known `type`.

    Returns:
        The event, as its own class (`OrderApproved`, `QuantityShipped`, ...).

    Raises:
        pydantic.ValidationError: If the JSON is not a valid event (unknown `type`, a
            missing field, a float quantity); the error locations name the field.

    Examples:
        >>> parse_event('{"type": "order_submitted"}')
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 5 validation errors for tagged-union[...]
        ...
    """
    event: OrderEvent = _adapter().validate_json(data)
    return event


def parse_events(data: str | bytes) -> list[OrderEvent]:
    """Read a JSON array of events (each as `event.model_dump_json()` writes it) back.

    Examples:
        >>> parse_events("[]")
        []
    """
    events: list[OrderEvent] = _list_adapter().validate_json(data)
    return events


def event_types() -> dict[str, type[OrderEvent]]:
    """Every event class by its `type` value.

    Examples:
        >>> event_types()["order_approved"].__name__
        'OrderApproved'
    """
    return {cls.model_fields["type"].default: cls for cls in _event_classes()}


def _event_classes() -> Iterable[type[OrderEvent]]:
    return [cls for cls in _all_subclasses(OrderEvent) if not cls.__name__.startswith("_")]


def _all_subclasses(cls: type[OrderEvent]) -> list[type[OrderEvent]]:
    found: list[type[OrderEvent]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found
