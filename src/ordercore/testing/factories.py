"""Factories: a valid order, line or customer with one call, any field overridable.

Values are realistic and deterministic: the same arguments always build the same entity,
so tests that compare orders stay stable.

Examples:
    >>> order = make_order(order_id="SO-9", lines=3)
    >>> order.order_id, len(order.lines), str(order.total)
    ('SO-9', 3, '20.45 CNY')
    >>> make_order(channel="fax").confirmation_ref
    'CONF-SO-1'
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.events import Actor, Party
from ordercore.money import Money
from ordercore.orders import Address, Contact, CustomerRef, Order, OrderLine, SalesOwner
from ordercore.status import Channel

if TYPE_CHECKING:
    from ordercore.events import OrderEvent

__all__ = [
    "DEFAULT_RECEIVED_AT",
    "make_customer",
    "make_customer_profile",
    "make_line",
    "make_order",
    "make_review_context",
    "order_in_status",
    "order_with_trail_in_status",
]

DEFAULT_RECEIVED_AT: Final = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
"""When factory orders are received unless told otherwise (09:30 in Shanghai)."""

_SKUS: Final = ("BOLT-M8", "NUT-M8", "WASHER-8", "GEAR-40T", "CABLE-2M", "PLUG-EU")
_PRICES: Final = ("0.85", "0.30", "0.12", "149.00", "12.50", "3.20")


def make_customer(customer_id: str = "C-001", **overrides: Any) -> CustomerRef:
    """Build a customer reference."""
    values: dict[str, Any] = {"customer_id": customer_id, "name": f"Customer {customer_id}"}
    values.update(overrides)
    return CustomerRef(**values)


def make_line(line_id: str = "1", index: int = 0, **overrides: Any) -> OrderLine:
    """Build an order line; `index` picks a realistic product and price.

    Args:
        line_id: The line id.
        index: Which of the built-in products to use (wraps around).
        **overrides: Any `OrderLine` field; `currency` sets the price's currency.
    """
    currency = overrides.pop("currency", "CNY")
    pick = index % len(_SKUS)
    values: dict[str, Any] = {
        "line_id": line_id,
        "sku": _SKUS[pick],
        "quantity": Decimal(10 * (pick + 1)),
        "uom": "pcs",
        "unit_price": Money.of(_PRICES[pick], currency),
        "tax_rate": Decimal("0.13"),
    }
    values.update(overrides)
    return OrderLine(**values)


def make_order(
    order_id: str = "SO-1",
    lines: int | list[OrderLine] = 2,
    *,
    seed: int | None = None,
    **overrides: Any,
) -> Order:
    """Build a valid order in status DRAFT.

    Without a seed every call with the same arguments builds the same order. With one, the
    channel, products, quantities, receipt time and requested lead time vary realistically
    and reproducibly: the same seed always builds the same order.

    Args:
        order_id: The order id.
        lines: How many lines to build, or the lines themselves.
        seed: Vary the order deterministically (see above).
        **overrides: Any `Order` field. A phone or fax order gets a confirmation
            reference unless one is given.

    Examples:
        >>> make_order(seed=4) == make_order(seed=4), make_order(seed=4) == make_order(seed=5)
        (True, False)
    """
    currency = overrides.get("currency", "CNY")
    rng = random.Random(seed) if seed is not None else None  # noqa: S311 - test data, not secrets
    if isinstance(lines, list):
        built = lines
    elif rng is None:
        built = [make_line(str(n + 1), n, currency=currency) for n in range(lines)]
    else:
        built = [
            make_line(
                str(n + 1),
                rng.randrange(len(_SKUS)),
                currency=currency,
                quantity=Decimal(rng.choice((5, 10, 20, 50, 100, 200))),
            )
            for n in range(lines)
        ]
    received = DEFAULT_RECEIVED_AT
    lead_days = 14
    channel = Channel.WEB
    if rng is not None:
        received += timedelta(minutes=rng.randrange(60 * 24 * 90))
        lead_days = rng.choice((3, 7, 10, 14, 21, 30))
        channel = rng.choice(list(Channel))
    received = overrides.get("received_at", received)
    values: dict[str, Any] = {
        "order_id": order_id,
        "customer": make_customer(),
        "channel": channel,
        "currency": currency,
        "received_at": received,
        "requested_delivery_at": received + timedelta(days=lead_days),
        "owner": SalesOwner(staff_id="S-01", name="Order desk 1", team="East"),
        "ship_to": Address(
            name="Receiving dock", line1="88 Harbour Road", city="Shanghai", country="CN"
        ),
        "contact": Contact(name="Li Wei", phone="+86 21 5555 0101", email="li.wei@example.com"),
        "lines": built,
    }
    values.update(overrides)
    if Channel(values["channel"]) in (Channel.PHONE, Channel.FAX):
        values.setdefault("confirmation_ref", f"CONF-{order_id}")
    return Order(**values)


def make_customer_profile(customer_id: str = "C-001", **overrides: Any) -> CustomerProfile:
    """A customer in good standing: 100,000 CNY limit, 12,000 exposure, nothing overdue."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "currency": "CNY",
        "credit_limit": Money.of("100000", "CNY"),
        "open_exposure": Money.of("12000", "CNY"),
        "overdue_amount": Money.of("0", "CNY"),
        "overdue_days": 0,
        "first_order_at": DEFAULT_RECEIVED_AT - timedelta(days=800),
        "order_count": 42,
        "past_order_values": tuple(Decimal(v) for v in ("850", "1200", "990", "1430", "1100")),
        "payment_terms": "NET30",
    }
    values.update(overrides)
    return CustomerProfile(**values)


