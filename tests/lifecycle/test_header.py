"""Header amendments and re-promises: versioned, validated, re-reviewed where the policy says."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail
from ordercore import ConfigurationError, GuardRejected, InvalidCommand, Money, OrderStatus
from ordercore.events import DeliveryRepromised, HeaderAmended, Party, parse_event
from ordercore.lifecycle import AmendHeader, Invoice, Repromise, apply
from ordercore.lifecycle.guards import LifecyclePolicy
from ordercore.lifecycle.replay import replay
from ordercore.orders import Address, Contact

HARBOUR = Address(name="Acme Ningbo", line1="8 Harbour Road", city="Ningbo", country="CN")


def _replays(trail: Trail) -> None:
    assert replay(trail.events) == trail.order
    assert replay([parse_event(e.model_dump_json()) for e in trail.events]) == trail.order


def test_a_confirmation_reference_arriving_later_is_recorded_without_a_new_review() -> None:
    trail = Trail().to_approved()
    version = trail.order.content_version
    events = trail.do(AmendHeader(requested_by=Party.CUSTOMER, confirmation_ref="FAX-1"))
    assert [type(e) for e in events] == [HeaderAmended]
    assert events[0].after == {"confirmation_ref": "FAX-1"}
    assert events[0].before == {"confirmation_ref": "none"}
    assert (trail.order.confirmation_ref, trail.order.status) == ("FAX-1", OrderStatus.APPROVED)
    assert trail.order.content_version == version
    _replays(trail)


def test_a_new_ship_to_after_approval_sends_the_order_back_to_review() -> None:
    trail = Trail().to_approved()
    events = trail.do(AmendHeader(requested_by=Party.CUSTOMER, ship_to=HARBOUR))
    assert [e.type for e in events] == ["header_amended", "review_reopened"]
    amended = events[0]
    assert isinstance(amended, HeaderAmended)
    assert amended.content_changed
    assert trail.order.status is OrderStatus.UNDER_REVIEW
    assert trail.order.content_version == trail.order.version
    assert trail.order.ship_to == HARBOUR
    _replays(trail)


def test_the_policy_chooses_which_header_fields_re_review() -> None:
    trail = Trail().to_approved()
    policy = LifecyclePolicy(re_review_fields=frozenset({"contact"}))
    command = AmendHeader(requested_by=Party.CUSTOMER, ship_to=HARBOUR)
    order, events = apply(trail.order, command, at=AT, actor=CLERK, policy=policy)
    assert order.status is OrderStatus.APPROVED
    assert [e.type for e in events] == ["header_amended"]
    contact = AmendHeader(requested_by=Party.CUSTOMER, contact=Contact(name="Ms Gao"))
    order, events = apply(order, contact, at=AT, actor=CLERK, policy=policy)
    assert order.status is OrderStatus.UNDER_REVIEW


def test_a_price_rise_re_reviews_and_a_price_cut_does_not() -> None:
    trail = Trail().to_approved()
    price = trail.order.lines[0].unit_price
    cheaper = Money.of(str(price.amount - 1), price.currency)
    events = trail.do(AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", cheaper),)))
    assert [e.type for e in events] == ["header_amended"]
    assert events[0].after == {"lines.1.unit_price": str(cheaper.amount)}
    assert trail.order.lines[0].unit_price == cheaper
    dearer = Money.of(str(price.amount + 5), price.currency)
    events = trail.do(AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", dearer),)))
    assert [e.type for e in events] == ["header_amended", "review_reopened"]
    _replays(trail)


def test_a_discount_is_content_an_old_review_cannot_approve() -> None:
    trail = Trail().to_review()
    trail.do(AmendHeader(requested_by=Party.SELLER, discount_rates=(("1", Decimal("0.1")),)))
    assert trail.order.lines[0].discount_rate == Decimal("0.1")
    assert trail.order.content_version == trail.order.version


def test_prices_of_invoiced_lines_do_not_change() -> None:
    trail = Trail().to_approved().deliver_line("1", 2)
    trail.do(Invoice(line_id="1", quantity=Decimal(2)))
    price = Money.of("1.00", trail.order.currency)
    with pytest.raises(GuardRejected, match="line 1 is invoiced"):
        trail.do(AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", price),)))


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (AmendHeader(requested_by=Party.SELLER), "the amendment changes nothing"),
        (
            AmendHeader(requested_by=Party.SELLER, unit_prices=(("9", Money.of("1", "CNY")),)),
            "order has no line '9'",
        ),
        (
            AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", Money.of("1", "USD")),)),
            "is in USD but the order is in CNY",
        ),
    ],
)
def test_bad_header_amendments_are_refused_and_change_nothing(
    command: AmendHeader, problem: str
) -> None:
    trail = Trail().to_approved()
    before = trail.order
    with pytest.raises(GuardRejected, match=problem):
        trail.do(command)
    assert trail.order is before


def test_a_line_named_twice_in_prices_is_refused_when_built() -> None:
    price = Money.of("1", "CNY")
    with pytest.raises(InvalidCommand, match="named twice"):
        AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", price), ("1", price)))


def test_repromise_records_the_new_date_who_asked_and_why() -> None:
    trail = Trail().to_approved()
    when = AT + timedelta(days=12)
    command = Repromise(promised_delivery_at=when, requested_by=Party.SELLER, reason="late steel")
    events = trail.do(command)
    promised = events[0]
    assert isinstance(promised, DeliveryRepromised)
    assert (promised.requested_by, promised.reason) == (Party.SELLER, "late steel")
    assert trail.order.promised_delivery_at == when
    assert trail.order.status is OrderStatus.APPROVED
    _replays(trail)


@pytest.mark.parametrize(
    ("days", "reason", "problem"),
    [
        (12, "", "repromise needs a reason"),
        (-900, "x", "is before the order was received"),
    ],
)
def test_bad_repromises_are_refused(days: int, reason: str, problem: str) -> None:
    trail = Trail().to_approved()
    command = Repromise(
        promised_delivery_at=AT + timedelta(days=days), requested_by=Party.CUSTOMER, reason=reason
    )
    with pytest.raises(GuardRejected, match=problem):
        trail.do(command)


def test_repromising_the_same_date_is_refused() -> None:
    trail = Trail().to_approved()
    when = AT + timedelta(days=3)
    trail.do(Repromise(promised_delivery_at=when, requested_by=Party.CUSTOMER, reason="x"))
    with pytest.raises(GuardRejected, match="already promised"):
        trail.do(Repromise(promised_delivery_at=when, requested_by=Party.CUSTOMER, reason="x"))


def test_re_review_fields_must_be_header_fields() -> None:
    with pytest.raises(ConfigurationError, match="re_review_fields must be a frozenset of"):
        LifecyclePolicy(re_review_fields=frozenset({"status"}))


def test_replay_refuses_a_header_amendment_pricing_a_line_the_order_lacks() -> None:
    from ordercore import TrailError  # noqa: PLC0415

    trail = Trail().to_approved()
    price = Money.of("1.00", trail.order.currency)
    event = trail.do(AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", price),)))[0]
    forged = event.model_copy(update={"unit_prices": (("9", price),)})
    with pytest.raises(TrailError, match="it prices unknown lines 9"):
        replay([*trail.events[:-1], forged])
