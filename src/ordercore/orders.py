"""The order aggregate: `Order`, `OrderLine` and the value types around them.

Entities are frozen: every change is a new value (the lifecycle produces them). Totals and
progress dimensions are derived on demand from lines and ledger, never stored.

How totals are computed: per line, *net* = open quantity × unit price × (1 − discount rate),
rounded half-even to the currency's minor units; *tax* = net × tax rate, rounded the same
way; *gross* = net + tax. Order totals are the sums of the rounded line amounts, so an
invoice printed line by line always adds up. The open quantity is the ordered quantity less
what was cancelled; [`OrderLine.ordered_net`][ordercore.orders.OrderLine.ordered_net] gives
the amount as originally ordered. [`line_net`][ordercore.orders.line_net] and
[`line_tax`][ordercore.orders.line_tax] are the formula, and every part of ordercore that
needs a line amount calls them.

The arithmetic is exact and ignores the caller's decimal context: products are never
rounded before the one half-even rounding to minor units. An order is refused when its gross
amount at the ordered quantities, or that of one of its lines, would exceed `MAX_AMOUNT`, so
the totals of every valid order are valid money.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> order = Order(
    ...     order_id="SO-1001",
    ...     customer=CustomerRef(customer_id="C-7", name="华东机械有限公司"),
    ...     channel=Channel.FAX,
    ...     currency="CNY",
    ...     received_at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc),
    ...     lines=[
    ...         OrderLine(line_id="1", sku="BOLT-M8", quantity=Decimal(500), uom="pcs",
    ...                   unit_price=Money.of("0.85", "CNY"), tax_rate=Decimal("0.13")),
    ...     ],
    ... )
    >>> order.net_total, order.tax_total, order.total
    (Money(amount=Decimal('425.00'), currency='CNY'), Money(amount=Decimal('55.25'), currency='CNY'), Money(amount=Decimal('480.25'), currency='CNY'))
    >>> order.progress(Dimension.SHIPPING)
    <Progress.NONE: 'none'>
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, DecimalException
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Final, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ordercore import _html
from ordercore._base import (
    ARITHMETIC,
    EXACT,
    MAX_AMOUNT,
    MAX_QUANTITY,
    ROUNDING,
    Entity,
    Id,
    ShortText,
    Text,
    Timestamp,
    decimal_field,
)
from ordercore.aftersales import AfterSalesCase, Feedback
from ordercore.billing import (
    BillingDocument,
    BillingPosition,
    DocumentKind,
    Payment,
    PaymentTerms,
    Refund,
    billing_position,
)
from ordercore.checkpoints import Checkpoint
from ordercore.errors import AmountOutOfRange
from ordercore.holds import Hold
from ordercore.ledger import (
    Dimension,
    LedgerField,
    LineLedger,
    Tolerance,
    check_ledger,
    combine_progress,
    line_progress,
)
from ordercore.links import OrderLink
from ordercore.milestones import Milestones
from ordercore.money import CurrencyCode, Money, minor_units
from ordercore.shipments import LineBackorder, Shipment
from ordercore.status import Channel, OrderStatus, Progress
from ordercore.totals import TOTAL_FIELDS, OrderTotals

_MONEY_DIMENSIONS: Final = frozenset({Dimension.BILLING, Dimension.PAYMENT})
# Where billable is what was delivered; before, it is what is still to be delivered too.
_BILLED_ON_DELIVERY: Final = frozenset({OrderStatus.FULFILLED, OrderStatus.CLOSED})

RiskLevelValue = Literal["low", "medium", "high", "critical"]
"""A recorded risk level, as `ordercore.risk.RiskLevel`'s values (the core does not import it)."""

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "MAX_LINES",
    "Address",
    "Contact",
    "CustomerRef",
    "LineSums",
    "Order",
    "OrderLine",
    "PackagingRequirements",
    "Rate",
    "SalesOwner",
    "check_amounts",
    "currency_quantum",
    "line_net",
    "line_sums",
    "line_tax",
    "order_totals",
    "raw_net",
    "same_sums",
]

MAX_LINES: Final = 5000
"""The most lines one order may have; more is almost certainly a data error."""

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_EMPTY_LEDGER: Final = LineLedger()
_AMOUNT_PLACES: Final = 8
# A line's gross is at most 2 × quantity × price + 1.5 minor units (tax at most 100 %, each
# rounding at most half a unit, a unit at most 1): below this bound it cannot reach the limit.
_SAFE_PRODUCT: Final = 49999999999999  # (MAX_AMOUNT - 2) / 2
_SAFE_DIGITS: Final = 10  # quantity × price < 10 ** (10 + 2), well below _SAFE_PRODUCT
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply
_QUANTA: dict[str, Decimal] = {}

Rate = Annotated[Decimal, decimal_field(ge=0, le=1, decimal_places=6), EXACT]
"""A fraction from 0 to 1 with at most six places (a discount rate)."""
_Rate = Rate
_TaxRate = Annotated[Decimal, decimal_field(ge=0, le=1, decimal_places=6), EXACT]
_OrderedQuantity = Annotated[Decimal, decimal_field(gt=0, le=MAX_QUANTITY, decimal_places=6), EXACT]
_Uom = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[^\s\x00-\x1f]+$")]
_Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