def make_review_context(
    as_of: datetime | None = None, customers: int = 1, **overrides: Any
) -> ReviewContext:
    """A review context that the factory orders pass.

    It knows the factory customers ``C-001`` .. (`customers` of them), every factory product
    (sellable, no MOQ, lead time 3 business days), a price list with the factory prices, a
    Monday-to-Friday calendar in Asia/Shanghai, and ample capacity for 60 days.
    """
    moment = as_of or DEFAULT_RECEIVED_AT
    calendar = BusinessCalendar(timezone="Asia/Shanghai", name="Mon-Fri")
    start = calendar.local_date(moment)
    values: dict[str, Any] = {
        "as_of": moment,
        "customers": {
            f"C-{n:03d}": make_customer_profile(f"C-{n:03d}") for n in range(1, customers + 1)
        },
        "products": {
            sku: Product(sku=sku, uom="pcs", lead_time_days=3, capacity_per_unit=Decimal("0.01"))
            for sku in _SKUS
        },
        "price_list": PriceList(
            currency="CNY",
            prices={sku: Money.of(price, "CNY") for sku, price in zip(_SKUS, _PRICES, strict=True)},
            tolerance=Decimal("0.02"),
            max_discount_rate=Decimal("0.2"),
        ),
        "calendar": calendar,
        "capacity": CapacityView(
            unit="hours", free={start + timedelta(days=d): Decimal(80) for d in range(60)}
        ),
    }
    values.update(overrides)
    return ReviewContext(**values)


_STATES: Final = (
    "draft",
    "submitted",
    "under_review",
    "approved",
    "in_fulfilment",
    "shipped",
    "delivered",
    "fulfilled",
    "invoiced",
    "paid",
    "closed",
    "rejected",
    "cancelled",
    "expired",
)
_SHIPPED, _DELIVERED, _INVOICED, _PAID = 1, 2, 3, 4
_STAGES: Final = {  # how far along the fulfilment path a state goes; 0: not on it
    "in_fulfilment": _SHIPPED,
    "shipped": _SHIPPED,
    "delivered": _DELIVERED,
    "fulfilled": _DELIVERED,
    "invoiced": _INVOICED,
    "paid": _PAID,
    "closed": _PAID,
}
_PARTIAL: Final = ("in_fulfilment", "shipped", "delivered", "invoiced", "paid")


