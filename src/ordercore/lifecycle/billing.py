"""The guards and the documents of billing in money (see `ordercore.billing`).

`IssueInvoice` and `IssueCreditNote` build their `BillingDocument` here, from the order's
lines (an invoice) or the invoice's own lines (a credit note), with the same rounding the
order's totals use. Each guard names what is missing or too much.

Examples:
    >>> from decimal import Decimal
    >>> from datetime import datetime, timezone
    >>> from ordercore import Money
    >>> from ordercore.testing.factories import make_line, make_order
    >>> from ordercore.lifecycle.commands import IssueInvoice
    >>> line = make_line(quantity=Decimal(4), unit_price=Money.of("2.50", "CNY"))
    >>> order = make_order(lines=[line])
    >>> command = IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(2)),))
    >>> document = invoice_document(order, command, datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> str(document.net), str(document.tax), str(document.gross)
    ('5.00 CNY', '0.65 CNY', '5.65 CNY')
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

from ordercore._base import ARITHMETIC
from ordercore._refusals import Refusal, command_zh, hold_blocks, join, listed, refusal
from ordercore.billing import BillingDocument, BillingLine, DocumentKind, PaymentTerms
from ordercore.holds import HoldAction
from ordercore.lifecycle.commands import (
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    ReceivePayment,
)
from ordercore.money import Money, minor_units
from ordercore.orders import line_net, line_tax

if TYPE_CHECKING:
    from datetime import datetime

    from ordercore.lifecycle.commands import Command
    from ordercore.lifecycle.guards import GuardContext
    from ordercore.orders import Order

__all__ = [
    "DUE_ON_ISSUE",
    "credit_fits",
    "credit_note_document",
    "document_new",
    "invoice_document",
    "invoice_fits",
    "invoice_not_held",
    "payment_fits",
    "refund_fits",
    "unit_billing_absent",
]

_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_ZERO: Final = Decimal(0)

DUE_ON_ISSUE: Final = PaymentTerms(code="DUE")
"""The terms of an invoice when neither the command nor the order gives any: due at once."""


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _billing_line(
    line_id: str,
    quantity: Decimal,
    unit_price: Money,
    discount_rate: Decimal,
    tax_rate: Decimal,
) -> BillingLine:
    quantum = _quantum(unit_price.currency)
    net = line_net(quantity, unit_price.amount, discount_rate, quantum)
    tax = line_tax(net, tax_rate, quantum)
    return BillingLine(
        line_id=line_id,
        quantity=quantity,
        unit_price=unit_price,
        discount_rate=discount_rate,
        tax_rate=tax_rate,
        net=Money(amount=net, currency=unit_price.currency),
        tax=Money(amount=tax, currency=unit_price.currency),
    )


def invoice_document(order: Order, command: IssueInvoice, at: datetime) -> BillingDocument:
    """The invoice `command` issues on `order` at `at` (its guards have passed)."""
    lines = {line.line_id: line for line in order.lines}
    entries = tuple(
        _billing_line(
            line_id,
            quantity,
            lines[line_id].unit_price,
            lines[line_id].discount_rate,
            lines[line_id].tax_rate,
        )
        for line_id, quantity in command.lines
    )
    terms = command.terms or order.terms or DUE_ON_ISSUE
    gross = Money.total((e.gross for e in entries), order.currency)
    return BillingDocument(
        document_id=command.invoice_id,
        kind=DocumentKind.INVOICE,
        issued_at=at,
        lines=entries,
        terms_code=terms.code,
        schedule=terms.schedule(gross, at),
    )


def credit_note_document(order: Order, command: IssueCreditNote, at: datetime) -> BillingDocument:
    """The credit note `command` issues on `order` at `at` (its guards have passed)."""
    invoice = _document(order, command.invoice_id)
    assert invoice is not None  # noqa: S101 - credit_fits ran first
    entries = []
    for line_id, quantity in command.lines:
        billed = invoice.line(line_id)
        assert billed is not None  # noqa: S101 - credit_fits ran first
        entries.append(
            _billing_line(
                line_id, quantity, billed.unit_price, billed.discount_rate, billed.tax_rate
            )
        )
    return BillingDocument(
        document_id=command.credit_note_id,
        kind=DocumentKind.CREDIT_NOTE,
        issued_at=at,
        lines=tuple(entries),
        credits=invoice.document_id,
        case_id=command.case_id,
    )


def _document(order: Order, document_id: str) -> BillingDocument | None:
    for document in order.billing:
        if document.document_id == document_id:
            return document
    return None


def document_new(order: Order, command: Command, _: GuardContext) -> str | None:
    """An invoice or credit note needs an id the order's billing documents do not use."""
    if isinstance(command, IssueInvoice):
        new = command.invoice_id
    elif isinstance(command, IssueCreditNote):
        new = command.credit_note_id
    else:
        return None
    if _document(order, new) is not None:
        return refusal(f"billing document {new!r} exists already", f"开票单据 {new!r} 已存在")
    return None


