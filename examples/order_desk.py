"""A day at the order desk: the operations after approval, each run end to end and replayed.

A phone order confirmed in writing and changed after approval; a backordered line shipped in
three parts from two warehouses; a customer cutting a line's remainder after part shipped; a
credit hold released by a manager; a damaged delivery exchanged, its replacement late; a
warranty repair; an order split in two; an order reopened for a late complaint and closed
again; a supplier failure handled by releasing, re-promising and re-allocating; an order
billed in two instalments, a return credited and refunded in part.
Run it: `python examples/order_desk.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordercore import Channel, Order
from ordercore.aftersales import (
    CaseAction,
    CaseKind,
    Disposition,
    RepairTerms,
    ReturnCondition,
    RootCause,
)
from ordercore.billing import PaymentTerms
from ordercore.events import Actor, LineShortClosed, OrderEvent, Party
from ordercore.kpi import cases_frame
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    AmendHeader,
    AmendOrder,
    Approve,
    Backorder,
    Close,
    Command,
    ConfirmDelivery,
    Deliver,
    Dispatch,
    HoldReason,
    Invoice,
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    OpenCase,
    Pack,
    PlaceHold,
    ReceivePayment,
    RecordFeedback,
    RecordPayment,
    ReleaseAllocation,
    ReleaseHold,
    Reopen,
    Repromise,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    apply,
    create,
    replay,
    split,
)
from ordercore.shipments import TransportMode
from ordercore.testing.factories import make_order, make_review_context
from ordercore.validation import review

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLERK, MANAGER, WMS = Actor.user("li.wei"), Actor.user("zhao.lei"), Actor.integration("wms")
D = Decimal


def expect(condition: object, what: str) -> None:
    """Stop with a message if the walkthrough does not show what it says (kept under -O)."""
    if not condition:
        raise SystemExit(f"unexpected: {what}")


class Desk:
    """One order and its trail, moved by commands an hour apart."""

    def __init__(self, order: Order) -> None:
        self.now = START
        self.order, self.trail = create(order, at=self.now, actor=CLERK)

    def do(self, command: Command, actor: Actor = CLERK, hours: float = 1) -> list[OrderEvent]:
        """Apply a command `hours` after the last one; keep the events."""
        self.now += timedelta(hours=hours)
        self.order, events = apply(self.order, command, at=self.now, actor=actor)
        self.trail.extend(events)
        return events

    def approve(self) -> Desk:
        """Submit, review against the factory context, approve."""
        self.do(Submit())
        self.do(StartReview())
        verdict = review(self.order, make_review_context(as_of=self.now))
        self.do(Approve(verdict=verdict))
        return self

    def fulfil(self, line_id: str, quantity: int) -> Desk:
        """Allocate, pack, ship and deliver a line's quantity."""
        for command in (Allocate, Pack, Ship, Deliver):
            self.do(command(line_id=line_id, quantity=D(quantity)), WMS)
        return self

    def settle(self) -> Desk:
        """Invoice and take payment for everything delivered, record feedback."""
        for line in self.order.lines:
            ledger = line.ledger
            billable = ledger.delivered - ledger.returned + ledger.exchanged - ledger.invoiced
            if billable > 0:
                self.do(Invoice(line_id=line.line_id, quantity=billable))
                self.do(RecordPayment(line_id=line.line_id, quantity=billable))
        if self.order.feedback is None:
            self.do(RecordFeedback(score=4))
        return self

    def check(self, what: str) -> None:
        """The trail rebuilds the order; say what happened."""
        expect(replay(self.trail) == self.order, f"{what}: the trail rebuilds the order")
        print(f"{what}: {self.order.status.value}, version {self.order.version}")


def _order(order_id: str, channel: Channel = Channel.WEB) -> Order:
    return make_order(order_id, lines=2, channel=channel)


def phone_order_confirmed_then_changed() -> None:
    """A phone order's written confirmation recorded later, then a quantity changed."""
    desk = Desk(_order("SO-101", channel=Channel.PHONE)).approve()
    desk.do(AmendHeader(requested_by=Party.CUSTOMER, confirmation_ref="FAX-CONF-88"))
    line = desk.order.lines[0]
    desk.do(AmendOrder(quantities=((line.line_id, line.quantity - 1),), reason="customer call"))
    expect(
        desk.order.confirmation_ref == "FAX-CONF-88", 'desk.order.confirmation_ref == "FAX-CONF-88"'
    )
    desk.check("phone order confirmed in writing, then one unit fewer")


