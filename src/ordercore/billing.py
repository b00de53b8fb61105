"""Billing in money: invoices and credit notes, payments and refunds, due dates from terms.

An order billed in money keeps three records, each moved by one lifecycle command:

- `BillingDocument`: an invoice (`IssueInvoice`) or a credit note (`IssueCreditNote`), with
  its lines at the order's prices, net, tax and gross, and for an invoice the instalments it
  is due in, from the `PaymentTerms` (net days, an instalment schedule);
- `Payment`: money received (`ReceivePayment`), against an invoice or on account (an advance
  payment, before any invoice);
- `Refund`: money paid back (`IssueRefund`), with a reason.

The order's position is derived from them (`BillingPosition`): billed (invoiced less
credited), paid (received less refunded), the balance, and every instalment with what is
still open on it. Instalments are settled oldest due first, whatever invoice a payment names,
and a credit note lowers the last instalments of the invoice it credits first.

Examples:
    >>> from datetime import datetime, timezone
    >>> terms = PaymentTerms.instalments_of(("0.3", 0), ("0.7", 30), code="30-70")
    >>> issued = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> [(due.amount.amount, due.due_at.date().isoformat())
    ...  for due in terms.schedule(Money.of("100.01", "EUR"), issued)]
    [(Decimal('30.00'), '2026-03-02'), (Decimal('70.01'), '2026-04-01')]
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Final, Self

import attrs
from pydantic import Field, model_validator

from ordercore._base import (
    ARITHMETIC,
    EXACT,
    ROUNDING,
    Entity,
    Id,
    PositiveQuantity,
    ShortText,
    Text,
    Timestamp,
    decimal_field,
)
from ordercore.money import Money, minor_units

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BillingDocument",
    "BillingLine",
    "BillingPosition",
    "DocumentKind",
    "Instalment",
    "InstalmentDue",
    "InstalmentPosition",
    "Payment",
    "PaymentTerms",
    "Refund",
    "billing_position",
    "positive_in_minor_units",
]

_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_MAX_LINES: Final = 5000
_MAX_INSTALMENTS: Final = 24

_Share = Annotated[Decimal, decimal_field(gt=0, le=1, decimal_places=6), EXACT]
_Fraction = Annotated[Decimal, decimal_field(ge=0, le=1, decimal_places=6), EXACT]
_Days = Annotated[int, Field(ge=0, le=3650)]


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency), ROUNDING)


class DocumentKind(StrEnum):
    """What a billing document is."""

    INVOICE = "invoice"
    """Bills goods to the customer; due in instalments."""
    CREDIT_NOTE = "credit_note"
    """Credits goods of an earlier invoice back (a return, a price correction)."""


class Instalment(Entity):
    """One part of a payment schedule.

    Attributes:
        share: The part of the invoice's gross, a fraction in (0, 1].
        due_days: Days after the invoice date it is due (0: on the invoice date).
    """

    share: _Share
    due_days: _Days


class PaymentTerms(Entity):
    """When an order's invoices are due, and what must be paid before goods leave.

    Attributes:
        code: The terms' code (``"NET30"``, ``"30-70"``).
        instalments: The schedule of every invoice: shares summing to exactly 1, due days
            not decreasing. One instalment of 0 days by default (due on receipt).
        advance_share: The part of the order's gross total to be paid before anything
            ships (0: none). `Ship` and `Dispatch` refuse until it is paid.
    """

    code: Id
    instalments: tuple[Instalment, ...] = Field(
        default=(Instalment(share=_ONE, due_days=0),),
        strict=False,
        min_length=1,
        max_length=_MAX_INSTALMENTS,
    )
    advance_share: _Fraction = _ZERO

    @model_validator(mode="after")
    def _check(self) -> Self:
        total = _ZERO
        for instalment in self.instalments:
            total = _add(total, instalment.share)
        if total != _ONE:
            raise ValueError(f"instalments' shares sum to {total}, not 1")
        days = [instalment.due_days for instalment in self.instalments]
        if days != sorted(days):
            raise ValueError(f"instalments must be due in order of their days, got {days}")
        return self

    @classmethod
    def net(cls, days: int, *, advance_share: Decimal | str = "0") -> PaymentTerms:
        """Everything due `days` after the invoice date (``NET30`` for 30)."""
        return cls.instalments_of(("1", days), code=f"NET{days}", advance_share=advance_share)

    @classmethod
    def instalments_of(
        cls, *parts: tuple[Decimal | str, int], code: str, advance_share: Decimal | str = "0"
    ) -> PaymentTerms:
        """Terms from ``(share, due_days)`` pairs, shares as decimal strings or Decimals.

        Raises:
            pydantic.ValidationError: Naming the part that is wrong (a share that is not a
                decimal in (0, 1], shares not summing to 1, days out of order).
        """
        # Read as JSON, where decimal strings are exact decimals (never floats).
        return cls.model_validate_json(
            json.dumps(
                {
                    "code": code,
                    "instalments": [
                        {"share": str(share), "due_days": days} for share, days in parts
                    ],
                    "advance_share": str(advance_share),
                }
            )
        )

    def schedule(self, gross: Money, issued_at: datetime) -> tuple[InstalmentDue, ...]:
        """The instalments an invoice of `gross` issued at `issued_at` is due in.

        Each instalment is its share of the gross rounded half-even to minor units; the last
        takes what is left, so the instalments sum to the gross exactly.
        """
        quantum = _quantum(gross.currency)
        dues = []
        left = gross.amount
        last = len(self.instalments) - 1
        for number, instalment in enumerate(self.instalments):
            if number == last:
                amount = left
            else:
                amount = _multiply(gross.amount, instalment.share).quantize(
                    quantum, ROUND_HALF_EVEN, ROUNDING
                )
                left = _subtract(left, amount)
            dues.append(
                InstalmentDue(
                    number=number + 1,
                    due_at=issued_at + timedelta(days=instalment.due_days),
                    amount=Money(amount=amount, currency=gross.currency),
                )
            )
        return tuple(dues)

    def advance_due(self, order_gross: Money) -> Money:
        """The advance to be paid before shipping: the share of the gross, rounded."""
        quantum = _quantum(order_gross.currency)
        amount = _multiply(order_gross.amount, self.advance_share).quantize(
            quantum, ROUND_HALF_EVEN, ROUNDING
        )
        return Money(amount=amount, currency=order_gross.currency)


class InstalmentDue(Entity):
    """One instalment of an invoice: how much, by when.

    Attributes:
        number: 1 for the first.
        due_at: When it is due.
        amount: How much.
    """

    number: Annotated[int, Field(ge=1, le=_MAX_INSTALMENTS)]
    due_at: Timestamp
    amount: Money


class BillingLine(Entity):
    """One order line on a billing document, at the prices it was billed at.

    Attributes:
        line_id: The order line.
        quantity: How much of it the document bills (or credits).
        unit_price: The line's unit price when billed.
        discount_rate: The line's discount when billed.
        tax_rate: The line's tax rate when billed.
        net: quantity × unit price × (1 − discount), rounded half-even to minor units.
        tax: net × tax rate, rounded half-even to minor units.
    """

    line_id: Id
    quantity: PositiveQuantity
    unit_price: Money
    discount_rate: _Fraction = _ZERO
    tax_rate: _Fraction = _ZERO
    net: Money
    tax: Money

    @property
    def gross(self) -> Money:
        """Net plus tax."""
        return self.net + self.tax


class BillingDocument(Entity):
    """An invoice or a credit note.

    The amounts are the lines' own (each line rounded once); the order checks that each
    line's net and tax are what its prices give.

    Attributes:
        document_id: Unique among the order's billing documents.
        kind: Invoice or credit note.
        issued_at: When it was issued.
        lines: What it bills or credits (at least one line, each once).
        terms_code: The payment terms an invoice was issued under.
        schedule: An invoice's instalments (summing to its gross); empty for a credit note.
        credits: A credit note's invoice.
        case_id: The after-sales case a credit note is for (a return), if any.
    """

    document_id: Id
    kind: Annotated[DocumentKind, Field(strict=False)]
    issued_at: Timestamp
    lines: tuple[BillingLine, ...] = Field(strict=False, min_length=1, max_length=_MAX_LINES)
    terms_code: Id | None = None
    schedule: tuple[InstalmentDue, ...] = Field(
        default=(), strict=False, max_length=_MAX_INSTALMENTS
    )
    credits: Id | None = None
    case_id: Id | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        currency = self.lines[0].unit_price.currency
        seen: set[str] = set()
        for line in self.lines:
            if line.line_id in seen:
                raise ValueError(f"line {line.line_id!r} is on the document twice")
            seen.add(line.line_id)
            found = {line.unit_price.currency, line.net.currency, line.tax.currency}
            if found != {currency}:
                raise ValueError(f"line {line.line_id!r} mixes currencies {sorted(found)}")
        if self.kind is DocumentKind.INVOICE:
            self._check_invoice(currency)
        elif self.credits is None:
            raise ValueError("a credit note names the invoice it credits (credits)")
        elif self.schedule:
            raise ValueError("a credit note has no instalments")
        return self

    def _check_invoice(self, currency: str) -> None:
        if self.credits is not None or self.case_id is not None:
            raise ValueError("an invoice credits no invoice and is for no case")
        if not self.schedule:
            raise ValueError("an invoice needs its instalment schedule")
        due = Money.total((d.amount for d in self.schedule), currency)
        if due != self.gross:
            raise ValueError(f"the instalments sum to {due}, not the gross {self.gross}")
        numbers = [d.number for d in self.schedule]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"instalments are numbered {numbers}, not 1, 2, ...")
        if any(d.due_at < self.issued_at for d in self.schedule):
            raise ValueError("an instalment is due before the invoice was issued")

    @property
    def currency(self) -> str:
        """The document's currency."""
        return self.lines[0].unit_price.currency

    @property
    def net(self) -> Money:
        """The lines' net amounts, added."""
        return Money.total((line.net for line in self.lines), self.currency)

    @property
    def tax(self) -> Money:
        """The lines' tax, added."""
        return Money.total((line.tax for line in self.lines), self.currency)

    @property
    def gross(self) -> Money:
        """Net plus tax."""
        return self.net + self.tax

    def quantity(self, line_id: str) -> Decimal:
        """How much of a line the document bills or credits (zero if none)."""
        for line in self.lines:
            if line.line_id == line_id:
                return line.quantity
        return _ZERO

    def line(self, line_id: str) -> BillingLine | None:
        """The document's entry for an order line, if it has one."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        return None


def positive_in_minor_units(value: Money) -> Money:
    """Check that an amount paid or refunded is more than zero, in the currency's minor units.

    Raises:
        ValueError: Saying which, for a pydantic validator to report.
    """
    if value.amount <= 0:
        raise ValueError(f"must be more than zero, got {value}")
    places = minor_units(value.currency)
    if value.amount != value.amount.quantize(_quantum(value.currency), ROUND_HALF_EVEN, ROUNDING):
        raise ValueError(f"{value} has more decimals than {value.currency}'s {places}")
    return value


class Payment(Entity):
    """Money received from the customer.

    Attributes:
        payment_id: Unique among the order's payments.
        amount: How much (more than zero).
        received_at: When.
        document_id: The invoice it pays, or `None` for a payment on account (an advance).
        method: How it was paid (``"bank_transfer"``, ``"alipay"``).
        reference: The bank's or the payment provider's reference.
    """

    payment_id: Id
    amount: Money
    received_at: Timestamp
    document_id: Id | None = None
    method: ShortText | None = None
    reference: ShortText | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        positive_in_minor_units(self.amount)
        return self


class Refund(Entity):
    """Money paid back to the customer.

    Attributes:
        refund_id: Unique among the order's refunds.
        amount: How much (more than zero).
        refunded_at: When.
        payment_id: The payment it pays back, if one is named.
        case_id: The after-sales case it is for, if any.
        reason: Why.
    """

    refund_id: Id
    amount: Money
    refunded_at: Timestamp
    payment_id: Id | None = None
    case_id: Id | None = None
    reason: Text = ""

    @model_validator(mode="after")
    def _check(self) -> Self:
        positive_in_minor_units(self.amount)
        return self


@attrs.frozen
class InstalmentPosition:
    """One instalment and what is still open on it.

    Attributes:
        document_id: The invoice.
        number: The instalment's number on it.
        due_at: When it is due.
        amount: What it is due for, less credit notes on the invoice.
        paid: What payments settled of it.
    """

    document_id: str
    number: int
    due_at: datetime
    amount: Money
    paid: Money

    @property
    def outstanding(self) -> Money:
        """What is still to pay."""
        return self.amount - self.paid


@attrs.frozen
class BillingPosition:
    """Where an order stands in money (see `billing_position`).

    Attributes:
        currency: The order's currency.
        invoiced: The invoices' gross, added.
        credited: The credit notes' gross, added.
        received: The payments, added.
        refunded: The refunds, added.
        instalments: Every invoice's instalments, oldest due first, with what is open.
    """

    currency: str
    invoiced: Money
    credited: Money
    received: Money
    refunded: Money
    instalments: tuple[InstalmentPosition, ...]

    @property
    def billed(self) -> Money:
        """Invoiced less credited."""
        return self.invoiced - self.credited

    @property
    def paid(self) -> Money:
        """Received less refunded."""
        return self.received - self.refunded

    @property
    def balance(self) -> Money:
        """Billed less paid: positive when the customer owes, negative when owed a refund."""
        return self.billed - self.paid

    @property
    def settled(self) -> bool:
        """Whether the balance is exactly zero."""
        return self.balance.amount == 0

    def overdue(self, as_of: datetime) -> tuple[InstalmentPosition, ...]:
        """The instalments due before `as_of` with something still open on them."""
        return tuple(i for i in self.instalments if i.due_at < as_of and i.outstanding.amount > 0)


def _credit_lowered(
    invoice: BillingDocument, credited: Decimal
) -> list[tuple[InstalmentDue, Decimal]]:
    """An invoice's instalments less what credit notes took, from the last one back."""
    left = credited
    lowered: list[tuple[InstalmentDue, Decimal]] = []
    for due in reversed(invoice.schedule):
        take = min(due.amount.amount, left)
        left = _subtract(left, take)
        lowered.append((due, _subtract(due.amount.amount, take)))
    lowered.reverse()
    return lowered


