"""Date rules: requested dates not in the past and not inside the lead time.

Timestamps become calendar days in the time zone of `ReviewContext.calendar`, and lead
times count business days on that calendar (weekends, holidays and adjusted working days,
see [`BusinessCalendar`][ordercore.context.BusinessCalendar]). Both rules need the calendar
and raise `ConfigurationError` without it. An order without any requested date has nothing
to check here.

The earliest possible delivery day of a line is
``calendar.add_business_days(received day, lead time + buffer)``; the day of receipt is not
counted, and a requested day equal to the earliest day passes.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from decimal import Decimal
    >>> from ordercore import CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import BusinessCalendar, Product, ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="fax", currency="CNY", received_at=datetime(2026, 9, 30, 9, tzinfo=UTC),
    ...     requested_delivery_at=datetime(2026, 10, 5, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> golden_week = BusinessCalendar(holidays={date(2026, 10, d) for d in range(1, 8)})
    >>> context = ReviewContext(as_of=datetime(2026, 9, 30, 10, tzinfo=UTC),
    ...     calendar=golden_week,
    ...     products={"BOLT": Product(sku="BOLT", uom="pcs", lead_time_days=3)})
    >>> lead_time_respected()(order, context)[0].message_en
    'delivery of the order requested for 2026-10-05, but the earliest date after 3 business days of lead time is 2026-10-12'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.validation._prepared import order_facts, prepared
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule, missing_piece

if TYPE_CHECKING:
    from datetime import date

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["lead_time_respected", "requested_date_not_in_past"]

_PAST: Final = "requested_date_not_in_past"
_LEAD: Final = "lead_time_respected"
_ORDER_WHAT: Final = ("delivery of the order", "订单")


def _line_what(line_id: str) -> tuple[str, str]:
    return (f"delivery of line {line_id}", f"第 {line_id} 行")


def _past(day: date, today: date, path: str, line_id: str | None) -> Issue:
    what, what_zh = _ORDER_WHAT if line_id is None else _line_what(line_id)
    return make_issue(
        "date.requested_in_past",
        rule=_PAST,
        path=path,
        observed=day,
        expected=today,
        what=what,
        what_zh=what_zh,
    )


def requested_date_not_in_past() -> Rule:
    """No requested delivery date (the order's or a line's) is before the review day.

    Code: ``date.requested_in_past``. Days are compared in the calendar's time zone, so a
    date requested for today passes. Needs `ReviewContext.calendar`.
    """

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        if context.calendar is None:
            raise missing_piece("calendar", _PAST)
        helper = prepared(context)
        issues: list[Issue] = []
        today = helper.today
        requested = helper.order_days(order)[1]
        if requested is not None and requested < today:
            issues.append(_past(requested, today, "requested_delivery_at", None))
        for index, line in enumerate(order.lines):
            moment = line.requested_delivery_at
            if moment is not None and (day := helper.local_date(moment)) < today:
                path = f"lines[{index}].requested_delivery_at"
                issues.append(_past(day, today, path, line.line_id))
        return issues

    return Rule(_PAST, check, description="Requested dates are not in the past.")


def lead_time_respected(*, buffer_days: int = 0) -> Rule:
    """Each requested date leaves the product's lead time, in business days, after receipt.

    A line with its own requested date is checked against its product's lead time
    (`Product.lead_time_days`); the order's requested date is checked once, against the
    longest lead time among the lines that have no date of their own. Lines whose product
    is unknown are skipped (see `product_known`). Code: ``date.inside_lead_time``. Needs
    `ReviewContext.calendar`.

    Args:
        buffer_days: Business days added to every lead time (order handling, transport).

    Raises:
        ValueError: If `buffer_days` is negative.
    """
    if buffer_days < 0:
        raise ValueError(f"buffer_days must be zero or more, got {buffer_days}")

    def check(order: Order, context: ReviewContext) -> list[Issue]:
        calendar = context.calendar
        if calendar is None:
            raise missing_piece("calendar", _LEAD)
        facts = order_facts(order, context)
        helper = prepared(context)
        received, order_day, _ = helper.order_days(order)
        order_lead = facts.order_lead + buffer_days if facts.order_lead >= 0 else -1
        issues: list[Issue] = []
        for index, own, product_lead in facts.dated:
            lead = product_lead + buffer_days
            day = helper.local_date(own)
            earliest = helper.earliest(calendar, received, lead)
            if day < earliest:
                what, what_zh = _line_what(order.lines[index].line_id)
                issues.append(
                    make_issue(
                        "date.inside_lead_time",
                        rule=_LEAD,
                        path=f"lines[{index}].requested_delivery_at",
                        observed=day,
                        expected=earliest,
                        what=what,
                        what_zh=what_zh,
                        lead_time=lead,
                    )
                )
        if order_day is not None and order_lead >= 0:
            earliest = helper.earliest(calendar, received, order_lead)
            if order_day < earliest:
                issues.append(
                    make_issue(
                        "date.inside_lead_time",
                        rule=_LEAD,
                        path="requested_delivery_at",
                        observed=order_day,
                        expected=earliest,
                        what=_ORDER_WHAT[0],
                        what_zh=_ORDER_WHAT[1],
                        lead_time=order_lead,
                    )
                )
        return issues

    return Rule(
        _LEAD,
        check,
        (("buffer_days", buffer_days),),
        "Requested dates leave the lead time in business days.",
    )