def unit_billing_absent(order: Order, command: Command, _: GuardContext) -> str | None:
    """Billing in money needs an order not billed in units (`Invoice`, `RecordPayment`)."""
    if order.billing or order.payments:
        return None  # billed in money already: unit billing has been refused since
    units = [line.line_id for line in order.lines if line.ledger.invoiced or line.ledger.paid]
    if units:
        return refusal(
            f"lines {', '.join(units)} are invoiced or paid in units; {command.name} cannot "
            "bill the order in money as well",
            f"第 {listed(units)} 行已按数量开票或收款；「{command_zh(command.name)}」"
            "不能再按金额为该订单开票收款",
        )
    return None


def _billable_room(order: Order, line_id: str) -> Decimal | None:
    for line in order.lines:
        if line.line_id == line_id:
            ledger = line.ledger
            delivered = _add(_subtract(ledger.delivered, ledger.returned), ledger.exchanged)
            billable = max(delivered, _subtract(line.open_quantity, ledger.returned))
            return _subtract(billable, ledger.invoiced)
    return None


def invoice_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """Each line invoiced must exist and have that much billable and not yet invoiced.

    Billable is the open quantity less returns, or what was delivered less returns plus
    replacements, whichever is more.
    """
    if not isinstance(command, IssueInvoice):
        return None
    problems = []
    for line_id, quantity in command.lines:
        room = _billable_room(order, line_id)
        if room is None:
            known = ", ".join(line.line_id for line in order.lines)
            problems.append(
                refusal(
                    f"order has no line {line_id!r}; lines: {known}",
                    f"订单没有行 {line_id!r}；现有行：{listed(li.line_id for li in order.lines)}",
                )
            )
        elif quantity > room:
            left = max(room, _ZERO)
            problems.append(
                refusal(
                    f"line {line_id} has {left} left to invoice, not {quantity}",
                    f"第 {line_id} 行尚可开票 {left}，不是 {quantity}",
                )
            )
    return join(problems)


def invoice_not_held(order: Order, command: Command, _: GuardContext) -> str | None:
    """No active hold may block invoicing a line of the invoice (or the whole order)."""
    if not isinstance(command, IssueInvoice) or not order.holds:
        return None
    for line_id, _quantity in command.lines:
        for hold in order.holds:
            if hold.blocks_action(HoldAction.INVOICE, line_id):
                return hold_blocks(hold, f"invoicing line {line_id}", f"第 {line_id} 行开票")
    return None