def billing_position(
    documents: Iterable[BillingDocument],
    payments: Iterable[Payment],
    refunds: Iterable[Refund],
    currency: str,
) -> BillingPosition:
    """Add up an order's billing records (`Order.billing_position` calls this).

    Raises:
        CurrencyMismatch: If a record is in another currency than `currency`.
    """
    documents = tuple(documents)
    invoices = [d for d in documents if d.kind is DocumentKind.INVOICE]
    notes = [d for d in documents if d.kind is DocumentKind.CREDIT_NOTE]
    credited_by_invoice: dict[str, Decimal] = {}
    for note in notes:
        key = str(note.credits)
        credited_by_invoice[key] = _add(credited_by_invoice.get(key, _ZERO), note.gross.amount)
    received = Money.total((p.amount for p in payments), currency).rounded()
    refunded = Money.total((r.amount for r in refunds), currency).rounded()
    rows = []
    for invoice in invoices:
        for due, amount in _credit_lowered(
            invoice, credited_by_invoice.get(invoice.document_id, _ZERO)
        ):
            rows.append((due.due_at, invoice.document_id, due.number, amount))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    pool = max(_subtract(received.amount, refunded.amount), _ZERO)
    instalments = []
    for due_at, document_id, number, amount in rows:
        paid = min(amount, pool)
        pool = _subtract(pool, paid)
        instalments.append(
            InstalmentPosition(
                document_id=document_id,
                number=number,
                due_at=due_at,
                amount=Money(amount=amount, currency=currency),
                paid=Money(amount=paid, currency=currency),
            )
        )
    return BillingPosition(
        currency=currency,
        invoiced=Money.total((d.gross for d in invoices), currency).rounded(),
        credited=Money.total((d.gross for d in notes), currency).rounded(),
        received=received,
        refunded=refunded,
        instalments=tuple(instalments),
    )