def backorder_shipped_in_three_parts() -> None:
    """A line backordered, then shipped in three parts from two warehouses with tracking."""
    desk = Desk(_order("SO-102")).approve()
    line = desk.order.lines[0]
    total = int(line.quantity)
    parts = [total // 3, total // 3, total - 2 * (total // 3)]
    desk.do(
        Backorder(
            line_id=line.line_id,
            quantity=D(total - parts[0]),
            expected_at=START + timedelta(days=9),
        )
    )
    for number, (warehouse, quantity) in enumerate(
        zip(("WH-NGB", "WH-SHA", "WH-SHA"), parts, strict=True), 1
    ):
        desk.do(Allocate(line_id=line.line_id, quantity=D(quantity)), WMS)
        desk.do(Pack(line_id=line.line_id, quantity=D(quantity)), WMS)
        desk.do(
            Dispatch(
                shipment_id=f"DN-102-{number}",
                lines=((line.line_id, D(quantity)),),
                warehouse=warehouse,
                carrier="SF Express",
                mode=TransportMode.ROAD,
                tracking_ref=f"SF102{number:03d}",
            ),
            WMS,
        )
        desk.do(
            ConfirmDelivery(shipment_id=f"DN-102-{number}", proof_of_delivery=f"POD-{number}"),
            WMS,
            30,
        )
    expect(
        desk.order.line(line.line_id).backordered == 0,
        "desk.order.line(line.line_id).backordered == 0",
    )
    desk.check(
        f"backordered line shipped in three parts from two warehouses ({len(desk.order.shipments)} shipments)"
    )


def remainder_cut_after_part_shipped() -> None:
    """The customer cuts a line's allocated remainder after part of it shipped."""
    desk = Desk(_order("SO-103")).approve()
    line = desk.order.lines[0]
    desk.do(Allocate(line_id=line.line_id, quantity=line.quantity), WMS)
    desk.do(Pack(line_id=line.line_id, quantity=D(2)), WMS)
    desk.do(Ship(line_id=line.line_id, quantity=D(2)), WMS)
    rest = line.quantity - 2
    [cut] = desk.do(ShortClose(line_id=line.line_id, quantity=rest, requested_by=Party.CUSTOMER))
    # its allocation went back to stock with the cut
    expect(isinstance(cut, LineShortClosed) and cut.released == rest, "the excess released")
    desk.check("customer cut a line's allocated remainder after part shipped")


def credit_hold_released_by_a_manager() -> None:
    """A credit hold from review, released by a manager with a reason."""
    desk = Desk(_order("SO-104"))
    desk.do(Submit())
    desk.do(StartReview())
    desk.do(PlaceHold(hold_id="review-credit-2", hold_reason=HoldReason.CREDIT, note="over limit"))
    desk.do(ReleaseHold(hold_id="review-credit-2", reason="prepayment received"), MANAGER)
    hold = desk.order.holds[0]
    expect(
        (hold.released_by, hold.release_reason) == ("user:zhao.lei", "prepayment received"),
        '(hold.released_by, hold.release_reason) == ("user:zhao.lei", "prepayment received")',
    )
    desk.check("credit hold released by a manager with a reason")


def damaged_delivery_exchanged_late() -> None:
    """A damaged delivery exchanged; the replacement arrives late, as the cases frame shows."""
    desk = Desk(_order("SO-105")).approve()
    for line in desk.order.lines:
        desk.fulfil(line.line_id, int(line.quantity))
    line_id = desk.order.lines[0].line_id
    desk.do(OpenCase(case_id="C1", kind=CaseKind.EXCHANGE, line_id=line_id, quantity=D(1)))
    desk.do(AdvanceCase(case_id="C1", action=CaseAction.APPROVE))
    desk.do(AdvanceCase(case_id="C1", action=CaseAction.RECEIVE, condition=ReturnCondition.DAMAGED))
    planned = desk.now + timedelta(days=2)
    desk.do(
        Dispatch(
            shipment_id="DN-105-R",
            lines=((line_id, D(1)),),
            planned_delivery_at=planned,
            case_id="C1",
        ),
        WMS,
    )
    desk.do(ConfirmDelivery(shipment_id="DN-105-R", proof_of_delivery="POD-R"), WMS, hours=24 * 4)
    row = cases_frame([desk.order], desk.trail).iloc[0]
    late = row["replacement_delivered_at"] - row["replacement_planned_at"]
    expect(late > timedelta(0), "late > timedelta(0)")
    desk.settle().do(Close())
    desk.check(f"damaged delivery exchanged; the replacement came {late} late")


def warranty_repair() -> None:
    """A repair under warranty."""
    desk = Desk(_order("SO-106")).approve()
    for line in desk.order.lines:
        desk.fulfil(line.line_id, int(line.quantity))
    line_id = desk.order.lines[1].line_id
    desk.do(
        OpenCase(
            case_id="R1",
            kind=CaseKind.REPAIR,
            line_id=line_id,
            quantity=D(1),
            repair_terms=RepairTerms.WARRANTY,
        )
    )
    for action in (CaseAction.APPROVE, CaseAction.RECEIVE, CaseAction.REPAIR):
        desk.do(AdvanceCase(case_id="R1", action=action))
    expect(
        desk.order.cases[0].repair_terms is RepairTerms.WARRANTY,
        "desk.order.cases[0].repair_terms is RepairTerms.WARRANTY",
    )
    desk.check("warranty repair done")


def order_split_in_two() -> None:
    """An order split: part of one line and all of another move to a new order."""
    desk = Desk(_order("SO-107")).approve()
    first, second = desk.order.lines
    parts = split(
        desk.order,
        ((first.line_id, D(1)), (second.line_id, second.quantity)),
        new_order_id="SO-107-B",
        at=desk.now + timedelta(hours=1),
        actor=CLERK,
        reason="second site",
    )
    desk.order, desk.trail = parts.source, desk.trail + parts.source_events
    expect(replay(parts.new_events) == parts.new, "replay(parts.new_events) == parts.new")
    desk.check(f"split: {len(parts.new.lines)} lines moved to {parts.new.order_id}")


def reopened_for_a_late_complaint() -> None:
    """A closed order reopened for a late complaint, resolved and closed again."""
    desk = Desk(_order("SO-108")).approve()
    for line in desk.order.lines:
        desk.fulfil(line.line_id, int(line.quantity))
    desk.settle().do(Close())
    desk.do(Reopen(reason="complaint about labelling"), MANAGER, hours=24 * 20)
    line_id = desk.order.lines[0].line_id
    desk.do(OpenCase(case_id="Q1", kind=CaseKind.COMPLAINT, line_id=line_id))
    desk.do(
        AdvanceCase(case_id="Q1", action=CaseAction.INVESTIGATE, root_cause=RootCause.PACKAGING)
    )
    desk.do(AdvanceCase(case_id="Q1", action=CaseAction.RESOLVE))
    desk.do(Close())
    desk.check("reopened for a late complaint and closed again")


def supplier_failure() -> None:
    """A supplier failure: allocation released, the date re-promised, allocated again."""
    desk = Desk(_order("SO-109")).approve()
    line = desk.order.lines[0]
    desk.do(Allocate(line_id=line.line_id, quantity=line.quantity), WMS)
    desk.do(
        ReleaseAllocation(
            line_id=line.line_id, quantity=line.quantity, reason="supplier cancelled"
        ),
        WMS,
    )
    promised = START + timedelta(days=21)
    desk.do(
        Repromise(
            promised_delivery_at=promised, requested_by=Party.SELLER, reason="supplier failure"
        )
    )
    desk.do(Allocate(line_id=line.line_id, quantity=line.quantity), WMS, hours=24 * 5)
    expect(
        desk.order.promised_delivery_at == promised, "desk.order.promised_delivery_at == promised"
    )
    desk.check("supplier failure: released, re-promised, re-allocated")


def two_instalments_and_a_partial_refund() -> None:
    """Billed in money: 30 % on the invoice date, 70 % in 30 days; a return partly refunded."""
    terms = PaymentTerms.instalments_of(("0.3", 0), ("0.7", 30), code="30-70")
    desk = Desk(make_order("SO-110", lines=1, terms=terms)).approve()
    line = desk.order.lines[0]
    desk.fulfil(line.line_id, int(line.quantity))
    desk.do(IssueInvoice(invoice_id="INV-110", lines=((line.line_id, line.quantity),)))
    first, second = desk.order.billing[0].schedule
    desk.do(ReceivePayment(payment_id="P-1", amount=first.amount, invoice_id="INV-110"))
    late = desk.order.billing_position.overdue(second.due_at + timedelta(days=1))
    expect([i.number for i in late] == [2], "the second instalment is overdue after its date")
    desk.do(ReceivePayment(payment_id="P-2", amount=second.amount), hours=24 * 30)
    # one unit comes back damaged: received, scrapped, credited and refunded in two parts
    desk.do(OpenCase(case_id="RMA-9", kind=CaseKind.RETURN, line_id=line.line_id, quantity=D(1)))
    desk.do(AdvanceCase(case_id="RMA-9", action=CaseAction.APPROVE))
    desk.do(
        AdvanceCase(
            case_id="RMA-9",
            action=CaseAction.RECEIVE,
            condition=ReturnCondition.DAMAGED,
            disposition=Disposition.SCRAP,
        )
    )
    desk.do(
        IssueCreditNote(
            credit_note_id="CN-110",
            invoice_id="INV-110",
            lines=((line.line_id, D(1)),),
            case_id="RMA-9",
        )
    )
    owed = -desk.order.billing_position.balance
    part = (owed * D("0.5")).rounded()  # half now, the rest once the carrier pays
    desk.do(IssueRefund(refund_id="R-1", amount=part, payment_id="P-2", reason="RMA-9, part"))
    desk.do(IssueRefund(refund_id="R-2", amount=owed - part, reason="RMA-9, the rest"))
    desk.do(AdvanceCase(case_id="RMA-9", action=CaseAction.REFUND))
    desk.do(RecordFeedback(score=3))
    desk.do(Close())
    expect(desk.order.billing_position.settled, "the order is settled in money")
    print(f"  invoiced {desk.order.billing_position.invoiced}, credited {owed}, refunded in two")
    desk.check("two instalments, a return credited and refunded in part")


def main() -> None:
    """Run every scenario."""
    for scenario in (
        phone_order_confirmed_then_changed,
        backorder_shipped_in_three_parts,
        remainder_cut_after_part_shipped,
        credit_hold_released_by_a_manager,
        damaged_delivery_exchanged_late,
        warranty_repair,
        order_split_in_two,
        reopened_for_a_late_complaint,
        supplier_failure,
        two_instalments_and_a_partial_refund,
    ):
        scenario()


if __name__ == "__main__":
    main()