def order_with_trail_in_status(  # noqa: C901, PLR0912 - one linear story, an exit per state
    status: str,
    *,
    partial: bool = False,
    order: Order | None = None,
    at: datetime | None = None,
) -> tuple[Order, list[OrderEvent]]:
    """Drive an order through the real lifecycle to a named state; return it and its events.

    Each state is exactly what its name says, and no further along:

    | state | what the order has been through | status |
    |---|---|---|
    | ``draft`` | entered | draft |
    | ``submitted`` | submitted for review | submitted |
    | ``under_review`` | review started | under_review |
    | ``approved`` | reviewed and approved; nothing allocated | approved |
    | ``shipped``, ``in_fulfilment`` | every unit allocated, packed and shipped; nothing delivered | in_fulfilment |
    | ``delivered``, ``fulfilled`` | every unit delivered; nothing invoiced or paid | fulfilled |
    | ``invoiced`` | delivered and invoiced in full; nothing paid | fulfilled |
    | ``paid`` | invoiced and paid in full; no feedback, not closed | fulfilled |
    | ``closed`` | paid, feedback waived, closed | closed |
    | ``rejected`` | submitted, reviewed, rejected | rejected |
    | ``cancelled`` | submitted, then cancelled by the customer | cancelled |
    | ``expired`` | left unreviewed past the review expiry | expired |

    With `partial`, the shipping states move only part of the quantity: the first line is
    allocated in full but only half of it is packed and shipped (and, as far as the state
    goes, delivered, invoiced and paid); the other lines are untouched, so the order stays
    in fulfilment.

    Args:
        status: A state from the table (case-insensitive).
        partial: Move part of the quantity; only for ``shipped``, ``in_fulfilment``,
            ``delivered``, ``invoiced`` and ``paid``.
        order: The draft to start from (default `make_order()`).
        at: When the story starts (default: the order's receipt); each step is minutes later.

    Raises:
        ValueError: For an unknown state, or `partial` with a state that has no part.
    """
    from ordercore.lifecycle import (  # noqa: PLC0415 - factories stay importable without the lifecycle loaded
        Allocate,
        Approve,
        Cancel,
        Close,
        Deliver,
        Expire,
        Invoice,
        Pack,
        RecordPayment,
        Reject,
        Ship,
        StartReview,
        Submit,
        WaiveFeedback,
        apply,
        create,
    )
    from ordercore.validation import review  # noqa: PLC0415

    state = status.lower()
    if state not in _STATES:
        raise ValueError(f"unknown status {status!r}; use one of: {', '.join(_STATES)}")
    if partial and state not in _PARTIAL:
        raise ValueError(
            f"partial applies to {', '.join(_PARTIAL)}, not {status!r}: "
            "an order in that state has no part moved"
        )
    draft = order or make_order()
    moment = at or draft.received_at
    actor = Actor.user("test-clerk")
    current, events = create(draft, at=moment, actor=actor)

    def do(command: object) -> None:
        nonlocal current, moment
        moment += timedelta(minutes=7)
        current, new = apply(current, command, at=moment, actor=actor)  # type: ignore[arg-type]
        events.extend(new)

    if state == "draft":
        return current, events
    if state == "expired":
        moment += timedelta(days=30)
        do(Expire(reason="not reviewed in time"))
        return current, events
    do(Submit())
    if state == "cancelled":
        do(Cancel(requested_by=Party.CUSTOMER, reason="customer withdrew"))
    if state in ("submitted", "cancelled"):
        return current, events
    do(StartReview())
    if state == "rejected":
        do(Reject(reason="price below the agreed floor"))
    if state in ("under_review", "rejected"):
        return current, events
    do(Approve(verdict=review(current, make_review_context(as_of=moment))))
    stage = _STAGES.get(state, 0)
    moving = () if stage < _SHIPPED else current.lines[:1] if partial else current.lines
    for line in moving:
        moved = (line.open_quantity / 2).quantize(Decimal(1)) if partial else line.open_quantity
        do(Allocate(line_id=line.line_id, quantity=line.open_quantity))
        do(Pack(line_id=line.line_id, quantity=moved))
        do(Ship(line_id=line.line_id, quantity=moved))
        if stage >= _DELIVERED:
            do(Deliver(line_id=line.line_id, quantity=moved))
    for level, settle in ((_INVOICED, Invoice), (_PAID, RecordPayment)):
        for line in current.lines if stage >= level else ():
            if line.ledger.delivered > 0:
                do(settle(line_id=line.line_id, quantity=line.ledger.delivered))
    if state == "closed":
        do(WaiveFeedback(reason="test order"))
        do(Close())
    return current, events


def order_in_status(status: str, *, partial: bool = False, order: Order | None = None) -> Order:
    """An order in a named state, produced by the real lifecycle.

    See `order_with_trail_in_status` for the states (``"delivered"`` is delivered but not
    invoiced, ``"paid"`` is paid but not closed, ...).

    Examples:
        >>> order_in_status("SHIPPED", partial=True).status.value
        'in_fulfilment'
        >>> delivered = order_in_status("delivered")
        >>> delivered.status.value, delivered.lines[0].ledger.invoiced
        ('fulfilled', Decimal('0'))
        >>> order_in_status("closed").status.value
        'closed'
    """
    return order_with_trail_in_status(status, partial=partial, order=order)[0]