def raw_net(quantity: Decimal, unit_price: Decimal, discount_rate: Decimal) -> Decimal:
    """Return quantity × unit price × (1 − discount rate), exact and unrounded.

    Args:
        quantity: The quantity (a line's open quantity for its net amount).
        unit_price: The unit price's amount.
        discount_rate: The discount, a fraction in [0, 1].

    Returns:
        The exact product, whatever the caller's decimal context.

    Raises:
        AmountOutOfRange: If an operand has far more digits than any entity holds, so that
            the product would need rounding.

    Examples:
        >>> raw_net(Decimal(3), Decimal("0.335"), Decimal("0.1"))
        Decimal('0.9045')
    """
    try:
        raw = _multiply(quantity, unit_price)
        return _multiply(raw, _subtract(_ONE, discount_rate)) if discount_rate else raw
    except DecimalException:
        raise AmountOutOfRange(
            f"multiply {quantity} by {unit_price} less {discount_rate}",
            quantity,
            MAX_AMOUNT,
            _AMOUNT_PLACES,
        ) from None


def line_net(
    quantity: Decimal, unit_price: Decimal, discount_rate: Decimal, quantum: Decimal
) -> Decimal:
    """Return a line's net amount: `raw_net` rounded half-even to `quantum`.

    Args:
        quantity: The quantity (a line's open quantity for its net amount).
        unit_price: The unit price's amount.
        discount_rate: The discount, a fraction in [0, 1].
        quantum: The currency's minor unit (``Decimal("0.01")``, ``Decimal(1)`` for JPY).

    Returns:
        The net amount, with the exponent of `quantum`.

    Raises:
        AmountOutOfRange: As `raw_net`.

    Examples:
        >>> line_net(Decimal(1), Decimal("0.125"), Decimal(0), Decimal("0.01"))
        Decimal('0.12')
        >>> line_net(Decimal(1), Decimal("0.135"), Decimal(0), Decimal("0.01"))
        Decimal('0.14')
    """
    return raw_net(quantity, unit_price, discount_rate).quantize(quantum, ROUND_HALF_EVEN, ROUNDING)


def line_tax(net: Decimal, tax_rate: Decimal, quantum: Decimal) -> Decimal:
    """Return a line's tax: net × tax rate, rounded half-even to `quantum`.

    Args:
        net: The line's net amount (see `line_net`).
        tax_rate: The tax rate, a fraction in [0, 1].
        quantum: The currency's minor unit.

    Returns:
        The tax amount, with the exponent of `quantum`.

    Raises:
        AmountOutOfRange: If an operand has far more digits than any entity holds.

    Examples:
        >>> line_tax(Decimal("0.25"), Decimal("0.1"), Decimal("0.01"))
        Decimal('0.02')
    """
    try:
        return _multiply(net, tax_rate).quantize(quantum, ROUND_HALF_EVEN, ROUNDING)
    except DecimalException:
        raise AmountOutOfRange(
            f"multiply {net} by {tax_rate}", net, MAX_AMOUNT, _AMOUNT_PLACES
        ) from None


def _quantum(currency: str) -> Decimal:
    found = _QUANTA.get(currency)
    if found is None:
        found = _QUANTA[currency] = Decimal(1).scaleb(-minor_units(currency), ROUNDING)
    return found


def _ordered_gross(line: OrderLine) -> Decimal:
    """The exact gross amount of a line at its ordered quantity."""
    quantum = _quantum(line.unit_price.currency)
    net = line_net(line.quantity, line.unit_price.amount, line.discount_rate, quantum)
    return _add(net, line_tax(net, line.tax_rate, quantum))


def check_amounts(lines: Sequence[OrderLine]) -> None:
    """Check that the lines' amounts, and their sum, fit in money.

    At the ordered quantities (the largest a line's amounts can be), neither a line's gross
    amount nor the lines' total gross may exceed `MAX_AMOUNT`. `Order` and `OrderLine`
    check this when they are built; code that changes lines without validation (an
    amendment) calls it.

    Args:
        lines: The order's lines, in one currency.

    Raises:
        AmountOutOfRange: If a line's or the total gross amount exceeds `MAX_AMOUNT`.

    Examples:
        >>> line = OrderLine(line_id="1", sku="X", quantity=Decimal(1000000000), uom="pcs",
        ...                  unit_price=Money.of("100000", "CNY"))
        >>> check_amounts([line, line])
        Traceback (most recent call last):
        ...
        ordercore.errors.AmountOutOfRange: cannot total the gross amounts of 2 lines: 200000000000000.00 is beyond the limit of 100000000000000 either way; nothing is rounded to fit
    """
    # Every quantity × price is below 10 ** (sum of the adjusted exponents + 2): when even
    # that bound is far from the limit, the exact amounts need not be computed.
    top = -2
    for line in lines:
        digits = line.quantity.adjusted() + line.unit_price.amount.adjusted()
        if digits > top:  # noqa: PLR1730 - max() would cost a call per line of every order
            top = digits
    if len(lines) * (10 ** (top + 2) + 1) <= _SAFE_PRODUCT:
        return
    total = _ZERO
    for line in lines:
        gross = _ordered_gross(line)
        if gross > MAX_AMOUNT:
            raise AmountOutOfRange(
                f"compute the gross amount of line {line.line_id}",
                gross,
                MAX_AMOUNT,
                _AMOUNT_PLACES,
            )
        total = _add(total, gross)
    if total > MAX_AMOUNT:
        raise AmountOutOfRange(
            f"total the gross amounts of {len(lines)} lines", total, MAX_AMOUNT, _AMOUNT_PLACES
        )


