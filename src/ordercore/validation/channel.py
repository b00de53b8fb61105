"""Channel rules: orders taken by phone or fax carry a confirmation reference.

A phone or fax order is keyed in by hand, so the policy asks for a written confirmation sent
back to the customer; its reference goes into `Order.confirmation_ref`.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import ReviewContext
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel="fax", currency="CNY", received_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     lines=[OrderLine(line_id="1", sku="BOLT", quantity=Decimal(100), uom="pcs",
    ...                      unit_price=Money.of("0.85", "CNY"))])
    >>> context = ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=UTC))
    >>> confirmation_reference()(order, context)[0].message_zh
    '传真订单需要填写回传给客户的确认单号'
    >>> confirmation_reference(channels={Channel.PHONE})(order, context)
    []
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ordercore.labels import label
from ordercore.status import Channel
from ordercore.validation.codes import make_issue
from ordercore.validation.rules import Rule

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ordercore.context import ReviewContext
    from ordercore.orders import Order
    from ordercore.validation.issues import Issue

__all__ = ["MANUAL_CHANNELS", "confirmation_reference"]

_NAME: Final = "confirmation_reference"

MANUAL_CHANNELS: Final = frozenset({Channel.PHONE, Channel.FAX})
"""The channels whose orders need a confirmation reference by default: phone and fax."""


def confirmation_reference(*, channels: Iterable[Channel] = MANUAL_CHANNELS) -> Rule:
    """Orders from the given channels carry a non-blank `confirmation_ref`.

    Code: ``channel.confirmation_missing``.

    Args:
        channels: The channels to check (phone and fax by default; add e-mail if the host's
            policy confirms those too).
    """
    checked = frozenset(Channel(c) for c in channels)

    def check(order: Order, _context: ReviewContext) -> list[Issue]:
        if order.channel not in checked:
            return []
        ref = order.confirmation_ref
        if ref is not None and ref.strip():
            return []
        return [
            make_issue(
                "channel.confirmation_missing",
                rule=_NAME,
                path="confirmation_ref",
                observed=ref,
                expected="a confirmation reference",
                channel=label(order.channel).lower(),
                channel_zh=label(order.channel, "zh"),
            )
        ]

    return Rule(_NAME, check, (("channels", checked),), "Phone and fax orders are confirmed.")