def credit_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A credit note credits an invoice of the order, at most what it bills less credits."""
    if not isinstance(command, IssueCreditNote):
        return None
    invoice = _document(order, command.invoice_id)
    if invoice is None or invoice.kind is not DocumentKind.INVOICE:
        known = [d.document_id for d in order.billing if d.kind is DocumentKind.INVOICE]
        return refusal(
            f"no invoice {command.invoice_id!r} to credit; invoices: {', '.join(known) or 'none'}",
            f"没有可冲红的发票 {command.invoice_id!r}；现有发票：{listed(known)}",
        )
    if command.case_id is not None and all(c.case_id != command.case_id for c in order.cases):
        return _no_case(command.case_id)
    problems = []
    for line_id, quantity in command.lines:
        billed = invoice.quantity(line_id)
        if not billed:
            problems.append(
                refusal(
                    f"invoice {invoice.document_id} does not bill line {line_id!r}",
                    f"发票 {invoice.document_id} 未开行 {line_id!r}",
                )
            )
            continue
        for note in order.billing:
            if note.credits == invoice.document_id:
                billed = _subtract(billed, note.quantity(line_id))
        if quantity > billed:
            problems.append(
                refusal(
                    f"line {line_id} has {billed} left on invoice {invoice.document_id} to "
                    f"credit, not {quantity}",
                    f"第 {line_id} 行在发票 {invoice.document_id} 上尚可冲红 {billed}，不是 {quantity}",
                )
            )
    return join(problems)


def _no_case(case_id: str) -> Refusal:
    return refusal(f"no case {case_id!r}", f"没有售后单 {case_id!r}")


def payment_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A payment must fit: the order's currency, a new id, an invoice of the order or none.

    It may not take the order's payments above what is billed or the order is worth.
    """
    if not isinstance(command, ReceivePayment):
        return None
    if command.amount.currency != order.currency:
        return refusal(
            f"the payment is in {command.amount.currency}, the order in {order.currency}",
            f"收款币种为 {command.amount.currency}，订单币种为 {order.currency}",
        )
    if any(p.payment_id == command.payment_id for p in order.payments):
        return refusal(
            f"payment {command.payment_id!r} exists already", f"收款 {command.payment_id!r} 已存在"
        )
    if command.invoice_id is not None:
        invoice = _document(order, command.invoice_id)
        if invoice is None or invoice.kind is not DocumentKind.INVOICE:
            return refusal(
                f"no invoice {command.invoice_id!r} to pay",
                f"没有可收款的发票 {command.invoice_id!r}",
            )
    position = order.billing_position
    ceiling = max(position.billed, order.total)
    after = position.paid + command.amount
    if after > ceiling:
        more = ceiling - position.paid
        return refusal(
            f"payments would come to {after}, more than the {ceiling} billed or ordered "
            f"(at most {more} more)",
            f"收款合计将达 {after}，超过已开票或订单金额 {ceiling}（最多还可收 {more}）",
        )
    return None


def refund_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A refund must fit: the order's currency, a new id, at most what was paid.

    When it names a payment, at most what is left of that payment after earlier refunds.
    """
    if not isinstance(command, IssueRefund):
        return None
    problem = None
    paid = order.billing_position.paid
    if command.amount.currency != order.currency:
        problem = refusal(
            f"the refund is in {command.amount.currency}, the order in {order.currency}",
            f"退款币种为 {command.amount.currency}，订单币种为 {order.currency}",
        )
    elif any(r.refund_id == command.refund_id for r in order.refunds):
        problem = refusal(
            f"refund {command.refund_id!r} exists already", f"退款 {command.refund_id!r} 已存在"
        )
    elif command.case_id is not None and all(c.case_id != command.case_id for c in order.cases):
        problem = _no_case(command.case_id)
    elif command.amount > paid:
        problem = refusal(
            f"only {paid} was paid; a refund of {command.amount} is more",
            f"仅收款 {paid}；退款 {command.amount} 超出",
        )
    elif command.payment_id is not None:
        problem = _payment_refundable(order, command.payment_id, command.amount)
    return problem


def _payment_refundable(order: Order, payment_id: str, amount: Money) -> Refusal | None:
    payment = next((p for p in order.payments if p.payment_id == payment_id), None)
    if payment is None:
        return refusal(f"no payment {payment_id!r}", f"没有收款 {payment_id!r}")
    left = payment.amount
    for refund in order.refunds:
        if refund.payment_id == payment_id:
            left -= refund.amount
    if amount > left:
        return refusal(
            f"payment {payment_id} has {left} left to refund",
            f"收款 {payment_id} 尚可退款 {left}",
        )
    return None
