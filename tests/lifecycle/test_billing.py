"""Billing in money: invoices, instalments, payments, credit notes and refunds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from _lifecycle_support import AT, CLERK, Trail
from _support import make_order
from ordercore import GuardRejected, InvalidCommand, Money, Order, OrderStatus
from ordercore.aftersales import CaseAction, CaseKind, Disposition, ReturnCondition
from ordercore.billing import DocumentKind, PaymentTerms
from ordercore.events import CreditNoteIssued, InvoiceIssued, parse_event
from ordercore.holds import HoldAction, HoldReason
from ordercore.ledger import Dimension
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    Cancel,
    Close,
    Invoice,
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    MergeInto,
    OpenCase,
    Pack,
    Party,
    PlaceHold,
    ReceivePayment,
    RecordPayment,
    Ship,
    WaiveFeedback,
    apply,
    replay,
    split,
)
from ordercore.orders import OrderLine
from ordercore.testing.factories import make_line

# 10 × 9.99 CNY at 13 % tax: net 99.90, tax 12.987 -> 12.99, gross 112.89 (by hand).
_LINE = make_line(quantity=Decimal(10), unit_price=Money.of("9.99", "CNY"))
_THIRTY_SEVENTY = PaymentTerms.instalments_of(("0.3", 0), ("0.7", 30), code="30-70")


def _cny(amount: str) -> Money:
    return Money.of(amount, "CNY")


def _order(**overrides: object) -> Order:
    return make_order(lines=[_LINE], **overrides)


def _delivered(**overrides: object) -> Trail:
    return Trail(_order(**overrides)).to_approved().deliver_line("1", 10)


def _replays(trail: Trail) -> None:
    stored = [event.model_dump_json() for event in trail.events]
    assert replay(parse_event(text) for text in stored) == trail.order
    assert Order.model_validate_json(trail.order.model_dump_json()) == trail.order


def test_two_invoice_instalments_paid_then_a_return_credited_and_partly_refunded() -> None:
    trail = _delivered(terms=_THIRTY_SEVENTY)
    (event,) = trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    assert isinstance(event, InvoiceIssued)
    invoice = event.document
    assert (invoice.net, invoice.tax, invoice.gross) == (
        _cny("99.90"),
        _cny("12.99"),
        _cny("112.89"),
    )
    # 30 % of 112.89 = 33.867 -> 33.87; the last instalment takes the rest, 79.02
    assert [(d.number, d.amount, d.due_at - AT) for d in invoice.schedule] == [
        (1, _cny("33.87"), timedelta(0)),
        (2, _cny("79.02"), timedelta(days=30)),
    ]
    assert trail.order.line("1").ledger.invoiced == 10
    trail.do(ReceivePayment(payment_id="P-1", amount=_cny("33.87"), invoice_id="INV-1"))
    position = trail.order.billing_position
    assert position.balance == _cny("79.02")
    assert position.overdue(AT + timedelta(days=31))[0].outstanding == _cny("79.02")
    assert trail.order.progress(Dimension.PAYMENT).value == "partial"
    trail.do(ReceivePayment(payment_id="P-2", amount=_cny("79.02"), method="bank_transfer"))
    assert trail.order.billing_position.settled
    assert trail.order.billing_position.overdue(AT + timedelta(days=31)) == ()
    # two units come back damaged: received, credited at the invoice's prices, refunded
    trail.do(OpenCase(case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(2)))
    trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE))
    trail.do(
        AdvanceCase(
            case_id="RMA-1",
            action=CaseAction.RECEIVE,
            condition=ReturnCondition.DAMAGED,
            disposition=Disposition.SCRAP,
        )
    )
    with pytest.raises(GuardRejected, match="credit the goods of case RMA-1 first"):
        trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND))
    (credit,) = trail.do(
        IssueCreditNote(
            credit_note_id="CN-1", invoice_id="INV-1", lines=(("1", Decimal(2)),), case_id="RMA-1"
        )
    )
    assert isinstance(credit, CreditNoteIssued)
    # 2 × 9.99 = 19.98 net, 2.5974 -> 2.60 tax: 22.58 back, off the last instalment
    assert credit.document.gross == _cny("22.58")
    assert credit.document.kind is DocumentKind.CREDIT_NOTE
    position = trail.order.billing_position
    assert position.balance == _cny("-22.58")
    assert [i.amount for i in position.instalments] == [_cny("33.87"), _cny("56.44")]
    trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND))
    trail.do(WaiveFeedback(reason="walk-in customer"))
    with pytest.raises(GuardRejected, match=r"22\.58 CNY paid beyond what is billed"):
        trail.do(Close())
    # a partial refund first (say, the carrier pays the rest), then the rest
    trail.do(IssueRefund(refund_id="R-1", amount=_cny("20.00"), payment_id="P-2", reason="RMA-1"))
    with pytest.raises(GuardRejected, match=r"2\.58 CNY paid beyond what is billed"):
        trail.do(Close())
    trail.do(IssueRefund(refund_id="R-2", amount=_cny("2.58"), case_id="RMA-1", reason="RMA-1"))
    assert trail.order.progress(Dimension.BILLING).value == "full"
    assert trail.order.progress(Dimension.PAYMENT).value == "full"
    trail.do(Close())
    assert trail.order.status is OrderStatus.CLOSED
    assert trail.order.line("1").ledger.invoiced == 8
    _replays(trail)


def test_an_advance_on_account_is_due_before_anything_ships() -> None:
    terms = PaymentTerms.net(30, advance_share="0.5")
    trail = Trail(_order(terms=terms)).to_approved()
    trail.do(Allocate(line_id="1", quantity=Decimal(10)))
    trail.do(Pack(line_id="1", quantity=Decimal(10)))
    with pytest.raises(GuardRejected, match=r"advance of 56\.44 CNY before shipping; paid 0"):
        trail.do(Ship(line_id="1", quantity=Decimal(10)))
    trail.do(ReceivePayment(payment_id="ADV", amount=_cny("56.44")))
    trail.do(Ship(line_id="1", quantity=Decimal(10)))
    assert trail.order.line("1").ledger.shipped == 10
    # the advance counts against the invoice issued later
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    position = trail.order.billing_position
    assert position.balance == _cny("56.45")
    assert position.instalments[0].paid == _cny("56.44")
    _replays(trail)


def test_a_payment_before_approval_is_an_advance_and_blocks_cancelling_until_refunded() -> None:
    trail = Trail(_order())
    trail.do(ReceivePayment(payment_id="P-1", amount=_cny("50.00")))
    with pytest.raises(GuardRejected, match=r"holds 50\.00 CNY of payments; refund them"):
        trail.do(Cancel(requested_by=Party.CUSTOMER, reason="changed mind"))
    with pytest.raises(GuardRejected, match="issue_refund needs a reason"):
        trail.do(IssueRefund(refund_id="R-1", amount=_cny("50.00")))
    trail.do(IssueRefund(refund_id="R-1", amount=_cny("50.00"), reason="order cancelled"))
    trail.do(Cancel(requested_by=Party.CUSTOMER, reason="changed mind"))
    assert trail.order.status is OrderStatus.CANCELLED
    _replays(trail)


def test_an_invoiced_order_is_credited_before_it_is_cancelled() -> None:
    trail = Trail(_order()).to_approved()
    trail.do(IssueInvoice(invoice_id="PRO-1", lines=(("1", Decimal(10)),)))
    with pytest.raises(GuardRejected, match=r"112\.89 CNY is invoiced; credit it"):
        trail.do(Cancel(requested_by=Party.CUSTOMER, reason="changed mind"))
    trail.do(
        IssueCreditNote(credit_note_id="CN-1", invoice_id="PRO-1", lines=(("1", Decimal(10)),))
    )
    trail.do(Cancel(requested_by=Party.CUSTOMER, reason="changed mind"))
    assert trail.order.status is OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("command", "match"),
    [
        (
            IssueInvoice(invoice_id="INV-2", lines=(("1", Decimal(1)),)),
            "line 1 has 0 left to invoice, not 1",
        ),
        (IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(1)),)), "INV-1' exists already"),
        (
            IssueInvoice(invoice_id="INV-2", lines=(("9", Decimal(1)),)),
            "order has no line '9'; lines: 1",
        ),
        (
            IssueCreditNote(credit_note_id="CN-1", invoice_id="INV-9", lines=(("1", Decimal(1)),)),
            "no invoice 'INV-9' to credit; invoices: INV-1",
        ),
        (
            IssueCreditNote(credit_note_id="CN-1", invoice_id="INV-1", lines=(("1", Decimal(11)),)),
            "line 1 has 10 left on invoice INV-1 to credit, not 11",
        ),
        (
            ReceivePayment(payment_id="P-1", amount=_cny("112.90")),
            r"payments would come to 112\.90 CNY, more than the 112\.89 CNY billed or ordered",
        ),
        (
            ReceivePayment(payment_id="P-1", amount=Money.of("10.00", "EUR")),
            "the payment is in EUR, the order in CNY",
        ),
        (
            ReceivePayment(payment_id="P-1", amount=_cny("1.00"), invoice_id="INV-7"),
            "no invoice 'INV-7' to pay",
        ),
        (
            IssueRefund(refund_id="R-1", amount=_cny("0.01"), reason="x"),
            r"only 0\.00 CNY was paid",
        ),
        (Invoice(line_id="1", quantity=Decimal(1)), "billed in money; use IssueInvoice"),
    ],
)
def test_billing_refusals_name_what_is_wrong_and_change_nothing(
    command: object, match: str
) -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    before = trail.order
    with pytest.raises(GuardRejected, match=match):
        trail.do(command)  # type: ignore[arg-type]
    assert trail.order is before


def test_a_refund_naming_a_payment_is_at_most_what_is_left_of_it() -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    trail.do(ReceivePayment(payment_id="P-1", amount=_cny("12.89")))
    trail.do(ReceivePayment(payment_id="P-2", amount=_cny("100.00")))
    trail.do(IssueRefund(refund_id="R-1", amount=_cny("10.00"), payment_id="P-1", reason="x"))
    with pytest.raises(GuardRejected, match=r"payment P-1 has 2\.89 CNY left to refund"):
        trail.do(IssueRefund(refund_id="R-2", amount=_cny("3.00"), payment_id="P-1", reason="x"))
    with pytest.raises(GuardRejected, match="refund 'R-1' exists already"):
        trail.do(IssueRefund(refund_id="R-1", amount=_cny("1.00"), reason="x"))


def test_units_and_money_are_not_mixed_on_one_order() -> None:
    trail = _delivered()
    trail.do(Invoice(line_id="1", quantity=Decimal(10)))
    trail.do(RecordPayment(line_id="1", quantity=Decimal(4)))
    with pytest.raises(GuardRejected, match="invoiced or paid in units; issue_invoice cannot"):
        trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(1)),)))
    with pytest.raises(GuardRejected, match="invoiced or paid in units; receive_payment cannot"):
        trail.do(ReceivePayment(payment_id="P-1", amount=_cny("1.00")))


def test_a_hold_that_blocks_invoicing_blocks_an_invoice() -> None:
    trail = _delivered()
    trail.do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT, blocks=(HoldAction.INVOICE,)))
    with pytest.raises(GuardRejected, match="hold H-1 \\(credit, on the order\\) blocks invoicing"):
        trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))


def test_settled_in_money_reads_full_and_closes() -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(4)),)))
    assert trail.order.progress(Dimension.BILLING).value == "partial"
    trail.do(IssueInvoice(invoice_id="INV-2", lines=(("1", Decimal(6)),)))
    trail.do(ReceivePayment(payment_id="P-1", amount=trail.order.billing_position.balance))
    trail.do(WaiveFeedback(reason="walk-in"))
    # Each invoice rounds its own tax: 39.96 + 5.19 and 59.94 + 7.79 make 112.88, a cent
    # below the order's 112.89 (one rounding of 12.987). Settlement is judged on what is
    # billed, so the order settles at 112.88 and never reads partial for the cent.
    assert trail.order.billing_position.billed == _cny("112.88")
    assert trail.order.total == _cny("112.89")
    assert trail.order.dimensions[Dimension.BILLING].value == "full"
    assert trail.order.dimensions[Dimension.PAYMENT].value == "full"
    trail.do(Close())
    assert trail.order.status is OrderStatus.CLOSED
    _replays(trail)


def test_commands_and_terms_refuse_bad_values_with_the_field_named() -> None:
    with pytest.raises(InvalidCommand, match="amount: Value error, must be more than zero"):
        ReceivePayment(payment_id="P-1", amount=_cny("0"))
    with pytest.raises(InvalidCommand, match=r"10\.001 CNY has more decimals than CNY's 2"):
        IssueRefund(refund_id="R-1", amount=_cny("10.001"), reason="x")
    with pytest.raises(InvalidCommand, match="invoice_id"):
        IssueInvoice(invoice_id="INV 1\x00", lines=(("1", Decimal(1)),))
    with pytest.raises(ValidationError, match=r"shares sum to 0\.9, not 1"):
        PaymentTerms.instalments_of(("0.4", 0), ("0.5", 30), code="X")
    with pytest.raises(ValidationError, match="due in order of their days"):
        PaymentTerms.instalments_of(("0.5", 30), ("0.5", 0), code="X")
    with pytest.raises(ValidationError, match="share"):
        PaymentTerms.instalments_of(("abc", 0), code="X")


def test_an_order_whose_billing_disagrees_with_its_ledger_is_refused() -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    data = trail.order.model_dump()
    data["lines"][0]["ledger"]["invoiced"] = Decimal(9)
    with pytest.raises(
        ValidationError, match="billing documents bill 10, its ledger's invoiced is 9"
    ):
        Order.model_validate(data)
    data = trail.order.model_dump()
    data["billing"][0]["lines"][0]["net"]["amount"] = Decimal("99.91")
    data["billing"][0]["schedule"][0]["amount"]["amount"] = Decimal("112.90")
    with pytest.raises(ValidationError, match="are not what its quantity and prices give"):
        Order.model_validate(data)


def test_a_replayed_trail_refuses_a_payment_recorded_twice() -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    (payment,) = trail.do(ReceivePayment(payment_id="P-1", amount=_cny("10.00")))
    order, events = apply(
        trail.order, ReceivePayment(payment_id="P-2", amount=_cny("1.00")), at=AT, actor=CLERK
    )
    doubled = events[0].model_copy(update={"payment": payment.payment})  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="payment P-1 exists"):
        replay([*trail.events, doubled])
    assert isinstance(order.lines[0], OrderLine)


def test_a_split_leaves_the_money_with_the_source() -> None:
    trail = Trail(_order()).to_approved()
    trail.do(ReceivePayment(payment_id="ADV", amount=_cny("20.00")))
    parts = split(trail.order, (("1", Decimal(4)),), new_order_id="SO-1-B", at=AT, actor=CLERK)
    assert [p.payment_id for p in parts.source.payments] == ["ADV"]
    assert parts.new.payments == ()
    assert parts.new.billing_position.paid == _cny("0.00")


def test_an_order_holding_a_payment_cannot_merge_away() -> None:
    trail = Trail(_order(order_id="SO-2"))
    trail.do(ReceivePayment(payment_id="ADV", amount=_cny("20.00")))
    with pytest.raises(GuardRejected, match="it has invoices or payments"):
        trail.do(MergeInto(target_order_id="SO-1", reason="one delivery"))


def test_an_order_with_a_payment_of_an_unknown_invoice_or_a_repeated_id_is_refused() -> None:
    trail = _delivered()
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", Decimal(10)),)))
    trail.do(ReceivePayment(payment_id="P-1", amount=_cny("10.00"), invoice_id="INV-1"))
    trail.do(IssueRefund(refund_id="R-1", amount=_cny("1.00"), payment_id="P-1", reason="x"))
    data = trail.order.model_dump()
    data["payments"][0]["document_id"] = "INV-9"
    with pytest.raises(ValidationError, match=r"payments\[0\] \(P-1\) names unknown invoice"):
        Order.model_validate(data)
    data = trail.order.model_dump()
    data["refunds"][0]["payment_id"] = "P-9"
    with pytest.raises(ValidationError, match=r"refunds\[0\] \(R-1\) names unknown payment"):
        Order.model_validate(data)
    data = trail.order.model_dump()
    data["payments"] = [*data["payments"], data["payments"][0]]
    with pytest.raises(ValidationError, match=r"payments\[1\] \(P-1\): the id is used twice"):
        Order.model_validate(data)
    data = trail.order.model_dump()
    data["refunds"][0]["amount"]["amount"] = Decimal("10.01")
    with pytest.raises(ValidationError, match=r"refunds of 10\.01 CNY exceed payments"):
        Order.model_validate(data)