def _check_line_count(lines: tuple[OrderLine, ...]) -> tuple[OrderLine, ...]:
    # Checked after the items so that a bad line is reported alone, not with a count error.
    if not lines:
        raise ValueError("an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise ValueError(f"an order may have at most {MAX_LINES} lines, got {len(lines)}")
    return lines


# What a line's share of the order's totals reads: of the line, and of its ledger.
_SUMMED: Final = ("quantity", "unit_price", "discount_rate")
_SUMMED_LEDGER: Final = ("cancelled", "shipped", "delivered")
_LINE_SUMMED: Final = itemgetter(*_SUMMED, "ledger")
_LEDGER_SUMMED: Final = itemgetter(*_SUMMED_LEDGER)

LineSums = tuple[Decimal, Decimal, Decimal, Decimal, int, int, int]
"""`line_sums`' result: the values of `ordercore.totals.OrderTotals`, in `TOTAL_FIELDS` order."""


def line_sums(lines: Sequence[OrderLine], quantum: Decimal) -> LineSums:
    """Return what the lines add up to: the one definition of an order's totals.

    Per line, *open* = ordered − cancelled. The sums are the ordered, cancelled and
    delivered quantities, the open quantities' net amounts (`line_net` at `quantum`), and
    the counts of open lines, of open lines that shipped less than their open quantity, and
    of open lines with less than it delivered. The `Order` model checks carried totals
    against it, the lifecycle keeps them with it, and the KPI frames sum the lines of an
    order without totals with it.

    Args:
        lines: The order's lines.
        quantum: The currency's minor unit.

    Returns:
        The values of `ordercore.totals.OrderTotals`, in `ordercore.totals.TOTAL_FIELDS` order.

    Raises:
        AmountOutOfRange: As `line_net`, for lines changed without validation.

    Examples:
        >>> line = OrderLine(line_id="1", sku="X", quantity=Decimal(3), uom="pcs",
        ...                  unit_price=Money.of("2.50", "CNY"))
        >>> line_sums([line], Decimal("0.01"))
        (Decimal('3'), Decimal('0'), Decimal('0'), Decimal('7.50'), 1, 1, 1)
    """
    ordered = cancelled_sum = delivered_sum = value = _ZERO
    open_lines = unshipped = undelivered = 0
    for line in lines:
        quantity, price, discount, ledger = _LINE_SUMMED(line.__dict__)
        ordered = _add(ordered, quantity)
        open_ = quantity
        if ledger is _EMPTY_LEDGER:  # the shared default: nothing moved yet
            shipped = delivered = _ZERO
        else:
            cancelled, shipped, delivered = _LEDGER_SUMMED(ledger.__dict__)
            if cancelled:
                cancelled_sum = _add(cancelled_sum, cancelled)
                open_ = _subtract(quantity, cancelled)
            if delivered:
                delivered_sum = _add(delivered_sum, delivered)
        amount = price.__dict__["amount"]
        try:  # `line_net`, inline: the same operations (and its error should one fail)
            raw = _multiply(open_, amount)
            if discount:
                raw = _multiply(raw, _subtract(_ONE, discount))
            net = raw.quantize(quantum, ROUND_HALF_EVEN, ROUNDING)
        except DecimalException:
            net = line_net(open_, amount, discount, quantum)
        value = _add(value, net)
        if open_ > 0:
            open_lines += 1
            if shipped < open_:
                unshipped += 1
            if delivered < open_:
                undelivered += 1
    return ordered, cancelled_sum, delivered_sum, value, open_lines, unshipped, undelivered


def same_sums(before: Sequence[OrderLine], after: Sequence[OrderLine]) -> bool:
    """Whether `line_sums` must give the same for `after` as for `before`, seen cheaply.

    True when, line by line, every value `line_sums` reads is the very same object (an
    allocation, a pick or an invoice moves other ledger fields only). False says nothing:
    the caller sums `after` again.
    """
    if len(before) != len(after):
        return False
    for old, new in zip(before, after, strict=True):
        if old is new:
            continue
        was, now = old.__dict__, new.__dict__
        for name in _SUMMED:
            if was[name] is not now[name]:
                return False
        was, now = was["ledger"].__dict__, now["ledger"].__dict__
        for name in _SUMMED_LEDGER:
            if was[name] is not now[name]:
                return False
    return True


def order_totals(lines: Sequence[OrderLine], currency: str) -> OrderTotals:
    """Return the totals of `lines` in `currency` (`line_sums`, as an `OrderTotals`)."""
    sums = line_sums(lines, currency_quantum(currency))
    return OrderTotals.model_validate(dict(zip(TOTAL_FIELDS, sums, strict=True)))


def currency_quantum(currency: str) -> Decimal:
    """The minor unit of `currency` as a decimal quantum (``Decimal("0.01")`` for CNY).

    Examples:
        >>> currency_quantum("JPY"), currency_quantum("CNY")
        (Decimal('1'), Decimal('0.01'))
    """
    return _quantum(currency)


class CustomerRef(Entity):
    """Who ordered: a reference to the customer master, with the name as ordered."""

    customer_id: Id
    name: ShortText
    tax_id: ShortText | None = None


class SalesOwner(Entity):
    """The staff member who owns the order (sales rep or order clerk); KPIs attribute to it."""

    staff_id: Id
    name: ShortText | None = None
    team: ShortText | None = None


class Address(Entity):
    """A postal address (ship-to or bill-to). `country` is ISO 3166-1 alpha-2."""

    name: ShortText
    line1: ShortText
    line2: ShortText | None = None
    city: ShortText
    region: ShortText | None = None
    postal_code: ShortText | None = None
    country: _Country


class Contact(Entity):
    """A person to reach about the order."""

    name: ShortText
    phone: ShortText | None = None
    email: ShortText | None = None


class PackagingRequirements(Entity):
    """How the customer wants the goods packed (policy stage 4: packing to requirements)."""

    instructions: Text = ""
    labels: tuple[ShortText, ...] = Field(default=(), strict=False)
    palletised: bool = False
    max_package_weight_kg: Annotated[Decimal, decimal_field(gt=0, le=100000), EXACT] | None = None


class OrderLine(Entity):
    """One line of an order: what, how many, at what price, and its quantity ledger.

    Attributes:
        line_id: Unique within the order.
        sku: The product code.
        quantity: The ordered quantity, in `uom`.
        uom: Unit of measure (``"pcs"``, ``"kg"``, ``"箱"``).
        unit_price: Price per unit, in the order's currency; strictly positive.
        discount_rate: A fraction in [0, 1] (1 makes a free line).
        tax_rate: A fraction in [0, 1].
        requested_delivery_at: A line-level date that overrides the order's.
        over_delivery_tolerance: How far allocation and delivery may exceed the open
            quantity, as a fraction (0 by default; at most 0.5).
        ledger: The quantities recorded so far.
        backorder: The last backorder recorded (`Backorder`): how much waits for stock and
            when it is expected; `backordered` says how much of it is still unshipped.
    """

    line_id: Id
    sku: Id
    description: ShortText = ""
    quantity: _OrderedQuantity
    uom: _Uom
    unit_price: Money
    discount_rate: _Rate = _ZERO
    tax_rate: _TaxRate = _ZERO
    requested_delivery_at: Timestamp | None = None
    over_delivery_tolerance: Tolerance = _ZERO
    ledger: LineLedger = _EMPTY_LEDGER
    backorder: LineBackorder | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        price = self.unit_price.amount
        if price <= 0:
            raise ValueError(
                f"unit_price must be greater than zero, got {self.unit_price}; "
                "give a free item its list price and a discount_rate instead"
            )
        if self.quantity.adjusted() + price.adjusted() > _SAFE_DIGITS:  # a large line
            check_amounts((self,))
        if self.ledger is not _EMPTY_LEDGER:  # the shared default needs no check
            check_ledger(
                self.ledger,
                ordered=self.quantity,
                tolerance=self.over_delivery_tolerance,
                line_id=self.line_id,
            )
        return self

    @property
    def open_quantity(self) -> Decimal:
        """Ordered less cancelled."""
        cancelled = self.ledger.cancelled
        return _subtract(self.quantity, cancelled) if cancelled else self.quantity

    @property
    def backordered(self) -> Decimal:
        """How much of the recorded backorder still waits (zero with no backorder).

        Never more than the open, unshipped quantity: shipping works the backorder off.
        """
        if self.backorder is None:
            return _ZERO
        unshipped = max(_subtract(self.open_quantity, self.ledger.shipped), _ZERO)
        return min(self.backorder.quantity, unshipped)

    @property
    def outstanding_quantity(self) -> Decimal:
        """Open quantity not yet delivered (never negative)."""
        return max(_subtract(self.open_quantity, self.ledger.delivered), _ZERO)

    def _money(self, amount: Decimal, what: str) -> Money:
        # Valid lines stay below the limit (see `check_amounts`); lines changed without
        # validation may not, and their amounts are refused rather than made invalid money.
        if amount > MAX_AMOUNT:
            raise AmountOutOfRange(
                f"compute the {what} of line {self.line_id}", amount, MAX_AMOUNT, _AMOUNT_PLACES
            )
        return Money.model_construct(amount=amount, currency=self.unit_price.currency)

    def _net(self, quantity: Decimal) -> Decimal:
        price = self.unit_price
        return line_net(quantity, price.amount, self.discount_rate, _quantum(price.currency))

    @property
    def net_amount(self) -> Money:
        """Open quantity × unit price × (1 − discount), rounded half-even to minor units.

        Raises:
            AmountOutOfRange: If the line was changed without validation and its amount
                now exceeds `MAX_AMOUNT` (`tax_amount` and `gross_amount` too).
        """
        return self._money(self._net(self.open_quantity), "net amount")

    @property
    def ordered_net(self) -> Money:
        """Like `net_amount` but for the quantity as ordered, before cancellations."""
        return self._money(self._net(self.quantity), "ordered net amount")

    @property
    def tax_amount(self) -> Money:
        """Net amount × tax rate, rounded half-even to minor units."""
        quantum = _quantum(self.unit_price.currency)
        return self._money(line_tax(self._net(self.open_quantity), self.tax_rate, quantum), "tax")

    @property
    def gross_amount(self) -> Money:
        """Net plus tax."""
        return self.net_amount + self.tax_amount

    def progress(self, dimension: Dimension) -> Progress | None:
        """This line's progress in a dimension; `None` when the dimension does not apply."""
        return line_progress(self.ledger, self.quantity, dimension)

    def with_movement(self, field: LedgerField, delta: Decimal) -> OrderLine:
        """Return the line with `delta` recorded in one ledger field.

        Raises:
            LedgerViolation: If an invariant would break; nothing changes.
        """
        ledger = self.ledger.moved(
            field,
            delta,
            ordered=self.quantity,
            tolerance=self.over_delivery_tolerance,
            line_id=self.line_id,
        )
        return self.model_copy(update={"ledger": ledger})


class Order(Entity):
    """A customer order: header, lines, primary status and version.

    Attributes:
        order_id: The order number.
        customer: Who ordered.
        channel: How the order came in (phone, fax, web, EDI, e-mail, API): the policy's
            closed list, which rules and KPIs read.
        channel_detail: The host's own channel within `channel`, e.g.
            ``"wechat_mini_program"`` under `web`; KPI frames carry it as a column to group
            by, while every rule keeps reading `channel`.
        currency: The ISO 4217 currency of every price on the order.
        received_at: When the order was received (timezone-aware).
        requested_delivery_at: When the customer wants it delivered.
        promised_delivery_at: When it was promised (the commitment OTIF measures against).
        owner: The staff member responsible.
        ship_to: Delivery address.
        contact: The customer's contact for this order.
        packaging: Packing requirements.
        customer_po: The customer's own purchase-order reference.
        confirmation_ref: Reference of the confirmation sent back for a phone or fax order.
        payment_terms: Payment terms code (``"NET30"``), as the host's own systems call it.
        terms: The payment terms invoices are issued under (due dates, instalments, an
            advance to be paid before shipping); see `ordercore.billing`.
        notes: Free text.
        lines: At least one line; line ids unique.
        status: The primary status (moved by the lifecycle only).
        version: Bumped by every change; repositories use it for optimistic concurrency.
        archived: Set when a closed, cancelled, rejected or expired order is archived.
        content_version: The version at which amount, quantities, dates or lines last
            changed (set by the lifecycle); a review of an earlier version cannot approve.
        sub_status: A host-defined sub-state of `status` (see `ordercore.lifecycle.extend`);
            `None` for the canonical machine.
        holds: Every hold ever placed, released ones included (see `active_holds`).
        cases: Every after-sales case opened on the order.
        shipments: Every shipment dispatched (`Dispatch`); per line, what they carry is
            part of the ledger's `shipped` and what they delivered part of `delivered`
            (the rest moved by plain `Ship` and `Deliver`).
        links: The orders this one was split from or split into (see `ordercore.links`).
        feedback: Customer feedback, or the record that it was waived.
        billing: Every invoice and credit note issued (`IssueInvoice`, `IssueCreditNote`);
            per line, what they bill less what they credit is the ledger's `invoiced`.
        payments: Every payment received (`ReceivePayment`).
        refunds: Every refund paid (`IssueRefund`).
        checkpoints: Every supervision checkpoint recorded (`RecordCheckpoint`), in order;
            see `checkpoint` for the one in force.
        risk_level: The level of the latest recorded risk assessment (`RecordRiskAssessment`),
            or `None` before the first; guards and monitoring rules read it.
        updated_at: When the last event of the order's trail happened (set by the
            lifecycle: `create` and every command); never before `received_at`. The
            lifecycle refuses a command dated before it.
        milestones: What the order's trail says of it (approval, shipment, delivery,
            cancellation and who asked), kept by the lifecycle from `create` on; `None` for
            an order whose trail is not known from its creation (built by hand, or stored
            before the field existed). See `ordercore.milestones`.
        totals: What the lines add up to (`ordercore.totals.OrderTotals`), kept by the
            lifecycle from `create` on; the model refuses totals that are not what
            `line_sums` gives for the lines. `None` for an order built by hand or stored
            before the field existed. A copy made without validation (`model_copy`) that
            changes the lines must drop them or set them anew (`order_totals`).
    """

    order_id: Id
    customer: CustomerRef
    channel: Annotated[Channel, Field(strict=False)]
    channel_detail: Id | None = None
    currency: CurrencyCode
    received_at: Timestamp
    requested_delivery_at: Timestamp | None = None
    promised_delivery_at: Timestamp | None = None
    owner: SalesOwner | None = None
    ship_to: Address | None = None
    contact: Contact | None = None
    packaging: PackagingRequirements | None = None
    customer_po: ShortText | None = None
    confirmation_ref: ShortText | None = None
    payment_terms: ShortText | None = None
    terms: PaymentTerms | None = None
    notes: Text = ""
    lines: Annotated[tuple[OrderLine, ...], Field(strict=False), AfterValidator(_check_line_count)]
    status: Annotated[OrderStatus, Field(strict=False)] = OrderStatus.DRAFT
    version: Annotated[int, Field(ge=0)] = 0
    archived: bool = False
    content_version: Annotated[int, Field(ge=0)] = 0
    sub_status: ShortText | None = None
    holds: tuple[Hold, ...] = Field(default=(), strict=False)
    cases: tuple[AfterSalesCase, ...] = Field(default=(), strict=False)
    shipments: tuple[Shipment, ...] = Field(default=(), strict=False)
    links: tuple[OrderLink, ...] = Field(default=(), strict=False)
    feedback: Feedback | None = None
    billing: tuple[BillingDocument, ...] = Field(default=(), strict=False)
    payments: tuple[Payment, ...] = Field(default=(), strict=False)
    refunds: tuple[Refund, ...] = Field(default=(), strict=False)
    checkpoints: tuple[Checkpoint, ...] = Field(default=(), strict=False)
    risk_level: RiskLevelValue | None = None
    updated_at: Timestamp | None = None
    milestones: Milestones | None = None
    totals: OrderTotals | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.updated_at is not None and self.updated_at < self.received_at:
            raise ValueError(
                f"updated_at {self.updated_at} is before the order was received "
                f"({self.received_at})"
            )
        self._check_milestones()
        if self.content_version > self.version:
            raise ValueError(
                f"content_version {self.content_version} is ahead of version {self.version}"
            )
        self._check_records()
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            if line.line_id in seen:
                raise ValueError(f"lines[{index}].line_id {line.line_id!r} is used twice")
            seen.add(line.line_id)
            if line.unit_price.currency != self.currency:
                raise ValueError(
                    f"lines[{index}].unit_price is in {line.unit_price.currency} but the order "
                    f"is in {self.currency}; one order has one currency"
                )
            if line.requested_delivery_at is not None and line.requested_delivery_at < (
                self.received_at
            ):
                raise ValueError(
                    f"lines[{index}].requested_delivery_at {line.requested_delivery_at} is "
                    f"before the order was received ({self.received_at})"
                )
        for name in ("requested_delivery_at", "promised_delivery_at"):
            value = getattr(self, name)
            if value is not None and value < self.received_at:
                raise ValueError(
                    f"{name} {value} is before the order was received ({self.received_at})"
                )
        check_amounts(self.lines)
        if self.totals is not None:
            self._check_totals(self.totals)
        return self

    def _check_totals(self, totals: OrderTotals) -> None:
        sums = line_sums(self.lines, _quantum(self.currency))
        for name, value in zip(TOTAL_FIELDS, sums, strict=True):
            carried = getattr(totals, name)
            if carried != value:
                raise ValueError(
                    f"totals.{name} is {carried} but the lines give {value}; totals are what "
                    "the lines add up to (drop them, or set them with order_totals)"
                )

    def _check_milestones(self) -> None:
        if self.milestones is not None:
            earliest = self.milestones.earliest()
            if earliest is not None and earliest < self.received_at:
                raise ValueError(
                    f"milestones: {earliest} is before the order was received ({self.received_at})"
                )

    def _check_records(self) -> None:
        line_ids = {line.line_id for line in self.lines}
        hold_ids: set[str] = set()
        for index, hold in enumerate(self.holds):
            if hold.hold_id in hold_ids:
                raise ValueError(f"holds[{index}].hold_id {hold.hold_id!r} is used twice")
            hold_ids.add(hold.hold_id)
            unknown = [i for i in hold.line_ids if i not in line_ids]
            if unknown:
                raise ValueError(f"holds[{index}] names unknown lines {unknown}")
        case_ids: set[str] = set()
        for index, case in enumerate(self.cases):
            if case.case_id in case_ids:
                raise ValueError(f"cases[{index}].case_id {case.case_id!r} is used twice")
            case_ids.add(case.case_id)
            if case.line_id not in line_ids:
                raise ValueError(f"cases[{index}] names unknown line {case.line_id!r}")
        self._check_shipments(line_ids)
        self._check_billing()
        seen_links: set[tuple[str, str]] = set()
        for index, link in enumerate(self.links):
            if link.order_id == self.order_id:
                raise ValueError(f"links[{index}] links the order to itself")
            key = (link.relation.value, link.order_id)
            if key in seen_links:
                raise ValueError(f"links[{index}] ({key[0]} {key[1]}) is there twice")
            seen_links.add(key)

    def _check_billing(self) -> None:
        """The billing records agree with each other, the lines and the ledger."""
        if not (self.billing or self.payments or self.refunds):
            return
        billed = self._check_documents()
        for line in self.lines:
            if line.line_id in billed and billed[line.line_id] != line.ledger.invoiced:
                raise ValueError(
                    f"line {line.line_id}: its billing documents bill {billed[line.line_id]}, "
                    f"its ledger's invoiced is {line.ledger.invoiced}"
                )
        if self.billing and any(line.ledger.paid for line in self.lines):
            raise ValueError("an order billed in money records no paid units (RecordPayment)")
        invoices = {d.document_id for d in self.billing if d.kind is DocumentKind.INVOICE}
        payment_ids = self._check_money_records(
            "payments", [(p.payment_id, p.amount, p.document_id) for p in self.payments], invoices
        )
        self._check_money_records(
            "refunds", [(r.refund_id, r.amount, r.payment_id) for r in self.refunds], payment_ids
        )
        position = self.billing_position
        if position.refunded > position.received:
            raise ValueError(
                f"refunds of {position.refunded} exceed payments of {position.received}"
            )

    def _check_money_records(
        self, name: str, records: list[tuple[str, Money, str | None]], known: set[str]
    ) -> set[str]:
        """Check payments (or refunds) and return their ids.

        Each id is used once, each amount is in the order's currency, and a named invoice (for
        a refund: payment) is one of `known`.
        """
        ids: set[str] = set()
        named = "invoice" if name == "payments" else "payment"
        for index, (record_id, amount, other) in enumerate(records):
            where = f"{name}[{index}] ({record_id})"
            if record_id in ids:
                raise ValueError(f"{where}: the id is used twice")
            ids.add(record_id)
            if amount.currency != self.currency:
                raise ValueError(f"{where} is in {amount.currency}")
            if other is not None and other not in known:
                raise ValueError(f"{where} names unknown {named} {other!r}")
        return ids

    def _check_documents(self) -> dict[str, Decimal]:
        """Check each billing document; return, per line, what they bill less credit."""
        lines = {line.line_id: line for line in self.lines}
        quantum = _quantum(self.currency)
        billed: dict[str, Decimal] = {}
        invoices: set[str] = set()
        ids: set[str] = set()
        for index, document in enumerate(self.billing):
            where = f"billing[{index}] ({document.document_id})"
            if document.document_id in ids:
                raise ValueError(f"{where}: the id is used twice")
            ids.add(document.document_id)
            if document.currency != self.currency:
                raise ValueError(f"{where} is in {document.currency}, the order in {self.currency}")
            credit = document.kind is DocumentKind.CREDIT_NOTE
            if credit and document.credits not in invoices:
                raise ValueError(f"{where} credits {document.credits!r}, no earlier invoice")
            if not credit:
                invoices.add(document.document_id)
            for entry in document.lines:
                if entry.line_id not in lines:
                    raise ValueError(f"{where} names unknown line {entry.line_id!r}")
                net = line_net(
                    entry.quantity, entry.unit_price.amount, entry.discount_rate, quantum
                )
                tax = line_tax(net, entry.tax_rate, quantum)
                if (entry.net.amount, entry.tax.amount) != (net, tax):
                    raise ValueError(
                        f"{where} line {entry.line_id}: net {entry.net} and tax {entry.tax} "
                        "are not what its quantity and prices give"
                    )
                delta = -entry.quantity if credit else entry.quantity
                billed[entry.line_id] = _add(billed.get(entry.line_id, _ZERO), delta)
        return billed

    @property
    def billed_in_money(self) -> bool:
        """Whether the order is billed with documents and payments (not unit counts)."""
        return bool(self.billing or self.payments or self.refunds)

    @property
    def billing_position(self) -> BillingPosition:
        """Where the order stands in money: billed, paid, balance, instalments."""
        return billing_position(self.billing, self.payments, self.refunds, self.currency)

    def _check_shipments(self, line_ids: set[str]) -> None:
        if not self.shipments:
            return
        shipment_ids: set[str] = set()
        case_ids = {case.case_id for case in self.cases}
        for index, shipment in enumerate(self.shipments):
            if shipment.shipment_id in shipment_ids:
                raise ValueError(
                    f"shipments[{index}].shipment_id {shipment.shipment_id!r} is used twice"
                )
            shipment_ids.add(shipment.shipment_id)
            if shipment.case_id is not None and shipment.case_id not in case_ids:
                raise ValueError(
                    f"shipments[{index}] replaces for unknown case {shipment.case_id!r}"
                )
            unknown = [e.line_id for e in shipment.lines if e.line_id not in line_ids]
            if unknown:
                raise ValueError(f"shipments[{index}] names unknown line {unknown[0]!r}")
        self._check_shipped()

    def _check_shipped(self) -> None:
        """What the shipments carried and delivered is part of each line's ledger.

        A replacement counts in `exchanged`, not in `shipped` or `delivered`.
        """
        carried: dict[str, Decimal] = {}
        received: dict[str, Decimal] = {}
        for shipment in self.shipments:
            if shipment.replacement:
                continue
            for entry in shipment.lines:
                carried[entry.line_id] = _add(carried.get(entry.line_id, _ZERO), entry.quantity)
                received[entry.line_id] = _add(received.get(entry.line_id, _ZERO), entry.delivered)
        for line in self.lines:
            if carried.get(line.line_id, _ZERO) > line.ledger.shipped:
                raise ValueError(
                    f"line {line.line_id}: its shipments carry {carried[line.line_id]}, more "
                    f"than its ledger's shipped ({line.ledger.shipped})"
                )
            if received.get(line.line_id, _ZERO) > line.ledger.delivered:
                raise ValueError(
                    f"line {line.line_id}: its shipments delivered {received[line.line_id]}, "
                    f"more than its ledger's delivered ({line.ledger.delivered})"
                )

    @property
    def active_holds(self) -> tuple[Hold, ...]:
        """The holds not yet released."""
        return tuple(hold for hold in self.holds if hold.released_at is None)

    @property
    def open_cases(self) -> tuple[AfterSalesCase, ...]:
        """The after-sales cases not yet finished."""
        return tuple(case for case in self.cases if case.is_open)

    def _repr_html_(self) -> str:
        """Rich display in notebooks: header, totals, progress and lines with their ledger."""
        header = _html.definition_list(
            [
                ("order", self.order_id),
                ("customer", f"{self.customer.name} ({self.customer.customer_id})"),
                ("channel", self.channel.value),
                ("status", f"{self.status.value} (v{self.version})"),
                ("received", self.received_at.isoformat()),
                ("total", f"{self.total} (net {self.net_total}, tax {self.tax_total})"),
                (
                    "progress",
                    ", ".join(f"{d.value}: {p.value}" for d, p in self.dimensions.items()),
                ),
                ("active holds", ", ".join(h.reason.value for h in self.active_holds) or "none"),
            ]
        )
        shown = ("allocated", "shipped", "delivered", "returned", "invoiced", "paid")
        lines = _html.table(
            ["line", "sku", "quantity", "unit price", "net", *shown],
            [
                (
                    line.line_id,
                    line.sku,
                    f"{line.quantity} {line.uom}",
                    line.unit_price,
                    line.net_amount,
                    *(line.ledger.__dict__[name] for name in shown),
                )
                for line in self.lines
            ],
        )
        return header + lines

    def checkpoint(self, name: str) -> Checkpoint | None:
        """The latest record of checkpoint `name`, or `None` if it was never recorded."""
        for record in reversed(self.checkpoints):
            if record.checkpoint == name:
                return record
        return None

    def line(self, line_id: str) -> OrderLine:
        """Return the line with this id.

        Raises:
            KeyError: If there is none (the message lists the ids there are).
        """
        for candidate in self.lines:
            if candidate.line_id == line_id:
                return candidate
        known = ", ".join(line.line_id for line in self.lines)
        raise KeyError(f"order {self.order_id} has no line {line_id!r}; lines: {known}")

    @property
    def net_total(self) -> Money:
        """Sum of the lines' rounded net amounts."""
        return Money.total((line.net_amount for line in self.lines), self.currency)

    @property
    def tax_total(self) -> Money:
        """Sum of the lines' rounded tax amounts."""
        return Money.total((line.tax_amount for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        """Net total plus tax total."""
        return self.net_total + self.tax_total

    def progress(self, dimension: Dimension) -> Progress:
        """The order's progress in one dimension, combined over its lines.

        An order billed in money is judged in money for billing and payment: billing is
        full when every line's billable quantity (delivered − returned + exchanged, at
        least the open quantity once all is delivered) is invoiced, payment when that
        and the balance is zero; a settled order never reads partial.
        """
        if self.billed_in_money and dimension in _MONEY_DIMENSIONS:
            return self._money_progress(dimension)
        return combine_progress(line.progress(dimension) for line in self.lines)

    def _money_progress(self, dimension: Dimension) -> Progress:
        position = self.billing_position
        if dimension is Dimension.BILLING:
            if position.billed.amount <= 0:
                return Progress.NONE
            return Progress.FULL if not self.unbilled() else Progress.PARTIAL
        if position.paid.amount <= 0:
            return Progress.NONE
        if not self.unbilled() and position.balance.amount <= 0:
            return Progress.FULL
        return Progress.PARTIAL

    def unbilled(self) -> dict[str, Decimal]:
        """Per line, billable quantity not yet invoiced (lines with none left out).

        Billable is what was delivered less returned plus exchanged; before everything is
        delivered, the open quantity (ordered less cancelled, less returned).
        """
        left = {}
        for line in self.lines:
            ledger = line.ledger
            billable = _add(_subtract(ledger.delivered, ledger.returned), ledger.exchanged)
            if self.status not in _BILLED_ON_DELIVERY:
                billable = max(billable, _subtract(line.open_quantity, ledger.returned))
            if ledger.invoiced < billable:
                left[line.line_id] = _subtract(billable, ledger.invoiced)
        return left

    @property
    def dimensions(self) -> dict[Dimension, Progress]:
        """Every progress dimension at once."""
        return {dimension: self.progress(dimension) for dimension in Dimension}

    def total_quantity(self, field: LedgerField | None = None) -> Decimal:
        """Sum a ledger field over the lines (or the ordered quantity when `field` is None).

        Only meaningful when the lines share a unit of measure.
        """
        total = _ZERO
        if field is None:
            for line in self.lines:
                total = _add(total, line.quantity)
        else:
            for line in self.lines:
                total = _add(total, line.ledger.get(field))
        return total
